"""Say plainly what cannot work: checks before solving, and an elastic solve when the model is infeasible."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..solver import SolverSettings
from .problem import FAMILIES, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem


@dataclass(frozen=True)
class Finding:
    """What the diagnosis found, as a code and its numbers; ``finmodel.labels.finding_text`` puts it in words."""

    severity: str
    """infeasible: the rules cannot all hold; unallocated: money will be left over; note: worth knowing."""
    code: str
    amount_wan: float | None = None
    values: tuple[tuple[str, Any], ...] = ()
    """The names and numbers the finding is about (unit, pool, limits, families …)."""


def binding_family(problem: AllocationProblem, kind: str, unit: int) -> str:
    """The family giving a unit its highest floor (kind TOTAL_LOWER) or lowest cap (TOTAL_UPPER)."""
    best, code = None, ""
    for bound in problem.total_bounds(kind):
        value = bound.values[unit]
        if np.isnan(value):
            continue
        if best is None or (value > best if kind == TOTAL_LOWER else value < best):
            best, code = value, bound.family
    if kind == TOTAL_UPPER and problem.need_by_category is not None:
        need = problem.need_by_category[unit].sum()
        if best is None or need < best:
            code = "need_category"
    return code


def precheck(problem: AllocationProblem) -> list[Finding]:
    """What can be seen without solving: floors above caps, floors above the pools, caps below them."""
    findings: list[Finding] = []
    low, high = problem.total_range()
    names = problem.districts
    for i in np.flatnonzero(low > high + 1e-9):
        lo_f, hi_f = binding_family(problem, TOTAL_LOWER, i), binding_family(problem, TOTAL_UPPER, i)
        findings.append(Finding("infeasible", "floor_above_cap", float(low[i] - high[i]), (
            ("unit", names[i]), ("low_wan", float(low[i])), ("high_wan", float(high[i])), ("low_family", lo_f),
            ("high_family", hi_f))))
    budget = float(problem.pool_wan.sum())
    floors = float(low.sum())
    if floors > budget + 1e-9:
        findings.append(Finding("infeasible", "floors_above_pools", floors - budget,
                                (("floors_wan", floors), ("budget_wan", budget))))
    cell_caps = problem.cell_caps()
    reachable_by_unit = np.fmin(high, cell_caps.sum(axis=0))
    room = float(np.nan_to_num(reachable_by_unit, posinf=np.inf).sum())
    if room < budget - 1e-9:
        findings.append(Finding("unallocated", "caps_below_pools", budget - room,
                                (("room_wan", room), ("budget_wan", budget))))
    for p, pool in enumerate(problem.pools):
        pool_room = float(np.fmin(cell_caps[p], high).sum())
        if pool_room < problem.pool_wan[p] - 1e-9:
            findings.append(Finding("unallocated", "pool_caps_below_pool", float(problem.pool_wan[p]) - pool_room, (
                ("pool", problem.pool_name(p)), ("room_wan", pool_room), ("pool_wan", float(problem.pool_wan[p])))))
        if problem.eligible is not None:
            usable = problem.need_by_category[:, problem.eligible[p]].sum()
            if usable <= 0:
                listed = [c for c, ok in zip(problem.categories, problem.eligible[p]) if ok]
                findings.append(Finding("unallocated", "pool_no_eligible_need", float(problem.pool_wan[p]),
                                        (("pool", problem.pool_name(p)), ("categories", tuple(listed)))))
    return findings


def elastic_findings(problem: AllocationProblem, settings: SolverSettings) -> list[Finding]:
    """Solve with every requirement allowed to be missed at a cost; report what is missed and by how much."""
    from .lp import AllocationLP

    model = AllocationLP(problem, settings, name="allocation_elastic", elastic=True)
    missed = model.least_shortfall()
    by_id = {row.cid: (row.family, row.pool, row.unit) for row in model.bound_rows}
    findings = []
    for cid, amount in missed.items():
        family, pool, unit = by_id[cid]
        findings.append(Finding("infeasible", f"missed_{family}", amount, (
            ("unit", problem.districts[unit]), ("pool", None if pool is None else problem.pool_name(pool)),
            ("family", family))))
    return findings


def proportional_factors(table: pd.DataFrame, pools) -> list[Finding]:
    """Two factor columns of a pool that are proportional (investment = floor area × a constant) count one quantity
    twice: the second adds no information, only weight to the first. A note per pair, naming the pools that weigh
    both; factors treated differently (one inverse, or one left out of the difficulty coefficient) are not alike."""
    found: dict[tuple[str, str], dict] = {}
    for pool in pools:
        columns = [c for c, w in pool.weights.items() if w > 0 and c in table.columns]
        for a, b in itertools.combinations(columns, 2):
            if (a in pool.inverse) != (b in pool.inverse) or (a in pool.unweighted) != (b in pool.unweighted):
                continue
            x, y = table[a].to_numpy(dtype=float), table[b].to_numpy(dtype=float)
            given = (x != 0) | (y != 0)
            if given.sum() < 2 or np.any((x[given] == 0) | (y[given] == 0)):
                continue
            ratio = y[given] / x[given]
            if np.allclose(ratio, ratio[0], rtol=1e-9, atol=0.0):
                entry = found.setdefault((a, b), {"ratio": float(ratio[0]), "pools": []})
                entry["pools"].append((pool.label, pool.label_en or pool.id, pool.weights[a], pool.weights[b]))
    return [Finding("note", "proportional_factors", None, (
        ("first", a), ("second", b), ("ratio", entry["ratio"]), ("pools", tuple(entry["pools"]))))
        for (a, b), entry in found.items()]


__all__ = ["FAMILIES", "Finding", "elastic_findings", "precheck", "proportional_factors"]

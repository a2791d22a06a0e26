"""Say plainly what cannot work: checks before solving, and an elastic solve when the model is infeasible."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..solver import SolverSettings
from .problem import FAMILIES, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem, family_label


@dataclass(frozen=True)
class Finding:
    severity: str
    """infeasible: the rules cannot all hold; unallocated: money will be left over; note: worth knowing."""
    code: str
    zh: str
    en: str
    amount_wan: float | None = None

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _binding_family(problem: AllocationProblem, kind: str, unit: int) -> str:
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
        lo_f, hi_f = _binding_family(problem, TOTAL_LOWER, i), _binding_family(problem, TOTAL_UPPER, i)
        findings.append(Finding(
            "infeasible", "floor_above_cap",
            f"{names[i]}：下限 {low[i]:,.2f} 万元（{family_label(lo_f, 'zh')}）高于上限 {high[i]:,.2f} 万元"
            f"（{family_label(hi_f, 'zh')}），相差 {low[i] - high[i]:,.2f} 万元",
            f"{names[i]}: floor {low[i]:,.2f} (10k yuan, {family_label(lo_f, 'en')}) is above its cap "
            f"{high[i]:,.2f} ({family_label(hi_f, 'en')}) by {low[i] - high[i]:,.2f}",
            float(low[i] - high[i]),
        ))
    budget = float(problem.pool_wan.sum())
    floors = float(low.sum())
    if floors > budget + 1e-9:
        findings.append(Finding(
            "infeasible", "floors_above_pools",
            f"各区县下限合计 {floors:,.2f} 万元，超过资金总额 {budget:,.2f} 万元 {floors - budget:,.2f} 万元",
            f"the units' floors add up to {floors:,.2f}, above the pools' {budget:,.2f} by {floors - budget:,.2f}",
            floors - budget,
        ))
    cell_caps = problem.cell_caps()
    reachable_by_unit = np.fmin(high, cell_caps.sum(axis=0))
    room = float(np.nan_to_num(reachable_by_unit, posinf=np.inf).sum())
    if room < budget - 1e-9:
        findings.append(Finding(
            "unallocated", "caps_below_pools",
            f"各区县上限合计 {room:,.2f} 万元，低于资金总额 {budget:,.2f} 万元：至少 {budget - room:,.2f} 万元将列为未分配",
            f"the units' caps add up to {room:,.2f}, below the pools' {budget:,.2f}: at least "
            f"{budget - room:,.2f} will stay unallocated",
            budget - room,
        ))
    for p, pool in enumerate(problem.pools):
        pool_room = float(np.fmin(cell_caps[p], high).sum())
        if pool_room < problem.pool_wan[p] - 1e-9:
            findings.append(Finding(
                "unallocated", "pool_caps_below_pool",
                f"资金 {pool}：可接受额度合计 {pool_room:,.2f} 万元，低于资金额 {problem.pool_wan[p]:,.2f} 万元",
                f"pool {pool}: the units can take at most {pool_room:,.2f} of its {problem.pool_wan[p]:,.2f}",
                float(problem.pool_wan[p]) - pool_room,
            ))
        if problem.eligible is not None:
            usable = problem.need_by_category[:, problem.eligible[p]].sum()
            if usable <= 0:
                listed = [c for c, ok in zip(problem.categories, problem.eligible[p]) if ok]
                findings.append(Finding(
                    "unallocated", "pool_no_eligible_need",
                    f"资金 {pool} 只能用于 {'、'.join(listed) or '（无）'}，但没有区县在这些类别有需求：全部列为未分配",
                    f"pool {pool} may pay only for {', '.join(listed) or '(nothing)'}, and no unit has need there: "
                    f"all of it stays unallocated",
                    float(problem.pool_wan[p]),
                ))
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
        where = problem.districts[unit] + ("" if pool is None else f"（{problem.pools[pool]}）")
        where_en = problem.districts[unit] + ("" if pool is None else f" ({problem.pools[pool]})")
        findings.append(Finding(
            "infeasible", f"missed_{family}",
            f"{where}：{family_label(family, 'zh')}无法满足，至少差 {amount:,.2f} 万元",
            f"{where_en}: {family_label(family, 'en')} cannot be met, short by at least {amount:,.2f}",
            amount,
        ))
    return findings


__all__ = ["FAMILIES", "Finding", "elastic_findings", "precheck"]

"""Sweeps: a scenario run at every combination of values of some of its keys — how each district's amount moves as
a pool or a weight changes, how many households a plan renovates by each deadline as the budget changes, how a
project's NPV and balance move with a price or a rate.

A key is named as ``--set`` names it (``pools.central.amount_wan``, ``budgets.scale``,
``projects.zoucheng.income.parking.occupancy``) and its values are written as ``--set`` values. Every combination is
loaded here, so that a bad key or value is refused before any work starts, and run as a Dask task
(``cluster.run_tasks``); the points come back in the grid's order whatever runs them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import parse_value, read_toml
from ..errors import FinmodelError, InputError
from ..kinds import kind_of
from .cluster import run_tasks

MAX_POINTS = 10_000
"""Most combinations a sweep runs: beyond, the grid is almost certainly a mistake (and the table unreadable)."""

MEASURES = {
    "allocation": ("amount_wan",),
    "projects": ("npv_after_grants_wan", "funding_gap_wan", "balanced", "grant_needed_wan"),
    "plan": ("households_met", "households_missed", "extra_money_wan", "households", "cost_wan"),
}
"""Per kind, what a point reports for each of its units (districts; projects and funding-mode units; deadlines
and years)."""


@dataclass(frozen=True)
class SweepResult:
    kind: str
    """allocation, projects or plan."""
    keys: list[str]
    grid: dict[str, list[str]]
    """Each key's values as given (TOML text), in order."""
    points: pd.DataFrame
    """One row per combination (index: 1, 2, …): each key's value, whether the run went through with its checks
    passed (``ok``), and what went wrong where it did not (``note``: the failed checks, or the error of a point
    that cannot be run, e.g. a pool below the floors' sum; its figures are then missing)."""
    figures: pd.DataFrame
    """Long: point, unit, name, measure, value (万元, households, or 1/0 for ``balanced``)."""
    scenario: Any
    """The scenario as loaded without the grid (what the manifest records)."""
    workers: int = 0

    def table(self, measure: str | None = None) -> pd.DataFrame:
        """One row per combination: the keys' values, then one column per unit of ``measure`` (default: the kind's
        first: a district's amount, a project's NPV after grants, households renovated by a deadline)."""
        measure = measure or MEASURES[self.kind][0]
        chosen = self.figures[self.figures["measure"] == measure]
        if chosen.empty:
            raise KeyError(f"no measure '{measure}' in this sweep; it has {', '.join(self.measures)}")
        wide = chosen.pivot(index="point", columns="unit", values="value")
        return self.points[self.keys].join(wide[list(dict.fromkeys(chosen["unit"]))])

    @property
    def measures(self) -> list[str]:
        return list(dict.fromkeys(self.figures["measure"]))

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.figures["unit"], self.figures["name"]))


def parse_grid(items: Sequence[str] | Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    """``{key: [value texts]}`` from ``KEY=V1,V2,…`` items (commas inside brackets or quotes belong to a value) or
    from a mapping of key to values; a clear error for a key without values or given twice."""
    if isinstance(items, Mapping):
        grid = {}
        for key, values in items.items():
            values = [values] if isinstance(values, (str, int, float)) else list(values)
            grid[str(key)] = [_toml_text(v) for v in values]
    else:
        grid = {}
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip()
            if not sep or not key:
                raise InputError(f"--grid '{item}': write KEY=VALUE1,VALUE2,…",
                                 zh=f"--grid “{item}”：请写成 KEY=VALUE1,VALUE2,…")
            if key in grid:
                raise InputError(f"--grid: '{key}' is given twice; give all its values in one --grid",
                                 zh=f"--grid：“{key}”给出了两次；请在一个 --grid 中给出它的全部取值")
            grid[key] = [v.strip() for v in _split(text)]
    for key, values in grid.items():
        if not values or any(v == "" for v in values):
            raise InputError(f"--grid {key}: a value is empty; write {key}=VALUE1,VALUE2,…",
                             zh=f"--grid {key}：有一个取值为空；请写成 {key}=VALUE1,VALUE2,…")
        if len(set(values)) != len(values):
            raise InputError(f"--grid {key}: a value is given twice", zh=f"--grid {key}：有一个取值给出了两次")
    if not grid:
        raise InputError("a sweep needs at least one --grid KEY=VALUE1,VALUE2,…",
                         zh="参数扫描至少需要一个 --grid KEY=VALUE1,VALUE2,…")
    return grid


def _toml_text(value: Any) -> str:
    if hasattr(value, "tolist"):  # a numpy number or array: its plain Python value
        value = value.tolist()
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_text(v) for v in value) + "]"
    return repr(value)


def _split(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    return parts + [current]


def _loader(kind: str) -> Callable:
    if kind == "allocation":
        from ..allocation.scenario import load_scenario

        return load_scenario
    if kind == "projects":
        from ..cashflow import load_project_scenario

        return load_project_scenario
    from ..planning import load_plan_scenario

    return load_plan_scenario


def sweep(file: str | Path, grid: Sequence[str] | Mapping[str, Sequence[Any]], *, overrides: Sequence[str] = (),
          workers: int | None = None, scheduler: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Run the scenario ``file`` at every combination of ``grid`` (``{"pools.central.amount_wan": [30000, 32000]}``
    or ``["pools.central.amount_wan=30000,32000"]``), each with ``overrides`` applied first. The points run as Dask
    tasks: on ``scheduler``, else on a local cluster of ``workers`` processes (default one per core), or here with
    ``workers=0``."""
    file = Path(file)
    grid = parse_grid(grid)
    kind = kind_of(read_toml(file), file=file).kind.name
    count = 1
    for values in grid.values():
        count *= len(values)
    if count > MAX_POINTS:
        raise InputError(f"the grid has {count:,} combinations, more than {MAX_POINTS:,}: sweep fewer values",
                         zh=f"参数网格有 {count:,} 种组合，超过 {MAX_POINTS:,} 种：请减少扫描的取值")
    load = _loader(kind)
    base = load(file, list(overrides))
    keys = list(grid)
    combos = list(itertools.product(*grid.values()))
    scenarios = []
    for combo in combos:
        given = [f"{k}={v}" for k, v in zip(keys, combo)]
        try:
            scenarios.append(load(file, list(overrides) + given))
        except InputError as exc:
            raise InputError(f"with {', '.join(given)}: {exc.message}",
                             zh=f"取 {'，'.join(given)} 时：{exc.zh_message or exc.message}", file=exc.file,
                             key=exc.key) from None
    results, used = run_tasks(run_point, [(kind, s) for s in scenarios], workers=workers, scheduler=scheduler,
                              progress=progress)
    points = pd.DataFrame([{k: parse_value(v) for k, v in zip(keys, combo)} for combo in combos],
                          index=pd.RangeIndex(1, len(combos) + 1, name="point"))
    points["ok"] = [not note for note, _ in results]
    points["note"] = [note for note, _ in results]
    ran = [frame.assign(point=n) for n, (_, frame) in enumerate(results, start=1) if not frame.empty]
    columns = ["point", "unit", "name", "measure", "value"]
    figures = pd.concat(ran, ignore_index=True)[columns] if ran else pd.DataFrame(columns=columns)
    return SweepResult(kind=kind, keys=keys, grid=grid, points=points, figures=figures, scenario=base, workers=used)


def run_point(kind: str, scenario: Any) -> tuple[str, pd.DataFrame]:
    """One point of a sweep: what went wrong ("" when nothing did) and its figures (unit, name, measure, value)."""
    try:
        return {"allocation": _allocation, "projects": _projects, "plan": _plan}[kind](scenario)
    except FinmodelError as exc:  # a point whose rules cannot be met is a result of the sweep, not its failure
        return str(exc), pd.DataFrame(columns=["unit", "name", "measure", "value"])


def _allocation(scenario) -> tuple[str, pd.DataFrame]:
    from ..allocation import allocate

    result = allocate(scenario)
    # Exact: the integer units of 0.01 万元 add up to each pool, so the totals move by exactly what a pool moves.
    totals = result.amount_units.sum(axis=1) / 100
    names = [str(d) for d in totals.index]
    failed = "; ".join(f"{c.code}{f' ({c.pool})' if c.pool else ''}: {c.detail}" for c in result.checks
                       if not c.passed)
    return failed, pd.DataFrame(
        {"unit": names, "name": names, "measure": "amount_wan", "value": totals.to_numpy(dtype=float)})


def _projects(scenario) -> tuple[str, pd.DataFrame]:
    from ..cashflow import evaluate
    from ..modes import check_modes

    result = evaluate(scenario)
    m = result.metrics
    frames = [pd.DataFrame({"unit": m.index, "name": m["name"], "measure": measure, "value": m[column]})
              for measure, column in (("npv_after_grants_wan", "npv_after_grants_wan"),
                                      ("funding_gap_wan", "funding_gap_wan"))]
    modes = check_modes(result)
    units = modes.units
    if not units.empty:
        for measure, column in (("balanced", "balanced"), ("grant_needed_wan", "grant_needed_wan")):
            frames.append(pd.DataFrame({"unit": units.index, "name": units["name"], "measure": measure,
                                        "value": units[column].astype(float)}))
    if modes.bundling is not None and not modes.bundling.bundles.empty:  # the bundles the optimiser formed
        formed = modes.bundling.bundles
        names = m["name"].reindex(formed["bundle"]).fillna(formed["bundle"]).to_numpy()
        frames.append(pd.DataFrame({"unit": "bundle-" + formed["bundle"], "name": names, "measure": "balanced",
                                    "value": formed["balanced"].astype(float).to_numpy()}))
    return "", pd.concat(frames, ignore_index=True)


def _plan(scenario) -> tuple[str, pd.DataFrame]:
    from ..planning import plan

    result = plan(scenario)
    d = result.deadlines
    names = [label or deadline for label, deadline in zip(d["label"], d["deadline"])]
    frames = [pd.DataFrame({"unit": d["deadline"], "name": names, "measure": measure, "value": values})
              for measure, values in (("households_met", (d["households"] - d["households_missed"]).astype(float)),
                                      ("households_missed", d["households_missed"].astype(float)),
                                      ("extra_money_wan", d["extra_money_wan"].astype(float)))]
    years = result.annual.groupby("year", sort=True)[["households", "cost_wan"]].sum()
    for measure in ("households", "cost_wan"):
        frames.append(pd.DataFrame({"unit": [str(y) for y in years.index], "name": [f"{y}" for y in years.index],
                                    "measure": measure, "value": years[measure].to_numpy(dtype=float)}))
    return "", pd.concat(frames, ignore_index=True)

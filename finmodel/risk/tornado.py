"""Sensitivity of projects and bundles to the uncertain inputs of ``[risk]``, one input at a time, the others at
the scenario's own values.

Tornado: each input at the 5th and at the 95th percentile of its distribution (the span the Monte Carlo's P5–P95
reports), ranked by how far it moves the balance margin. Spider: each input over its percentiles 5 … 95. The
balance margin is the least margin of the ``[balance]`` rule's tests (万元; the unit balances where it is ≥ 0),
the figure a tornado must show for a decision on balance; NPV after grants is given beside it.

Every point is a row of one ``evaluate_draws`` call, in which a NaN keeps the scenario's value: the runs are the
Monte Carlo's own arithmetic, and the base row equals the deterministic run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cashflow.scenario import ProjectScenario
from ..errors import InputError
from .draws import inverse
from .montecarlo import _names, evaluate_draws, resolve, unit_margins, whole_inputs, with_spec
from .spec import RiskSpec

TORNADO_PERCENTILES = (5, 95)
SPIDER_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


@dataclass(frozen=True)
class SensitivityResult:
    base: pd.DataFrame
    """Per unit (project or bundle, index): kind, name, npv_wan and margin_wan at the scenario's values."""
    tornado: pd.DataFrame
    """Per unit and input, the largest swing first within a unit: the input's low and high values (P5, P95), the
    margin and the NPV at each, the swing (|margin at high − margin at low|, 万元) and the break-even value of the
    input where the cash-flow engine finds one for the project (NaN elsewhere)."""
    spider: pd.DataFrame
    """Per unit, input and percentile of the input: its value, the margin and the NPV."""


def sensitivity(scenario: ProjectScenario, units: Sequence[str] | None = None, evaluated: Any = None, *,
                risk: RiskSpec | Mapping[str, Any] | None = None) -> SensitivityResult:
    """Tornado and spider of ``scenario``'s projects and bundles (or of ``units``, ids of projects and bundles;
    default: ``[risk] sensitivity_units``, else all) over the inputs of its ``[risk]`` table, or of ``risk`` given
    here (``with_risk``). ``evaluated`` (the scenario's ``evaluate`` result) gives the break-even values; it is
    computed when not given."""
    scenario, spec = with_spec(scenario, risk)
    targets = resolve(spec, scenario, scenario.path)
    ids = scenario.projects.ids
    bundle_ids = [b.id for b in scenario.config.bundles]
    all_units = ids + bundle_ids
    chosen = list(units if units is not None else (spec.sensitivity_units or all_units))
    unknown = [u for u in chosen if u not in set(all_units)]
    if unknown:
        raise InputError(f"'{unknown[0]}' is neither a project nor a bundle of the scenario",
                         zh=f"“{unknown[0]}”既不是情景中的项目，也不是组合", file=scenario.path,
                         key="risk.sensitivity_units")
    keys = [item.key for item in spec.inputs]
    whole = whole_inputs(targets, len(keys))
    percentiles = np.array(sorted(set(TORNADO_PERCENTILES) | set(SPIDER_PERCENTILES)))
    at = np.column_stack([inverse(item, percentiles / 100.0) for item in spec.inputs])  # (percentiles, inputs)
    at = np.where(whole, np.round(at), at)
    points = len(percentiles)
    values = np.full((1 + len(keys) * points, len(keys)), np.nan)  # row 0: the scenario as it is
    for n in range(len(keys)):
        values[1 + n * points: 1 + (n + 1) * points, n] = at[:, n]
    figures = evaluate_draws(scenario, targets, values)
    npv_all, _, margin = unit_margins(scenario.config.balance, figures, figures["bundles"])
    columns = [all_units.index(u) for u in chosen]
    npv_all, margin = npv_all[:, columns], margin[:, columns]

    names = _names(scenario) | {b.id: b.name or b.id for b in scenario.config.bundles}
    kinds = ["project" if u in set(ids) else "bundle" for u in chosen]
    base = pd.DataFrame({"unit": chosen, "kind": kinds, "name": [names[u] for u in chosen],
                         "npv_wan": npv_all[0], "margin_wan": margin[0]}).set_index("unit")

    grid = (npv_all[1:].reshape(len(keys), points, -1), margin[1:].reshape(len(keys), points, -1))
    spider = pd.DataFrame({
        "unit": np.tile(np.repeat(chosen, points), len(keys)),
        "input": np.repeat(keys, points * len(chosen)),
        "percentile": np.tile(percentiles, len(keys) * len(chosen)),
        "value": np.repeat(at.T, len(chosen), axis=0).ravel(),
        "margin_wan": grid[1].transpose(0, 2, 1).ravel(),
        "npv_wan": grid[0].transpose(0, 2, 1).ravel(),
    })
    spider = spider[spider["percentile"].isin(SPIDER_PERCENTILES)].reset_index(drop=True)

    low, high = (int(np.searchsorted(percentiles, p)) for p in TORNADO_PERCENTILES)
    tornado = pd.DataFrame({
        "unit": np.tile(chosen, len(keys)), "input": np.repeat(keys, len(chosen)),
        "low_value": np.repeat(at[low], len(chosen)), "high_value": np.repeat(at[high], len(chosen)),
        "margin_low_wan": grid[1][:, low].ravel(), "margin_high_wan": grid[1][:, high].ravel(),
        "npv_low_wan": grid[0][:, low].ravel(), "npv_high_wan": grid[0][:, high].ravel(),
    })
    tornado["swing_wan"] = (tornado["margin_high_wan"] - tornado["margin_low_wan"]).abs()
    tornado["break_even"] = _break_evens(tornado, scenario, evaluated)
    order = {u: k for k, u in enumerate(chosen)}
    tornado = tornado.assign(_unit=tornado["unit"].map(order)).sort_values(
        ["_unit", "swing_wan"], ascending=[True, False], kind="stable").drop(columns="_unit")
    return SensitivityResult(base=base, tornado=tornado.reset_index(drop=True), spider=spider)


def _break_evens(tornado: pd.DataFrame, scenario: ProjectScenario, evaluated: Any) -> np.ndarray:
    """The engine's break-even value of each row's input for its project (the value at which NPV after grants is
    0), where the input is a project field the engine solves for; NaN for bundles, the discount rate and the
    rest."""
    if evaluated is None:
        from ..cashflow import evaluate

        evaluated = evaluate(scenario)
    found = evaluated.break_even
    # An occupancy above 1 is a break-even no line can reach (the engine says so in its remark): none to show.
    reachable = (found["outcome"] == "found") & ~((found["field"] == "occupancy") & (found["break_even"] > 1))
    found = found.loc[reachable, ["project", "input", "break_even"]]
    key = tornado["input"].str.split(".", n=2, expand=True).reindex(columns=range(3))
    rows = pd.DataFrame({"project": tornado["unit"].to_numpy(), "input": key[2].to_numpy(),
                         "ours": ((key[0] == "projects") & ((key[1] == "*") | (key[1] == tornado["unit"]))).to_numpy()})
    joined = rows.merge(found.drop_duplicates(["project", "input"]), on=["project", "input"], how="left")
    return np.where(joined["ours"], joined["break_even"], np.nan)

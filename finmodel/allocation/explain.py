"""Why each unit's final amount differs from its formula amount: the rules that hold it, with their limits and
shadow prices, as codes and numbers (``finmodel.labels.explanation_sentence`` puts them in words)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .diagnose import binding_family
from .lp import LPSolution
from .problem import FAMILIES, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem

LOWER_KINDS = (TOTAL_LOWER,)


@dataclass(frozen=True)
class Rule:
    """A constraint that holds a unit where it is."""

    family: str
    pool: tuple[str, str] | None
    """The pool the bound is on, by its Chinese and English names; None for a bound on the unit's total."""
    limit_wan: float
    shadow_price: float | None
    """Change of the stage's objective per 万元 of relaxation: for formula fit, of the largest relative
    deviation (a fraction); for max_households, households; for max_min_coverage, the covered share. None for the
    pro-rata rule, which is computed without a solver."""


@dataclass(frozen=True)
class Explanation:
    district: str
    formula_wan: float
    final_wan: float
    rules: list[Rule] = field(default_factory=list)
    cause: str = "rules"
    """rules: its own constraints moved it; share: moved pro rata with the free units (``rules`` then lists a
    cap or floor that stopped it short of the common change); objective: moved by the objective."""
    level: float | None = None
    """For ``share``: the unit's relative change of its total (each pool moves by its own common rate)."""

    @property
    def difference_wan(self) -> float:
        return round(self.final_wan - self.formula_wan, 2)


PRICE_SCALE = {"max_households": 1, "max_min_coverage": 100, "formula_fit": 100}
"""Households are counted; deviations and coverage are shown in points."""


def shown_price(price: float, objective: str) -> float:
    """A shadow price as reports show it: households per 万元, or points (of deviation or coverage) per 万元."""
    return abs(price) * PRICE_SCALE[objective]


def explain(problem: AllocationProblem, solution: LPSolution, final_units: np.ndarray) -> list[Explanation]:
    """One explanation per unit whose final total differs from its formula total by 0.01 万元 or more."""
    formula_total = problem.formula.sum(axis=0)
    final_total = final_units.sum(axis=0) / 100
    by_unit: dict[int, list] = {}
    for row in solution.bound_rows:
        by_unit.setdefault(row.unit, []).append(row)
    out = []
    for i, name in enumerate(problem.districts):
        diff = final_total[i] - formula_total[i]
        if abs(diff) < 0.01 - 1e-9:
            continue
        # A bound's price is the largest it took at any formula-fit stage: a cap can bind the stage that settles
        # other units' cells and carry no price at the stage that settles this unit's own.
        stage_duals = [solution.objective_duals] if problem.objective != "formula_fit" else solution.duals
        moving, stopping = [], []  # bounds that pushed it the way it moved; bounds that stopped it moving further
        for row in by_unit.get(i, []):
            if abs(solution.slack.get(row.cid, np.inf)) > 1e-6 * max(1.0, abs(row.limit)):
                continue
            pool = None if row.pool is None else problem.pool_name(row.pool)
            price = max((d.get(row.cid, 0.0) for d in stage_duals), key=abs, default=0.0)
            rule = Rule(row.family, pool, row.limit, float(price))
            pushes_up = FAMILIES[row.family] in LOWER_KINDS
            (moving if pushes_up == (diff > 0) else stopping).append(rule)
        if moving:
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2), moving))
        elif problem.objective != "formula_fit":
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2),
                                   stopping, cause="objective"))
        else:
            level = diff / formula_total[i] if formula_total[i] > 0 else None
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2),
                                   stopping, cause="share", level=level))
    return out


def explain_pro_rata(problem: AllocationProblem, filled, final_units: np.ndarray) -> list[Explanation]:
    """Explanations of the pro-rata rule (``waterfill.pro_rata``): a unit stopped in some pool by its share of a
    bound on its total names that bound (its whole limit), one stopped by a cap on a single pool names that cap."""
    formula_total = problem.formula.sum(axis=0)
    final_total = final_units.sum(axis=0) / 100
    bounds = filled.bounds
    out = []
    for i, name in enumerate(problem.districts):
        diff = final_total[i] - formula_total[i]
        if abs(diff) < 0.01 - 1e-9:
            continue
        moving, stopping = [], []
        seen = set()
        for p in np.flatnonzero(filled.at_high[:, i] | filled.at_low[:, i]):
            high = bool(filled.at_high[p, i])
            if high and bounds.cell_family[p, i]:
                rule = Rule(bounds.cell_family[p, i], problem.pool_name(p), float(bounds.high[p, i]), None)
            else:
                kind = TOTAL_UPPER if high else TOTAL_LOWER
                limit = bounds.total_high[i] if high else bounds.total_low[i]
                rule = Rule(binding_family(problem, kind, i), None, float(limit), None)
            if (rule.family, rule.pool) in seen:
                continue
            seen.add((rule.family, rule.pool))
            (moving if (not high) == (diff > 0) else stopping).append(rule)
        formula, final = round(float(formula_total[i]), 2), round(float(final_total[i]), 2)
        if moving:
            out.append(Explanation(name, formula, final, moving + stopping))
        else:
            level = diff / formula_total[i] if formula_total[i] > 0 else None
            out.append(Explanation(name, formula, final, stopping, cause="share", level=level))
    return out

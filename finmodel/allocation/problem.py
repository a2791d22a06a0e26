"""The allocation LP's data, solver-free: formula amounts, bounds by family, categories.

Every rule of the scenario becomes a ``Bound`` on a unit's total (all pools), on one
pool's amount to one unit (a cell), or on a category's need. Bounds are moved inward
to the 0.01 万元 grain (caps down, floors up) so that rounding the solution to the
approval table's grain can respect them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


from ..policy import grades, tiered_difficulty
from .scenario import Scenario, subsidy_need

TOTAL_UPPER, TOTAL_LOWER, CELL_UPPER = "total_upper", "total_lower", "cell_upper"

FAMILIES: dict[str, str] = {
    "need": TOTAL_UPPER,
    "need_category": "category_upper",
    "cofinancing": TOTAL_UPPER,
    "hold_harmless_floor": TOTAL_LOWER,
    "hold_harmless_cap": TOTAL_UPPER,
    "corridor_low": TOTAL_LOWER,
    "corridor_high": TOTAL_UPPER,
    "minimum": TOTAL_LOWER,
    "max_pool_share": CELL_UPPER,
    "performance_cap": CELL_UPPER,
    "no_plan": CELL_UPPER,
}
"""Bound family code → the kind of bound it is (its name is in ``finmodel.labels.FAMILY``)."""


def grid_down(values: np.ndarray) -> np.ndarray:
    """Caps to the 0.01 万元 grain, never up (the tiny allowance absorbs float noise like 29.999999999)."""
    return np.floor(np.asarray(values, dtype=float) * 100 + 1e-7) / 100


def grid_up(values: np.ndarray) -> np.ndarray:
    return np.ceil(np.asarray(values, dtype=float) * 100 - 1e-7) / 100


@dataclass(frozen=True)
class Bound:
    family: str
    values: np.ndarray
    """(units,) for totals and (pools, units) for cells, 万元; NaN where the unit is not bound."""
    basis: np.ndarray | None = None
    """What the bound was computed from, per unit (e.g. last year's amount), for explanations."""

    @property
    def kind(self) -> str:
        return FAMILIES[self.family]


@dataclass(frozen=True)
class AllocationProblem:
    districts: list[str]
    pools: list[str]
    pool_wan: np.ndarray
    """(pools,) amounts, 万元."""
    formula: np.ndarray
    """(pools, units) formula amounts, 万元."""
    bounds: list[Bound] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    need_by_category: np.ndarray | None = None
    """(units, categories), 万元."""
    eligible: np.ndarray | None = None
    """(pools, categories) bool: which pool may pay for which category."""
    objective: str = "formula_fit"
    households: np.ndarray | None = None
    need_per_household: np.ndarray | None = None
    need_total: np.ndarray | None = None
    """(units,) need over all categories, for coverage; NaN where none is given."""
    pool_order: tuple[int, ...] | None = None
    """The order in which pools are placed when they compete for the same room (default: as listed)."""
    pool_names: tuple[tuple[str, str], ...] | None = None
    """Each pool's Chinese and English name, for what the findings and explanations say (default: the ids)."""
    split: str = "pro_rata"
    """How a unit held by a bound on its total shares it among the pools (``AllocationSpec.split``)."""
    fit_method: str = "auto"
    """How the formula fit is computed (``AllocationSpec.fit_method``): auto (progressive filling where it applies,
    else the LP) or lp."""

    def pool_name(self, p: int) -> tuple[str, str]:
        return self.pool_names[p] if self.pool_names is not None else (self.pools[p], self.pools[p])

    def placing_order(self) -> list[int]:
        return list(self.pool_order) if self.pool_order is not None else list(range(len(self.pools)))

    @property
    def shape(self) -> tuple[int, int]:
        return self.formula.shape

    def total_bounds(self, kind: str) -> list[Bound]:
        return [b for b in self.bounds if b.kind == kind]

    def total_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Per unit: the highest floor and the lowest cap on its total (−inf/inf where none)."""
        n = self.shape[1]
        low, high = np.zeros(n), np.full(n, np.inf)
        for bound in self.total_bounds(TOTAL_LOWER):
            low = np.fmax(low, np.nan_to_num(bound.values, nan=-np.inf))
        for bound in self.total_bounds(TOTAL_UPPER):
            high = np.fmin(high, np.nan_to_num(bound.values, nan=np.inf))
        if self.need_by_category is not None:
            high = np.fmin(high, self.need_by_category.sum(axis=1))
        return low, high

    def cell_caps(self) -> np.ndarray:
        """(pools, units): the lowest cap on each cell (inf where none)."""
        caps = np.full(self.shape, np.inf)
        for bound in self.total_bounds(CELL_UPPER):
            caps = np.fmin(caps, np.nan_to_num(bound.values, nan=np.inf))
        if self.need_by_category is not None:
            reachable = self.need_by_category @ self.eligible.T.astype(float)  # (units, pools)
            caps = np.fmin(caps, reachable.T)
        return caps


def build_problem(scenario: Scenario, formula: np.ndarray) -> AllocationProblem:
    """The LP data of a scenario, given its (pools, units) formula amounts."""
    spec = scenario.config.allocation
    table = scenario.districts
    districts = list(table.index)
    pools = [p.id for p in scenario.pools]
    pool_wan = np.array([p.amount_wan for p in scenario.pools])
    col = lambda name: table[name].to_numpy(dtype=float)  # noqa: E731
    bounds: list[Bound] = []
    categories: list[str] = []
    need_by_category = eligible = None
    need_total = None

    if spec.need:
        if spec.need.total:
            need_total = subsidy_need(scenario)
            bounds.append(Bound("need", grid_down(need_total), need_total))
        else:
            categories = list(spec.need.by_category)
            need_by_category = grid_down(np.column_stack([col(spec.need.by_category[c]) for c in categories]))
            need_total = need_by_category.sum(axis=1)
            eligible = np.array(
                [[p.eligible is None or c in p.eligible for c in categories] for p in scenario.pools], dtype=bool
            )
    if spec.cofinancing:
        c = spec.cofinancing
        if c.rate:
            rate = col(c.rate)
        else:
            rate = tiered_difficulty(scenario.self_sufficiency().to_numpy(), c.rates)
        capacity = col(c.capacity) if c.capacity else c.capacity_share * col(c.expenditure)
        with np.errstate(divide="ignore"):
            cap = np.where(rate > 0, capacity / np.where(rate > 0, rate, 1), np.nan)
        bounds.append(Bound("cofinancing", grid_down(cap), np.column_stack([capacity, rate])))
    if spec.hold_harmless:
        h = spec.hold_harmless
        last = col(h.last_year)
        bound_here = last > 0
        if h.floor is not None:
            bounds.append(Bound("hold_harmless_floor", grid_up(np.where(bound_here, h.floor * last, np.nan)), last))
        if h.cap is not None:
            bounds.append(Bound("hold_harmless_cap", grid_down(np.where(bound_here, h.cap * last, np.nan)), last))
    total_formula = formula.sum(axis=0)
    if spec.corridor:
        if spec.corridor.low is not None:
            bounds.append(Bound("corridor_low", grid_up(spec.corridor.low * total_formula), total_formula))
        if spec.corridor.high is not None:
            bounds.append(Bound("corridor_high", grid_down(spec.corridor.high * total_formula), total_formula))
    if spec.minimum:
        has_plan = col(spec.minimum.plan) > 0
        bounds.append(Bound("minimum", grid_up(np.where(has_plan, spec.minimum.amount_wan, np.nan))))
    if spec.max_pool_share is not None:
        share_cap = np.repeat((spec.max_pool_share * pool_wan)[:, None], len(districts), axis=1)
        bounds.append(Bound("max_pool_share", grid_down(share_cap)))
    planned = scenario.gate()
    if planned is not None and not planned.all():
        # A unit without renovation planned gets nothing from the formula (三(五)); no stage may give it money either.
        bounds.append(Bound("no_plan", np.repeat(np.where(planned, np.nan, 0.0)[None, :], len(pools), axis=0)))
    if spec.performance and spec.performance.poor_at_most_formula:
        poor = grades(col(spec.performance.score), spec.performance.cutoffs) == "差"
        if poor.any():
            cap = np.where(poor[None, :], formula, np.nan)
            bounds.append(Bound("performance_cap", grid_down(cap), col(spec.performance.score)))

    households = need_per_household = None
    if spec.households:
        households = col(spec.households.households)
        need_per_household = col(spec.households.need_per_household)
    return AllocationProblem(
        districts=districts,
        pools=pools,
        pool_wan=pool_wan,
        formula=formula,
        bounds=bounds,
        categories=categories,
        need_by_category=need_by_category,
        eligible=eligible,
        objective=spec.objective,
        households=households,
        need_per_household=need_per_household,
        need_total=need_total,
        pool_order=pool_order(scenario),
        pool_names=tuple((p.label, p.label_en or p.id) for p in scenario.pools),
        split=spec.split,
        fit_method=spec.fit_method,
    )


def pool_order(scenario: Scenario) -> tuple[int, ...]:
    """Pools by ``priority`` (lower first), the order of [[pools]] breaking ties and placing pools without one last
    in their listed order."""
    pools = scenario.pools
    return tuple(sorted(range(len(pools)), key=lambda k: (pools[k].priority is None, pools[k].priority or 0, k)))

"""The pro-rata allocation (``[allocation] split = "pro_rata"``): each pool split by water-filling, in closed form.

The rule, as the 复核计算 sheet prints it:

1. A bound on a unit's total (a need cap, co-financing capacity, a hold-harmless floor …) is shared among the pools
   in proportion to the unit's formula amounts in them: in pool p the unit's cap is U × f_p ÷ F, its floor
   L × f_p ÷ F (F its formula total). A cap on one pool's amount (a share cap, a poor grade's formula cap, no plan)
   caps that cell as it is.
2. Each pool is then split on its own: every unit gets its formula amount × one common scale λ_p, stopped at its
   cap or floor in that pool; λ_p is the scale at which the pool is spent exactly (water-filling).

So a unit held by its cap in every pool gets the cap, cut in every pool by one ratio U ÷ F, and every amount
follows from the formula amounts, the bounds and one number per pool. Within a pool this is the lexicographic
minimax of relative deviations the LP computes (cells within their bounds, all others at one common ratio), so the
LP on the same per-pool bounds gives the same table (``tests/test_waterfill.py``); it is computed here exactly and
in one sort, with no solver.

When the shares of the bounds cannot work pool by pool (a pool's floors above the pool, a floor on a unit with no
formula amount, a floor above a cell's own cap) or categories, another objective or money the pools cannot place
are involved, the allocation goes to the LP, which couples the pools through the units' totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lp import LPSolution
from .problem import CELL_UPPER, AllocationProblem
from .rule import why_not


@dataclass(frozen=True)
class PoolBounds:
    """(pools, units) per-pool bounds of the pro-rata rule, 万元, and which bound family sets each cap."""

    low: np.ndarray
    high: np.ndarray
    total_low: np.ndarray
    """(units,) the unit's floor on its total (0 where none)."""
    total_high: np.ndarray
    """(units,) the unit's cap on its total (inf where none)."""
    cell_family: np.ndarray
    """(pools, units) the family of a cap on that pool alone where it is the cell's cap (at most its share of the
    total's), "" where the share of the total's cap is the lower."""


def pool_bounds(problem: AllocationProblem) -> PoolBounds | None:
    """The per-pool bounds of rule 1, or None when the rule cannot apply (the LP decides)."""
    f = np.asarray(problem.formula, dtype=float)
    total_low, total_high = problem.total_range()
    totals = f.sum(axis=0)
    share = np.divide(f, totals[None, :], out=np.zeros_like(f), where=totals[None, :] > 0)
    if np.any((totals <= 0) & (total_low > 0)):
        return None  # a floor with no formula amount to share it by
    finite = np.isfinite(total_high)
    shared_high = np.where(finite[None, :], share * np.where(finite, total_high, 0.0)[None, :], np.inf)
    caps = np.full(f.shape, np.inf)
    cell_family = np.full(f.shape, "", dtype=object)
    for bound in problem.total_bounds(CELL_UPPER):
        values = np.nan_to_num(bound.values, nan=np.inf)
        cell_family = np.where(values < caps, bound.family, cell_family)
        caps = np.fmin(caps, values)
    cell_family = np.where(caps <= shared_high * (1 + 1e-12), cell_family, "")
    high = np.fmin(shared_high, caps)
    low = share * total_low[None, :]
    if np.any(low > high):
        return None
    return PoolBounds(low, high, total_low, total_high, cell_family)


def water_fill(formula: np.ndarray, low: np.ndarray, high: np.ndarray, amount: float) -> tuple[np.ndarray, float, float]:
    """One pool: x = clip(λ·f, low, high) with Σx = amount. Returns (x, λ, unallocated).

    g(λ) = Σ clip(λ·f, low, high) is piecewise linear and non-decreasing, with breakpoints where a unit leaves its
    floor (λ = low/f) and reaches its cap (λ = high/f); one sort of the breakpoints and cumulative sums give g at
    each, and λ follows on the segment where g crosses the amount. Units with no formula amount sit on their floor.
    Raises ValueError when the floors alone exceed the amount; money above every cap is returned unallocated.
    """
    f = np.asarray(formula, dtype=float)
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    if low.sum() > amount * (1 + 1e-12) + 1e-9:
        raise ValueError("the floors exceed the pool")
    moving = f > 0
    # A unit with no formula amount stays on its floor, whatever the scale.
    top = np.where(moving, high, low)
    ceiling = top.sum()
    if ceiling <= amount:  # every unit at its cap (an inf cap never is): what is left stays unallocated
        return top.copy(), np.inf, float(amount - ceiling)
    # Events: at λ = low/f a unit starts to move (its floor no longer counts, its f does), at λ = high/f it stops.
    start = np.where(moving, low / np.where(moving, f, 1.0), np.inf)
    stop = np.where(moving, high / np.where(moving, f, 1.0), np.inf)
    at = np.concatenate([start[moving], stop[moving]])
    slope_change = np.concatenate([f[moving], -f[moving]])
    level_change = np.concatenate([-low[moving], np.where(np.isfinite(high[moving]), high[moving], 0.0)])
    order = np.argsort(at, kind="stable")
    at, slope_change, level_change = at[order], slope_change[order], level_change[order]
    finite = np.isfinite(at)
    # g(λ) = base + slope·λ between events; base starts as every floor (units with f = 0 stay there).
    base = low.sum() + np.concatenate([[0.0], np.cumsum(level_change[finite])])
    slope = np.concatenate([[0.0], np.cumsum(slope_change[finite])])
    points = np.concatenate([[0.0], at[finite]])
    values = base + slope * points
    # The last event at or below the amount begins the segment that reaches it.
    k = max(int(np.searchsorted(values, amount, side="right")) - 1, 0)
    at = points[k]
    # On that segment, sum afresh which units sit on their floor, on their cap or move: cumulative sums of ±f lose
    # the small units' digits when formula amounts span many orders of magnitude.
    free = moving & (start <= at) & (stop > at)
    fixed = np.where(moving & (stop <= at), high, np.where(free, 0.0, low))
    slope_here = f[free].sum()
    lam = at if slope_here <= 0 else max((amount - fixed.sum()) / slope_here, at)
    x = np.where(moving, np.clip(lam * f, low, high), low)
    return x, float(lam), 0.0


@dataclass(frozen=True)
class WaterFill:
    amounts: np.ndarray
    """(pools, units) 万元, unrounded."""
    unallocated: np.ndarray
    scales: np.ndarray
    """(pools,) λ_p."""
    bounds: PoolBounds
    at_high: np.ndarray
    """(pools, units) cells stopped at their cap in the pool."""
    at_low: np.ndarray

    def solution(self) -> LPSolution:
        """The amounts as the rest of the allocation takes a solution: exact, with no stage of a fit."""
        return LPSolution(amounts=self.amounts, unallocated=self.unallocated, by_category=None,
                          fixed_stage=np.full(self.amounts.shape, -1), stage_levels=[], duals=[], exact=True)


def pro_rata(problem: AllocationProblem) -> tuple[WaterFill | None, str | None]:
    """The pro-rata allocation of every pool, or None and why the rule cannot apply (the LP then decides): the
    reasons are ``rule.why_not``'s, ``pools`` (a bound cannot be shared pool by pool: floors above a pool or above a
    cell's own cap, a floor on a unit with no formula amount) and ``room`` (a pool is above its units' shares of
    their caps, though the units may take it with another split)."""
    reason = why_not(problem)
    if reason is not None:
        return None, reason
    bounds = pool_bounds(problem)
    if bounds is None:
        return None, "pools"
    f = np.asarray(problem.formula, dtype=float)
    n_pools = f.shape[0]
    x = np.zeros(f.shape)
    left = np.zeros(n_pools)
    scales = np.ones(n_pools)
    for p in range(n_pools):
        if problem.pool_wan[p] == 0:
            continue
        try:
            x[p], scales[p], left[p] = water_fill(f[p], bounds.low[p], bounds.high[p], float(problem.pool_wan[p]))
        except ValueError:
            return None, "pools"
    if left.sum() > 0:
        return None, "room"  # the pools compete for the units' room: the LP couples them, in their declared order
    tol = 1e-9 * np.maximum(1.0, np.abs(x))
    # Only a cell with a formula amount can be stopped: one without sits on its floor whatever the scale.
    moves = (f > 0) & (problem.pool_wan > 0)[:, None]
    at_high = moves & np.isfinite(bounds.high) & (x >= bounds.high - tol)
    at_low = moves & (bounds.low > 0) & (x <= bounds.low + tol) & ~at_high
    return WaterFill(x, left, scales, bounds, at_high, at_low), None

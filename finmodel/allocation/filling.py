"""The formula fit without a solver: exact progressive filling when every rule bounds a unit's total or one cell.

The formula fit (``lp.py``) is the lexicographic minimax of the cells' relative deviations d = (x − f) ÷ s, with
s = max(f, 0.01 万元). When the rules are caps and floors on units' totals (need, co-financing, hold-harmless,
corridor, minimum) and caps on cells (a pool's share, a poor grade's formula, no plan), and the pools are spent
exactly, the question "can every free cell stay within a deviation t?" is a flow problem: pool p sends R_p to the
units, cell (p, i) carries between a_pi(t) = clip(f − s·t, 0, cap) and b_pi(t) = min(cap, f + s·t), and unit i
takes between L_i and U_i in all. Hoffman's circulation theorem says it is feasible exactly when, for every set S
of pools,

    Σ_{p∈S} R_p  ≤  Σ_i min( Σ_{p∈S} b_pi ,  U_i − Σ_{p∉S} a_pi )     (S can place its money), and
    Σ_{p∈S} R_p  ≥  Σ_i max( Σ_{p∈S} a_pi ,  L_i − Σ_{p∉S} b_pi )     (S has enough for what it must give);

with S empty these are each unit's own bounds. Each side is a monotone piecewise-linear function of t, so the least
t of a stage is found exactly: a bisection over the cells' breakpoints, then, between two of them, each unit's term
is the lesser of two lines and the crossing follows from the lines' switch points in one sort. A cell is fixed by
the stage (its deviation is t in every optimal solution) exactly when tightening it alone breaks a condition that
holds with equality: a cell of S at its upper end in a unit whose first term is the lesser, or a cell outside S at
its lower end in a unit held by its cap (mirrored for the second family). The stages repeat on the cells left free.

A unit whose own cap or floor forces its cells further than the rest must move is settled in the same pass as the
others (the LP's ``_settle_forced``): the stage's level is computed with each unit's cells at no less than its forced
level, and every unit forced above that level sits there, all its cells on one level. So a stage costs a few sorts
of the cells and there are about as many stages as distinct levels among the units that no bound of their own
holds, whatever the number of units.

The first stage, as in the LP, is the money no unit can take: pool by pool in the placing order, the most pool p
can place with the pools before it placed and the later ones free is min over S ∋ p of the first condition at
t = ∞ less what the other pools of S already place.

The conditions number 2·(2^pools − 1), so the method is used up to ``MAX_POOLS`` pools; need by category and the
other objectives go to the LP, as does any instance this method cannot settle (rules that cannot all be met,
which the LP diagnoses, a stage that fixes no cell, or amounts that miss a bound or a pool, which would be a
numerical failure here: every result is checked before it is returned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lp import GRAIN, LPSolution, listed_bound_rows
from .problem import FAMILIES, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem

MAX_POOLS = 6
"""Up to this many pools the conditions (2·(2^pools − 1) per stage) are cheaper than the LP."""
TOL = 1e-12
"""Relative to a condition's scale (the money it adds up): how far a computed margin may miss 0 and still count
as met, and how close to 0 it must be to count as holding with equality."""
BIG = 1e200
"""万元: stands for no cap where caps are added up, far above any money and far below overflow."""
ZERO_LEVEL = 1e-12
"""A stage level at or below this is no deviation: the free cells stay on their formula amounts."""


@dataclass(frozen=True)
class Declined:
    """Why the method does not settle an instance; the LP does."""

    reason: str


def declines(categories: bool, objective: str, n_pools: int) -> str | None:
    """Why the method cannot take an allocation with need by category (``categories``), ``objective`` and
    ``n_pools`` pools (None when it may): what a scenario says before any problem is built."""
    if categories:
        return "categories"
    if objective != "formula_fit":
        return "objective"
    if n_pools > MAX_POOLS:
        return "pools"
    return None


def applies(problem: AllocationProblem) -> str | None:
    """Why the method cannot take a problem on its face (None when it may)."""
    return declines(bool(problem.categories), problem.objective, problem.shape[0])


def fill(problem: AllocationProblem) -> LPSolution | Declined:
    """The formula fit of ``problem`` by progressive filling, or why the LP must decide."""
    reason = applies(problem)
    if reason is not None:
        return Declined(reason)
    return _Filling(problem).run()


class _Filling:
    def __init__(self, problem: AllocationProblem) -> None:
        self.problem = problem
        f = np.asarray(problem.formula, dtype=float)
        self.f = f
        self.s = np.maximum(f, GRAIN)
        self.caps = problem.cell_caps()
        self.low, self.high = problem.total_range()
        n_pools, n_units = f.shape
        self.unit_scale = self.s.sum(axis=0)
        self.pool_scale = self.s.sum(axis=1)
        # A condition's terms carry the rounding of every pool's cells (a unit's cap less the other pools' cells),
        # and the cells fixed at a stage carry its level's: a margin within TOL of all the money counts as 0. A
        # tolerance on a condition's own money alone (tried) turns that rounding into false verdicts of "cannot be
        # met"; what this one could let through is caught at the end (``_within_bounds``).
        self.tolerance = TOL * self.pool_scale.sum()
        masks = np.array([[(m >> p) & 1 for p in range(n_pools)] for m in range(1, 2 ** n_pools)], dtype=float)
        self.masks = masks  # (sets, pools): every non-empty set of pools
        self.others = 1.0 - masks
        empty = problem.pool_wan == 0
        self.fixed = np.broadcast_to(empty[:, None], f.shape).copy()
        self.value = np.zeros(f.shape)
        self.stage_of = np.full(f.shape, -1)
        self.on_level = np.zeros(f.shape, dtype=bool)
        """Cells fixed at a stage's common level (or on the formula), not by a bound of their own."""
        self.levels: list[float] = []
        self.duals: list[dict[str, float]] = []
        self.rows = listed_bound_rows(problem, self.s, self.unit_scale)
        self.row_unit = np.array([r.unit for r in self.rows], dtype=int)
        self.row_pool = np.array([-1 if r.pool is None else r.pool for r in self.rows], dtype=int)
        self.row_limit = np.array([r.limit for r in self.rows], dtype=float)
        self.row_kind = np.array([FAMILIES[r.family] for r in self.rows], dtype=object)

    # -- the cells' ranges at a level ------------------------------------------------------------------
    def _levels(self, t: float, floor: np.ndarray | None):
        """Each unit's level at t (no less than its ``floor``), and the cells' formula amounts that far down and up."""
        level = np.full(self.f.shape[1], t) if floor is None else np.maximum(t, floor)
        return level, self.f - self.s * level[None, :], self.f + self.s * level[None, :]

    def _ends(self, t: float, floor: np.ndarray | None = None):
        """(pools, units) lower and upper ends of every cell at deviation t (each unit's cells at no less than
        its ``floor`` level); a fixed cell's ends are its amount."""
        c = self.caps
        _, down, up = self._levels(t, floor)
        a = np.clip(down, 0.0, c)
        b = np.minimum(c, up)
        free = ~self.fixed
        a = np.where(free, a, self.value)
        b = np.where(free, b, self.value)
        return a, b

    def _slopes(self, t: float, floor: np.ndarray | None):
        """The ends' slopes on an open interval of t that holds no breakpoint, evaluated at its point t."""
        s, c = self.s, self.caps
        moving = np.ones(s.shape[1], dtype=bool) if floor is None else floor < t
        _, down, up = self._levels(t, floor)
        live = ~self.fixed & moving[None, :]
        da = np.where(live & (down > 0) & (down < c), -s, 0.0)
        db = np.where(live & (up < c), s, 0.0)
        return da, db

    def _terms(self, a: np.ndarray, b: np.ndarray, limits: bool = True):
        """Per condition (2·sets) and unit, the two terms whose lesser the condition adds up (margin = Σ_i min(X, Y)
        + offset ≥ 0; the second family is negated to read the same way). Without ``limits``, of slopes: the units'
        caps and floors, constant in t, are left out."""
        sa, sb = self.masks @ a, self.masks @ b
        # The other pools' sums by their own product, not Σ − Σ_S: with BIG standing for no cap the difference
        # would lose every finite cap beside it.
        na, nb = self.others @ a, self.others @ b
        x = np.vstack([sb, -sa])
        if not limits:
            return x, np.vstack([-na, nb])
        with np.errstate(invalid="ignore"):
            y = np.vstack([self.high[None, :] - na, nb - self.low[None, :]])
        return x, y

    def _offsets(self) -> np.ndarray:
        supply = self.masks @ self.supply
        return np.concatenate([-supply, supply])

    def _evaluate(self, a: np.ndarray, b: np.ndarray):
        """The conditions' terms and margins."""
        x, y = self._terms(a, b)
        return x, y, np.minimum(x, y).sum(axis=1) + self._offsets()

    def _holds(self, t: float, floor: np.ndarray | None) -> bool:
        return bool(np.all(self._evaluate(*self._ends(t, floor))[2] >= -self.tolerance))

    # -- the money no unit can take ---------------------------------------------------------------------
    def _placeable(self) -> np.ndarray | None:
        """(pools,) what each pool places, the rest being 未分配; None when the floors cannot be met."""
        pr = self.problem
        n_pools = self.f.shape[0]
        pool_wan = np.asarray(pr.pool_wan, dtype=float)
        # At t = ∞ every free cell ranges over [0, its cap]; a cell without one, over [0, BIG] (no 0·∞ in sums).
        a = np.where(self.fixed, self.value, 0.0)
        b = np.where(self.fixed, self.value, np.minimum(self.caps, BIG))
        sb = self.masks @ b
        na = self.others @ a
        room = np.minimum(sb, self.high[None, :] - na).sum(axis=1)  # (sets,)
        placed = np.zeros(n_pools)
        done = np.zeros(n_pools, dtype=bool)
        for p in pr.placing_order():
            if pool_wan[p] == 0:
                done[p] = True
                continue
            has = self.masks[:, p] > 0
            others = self.masks[has] @ np.where(done, placed, 0.0)
            most = np.min(room[has] - others)
            placed[p] = min(pool_wan[p], max(most, 0.0))
            done[p] = True
        self.supply = placed
        # The floors with every pool placed as above.
        margins = self._evaluate(a, b)[2]
        if np.any(margins[len(self.masks):] < -self.tolerance) or np.any(b.sum(axis=0) < self.low - TOL * self.unit_scale):
            return None
        return placed

    # -- each unit's own level -----------------------------------------------------------------------------
    def _unit_levels(self):
        """Per unit: the least level its own cap or floor lets its free cells keep (0 where nothing forces them),
        −1 where its cap forces them down and +1 where its floor forces them up; None when it cannot be met."""
        f, s, c = self.f, self.s, self.caps
        n_units = f.shape[1]
        free = ~self.fixed
        a0, b0 = self._ends(0.0)
        tol = TOL * self.unit_scale
        over = a0.sum(axis=0) > self.high + tol
        under = b0.sum(axis=0) < self.low - tol
        phi = np.zeros(n_units)
        side = np.zeros(n_units)
        if over.any():
            units = np.flatnonzero(over)
            with np.errstate(divide="ignore", invalid="ignore"):
                marks = np.concatenate([np.where(free & (c < f), (f - c) / s, 0.0), np.where(free, f / s, 0.0)])
            level = self._cross_unit(units, marks[:, units], self.high[units], down=True)
            if level is None:
                return None
            phi[units], side[units] = level, -1.0
        if under.any():
            units = np.flatnonzero(under)
            with np.errstate(divide="ignore", invalid="ignore"):
                marks = np.where(free & np.isfinite(c) & (c > f), (c - f) / s, 0.0)
            level = self._cross_unit(units, marks[:, units], self.low[units], down=False)
            if level is None:
                return None
            phi[units], side[units] = level, 1.0
        return phi, side

    def _cross_unit(self, units: np.ndarray, marks: np.ndarray, limit: np.ndarray, down: bool):
        """For each of ``units``: the least t at which the sum of its cells' lower ends (``down``) is at most
        ``limit``, or the sum of their upper ends at least ``limit``. ``marks`` (breakpoints, units) are where a
        cell's end changes slope."""
        f, s, c = self.f[:, units], self.s[:, units], self.caps[:, units]
        fixed, value = self.fixed[:, units], self.value[:, units]
        points = np.sort(np.vstack([np.zeros((1, units.size)), marks]), axis=0)  # (k, units)

        def total(t):  # (k, units) → sums of the cells' ends at each t
            level = t[:, None, :]
            end = np.clip(f - s * level, 0.0, c) if down else np.minimum(c, f + s * level)
            return np.where(fixed, value, end).sum(axis=1)

        sums = total(points)
        ok = sums <= limit + TOL * self.unit_scale[units] if down else sums >= limit - TOL * self.unit_scale[units]
        first = np.argmax(ok, axis=0)
        never = ~ok.any(axis=0)
        cols = np.arange(units.size)
        start = points[np.maximum(first - 1, 0), cols]
        start = np.where(never, points[-1], start)
        # The slope just above ``start``: the cells whose end moves there.
        level = start + np.where(never, 1.0, (points[first, cols] - start) / 2)
        moving = ~fixed & ((f - s * level > 0) & (f - s * level < c) if down else (f + s * level < c))
        slope = np.where(moving, s, 0.0).sum(axis=0)
        base = total(start[None, :])[0]
        gap = (base - limit) if down else (limit - base)
        with np.errstate(divide="ignore", invalid="ignore"):
            level = np.where((first == 0) & ~never, 0.0, start + gap / slope)
        if np.any(never & ~(slope > 0)) or np.any(never & down):
            return None
        return level

    # -- a stage's level -------------------------------------------------------------------------------
    def _least_level(self, floor: np.ndarray, ceiling: float):
        """The least t ≤ ``ceiling`` at which every condition holds, each unit's cells at no less than ``floor``;
        None when none does."""
        if self._holds(0.0, floor):
            return 0.0
        f, s, c = self.f, self.s, self.caps
        free = ~self.fixed
        with np.errstate(divide="ignore", invalid="ignore"):
            marks = np.concatenate([
                np.where(free & (c < f), (f - c) / s, np.nan).ravel(),
                np.where(free, f / s, np.nan).ravel(),
                np.where(free & (c > f), (c - f) / s, np.nan).ravel(),
                np.where(floor > 0, floor, np.nan),
            ])
        marks = np.unique(marks[np.isfinite(marks) & (marks > 0) & (marks < ceiling)])
        lo_k, hi_k = -1, marks.size  # margins fail at marks[lo_k] (or 0), hold at marks[hi_k] (or the ceiling)
        while hi_k - lo_k > 1:
            mid = (lo_k + hi_k) // 2
            if self._holds(float(marks[mid]), floor):
                hi_k = mid
            else:
                lo_k = mid
        lo = 0.0 if lo_k < 0 else float(marks[lo_k])
        hi = ceiling if hi_k == marks.size else float(marks[hi_k])
        return self._cross(lo, hi, floor)

    def _cross(self, lo: float, hi: float, floor: np.ndarray):
        """Between two neighbouring breakpoints every cell's ends are linear, each unit's term is the lesser of two
        lines and each margin is concave: the least t where the failing margins reach 0, exactly."""
        a, b = self._ends(lo, floor)
        inside = lo + (hi - lo) / 2 if np.isfinite(hi) else lo + 1.0
        da, db = self._slopes(inside, floor)
        x, y, margins = self._evaluate(a, b)
        dx, dy = self._terms(da, db, limits=False)
        dy = np.where(np.isfinite(y), dy, 0.0)
        offsets = self._offsets()
        best = lo
        for k in np.flatnonzero(margins < -self.tolerance):
            reach = _concave_root(x[k], dx[k], y[k], dy[k], offsets[k], hi - lo, self.tolerance)
            if reach is None:
                return None
            best = max(best, lo + reach)
        best = min(best, hi)
        # The level must meet every condition: a root the lines put past the interval, or one rounding moved, is
        # a reading not to be trusted.
        return best if self._holds(best, floor) else None

    # -- fixing cells -------------------------------------------------------------------------------------
    def _pin(self, cells: np.ndarray, values: np.ndarray, stage: int) -> None:
        self.fixed |= cells
        self.value = np.where(cells, values, self.value)
        self.stage_of = np.where(cells, stage, self.stage_of)

    def _limit_rows(self, units: np.ndarray, kind: str, limits: np.ndarray) -> np.ndarray:
        """Indices of the total rows of ``kind`` on ``units`` whose limit is the one that binds."""
        if not units.any():
            return np.zeros(0, dtype=int)
        on = (self.row_pool < 0) & (self.row_kind == kind) & units[self.row_unit]
        target = limits[self.row_unit]
        return np.flatnonzero(on & (np.abs(self.row_limit - target) <= 1e-9 * np.maximum(1.0, np.abs(target))))

    def _cap_rows(self, cells: np.ndarray) -> np.ndarray:
        """Indices of the cell rows on ``cells`` whose limit is the cell's cap."""
        if not cells.any():
            return np.zeros(0, dtype=int)
        on = (self.row_pool >= 0)
        rows = np.flatnonzero(on)
        pool, unit = self.row_pool[rows], self.row_unit[rows]
        limit = self.caps[pool, unit]
        keep = cells[pool, unit] & (np.abs(self.row_limit[rows] - limit) <= 1e-9 * np.maximum(1.0, limit))
        return rows[keep]

    def _price(self, prices: np.ndarray, rows: np.ndarray, price: float | np.ndarray) -> None:
        prices[rows] = np.maximum(prices[rows], price)

    def _stage_prices(self, prices: np.ndarray) -> dict[str, float]:
        return {self.rows[k].cid: float(prices[k]) for k in np.flatnonzero(prices > 0)}

    def _settle(self, phi: np.ndarray, side: np.ndarray, level: float, stage: int, prices: np.ndarray) -> None:
        """Fix every unit forced above ``level`` at its own level, and every cell forced above it by its own cap on
        that cap."""
        f, s, c = self.f, self.s, self.caps
        above = phi > level * (1 + TOL) + ZERO_LEVEL
        if above.any():
            lvl = phi[None, :]
            at = np.where(side[None, :] < 0, np.clip(f - s * lvl, 0.0, c), np.minimum(c, f + s * lvl))
            cells = ~self.fixed & above[None, :]
            moving = cells & (np.where(side[None, :] < 0, (f - s * lvl > 0) & (f - s * lvl < c), f + s * lvl < c))
            weight = np.where(moving, s, 0.0).sum(axis=0)
            for sign, kind, limits in ((-1.0, TOTAL_UPPER, self.high), (1.0, TOTAL_LOWER, self.low)):
                rows = self._limit_rows(above & (side == sign) & (weight > 0), kind, limits)
                self._price(prices, rows, 1.0 / weight[self.row_unit[rows]])
            self._pin(cells, at, stage)
        with np.errstate(divide="ignore", invalid="ignore"):
            forced = ~self.fixed & (c < f) & ((f - c) / s > level * (1 + TOL) + ZERO_LEVEL)
        if forced.any():
            rows = self._cap_rows(forced)
            self._price(prices, rows, 1.0 / self.s[self.row_pool[rows], self.row_unit[rows]])
            self._pin(forced, np.broadcast_to(c, f.shape), stage)

    def _blocked(self, level: float, phi: np.ndarray, side: np.ndarray,
                 prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The free cells at ``level`` in every solution that keeps the others within it, and their amounts."""
        f, s, c = self.f, self.s, self.caps
        n_sets = len(self.masks)
        free = ~self.fixed
        a, b = self._ends(level)
        x, y, margins = self._evaluate(a, b)
        # Slopes just below the level: what tightening a cell there takes from each term.
        below = level * (1 - 1e-9)
        da, db = self._slopes(below, None)
        dx, dy = self._terms(da, db, limits=False)
        dy = np.where(np.isfinite(y), dy, 0.0)
        tight = np.flatnonzero(margins <= self.tolerance)
        up_end = free & (f + s * level <= c * (1 + TOL) + TOL)  # the upper end is at the level
        down = f - s * level
        down_end = free & (down >= -TOL * s) & (down <= c * (1 + TOL) + TOL)
        blocked_up = np.zeros(f.shape, dtype=bool)
        blocked_down = np.zeros(f.shape, dtype=bool)
        unit_tol = TOL * self.unit_scale
        for k in tight:
            first, second = x[k] <= y[k] + unit_tol, y[k] <= x[k] + unit_tol
            member = self.masks[k % n_sets] > 0
            slope = np.where(first & second, np.maximum(dx[k], dy[k]), np.where(first, dx[k], dy[k])).sum()
            price = 1.0 / slope if slope > 0 else 0.0
            if k < n_sets:  # S places its money: S's cells up where S's term binds; the others down where U does
                blocked_up |= member[:, None] & first[None, :] & up_end
                blocked_down |= ~member[:, None] & second[None, :] & down_end
                # A bound is priced where it holds cells that still move: a unit whose cells are all fixed ties its
                # terms whatever its bound.
                moving = (~member[:, None] & down_end).any(axis=0)
                self._price(prices, self._limit_rows(second & moving, TOTAL_UPPER, self.high), price)
                capped = member[:, None] & first[None, :] & free & ~up_end
                self._price(prices, self._cap_rows(capped), price)
            else:  # S must give what it has: S's cells down where S's term binds; the others up where L does
                blocked_down |= member[:, None] & first[None, :] & down_end
                blocked_up |= ~member[:, None] & second[None, :] & up_end
                moving = (~member[:, None] & up_end).any(axis=0)
                self._price(prices, self._limit_rows(second & moving, TOTAL_LOWER, self.low), price)
                capped = ~member[:, None] & second[None, :] & free & ~up_end
                self._price(prices, self._cap_rows(capped), price)
        # A unit whose own cap or floor is met exactly at the level.
        own = (phi > 0) & (phi >= level * (1 - TOL) - ZERO_LEVEL)
        blocked_down |= own[None, :] & (side[None, :] < 0) & down_end
        blocked_up |= own[None, :] & (side[None, :] > 0) & up_end
        for sign, kind, limits, end in ((-1.0, TOTAL_UPPER, self.high, down_end), (1.0, TOTAL_LOWER, self.low, up_end)):
            weight = np.where(end, s, 0.0).sum(axis=0)
            rows = self._limit_rows(own & (side == sign) & (weight > 0), kind, limits)
            self._price(prices, rows, 1.0 / weight[self.row_unit[rows]])
        if np.any(blocked_up & blocked_down):
            return None, None  # a cell pushed both ways: the reading of the conditions is not to be trusted
        values = np.where(blocked_up, np.minimum(c, f + s * level), np.clip(down, 0.0, c))
        return blocked_up | blocked_down, values

    def _spread(self, x: np.ndarray, placed: np.ndarray) -> np.ndarray:
        """The amounts with each pool placing exactly what it places: what the levels' rounding leaves over or
        short (of the order of 10⁻¹⁶ of the pool per unit) is shared pro rata to s among the pool's cells of its
        last stage, as a shift of that stage's level would."""
        x = x.copy()
        for p in range(x.shape[0]):
            miss = float(placed[p]) - float(x[p].sum())
            # A cell on its cap takes nothing more, one on 0 gives nothing, nor does a unit on its bound.
            totals = x.sum(axis=0)
            if miss > 0:
                cells = self.on_level[p] & (x[p] < self.caps[p]) & (totals < self.high - TOL * self.unit_scale)
            else:
                cells = self.on_level[p] & (x[p] > 0) & (totals > self.low + TOL * self.unit_scale)
            if not cells.any() or placed[p] == 0:
                continue
            last = cells & (self.stage_of[p] == self.stage_of[p][cells].max())
            weight = np.where(last, self.s[p], 0.0)
            x[p] = np.where(last, np.clip(x[p] + miss * weight / weight.sum(), 0.0, self.caps[p]), x[p])
        return x

    def _within_bounds(self, x: np.ndarray, placed: np.ndarray) -> bool:
        """Whether the amounts keep every bound and place each pool's money, to 10⁻⁹ of each row's scale (rounding
        then puts them on the grain): else the reading of some stage was wrong and the LP decides."""
        slack = 1e-9 * self.s
        totals, unit_slack = x.sum(axis=0), 1e-9 * self.unit_scale
        return bool(np.all(x >= -slack) and np.all(x <= self.caps + slack)
                    and np.all(totals <= self.high + unit_slack) and np.all(totals >= self.low - unit_slack)
                    and np.all(np.abs(x.sum(axis=1) - placed) <= 1e-9 * np.maximum(self.pool_scale, GRAIN)))

    # -- the whole fit ---------------------------------------------------------------------------------------
    def run(self) -> LPSolution | Declined:
        pr = self.problem
        placed = None if np.any(self.low > self.high) else self._placeable()
        if placed is None:
            return Declined("infeasible")
        ceiling = np.inf
        stage = 0
        while not self.fixed.all():
            levels = self._unit_levels()
            if levels is None:
                return Declined("infeasible")
            phi, side = levels
            level = self._least_level(phi, ceiling)
            if level is None:
                return Declined("infeasible")
            prices = np.zeros(len(self.rows))
            level = float(level)
            self._settle(phi, side, level, stage, prices)
            if self.fixed.all():
                self.levels.append(level)
                self.duals.append(self._stage_prices(prices))
                break
            # A level that moves no free cell by more than the conditions' tolerance is the formula's own rounding
            # (Σ f of a pool misses the pool by up to some 10⁻¹² of it, and a cap drawn as the formula amount on
            # the grain is below it by less than a grain): the cells stay on the formula and share that rounding,
            # as the LP's structure solve shares it.
            zero = max(ZERO_LEVEL, self.tolerance / self.s[~self.fixed].max())
            if level <= zero:
                rest = ~self.fixed
                self._pin(rest, np.clip(self.f, 0.0, self.caps), stage)
                self.on_level |= rest & (self.f <= self.caps)
                self.levels.append(0.0)
                self.duals.append(self._stage_prices(prices))
                break
            blocked, values = self._blocked(level, phi, side, prices)
            if blocked is None or not blocked.any():
                return Declined("numerical")
            self._pin(blocked, values, stage)
            self.on_level |= blocked
            self.levels.append(level)
            self.duals.append(self._stage_prices(prices))
            ceiling = level
            stage += 1
        amounts = self._spread(self.value, placed)
        if not self._within_bounds(amounts, placed):
            return Declined("numerical")
        unallocated = np.asarray(pr.pool_wan, dtype=float) - placed
        totals = amounts.sum(axis=0)
        held = np.where(self.row_pool >= 0, amounts[np.maximum(self.row_pool, 0), self.row_unit], totals[self.row_unit])
        slack_values = np.where(self.row_kind == TOTAL_LOWER, held - self.row_limit, self.row_limit - held)
        slack = dict(zip((row.cid for row in self.rows), slack_values.tolist()))
        return LPSolution(amounts=amounts, unallocated=unallocated, by_category=None, fixed_stage=self.stage_of,
                          stage_levels=self.levels, duals=self.duals, slack=slack, bound_rows=list(self.rows),
                          exact=True)


def _concave_root(x, dx, y, dy, offset: float, width: float, tol: float) -> float | None:
    """The least τ in [0, width] with Σ_i min(x_i + dx_i·τ, y_i + dy_i·τ) + offset ≥ 0 (to ``tol``), the sum failing
    at 0; None when it never holds.

    Each unit's term switches from its steeper line to its flatter one where they cross, so the slope only falls:
    sorting the switch points gives the sum at each by cumulative sums and the segment where it reaches 0; on it
    the root is recomputed from the lines themselves, so that rounding in the sums does not carry into it. A sum
    that comes to 0 and stays there (a condition met with equality from some level on, as when a stage before
    left it so) is reached where it arrives, within ``tol``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = np.where(dx != dy, (y - x) / (dx - dy), np.nan)
    switch = np.isfinite(cross) & (cross > 0) & (cross < width)
    order = np.argsort(cross[switch], kind="stable")
    points = cross[switch][order]

    def value_and_slope(tau: float) -> tuple[float, float]:
        lx, ly = x + dx * tau, y + dy * tau
        value = float(np.minimum(lx, ly).sum()) + offset
        # The slope just above τ: the lesser line's, and at a tie the flatter one's.
        slope = float(np.where(lx < ly, dx, np.where(ly < lx, dy, np.minimum(dx, dy))).sum())
        return value, slope

    value0, slope0 = value_and_slope(0.0)
    drops = np.abs(dx - dy)[switch][order]
    slopes = slope0 - np.concatenate([[0.0], np.cumsum(drops)])
    values = value0 + np.cumsum(slopes[:-1] * np.diff(np.concatenate([[0.0], points])))
    reached = np.flatnonzero(values >= -tol)
    k = int(reached[0]) if reached.size else points.size
    start = 0.0 if k == 0 else float(points[k - 1])
    end = float(points[k]) if k < points.size else width
    value, _ = value_and_slope(start)
    if value >= -tol:
        return start
    # The slope inside the segment: at ``start`` itself a tie between two lines could pick the steeper one.
    _, slope = value_and_slope(start + ((end - start) / 2 if np.isfinite(end) else 1.0))
    if slope > 0:
        root = start + (-value) / slope
        return min(root, end) if np.isfinite(end) else root
    return end if k < points.size else None

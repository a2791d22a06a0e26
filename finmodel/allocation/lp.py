"""The allocation linear program and its objectives, solved in stages through ``finmodel.solver``.

The model is written in relative terms so that its numbers stay of order one whatever the money: each cell
is x_pi = f_pi + s_pi · d_pi, with f the formula amount, s = max(f, 0.01 万元) and d the relative deviation
the solver sees; every row is divided by the scale of what it adds up (a pool row by Σ_i s_pi, a unit's row
by Σ_p s_pi, a cell's row by s_pi), and the unallocated amounts are shares of their pool row's scale. A pool
of 10¹⁰ 万元 is then as easy for the solver as one of 100.

Stages, each fixing what the one before decided:

0. unallocated money (未分配): the least each pool must leave unallocated, pool by pool in
   scenario order, so money is never left over while a unit could still take it;
1. the objective (``max_households`` or ``max_min_coverage``), when one is chosen;
2. closeness to the formula: the lexicographic minimax of relative deviations |d_pi|
   (progressive filling). Minimise the largest deviation t; the cells whose deviation rows
   carry a dual price cannot do better, so they are fixed at t; repeat with the rest. Every
   stage fixes at least one cell (a stage that cannot is numerical trouble and stops the run),
   so there are at most as many stages as cells.

The solver only finds the structure of the answer: which cells share which level, on which side of the
formula, and which rows are tight. The amounts are then computed from that structure by a small linear
solve in double precision (``_exact``), so they do not carry the solver's tolerances (1e-7 of a row) nor
CBC's 8-digit solution file: a pool of 10¹⁰ 万元 comes out exact to far below the 0.01 万元 grain, cells
with equal formula amounts at the same level come out bit for bit equal, and HiGHS and CBC give the same
amounts whenever they find the same structure, which the lexicographic optimum makes unique.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..errors import Infeasible, Said, SolverError, TimeLimitReached, zh_of
from ..solver import LinearModel, SolverSettings, Variable, linear
from .problem import CELL_UPPER, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem

GRAIN = 0.01
"""万元: the approval table's grain, and what a zero formula amount is measured against."""
DUAL_TOL = 1e-9
# A fixed cell keeps this much room (relative deviation) so the next stage stays feasible within solver
# tolerances and the precision of the values read back.
FIX_ROOM = 1e-12
ZERO_LEVEL = 1e-12
"""A stage level at or below this is no deviation at all: the cells stay on their formula amounts."""
TIGHT = 1e-6
"""A row whose slack is below this share of its scale counts as tight when the amounts are computed."""
LEAST_UNALLOCATED = 1e-9
"""Share of a pool row's scale under which the least unallocated amount is solver noise, taken as 0."""
RESIDUAL = 1e-8
"""Largest miss, relative to a row's scale, of the rows the exact solve uses: beyond it the structure read from
the solution does not hold together."""
HOLD_TOL = 1e-12
"""Relative to a cell's scale, how far computed amounts may stray past a bound: bounds sit on the grain and the
amounts are computed in doubles, so anything past this (far below a grain up to 10¹⁰ 万元) is a cell on the
wrong side of its bound, not rounding."""
MAX_SUBSET_POOLS = 10
"""Up to this many pools, every subset of pools gets its category row in the exact solve (2^pools rows)."""


class BoundRow(NamedTuple):
    """One bound constraint of the model: its id, family, pool (None for a unit's total), unit, limit (万元), and
    the scale its row was divided by (万元 per unit of the row)."""

    cid: str
    family: str
    pool: int | None
    unit: int
    limit: float
    scale: float = 1.0


@dataclass
class LPSolution:
    amounts: np.ndarray
    """(pools, units) 万元, unrounded."""
    unallocated: np.ndarray
    """(pools,) 万元."""
    by_category: np.ndarray | None
    """(pools, units, categories) 万元, or None without categories."""
    fixed_stage: np.ndarray
    """(pools, units): the formula-fit stage at which each cell was fixed (−1: not by formula fit)."""
    stage_levels: list[float]
    """Largest relative deviation at each formula-fit stage."""
    duals: list[dict[str, float]]
    """Per formula-fit stage: constraint id → nonzero dual price (change of that stage's deviation per 万元)."""
    objective_duals: dict[str, float] = field(default_factory=dict)
    """At the objective stage: constraint id → dual (objective per 万元)."""
    objective_value: float | None = None
    slack: dict[str, float] = field(default_factory=dict)
    """Constraint id → slack in the final solution, 万元."""
    bound_rows: list[BoundRow] = field(default_factory=list)
    exact: bool = False
    """Whether the amounts were computed from the solution's structure (True) or are the solver's values."""


def _cid(family: str, pool: int | None, unit: int) -> str:
    return f"{family}_d{unit}" if pool is None else f"{family}_p{pool}_d{unit}"


def listed_bound_rows(problem: AllocationProblem, cell_scale: np.ndarray, unit_scale: np.ndarray,
                      bounds=None) -> list[BoundRow]:
    """One row per bound and unit it binds (per cell for a cap on one pool), in the order of ``bounds`` (default
    the problem's), each with the scale its row is divided by: a cell's s, or the sum of a unit's."""
    rows: list[BoundRow] = []
    n_pools = problem.shape[0]
    for bound in problem.bounds if bounds is None else bounds:
        values, family = bound.values, bound.family
        # Built from lists, not element by element: a scenario of 200,000 units has as many rows per family.
        if bound.kind == CELL_UPPER:
            for p in range(n_pools):
                units = np.flatnonzero(~np.isnan(values[p]))
                cids = [_cid(family, p, i) for i in units.tolist()]
                rows += map(BoundRow._make, zip(cids, itertools.repeat(family), itertools.repeat(p), units.tolist(),
                                                values[p, units].tolist(), cell_scale[p, units].tolist()))
        elif bound.kind in (TOTAL_UPPER, TOTAL_LOWER):
            units = np.flatnonzero(~np.isnan(values))
            cids = [_cid(family, None, i) for i in units.tolist()]
            rows += map(BoundRow._make, zip(cids, itertools.repeat(family), itertools.repeat(None), units.tolist(),
                                            values[units].tolist(), unit_scale[units].tolist()))
    return rows


class AllocationLP:
    """Builds the model once; stages change bounds, objectives and which deviation rows are active."""

    def __init__(self, problem: AllocationProblem, settings: SolverSettings, name: str = "allocation",
                 elastic: bool = False, progress=None) -> None:
        self.problem = problem
        self.lp = LinearModel(name, settings, progress)
        self.elastic = elastic
        self.shortfall: dict[str, tuple[Variable, float]] = {}
        """Elastic mode: constraint id → (how far the requirement is missed, in row units; 万元 per row unit)."""
        n_pools, n_units = problem.shape
        p_names, d_names = problem.pools, problem.districts
        f = np.asarray(problem.formula, dtype=float)
        self.f = f
        self.s = np.maximum(f, GRAIN)
        self.lower = -f / self.s  # x ≥ 0
        self.unit_scale = self.s.sum(axis=0)
        self.pool_scale = self.s.sum(axis=1)
        self.caps = problem.cell_caps()
        self.low, self.high = problem.total_range()
        self.d = [
            [self.lp.variable(f"d_p{p}_d{i}", f"{p_names[p]} → {d_names[i]}", float(self.lower[p, i]), None)
             for i in range(n_units)]
            for p in range(n_pools)
        ]
        self.d_col = np.array([[self.lp.col(v) for v in row] for row in self.d], dtype=int).reshape(problem.shape)
        self.unallocated = [self.lp.variable(f"u_p{p}", f"{p_names[p]} 未分配") for p in range(n_pools)]
        self.t = self.lp.variable("t", "largest relative deviation")
        self.y = None
        self.bound_rows: list[BoundRow] = []
        self.bound_row_index: list[int] = []
        self.pool_rows: list[int] = []
        if problem.categories:
            self._categories()
        for p in range(n_pools):
            scale = float(self.pool_scale[p])
            rhs = (float(problem.pool_wan[p]) - float(np.sum(f[p]))) / scale
            terms = list(zip(self.d[p], (self.s[p] / scale).tolist())) + [(self.unallocated[p], 1.0)]
            self.pool_rows.append(self.lp.constrain(f"pool_p{p}", linear(terms) == rhs, f"{p_names[p]} spent exactly"))
        for bound in problem.bounds:
            self._bound(bound)
        self.dev_hi = self.dev_lo = None
        self._priced = np.zeros(len(self.bound_rows), dtype=bool)
        """Bound rows that carried a dual price at some stage: tight in every solution after it."""
        self._settled_prices: dict[str, float] = {}
        """Prices of the bounds that settled cells since the last stage (``_price_settled``)."""

    # -- building -------------------------------------------------------------------------------
    def _unit_total(self, i: int):
        """A unit's total over all pools, less its formula total, in units of the unit's scale."""
        return linear([(self.d[p][i], float(self.s[p, i] / self.unit_scale[i])) for p in range(self.problem.shape[0])])

    def _add_bound_row(self, constraint, family: str, pool: int | None, unit: int, limit: float, cid: str,
                       scale: float) -> None:
        self.bound_row_index.append(self.lp.constrain(cid, constraint))
        self.bound_rows.append(BoundRow(cid, family, pool, unit, limit, scale))

    def _categories(self) -> None:
        pr = self.problem
        n_pools, n_units = pr.shape
        self.y = {}
        for p in range(n_pools):
            for i in range(n_units):
                scale = float(self.unit_scale[i])
                parts = []
                for c, category in enumerate(pr.categories):
                    if pr.eligible[p, c]:
                        var = self.lp.variable(f"y_p{p}_d{i}_c{c}", f"{pr.pools[p]} → {pr.districts[i]} ({category})")
                        self.y[p, i, c] = var
                        parts.append((var, -1.0))
                # y is in units of the unit's scale, like the unit's rows.
                self.lp.constrain(f"split_p{p}_d{i}",
                                  linear([(self.d[p][i], float(self.s[p, i] / scale))] + parts) == -float(
                                      self.f[p, i] / scale))
        for i in range(n_units):
            scale = float(self.unit_scale[i])
            for c in range(len(pr.categories)):
                parts = [(self.y[p, i, c], 1.0) for p in range(n_pools) if (p, i, c) in self.y]
                if parts:
                    cid = f"need_category_c{c}_d{i}"
                    limit = float(pr.need_by_category[i, c])
                    self._add_bound_row(linear(parts) - self._give(cid, scale) <= limit / scale, "need_category",
                                        None, i, limit, cid, scale)

    def _bound(self, bound) -> None:
        totals = self.f.sum(axis=0)
        for row in listed_bound_rows(self.problem, self.s, self.unit_scale, [bound]):
            if row.pool is not None:
                room = (row.limit - float(self.f[row.pool, row.unit])) / row.scale
                constraint = self.d[row.pool][row.unit] - self._give(row.cid, row.scale) <= room
            else:
                room = (row.limit - float(totals[row.unit])) / row.scale
                if bound.kind == TOTAL_UPPER:
                    constraint = self._unit_total(row.unit) - self._give(row.cid, row.scale) <= room
                else:
                    constraint = self._unit_total(row.unit) + self._give(row.cid, row.scale) >= room
            self._add_bound_row(constraint, row.family, row.pool, row.unit, row.limit, row.cid, row.scale)

    def _give(self, cid: str, scale: float):
        """In elastic mode, a variable by which the requirement may be missed; otherwise nothing."""
        if not self.elastic:
            return 0
        var = self.lp.variable(f"miss_{cid}", f"shortfall of {cid}")
        self.shortfall[cid] = (var, scale)
        return var

    def least_shortfall(self) -> dict[str, float]:
        """Elastic mode: the smallest total by which the requirements must be missed, per constraint, 万元.

        Each shortfall is weighed in 万元 (its row unit times the row's scale), so a big unit's miss counts as
        much money as a small one's."""
        self.lp.minimise(linear([(var, scale) for var, scale in self.shortfall.values()]))
        self.lp.solve(Said("elastic: least shortfall", "弹性模型：缺口最小"))
        missed = {cid: self.lp.value(var) * scale for cid, (var, scale) in self.shortfall.items()}
        return {cid: amount for cid, amount in missed.items() if amount > 1e-6}

    # -- stages -----------------------------------------------------------------------------------
    def _fix_unallocated(self) -> None:
        pr = self.problem
        can_leave_money = any(b.kind in (TOTAL_UPPER, CELL_UPPER) for b in pr.bounds) or bool(pr.categories)
        # Pools compete for the units' room in the declared order: each leaves as little as it can given the ones
        # placed before it.
        for p in pr.placing_order():
            var = self.unallocated[p]
            col = self.lp.col(var)
            if not can_leave_money or pr.pool_wan[p] == 0:
                self.lp.set_bounds([col], 0.0, 0.0)
                continue
            self.lp.minimise(var)
            stage = Said(f"least unallocated, pool {pr.pools[p]}", f"未分配资金最少（{pr.pools[p]}）")
            if not self.lp.records:
                # The first solve meets every rule at once: its "infeasible" is the model's verdict.
                self.lp.solve(stage)
            else:
                self._solve_numerically_feasible(stage)
            self._note_priced()
            least = max(0.0, self.lp.value(var))
            least = 0.0 if least < LEAST_UNALLOCATED else least
            # The least amount is met only to the solver's tolerance and read back to its precision (CBC's 8
            # digits may round it down), and every cap that held it back is tight: a sliver of room above it
            # keeps the later stages feasible (the amounts are computed afresh).
            room = 2 * self.lp.settings.value_precision * least + LEAST_UNALLOCATED if least > 0 else 0.0
            self.lp.set_bounds([col], least, least + room)

    def _solve_numerically_feasible(self, name: str):
        """Solve a stage that the one before proved feasible: an "infeasible" here is numerical trouble."""
        try:
            return self.lp.solve(name)
        except Infeasible as exc:
            raise SolverError(f"{name}: the solver reported infeasible a model the stage before solved: "
                              "a numerical problem",
                              zh=f"{zh_of(name)}：上一阶段已求解的模型被求解器报告为无可行解：数值计算问题") from exc

    def _note_priced(self) -> None:
        """Remember the bound rows priced by the last solve: a row with a dual price is tight in every optimal
        solution of that stage (complementary slackness), and every later stage keeps that stage optimal."""
        self._priced |= np.abs(self.lp.duals(self.bound_row_index)) > DUAL_TOL

    def _bound_duals(self) -> dict[str, float]:
        """Bound rows' dual prices per 万元 of relaxation (a row's dual is per unit of its scaled right side), with
        the prices of the bounds that settled cells since the last stage where they are larger."""
        duals = self.lp.duals(self.bound_row_index)
        found = {self.bound_rows[k].cid: float(duals[k]) / self.bound_rows[k].scale for k in np.flatnonzero(duals != 0)}
        for cid, price in self._settled_prices.items():
            if price > abs(found.get(cid, 0.0)):
                found[cid] = price
        self._settled_prices = {}
        return found

    def _objective_stage(self, solution: LPSolution) -> None:
        pr = self.problem
        n_pools, n_units = pr.shape
        totals = self.f.sum(axis=0)
        if pr.objective == "max_households":
            # Households funded as a share of the unit's households, so the column stays within [0, 1].
            households = np.asarray(pr.households, dtype=float)
            funded = [self.lp.variable(f"h_d{i}", f"{pr.districts[i]} households funded (share)", 0.0,
                                       1.0 if households[i] > 0 else 0.0) for i in range(n_units)]
            for i in range(n_units):
                if pr.need_per_household[i] > 0 and households[i] > 0:
                    scale = float(self.unit_scale[i])
                    coef = float(pr.need_per_household[i]) * households[i] / scale
                    self.lp.constrain(f"hh_d{i}", coef * funded[i] - self._unit_total(i) <= totals[i] / scale)
            goal = linear([(funded[i], float(households[i])) for i in range(n_units) if households[i] > 0])
        else:  # max_min_coverage
            z = self.lp.variable("z", "least share of need covered", 0.0, None)
            for i in range(n_units):
                if pr.need_total[i] > 0:
                    scale = float(self.unit_scale[i])
                    self.lp.constrain(f"cov_d{i}", float(pr.need_total[i]) / scale * z - self._unit_total(i)
                                      <= totals[i] / scale)
            goal = linear([(z, 1.0)])
        self.lp.minimise(-goal)
        record = self._solve_numerically_feasible(Said(f"objective {pr.objective}", f"目标 {pr.objective}"))
        self._note_priced()
        best = -float(record.objective)
        solution.objective_value = best
        solution.objective_duals = self._bound_duals()
        # Keep the optimum (to a relative 1e-9) while the formula fit breaks the ties.
        self.lp.constrain("objective_kept", goal >= best - 1e-9 * max(1.0, abs(best)))

    def deviation_rows(self) -> None:
        """|d| ≤ t for every cell (the relative deviation), and the objective min t: the first formula-fit stage."""
        shape = self.f.shape
        hi = np.zeros(shape, dtype=int)
        lo = np.zeros(shape, dtype=int)
        for p, i in zip(*np.nonzero(np.ones(shape, dtype=bool))):
            hi[p, i] = self.lp.constrain(f"dev_hi_p{p}_d{i}", self.d[p][i] - self.t <= 0)
            lo[p, i] = self.lp.constrain(f"dev_lo_p{p}_d{i}", self.d[p][i] + self.t >= 0)
        self.dev_hi, self.dev_lo = hi, lo
        self.lp.minimise(self.t)

    def _forced(self, free: np.ndarray | None, pinned: np.ndarray | None):
        """Forced levels, which cells they come from their unit's total (rather than a cap on the cell), and per
        unit the total limit that forces them (NaN where none does).

        A cap U below what a unit must have forces the s-weighted mean of its free cells' downward
        deviations to at least (pinned + Σ_free f − U) / Σ_free s, where ``pinned`` is what its fixed
        cells already hold (likewise a floor, upward); a cap on one cell forces that cell alone. Where a
        unit has both kinds and a cell cap forces harder, only the cell caps count: the mean argument then
        no longer bounds the other cells.
        """
        f, scale = self.f, self.s
        free = np.ones(f.shape, dtype=bool) if free is None else free
        held = np.zeros(f.shape) if pinned is None else np.where(free, 0.0, pinned)
        need = (held + np.where(free, f, 0.0)).sum(axis=0)
        weight = np.where(free, scale, 0.0).sum(axis=0)
        low, high = self.low, self.high
        with np.errstate(invalid="ignore", divide="ignore"):
            down = np.where(high < need, (need - high) / weight, 0.0)
            up = np.where(low > need, (low - need) / weight, 0.0)
            by_unit = np.maximum(down, up)
            by_cell = np.where(self.caps < f, (f - self.caps) / scale, 0.0)
        by_unit = np.where(weight > 0, by_unit, 0.0)
        limit = np.where(by_unit > 0, np.where(down >= up, high, low), np.nan)
        self._side = np.where(down >= up, -1.0, 1.0)  # a cap pushes a unit's cells down, a floor up
        mixed = (free & (by_cell > by_unit[None, :])).any(axis=0)
        levels = np.where(mixed[None, :], by_cell, np.maximum(by_cell, by_unit[None, :]))
        from_unit = free & ~mixed[None, :] & (by_unit[None, :] > 0) & (by_unit[None, :] >= by_cell)
        return np.where(free, levels, 0.0), from_unit, limit

    def _least_level(self, free: np.ndarray, banded: np.ndarray, forced: np.ndarray) -> float:
        """Min t with the ``banded`` cells held within their forced deviation and the other free cells within t."""
        cells = np.nonzero(banded)
        saved = self.lp.bounds(self.d_col[cells])
        self._band(cells, forced)
        try:
            self.lp.solve(Said("formula fit, probe of forced cells", "贴合因素法：探测受约束单元"), retry=False)
            return max(0.0, self.lp.value(self.t))
        except TimeLimitReached:
            raise
        except SolverError:
            # Infeasible: the banded cells cannot all sit at their forced levels. No verdict: count it as not
            # reachable too; that only settles fewer cells at once, the stages after it stay exact.
            return np.inf
        finally:
            self.lp.set_bounds(self.d_col[cells], *saved)
            self.lp.activate(self.dev_hi[cells])
            self.lp.activate(self.dev_lo[cells])

    def _band(self, cells, forced: np.ndarray) -> None:
        """Hold cells within their forced deviation of the formula, in place of their deviation rows."""
        band = forced[cells] * (1 + 1e-9) + 1e-12
        self.lp.set_bounds(self.d_col[cells], np.maximum(self.lower[cells], -band), band)
        self.lp.drop(self.dev_hi[cells])
        self.lp.drop(self.dev_lo[cells])

    def _pin(self, cells) -> None:
        """Hold cells where they stand (at their level, on their side of the formula); a ±level band would
        let later stages trade its room against smaller cells."""
        d = self.lp.values(self.d_col[cells])
        self._pinned_d[cells] = d
        self._pinned[cells] = self.f[cells] + self.s[cells] * d
        self._is_pinned[cells] = True
        self._held_low[cells] = self._held_high[cells] = d
        self._hold(cells)
        self.lp.drop(self.dev_hi[cells])
        self.lp.drop(self.dev_lo[cells])

    def _hold(self, cells) -> None:
        low, high = self._held_low[cells], self._held_high[cells]
        pad = self._precision * np.maximum(1.0, np.maximum(np.abs(low), np.abs(high))) + self._slack
        # A value the solver left a tolerance below the cell's lower bound (0) is held from that bound up.
        low = np.maximum(self.lower[cells], low - pad)
        self.lp.set_bounds(self.d_col[cells], low, np.maximum(low, high + pad))

    def _follow_pool(self, candidates: np.ndarray, blocked: np.ndarray, level: float) -> np.ndarray:
        """Fix at the stage's level the free cells too small for the solver to see in their pool's row.

        A cell held by nothing of its own, in a pool whose row is priced, is priced too, but only in proportion
        to its weight in the pool (s over the row's scale): for a cell of 10⁻¹⁰ of its pool the price is lost
        in the solver's tolerance (HiGHS even drops such a coefficient), and the cell would stay on its formula
        amount while the rest of its pool moves. Such a cell moves with its pool, to the side of the pool's cells
        that are held by nothing of their own, if its own bounds leave the room; it then joins the stage. The
        cells that move are those whose move changes their pool's row by less than the solver can see.
        """
        shape = self.f.shape
        priced_rows = np.abs(self.lp.duals(self.bound_row_index)) > DUAL_TOL
        held_unit = np.zeros(shape[1], dtype=bool)
        held_cell = np.zeros(shape, dtype=bool)
        for k in np.flatnonzero(priced_rows):
            row = self.bound_rows[k]
            if row.pool is None:
                held_unit[row.unit] = True
            else:
                held_cell[row.pool, row.unit] = True
        pool_dual = np.abs(self.lp.duals(self.pool_rows))
        pool_priced = pool_dual > DUAL_TOL
        d = self.lp.values(self.d_col.ravel()).reshape(shape)
        pure = blocked & ~held_unit[None, :] & ~held_cell
        side = np.zeros(shape[0])
        for p in np.flatnonzero(pool_priced & pure.any(axis=1)):
            signs = np.unique(np.sign(d[p, pure[p]]))
            if signs.size == 1:
                side[p] = signs[0]
        target = np.broadcast_to(side[:, None] * level, shape)
        # A price the solver could not show: below the dual tolerance, or on a coefficient below the one
        # HiGHS keeps (1e-9).
        weight = self.s / self.pool_scale[:, None]
        unseen = (weight * pool_dual[:, None] <= 10 * DUAL_TOL) | (weight < 1e-9)
        follow = (candidates & (side[:, None] != 0) & ~held_unit[None, :] & ~held_cell & unseen
                  & (target >= self.lower) & (self.f + self.s * target <= self.caps))
        if not follow.any():
            return follow
        x = np.where(self._is_pinned, self._pinned, self.f + self.s * d)
        moved = (np.where(follow, self.f + self.s * target, x)).sum(axis=0)
        room = (moved <= self.high + 1e-9 * self.unit_scale) & (moved >= self.low - 1e-9 * self.unit_scale)
        follow &= room[None, :]
        if follow.any():
            cells = np.nonzero(follow)
            self._pinned_d[cells] = target[cells]
            self._pinned[cells] = self.f[cells] + self.s[cells] * target[cells]
            self._is_pinned[cells] = True
            # Held between where the solver left them and the level: the move is below what the pool's row can
            # show, and the solver may need the room it had to stay feasible. The amounts put them on the level.
            self._held_low[cells] = np.minimum(d[cells], target[cells])
            self._held_high[cells] = np.maximum(d[cells], target[cells])
            self._hold(cells)
            self._followed[cells] = True
            self.lp.drop(self.dev_hi[cells])
            self.lp.drop(self.dev_lo[cells])
        return follow

    def _solve_stage(self, name: str, precision: float) -> None:
        """Solve a stage; if pinned values, each met only to the solver's tolerance, leave no room together,
        widen every pin a hundredfold and try again (up to 1e-5 of a cell's scale). The stage before proved the
        model feasible, so an "infeasible" that survives that is numerical trouble; without a stage before (no
        bound that could leave money unallocated), the first solve's "infeasible" is the model's verdict."""
        first = not self.lp.records
        while True:
            try:
                self.lp.solve(name)
                self._note_priced()
                return
            except Infeasible as exc:
                if first:
                    raise
                if self._slack >= 1e-5 or not self._is_pinned.any():
                    raise SolverError(f"{name}: the solver reported infeasible a model the stage before solved, "
                                      "even with every fixed cell given room: a numerical problem",
                                      zh=f"{zh_of(name)}：上一阶段已求解的模型被求解器报告为无可行解，给每个已固定的单元格"
                                      "留出余地后仍然如此：数值计算问题") from exc
                self._slack = max(self._slack * 100, 1e-9)
                self._precision = max(self._precision, precision)
                self._hold(np.nonzero(self._is_pinned))

    def _new_group(self, kind: str, level: float, limit: float = np.nan) -> int:
        self._group_kind.append(kind)
        self._group_level.append(level)
        self._group_limit.append(limit)
        return len(self._group_kind) - 1

    def _settle_forced(self, free: np.ndarray, precision: float) -> np.ndarray:
        """Fix, in one go, every free cell whose own bounds force it above the level the rest can reach.

        With t̂ the least t such that every free cell can be within max(t, its forced level), the
        lexicographic optimum has each cell forced above t̂ exactly at its forced level (a convex
        combination with a solution at t̂ would otherwise lower the sorted deviations). t̂ is found by
        bisection over the distinct forced levels, so a few solves replace a stage per level.
        Returns the cells fixed.
        """
        forced, from_unit, limit = self._forced(free, self._pinned)
        levels = np.unique(forced[free & (forced > ZERO_LEVEL)])[::-1]  # descending
        if not levels.size:
            return np.zeros(free.shape, dtype=bool)

        least: dict[int, float] = {}

        def reachable(k: int) -> bool:  # can every free cell be within max(levels[k], its forced level)?
            least[k] = self._least_level(free, free & (forced >= levels[k]), forced)
            return least[k] <= levels[k] * (1 + 1e-9) + 1e-12

        if not reachable(0):
            return np.zeros(free.shape, dtype=bool)
        good, bad = 0, levels.size  # reachable(good) holds; reachable(bad) fails or is past the end
        while bad - good > 1:
            middle = (good + bad) // 2
            good, bad = (middle, bad) if reachable(middle) else (good, middle)
        # t̂ is the least level found with the cells down to levels[good] banded; the cells forced strictly
        # above it sit at their forced level: band them, solve, pin.
        settled = free & (forced > least[good] * (1 + 1e-9) + 1e-12)
        if not settled.any():
            return settled
        cells = np.nonzero(settled)
        self._band(cells, forced)
        self._solve_stage(Said("formula fit, forced cells settled", "贴合因素法：受约束单元已定"), precision)
        self._pin(cells)
        # A unit's cells forced by its total all sit at one level, set by that total: one unknown per unit.
        # A cell forced by its own cap sits on the cap.
        by_unit = settled & from_unit
        for i in np.flatnonzero(by_unit.any(axis=0)):
            g = self._new_group("unit", float(forced[by_unit[:, i], i].max()), float(limit[i]))
            self._group[by_unit[:, i], i] = g
        self._group[settled & ~from_unit] = self._cap_group
        self._sign[by_unit] = np.broadcast_to(self._side[None, :], by_unit.shape)[by_unit]
        self._price_settled(by_unit, settled & ~from_unit, limit)
        return settled

    def _price_settled(self, by_unit: np.ndarray, on_cap: np.ndarray, limit: np.ndarray) -> None:
        """Prices of the bounds that settle cells on their own: a unit's level is set by its bound alone, so a 万元
        more moves it by 1 ÷ Σ s of its cells (a cell on its cap, by 1 ÷ s). Read from the bounds, not the duals:
        with the cells held in their bands the stage after is degenerate and may price the bound 0 or through
        another unit. Progressive filling prices them alike (``filling.py``)."""
        weight = np.where(by_unit, self.s, 0.0).sum(axis=0)
        for k, row in enumerate(self.bound_rows):
            if row.pool is None:
                hit = weight[row.unit] > 0 and abs(row.limit - limit[row.unit]) <= 1e-9 * max(1.0, abs(row.limit))
                price = 1.0 / weight[row.unit] if hit else 0.0
            else:
                price = 1.0 / self.s[row.pool, row.unit] if on_cap[row.pool, row.unit] else 0.0
            if price and price > abs(self._settled_prices.get(row.cid, 0.0)):
                self._settled_prices[row.cid] = price

    def _formula_fit(self, solution: LPSolution) -> None:
        f = self.f
        shape = f.shape
        free = np.ones(shape, dtype=bool)
        self._pinned = np.zeros(shape)
        self._pinned_d = np.zeros(shape)
        self._is_pinned = np.zeros(shape, dtype=bool)
        self._held_low = np.zeros(shape)
        self._held_high = np.zeros(shape)
        self._followed = np.zeros(shape, dtype=bool)
        """Cells too small for their pool's row, put on their stage's level (``_follow_pool``)."""
        self._group = np.full(shape, -1)
        self._sign = np.zeros(shape)
        self._group_kind: list[str] = []
        self._group_level: list[float] = []
        self._group_limit: list[float] = []
        self._zero_group = self._new_group("zero", 0.0)
        self._cap_group = self._new_group("cap", np.nan)
        self.deviation_rows()
        precision = max(FIX_ROOM, 2 * self.lp.settings.value_precision)
        # Interior point copes badly with columns held in a sliver of width 1e-9 but its presolve removes
        # fixed ones, so there pins start exact and widen only if a stage then proves infeasible.
        exact = self.lp.settings.name == "highs" and self.lp.method_used() == "ipm"
        self._precision = 0.0 if exact else precision
        self._slack = 0.0 if exact else 1e-9
        # A pool of 0 has nothing to share: its cells are 0, fixed before any stage.
        empty = np.broadcast_to((self.problem.pool_wan == 0)[:, None], shape)
        if empty.any():
            cells = np.nonzero(empty)
            self.lp.set_bounds(self.d_col[cells], 0.0, 0.0)
            self._pinned_d[cells] = 0.0
            self._is_pinned[cells] = True
            self.lp.drop(self.dev_hi[cells])
            self.lp.drop(self.dev_lo[cells])
            self._group[cells] = self._zero_group
            free &= ~empty
        stage = 0
        while free.any():
            # Forced levels are recomputed as cells get fixed: a fixed cell above its unit's mean changes
            # what the unit's remaining cells must carry.
            settled = self._settle_forced(free, precision)
            if settled.any():
                solution.fixed_stage[settled] = stage
                free &= ~settled
                if not free.any():
                    solution.duals.append(self._bound_duals())
                    solution.stage_levels.append(float(np.abs(self._pinned_d[settled]).min()))
                    break
            name = Said(f"formula fit, stage {stage + 1}", f"贴合因素法：第 {stage + 1} 阶段")
            self._solve_stage(name, precision)
            level = max(0.0, self.lp.value(self.t))
            solution.duals.append(self._bound_duals())
            solution.stage_levels.append(level)
            if level <= ZERO_LEVEL:
                blocked = free.copy()  # every free cell sits on its formula amount
            else:
                priced = (np.abs(self.lp.duals(self.dev_hi.ravel())) > DUAL_TOL) | (
                    np.abs(self.lp.duals(self.dev_lo.ravel())) > DUAL_TOL)
                blocked = free & priced.reshape(shape)
                if not blocked.any():  # duals lost in tolerance: fix the cells sitting at the level
                    d = self.lp.values(self.d_col.ravel()).reshape(shape)
                    blocked = free & (np.abs(d) >= level * (1 - 1e-9) - 1e-12)
                if not blocked.any():
                    # min t over the free cells' rows: one of them is at t unless the solve is wrong, and a
                    # stage that fixes nothing would repeat for ever.
                    raise SolverError(f"{name}: no cell could be fixed at the stage's level {level:.6g}: "
                                      "a numerical problem",
                                      zh=f"{zh_of(name)}：在本阶段的水平 {level:.6g} 上没有可固定的单元格：数值计算问题")
            cells = np.nonzero(blocked)
            self._pin(cells)
            if level > ZERO_LEVEL:
                small = self._follow_pool(free & ~blocked, blocked, level)
                blocked |= small
                cells = np.nonzero(blocked)
            if level <= ZERO_LEVEL:
                self._group[cells] = self._zero_group
            else:
                self._group[cells] = self._new_group("stage", level)
                self._sign[cells] = np.sign(self._pinned_d[cells])
            free &= ~blocked
            solution.fixed_stage[cells] = stage
            stage += 1

    def solve(self) -> LPSolution:
        pr = self.problem
        solution = LPSolution(
            amounts=np.zeros(pr.shape), unallocated=np.zeros(len(pr.pools)), by_category=None,
            fixed_stage=np.full(pr.shape, -1), stage_levels=[], duals=[],
        )
        self._fix_unallocated()
        if pr.objective != "formula_fit":
            self._objective_stage(solution)
        self._formula_fit(solution)
        if not self.lp.records:  # every pool 0: nothing was decided, but slacks and values come from a solve
            self._solve_numerically_feasible(Said("formula fit, every pool 0", "贴合因素法：各项资金均为 0"))
        d = self.lp.values(self.d_col.ravel()).reshape(pr.shape)
        u = np.array([self.lp.value(v) for v in self.unallocated]) * self.pool_scale
        exact = self._exact(np.where(self._followed, self._pinned_d, d), u)
        solution.exact = exact is not None
        if exact is not None:
            solution.amounts, solution.unallocated = exact
        else:
            solution.amounts, solution.unallocated = self._repaired(self.f + self.s * d, u)
        if self.y is not None:
            detail = np.zeros(pr.shape + (len(pr.categories),))
            for (p, i, c), var in self.y.items():
                detail[p, i, c] = self.lp.value(var) * self.unit_scale[i]
            solution.by_category = detail
        slack = self.lp.slacks(self.bound_row_index)
        solution.slack = {row.cid: float(sl) * row.scale for row, sl in zip(self.bound_rows, slack)}
        solution.bound_rows = list(self.bound_rows)
        return solution

    def _repaired(self, x: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The solver's amounts made to spend each pool exactly within the bounds, for when the structure could
        not be read: noise to the feasible side (no cell below 0 or above its cap), then what a pool's cells and
        its unallocated amount miss or exceed by the solver's tolerance shared pro rata to s among the cells with
        room (their own cap and their unit's bounds), the unallocated amount taking or giving the rest."""
        x = np.clip(x, 0.0, self.caps)
        u = np.maximum(u, 0.0)
        for p in range(x.shape[0]):
            miss = float(self.problem.pool_wan[p]) - (float(x[p].sum()) + float(u[p]))
            if miss == 0:
                continue
            totals = x.sum(axis=0)
            if miss > 0:
                room = np.minimum(self.caps[p] - x[p], self.high - totals)
            else:
                room = np.minimum(x[p], totals - self.low)
                take = min(float(u[p]), -miss)
                u[p] -= take
                miss += take
            room = np.maximum(np.nan_to_num(room, posinf=np.finfo(float).max), 0.0)
            weight = np.where(room > 0, self.s[p], 0.0)
            if weight.sum() > 0:
                share = np.minimum(abs(miss) * weight / weight.sum(), room)
                x[p] += np.sign(miss) * share
                miss -= np.sign(miss) * share.sum()
            if miss > 0:
                u[p] += miss
        return x, u

    # -- the amounts, from the structure the stages found ------------------------------------------
    def _exact(self, d_hat: np.ndarray, u_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(pools, units) amounts and (pools,) unallocated, 万元, computed from the structure of the solution.

        Every cell is x = f + s·σ·t_g: on its formula amount (the zero group), on its own cap, or at its group's
        level t_g on side σ, a group being the cells fixed at one formula-fit stage (one unknown) or a unit's
        cells forced by its total (one unknown, set by that total). With the pools' rows and the rows the
        solution holds tight, the unknowns solve a small linear system. Stage groups whose levels agree to 1e-9
        are taken as one (a degenerate dual can split one level over two stages), else cells with equal
        formula amounts could differ in the last bits. When several cells reach their caps at one level (caps
        drawn as one multiple of the formula), the stage cannot tell them apart from cells at that level: the
        last readings put every cell within the solver's tolerance of its cap on it. None when the structure
        does not hold up: a system without a unique solution, or one whose solution breaks a bound or strays
        from the solver's.
        """
        if (self._group < 0).any():
            return None
        lower = self.lower.ravel()
        near = max(1e-9, 2 * self.lp.settings.value_precision)  # a value read back on its bound, to precision
        on_zero = np.abs(self._pinned_d.ravel() - lower) <= near * np.maximum(1.0, np.abs(lower))
        # No cell can hold more than its unit's cap on the total: with one pool that is the cell's own cap.
        self._reach = np.fmin(self.caps, self.high[None, :])
        x_hat = (self.f + self.s * d_hat).ravel()
        on_reach = (x_hat >= self._reach.ravel() - TIGHT * self.s.ravel()) & ~on_zero
        readings = itertools.product((False, True), (False, True), (True, False), (True, False))
        for snap, self._slack_rows, share_zero, merge in readings:
            zero, capped = on_zero.copy(), on_reach.copy() if snap else np.zeros(on_zero.size, dtype=bool)
            # A cell whose group's level would take it below 0 or above its cap sits there instead (a
            # small cell cannot follow the others all the way); at most a few rounds settle which.
            for _ in range(4):
                found = self._exact_with(d_hat, u_hat, merge, share_zero, zero, capped)
                if found is None or not isinstance(found[0], str):
                    break
                zero |= found[1]
                capped |= found[2]
            else:
                found = None
            if found is not None and not isinstance(found[0], str):
                return found
        return None

    def _rows(self, x_hat: np.ndarray):
        """The rows the exact solve uses: each a (cells,) pattern of ones over the cells it adds up, its right
        side (万元) and its scale; pools' rows first (always tight), then the bounds the solution holds tight."""
        from scipy import sparse  # scipy is loaded by the LP's exact solve only, not by every run

        pr = self.problem
        n_pools, n_units = self.f.shape
        cells = np.arange(n_pools * n_units)
        unit_of, pool_of = cells % n_units, cells // n_units
        patterns, rhs, scales = [], [], []
        patterns.append(sparse.csr_matrix((np.ones(cells.size), (pool_of, cells)), shape=(n_pools, cells.size)))
        rhs.append(np.asarray(pr.pool_wan, dtype=float))
        scales.append(self.pool_scale)
        by_unit = sparse.csr_matrix((np.ones(cells.size), (unit_of, cells)), shape=(n_units, cells.size))
        # The bound rows priced at some stage, and those whose slack is within the solver's tolerance. A row of
        # the split into categories is not on the amounts alone: the subsets' rows below stand for them.
        rows = self.bound_rows
        slack = self.lp.slacks(self.bound_row_index) * np.array([r.scale for r in rows]) if rows else np.zeros(0)
        scale_of = np.array([r.scale for r in rows])
        tight = self._priced.copy() if self._slack_rows is False else ((self._priced | (np.abs(slack) <= TIGHT * scale_of)) if rows else np.zeros(0, dtype=bool))
        picked = [k for k in np.flatnonzero(tight) if rows[k].family != "need_category"]
        on_cell = [k for k in picked if rows[k].pool is not None]
        on_unit = [k for k in picked if rows[k].pool is None]
        patterns.append(by_unit[[rows[k].unit for k in on_unit]])
        rhs.append(np.array([rows[k].limit for k in on_unit], dtype=float))
        scales.append(self.unit_scale[[rows[k].unit for k in on_unit]])
        where = np.array([rows[k].pool * n_units + rows[k].unit for k in on_cell], dtype=int)
        patterns.append(sparse.csr_matrix((np.ones(where.size), (np.arange(where.size), where)),
                                          shape=(where.size, cells.size)))
        rhs.append(np.array([rows[k].limit for k in on_cell], dtype=float))
        scales.append(self.s.ravel()[where])
        # Cells the solver left within its tolerance of 0 (those exactly on it are held at 0 already): a column's
        # bound, which has no row to price.
        s = self.s.ravel()
        zero = np.flatnonzero((x_hat.ravel() <= TIGHT * s) & (self.f.ravel() > 100 * TIGHT * s))
        patterns.append(sparse.csr_matrix((np.ones(zero.size), (np.arange(zero.size), zero)),
                                          shape=(zero.size, cells.size)))
        rhs.append(np.zeros(zero.size))
        scales.append(s[zero])
        for members, limit in self._subsets():
            pattern = sparse.csr_matrix(np.repeat(members.astype(float), n_units)[None, :])
            sums = x_hat[members].sum(axis=0)
            tight = np.flatnonzero(np.abs(sums - limit) <= TIGHT * self.unit_scale)
            patterns.append(by_unit[tight].multiply(pattern).tocsr())
            rhs.append(limit[tight])
            scales.append(self.unit_scale[tight])
        return sparse.vstack(patterns).tocsr(), np.concatenate(rhs), np.concatenate(scales)

    def _subsets(self):
        """With categories: per subset of pools, what the units can take from those pools together (the
        categories any of them may pay for), a (units,) limit. The split into categories is feasible exactly
        when every subset keeps within its limit (a transportation problem's condition), so these rows stand
        for the category rows, which are written with the split variables the exact solve does without."""
        pr = self.problem
        n_pools = self.f.shape[0]
        if pr.need_by_category is None or n_pools > MAX_SUBSET_POOLS:
            return []
        # Of the subsets that may pay for the same categories only the largest counts: its row is the one that
        # binds, and a smaller one would look tight too whenever the pools it leaves out give the unit little.
        widest: dict[bytes, np.ndarray] = {}
        for mask in range(1, 2 ** n_pools):
            members = np.array([(mask >> p) & 1 == 1 for p in range(n_pools)])
            categories = pr.eligible[members].any(axis=0)
            key = categories.tobytes()
            if key not in widest or members.sum() > widest[key].sum():
                widest[key] = members
        return [(members, pr.need_by_category[:, pr.eligible[members].any(axis=0)].sum(axis=1))
                for members in widest.values()]

    def _exact_with(self, d_hat: np.ndarray, u_hat: np.ndarray, merge: bool, share_zero: bool,
                    at_zero: np.ndarray, at_cap: np.ndarray):
        from scipy import sparse

        n_pools, n_units = self.f.shape
        n_cells = n_pools * n_units
        f, s = self.f.ravel(), self.s.ravel()
        x_hat = self.f + self.s * d_hat
        group = self._group.ravel()
        kinds = np.array(self._group_kind)
        levels = np.array(self._group_level)
        limits = np.array(self._group_limit)
        kind = kinds[group]
        # A cell fixed on its lower bound holds 0, whatever level its group has: a cell of less than the grain
        # cannot move down by the level of the others (its deviation ends at −f/s); likewise a cell on its cap.
        kind = np.where(at_zero, "zero", np.where(at_cap, "cap", kind))
        sign = self._sign.ravel()
        cells = np.arange(n_cells)
        unit_of = cells % n_units

        # Stage groups → columns of the unknowns, merged where their levels agree.
        stage_groups = np.unique(group[kind == "stage"])  # groups with a cell left off 0
        # Cells left on their formula amounts by a stage of level 0 share, pool by pool, what their pool still
        # has to give or take: a level below the solver's tolerance (a grain in 10⁹ 万元) that it cannot see.
        on_formula = (kind == "zero") & ~at_zero & (self.problem.pool_wan[cells // n_units] > 0)
        column = np.full(kinds.size, -1)
        order = stage_groups[np.argsort(levels[stage_groups], kind="stable")]
        n_cols = 0
        for k, g in enumerate(order):
            if not (merge and k and levels[g] <= levels[order[k - 1]] * (1 + 1e-9) + 1e-12):
                n_cols += 1
            column[g] = n_cols - 1
        on_stage = kind == "stage"
        pool_column = np.full(n_pools, -1)
        if share_zero:
            present = np.unique(cells[on_formula] // n_units)
            pool_column[present] = n_cols + np.arange(present.size)
            n_cols += present.size
        else:
            on_formula[:] = False
        moving = on_stage | on_formula
        col_of = np.where(on_stage, column[group], pool_column[cells // n_units])
        m_stage = sparse.csr_matrix((s[moving] * np.where(on_formula, 1.0, sign)[moving],
                                     (cells[moving], col_of[moving])), shape=(n_cells, n_cols))
        base = np.where(at_zero, 0.0, f)
        on_cap = (kind == "cap") & ~at_zero
        base[on_cap] = self._reach.ravel()[on_cap]

        # A unit's forced cells: t_i = (limit − Σ its other cells − Σ forced f) / Σ forced s·σ, affine in the rest.
        on_unit = kind == "unit"
        matrix = m_stage
        if on_unit.any():
            by_unit = sparse.csr_matrix((np.ones(n_cells), (unit_of, cells)), shape=(n_units, n_cells))
            if np.unique(unit_of[on_unit]).size != np.unique(group[on_unit]).size:
                return None  # settling makes one forced group per unit; anything else is not understood
            limit = np.full(n_units, np.nan)
            limit[unit_of[on_unit]] = limits[group[on_unit]]
            rest = ~on_unit
            weight = by_unit @ np.where(on_unit, s * sign, 0.0)
            has = np.bincount(unit_of[on_unit], minlength=n_units) > 0
            if np.any(weight[has] == 0):
                return None
            safe = np.where(has, weight, 1.0)
            offset = (limit - by_unit @ np.where(on_unit, f, 0.0) - by_unit @ np.where(rest, base, 0.0)) / safe
            slope = -(sparse.diags(np.where(has, 1 / safe, 0.0)) @ by_unit @ sparse.diags(rest.astype(float))
                      @ m_stage)
            base = np.where(on_unit, f + s * sign * np.nan_to_num(offset)[unit_of], base)
            expand = sparse.csr_matrix((s * sign * on_unit, (cells, unit_of)), shape=(n_cells, n_units))
            matrix = (sparse.diags(rest.astype(float)) @ m_stage + expand @ slope).tocsr()

        rows, rhs, scale = self._rows(x_hat)
        unknown_u = np.flatnonzero(u_hat > 0)
        a = np.asarray((rows @ matrix).todense()) if n_cols else np.zeros((rows.shape[0], 0))
        u_part = np.zeros((rows.shape[0], unknown_u.size))
        u_part[unknown_u, np.arange(unknown_u.size)] = 1.0  # the pools' rows come first
        a = np.hstack([a, u_part]) / scale[:, None]
        b = (rhs - rows @ base) / scale
        if a.shape[1]:
            solution, _, rank, _ = np.linalg.lstsq(a, b, rcond=None)
            if rank < a.shape[1]:
                # Some levels are set by rows the amounts alone do not show (a split into categories): those
                # keep the solver's value, the others are computed; the pools' rows still hold exactly.
                start = np.zeros(a.shape[1])
                for g in stage_groups:
                    start[column[g]] = levels[g]
                start[n_cols:] = u_hat[unknown_u]
                null = np.linalg.svd(a)[2][rank:]
                loose = (np.abs(null) > 1e-9).any(axis=0)
                solution = start.copy()
                solution[~loose], _, kept, _ = np.linalg.lstsq(a[:, ~loose], b - a[:, loose] @ start[loose],
                                                               rcond=None)
                if kept < (~loose).sum():
                    return None
        else:
            solution = np.zeros(0)
        if np.abs(a @ solution - b).max(initial=0.0) > RESIDUAL:
            return None
        x = (base + matrix @ solution[:n_cols]).reshape(self.f.shape)
        u = np.zeros(n_pools)
        u[unknown_u] = solution[n_cols:]
        below = (x < -HOLD_TOL * self.s).ravel() & ~at_zero
        above = (x > self._reach + HOLD_TOL * self.s).ravel() & ~at_cap
        if below.any() or above.any():
            return "again", below, above
        if not self._holds(x, u, d_hat):
            return None
        return x, u

    def _holds(self, x: np.ndarray, u: np.ndarray, d_hat: np.ndarray) -> bool:
        """Whether computed amounts meet every bound (to 1e-12 of each row's scale) and stay near where the
        solver put them: a check that the structure was read right (a cell put on the wrong side, or in the wrong
        group, lands far off or breaks a bound). Near is loose: the solver meets a pool's row only to about 1e-7
        of its scale, and what it misses there may land on a few cells and, through a unit's level, on the
        unit's cells in other pools; so 1e-3 of a cell's deviation, or 1e-6 of its pool, whichever is more."""
        tol = HOLD_TOL
        x_hat = self.f + self.s * d_hat
        near = np.maximum(1e-3 * self.s * np.maximum(1.0, np.abs(d_hat)), 1e-6 * self.pool_scale[:, None])
        if np.any(np.abs(x - x_hat) > near):
            return False
        if np.any(x < -tol * self.s) or np.any(x > self.caps + tol * self.s) or np.any(u < -tol * self.pool_scale):
            return False
        totals = x.sum(axis=0)
        if np.any(totals > self.high + tol * self.unit_scale) or np.any(totals < self.low - tol * self.unit_scale):
            return False
        for members, limit in self._subsets():
            if np.any(x[members].sum(axis=0) > limit + tol * self.unit_scale):
                return False
        spent = x.sum(axis=1) + u
        return bool(np.all(np.abs(spent - self.problem.pool_wan) <= tol * self.pool_scale))


def solve_allocation(problem: AllocationProblem, settings: SolverSettings | None = None) -> LPSolution:
    return AllocationLP(problem, settings or SolverSettings()).solve()

"""The allocation linear program and its objectives, solved in stages through ``finmodel.solver``.

Stages, each fixing what the one before decided:

0. unallocated money (未分配): the least each pool must leave unallocated, pool by pool in
   scenario order, so money is never left over while a unit could still take it;
1. the objective (``max_households`` or ``max_min_coverage``), when one is chosen;
2. closeness to the formula: the lexicographic minimax of relative deviations
   |x_pi − f_pi| / f_pi (progressive filling). Minimise the largest deviation t; the
   cells whose deviation constraints carry a dual price cannot do better, so they are
   fixed at t; repeat with the rest. When a bound binds, the difference is thereby shared
   pro rata to the formula among the cells still free, as a person would by hand. It also
   makes the solution unique, so HiGHS and CBC give the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..solver import Infeasible, LinearModel, SolverError, SolverSettings, Variable, lp_sum
from .problem import CELL_UPPER, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem

DUAL_TOL = 1e-9
# A fixed cell keeps this much room (relative to its formula amount) so the next stage stays feasible
# within solver tolerances and the precision of the values read back.
FIX_ROOM = 1e-12


class BoundRow(NamedTuple):
    """One bound constraint of the model: its id, family, pool (None for a unit's total), unit and limit (万元)."""

    cid: str
    family: str
    pool: int | None
    unit: int
    limit: float


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
    """Constraint id → slack in the final solution."""
    bound_rows: list[BoundRow] = field(default_factory=list)
    model: LinearModel | None = None


def _cid(family: str, pool: int | None, unit: int) -> str:
    return f"{family}_d{unit}" if pool is None else f"{family}_p{pool}_d{unit}"


class AllocationLP:
    """Builds the model once; stages change bounds, objectives and which deviation rows are active."""

    def __init__(self, problem: AllocationProblem, settings: SolverSettings, name: str = "allocation",
                 elastic: bool = False, progress=None) -> None:
        self.problem = problem
        self.lp = LinearModel(name, settings, progress)
        self.elastic = elastic
        self.shortfall: dict[str, Variable] = {}
        """Elastic mode: constraint id → how far the requirement is missed, 万元."""
        n_pools, n_units = problem.shape
        p_names, d_names = problem.pools, problem.districts
        self.x = [
            [self.lp.variable(f"x_p{p}_d{i}", f"{p_names[p]} → {d_names[i]}") for i in range(n_units)]
            for p in range(n_pools)
        ]
        self.x_col = np.array([[self.lp.col(v) for v in row] for row in self.x], dtype=int).reshape(problem.shape)
        self.unallocated = [self.lp.variable(f"u_p{p}", f"{p_names[p]} 未分配") for p in range(n_pools)]
        self.t = self.lp.variable("t", "largest relative deviation")
        self.y = None
        self.bound_rows: list[BoundRow] = []
        self.bound_row_index: list[int] = []
        if problem.categories:
            self._categories()
        for p in range(n_pools):
            self.lp.constrain(
                f"pool_p{p}",
                lp_sum(self.x[p]) + self.unallocated[p] == float(problem.pool_wan[p]),
                f"{p_names[p]} spent exactly",
            )
        for bound in problem.bounds:
            self._bound(bound)
        self.dev_hi = self.dev_lo = None

    def _add_bound_row(self, constraint, family: str, pool: int | None, unit: int, limit: float, cid: str) -> None:
        self.bound_row_index.append(self.lp.constrain(cid, constraint))
        self.bound_rows.append(BoundRow(cid, family, pool, unit, limit))

    def _categories(self) -> None:
        pr = self.problem
        n_pools, n_units = pr.shape
        self.y = {}
        for p in range(n_pools):
            for i in range(n_units):
                parts = []
                for c, category in enumerate(pr.categories):
                    if pr.eligible[p, c]:
                        var = self.lp.variable(f"y_p{p}_d{i}_c{c}", f"{pr.pools[p]} → {pr.districts[i]} ({category})")
                        self.y[p, i, c] = var
                        parts.append(var)
                self.lp.constrain(f"split_p{p}_d{i}", self.x[p][i] - lp_sum(parts) == 0)
        for i in range(n_units):
            for c in range(len(pr.categories)):
                parts = [self.y[p, i, c] for p in range(n_pools) if (p, i, c) in self.y]
                if parts:
                    cid = f"need_category_c{c}_d{i}"
                    limit = float(pr.need_by_category[i, c])
                    self._add_bound_row(lp_sum(parts) - self._give(cid) <= limit, "need_category", None, i,
                                        limit, cid)

    def _bound(self, bound) -> None:
        n_pools, n_units = self.problem.shape
        values = bound.values
        if bound.kind == CELL_UPPER:
            for p in range(n_pools):
                for i in np.flatnonzero(~np.isnan(values[p])):
                    cid, limit = _cid(bound.family, p, i), float(values[p, i])
                    self._add_bound_row(self.x[p][i] - self._give(cid) <= limit, bound.family, p, int(i), limit, cid)
            return
        for i in np.flatnonzero(~np.isnan(values)):
            total = lp_sum(self.x[p][i] for p in range(n_pools))
            cid, limit = _cid(bound.family, None, i), float(values[i])
            if bound.kind == TOTAL_UPPER:
                constraint = total - self._give(cid) <= limit
            elif bound.kind == TOTAL_LOWER:
                constraint = total + self._give(cid) >= limit
            else:
                continue
            self._add_bound_row(constraint, bound.family, None, int(i), limit, cid)

    def _give(self, cid: str):
        """In elastic mode, a variable by which the requirement may be missed; otherwise nothing."""
        if not self.elastic:
            return 0
        var = self.lp.variable(f"miss_{cid}", f"shortfall of {cid}")
        self.shortfall[cid] = var
        return var

    def least_shortfall(self) -> dict[str, float]:
        """Elastic mode: the smallest total by which the requirements must be missed, per constraint."""
        self.lp.minimise(lp_sum(self.shortfall.values()))
        self.lp.solve("elastic: least shortfall")
        return {cid: self.lp.value(var) for cid, var in self.shortfall.items() if self.lp.value(var) > 1e-6}

    # -- stages -----------------------------------------------------------------------------------
    def _fix_unallocated(self) -> None:
        pr = self.problem
        can_leave_money = any(b.kind in (TOTAL_UPPER, CELL_UPPER) for b in pr.bounds) or bool(pr.categories)
        for p, var in enumerate(self.unallocated):
            col = self.lp.col(var)
            if not can_leave_money:
                self.lp.set_bounds([col], 0.0, 0.0)
                continue
            self.lp.minimise(var)
            self.lp.solve(f"least unallocated, pool {pr.pools[p]}")
            least = max(0.0, self.lp.value(var))
            least = 0.0 if least < 1e-9 else least
            self.lp.set_bounds([col], least, least)

    def _bound_duals(self) -> dict[str, float]:
        duals = self.lp.duals(self.bound_row_index)
        return {self.bound_rows[k].cid: float(duals[k]) for k in np.flatnonzero(duals != 0)}

    def _objective_stage(self, solution: LPSolution) -> None:
        pr = self.problem
        n_pools, n_units = pr.shape
        totals = [lp_sum(self.x[p][i] for p in range(n_pools)) for i in range(n_units)]
        if pr.objective == "max_households":
            funded = [self.lp.variable(f"h_d{i}", f"{pr.districts[i]} households funded", 0.0,
                                       float(pr.households[i])) for i in range(n_units)]
            for i in range(n_units):
                if pr.need_per_household[i] > 0:
                    self.lp.constrain(f"hh_d{i}", float(pr.need_per_household[i]) * funded[i] - totals[i] <= 0)
            goal = lp_sum(funded)
        else:  # max_min_coverage
            z = self.lp.variable("z", "least share of need covered", 0.0, None)
            for i in range(n_units):
                if pr.need_total[i] > 0:
                    self.lp.constrain(f"cov_d{i}", float(pr.need_total[i]) * z - totals[i] <= 0)
            goal = z
        self.lp.minimise(-goal)
        record = self.lp.solve(f"objective {pr.objective}")
        best = -float(record.objective)
        solution.objective_value = best
        solution.objective_duals = self._bound_duals()
        # Keep the optimum (to a relative 1e-9) while the formula fit breaks the ties.
        self.lp.constrain("objective_kept", goal >= best - 1e-9 * max(1.0, abs(best)))

    def _scale(self) -> np.ndarray:
        return np.maximum(self.problem.formula, 0.01)  # a zero formula amount is measured against the grain

    def deviation_rows(self) -> None:
        """|x − f| ≤ t · f for every cell, and the objective min t: the first formula-fit stage."""
        f, scale = self.problem.formula, self._scale()
        hi = np.zeros(f.shape, dtype=int)
        lo = np.zeros(f.shape, dtype=int)
        for p, i in zip(*np.nonzero(np.ones(f.shape, dtype=bool))):
            hi[p, i] = self.lp.constrain(f"dev_hi_p{p}_d{i}",
                                         self.x[p][i] - float(scale[p, i]) * self.t <= float(f[p, i]))
            lo[p, i] = self.lp.constrain(f"dev_lo_p{p}_d{i}",
                                         self.x[p][i] + float(scale[p, i]) * self.t >= float(f[p, i]))
        self.dev_hi, self.dev_lo = hi, lo
        self.lp.minimise(self.t)

    def forced_levels(self, free: np.ndarray | None = None, pinned: np.ndarray | None = None) -> np.ndarray:
        """(pools, units): a deviation each free cell cannot go below, from its unit's own bounds.

        A cap U below what a unit must have forces the s-weighted mean of its free cells' downward
        deviations to at least (pinned + Σ_free f − U) / Σ_free s, where ``pinned`` is what its fixed
        cells already hold (likewise a floor, upward); a cap on one cell forces that cell alone. Where a
        unit has both kinds and a cell cap forces harder, only the cell caps count: the mean argument then
        no longer bounds the other cells.
        """
        pr = self.problem
        f, scale = pr.formula, self._scale()
        free = np.ones(f.shape, dtype=bool) if free is None else free
        held = np.zeros(f.shape) if pinned is None else np.where(free, 0.0, pinned)
        need = (held + np.where(free, f, 0.0)).sum(axis=0)
        weight = np.where(free, scale, 0.0).sum(axis=0)
        low, high = pr.total_range()
        with np.errstate(invalid="ignore", divide="ignore"):
            by_unit = np.maximum(np.where(high < need, (need - high) / weight, 0.0),
                                 np.where(low > need, (low - need) / weight, 0.0))
            caps = pr.cell_caps()
            by_cell = np.where(caps < f, (f - caps) / scale, 0.0)
        by_unit = np.where(weight > 0, by_unit, 0.0)
        mixed = (free & (by_cell > by_unit[None, :])).any(axis=0)
        levels = np.where(mixed[None, :], by_cell, np.maximum(by_cell, by_unit[None, :]))
        return np.where(free, levels, 0.0)

    def _least_level(self, free: np.ndarray, banded: np.ndarray, forced: np.ndarray) -> float:
        """Min t with the ``banded`` cells held within their forced deviation and the other free cells within t."""
        cells = np.nonzero(banded)
        saved = self.lp.bounds(self.x_col[cells])
        self._band(cells, forced)
        try:
            self.lp.solve("formula fit, probe of forced cells", retry=False)
            return max(0.0, self.lp.value(self.t))
        except SolverError:
            # Infeasible: the banded cells cannot all sit at their forced levels. No verdict: count it as not
            # reachable too; that only settles fewer cells at once, the stages after it stay exact.
            return np.inf
        finally:
            self.lp.set_bounds(self.x_col[cells], *saved)
            self.lp.activate(self.dev_hi[cells])
            self.lp.activate(self.dev_lo[cells])

    def _band(self, cells, forced: np.ndarray) -> None:
        """Hold cells within their forced deviation of the formula, in place of their deviation rows."""
        f, scale = self.problem.formula, self._scale()
        band = forced[cells] * (1 + 1e-9) + 1e-12
        self.lp.set_bounds(self.x_col[cells], np.maximum(0.0, f[cells] - band * scale[cells]),
                           f[cells] + band * scale[cells])
        self.lp.drop(self.dev_hi[cells])
        self.lp.drop(self.dev_lo[cells])

    def _pin(self, cells) -> None:
        """Hold cells where they stand (at their level, on their side of the formula); a ±level band would
        let later stages trade its room against smaller cells."""
        x = self.lp.values(self.x_col[cells])
        self._pinned[cells] = x
        self._is_pinned[cells] = True
        self._hold(cells)
        self.lp.drop(self.dev_hi[cells])
        self.lp.drop(self.dev_lo[cells])

    def _hold(self, cells) -> None:
        x = self._pinned[cells]
        pad = self._precision * np.maximum(self._scale()[cells], np.abs(x)) + self._slack  # relative to the value
        self.lp.set_bounds(self.x_col[cells], np.maximum(0.0, x - pad), x + pad)

    def _solve_stage(self, name: str, precision: float) -> None:
        """Solve a stage; if pinned values, each met only to the solver's tolerance, leave no room together,
        widen every pin a hundredfold and try again (up to 1e-5 万元 a cell)."""
        while True:
            try:
                self.lp.solve(name)
                return
            except Infeasible:
                if self._slack >= 1e-5 or not self._is_pinned.any():
                    raise
                self._slack = max(self._slack * 100, 1e-9)
                self._precision = max(self._precision, precision)
                self._hold(np.nonzero(self._is_pinned))

    def _settle_forced(self, free: np.ndarray, forced: np.ndarray, precision: float) -> np.ndarray:
        """Fix, in one go, every free cell whose own bounds force it above the level the rest can reach.

        With t̂ the least t such that every free cell can be within max(t, its forced level), the
        lexicographic optimum has each cell forced above t̂ exactly at its forced level (a convex
        combination with a solution at t̂ would otherwise lower the sorted deviations). t̂ is found by
        bisection over the distinct forced levels, so a few solves replace a stage per level.
        Returns the cells fixed.
        """
        levels = np.unique(forced[free & (forced > 1e-12)])[::-1]  # descending
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
        self._solve_stage("formula fit, forced cells settled", precision)
        self._pin(cells)
        return settled

    def _formula_fit(self, solution: LPSolution) -> None:
        f = self.problem.formula
        scale = self._scale()
        free = np.ones(f.shape, dtype=bool)
        self._pinned = pinned = np.zeros(f.shape)
        self._is_pinned = np.zeros(f.shape, dtype=bool)
        self.deviation_rows()
        precision = max(FIX_ROOM, 2 * self.lp.settings.value_precision)
        # Interior point copes badly with columns held in a sliver of width 1e-9 but its presolve removes
        # fixed ones, so there pins start exact and widen only if a stage then proves infeasible.
        exact = self.lp.settings.name == "highs" and self.lp.method_used() == "ipm"
        self._precision = 0.0 if exact else precision
        self._slack = 0.0 if exact else 1e-9
        stage = 0
        while free.any():
            # Forced levels are recomputed as cells get fixed: a fixed cell above its unit's mean changes
            # what the unit's remaining cells must carry.
            forced = self.forced_levels(free, pinned)
            settled = self._settle_forced(free, forced, precision)
            if settled.any():
                solution.fixed_stage[settled] = stage
                free &= ~settled
                if not free.any():
                    solution.duals.append(self._bound_duals())
                    solution.stage_levels.append(float(forced[settled].min()))
                    break
            self._solve_stage(f"formula fit, stage {stage + 1}", precision)
            level = max(0.0, self.lp.value(self.t))
            solution.duals.append(self._bound_duals())
            solution.stage_levels.append(level)
            if level <= 1e-12:
                blocked = free.copy()  # every free cell sits on its formula amount
            else:
                priced = (np.abs(self.lp.duals(self.dev_hi.ravel())) > DUAL_TOL) | (
                    np.abs(self.lp.duals(self.dev_lo.ravel())) > DUAL_TOL)
                blocked = free & priced.reshape(f.shape)
                if not blocked.any():  # duals lost in tolerance: fix the cells sitting at the level
                    x = self.lp.values(self.x_col.ravel()).reshape(f.shape)
                    blocked = free & (np.abs(x - f) >= (level - 1e-9) * scale)
            cells = np.nonzero(blocked)
            self._pin(cells)
            free &= ~blocked
            solution.fixed_stage[cells] = stage
            stage += 1

    def solve(self) -> LPSolution:
        pr = self.problem
        solution = LPSolution(
            amounts=np.zeros(pr.shape), unallocated=np.zeros(len(pr.pools)), by_category=None,
            fixed_stage=np.full(pr.shape, -1), stage_levels=[], duals=[], model=self.lp,
        )
        self._fix_unallocated()
        if pr.objective != "formula_fit":
            self._objective_stage(solution)
        self._formula_fit(solution)
        solution.amounts = self.lp.values(self.x_col.ravel()).reshape(pr.shape)
        solution.unallocated = np.array([self.lp.value(v) for v in self.unallocated])
        if self.y is not None:
            detail = np.zeros(pr.shape + (len(pr.categories),))
            for (p, i, c), var in self.y.items():
                detail[p, i, c] = self.lp.value(var)
            solution.by_category = detail
        slack = self.lp.slacks(self.bound_row_index)
        solution.slack = {row.cid: float(s) for row, s in zip(self.bound_rows, slack)}
        solution.bound_rows = list(self.bound_rows)
        return solution


def solve_allocation(problem: AllocationProblem, settings: SolverSettings | None = None) -> LPSolution:
    return AllocationLP(problem, settings or SolverSettings()).solve()

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
import pulp

from ..solver import LinearModel, SolverSettings
from .problem import CELL_UPPER, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem

DUAL_TOL = 1e-9
# A fixed deviation is given this much room (relative) so the next stage stays feasible within solver
# tolerances and the precision of the values read back.
FIX_ROOM = 1e-9


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
    """Per formula-fit stage: constraint id → dual price (change of that stage's deviation per 万元)."""
    objective_duals: dict[str, float] = field(default_factory=dict)
    """At the objective stage: constraint id → dual (objective per 万元)."""
    objective_value: float | None = None
    slack: dict[str, float] = field(default_factory=dict)
    """Constraint id → slack in the final solution."""
    bound_rows: list[BoundRow] = field(default_factory=list)
    model: LinearModel | None = None


class BoundRow(NamedTuple):
    """One bound constraint of the model: its id, family, pool (None for a unit's total), unit and limit (万元)."""

    cid: str
    family: str
    pool: int | None
    unit: int
    limit: float


def _cid(family: str, pool: int | None, unit: int) -> str:
    return f"{family}_d{unit}" if pool is None else f"{family}_p{pool}_d{unit}"


class AllocationLP:
    """Builds the model once; stages change bounds, objectives and the deviation constraints."""

    def __init__(self, problem: AllocationProblem, settings: SolverSettings, name: str = "allocation",
                 elastic: bool = False) -> None:
        self.problem = problem
        self.lp = LinearModel(name, settings)
        self.elastic = elastic
        self.shortfall: dict[str, pulp.LpVariable] = {}
        """Elastic mode: constraint id → how far the requirement is missed, 万元."""
        n_pools, n_units = problem.shape
        p_names, d_names = problem.pools, problem.districts
        self.x = [
            [self.lp.variable(f"x_p{p}_d{i}", f"{p_names[p]} → {d_names[i]}") for i in range(n_units)]
            for p in range(n_pools)
        ]
        self.unallocated = [self.lp.variable(f"u_p{p}", f"{p_names[p]} 未分配") for p in range(n_pools)]
        self.t = self.lp.variable("t", "largest relative deviation")
        self.y = None
        self.bound_rows: list[BoundRow] = []
        if problem.categories:
            self._categories()
        for p in range(n_pools):
            self.lp.constrain(
                f"pool_p{p}",
                pulp.lpSum(self.x[p]) + self.unallocated[p] == float(problem.pool_wan[p]),
                f"{p_names[p]} spent exactly",
            )
        for bound in problem.bounds:
            self._bound(bound)

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
                self.lp.constrain(f"split_p{p}_d{i}", self.x[p][i] - pulp.lpSum(parts) == 0)
        for i in range(n_units):
            for c in range(len(pr.categories)):
                parts = [self.y[p, i, c] for p in range(n_pools) if (p, i, c) in self.y]
                if parts:
                    cid = f"need_category_c{c}_d{i}"
                    self.lp.constrain(cid, pulp.lpSum(parts) - self._give(cid) <= float(pr.need_by_category[i, c]))
                    self.bound_rows.append(BoundRow(cid, "need_category", None, i, float(pr.need_by_category[i, c])))

    def _bound(self, bound) -> None:
        n_pools, n_units = self.problem.shape
        values = bound.values
        if bound.kind == CELL_UPPER:
            for p in range(n_pools):
                for i in np.flatnonzero(~np.isnan(values[p])):
                    cid = _cid(bound.family, p, i)
                    self.lp.constrain(cid, self.x[p][i] - self._give(cid) <= float(values[p, i]))
                    self.bound_rows.append(BoundRow(cid, bound.family, p, int(i), float(values[p, i])))
            return
        for i in np.flatnonzero(~np.isnan(values)):
            total = pulp.lpSum(self.x[p][i] for p in range(n_pools))
            cid = _cid(bound.family, None, i)
            if bound.kind == TOTAL_UPPER:
                self.lp.constrain(cid, total - self._give(cid) <= float(values[i]))
            elif bound.kind == TOTAL_LOWER:
                self.lp.constrain(cid, total + self._give(cid) >= float(values[i]))
            self.bound_rows.append(BoundRow(cid, bound.family, None, int(i), float(values[i])))

    def _give(self, cid: str):
        """In elastic mode, a variable by which the requirement may be missed; otherwise nothing."""
        if not self.elastic:
            return 0
        var = self.lp.variable(f"miss_{cid}", f"shortfall of {cid}")
        self.shortfall[cid] = var
        return var

    def least_shortfall(self) -> dict[str, float]:
        """Elastic mode: the smallest total by which the requirements must be missed, per constraint."""
        self.lp.minimise(pulp.lpSum(self.shortfall.values()))
        self.lp.solve("elastic: least shortfall")
        return {cid: float(var.varValue) for cid, var in self.shortfall.items() if float(var.varValue) > 1e-6}

    # -- stages -----------------------------------------------------------------------------------
    def _fix_unallocated(self) -> None:
        pr = self.problem
        can_leave_money = any(b.kind in (TOTAL_UPPER, CELL_UPPER) for b in pr.bounds) or bool(pr.categories)
        for p, var in enumerate(self.unallocated):
            if not can_leave_money:
                var.lowBound = var.upBound = 0.0
                continue
            self.lp.minimise(var)
            self.lp.solve(f"least unallocated, pool {pr.pools[p]}")
            least = max(0.0, float(var.varValue))
            least = 0.0 if least < 1e-9 else least
            var.lowBound = var.upBound = least

    def _objective_stage(self, solution: LPSolution) -> None:
        pr = self.problem
        n_pools, n_units = pr.shape
        totals = [pulp.lpSum(self.x[p][i] for p in range(n_pools)) for i in range(n_units)]
        if pr.objective == "max_households":
            funded = [self.lp.variable(f"h_d{i}", f"{pr.districts[i]} households funded", 0.0,
                                       float(pr.households[i])) for i in range(n_units)]
            for i in range(n_units):
                if pr.need_per_household[i] > 0:
                    self.lp.constrain(f"hh_d{i}", float(pr.need_per_household[i]) * funded[i] - totals[i] <= 0)
            goal = pulp.lpSum(funded)
        else:  # max_min_coverage
            z = self.lp.variable("z", "least share of need covered", 0.0, None)
            for i in range(n_units):
                if pr.need_total[i] > 0:
                    self.lp.constrain(f"cov_d{i}", float(pr.need_total[i]) * z - totals[i] <= 0)
            goal = z
        self.lp.minimise(-goal)
        self.lp.solve(f"objective {pr.objective}")
        best = float(pulp.value(goal))
        solution.objective_value = best
        solution.objective_duals = {cid: self.lp.constraints[cid].pi or 0.0 for cid, *_ in self.bound_rows}
        # Keep the optimum (to a relative 1e-9) while the formula fit breaks the ties.
        self.lp.constrain("objective_kept", goal >= best - 1e-9 * max(1.0, abs(best)))

    def _scale(self) -> np.ndarray:
        return np.maximum(self.problem.formula, 0.01)  # a zero formula amount is measured against the grain

    def deviation_rows(self) -> None:
        """|x − f| ≤ t · f for every cell, and the objective min t: the first formula-fit stage."""
        f, scale = self.problem.formula, self._scale()
        for p, i in zip(*np.nonzero(np.ones(f.shape, dtype=bool))):
            self.lp.constrain(f"dev_hi_p{p}_d{i}", self.x[p][i] - float(scale[p, i]) * self.t <= float(f[p, i]))
            self.lp.constrain(f"dev_lo_p{p}_d{i}", self.x[p][i] + float(scale[p, i]) * self.t >= float(f[p, i]))
        self.lp.minimise(self.t)

    def _formula_fit(self, solution: LPSolution) -> None:
        pr = self.problem
        f = pr.formula
        scale = self._scale()
        free = np.ones(f.shape, dtype=bool)
        stage = 0
        self.deviation_rows()
        while free.any():
            cells = list(zip(*np.nonzero(free)))
            hi_ids = [f"dev_hi_p{p}_d{i}" for p, i in cells]
            lo_ids = [f"dev_lo_p{p}_d{i}" for p, i in cells]
            self.lp.minimise(self.t)
            self.lp.solve(f"formula fit, stage {stage + 1}")
            level = max(0.0, float(self.t.varValue))
            constraints = self.lp.constraints
            solution.duals.append({cid: constraints[cid].pi or 0.0 for cid, *_ in self.bound_rows})
            solution.stage_levels.append(level)
            if level <= 1e-12:
                blocked = cells  # every free cell sits on its formula amount
            else:
                blocked = [
                    cell for cell, hi, lo in zip(cells, hi_ids, lo_ids)
                    if abs(constraints[hi].pi or 0.0) > DUAL_TOL or abs(constraints[lo].pi or 0.0) > DUAL_TOL
                ]
                if not blocked:  # duals lost in tolerance: fix the cells sitting at the level
                    blocked = [
                        (p, i) for p, i in cells
                        if abs(float(self.x[p][i].varValue) - f[p, i]) >= (level - 1e-9) * scale[p, i]
                    ]
            precision = max(FIX_ROOM, 2 * self.lp.settings.value_precision)
            room = level * (1 + precision) + precision
            for p, i in blocked:
                var = self.x[p][i]
                var.lowBound = max(0.0, f[p, i] - room * scale[p, i])
                var.upBound = f[p, i] + room * scale[p, i]
                free[p, i] = False
                solution.fixed_stage[p, i] = stage
            self.lp.drop(f"dev_hi_p{p}_d{i}" for p, i in blocked)
            self.lp.drop(f"dev_lo_p{p}_d{i}" for p, i in blocked)
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
        solution.amounts = np.array([[float(v.varValue) for v in row] for row in self.x])
        solution.unallocated = np.array([float(v.varValue) for v in self.unallocated])
        if self.y is not None:
            detail = np.zeros(pr.shape + (len(pr.categories),))
            for (p, i, c), var in self.y.items():
                detail[p, i, c] = float(var.varValue)
            solution.by_category = detail
        solution.slack = {cid: float(self.lp.constraints[cid].slack or 0.0) for cid, *_ in self.bound_rows}
        solution.bound_rows = list(self.bound_rows)
        return solution


def solve_allocation(problem: AllocationProblem, settings: SolverSettings | None = None) -> LPSolution:
    return AllocationLP(problem, settings or SolverSettings()).solve()

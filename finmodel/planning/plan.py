"""The multi-year plan (年度改造计划): which year each eligible community is renovated, within each district's
yearly budget, at most once; deadlines are soft and what they miss is reported.

Integer program (through ``finmodel.solver``), x_iy = 1 when community i is renovated in year y:

    Σ_y x_iy ≤ 1                                           at most once
    Σ_{i∈d} c_i x_iy ≤ B_dy                                without carry-over, or with it
    Σ_{τ≤y} Σ_{i∈d} c_i x_iτ ≤ Σ_{τ≤y} B_dτ                (money not spent stays available later)
    max Σ_iy v_iy x_iy,   v_iy = p_i h_i (1 − e)^(y − y₀) + Σ_k π_k h_i [i ∈ S_k, y ≤ Y_k]

with p_i the priority, h_i the households, e the value lost per year of delay, and for each deadline k the set
S_k of communities it covers, its year Y_k and its penalty π_k per household missed (a missed household costs
π_k h_i against renovating it in time, so the penalty enters as a reward for being in time).

For each deadline, a second program finds the least extra money per district and year that would meet it: the
deadline made hard, the budgets raised by e_dy ≥ 0, Σ e_dy minimised (later years very slightly preferred, so that
money is asked for no earlier than needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Said
from ..solver import LinearModel, SolverSettings, linear, lp_sum


@dataclass(frozen=True)
class Deadline:
    id: str
    by_year: int
    members: np.ndarray
    """(communities,) bool: covered by the deadline."""
    penalty: float
    label: str = ""
    clause: str = ""


@dataclass(frozen=True)
class PlanProblem:
    ids: list[str]
    district_of: np.ndarray
    """(communities,) index into ``districts``."""
    districts: list[str]
    years: list[int]
    cost: np.ndarray
    households: np.ndarray
    priority: np.ndarray
    budgets: np.ndarray
    """(districts, years) 万元."""
    carry_over: bool
    earliness: float
    deadlines: list[Deadline]

    def values(self) -> np.ndarray:
        """(communities, years): the objective's value of renovating each community in each year."""
        y = np.arange(len(self.years))
        value = (self.priority * self.households)[:, None] * (1 - self.earliness) ** y[None, :]
        for deadline in self.deadlines:
            in_time = np.array(self.years) <= deadline.by_year
            value = value + deadline.penalty * (deadline.members * self.households)[:, None] * in_time[None, :]
        return value


@dataclass(frozen=True)
class PlanSolution:
    year: np.ndarray
    """(communities,) the year chosen, 0 for none."""
    objective: float
    gap: float | None
    solver: dict


def _model(problem: PlanProblem, settings: SolverSettings, progress: Callable | None, *, extra: bool = False
           ) -> tuple[LinearModel, dict, dict]:
    model = LinearModel("plan", settings, progress)
    n, n_years = len(problem.ids), len(problem.years)
    x = {}
    for i in range(n):
        for t in range(n_years):
            x[i, t] = model.variable(f"x_{i}_{t}", f"{problem.ids[i]} in {problem.years[t]}", 0, 1, integer=True)
        model.constrain(f"once_{i}", lp_sum(x[i, t] for t in range(n_years)) <= 1, f"{problem.ids[i]} once")
    e = {}
    if extra:
        for d in range(len(problem.districts)):
            for t in range(n_years):
                e[d, t] = model.variable(f"e_{d}_{t}", f"extra money {problem.districts[d]} {problem.years[t]}", 0)
    members = [np.flatnonzero(problem.district_of == d) for d in range(len(problem.districts))]
    for d, rows in enumerate(members):
        for t in range(n_years):
            span = range(t + 1) if problem.carry_over else (t,)
            terms = [(x[i, s], float(problem.cost[i])) for s in span for i in rows]
            if extra:
                terms += [(e[d, s], -1.0) for s in span]
            limit = float(sum(problem.budgets[d, s] for s in span))
            model.constrain(f"budget_{d}_{t}", linear(terms) <= limit,
                            f"budget {problem.districts[d]} {problem.years[t]}")
    return model, x, e


def solve_plan(problem: PlanProblem, settings: SolverSettings | None = None, progress: Callable | None = None
               ) -> PlanSolution:
    settings = settings or SolverSettings()
    model, x, _ = _model(problem, settings, progress)
    value = problem.values()
    model.minimise(linear([(var, -float(value[i, t])) for (i, t), var in x.items()]))
    # A solver's stop is a SolveError already, named by its stage: no second prefix.
    record = model.solve(Said("plan", "改造计划"))
    year = np.zeros(len(problem.ids), dtype=int)
    for (i, t), var in x.items():
        if model.value(var) > 0.5:
            year[i] = problem.years[t]
    return PlanSolution(year=year, objective=-record.objective, gap=record.gap, solver=model.manifest())


def extra_money(problem: PlanProblem, deadline: Deadline, settings: SolverSettings | None = None,
                progress: Callable | None = None) -> pd.DataFrame:
    """(districts × years) the least extra money that meets ``deadline`` for every community it covers."""
    settings = settings or SolverSettings()
    model, x, e = _model(problem, settings, progress, extra=True)
    in_time = [t for t, y in enumerate(problem.years) if y <= deadline.by_year]
    for i in np.flatnonzero(deadline.members):
        model.constrain(f"deadline_{i}", lp_sum(x[i, t] for t in in_time) >= 1, f"{problem.ids[i]} in time")
    last = len(problem.years) - 1
    model.minimise(lp_sum((1 + 1e-4 * (last - t)) * var for (d, t), var in e.items()))
    model.solve(Said(f"extra money for {deadline.id}", f"{deadline.id} 所需追加资金"))
    grid = np.array([[model.value(e[d, t]) for t in range(len(problem.years))] for d in range(len(problem.districts))])
    return pd.DataFrame(np.where(grid > 1e-7, grid, 0.0), index=problem.districts, columns=problem.years)

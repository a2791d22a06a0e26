"""Random allocations, from a pool of 0 to 10¹⁰ 万元, with factors spanning 12 orders of magnitude and every
bound family: every run ends within its time limit, spends each pool exactly to the 0.01 万元, gives no cell
below 0, keeps every bound, and HiGHS and CBC give the same table; so does progressive filling, wherever it
applies (no need by category).

The instances come from a seeded generator, so a failure names the seed that shows it.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from finmodel.allocation import solve_rounded
from finmodel.allocation.formula import factor_formula
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down, grid_up
from finmodel.errors import InfeasibleError, SolveError
from finmodel.solver import SolverSettings

CASES = 1_000
TIME_LIMIT_S = 30.0


def random_problem(seed: int) -> AllocationProblem:
    """One random allocation: 2–12 units, 1–3 pools, each bound family on at random, bounds drawn around the
    formula amounts so that most instances are feasible and many bounds bind."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 13))
    n_pools = int(rng.integers(1, 4))
    pools, formula = [], []
    # One order of magnitude for the run, from a few grains to 10¹⁰ 万元; the pools of one run within a factor of
    # 25 of each other, as central, provincial and city money are, and now and then a pool of 0.
    scale = 10 ** rng.uniform(-1.5, 10)
    # One table of factors for all pools, as a scenario has: the first factor over 12 orders of magnitude, the
    # others over 2, each with at least a fifth of the weight, and now and then two units tied on every factor.
    n_factors = int(rng.integers(2, 4))
    values = np.column_stack([10 ** rng.uniform(-6, 6, n)] + [10 ** rng.uniform(0, 2, n) for _ in range(n_factors - 1)])
    if rng.random() < 0.3:
        values[rng.integers(1, n)] = values[0]
    table = pd.DataFrame(values, columns=[f"k{j}" for j in range(n_factors)])
    for _ in range(n_pools):
        if rng.random() < 0.1:
            amount = 0.0
        else:
            amount = float(np.clip(round(scale * rng.uniform(0.2, 5.0), 2), 0.01, 1e10))
        weights = 0.2 + (1 - 0.2 * n_factors) * rng.dirichlet(np.ones(n_factors))
        result = factor_formula(table, dict(zip(table.columns, weights)), amount)
        pools.append(amount)
        formula.append(result.districts["amount_wan"].to_numpy())
    pool_wan = np.array(pools)
    formula = np.array(formula)
    total = formula.sum(axis=0)
    mean = pool_wan.sum() / n

    def some(values):  # the bound for a random part of the units, NaN for the others
        return np.where(rng.random(n) < 0.7, values, np.nan)

    bounds, extra = [], {}
    if rng.random() < 0.3:
        if rng.random() < 0.5:
            bounds.append(Bound("need", grid_down(some(total * rng.uniform(0.3, 3.0, n)))))
        else:
            n_categories = int(rng.integers(2, 4))
            share = rng.dirichlet(np.ones(n_categories), n)
            eligible = rng.random((n_pools, n_categories)) < 0.7
            eligible[np.arange(n_pools), rng.integers(0, n_categories, n_pools)] = True
            extra = dict(categories=[f"c{c}" for c in range(n_categories)],
                         need_by_category=grid_down(share * (total * rng.uniform(0.5, 3.0, n))[:, None]),
                         eligible=eligible)
    if rng.random() < 0.3:
        bounds.append(Bound("cofinancing", grid_down(some(total * rng.uniform(0.5, 4.0, n)))))
    if rng.random() < 0.4:
        last = total * rng.uniform(0.6, 1.4, n)
        if rng.random() < 0.6:
            bounds.append(Bound("hold_harmless_floor", grid_up(some(rng.uniform(0.7, 1.0) * last))))
        if rng.random() < 0.8:
            bounds.append(Bound("hold_harmless_cap", grid_down(some(rng.uniform(1.0, 1.5) * last))))
    if rng.random() < 0.3:
        bounds.append(Bound("corridor_low", grid_up(rng.uniform(0.5, 1.0) * total)))
        bounds.append(Bound("corridor_high", grid_down(rng.uniform(1.0, 2.0) * total)))
    if rng.random() < 0.3:
        bounds.append(Bound("minimum", grid_up(np.where(rng.random(n) < 0.5, mean * rng.uniform(0, 1.2), np.nan))))
    if rng.random() < 0.3:
        share = rng.uniform(1.2 / n, 1.0)
        bounds.append(Bound("max_pool_share", grid_down(np.repeat((share * pool_wan)[:, None], n, axis=1))))
    if rng.random() < 0.3:
        poor = rng.random(n) < 0.3
        bounds.append(Bound("performance_cap", grid_down(np.where(poor[None, :], formula, np.nan))))
    return AllocationProblem(districts=[f"d{i}" for i in range(n)], pools=[f"p{k}" for k in range(n_pools)],
                             pool_wan=pool_wan, formula=formula, bounds=bounds, **extra)


def run(problem: AllocationProblem, solver: str, fit_method: str = "lp"):
    """The rounded table (units + 1, pools) in 0.01 万元, or the kind of error the run stopped with; and seconds."""
    start = time.monotonic()
    settings = SolverSettings(name=solver, time_limit_s=TIME_LIMIT_S, deadline=start + TIME_LIMIT_S)
    try:
        outcome = solve_rounded(replace(problem, fit_method=fit_method), settings)[1]
    except InfeasibleError:
        outcome = "infeasible"
    except SolveError as exc:
        outcome = f"SolveError: {exc}"
    return outcome, time.monotonic() - start


def check_table(problem: AllocationProblem, table: np.ndarray) -> None:
    n = problem.shape[1]
    assert (table >= 0).all(), "a negative cell"
    assert (table.sum(axis=0) == np.round(problem.pool_wan * 100)).all(), "a pool not spent exactly"
    cells, totals = table[:n].T, table[:n].sum(axis=1)
    for bound in problem.bounds:
        limit = np.round(bound.values * 100)
        if bound.kind == "total_upper":
            assert np.all(np.isnan(limit) | (totals <= limit)), bound.family
        elif bound.kind == "total_lower":
            assert np.all(np.isnan(limit) | (totals >= limit)), bound.family
        else:
            assert np.all(np.isnan(limit) | (cells <= limit)), bound.family
    if problem.need_by_category is not None:
        # The categories' condition on the rounded table: every subset of pools within what it may pay for.
        n_pools = problem.shape[0]
        for mask in range(1, 2 ** n_pools):
            members = np.array([(mask >> p) & 1 == 1 for p in range(n_pools)])
            limit = np.round(problem.need_by_category[:, problem.eligible[members].any(axis=0)].sum(axis=1) * 100)
            assert np.all(cells[members].sum(axis=0) <= limit), "need by category"


@pytest.mark.slow
@pytest.mark.parametrize("block", range(CASES // 50))
def test_random_allocations(block):
    for seed in range(block * 50, block * 50 + 50):
        problem = random_problem(seed)
        highs, highs_s = run(problem, "highs")
        cbc, cbc_s = run(problem, "cbc")
        assert highs_s < TIME_LIMIT_S and cbc_s < TIME_LIMIT_S, f"seed {seed}: a run outlasted its time limit"
        for outcome in (highs, cbc):
            if isinstance(outcome, str):  # a stated end: the rules cannot be met, or exit 4 naming the trouble
                assert outcome == "infeasible" or outcome.startswith("SolveError: "), f"seed {seed}: {outcome}"
            else:
                check_table(problem, outcome)
        same = (isinstance(highs, str) and highs == cbc == "infeasible") or (
            not isinstance(highs, str) and not isinstance(cbc, str) and (highs == cbc).all())
        assert same, f"seed {seed}: HiGHS {highs!r}, CBC {cbc!r}"
        if not problem.categories:
            filled, _ = run(problem, "highs", fit_method="auto")
            agree = (isinstance(highs, str) and filled == highs) or (
                not isinstance(highs, str) and not isinstance(filled, str) and (filled == highs).all())
            assert agree, f"seed {seed}: HiGHS {highs!r}, filling {filled!r}"

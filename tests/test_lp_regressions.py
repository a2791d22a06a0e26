"""Instances on which the allocation LP's lexicographic fit is known not to hold up, found by the random search of
test_lp_properties.py. Each is an expected failure that must keep failing the way it is described (strict): when
the LP is made robust the test passes, is flagged, and its mark goes. The default split, pro rata, does not use the
LP, and the fit does not either where progressive filling applies (``allocation/filling.py``, its bounds are all on
units' totals and cells): on both instances it gives the exact table, tested below."""

from __future__ import annotations

import numpy as np
import pytest

from finmodel.allocation import round_solution, solve_rounded
from finmodel.allocation.lp import solve_allocation
from finmodel.allocation.problem import AllocationProblem, Bound
from finmodel.errors import SolverError
from finmodel.solver import SolverSettings


def _problem(pool_wan, formula, need, pool_share) -> AllocationProblem:
    return AllocationProblem(
        districts=[f"d{k}" for k in range(7)], pools=["p0", "p1", "p2"], pool_wan=np.array(pool_wan, dtype=float),
        formula=np.array(formula, dtype=float),
        bounds=[Bound("need", np.array(need, dtype=float)),
                Bound("max_pool_share", np.repeat(np.array(pool_share, dtype=float)[:, None], 7, axis=1))],
        objective="formula_fit")


def first_instance() -> AllocationProblem:
    return _problem([6722, 8753, 3112],
                    [[1, 2, 2, 675, 4222, 50, 1770], [4417, 3084, 25, 405, 489, 206, 127], [1167, 1, 99, 1738, 1, 105, 1]],
                    [6658.31, 1688.11, 1660.81, 2292.95, 3800.12, 1660.15, 1293.69], [1991.72, 3759.69, 1778.3])


def second_instance() -> AllocationProblem:
    return _problem([2422, 8656, 3253],
                    [[1, 1, 1, 655, 1012, 29, 723], [4334, 2998, 29, 456, 523, 194, 122], [1128, 3, 104, 1898, 1, 118, 1]],
                    [5980.55, 1055.94, 973.38, 1615.73, 2518.54, 1341.28, 1135.39], [717.64, 3718.03, 1858.87])


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="simplex and interior point end 9.5e-5 万元 apart (a hundredth of the 0.01 万元 grain) on "
                          "two cells: the optimum is not unique at HiGHS's tolerances")
def test_simplex_and_interior_point_agree_on_a_max_pool_share_instance():
    problem = first_instance()
    simplex = solve_allocation(problem, SolverSettings(method="simplex")).amounts
    ipm = solve_allocation(problem, SolverSettings(method="ipm")).amounts
    np.testing.assert_allclose(ipm, simplex, rtol=1e-7, atol=1e-5)


@pytest.mark.xfail(strict=True, raises=SolverError,
                   reason="stage 1 of the fit is reported infeasible after the stage before solved, even with the "
                          "fixed cells given room: a numerical problem, raised as such")
def test_the_fit_solves_a_max_pool_share_instance_by_simplex_and_interior_point():
    problem = second_instance()
    for method in ("simplex", "ipm"):
        amounts = solve_allocation(problem, SolverSettings(method=method)).amounts
        np.testing.assert_allclose(amounts.sum(axis=1), problem.pool_wan, atol=1e-6)


def test_progressive_filling_gives_both_methods_table_on_the_first_instance():
    problem = first_instance()
    _, table, manifest, _ = solve_rounded(problem, SolverSettings())
    assert manifest["path"] == "filling"
    for method in ("simplex", "ipm"):
        np.testing.assert_array_equal(round_solution(problem, solve_allocation(problem, SolverSettings(method=method))),
                                      table)


def test_progressive_filling_solves_the_second_instance():
    problem = second_instance()
    solution, table, manifest, _ = solve_rounded(problem, SolverSettings())
    assert manifest["path"] == "filling"
    np.testing.assert_allclose(solution.amounts.sum(axis=1), problem.pool_wan, rtol=0, atol=1e-9)
    assert (table[:7].sum(axis=1) <= np.round(problem.bounds[0].values * 100)).all()
    assert (table[:7] <= np.round(np.array([717.64, 3718.03, 1858.87]) * 100)).all()
    assert (table.sum(axis=0) == np.round(problem.pool_wan * 100)).all() and table[7].sum() == 0

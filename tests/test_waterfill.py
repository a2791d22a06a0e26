"""The pro-rata rule (``allocation/waterfill.py``): water-filling by hand, and the same table as the LP's
lexicographic fit wherever the two model the same thing."""

from __future__ import annotations

import numpy as np
import pytest

from finmodel.allocation import round_solution, solve_rounded
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down, grid_up
from finmodel.allocation.waterfill import pool_bounds, pro_rata, water_fill
from finmodel.solver import SolverSettings

INF = np.inf
F = np.array([40.0, 30.0, 20.0, 10.0])  # a pool of 100 split 40/30/20/10 by the formula


@pytest.mark.parametrize("low, high, x, scale, left", [
    # A capped at 30: the 10 it cannot take goes to B, C, D × 35/30 (70 + 10 over 60).
    ([0, 0, 0, 0], [30, INF, INF, INF], [30, 35, 70 / 3, 35 / 3], 7 / 6, 0),
    # A at 30, B at 32: C and D share 38 over 30.
    ([0, 0, 0, 0], [30, 32, INF, INF], [30, 32, 76 / 3, 38 / 3], 38 / 30, 0),
    # D needs 15: A, B, C give up 5 of 90 (× 85/90).
    ([0, 0, 0, 15], [INF] * 4, [340 / 9, 85 / 3, 170 / 9, 15], 85 / 90, 0),
    # A floor and a cap at once: D lifted to 15, A held at 30; B and C share 55 over 50.
    ([0, 0, 0, 15], [30, INF, INF, INF], [30, 33, 22, 15], 1.1, 0),
    # Every unit capped below its share: 18 left over.
    ([0, 0, 0, 0], [30, 32, 10, 10], [30, 32, 10, 10], INF, 18),
])
def test_water_filling_by_hand(low, high, x, scale, left):
    got, lam, rest = water_fill(F, np.array(low, float), np.array(high, float), 100.0)
    np.testing.assert_allclose(got, x, rtol=1e-12)
    assert lam == pytest.approx(scale, rel=1e-12) and rest == pytest.approx(left)


def test_a_unit_without_formula_amount_stays_on_its_floor_and_floors_above_the_pool_are_refused():
    got, _, _ = water_fill(np.array([0.0, 60.0, 40.0]), np.array([5.0, 0, 0]), np.full(3, INF), 100.0)
    np.testing.assert_allclose(got, [5, 57, 38])
    with pytest.raises(ValueError):
        water_fill(F, np.array([50.0, 60, 0, 0]), np.full(4, INF), 100.0)


def test_a_bound_on_the_total_is_shared_among_the_pools_by_formula_amounts():
    # X: formula 50 in A and 10 in B, cap 48 on its total → 40 in A and 8 in B (× 0.8 each).
    problem = AllocationProblem(districts=["X", "Y"], pools=["A", "B"], pool_wan=np.array([80.0, 40.0]),
                                formula=np.array([[50.0, 30.0], [10.0, 30.0]]),
                                bounds=[Bound("need", np.array([48.0, np.nan]))])
    bounds = pool_bounds(problem)
    np.testing.assert_allclose(bounds.high[:, 0], [40, 8])
    filled, _ = pro_rata(problem)
    np.testing.assert_allclose(filled.amounts, [[40, 40], [8, 32]])
    np.testing.assert_allclose(filled.scales, [40 / 30, 32 / 30])


def _random(seed: int, n_pools: int):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 15))
    formula = np.array([rng.dirichlet(np.ones(n)) for _ in range(n_pools)]) * rng.uniform(10, 1e5, (n_pools, 1))
    formula = np.round(formula, 6)
    pool_wan = np.round(formula.sum(axis=1), 2)
    total = formula.sum(axis=0)
    bounds = []
    if rng.random() < 0.8:
        bounds.append(Bound("need", grid_down(np.where(rng.random(n) < 0.6, total * rng.uniform(0.5, 1.3, n), np.nan))))
    if rng.random() < 0.6:
        low = np.where(rng.random(n) < 0.5, total * rng.uniform(0.8, 1.4, n), np.nan)
        if bounds:  # a floor at most the unit's cap
            low = np.where(np.isnan(low), np.nan, np.minimum(low, np.nan_to_num(bounds[0].values, nan=np.inf)))
        bounds.append(Bound("hold_harmless_floor", grid_up(low)))
    return AllocationProblem(districts=[f"u{i}" for i in range(n)], pools=[f"p{k}" for k in range(n_pools)],
                             pool_wan=pool_wan, formula=formula, bounds=bounds)


def test_one_pool_gives_the_lps_table_cell_for_cell():
    """With one pool a bound on a unit's total is a bound on its cell: the LP's lexicographic fit is water-filling,
    and the two tables agree to the grain."""
    from dataclasses import replace

    compared = 0
    for seed in range(200):
        problem = _random(seed, 1)
        filled, _ = pro_rata(problem)
        if filled is None:
            continue
        try:
            _, lp_table, _, _ = solve_rounded(replace(problem, split="fit", fit_method="lp"),
                                              SolverSettings())
        except Exception as exc:  # the LP refuses what water-filling refused too
            raise AssertionError(f"seed {seed}: the LP failed where water-filling did not: {exc}") from exc
        solution = filled.solution()
        np.testing.assert_array_equal(round_solution(problem, solution), lp_table, err_msg=f"seed {seed}")
        compared += 1
    assert compared >= 100


def test_several_pools_give_the_lps_amounts_on_the_shared_bounds():
    """With several pools the rule first shares each total cap among the pools; the LP given those shares as caps
    on single cells finds the same amounts (its fit decomposes by pool)."""
    from dataclasses import replace

    compared = 0
    for seed in range(100):
        problem = _random(seed, 3)
        problem = replace(problem, bounds=[b for b in problem.bounds if b.family == "need"])
        filled, _ = pro_rata(problem)
        if filled is None:
            continue
        caps = pool_bounds(problem).high
        as_cells = replace(problem, bounds=[Bound("max_pool_share", np.where(np.isfinite(caps), caps, np.nan))],
                           split="fit", fit_method="lp")
        solution, _, _, _ = solve_rounded(as_cells, SolverSettings())
        np.testing.assert_allclose(solution.amounts, filled.amounts, rtol=1e-9, atol=1e-9, err_msg=f"seed {seed}")
        compared += 1
    assert compared >= 60


# ------------------------------------------------------------------------------------------------
# A unit held on a bound of its total in every pool: one ratio in every pool, the others by their pool's scale.


def _two_pools(split: str, bounds):
    # Pool A 100 split 50/30/20, pool B 50 split 10/20/20 by the formula.
    problem = AllocationProblem(districts=["X", "Y", "Z"], pools=["A", "B"], pool_wan=np.array([100.0, 50.0]),
                                formula=np.array([[50.0, 30.0, 20.0], [10.0, 20.0, 20.0]]), bounds=bounds,
                                split=split)
    if split == "fit":
        solution, rounded, _, _ = solve_rounded(problem, SolverSettings())
    else:
        filled, _ = pro_rata(problem)
        solution = filled.solution()
        rounded = round_solution(problem, solution)
    return solution, rounded[:3].T / 100


def test_a_capped_unit_is_cut_in_every_pool_by_one_ratio_and_the_others_follow_their_pool():
    # X capped at 57 of its formula 60 (× 0.95): 47.5 and 9.5; Z capped at 30 of 40 (× 0.75): 15 and 15. Y, free,
    # takes what is left in each pool: A 100 − 47.5 − 15 = 37.5 (× 1.25 of 30), B 50 − 9.5 − 15 = 25.5 (× 1.275).
    caps = [Bound("need", np.array([57, np.nan, 30.0]))]
    solution, table = _two_pools("pro_rata", caps)
    np.testing.assert_allclose(solution.amounts, [[47.5, 37.5, 15], [9.5, 25.5, 15]], atol=1e-9)
    np.testing.assert_array_equal(table, [[47.5, 37.5, 15], [9.5, 25.5, 15]])
    # The fit alone keeps the largest deviation lowest by cutting X less in B than in A: not a rule to apply by hand.
    fit, _ = _two_pools("fit", caps)
    assert fit.amounts.sum(axis=0)[0] == pytest.approx(57)
    np.testing.assert_allclose(fit.amounts[:, 0], [47.2, 9.8], atol=1e-9)


def test_a_unit_lifted_to_its_floor_takes_the_lift_from_every_pool_pro_rata():
    # Z needs 60 of its formula 40: × 1.5 → 30 and 30. Pool A's others give up 10 of 80 (× 0.875): 43.75, 26.25;
    # pool B's give 10 of 30 (× 2/3): 6.666…, 13.333….
    solution, table = _two_pools("pro_rata", [Bound("minimum", np.array([np.nan, np.nan, 60.0]))])
    np.testing.assert_allclose(solution.amounts, [[43.75, 26.25, 30], [20 / 3, 40 / 3, 30]], atol=1e-9)
    assert table.sum(axis=0)[2] == 60  # its floor after rounding, never a grain below it
    np.testing.assert_array_equal(table.sum(axis=1), [100, 50])


@pytest.mark.parametrize("formula, pools, need, share_caps", [
    # Rounding never leaves a grain unallocated when the units can take it all…
    ([[6.56, 83.08, 84.18, 93.97], [81.48, 42.85, 38.33, 66.19], [42.93, 96.08, 47.13, 46.36]],
     [267.79, 228.85, 232.5], [np.nan, 92, 30, 52], None),
    # …nor puts one above a cap on a single pool.
    ([[71, 10.67, 38.19, 65.22], [28.41, 55.79, 43.04, 54.85], [84.15, 75.42, 10.85, 66.96]],
     [185.08, 182.09, 237.38], [73, 98, np.nan, np.nan], [85.13, 83.76, 109.19]),
])
def test_the_rounded_table_keeps_every_bound_and_places_all_the_money(formula, pools, need, share_caps):
    bounds = [Bound("need", np.array(need, float))]
    if share_caps is not None:
        bounds.append(Bound("max_pool_share", np.repeat(np.array(share_caps)[:, None], 4, axis=1)))
    problem = AllocationProblem(districts=list("abcd"), pools=["A", "B", "C"], pool_wan=np.array(pools),
                                formula=np.array(formula), bounds=bounds)
    filled, _ = pro_rata(problem)
    table = round_solution(problem, filled.solution())
    assert (table[-1] == 0).all()
    np.testing.assert_array_equal(table.sum(axis=0), np.round(np.array(pools) * 100))
    caps = np.round(problem.cell_caps() * 100)
    assert (table[:-1].T <= caps).all()
    totals = table[:-1].sum(axis=1)
    assert np.all(np.isnan(need) | (totals <= np.round(np.nan_to_num(np.array(need), nan=np.inf) * 100)))


def test_a_unit_without_formula_in_a_pool_is_not_held_there():
    # 甲 has formula 30 in A and none in B; its need cap of 1,000 is far away: nothing stops it.
    problem = AllocationProblem(districts=["甲", "乙"], pools=["A", "B"], pool_wan=np.array([50.0, 50.0]),
                                formula=np.array([[30.0, 20.0], [0.0, 50.0]]),
                                bounds=[Bound("need", np.array([1000.0, np.nan]))])
    filled, _ = pro_rata(problem)
    assert not (filled.at_high | filled.at_low).any()


def test_water_filling_keeps_small_units_when_amounts_span_many_orders_of_magnitude():
    x, _, left = water_fill(np.array([5.994e7, 3.996e7, 1e-3]), np.zeros(3), np.array([2.997e7, 1.998e7, INF]), 1e8)
    assert x.sum() + left == pytest.approx(1e8, rel=1e-15)
    assert x[:2].tolist() == [2.997e7, 1.998e7]

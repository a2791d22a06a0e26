"""The formula fit by progressive filling (``finmodel/allocation/filling.py``) against a hand-worked example and
against the LP, the reference: the same rounded table, cell for cell, on random instances with every bound family
the method takes, and the same verdict where the rules cannot all be met."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel as fm
from finmodel.allocation import round_solution, solve_rounded
from finmodel.allocation.filling import Declined, fill
from finmodel.allocation.lp import AllocationLP
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down, grid_up
from finmodel.errors import InfeasibleError
from finmodel.solver import Infeasible, SolverSettings

from .test_allocation_random import check_table, random_problem


def hand_example() -> AllocationProblem:
    """Pools A 120 and B 60; formula A 60/40/20 and B 30/20/10 for units 0, 1, 2. A's cell of unit 0 is capped at
    48, and unit 1's total at 60, its formula total."""
    return AllocationProblem(
        districts=["u0", "u1", "u2"], pools=["A", "B"], pool_wan=np.array([120.0, 60.0]),
        formula=np.array([[60.0, 40.0, 20.0], [30.0, 20.0, 10.0]]),
        bounds=[Bound("performance_cap", np.array([[48.0, np.nan, np.nan], [np.nan, np.nan, np.nan]])),
                Bound("need", np.array([np.nan, 60.0, np.nan]))],
        split="fit")


def test_the_hand_worked_example():
    """Worked by hand. A's cell of unit 0 sits on its cap, 0.2 below its formula; A must place those 12 with units 1
    and 2, and unit 1 can take more from A only by taking less from B. With a, b the rises of A's cells of units 1
    and 2: 40a + 20b = 12, and B's cell of unit 1 falls by 40a ÷ 20 = 2a. The largest deviation T is least with
    2a = b = T: 20T + 20T = 12, T = 0.3 (A → u2 26, B → u1 14). Then A → u1 = 120 − 48 − 26 = 46 (a = 0.15), and B's
    other two cells share 60 − 14 = 46 at one rise: 40(1 + c) = 46, c = 0.15 (34.5 and 11.5)."""
    problem = hand_example()
    expected = np.array([[48.0, 46.0, 26.0], [34.5, 14.0, 11.5]])
    filled = fill(problem)
    np.testing.assert_allclose(filled.amounts, expected, rtol=0, atol=1e-12)
    # Two stages: 0.3, then 0.15 (A's capped cell, 0.2 below, is settled on its cap at the second).
    assert filled.stage_levels == pytest.approx([0.3, 0.15])
    lp = AllocationLP(replace(problem, fit_method="lp"), SolverSettings()).solve()
    np.testing.assert_allclose(lp.amounts, expected, rtol=0, atol=1e-9)
    # What A can place at T: 48 (u0's cap) + 60 − 20(1 − T) (u1: its cap less B's least) + 20(1 + T) (u2), which
    # reaches 120 at T = 0.3 rising 40 per unit of T. A 万元 more of u1's cap or of u0's cell cap lowers T by 1/40.
    assert filled.duals[0]["need_d1"] == pytest.approx(1 / 40)
    assert filled.duals[0]["performance_cap_p0_d0"] == pytest.approx(1 / 40)


def test_a_unit_held_by_its_own_cap_is_priced_by_its_cells():
    """A unit whose cap cuts every cell by one ratio: relaxing the cap by 1 万元 lowers that ratio by 1 ÷ Σ s."""
    problem = AllocationProblem(districts=["x", "y"], pools=["A", "B"], pool_wan=np.array([100.0, 100.0]),
                                formula=np.array([[10.0, 90.0], [10.0, 90.0]]),
                                bounds=[Bound("need", np.array([16.0, np.nan]))])
    filled = fill(problem)
    # x: 20 → 16, 0.2 down in both pools; y takes what x leaves, 2 on 90 in each.
    np.testing.assert_allclose(filled.amounts, [[8.0, 92.0], [8.0, 92.0]], atol=1e-12)
    assert filled.duals[0]["need_d0"] == pytest.approx(1 / 20)
    np.testing.assert_array_equal(round_solution(problem, filled), _lp_outcome(problem))


def _lp_solution(problem: AllocationProblem):
    try:
        return AllocationLP(replace(problem, fit_method="lp"), SolverSettings()).solve()
    except Infeasible:
        return None


def _lp_outcome(problem: AllocationProblem):
    solution = _lp_solution(problem)
    return "infeasible" if solution is None else round_solution(problem, solution)


def assert_same_outcome(problem: AllocationProblem, label: str = "") -> bool:
    """Filling gives the LP's rounded table, or declines as infeasible where the LP finds the rules cannot be met;
    whether the rules could be met.

    Where the LP could not compute its amounts from the structure of its solution (``exact`` False), it keeps the
    solver's, met only to the solver's tolerance (1e-7 of a row): it is then no reference to the grain. Filling's
    table must still keep every bound and spend every pool, and its amounts be the LP's to that tolerance."""
    solution, filled = _lp_solution(problem), fill(problem)
    if solution is None:
        assert filled == Declined("infeasible"), f"{label}the LP found the rules cannot be met, filling {filled!r}"
        return False
    assert not isinstance(filled, Declined), f"{label}filling declined ({filled.reason}) what the LP solved"
    table = round_solution(problem, filled)
    if solution.exact:
        np.testing.assert_array_equal(table, round_solution(problem, solution), err_msg=label)
    else:
        check_table(problem, table)
        tolerance = 1e-7 * np.maximum(problem.formula, 0.01).sum(axis=1)[:, None]
        assert (np.abs(filled.amounts - solution.amounts) <= tolerance).all(), label
    return True


def test_the_random_instances_give_the_lps_table_cell_for_cell():
    """The seeded instances of ``test_allocation_random`` without need by category: from a grain to 10¹⁰ 万元,
    factors over 12 orders of magnitude, tied units, pools of 0, every bound family on at random."""
    compared = infeasible = 0
    for seed in range(400):
        problem = random_problem(seed)
        if problem.categories:
            continue
        if assert_same_outcome(problem, f"seed {seed}: "):
            compared += 1
        else:
            infeasible += 1
    assert compared >= 200 and infeasible >= 20


@st.composite
def instances(draw):
    """Up to 300 units and 4 pools, every bound family the method takes, drawn around the formula amounts."""
    n = draw(st.integers(2, 300))
    n_pools = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pool_wan = np.round(10 ** rng.uniform(1, 7, n_pools), 2)
    if n_pools > 1 and draw(st.booleans()):
        pool_wan[rng.integers(n_pools)] = 0.0
    weights = rng.lognormal(0, 1.5, (n_pools, n))
    formula = weights / weights.sum(axis=1, keepdims=True) * pool_wan[:, None]
    total = formula.sum(axis=0)

    def some(values, share=0.5):
        return np.where(rng.random(values.shape) < share, values, np.nan)

    bounds = []
    families = draw(st.sets(st.sampled_from(["need", "cofinancing", "hold_harmless", "corridor", "minimum",
                                             "max_pool_share", "performance_cap", "no_plan"]), min_size=1))
    if "need" in families:
        bounds.append(Bound("need", grid_down(some(total * rng.uniform(0.4, 1.5, n)))))
    if "cofinancing" in families:
        bounds.append(Bound("cofinancing", grid_down(some(total * rng.uniform(0.8, 3.0, n)))))
    if "hold_harmless" in families:
        last = total * rng.uniform(0.7, 1.3, n)
        bounds.append(Bound("hold_harmless_floor", grid_up(some(0.9 * last))))
        bounds.append(Bound("hold_harmless_cap", grid_down(some(1.2 * last))))
    if "corridor" in families:
        bounds.append(Bound("corridor_low", grid_up(rng.uniform(0.5, 0.95) * total)))
        bounds.append(Bound("corridor_high", grid_down(rng.uniform(1.05, 2.0) * total)))
    if "minimum" in families:
        bounds.append(Bound("minimum", grid_up(some(np.full(n, pool_wan.sum() / n * rng.uniform(0.2, 1.0)), 0.3))))
    if "max_pool_share" in families:
        share = rng.uniform(min(1.0, 2.0 / n), 1.0)
        bounds.append(Bound("max_pool_share", grid_down(np.repeat((share * pool_wan)[:, None], n, axis=1))))
    if "performance_cap" in families:
        poor = rng.random(n) < 0.2
        bounds.append(Bound("performance_cap", grid_down(np.where(poor[None, :], formula, np.nan))))
    if "no_plan" in families:
        without = rng.random(n) < 0.1
        bounds.append(Bound("no_plan", np.repeat(np.where(without, 0.0, np.nan)[None, :], n_pools, axis=0)))
    return AllocationProblem(districts=[f"d{i}" for i in range(n)], pools=[f"p{k}" for k in range(n_pools)],
                             pool_wan=pool_wan, formula=formula, bounds=bounds, split="fit")


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(instances())
def test_filling_gives_the_lps_table_on_any_instance(problem):
    assert_same_outcome(problem)


def test_the_path_is_chosen_and_recorded():
    problem = hand_example()
    _, table, manifest, _ = solve_rounded(problem, SolverSettings())
    assert manifest["path"] == "filling" and manifest["solves"] == 0
    _, lp_table, lp_manifest, _ = solve_rounded(replace(problem, fit_method="lp"), SolverSettings())
    assert lp_manifest["path"] == "lp" and lp_manifest["filling_declined"] == "fit_method_lp"
    assert lp_manifest["solves"] > 0
    np.testing.assert_array_equal(table, lp_table)
    # Need by category couples the pools through a category's need: the LP decides, and says why.
    with_categories = replace(problem, categories=["basic"], need_by_category=np.array([[200.0], [60.0], [200.0]]),
                              eligible=np.array([[True], [True]]))
    assert solve_rounded(with_categories, SolverSettings())[2]["filling_declined"] == "categories"


def test_rules_that_cannot_be_met_are_diagnosed_as_before():
    """Floors above the pools: filling declines and the LP's diagnosis names the rules."""
    problem = replace(hand_example(), bounds=[Bound("minimum", np.array([100.0, 100.0, 100.0]))])
    assert fill(problem) == Declined("infeasible")
    with pytest.raises(InfeasibleError):
        solve_rounded(problem, SolverSettings())


def test_money_no_unit_can_take_is_left_as_the_lp_leaves_it():
    """Caps of 50 on each unit's total: 150 of the 180 placed, A first (the placing order) up to what the units
    take, B the rest; the same table as the LP's."""
    problem = replace(hand_example(), bounds=[Bound("need", np.array([50.0, 50.0, 50.0]))])
    filled = fill(problem)
    np.testing.assert_allclose(filled.unallocated, [0.0, 30.0], atol=1e-9)
    np.testing.assert_array_equal(round_solution(problem, filled), _lp_outcome(problem))


def test_a_scenario_records_the_path_and_the_sheet_names_it(tmp_path):
    from openpyxl import load_workbook

    from .test_allocation_reliability import hold_harmless_case, single_pool_scenario

    weights, pool, _, last = hold_harmless_case()
    path = single_pool_scenario(tmp_path, weights, pool, {"last_wan": last},
                                '[allocation.hold_harmless]\nlast_year = "last_wan"\ncap = 1.1\n', fit_method="auto")
    result = fm.allocate(fm.load_scenario(path))
    assert result.solver["path"] == "filling" and result.solver["method"] == "progressive_filling"
    fm.write_allocation_report(result, tmp_path / "out")
    sheet = load_workbook(tmp_path / "out" / "allocation.xlsx")["调整说明"]
    # in A, or after A where the sheet prints several pages across with A repeated on each
    note = sheet["A2"].value or sheet["B2"].value
    assert note.startswith("计算方法：在规则允许范围内逐级求最大相对偏离的最小值")


def test_the_jinan_workbook_is_the_same_whichever_path_runs(tmp_path, monkeypatch):
    """Jinan with the fit (``split = "fit"``): by progressive filling, then with filling made to decline so that the
    LP runs on the same scenario; the approval workbook and the CSV are byte for byte the same."""
    import finmodel.allocation as allocation

    jinan = fm.load_scenario(Path(__file__).parents[1] / "scenarios" / "jinan-2023.toml", {"allocation.split": "fit"})
    outputs = {}
    for path in ("filling", "lp"):
        if path == "lp":
            monkeypatch.setattr(allocation, "fill", lambda problem: Declined("test"))
        result = fm.allocate(jinan)
        assert result.solver["path"] == path
        fm.write_allocation_report(result, tmp_path / path)
        outputs[path] = {name: (tmp_path / path / name).read_bytes() for name in ("allocation.xlsx", "allocation.csv")}
    assert result.solver["filling_declined"] == "test"
    assert outputs["filling"] == outputs["lp"]

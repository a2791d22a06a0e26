"""The allocation LP: each constraint family and each objective against answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

import finmodel as fm
from finmodel.labels import explanation_sentence
from finmodel.allocation.lp import solve_allocation
from finmodel.allocation.problem import AllocationProblem, Bound
from finmodel.cli import main
from finmodel.solver import LinearModel, SolverError, SolverSettings

from .conftest import write_scenario

NAN = np.nan
FORMULA = np.array([[40.0, 30.0, 20.0, 10.0]])  # pool 100 split 40/30/20/10 by the formula


def solve(bounds=(), formula=FORMULA, pool=None, **kwargs):
    pools = [f"p{k}" for k in range(formula.shape[0])]
    problem = AllocationProblem(
        districts=list("ABCD")[: formula.shape[1]], pools=pools,
        pool_wan=np.array(pool if pool is not None else formula.sum(axis=1)), formula=formula,
        bounds=list(bounds), **kwargs,
    )
    return solve_allocation(problem)


def total(bound_family, values):
    return Bound(bound_family, np.array(values, dtype=float))


# ------------------------------------------------------------------------------------------------
# formula_fit: the difference is shared pro rata among the districts still free (water-filling)


def test_one_cap_shares_the_excess_pro_rata():
    # A capped at 30: the 10 it cannot take goes to B, C, D in proportion 30:20:10.
    result = solve([total("need", [30, NAN, NAN, NAN])])
    np.testing.assert_allclose(result.amounts[0], [30, 35, 23 + 1 / 3, 11 + 2 / 3], atol=1e-7)


def test_two_caps_water_filling():
    # A at 30, B capped at 32: C and D take the remaining 38 in proportion 20:10.
    result = solve([total("need", [30, 32, NAN, NAN])])
    np.testing.assert_allclose(result.amounts[0], [30, 32, 25 + 1 / 3, 12 + 2 / 3], atol=1e-7)


def test_floor_takes_from_the_others_pro_rata():
    # D needs 15: the 5 comes from A, B, C in proportion 40:30:20 (each × 85/90).
    result = solve([total("minimum", [NAN, NAN, NAN, 15])])
    np.testing.assert_allclose(result.amounts[0], [340 / 9, 85 / 3, 170 / 9, 15], atol=1e-7)


def test_a_single_lp_minimising_the_largest_deviation_would_not_do_this():
    """Minimise the largest relative deviation (25 %, fixed by A's cap), then the sum of relative deviations:
    the 10 A cannot take goes where it costs least per unit, the biggest district: B to its 25 % limit
    (37.5), the rest to C. Progressive filling shares it pro rata instead."""
    import pulp

    model = LinearModel("single")
    x = [model.variable(f"x{i}", name) for i, name in enumerate("ABCD")]
    d = [model.variable(f"d{i}", name) for i, name in enumerate("ABCD")]
    f = FORMULA[0]
    model.constrain("pool", pulp.lpSum(x) == 100)
    model.constrain("capA", x[0] <= 30)
    for i in range(4):
        model.constrain(f"hi{i}", x[i] - f[i] <= f[i] * d[i])
        model.constrain(f"lo{i}", f[i] - x[i] <= f[i] * d[i])
        model.constrain(f"max{i}", d[i] <= 0.25)
    model.minimise(pulp.lpSum(d))
    model.solve("single LP")
    single = [model.value(v) for v in x]
    np.testing.assert_allclose(single, [30, 37.5, 22.5, 10], atol=1e-7)
    staged = solve([total("need", [30, NAN, NAN, NAN])])
    np.testing.assert_allclose(staged.amounts[0], [30, 35, 23 + 1 / 3, 11 + 2 / 3], atol=1e-7)
    deviations = np.abs(staged.amounts[0] - f) / f
    np.testing.assert_allclose(np.sort(deviations)[::-1], [0.25, 1 / 6, 1 / 6, 1 / 6], atol=1e-9)


def test_no_binding_constraint_returns_the_formula():
    result = solve([total("need", [100, 100, 100, 100])])
    np.testing.assert_allclose(result.amounts[0], FORMULA[0], atol=1e-9)
    assert result.stage_levels == [0.0]


def test_hold_harmless_floor_and_cap():
    # B must keep 90 % of last year's 50 = 45; the 15 comes from A, C, D in proportion 40:20:10.
    floor = solve([Bound("hold_harmless_floor", np.array([NAN, 45, NAN, NAN]))])
    np.testing.assert_allclose(floor.amounts[0], [40 * 55 / 70, 45, 20 * 55 / 70, 10 * 55 / 70], atol=1e-7)
    # A may get at most 120 % of last year's 20 = 24; the 16 goes to B, C, D in proportion 30:20:10.
    cap = solve([Bound("hold_harmless_cap", np.array([24, NAN, NAN, NAN]))])
    np.testing.assert_allclose(cap.amounts[0], [24, 38, 20 + 16 / 3, 10 + 8 / 3], atol=1e-7)


def test_corridor_floor_stops_a_district_sharing_a_cut():
    # D needs 15; shared pro rata A would fall to 37.78, but the corridor keeps it at 95 % of 40 = 38,
    # so B and C give the rest: 100 − 15 − 38 = 47 in proportion 30:20.
    result = solve([total("minimum", [NAN, NAN, NAN, 15]), total("corridor_low", [38, NAN, NAN, NAN])])
    np.testing.assert_allclose(result.amounts[0], [38, 28.2, 18.8, 15], atol=1e-7)


def test_max_pool_share():
    # No district above 35 % of the pool: A gives 5 to B, C, D in proportion 30:20:10.
    result = solve([Bound("max_pool_share", np.array([[35.0, 35, 35, 35]]))])
    np.testing.assert_allclose(result.amounts[0], [35, 32.5, 20 + 5 / 3, 10 + 5 / 6], atol=1e-7)


def test_performance_cap_keeps_a_poor_district_at_its_formula():
    # A capped at 30; D (graded 差) may not rise above its formula 10, so only B and C share the 10.
    result = solve([total("need", [30, NAN, NAN, NAN]), Bound("performance_cap", np.array([[NAN, NAN, NAN, 10]]))])
    np.testing.assert_allclose(result.amounts[0], [30, 36, 24, 10], atol=1e-7)


def test_caps_below_the_pool_leave_an_unallocated_row():
    # A needs only 30 and the others may rise at most 10 % above formula: 30 + 33 + 22 + 11 = 96.
    result = solve([total("need", [30, NAN, NAN, NAN]), total("corridor_high", [44, 33, 22, 11])])
    np.testing.assert_allclose(result.amounts[0], [30, 33, 22, 11], atol=1e-7)
    assert result.unallocated[0] == pytest.approx(4.0, abs=1e-7)


def test_needs_are_shared_across_pools_pro_rata():
    # Two pools, formula 40/30/20/10 each; A's total need 60 takes 10 off each pool's 40.
    formula = np.vstack([FORMULA[0], FORMULA[0]])
    result = solve([total("need", [60, NAN, NAN, NAN])], formula=formula)
    for p in range(2):
        np.testing.assert_allclose(result.amounts[p], [30, 35, 23 + 1 / 3, 11 + 2 / 3], atol=1e-7)


def test_eligible_uses_restrict_a_pool_to_its_categories():
    """Central money pays only for basic work. A's basic need is 10, so central gives A 10 and B 90;
    the city pool (any category) stays at its formula 50/50."""
    formula = np.array([[50.0, 50.0], [50.0, 50.0]])
    result = solve(
        formula=formula,
        categories=["basic", "improvement"],
        need_by_category=np.array([[10.0, 100.0], [100.0, 100.0]]),
        eligible=np.array([[True, False], [True, True]]),
    )
    np.testing.assert_allclose(result.amounts, [[10, 90], [50, 50]], atol=1e-7)
    by_category = result.by_category
    assert by_category[0, :, 1].sum() == pytest.approx(0, abs=1e-9)  # no central money on improvement
    assert by_category[:, 0, 0].sum() <= 10 + 1e-7  # A's basic need holds across pools


def test_pool_with_no_eligible_need_is_unallocated():
    formula = np.array([[50.0, 50.0], [50.0, 50.0]])
    problem = AllocationProblem(
        districts=["A", "B"], pools=["central", "city"], pool_wan=np.array([100.0, 100.0]), formula=formula,
        categories=["basic", "upgrade"], need_by_category=np.array([[80.0, 0.0], [80.0, 0.0]]),
        eligible=np.array([[False, True], [True, True]]),
    )
    from finmodel.allocation.diagnose import precheck

    assert [f.code for f in precheck(problem)] == [
        "caps_below_pools", "pool_caps_below_pool", "pool_no_eligible_need"]
    result = solve_allocation(problem)
    np.testing.assert_allclose(result.unallocated, [100, 0], atol=1e-7)


# ------------------------------------------------------------------------------------------------
# The other objectives


def test_max_households_funds_the_cheapest_households_first():
    # A: 60 households at 1 万元, B: 100 at 2 万元. Households = x/1 + (100 − x)/2 is largest at x = 60.
    result = solve(
        formula=np.array([[50.0, 50.0]]), objective="max_households",
        households=np.array([60.0, 100.0]), need_per_household=np.array([1.0, 2.0]),
    )
    np.testing.assert_allclose(result.amounts[0], [60, 40], atol=1e-6)
    assert result.objective_value == pytest.approx(80.0, abs=1e-6)


def test_max_households_ties_are_broken_by_the_formula():
    # Any split funds 100 households; the formula split 70/30 is the one kept.
    result = solve(
        formula=np.array([[70.0, 30.0]]), objective="max_households",
        households=np.array([80.0, 80.0]), need_per_household=np.array([1.0, 1.0]),
    )
    np.testing.assert_allclose(result.amounts[0], [70, 30], atol=1e-6)


def test_max_min_coverage_equalises_coverage():
    # Needs 100 and 300, pool 200: both covered 50 % → 50 and 150.
    result = solve(formula=np.array([[150.0, 50.0]]), objective="max_min_coverage",
                   need_total=np.array([100.0, 300.0]))
    np.testing.assert_allclose(result.amounts[0], [50, 150], atol=1e-6)
    assert result.objective_value == pytest.approx(0.5, abs=1e-9)


# ------------------------------------------------------------------------------------------------
# Scenarios end to end: co-financing, explanations, infeasibility


ROWS = [
    {"district": "甲", "households": 40, "need_wan": 1000, "capacity_wan": 3, "rate": 0.1, "last_wan": 0,
     "score": 90},
    {"district": "乙", "households": 30, "need_wan": 1000, "capacity_wan": 100, "rate": 0.2, "last_wan": 0,
     "score": 90},
    {"district": "丙", "households": 20, "need_wan": 1000, "capacity_wan": 100, "rate": 0.3, "last_wan": 0,
     "score": 90},
    {"district": "丁", "households": 10, "need_wan": 1000, "capacity_wan": 100, "rate": 0.3, "last_wan": 0,
     "score": 70},
]
POOL = {"id": "city", "label": "市级资金", "amount_wan": 100.0, "weights": {"households": 1.0}}


def test_cofinancing_caps_the_subsidy_at_capacity_over_rate(tmp_path):
    # 甲 can put in 3 万元 at a 10 % rate, so it can take at most 30 of subsidy: the water-filling case.
    extra = '[allocation]\n[allocation.cofinancing]\nrate = "rate"\ncapacity = "capacity_wan"\n'
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, ROWS, [POOL], extra=extra)))
    assert result.amount_units["city"].to_dict() == {"甲": 3000, "乙": 3500, "丙": 2333, "丁": 1167}
    explanation = result.explanation("甲")
    assert [r.family for r in explanation.rules] == ["cofinancing"]
    assert explanation.rules[0].limit_wan == 30.0
    assert "配套能力上限（30.00万元" in explanation_sentence(explanation, "zh")
    assert result.explanation("乙").cause == "share" and "上调" in explanation_sentence(result.explanation("乙"), "zh")
    assert {c.code: c.passed for c in result.checks}["bound_cofinancing"]


def test_performance_grade_poor_from_score(tmp_path):
    # 丁 scores 70 (< 75: 差) and may not exceed its formula 10 while 甲 is capped at 30 by co-financing.
    extra = ('[allocation]\n[allocation.cofinancing]\nrate = "rate"\ncapacity = "capacity_wan"\n'
             '[allocation.performance]\nscore = "score"\n')
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, ROWS, [POOL], extra=extra)))
    assert result.amount_units["city"].to_dict() == {"甲": 3000, "乙": 3600, "丙": 2400, "丁": 1000}


def test_unallocated_row_in_the_workbook(tmp_path):
    extra = ('[allocation]\n[allocation.cofinancing]\nrate = "rate"\ncapacity = "capacity_wan"\n'
             '[allocation.corridor]\nhigh = 1.1\n')
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, ROWS, [POOL], extra=extra)))
    assert int(result.unallocated_units["city"]) == 400
    assert result.amount_units["city"].to_dict() == {"甲": 3000, "乙": 3300, "丙": 2200, "丁": 1100}
    paths = fm.write_allocation_report(result, tmp_path / "out")
    import openpyxl

    ws = openpyxl.load_workbook(paths["allocation.xlsx"])["汇总"]
    rows = {ws.cell(row=r, column=2).value: r for r in range(5, 12)}
    assert ws.cell(row=rows["未分配"], column=4).value == pytest.approx(4.0)
    assert ws.cell(row=5, column=4).value == pytest.approx(100.0)
    assert "未分配" in ws.cell(row=rows["未分配"], column=5).value


def test_infeasible_scenario_exits_3_with_a_diagnosis(tmp_path, capsys):
    extra = ('[allocation]\n[allocation.need]\ntotal = "need_wan"\n'
             '[allocation.minimum]\namount_wan = 30\n')
    path = write_scenario(tmp_path, ROWS, [POOL], extra=extra)
    with pytest.raises(fm.InfeasibleError) as caught:
        fm.allocate(fm.load_scenario(path))
    assert [f.code for f in caught.value.diagnosis][0] == "floors_above_pools"
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--lang", "en"]) == 3
    err = capsys.readouterr().err
    assert "floors add up to 120.00, above the pools' 100.00 by 20.00" in err
    assert "minimum amount cannot be met" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_floor_above_cap_is_named(tmp_path, capsys):
    rows = [dict(r, last_wan=50 if r["district"] == "甲" else 0) for r in ROWS]
    extra = ('[allocation]\n[allocation.cofinancing]\nrate = "rate"\ncapacity = "capacity_wan"\n'
             '[allocation.hold_harmless]\nlast_year = "last_wan"\nfloor = 0.9\n')
    path = write_scenario(tmp_path, rows, [POOL], extra=extra)
    assert main(["validate", str(path)]) == 0
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--lang", "en"]) == 3
    err = capsys.readouterr().err
    assert "甲: floor 45.00 (10k yuan, hold-harmless floor) is above its cap 30.00 (co-financing capacity cap)" in err
    assert "short by at least 15.00" in err


# ------------------------------------------------------------------------------------------------
# The solver door


def test_time_limited_run_is_not_taken_as_optimal(monkeypatch):
    """PuLP maps a time limit to status Optimal with solution status 'integer feasible' (CBC goes through PuLP)."""
    model = LinearModel("limit", SolverSettings(name="cbc", time_limit_s=1))
    x = model.variable("x", "x")
    model.constrain("c", x >= 1)
    model.minimise(x)

    def stopped(self, solver=None, **kwargs):
        self.status, self.sol_status = pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible
        return self.status

    monkeypatch.setattr(pulp.LpProblem, "solve", stopped)
    with pytest.raises(SolverError, match="solution status"):
        model.solve("test")


def test_highs_time_limit_blocks_the_result(monkeypatch):
    import highspy

    model = LinearModel("limit", SolverSettings(time_limit_s=1))
    x = model.variable("x", "x")
    model.constrain("c", x >= 1)
    model.minimise(x)
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kTimeLimit)
    with pytest.raises(SolverError, match="Time limit reached"):
        model.solve("test")


def test_highs_banner_stays_off_stdout(capfd, tmp_path):
    extra = '[allocation]\n[allocation.cofinancing]\nrate = "rate"\ncapacity = "capacity_wan"\n'
    fm.allocate(fm.load_scenario(write_scenario(tmp_path, ROWS, [POOL], extra=extra)))
    assert "HiGHS" not in capfd.readouterr().out


def test_ascii_ids_only():
    model = LinearModel("ids")
    with pytest.raises(ValueError, match="ASCII"):
        model.variable("区县", "x")


@pytest.mark.parametrize("method", ["simplex", "ipm"])
def test_highs_and_cbc_give_identical_tables(tmp_path, method, jinan_path):
    tables = {}
    for solver in ("highs", "cbc"):
        out = tmp_path / solver
        code = main(["run", str(jinan_path), "--out", str(out), "--quiet",
                     "--set", f'allocation.solver="{solver}"', "--set", f'allocation.method="{method}"'])
        assert code == 0
        tables[solver] = (out / "allocation.csv").read_bytes()
    assert tables["highs"] == tables["cbc"]


def test_categories_with_cbc_match_highs():
    formula = np.array([[50.0, 50.0], [50.0, 50.0]])
    kwargs = dict(districts=["A", "B"], pools=["central", "city"], pool_wan=np.array([100.0, 100.0]),
                  formula=formula, categories=["basic", "improvement"],
                  need_by_category=np.array([[10.0, 100.0], [100.0, 100.0]]),
                  eligible=np.array([[True, False], [True, True]]))
    highs = solve_allocation(AllocationProblem(**kwargs))
    cbc = solve_allocation(AllocationProblem(**kwargs), SolverSettings(name="cbc"))
    np.testing.assert_allclose(highs.amounts, cbc.amounts, atol=1e-5)


def test_max_households_from_a_scenario(tmp_path):
    rows = [{"district": "甲", "households": 60, "per_household_wan": 1.0, "weight": 1},
            {"district": "乙", "households": 100, "per_household_wan": 2.0, "weight": 1}]
    pool = {"id": "city", "label": "市级资金", "amount_wan": 100.0, "weights": {"weight": 1.0}}
    extra = ('[allocation]\nobjective = "max_households"\n'
             '[allocation.households]\nneed_per_household = "per_household_wan"\n')
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, rows, [pool], extra=extra)))
    assert result.amount_units["city"].to_dict() == {"甲": 6000, "乙": 4000}
    assert result.lp.objective_value == pytest.approx(80.0, abs=1e-6)
    assert result.explanation("甲").cause == "objective"
    assert "资助户数最大化" in explanation_sentence(result.explanation("甲"), "zh", "max_households")


def test_objective_needs_its_inputs(tmp_path):
    extra = '[allocation]\nobjective = "max_households"\n'
    with pytest.raises(fm.InputError, match="max_households needs"):
        fm.load_scenario(write_scenario(tmp_path, ROWS, [POOL], extra=extra))


"""The allocation engine on hostile input: runs that must end, a pool of 0, numerical trouble, ties.

Each reproducer is generated here. Expected tables come from an independent computation in exact
fractions: water-filling by hand (every free unit at f·(1 + λ), a capped one on its cap), then the
largest-remainder rounding with ties to the earlier row of the table.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

import finmodel as fm
from finmodel.errors import SolveError
from finmodel.allocation import round_solution
from finmodel.allocation.lp import AllocationLP, LPSolution
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down
from finmodel.allocation.rounding import controlled_round
from finmodel.cli import main
from finmodel.solver import LinearModel, SolverSettings

from .conftest import write_scenario


def water_fill_grains(formula: list[float], pool_wan: str, caps_wan: list[float | None]) -> list[int]:
    """One pool, caps only: the exact table in 0.01 万元, by hand in fractions."""
    f = [Fraction(v) for v in formula]
    cap = [None if c is None else Fraction(c).limit_denominator(100) for c in caps_wan]
    pool = Fraction(pool_wan)
    capped: set[int] = set()
    while True:
        free = [i for i in range(len(f)) if i not in capped]
        rest = pool - sum(cap[i] for i in capped)
        level = rest / sum(f[i] for i in free)  # every free unit at f·level
        over = {i for i in free if cap[i] is not None and f[i] * level > cap[i]}
        if not over:
            break
        capped |= over
    amounts = [cap[i] if i in capped else f[i] * level for i in range(len(f))]
    quotas = [a * 100 for a in amounts]
    floors = [q.numerator // q.denominator for q in quotas]
    left = int(pool * 100) - sum(floors)
    # Largest remainder; equal remainders to the earlier row (sorted is stable).
    order = sorted(range(len(f)), key=lambda i: -(quotas[i] - floors[i]))
    for i in order[:left]:
        floors[i] += 1
    return floors


def single_pool_scenario(tmp_path, weights, pool_wan: str, extra_rows: dict, allocation: str, solver="highs",
                         split="fit", fit_method="lp"):
    """One pool; the LP decides unless ``split`` is pro_rata (the closed form, ``allocation/waterfill.py``) or
    ``fit_method`` auto (progressive filling, ``allocation/filling.py``)."""
    rows = [{"district": f"U{i:02d}", "weight": w, **{k: v[i] for k, v in extra_rows.items()}}
            for i, w in enumerate(weights)]
    pool = {"id": "city", "label": "市级资金", "amount_wan": float(pool_wan), "weights": {"weight": 1.0}}
    extra = f'[allocation]\nsolver = "{solver}"\nsplit = "{split}"\nfit_method = "{fit_method}"\n' + allocation
    return write_scenario(tmp_path, rows, [pool], extra=extra)


# ------------------------------------------------------------------------------------------------
# 1. Runs that never end


def hold_harmless_case(seed: int = 0):
    """20 units, a pool of 75,006,400.24 万元, last year's amounts 0.7–1.3 of the formula, capped at 1.1 of them."""
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0, 1, 20).round(6)
    pool = "75006400.24"
    formula = weights / weights.sum() * float(pool)
    last = np.round(formula * rng.uniform(0.7, 1.3, 20), 2)
    return weights, pool, formula, last


def test_a_large_pool_with_a_hold_harmless_cap_ends_with_the_water_filling_table(tmp_path):
    weights, pool, _, last = hold_harmless_case()
    path = single_pool_scenario(tmp_path, weights, pool, {"last_wan": last},
                                '[allocation.hold_harmless]\nlast_year = "last_wan"\ncap = 1.1\n')
    solves = []

    def progress(record):  # a run that never ends is stopped here, as a failure
        solves.append(record)
        assert len(solves) < 500, "the run does not end"

    scenario = fm.load_scenario(path)
    result = fm.allocate(scenario, progress=progress)
    formula = result.formula["city"].districts["amount_wan"].to_numpy()
    caps = grid_down(1.1 * last)
    expected = water_fill_grains(list(formula), pool, [float(c) for c in caps])
    assert result.amount_units["city"].loc[scenario.districts.index].tolist() == expected
    # Every stage fixes at least one of the 20 cells.
    assert result.solver["formula_fit_stages"] <= 20
    assert all(c.passed for c in result.checks)
    # The closed form gives the same table without a solve.
    path = single_pool_scenario(tmp_path, weights, pool, {"last_wan": last},
                                '[allocation.hold_harmless]\nlast_year = "last_wan"\ncap = 1.1\n', split="pro_rata")
    closed = fm.allocate(fm.load_scenario(path))
    assert closed.solver["method"] == "pro_rata" and closed.amount_units.equals(result.amount_units)


def big_case(n: int = 1500):
    rng = np.random.default_rng(7)
    weights = rng.lognormal(0, 1, n).round(6)
    formula = weights / weights.sum() * 3_000_000
    need = np.round(np.where(rng.random(n) < 0.3, formula * rng.uniform(0.3, 0.95, n), formula * 3), 2)
    return weights, need


def test_the_time_limit_bounds_the_whole_run(tmp_path, capsys):
    """Each solve is quick; the run of many is not. The limit is the run's: exit 4, saying so. (The LP's: the
    same allocation by progressive filling takes no solve.)"""
    weights, need = big_case()
    path = single_pool_scenario(tmp_path, weights, "3000000.00", {"need_wan": need},
                                'time_limit_s = 0.3\n[allocation.need]\ntotal = "need_wan"\n')
    start = time.monotonic()
    with pytest.raises(SolveError, match=r"run's time limit of 0.3 s was reached"):
        fm.allocate(fm.load_scenario(path))
    assert time.monotonic() - start < 0.3 + 2.0  # building and loading the scenario, then one solve past the end
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--lang", "en"]) == 4
    assert "time limit of 0.3 s" in capsys.readouterr().err


def test_a_stage_that_fixes_nothing_stops_with_a_clear_error(monkeypatch, tmp_path):
    """Duals lost and no cell at the level (a solver gone wrong): an error, not another stage for ever."""
    weights, pool, _, last = hold_harmless_case()
    path = single_pool_scenario(tmp_path, weights, pool, {"last_wan": last},
                                '[allocation.hold_harmless]\nlast_year = "last_wan"\ncap = 1.1\n')
    solves = []
    real_solve = LinearModel.solve

    def solve(self, stage, **kwargs):
        solves.append(stage)
        assert len(solves) < 500, "the run does not end"
        record = real_solve(self, stage, **kwargs)
        if stage.startswith("formula fit, stage"):
            self._duals = np.zeros_like(self._duals)
            self._values = np.where(np.arange(self._values.size) == self._var_index["t"], 0.5, 0.0)
        return record

    monkeypatch.setattr(LinearModel, "solve", solve)
    monkeypatch.setattr(LinearModel, "method_used", lambda self: "simplex")
    with pytest.raises(SolveError, match="no cell could be fixed"):
        fm.allocate(fm.load_scenario(path))


# ------------------------------------------------------------------------------------------------
# 2. A negative fen


def test_noise_in_a_pool_of_zero_is_not_rounded_to_a_negative_fen():
    # −1.2e-8 万元 of solver noise is −1.2e-6 of a grain.
    values = np.array([[-1.2e-6, 250.0], [1.2e-6, 750.0]])
    rounded = controlled_round(values, np.array([0, 1000]), np.zeros(2), np.full(2, np.inf))
    assert rounded.tolist() == [[0, 250], [0, 750]]


def test_round_solution_clips_noise_to_the_feasible_side():
    n = 196
    formula = np.vstack([np.zeros(n), np.full(n, 1000.0 / n)])
    problem = AllocationProblem(districts=[f"d{i}" for i in range(n)], pools=["zero", "city"],
                                pool_wan=np.array([0.0, 1000.0]), formula=formula)
    noise = np.random.default_rng(0).normal(0, 1.2e-8, n)
    solution = LPSolution(amounts=formula + np.vstack([noise, np.zeros(n)]), unallocated=np.array([-1e-9, 0.0]),
                          by_category=None, fixed_stage=np.zeros((2, n), dtype=int), stage_levels=[], duals=[])
    table = round_solution(problem, solution)
    assert (table >= 0).all()
    assert table[:, 0].tolist() == [0] * (n + 1)
    assert table[:, 1].sum() == 100_000


def test_196_units_with_a_pool_of_zero(tmp_path):
    rng = np.random.default_rng(196)
    weights = rng.lognormal(0, 1, 196).round(6)
    formula = weights / weights.sum() * 98_765.43
    need = np.round(np.where(rng.random(196) < 0.3, formula * 0.8, formula * 2), 2)
    rows = [{"district": f"U{i:03d}", "weight": w, "need_wan": need[i]} for i, w in enumerate(weights)]
    pools = [{"id": "central", "label": "中央", "amount_wan": 0.0, "weights": {"weight": 1.0}},
             {"id": "city", "label": "市级", "amount_wan": 98765.43, "weights": {"weight": 1.0}}]
    path = write_scenario(tmp_path, rows, pools, extra='[allocation]\n[allocation.need]\ntotal = "need_wan"\n')
    result = fm.allocate(fm.load_scenario(path))
    assert (result.amount_units["central"] == 0).all()
    assert (result.amount_units.to_numpy() >= 0).all()
    assert int(result.amount_units["city"].sum()) + int(result.unallocated_units["city"]) == 9_876_543
    assert all(c.passed for c in result.checks)


def test_every_pool_zero_needs_no_solving_of_money(tmp_path):
    path = single_pool_scenario(tmp_path, [1.0, 2.0, 3.0], "0.00", {"need_wan": [5.0, 5.0, 5.0]},
                                '[allocation.need]\ntotal = "need_wan"\n')
    result = fm.allocate(fm.load_scenario(path))
    assert result.amount_units["city"].tolist() == [0, 0, 0]
    assert all(c.passed for c in result.checks)


# ------------------------------------------------------------------------------------------------
# 3. False "infeasible"


def spanning_case(tmp_path, solver="highs"):
    """15 units, 3 pools, a factor spanning 2e-6 … 5e8, hold-harmless floor and cap: feasible."""
    rng = np.random.default_rng(15)
    span = np.geomspace(2e-6, 5e8, 15)[rng.permutation(15)]
    rows = [{"district": f"U{i:02d}", "span": float(span[i]), "flat": float(rng.uniform(1, 100)),
             "last_wan": 0.0} for i in range(15)]
    pools = [{"id": pid, "label": pid, "amount_wan": amount, "weights": {"span": w, "flat": 1 - w}}
             for pid, amount, w in [("central", 123456.78, 0.5), ("province", 45678.9, 0.3), ("city", 9876.54, 0.7)]]
    total = 123456.78 + 45678.9 + 9876.54
    shares = np.array([(0.5 * s / span.sum()) for s in span])
    for i, row in enumerate(rows):
        row["last_wan"] = round(float(total * (shares[i] + 0.02) * rng.uniform(0.8, 1.2)), 2)
    extra = (f'[allocation]\nsolver = "{solver}"\nsplit = "fit"\nfit_method = "lp"\n[allocation.hold_harmless]\nlast_year = "last_wan"\n'
             'floor = 0.5\ncap = 2.5\n')
    return write_scenario(tmp_path, rows, pools, extra=extra)


def test_the_spanning_case_is_feasible_and_both_solvers_agree(tmp_path):
    tables = {}
    for solver in ("highs", "cbc"):
        folder = tmp_path / solver
        folder.mkdir()
        result = fm.allocate(fm.load_scenario(spanning_case(folder, solver)))
        assert all(c.passed for c in result.checks)
        tables[solver] = result.amount_units
    assert tables["highs"].equals(tables["cbc"])


def refuse(monkeypatch, methods: set[str]):
    """HiGHS reports a formula-fit stage infeasible when it runs one of ``methods``, as numerical trouble does."""
    real = LinearModel._solve_highs

    def solve_highs(self, stage, retry=True):
        status = real(self, stage, retry)
        if stage.startswith("formula fit, stage") and self.method_used() in methods:
            return "Infeasible", "No Solution Exists", None
        return status

    monkeypatch.setattr(LinearModel, "_solve_highs", solve_highs)


def test_numerical_trouble_retries_with_the_other_method(tmp_path, monkeypatch):
    refuse(monkeypatch, {"simplex"})
    result = fm.allocate(fm.load_scenario(spanning_case(tmp_path)))
    assert result.solver["method"] == "ipm"
    assert "reported infeasible a model the stage before solved" in result.solver["retried_after"][0]
    assert all(c.passed for c in result.checks)


def test_numerical_trouble_is_exit_4_not_infeasible(tmp_path, monkeypatch, capsys):
    refuse(monkeypatch, {"simplex", "ipm"})
    path = spanning_case(tmp_path)
    with pytest.raises(SolveError, match="a numerical problem, not a rule that cannot be met"):
        fm.allocate(fm.load_scenario(path))
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 4
    err = capsys.readouterr().err
    assert "HiGHS (simplex)" in err and "HiGHS (ipm)" in err


# ------------------------------------------------------------------------------------------------
# 4. HiGHS and CBC: ties broken by the table's order, amounts exact at any size


TIES = [3, 4, 4, 3, 4, 4, 4]  # units 0 and 3 tie, and units 1, 4, 5, 6


@pytest.mark.parametrize("pool, capped", [("1088376.51", 158141.70), ("98765432.17", 12000000.00)])
def test_equal_formula_amounts_round_by_table_order_with_either_solver(tmp_path, pool, capped):
    need = [1e9] * 7  # no cap
    need[2] = capped
    tables = {}
    for solver in ("highs", "cbc"):
        folder = tmp_path / solver
        folder.mkdir()
        path = single_pool_scenario(folder, TIES, pool, {"need_wan": need},
                                    '[allocation.need]\ntotal = "need_wan"\n', solver=solver)
        tables[solver] = fm.allocate(fm.load_scenario(path)).amount_units["city"].tolist()
    formula = [float(pool) * w / sum(TIES) for w in TIES]
    expected = water_fill_grains(formula, pool, [None, None, capped, None, None, None, None])
    assert tables["highs"] == tables["cbc"] == expected
    # The tie rule at work: of two equal amounts, the earlier row takes the grain.
    assert expected[0] >= expected[3] and expected[1] >= expected[4] >= expected[5] >= expected[6]


def test_exact_amounts_do_not_depend_on_the_solver_at_large_pools():
    rng = np.random.default_rng(4)
    n = 12
    formula = rng.lognormal(0, 1, (2, n))
    pools = np.array([7_654_321_098.76, 1_234_567_890.12])
    formula = formula / formula.sum(axis=1, keepdims=True) * pools[:, None]
    need = grid_down(np.where(rng.random(n) < 0.4, formula.sum(axis=0) * 0.9, np.nan))
    problem = AllocationProblem(districts=[f"d{i}" for i in range(n)], pools=["a", "b"], pool_wan=pools,
                                formula=formula, bounds=[Bound("need", need)])
    tables = []
    for solver in ("highs", "cbc"):
        solution = AllocationLP(problem, SolverSettings(name=solver)).solve()
        assert solution.exact
        tables.append(round_solution(problem, solution))
    assert (tables[0] == tables[1]).all()
    assert (tables[0].sum(axis=0) == np.round(pools * 100)).all()

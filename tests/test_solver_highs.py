"""The solver door with HiGHS used elsewhere in the same process, and the provenance of integer solves.

HiGHS keeps one task scheduler per thread, started by the first solve with its thread count; a later solve
that asks for another count is refused. Whether finmodel solves first therefore matters, so each of those
cases runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from finmodel.errors import SolveError
from finmodel.solver import LinearModel, SolverError, SolverSettings, lp_sum

ROOT = Path(__file__).resolve().parents[1]
JINAN = ROOT / "scenarios" / "jinan-2023.toml"

FIRST = {
    "nothing": "",
    # PuLP's HiGHS leaves threads at HiGHS's default (automatic), so its scheduler takes the machine's count;
    # the second model asks for two threads outright, so that a one-core machine shows the clash too.
    "pulp": """
        import pulp
        for threads in (None, 2):
            p = pulp.LpProblem("first", pulp.LpMinimize)
            x = pulp.LpVariable("x", 0, 10)
            p += x
            p += x >= 1
            assert p.solve(pulp.HiGHS(msg=False, threads=threads)) == pulp.LpStatusOptimal
    """,
    "highspy": """
        import highspy
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 3)
        h.addVar(0, 10)
        h.changeColCost(0, 1.0)
        assert h.run() == highspy.HighsStatus.kOk
    """,
}

ALLOCATE = """
    import hashlib, json
    import finmodel as fm
    result = fm.allocate(fm.load_scenario({jinan!r}, {{"allocation.split": "fit", "allocation.fit_method": "lp"}}))  # the LP, not the closed form
    table = result.table.to_csv().encode("utf-8")
    # The other model still solves after finmodel, with its own settings.
    import pulp
    p = pulp.LpProblem("after", pulp.LpMinimize)
    y = pulp.LpVariable("y", 0, 10)
    p += y
    p += y >= 2
    after = pulp.LpStatus[p.solve(pulp.HiGHS(msg=False))]
    print(json.dumps({{"table": hashlib.sha256(table).hexdigest(), "solves": result.solver["solves"],
                      "after": after}}))
"""


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)


def allocate_after(first: str) -> dict:
    done = run_python(textwrap.dedent(FIRST[first]) + textwrap.dedent(ALLOCATE.format(jinan=str(JINAN))))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fresh() -> dict:
    return allocate_after("nothing")


@pytest.mark.parametrize("first", ["pulp", "highspy"])
def test_allocation_after_another_highs_solve_gives_the_same_table(fresh, first):
    found = allocate_after(first)
    assert found == fresh
    assert found["after"] == "Optimal" and found["solves"] > 1


def test_a_refused_thread_count_names_the_option_and_highs_reason():
    """If HiGHS keeps refusing the thread count, the error says so instead of blaming the time limit. (A solve runs
    in a thread of its own, whose scheduler starts with the model's count; the refusal is provoked by running in
    the thread that PuLP's solve started a scheduler in, as highspy releases whose scheduler is process-wide do.)"""
    code = textwrap.dedent(FIRST["pulp"]) + textwrap.dedent(f"""
        import highspy
        import finmodel as fm
        import finmodel.solver
        from finmodel.errors import SolveError
        finmodel.solver._run_interruptibly = lambda highs: highs.run()
        for name in ("resetThreadScheduler", "resetGlobalScheduler"):
            if hasattr(highspy.Highs, name):
                setattr(highspy.Highs, name, staticmethod(lambda blocking=False: None))
        try:
            fm.allocate(fm.load_scenario({str(JINAN)!r}, {{"allocation.split": "fit", "allocation.fit_method": "lp"}}))
        except SolveError as exc:
            print(exc)
        else:
            print("no error")
    """)
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    message = done.stdout
    assert "threads" in message and "scheduler" in message, message
    assert "time limit" not in message


def small_model(settings: SolverSettings) -> LinearModel:
    model = LinearModel("small", settings)
    x = model.variable("x", "x")
    model.constrain("c", x >= 1)
    model.minimise(x)
    return model


def test_an_option_highs_refuses_is_named_with_its_reason():
    with pytest.raises(SolveError, match=r"time_limit.*-1.*below lower bound"):
        small_model(SolverSettings(time_limit_s=-1)).solve("test")


def test_a_stop_other_than_the_time_limit_is_not_blamed_on_it(monkeypatch):
    import highspy

    model = small_model(SolverSettings(time_limit_s=120))
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kIterationLimit)
    with pytest.raises(SolverError) as caught:
        model.solve("test")
    assert "Iteration limit reached" in str(caught.value)
    assert "time limit" not in str(caught.value).lower()


def test_a_time_limit_stop_says_which_limit(monkeypatch):
    import highspy

    model = small_model(SolverSettings(time_limit_s=120))
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kTimeLimit)
    with pytest.raises(SolverError, match=r"time limit of 120 s"):
        model.solve("test")


# ------------------------------------------------------------------------------------------------
# The gap reached by an integer program: recorded when the solver reports it, never the gap allowed


def knapsack(solver: str, allowed: float) -> LinearModel:
    """Pick items of value 5, 4, 3 and weight 4, 3, 2 within weight 6: the best is 5 + 3 = 8; the next best, 7,
    is 1/8 off, so any gap allowed below that means a proven optimum."""
    model = LinearModel("knapsack", SolverSettings(name=solver, mip_rel_gap=allowed))
    pick = [model.variable(f"x{i}", f"item {i}", 0, 1, integer=True) for i in range(3)]
    model.constrain("weight", lp_sum(w * x for w, x in zip((4, 3, 2), pick)) <= 6)
    model.minimise(lp_sum(-v * x for v, x in zip((5, 4, 3), pick)))
    return model


def test_highs_records_the_gap_it_reached():
    model = knapsack("highs", 0.01)
    record = model.solve("pick")
    assert record.objective == pytest.approx(-8)
    assert record.gap is not None and record.gap == pytest.approx(model._highs.getInfo().mip_gap)
    assert record.gap < 0.01
    manifest = model.manifest()
    assert manifest["mip_rel_gap_allowed"] == 0.01
    assert manifest["mip_gaps_reached"] == [record.gap]
    json.dumps(manifest, allow_nan=False)


def test_cbc_records_no_gap_since_it_reports_none():
    model = knapsack("cbc", 0.01)
    record = model.solve("pick")
    assert record.objective == pytest.approx(-8)
    assert record.gap is None
    manifest = model.manifest()
    assert manifest["mip_rel_gap_allowed"] == 0.01
    assert manifest["mip_gaps_reached"] is None
    json.dumps(manifest, allow_nan=False)

"""Planning: one test per eligibility rule and exclusion reason (with its clause), priority and costs by hand,
the multi-year program against enumeration, a deadline shortfall and its extra money by hand, the synthetic
Jinan library against the published 2023 plan, and the Jinan plan's solve."""

from __future__ import annotations

import csv
import importlib.util
import itertools

import numpy as np
import pandas as pd
import pytest

from finmodel.cli import main
from finmodel.errors import InputError
from finmodel.planning import Deadline, PlanProblem, extra_money, load_plan_scenario, plan, solve_plan
from finmodel.planning.scenario import LibrarySpec, read_library
from finmodel.policy import load_policy
from finmodel.policy.eligibility import eligibility, priority
from finmodel.solver import SolverSettings

from .conftest import ROOT, english_words

HEADER = "id,name,district,year_built,land_type,households,buildings,floor_area_m2,prior_year,prior_plan," \
         "consent_share,gaps\n"
OK = "甲区,1995,state_owned,300,5,20000,,,0.8,roads;facades"
POLICY = load_policy(2021)


def library(tmp_path, rows: list[str]):
    path = tmp_path / "library.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return read_library(path, LibrarySpec(table=path.name), POLICY)


@pytest.mark.parametrize("row, reason, clause", [
    ("c,小区,甲区,2006,state_owned,300,5,20000,,,0.8,roads", "built_by_2005", "一(二)"),
    ("c,小区,甲区,1995,collective,300,5,20000,,,0.8,roads", "state_land", "一(二)"),
    ("c,小区,甲区,1995,state_owned,300,5,20000,,,0.6,roads", "resident_will", "一(二)"),
    ("c,小区,甲区,1995,state_owned,300,5,20000,,,0.8,", "needs_work", "一(二)"),
    ("c,小区,甲区,1995,state_owned,300,5,20000,2019,provincial,0.8,roads", "not_done_provincially", "三(四)"),
])
def test_each_exclusion_names_its_rule_and_clause(tmp_path, row, reason, clause):
    verdicts = eligibility(library(tmp_path, [row]), POLICY)
    assert not verdicts.loc["c", "eligible"]
    assert verdicts.loc["c", "reason"] == reason and verdicts.loc["c", "clause"] == clause


@pytest.mark.parametrize("row", [
    "c,小区,甲区,2005,state_owned,300,5,20000,,,0.8,roads",                 # built in 2005: still in (一(二))
    "c,小区,甲区,1995,state_owned,300,5,20000,,,0.6667,roads",              # two thirds consent (an assumption)
    "c,小区,甲区,1995,state_owned,300,5,20000,,,0.6666666666666666,roads",  # exactly two thirds, as a double
    "c,小区,甲区,1995,state_owned,300,5,20000,2020,provincial,0.8,roads",   # provincial, but after 2019 (三(四))
    "c,小区,甲区,1995,state_owned,300,5,20000,2018,city,0.8,roads",         # a city plan does not exclude
])
def test_each_rule_lets_in_what_it_should(tmp_path, row):
    verdicts = eligibility(library(tmp_path, [row]), POLICY)
    assert verdicts.loc["c", "eligible"] and verdicts.loc["c", "reason"] == ""


def test_provincial_renovation_by_2019_leaves_special_renovation_open(tmp_path):
    # 三(四): 不得再列入基础类公共设施总体规划，但可根据实际情况实施专项改造.
    verdicts = eligibility(library(tmp_path, ["c,小区,甲区,1995,state_owned,300,5,20000,2017,provincial,0.8,roads",
                                              "d,小区,甲区,2008,state_owned,300,5,20000,2017,provincial,0.8,roads"]),
                           POLICY)
    assert verdicts.loc["c", "special_only"] and not verdicts.loc["d", "special_only"]


def test_priority_and_estimated_costs_by_hand(tmp_path):
    table = library(tmp_path, ["a,小区,甲区,1995,state_owned,300,5,20000,,,0.8,roads;facades",
                               "b,小区,甲区,2003,state_owned,300,5,10000,,,0.9,lighting"])
    score = priority(table, POLICY)  # weights 0.4 / 0.4 / 0.2
    # a: built before 2000 (1), 2 of 16 items missing, 80 % consent → 0.4 + 0.4 × 2/16 + 0.2 × 0.8.
    assert score["a"] == pytest.approx(0.4 + 0.4 * 2 / 16 + 0.2 * 0.8)
    assert score["b"] == pytest.approx(0.4 / 16 + 0.2 * 0.9)
    # Basic cost: floor area × (roads 60 + facades 90 元/m²) ÷ 10⁴ → 300 万元; lighting 8 元/m² → 8 万元.
    assert table.loc["a", "cost_basic_wan"] == pytest.approx(300.0)
    assert table.loc["b", "cost_basic_wan"] == pytest.approx(8.0)
    assert table.loc["a", "estimated_basic"]


@pytest.mark.parametrize("row, words", [
    ("c,小区,甲区,1995,state_owned,300,5,20000,,,0.8,roads;roofs", ["row 2", "column 'gaps'", "'roofs'"]),
    ("c,小区,甲区,1995,leasehold,300,5,20000,,,0.8,roads", ["row 2", "column 'land_type'", "'leasehold'"]),
    ("c,小区,甲区,1995,state_owned,300,5,20000,,,1.8,roads", ["row 2", "column 'consent_share'", "at most 1"]),
    ("c,小区,甲区,一九九五,state_owned,300,5,20000,,,0.8,roads", ["row 2", "column 'year_built'", "not a number"]),
])
def test_bad_library_cells_are_named(tmp_path, row, words):
    with pytest.raises(InputError) as caught:
        library(tmp_path, [row])
    for w in words:
        assert w in str(caught.value)


# ---------------------------------------------------------------------------------------------
# The program against enumeration


def brute_force(problem: PlanProblem) -> float:
    n, n_years = len(problem.ids), len(problem.years)
    choices = np.array(list(itertools.product(range(-1, n_years), repeat=n)), dtype=int)  # −1: not renovated
    value = problem.values()
    total = np.zeros(len(choices))
    feasible = np.ones(len(choices), dtype=bool)
    for t in range(n_years):
        chosen = choices == t
        total += (chosen * value[:, t]).sum(axis=1)
    for d in range(len(problem.districts)):
        members = problem.district_of == d
        spent = np.stack([((choices == t) & members) @ problem.cost for t in range(n_years)], axis=1)
        if problem.carry_over:
            feasible &= (np.cumsum(spent, axis=1) <= np.cumsum(problem.budgets[d]) + 1e-9).all(axis=1)
        else:
            feasible &= (spent <= problem.budgets[d] + 1e-9).all(axis=1)
    return float(total[feasible].max())


def random_plan(rng: np.random.Generator, n: int, carry: bool) -> PlanProblem:
    return PlanProblem(
        ids=[f"c{i}" for i in range(n)], district_of=rng.integers(0, 2, n), districts=["甲", "乙"],
        years=[2021, 2022, 2023], cost=rng.uniform(50, 250, n).round(1),
        households=rng.integers(100, 900, n).astype(float), priority=rng.uniform(0.2, 1.0, n),
        budgets=rng.uniform(80, 320, (2, 3)).round(1), carry_over=carry, earliness=0.05,
        deadlines=[Deadline("d1", 2021, rng.random(n) < 0.4, 1.0), Deadline("d2", 2023, rng.random(n) < 0.6, 0.3)])


@pytest.mark.parametrize("seed", range(8))
def test_plan_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    n = 10 if seed == 0 else int(rng.integers(3, 9))
    problem = random_plan(rng, n, carry=bool(seed % 2))
    solution = solve_plan(problem, SolverSettings(mip_rel_gap=0.0))
    assert solution.objective == pytest.approx(brute_force(problem), rel=1e-9)
    # The plan itself keeps every budget.
    for d in range(2):
        spent = np.array([problem.cost[(problem.district_of == d) & (solution.year == y)].sum()
                          for y in problem.years])
        budget = problem.budgets[d]
        assert (np.cumsum(spent) <= np.cumsum(budget) + 1e-6).all() if problem.carry_over else (
            spent <= budget + 1e-6).all()


@pytest.mark.parametrize("carry", [False, True])
def test_deadline_shortfall_and_extra_money_by_hand(carry):
    """Three communities built before 2000 in one district, 100 万元 each, 150 a year in 2021 and 2022: one fits in
    2021, so the 2021 deadline misses two of them (the smaller two: 200 + 100 households); meeting it needs all
    300 in 2021, i.e. 150 more in 2021 and nothing in 2022."""
    problem = PlanProblem(
        ids=["a", "b", "c"], district_of=np.zeros(3, dtype=int), districts=["甲"], years=[2021, 2022],
        cost=np.array([100.0, 100, 100]), households=np.array([300.0, 200, 100]), priority=np.full(3, 0.5),
        budgets=np.array([[150.0, 150.0]]), carry_over=carry, earliness=0.05,
        deadlines=[Deadline("by2021", 2021, np.ones(3, dtype=bool), 1.0)])
    solution = solve_plan(problem, SolverSettings(mip_rel_gap=0.0))
    assert solution.year[0] == 2021 and (solution.year[1:] != 2021).all()
    missed = problem.households[(solution.year == 0) | (solution.year > 2021)].sum()
    assert missed == 300
    money = extra_money(problem, problem.deadlines[0], SolverSettings(mip_rel_gap=0.0))
    np.testing.assert_allclose(money.to_numpy(), [[150.0, 0.0]], atol=1e-6)


# ---------------------------------------------------------------------------------------------
# The synthetic Jinan library and plan


def _generator():
    spec = importlib.util.spec_from_file_location("make_jinan_library", ROOT / "scenarios" / "make_jinan_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_library_matches_the_2023_plan_and_says_it_is_synthetic(tmp_path):
    bundled = ROOT / "scenarios" / "data" / "jinan-library-synthetic.csv"
    assert bundled.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    frame = pd.read_csv(bundled, comment=None, skiprows=1)
    assert 1_400 <= len(frame) <= 1_600
    planned = frame[frame["plan_2023"] == 1].groupby("district")[
        ["households", "buildings", "floor_area_m2"]].sum().join(
        frame[frame["plan_2023"] == 1].groupby("district").size().rename("communities"))
    with open(ROOT / "scenarios" / "data" / "jinan-2023-districts.csv", encoding="utf-8-sig") as handle:
        published = {row["district"]: row for row in csv.DictReader(handle)}
    assert set(planned.index) == set(published)
    for district, row in published.items():
        for column in ("communities", "households", "buildings", "floor_area_m2"):
            assert planned.at[district, column] == int(row[column]), (district, column)
    # The same seed gives the same bytes.
    library, budgets = _generator().main(out_dir=tmp_path)
    assert library.read_bytes() == bundled.read_bytes()
    assert budgets.read_bytes() == (ROOT / "scenarios" / "data" / "jinan-plan-budgets.csv").read_bytes()


def test_every_exclusion_rule_has_cases_in_the_library():
    scenario = load_plan_scenario(ROOT / "scenarios" / "jinan-plan-2021.toml")
    reasons = set(eligibility(scenario.library, scenario.policy)["reason"])
    assert reasons >= {"built_by_2005", "state_land", "resident_will", "needs_work", "not_done_provincially"}


def test_jinan_plan_solves_within_its_gap_and_prints_the_time(tmp_path, capsys):
    assert main(["run", str(ROOT / "scenarios" / "jinan-plan-2021.toml"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "计划求解用时" in out and " 秒（相对差距 " in out
    result = plan(load_plan_scenario(ROOT / "scenarios" / "jinan-plan-2021.toml"))
    assert result.solution.gap <= 0.001
    annual = result.annual.groupby(["district", "year"])["cost_wan"].sum()
    planned = result.communities[result.communities["planned_year"] > 0]
    assert annual.sum() == pytest.approx(planned["cost_basic_wan"].sum())
    # Money is kept: cumulative spending never exceeds the cumulative budget (carry-over is on).
    table = result.annual.sort_values(["district", "year"])
    assert (table["unspent_wan"] >= -1e-6).all()
    # Every community that misses a deadline is flagged, and the flags add up to the report's households.
    for row in result.deadlines.itertuples(index=False):
        flagged = result.communities[result.communities[f"misses_{row.deadline}"]]
        assert flagged["households"].sum() == row.households_missed
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    assert wb.sheetnames == ["年度计划表", "项目清单", "资格审查", "期限检查", "资金来源", "改造内容", "参数"]
    assert (tmp_path / "plan.png").stat().st_size > 0


def test_a_plan_solved_by_cbc_says_its_gap_is_not_reported(tmp_path, capsys):
    # CBC through PuLP reports no gap reached; the allowed gap must not be printed as if it were.
    assert main(["run", str(ROOT / "scenarios" / "jinan-plan-2021.toml"), "--out", str(tmp_path),
                 "--set", 'plan.solver="cbc"']) == 0
    assert "求解器未报告差距" in capsys.readouterr().out


def test_plan_reports_are_byte_identical_across_runs(tmp_path):
    path = ROOT / "scenarios" / "jinan-plan-2021.toml"
    for folder in ("a", "b"):
        assert main(["run", str(path), "--out", str(tmp_path / folder), "--quiet"]) == 0
    for name in ("plan.xlsx", "plan.csv", "plan.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize("budgets, plan_text, words", [
    ("district,year,budget_wan\n乙区,2021,100\n", "", ["budgets.csv", "row 2", "no community of the library is in '乙区'"]),
    ("district,year,budget_wan\n甲区,2021,100\n甲区,2021,50\n", "", ["budgets.csv", "row 3", "given twice"]),
    ("district,year,budget_wan\n甲区,2021,一百\n", "", ["budgets.csv", "column 'budget_wan'", "not a number"]),
    # A blank budget cell names its district and year, not a row of units.
    ("district,year,budget_wan\n甲区,2021,100\n甲区,2022,\n", "",
     ["budgets.csv", "row 3", "column 'budget_wan': empty cell (甲区 / 2022)"]),
    ("district,year,budget_wan\n甲区,2021,100\n", "last_year = 2020\n", ["plan", "before first_year"]),
    ("district,year,budget_wan\n甲区,2021,100\n", "carry = true\n", ["unknown key 'carry'", "did you mean 'carry_over'"]),
])
def test_bad_plan_inputs_are_named(tmp_path, capsys, budgets, plan_text, words):
    (tmp_path / "library.csv").write_text(HEADER + "c,小区," + OK + "\n", encoding="utf-8")
    (tmp_path / "budgets.csv").write_text(budgets, encoding="utf-8")
    text = ('[scenario]\nname = "计划"\n[library]\ntable = "library.csv"\n[budgets]\ntable = "budgets.csv"\n'
            "[plan]\nfirst_year = 2021\n" + (plan_text if "last_year" in plan_text else "last_year = 2022\n" + plan_text))
    (tmp_path / "plan.toml").write_text(text, encoding="utf-8")
    assert main(["validate", str(tmp_path / "plan.toml"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    # The same in Chinese, quoting only what the files hold.
    assert main(["validate", str(tmp_path / "plan.toml")]) == 2
    err = capsys.readouterr().err
    inputs = [p.read_text(encoding="utf-8") for p in tmp_path.iterdir()]
    assert "错误：" in err and not english_words(err, *inputs, str(tmp_path)), err


def test_a_long_community_name_wraps_in_the_project_list(tmp_path):
    # Names up to 38 units widen the name column; a longer one (here 52 units) wraps in a column of 40.
    long_name = "历下区" + "文化东路" * 6 + "宿舍小区"
    (tmp_path / "library.csv").write_text(HEADER + f"c,{long_name}," + OK + "\nd,短名小区," + OK + "\n",
                                          encoding="utf-8")
    (tmp_path / "budgets.csv").write_text("district,year,budget_wan\n甲区,2021,100000\n", encoding="utf-8")
    (tmp_path / "plan.toml").write_text(
        '[scenario]\nname = "计划"\n[library]\ntable = "library.csv"\n[budgets]\ntable = "budgets.csv"\n'
        "[plan]\nfirst_year = 2021\nlast_year = 2021\n", encoding="utf-8")
    assert main(["run", str(tmp_path / "plan.toml"), "--out", str(tmp_path / "out"), "--quiet"]) in (0, 1)
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")["项目清单"]
    rows = {ws.cell(row=r, column=2).value: r for r in range(2, ws.max_row + 1)}
    assert ws.column_dimensions["B"].width == 40
    assert ws.cell(row=rows[long_name], column=2).alignment.wrap_text
    assert ws.row_dimensions[rows[long_name]].height >= 30  # two lines

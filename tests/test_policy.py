"""The policy set as an input: dated values by concept, read on a day; a [policy] table, --set policy.… and another
policy file change what a run uses, and the run records it; no engine reads a policy value any other way."""

from __future__ import annotations

import ast
import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest

from finmodel.cashflow import evaluate, load_project_scenario
from finmodel.cli import main
from finmodel.errors import InputError
from finmodel.planning.scenario import LibrarySpec, read_library
from finmodel.policy import load_policy
from finmodel.policy.eligibility import eligibility, priority
from finmodel.policy.params import BUILTIN, VALUE_TYPES

from .conftest import ROOT

PACKAGE = ROOT / "finmodel"
MULTI_SOURCE = ROOT / "scenarios" / "projects" / "multi-source-2024.toml"
PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"


def test_no_engine_reads_a_policy_value_but_through_the_policy_it_is_given():
    # The loader alone reads the policy file; no module keeps a lookup by name (the old parameter("…_2020")).
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "parameter", f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(node, ast.Call) and path.name != "params.py":
                named = [a for a in ast.walk(node) if isinstance(a, ast.Constant) and isinstance(a.value, str)
                         and BUILTIN in a.value and a in node.args]
                assert not named, f"{path.relative_to(ROOT)}:{node.lineno} opens the policy file"


def test_every_concept_is_defined_dated_cited_and_typed():
    policy = load_policy(2023)
    assert list(policy.entries) == list(VALUE_TYPES)
    for entry in policy.entries.values():
        assert entry.effective <= dt.date(2023, 12, 31) and entry.source and entry.unit
    assert policy["eligibility"].consent_at_least == Fraction(2, 3)  # exact, not 0.6667
    recorded = {v["key"]: v for v in load_policy(2023).record()["values"]}
    assert recorded["eligibility"]["value"]["consent_at_least"] == "2/3"
    assert policy["eligibility"].priority_built_by == dt.date(2000, 12, 31)


def _amendment(tmp_path: Path, rate: float) -> Path:
    """The policy finmodel ships with a made-up 2024 amendment: from 2024-01-01 roofs are rewarded at ``rate``."""
    text = (PACKAGE / "policy" / BUILTIN).read_text(encoding="utf-8")
    amended = load_policy(2023)["reward_in_lieu"].model_dump()
    amended["items"]["roofs"]["rate"] = rate
    items = ", ".join(f'{k} = {{ label = "{v["label"]}", rate = {v["rate"]}, cap_wan_per_household = '
                      f'{v["cap_wan_per_household"]} }}' for k, v in amended["items"].items())
    factors = ", ".join(f'"{k}" = {v}' for k, v in amended["grade_factors"].items())
    marker = "[[multi_source.values]]"
    entry = ('[[reward_in_lieu.values]]\nfrom = 2024-01-01\nsource = "made-up amendment for a test"\n'
             f'assumption = true\nvalue = {{ lag_years = 1, requires_acceptance = true, grade_factors = {{ {factors} }}, '
             f'items = {{ {items} }} }}\n\n')
    # The new value goes right after the 2020 one, inside [reward_in_lieu], before the next concept's table.
    head, tail = text.split("[multi_source]", 1)
    path = tmp_path / "policy-2024.toml"
    path.write_text(head + entry + "[multi_source]" + tail, encoding="utf-8")
    assert marker in path.read_text(encoding="utf-8")
    return path


def test_a_dated_amendment_is_a_data_change_only(tmp_path):
    amended = _amendment(tmp_path, rate=0.8)
    before = evaluate(load_project_scenario(MULTI_SOURCE))
    same = evaluate(load_project_scenario(MULTI_SOURCE, [f'policy.file="{amended}"', "policy.as_of=2023-12-31"]))
    after = evaluate(load_project_scenario(MULTI_SOURCE, [f'policy.file="{amended}"']))

    def roofs(result):
        return next(line for flow in result.cashflows for line in flow.reward_lines if line.item == "roofs")

    # Residents paid 160 万元 for roofs: 50 % → 80 before the amendment, 80 % → 128 from 2024 (cap 0.2 万元 × the
    # project's households does not bind), grade factor of the project's score alike.
    base = roofs(before)
    assert roofs(same).amount_wan == pytest.approx(base.amount_wan)
    assert roofs(after).amount_wan == pytest.approx(base.amount_wan * 0.8 / 0.5)
    assert roofs(after).rate == 0.8 and base.rate == 0.5


def test_a_policy_change_by_set_is_recorded_old_to_new_in_the_manifest_and_the_parameter_sheet(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(MULTI_SOURCE), "--out", str(out), "--quiet",
                 "--set", "policy.reward_in_lieu.lag_years=2"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"key": "policy.reward_in_lieu.lag_years", "old": 1, "new": 2} in record["overrides"]
    values = {v["key"]: v for v in record["policy"]["values"]}
    assert values["reward_in_lieu"]["value"]["lag_years"] == 2 and values["reward_in_lieu"]["overridden"]
    assert values["reward_in_lieu"]["policy_value"]["lag_years"] == 1  # what the policy said before the change
    # A projects run carries the values it uses, and only those.
    assert set(values) == {"reward_in_lieu", "grade_cutoffs", "default_grade", "multi_source", "cost_catalogue"}
    assert not values["multi_source"]["overridden"]
    assert record["policy"]["as_of"] == "2024-12-31" and len(record["policy"]["sha256"]) == 64
    assert record["scenario"]["kind"] == "projects"
    from openpyxl import load_workbook
    sheet = load_workbook(next(out.glob("*.xlsx")))["参数"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "policy.reward_in_lieu.lag_years" in cells
    assert any("本次运行调整，原值" in c for c in cells) and "reward_in_lieu" in cells


@pytest.mark.parametrize("key, message", [
    ("policy.reward_in_lieu.lag_year=2", "lag_year"),
    ("policy.rewards_in_lieu.lag_years=2", "did you mean 'policy.reward_in_lieu'"),
    ("policy.reward_in_lieu.lag_years=-1", "greater than or equal to 0"),
    ("policy.eligibility.consent_at_least=\"4/3\"", "between 0 and 1"),
    ("policy.as_of=2019-01-01", "no value in force on 2019-01-01"),
])
def test_a_bad_policy_change_is_an_input_error_naming_the_key(key, message):
    with pytest.raises(InputError, match=message):
        load_project_scenario(MULTI_SOURCE, [key])


def _library(tmp_path, rows):
    path = tmp_path / "library.csv"
    path.write_text("id,name,district,year_built,land_type,households,buildings,floor_area_m2,prior_year,prior_plan,"
                    "consent_share,gaps\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return read_library(path, LibrarySpec(table=path.name), load_policy(2021))


def test_built_in_2000_is_built_before_2000_as_the_policy_writes_it(tmp_path):
    # 三(四) 优先考虑2000年前建成; 一(二) writes 2005年前 as 2005年12月31日前: the year named is included.
    policy = load_policy(2021)
    table = _library(tmp_path, ["a,小区,甲区,2000,state_owned,300,5,20000,,,0.8,roads",
                                "b,小区,甲区,2001,state_owned,300,5,20000,,,0.8,roads"])
    score = priority(table, policy)
    assert score["a"] - score["b"] == pytest.approx(0.4)  # the pre-2000 weight, and nothing else differs
    # …and the deadlines for communities built before 2000 cover it.
    deadlines = policy["deadlines"]
    assert deadlines["basic_pre2000_by_2021"].built_by == 2000 and deadlines["pre2000_by_2025"].built_by == 2000


def test_a_community_built_in_2000_gets_the_pre2000_deadline_in_a_plan():
    from finmodel.planning import load_plan_scenario, plan
    scenario = load_plan_scenario(PLAN)
    result = plan(scenario)
    deadlines = result.deadlines.set_index("deadline")
    eligible = result.communities["eligible"]
    year = scenario.library["year_built"]
    assert ((year == 2000) & eligible).sum() > 0  # the bundled library has such communities
    for deadline in ("basic_pre2000_by_2021", "pre2000_by_2025"):
        assert int(deadlines.loc[deadline, "communities"]) == int(((year <= 2000) & eligible).sum())
    # 资格审查 states the reading.
    import io

    from openpyxl import load_workbook

    from finmodel.report.plan import plan_workbook
    sheet = load_workbook(io.BytesIO(plan_workbook(result)))["资格审查"]
    notes = [c.value for row in sheet.iter_rows(min_row=sheet.max_row - 2) for c in row if isinstance(c.value, str)]
    assert any("“2000年前建成”含2000年建成的小区" in n and "不低于2/3（含2/3）" in n for n in notes), notes


@pytest.mark.parametrize("share, eligible", [("0.6666666666666666", True), ("0.6667", True), ("0.6666", False)])
def test_exactly_two_thirds_consent_passes(tmp_path, share, eligible):
    table = _library(tmp_path, [f"c,小区,甲区,1995,state_owned,300,5,20000,,,{share},roads"])
    assert bool(eligibility(table, load_policy(2021)).loc["c", "eligible"]) is eligible


def test_a_plans_own_weights_give_way_to_set(tmp_path):
    from finmodel.planning import load_plan_scenario
    scenario = load_plan_scenario(PLAN, ["policy.priority_weights.gaps=0.9"])
    assert scenario.policy["priority_weights"]["gaps"] == 0.9  # recorded, and used
    assert {"key": "policy.priority_weights.gaps", "old": 0.4, "new": 0.9} in [vars(o) for o in scenario.overrides]


@pytest.mark.parametrize("change, message", [
    ("policy.deadlines.pre2005_by_2025.penalty=0.5", "not used by a scenario of this kind"),
    ("policy.cost_catalogue.items.road.yuan_per_m2=70", "did you mean 'roads'"),
    ("policy.difficulty_tiers.0=2.0", "'difficulty_tiers' is a value, not a table"),
])
def test_a_policy_change_the_run_would_not_use_is_refused(change, message):
    from finmodel.allocation.scenario import load_scenario
    target = PLAN if "cost_catalogue" in change else ROOT / "scenarios" / "jinan-2023.toml"
    loader = load_scenario
    if target == PLAN:
        from finmodel.planning import load_plan_scenario as loader
    with pytest.raises(InputError, match=message):
        loader(target, [change])


def test_a_value_the_scenario_sets_itself_cannot_be_changed_through_the_policy(tmp_path):
    from finmodel.allocation.scenario import load_scenario
    with pytest.raises(InputError, match="the scenario sets difficulty.tiers itself"):
        load_scenario(ROOT / "scenarios" / "jinan-2023.toml",
                      ["difficulty.tiers=[1.5, 1.0, 0.5]", "policy.difficulty_tiers=[2.0, 1.0, 0.5]"])


def test_every_dated_value_of_a_policy_file_is_validated(tmp_path):
    text = (PACKAGE / "policy" / BUILTIN).read_text(encoding="utf-8")
    bad = text.replace("[grade_cutoffs]", "[grade_cutoffs]", 1)
    head, tail = bad.split("[reward_in_lieu]", 1)
    head += '[[grade_cutoffs.values]]\nfrom = 2030-01-01\nsource = "later"\nassumption = true\nvalue = [1.2, "one", -5]\n\n'
    path = tmp_path / "policy.toml"
    path.write_text(head + "[reward_in_lieu]" + tail, encoding="utf-8")
    with pytest.raises(InputError, match=r"grade_cutoffs.values\[1\].value"):
        load_policy(2023, path)


def test_the_manifest_takes_dates_and_times_in_overrides(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(MULTI_SOURCE), "--out", str(out), "--quiet", "--set", "policy.as_of=2024-06-30",
                 "--set", "scenario.name=测算"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"key": "policy.as_of", "old": None, "new": "2024-06-30"} in record["overrides"]
    assert record["policy"]["as_of"] == "2024-06-30"


def test_a_party_the_projects_schema_does_not_know_is_refused_in_the_policy():
    with pytest.raises(InputError, match="unknown party 'provincal'; did you mean 'provincial'"):
        load_project_scenario(MULTI_SOURCE, ['policy.multi_source.subsidy_parties=["central", "provincal"]'])


def test_every_rule_set_names_its_owner_under_annex_2(tmp_path):
    """附件2 (老旧小区改造任务分工表) gives each rule set a department and, for some, a deadline: the policy data
    carries them, manifest.json records them and the 参数 sheet shows them."""
    import openpyxl

    policy = load_policy(2023)
    for key, entry in policy.entries.items():
        if key == "three_supplies":  # 附件2 gives 三供一业 to no department: it follows its own policy
            assert entry.owner is None
            continue
        assert entry.owner is not None and entry.owner.department.startswith(("市财政局", "市住房城乡建设局")), key
    rewards = policy.entry("reward_in_lieu").owner
    assert (rewards.department, rewards.deadline.isoformat()) == ("市财政局", "2020-05-31")
    assert "以奖代补管理办法" in rewards.task
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "jinan-2023.toml"), "--out", str(out), "--quiet"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["policy"]["values"]
    assert all(v["owner"]["department"] for v in record if v["key"] != "three_supplies")
    sheet = openpyxl.load_workbook(out / "allocation.xlsx")["参数"]
    texts = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("责任部门（附件2）：市财政局" in text and "完成时限 2020-05-31" in text for text in texts)

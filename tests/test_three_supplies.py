"""三供一业 (济政办字〔2020〕21号 三(五)): state-owned enterprises' dormitories handed over under 三供一业 follow their
own funding policy: they stay out of the subsidy plan, and their basic works are split between the former owner
unit and that policy's funds, by the policy value ``three_supplies``."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import ROOT

PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"


@pytest.fixture(scope="module")
def flagged(tmp_path_factory):
    """The bundled plan with three eligible, planned communities flagged as 三供一业 dormitories."""
    folder = tmp_path_factory.mktemp("three")
    shutil.copytree(ROOT / "scenarios" / "data", folder / "data")
    shutil.copy(PLAN, folder / PLAN.name)
    library = folder / "data" / "jinan-library-synthetic.csv"
    lines = library.read_text(encoding="utf-8").splitlines()
    header = next(k for k, line in enumerate(lines) if not line.startswith("#"))
    lines[header] += ",three_supplies"
    for k in range(header + 1, len(lines)):
        lines[k] += ",1" if lines[k].split(",")[0] in ("JN00001", "JN00003", "JN00007") else ","
    library.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / PLAN.name


def test_a_dormitory_leaves_the_plan_and_its_cost_is_split(flagged):
    scenario = fm.load_plan_scenario(flagged)
    result = fm.plan(scenario)
    three = result.three_supplies
    assert list(three.index) == ["JN00001", "JN00003", "JN00007"]
    communities = result.communities
    assert not communities.loc[three.index, "eligible"].any()
    assert (communities.loc[three.index, "reason"] == "not_three_supplies").all()
    assert (communities.loc[three.index, "planned_year"] == 0).all()
    share = scenario.policy["three_supplies"].owner_unit_share
    for pid, row in three.iterrows():  # by hand: the owner unit pays its share of the basic works, the policy the rest
        cost = scenario.library.at[pid, "cost_basic_wan"]
        assert row["owner_unit_wan"] == pytest.approx(cost * share)
        assert row["owner_unit_wan"] + row["policy_funds_wan"] == pytest.approx(cost)
    plain = fm.plan(fm.load_plan_scenario(PLAN)).communities
    assert plain.loc[three.index, "planned_year"].gt(0).all()  # without the flag they were planned


def test_the_plan_reports_them_apart(tmp_path, flagged, capsys):
    out = tmp_path / "out"
    assert main(["run", str(flagged), "--out", str(out)]) == 0
    assert "“三供一业”宿舍区 3 个" in capsys.readouterr().out
    import openpyxl

    sheet = openpyxl.load_workbook(out / "plan.xlsx")["三供一业"]
    assert [sheet.cell(row=r, column=1).value for r in (4, 5, 6, 7)] == ["JN00001", "JN00003", "JN00007", "合计"]
    csv = pd.read_csv(out / "plan.csv", encoding="utf-8-sig")
    assert csv.loc[csv["编号"].isin(["JN00001", "JN00003", "JN00007"]), "“三供一业”宿舍区"].all()


def test_a_bad_flag_is_named(tmp_path, flagged):
    library = flagged.parent / "data" / "jinan-library-synthetic.csv"
    text = library.read_text(encoding="utf-8").replace(",1\n", ",2\n", 1)
    bad = tmp_path / "data"
    shutil.copytree(flagged.parent / "data", bad)
    (bad / library.name).write_text(text, encoding="utf-8")
    shutil.copy(flagged, tmp_path / flagged.name)
    with pytest.raises(fm.InputError, match="three_supplies is 1"):
        fm.load_plan_scenario(tmp_path / flagged.name)

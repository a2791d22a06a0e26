"""Runs read back and compared: every bundled run reads back as the API computed it, a changed file is refused,
and a comparison lists the inputs that differ and per-unit differences that add up exactly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml")) + sorted((ROOT / "scenarios" / "projects").glob("*.toml"))
JINAN = ROOT / "scenarios" / "jinan-2023.toml"


def _run(file, out, *extra):
    assert main(["run", str(file), "--out", str(out), "--quiet", "--workers", "0", *extra]) in (0, 1)
    return out


@pytest.mark.parametrize("file", SCENARIOS, ids=lambda p: p.name)
def test_every_bundled_run_reads_back_as_computed(tmp_path, file):
    run = fm.read_run(_run(file, tmp_path / "out"))
    if run.kind == "allocation":
        expected = fm.allocate(fm.load_scenario(file)).amount_wan
        pd.testing.assert_frame_equal(run.amount_wan, expected)  # exact: amounts are two-decimal text
    elif run.kind == "projects":
        metrics = fm.evaluate(fm.load_project_scenario(file)).metrics
        assert list(run.metrics.index) == list(metrics.index)
        assert run.metrics["name"].tolist() == metrics["name"].tolist()
        numbers = [c for c in run.metrics.columns if c in metrics.columns and c != "name"
                   and not c.endswith(("_status", "_kind"))]
        expected = metrics[numbers].astype(float)
        for column in ("irr_project", "irr_equity"):  # a rate that is not a return is a note in the CSV, not a number
            said = run.metrics[f"{column}_note"] != ""
            assert run.metrics.loc[said, column].isna().all()
            expected.loc[said, column] = np.nan
        # the CSV holds six decimals
        np.testing.assert_allclose(run.metrics[numbers].to_numpy(float), expected.to_numpy(float),
                                   atol=5e-7, rtol=0, equal_nan=True)
    else:
        communities = fm.plan(fm.load_plan_scenario(file)).communities
        assert run.communities["planned_year"].tolist() == communities["planned_year"].tolist()
        np.testing.assert_allclose(run.communities["cost_basic_wan"], communities["cost_basic_wan"], atol=5e-7)


def test_a_changed_file_is_refused(tmp_path):
    out = _run(JINAN, tmp_path / "out")
    table = out / "allocation.csv"
    table.write_bytes(table.read_bytes().replace(b"14908.12", b"14908.13"))
    with pytest.raises(fm.InputError, match="has changed since the run wrote it") as caught:
        fm.read_run(out)
    assert caught.value.file == str(table)
    (out / "manifest.json").unlink()
    with pytest.raises(fm.InputError, match="no manifest.json"):
        fm.read_run(out)


def test_comparing_a_pool_change_lists_it_and_adds_up_exactly(tmp_path, capsys):
    a = _run(JINAN, tmp_path / "a")
    b = _run(JINAN, tmp_path / "b", "--set", "pools.central.amount_wan=32000")
    out = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pools.central.amount_wan：30000.0 → 32000" in printed
    comparison = fm.compare(a, b)
    assert comparison.inputs[["what", "key", "b"]].values.tolist() == [["set", "pools.central.amount_wan", "32000"]]
    grains = (comparison.table.pivot(index="unit", columns="pool", values="difference_wan") * 100).round()
    assert grains.sum().to_dict() == {"central": 200000.0, "city": 0.0, "provincial": 0.0}
    direct = fm.allocate(fm.load_scenario(JINAN, ["pools.central.amount_wan=32000"])).amount_wan
    table = comparison.table.set_index(["unit", "pool"])
    assert table.loc[("历下区", "central"), "b_wan"] == direct.at["历下区", "central"]
    assert sorted(p.name for p in out.iterdir()) == ["compare.csv", "compare.png", "manifest.json", "方案对比.xlsx"]
    csv = pd.read_csv(out / "compare.csv", encoding="utf-8-sig")
    assert csv.columns.tolist() == ["区县", "键或文件", "方案一（万元）", "方案二（万元）", "差额（万元）", "变动（%）"]
    assert set(csv["键或文件"]) == {"中央财政补助资金", "省级财政补助资金", "市级财政补助资金"}
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert record["comparison"]["kind"] == "allocation" and len(record["comparison"]["runs"]) == 2


def test_scenarios_are_run_then_compared(tmp_path):
    zoucheng = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"
    out = tmp_path / "cmp"
    assert main(["compare", str(zoucheng), str(ROOT / "scenarios" / "projects" / "zoucheng-2024-risk.toml"),
                 "--out", str(out), "--quiet", "--lang", "en"]) == 0
    assert (out / "comparison.xlsx").exists()
    table = pd.read_csv(out / "compare.csv", encoding="utf-8-sig")
    assert (table["Difference"].fillna(0) == 0).all()  # the same project; only the [risk] table differs


def test_runs_of_two_kinds_are_not_compared(tmp_path):
    a = _run(JINAN, tmp_path / "a")
    b = _run(ROOT / "scenarios" / "projects" / "zoucheng-2024.toml", tmp_path / "b")
    with pytest.raises(fm.InputError, match="kind 'allocation'.*kind 'projects'"):
        fm.compare(a, b)


def test_a_plan_comparison_by_year(tmp_path):
    plan = ROOT / "scenarios" / "jinan-plan-2021.toml"
    a = fm.read_run(_run(plan, tmp_path / "a"))
    b = fm.read_run(_run(plan, tmp_path / "b", "--set", "budgets.scale=1.2"))
    comparison = fm.compare(a, b)
    households = comparison.table[comparison.table["measure"] == "households"].set_index("year")
    annual = fm.plan(fm.load_plan_scenario(plan, ["budgets.scale=1.2"])).annual.groupby("year")["households"].sum()
    assert households["b"].tolist() == annual.astype(float).tolist()
    assert comparison.inputs["key"].tolist() == ["budgets.scale"]


@pytest.mark.parametrize("change", [
    lambda m: [], lambda m: {**m, "outputs": [{"file": "allocation.csv"}]}, lambda m: {**m, "outputs": {"a": 1}},
    lambda m: {**m, "scenario": "jinan"}, lambda m: {**m, "inputs": [{"file": "a.csv"}]},
    lambda m: {**m, "scenario": {**m["scenario"], "kind": ["allocation"]}}, lambda m: {**m, "language": "fr"},
    lambda m: {**m, "overrides": [{"key": "x"}]},
])
def test_a_manifest_not_as_finmodel_wrote_it_is_bad_input_not_a_defect(tmp_path, capsys, change):
    out = _run(JINAN, tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps(change(manifest)), encoding="utf-8")
    with pytest.raises(fm.InputError, match="is not a manifest finmodel wrote"):
        fm.read_run(out)
    assert main(["compare", str(out), str(out), "--out", str(tmp_path / "cmp")]) == 2
    assert "不是 finmodel 写出的清单" in capsys.readouterr().err

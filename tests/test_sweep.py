"""Sweeps: every combination of the grid runs, each point equals the scenario run with those values set, the
districts' amounts move by exactly what the pool moves, the same table comes from this process and from a Dask
LocalCluster of two workers, and a bad grid is refused before anything runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import finmodel as fm
from finmodel.risk.grid import parse_grid, sweep

from .conftest import ROOT

JINAN = ROOT / "scenarios" / "jinan-2023.toml"
PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"
ZOUCHENG = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"
GRID = {"pools.central.amount_wan": [30000, 32000], "pools.city.amount_wan": [25000.5, 26000]}


@pytest.fixture(scope="module")
def jinan():
    return sweep(JINAN, GRID, workers=0)


def test_every_combination_runs_in_the_grids_order(jinan):
    assert list(jinan.points.index) == [1, 2, 3, 4]
    assert jinan.points[list(GRID)].values.tolist() == [[30000, 25000.5], [30000, 26000], [32000, 25000.5],
                                                        [32000, 26000]]
    assert jinan.points["ok"].all()


def test_each_point_is_the_scenario_run_with_its_values_set(jinan):
    table = jinan.table()
    for n, row in jinan.points.iterrows():
        given = [f"{k}={row[k]!r}" for k in GRID]
        direct = fm.allocate(fm.load_scenario(JINAN, given))
        expected = direct.amount_units.sum(axis=1) / 100
        assert table.loc[n, list(expected.index)].tolist() == expected.tolist()


def test_the_districts_move_by_exactly_what_the_pool_moves(jinan):
    # in the allocation's grain, 0.01 万元: integers, so "exactly" means equal
    grains = (jinan.table().drop(columns=list(GRID)) * 100).round().astype(np.int64)
    assert grains.loc[3].sum() - grains.loc[1].sum() == 2000 * 100
    assert grains.loc[2].sum() - grains.loc[1].sum() == 999.5 * 100
    provincial = 20000
    assert (grains.sum(axis=1) == [int(round((a + b + provincial) * 100)) for a, b in
                                   jinan.points[list(GRID)].itertuples(index=False)]).all()


@pytest.mark.slow
def test_a_local_cluster_of_two_workers_gives_the_same_table(jinan):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = sweep(JINAN, GRID, scheduler=cluster.scheduler_address)
    assert remote.workers == 2
    pd.testing.assert_frame_equal(remote.figures, jinan.figures)
    pd.testing.assert_frame_equal(remote.points, jinan.points)


def test_a_project_sweep_gives_the_npv_of_each_value():
    result = sweep(ZOUCHENG, ["projects.zoucheng.income.parking.occupancy=0.6,0.8"], workers=0)
    npv = result.table("npv_after_grants_wan")["zoucheng"]
    for n, value in ((1, "0.6"), (2, "0.8")):
        moved = fm.load_project_scenario(ZOUCHENG, [f"projects.zoucheng.income.parking.occupancy={value}"])
        assert npv[n] == fm.evaluate(moved).metrics.at["zoucheng", "npv_after_grants_wan"]


def test_budgets_scale_multiplies_every_budget():
    plain = fm.load_plan_scenario(PLAN)
    scaled = fm.load_plan_scenario(PLAN, ["budgets.scale=1.25"])
    pd.testing.assert_frame_equal(scaled.budgets, plain.budgets * 1.25)


@pytest.mark.slow
def test_a_plan_sweep_over_the_budget():
    result = sweep(PLAN, {"budgets.scale": [0.5, 1]}, workers=0)
    met = result.table("households_met")
    direct = fm.plan(fm.load_plan_scenario(PLAN)).deadlines.set_index("deadline")
    expected = direct["households"] - direct["households_missed"]
    assert met.loc[2, list(expected.index)].tolist() == expected.astype(float).tolist()
    assert (met.loc[1, list(expected.index)] <= met.loc[2, list(expected.index)]).all()  # less money, no more done


@pytest.mark.parametrize("grid, words", [
    (["pools.central.amount_wan"], "write KEY=VALUE"),
    (["pools.central.amount_wan=1,,2"], "a value is empty"),
    (["pools.central.amount_wan=1,1"], "given twice"),
    (["a=1", "a=2"], "given twice"),
    ([], "at least one --grid"),
])
def test_a_bad_grid_is_refused(grid, words):
    with pytest.raises(fm.InputError, match=words):
        parse_grid(grid)


def test_a_bad_key_or_value_names_the_point(tmp_path):
    with pytest.raises(fm.InputError) as caught:
        sweep(JINAN, ["pools.central.amount_wan=30000,-5"], workers=0)
    assert "pools.central.amount_wan=-5" in str(caught.value)
    with pytest.raises(fm.InputError, match="pools.nowhere"):
        sweep(JINAN, ["pools.nowhere.amount_wan=1,2"], workers=0)


def test_values_with_commas_inside_brackets():
    assert parse_grid(["projects.x.capex.schedule=[0.6,0.4],[0.5,0.5]"]) == {
        "projects.x.capex.schedule": ["[0.6,0.4]", "[0.5,0.5]"]}


def test_the_command_writes_the_table_chart_and_manifest(tmp_path):
    from finmodel.cli import main

    out = tmp_path / "sweep"
    code = main(["sweep", str(JINAN), "--grid", "pools.central.amount_wan=30000,32000", "--out", str(out),
                 "--workers", "0", "--quiet"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "sweep.csv", "sweep.png", "sweep.xlsx"]
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert len(table) == 2 and table.columns[:3].tolist() == ["组合", "pools.central.amount_wan", "检查通过"]
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sweep"]
    assert record == {"grid": {"pools.central.amount_wan": [30000, 32000]}, "points": 2, "failed": [], "workers": 0}
    import openpyxl

    assert openpyxl.load_workbook(out / "sweep.xlsx").sheetnames == ["参数扫描"]


def test_a_sweep_where_no_point_runs_reports_why(tmp_path):
    from finmodel.cli import main

    out = tmp_path / "fail"
    code = main(["sweep", str(JINAN), "--grid", "allocation.minimum.amount_wan=100000,200000", "--workers", "0",
                 "--out", str(out), "--quiet"])
    assert code == 1
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "sweep.csv", "sweep.xlsx"]
    table = pd.read_csv(out / "sweep.csv", encoding="utf-8-sig")
    assert (table["检查通过"] == "否").all() and table["说明"].str.contains("minimum amount cannot be met").all()


def test_list_and_numpy_values(tmp_path):
    from finmodel.cli import main

    out = tmp_path / "lists"
    assert main(["sweep", str(ZOUCHENG), "--grid", "projects.zoucheng.capex.schedule=[0.5,0.5],[0.6,0.4]",
                 "--workers", "0", "--out", str(out), "--quiet"]) == 0
    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sweep"]
    assert record["grid"] == {"projects.zoucheng.capex.schedule": [[0.5, 0.5], [0.6, 0.4]]}
    result = sweep(ZOUCHENG, {"projects.zoucheng.income.parking.occupancy": np.array([0.6, 0.8])}, workers=0)
    assert result.points["projects.zoucheng.income.parking.occupancy"].tolist() == [0.6, 0.8]


def test_unreachable_scheduler_is_named(monkeypatch):
    from finmodel.risk import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(fm.InputError, match="--scheduler tcp://127.0.0.1:1: cannot reach the Dask scheduler"):
        sweep(JINAN, GRID, scheduler="tcp://127.0.0.1:1")


def test_a_bundling_sweep_reports_the_formed_bundles():
    result = sweep(ROOT / "scenarios" / "projects" / "bundling-2024.toml",
                   {"projects.C1.income.rent.occupancy": [0.85, 0.95]}, workers=0)
    balanced = result.table("balanced")
    assert "bundle-C1" in balanced.columns and set(balanced["bundle-C1"]) <= {0.0, 1.0}

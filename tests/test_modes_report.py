"""Every funding-mode example runs from the command line and its sheets show the results."""

from __future__ import annotations

import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.modes import check_modes

from .conftest import ROOT

EXAMPLES = ROOT / "scenarios" / "projects"
SHEETS = {
    "in-community-2024": ["资金平衡", "以奖代补"],
    "area-bundle-2024": ["资金平衡", "片区构成"],
    "cross-area-2024": ["资金平衡", "片区构成", "跨片区调剂"],
    "multi-source-2024": ["资金平衡", "多元投入", "以奖代补"],
    "bundling-2024": ["组合优化"],
}


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_example_runs_from_the_command_line(name, tmp_path, capsys):
    out = tmp_path / name
    assert main(["run", str(EXAMPLES / f"{name}.toml"), "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out / "cashflow.xlsx")
    for sheet in SHEETS[name]:
        assert sheet in wb.sheetnames, f"{sheet} missing from {wb.sheetnames}"
    assert wb.sheetnames[-1] == "参数"
    printed = capsys.readouterr().out
    assert ("是否平衡" in printed) or ("平衡户数" in printed)


def test_balance_sheet_matches_the_result(tmp_path):
    path = EXAMPLES / "cross-area-2024.toml"
    modes = check_modes(fm.evaluate(fm.load_project_scenario(path)))
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet"]) == 0
    ws = openpyxl.load_workbook(tmp_path / "cashflow.xlsx")["资金平衡"]
    # Few units: tests down, units across.
    assert ws.cell(row=4, column=2).value == modes.units.loc["south-west", "name"]
    record = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(5, ws.max_row + 1)}
    assert record["模式"] == "跨片区组合平衡"
    assert record["补助及奖补后净现值（万元）"] == pytest.approx(modes.units.loc["south-west", "npv_wan"])
    assert record["是否平衡"] == ("是" if modes.units.loc["south-west", "balanced"] else "否")
    transfers = openpyxl.load_workbook(tmp_path / "cashflow.xlsx")["跨片区调剂"]
    total = sum(transfers.cell(row=r, column=4).value or 0 for r in range(3, transfers.max_row + 1)
                if isinstance(transfers.cell(row=r, column=1).value, int))
    assert total == pytest.approx(modes.transfers["south-west"]["transfer_wan"].sum())


def test_bundling_example_pairs_within_areas_and_writes_its_chart(tmp_path):
    path = EXAMPLES / "bundling-2024.toml"
    scenario = fm.load_project_scenario(path)
    assert len([p for p in scenario.projects if p.kind == "old_community"]) == 20
    assert len([p for p in scenario.projects if p.kind != "old_community"]) == 8
    assert len({p.area for p in scenario.projects}) == 4
    modes = check_modes(fm.evaluate(scenario))
    by_id = {p.id: p for p in scenario.projects}
    packages = modes.bundling.packages
    for record in packages.itertuples(index=False):
        if record.bundle:
            assert by_id[record.package].area == by_id[record.bundle].area
    assert modes.bundling.bundles["balanced"].all()
    assert modes.bundling.solution.households_balanced == int(
        packages.loc[packages["status"] != "unbalanced", "households"].sum())
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "bundling.png").stat().st_size > 0
    manifest = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert '"mip_gaps_reached"' in manifest and "branch and bound" in manifest


def test_mode_reports_are_byte_identical_across_runs(tmp_path):
    path = EXAMPLES / "bundling-2024.toml"
    for folder in ("a", "b"):
        assert main(["run", str(path), "--out", str(tmp_path / folder), "--quiet"]) == 0
    for name in ("cashflow.xlsx", "cashflow.csv", "bundling.csv", "bundling.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name

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
    "in-community-2024": ["资金平衡", "以奖代补", "合规检查"],
    "area-bundle-2024": ["资金平衡", "片区构成", "合规检查"],
    "cross-area-2024": ["资金平衡", "片区构成", "跨片区调剂", "合规检查"],
    "multi-source-2024": ["资金平衡", "多元投入", "以奖代补", "合规检查"],
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


def test_multi_source_example_is_funded_as_the_policy_asks(tmp_path):
    """The district guarantees the project (五(四)): central 700 + city 350 + owner unit 60 + district 40 pay the
    1,150 of basic work, so the 2,260 raised meet the 2,260 of cost (NPV 0, cash never short). The rewards pay back
    who bore the work: utilities 380 × 30 % × 0.9 = 102.6 for their pipes; roofs 160 × 50 % × 0.9 = 72 and drains
    90 × 50 % × 0.9 = 40.5 to the residents and the maintenance fund (who paid all of roofs and drains); nothing to
    the project account, so its public money (700 + 350 + 232) is the 2,260 less the others' 978, with no excess."""
    modes = check_modes(fm.evaluate(fm.load_project_scenario(EXAMPLES / "multi-source-2024.toml")))
    row = modes.units.loc["railway"]
    assert row["balanced"] and row["npv_wan"] == pytest.approx(0, abs=1e-9) and row["public_excess_wan"] == 0
    rewards = modes.rewards.set_index("reward")
    assert rewards.loc["utilities", "paid_to"] == (("utilities", pytest.approx(102.6)),)
    assert {payee for payee, _ in rewards.loc["roofs", "paid_to"]} == {"residents", "maintenance_fund"}
    assert sum(amount for _, amount in rewards.loc["drains", "paid_to"]) == pytest.approx(40.5)
    assert rewards["to_project_wan"].sum() == 0
    account = modes.rule_checks.set_index(["rule", "item"]).loc[("public_within_cost", "")]
    assert (account["required"], account["given"]) == (pytest.approx(1282), pytest.approx(1282))


def test_over_subsidy_shows_in_the_check_sheet_and_the_csv(tmp_path):
    # The multi-source example with 50 more from the city: 50 of public money above the cost it funds.
    path = tmp_path / "over.toml"
    path.write_text((EXAMPLES / "multi-source-2024.toml").read_text(encoding="utf-8") + """
[[projects.grants]]
id = "city-more"
party = "city"
amount_wan = 50
""", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    ws = openpyxl.load_workbook(tmp_path / "out" / "cashflow.xlsx")["合规检查"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=4)]
    failed = [r for r in rows if r["通过"] == "否"]
    assert len(failed) == 1 and failed[0]["项目"] == "铁路宿舍小区（1989年建成）改造" and failed[0]["超出（万元）"] == pytest.approx(50)
    assert failed[0]["要求"] == pytest.approx(1282) and failed[0]["实际"] == pytest.approx(1332)
    csv = (tmp_path / "out" / "balance.csv").read_text(encoding="utf-8-sig").splitlines()
    record = dict(zip(csv[0].split(","), csv[1].split(",")))
    assert float(record["超出所补成本的公共资金（万元）"]) == pytest.approx(50) and record["是否平衡"] == "False"


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


def test_the_funding_rules_print_whole_and_by_name(tmp_path):
    from finmodel.report.cells import display_width

    assert main(["run", str(EXAMPLES / "multi-source-2024.toml"), "--out", str(tmp_path), "--quiet"]) == 0
    ws = openpyxl.load_workbook(tmp_path / "cashflow.xlsx")["多元投入"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "规则")
    names = [ws.cell(row=r, column=1).value for r in range(header + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value]
    # the rules' names fit their column (it was set back to 26 units, cutting 公共资金不超过所补成本（万元）)
    assert ws.column_dimensions["A"].width >= max(display_width(n) for n in names) + 2
    # 17 rows of sources above leave too little of the page for the 11 rules and their header: they start a page
    assert header - 1 in {b.id for b in ws.row_breaks.brk}

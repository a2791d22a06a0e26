"""The approval workbook, the CSV export, the manifest and the command, on the Jinan scenario."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import JINAN, write_scenario

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def jinan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("jinan")
    assert main(["run", str(JINAN), "--out", str(out), "--quiet"]) == 0
    return out


def _summary(path):
    wb = openpyxl.load_workbook(path)
    return wb, wb["汇总"]


def test_outputs_written(jinan_run):
    for name in ("allocation.xlsx", "allocation.csv", "allocation.png", "manifest.json"):
        assert (jinan_run / name).stat().st_size > 0
    assert not [p for p in jinan_run.iterdir() if p.name.startswith(".staging")]


def test_summary_sheet_totals_equal_pools(jinan_run):
    scenario = fm.load_scenario(JINAN)
    wb, ws = _summary(jinan_run / "allocation.xlsx")
    assert wb.sheetnames == ["汇总", "因素测算", "调整说明", "复核计算", "合规检查", "参数"]
    assert ws["A1"].value == "附件"
    assert ws["A2"].value == scenario.name + "表"
    assert "A2:G2" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(row=3, column=7).value == "单位：万元"
    headers = [c.value for c in ws[4]]
    assert headers == ["序号", "区县", "合计", "中央财政补助资金", "省级财政补助资金", "市级财政补助资金", "备注"] + [None] * (
        len(headers) - 7)
    assert all(CJK.search(h) for h in headers if h)
    total_row = [c.value for c in ws[5]]
    assert total_row[1] == "合计"
    for col, pool in zip((4, 5, 6), scenario.pools):
        column_sum = sum(ws.cell(row=r, column=col).value for r in range(6, 16))
        assert abs(column_sum - pool.amount_wan) < 0.005
        assert abs(ws.cell(row=5, column=col).value - pool.amount_wan) < 0.005
        assert ws.cell(row=6, column=col).number_format == "#,##0.00"
    assert abs(ws.cell(row=5, column=3).value - 80000) < 0.005
    for r in range(6, 16):
        row_total = ws.cell(row=r, column=3).value
        assert abs(row_total - sum(ws.cell(row=r, column=c).value for c in (4, 5, 6))) < 0.005
    names = [ws.cell(row=r, column=2).value for r in range(6, 16)]
    assert names[:4] == ["历下区", "市中区", "槐荫区", "天桥区"]
    assert names[-1] == "其他区县（未列明）"


def test_summary_print_setup(jinan_run):
    _, ws = _summary(jinan_run / "allocation.xlsx")
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.orientation == "portrait"  # 7 columns
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$5"
    assert ws.freeze_panes == "C6"
    footer = [ws.cell(row=17, column=c).value for c in range(1, 8)]
    assert "编制单位：济南市财政局" in footer and "负责人：" in footer and "审核：" in footer
    below = [ws.cell(row=19, column=c).value for c in range(1, 8)]
    assert "经办人：" in below and "日期：　　年　　月　　日" in below and "（单位盖章）" in below
    assert ws.row_dimensions[19].height >= 40  # room for the seal
    assert all(ws.cell(row=r, column=7).alignment.indent == 1 for r in range(6, 16))  # 备注 clear of the numbers


def test_factor_sheet_lets_a_reviewer_recompute(jinan_run):
    """Every formula amount on 因素测算 equals pool × Σ weight × adjusted ÷ column total, read from the sheet."""
    wb = openpyxl.load_workbook(jinan_run / "allocation.xlsx")
    ws = wb["因素测算"]
    scenario = fm.load_scenario(JINAN)
    rows = list(ws.iter_rows(values_only=True))
    titles = [i for i, r in enumerate(rows) if r[0] and "　资金总额 " in str(r[0])]
    assert len(titles) == len(scenario.pools)
    for pool, start in zip(scenario.pools, titles):
        header = next(i for i in range(start, start + 4) if rows[i][0] == "区县")
        top, sub = rows[header], rows[header + 1]
        body = rows[header + 2: header + 2 + 10]
        total = rows[header + 12]
        assert total[0] == "合计"
        weight_cols = [(c, float(str(v).split("权重 ")[1])) for c, v in enumerate(top) if v and "　权重 " in str(v)]
        assert len(weight_cols) == len(pool.weights)
        amount_col = top.index("测算金额（万元）")
        slice_ = pool.performance is not None and pool.performance.form == "reward_slice"
        for line in body:
            share = sum(w * line[c + 1] / total[c + 1] for c, w in weight_cols)
            if slice_:  # the reward slice: r of the pool by 奖励权重 ÷ its total, the rest by the weights
                r, col = pool.performance.reward_share, top.index("奖励权重")
                assert line[col + 1] == pytest.approx(line[col] / total[col], abs=1e-12)
                share = (1 - r) * share + r * line[col] / total[col]
            assert line[amount_col] == pytest.approx(pool.amount_wan * share, abs=1e-6)
        assert sub[weight_cols[0][0]] == "原值"
    assert {p.performance.form for p in scenario.pools} == {"coefficient", "reward_slice"}


def test_checks_sheet_all_pass(jinan_run):
    ws = openpyxl.load_workbook(jinan_run / "allocation.xlsx")["合规检查"]
    results = [r[2] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert results and set(results) == {"通过"}


def test_csv_has_bom_and_exact_totals(jinan_run):
    raw = (jinan_run / "allocation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "行类别,序号,区县,合计（万元）,中央财政补助资金（万元）,省级财政补助资金（万元）,市级财政补助资金（万元）,备注"
    assert lines[1] == "合计,,合计,80000.00,30000.00,20000.00,30000.00,"
    from decimal import Decimal
    cells = [line.split(",") for line in lines[2:]]
    assert {c[0] for c in cells} == {"单位"}
    for col, pool_total in ((4, "30000.00"), (5, "20000.00"), (6, "30000.00")):
        assert sum(Decimal(c[col]) for c in cells) == Decimal(pool_total)


def test_reruns_are_byte_identical(jinan_run, tmp_path):
    time.sleep(1.1)  # a clock-stamped file would now differ by at least a second
    assert main(["run", str(JINAN), "--out", str(tmp_path), "--quiet"]) == 0
    for name in ("allocation.xlsx", "allocation.csv", "allocation.png"):
        assert (tmp_path / name).read_bytes() == (jinan_run / name).read_bytes(), name


def test_manifest_records_what_produced_the_run(jinan_run):
    record = json.loads((jinan_run / "manifest.json").read_text(encoding="utf-8"))
    assert {i["file"] for i in record["inputs"]} == {"jinan-2023.toml", "data/jinan-2023-districts.csv"}
    assert all(len(i["sha256"]) == 64 for i in record["inputs"])
    assert record["versions"]["finmodel"] and record["versions"]["pulp"].startswith("3.3")
    assert record["overrides"] == []
    # The bundled allocation is the pro-rata closed form: no solver ran, and the record says so.
    assert record["solver"]["method"] == "pro_rata" and record["solver"]["solves"] == 0
    import hashlib
    for output in record["outputs"]:
        assert hashlib.sha256((jinan_run / output["file"]).read_bytes()).hexdigest() == output["sha256"]


def test_set_override_is_applied_and_recorded(tmp_path, capsys):
    assert main(["run", str(JINAN), "--out", str(tmp_path), "--set", "pools.central.amount_wan=32000"]) == 0
    printed = capsys.readouterr().out
    assert "82000.00" in printed
    record = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert record["overrides"] == [{"key": "pools.central.amount_wan", "old": 30000.0, "new": 32000}]
    wb = openpyxl.load_workbook(tmp_path / "allocation.xlsx")
    assert abs(wb["汇总"].cell(row=5, column=4).value - 32000) < 0.005
    params = [r for r in wb["参数"].iter_rows(values_only=True)]
    assert ("pools.central.amount_wan", "30000", "32000") in [tuple(r[:3]) for r in params]
    assert ("pools.central.amount_wan", "32000.00") in [tuple(r[:2]) for r in params]


def test_english_workbook(tmp_path):
    assert main(["run", str(JINAN), "--out", str(tmp_path), "--lang", "en", "--quiet"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "allocation.xlsx")
    assert wb.sheetnames == ["Summary", "Factors", "Adjustments", "Recompute", "Checks", "Parameters"]
    headers = [c.value for c in wb["Summary"][4]][:7]
    assert headers == ["No.", "District / county", "Total", "Central subsidy", "Provincial subsidy", "City subsidy",
                       "Remarks"]


def test_landscape_when_wider_than_seven_columns(tmp_path):
    rows = [{"district": "甲", "households": 1}, {"district": "乙", "households": 3}]
    pools = [{"id": f"p{i}", "label": f"资金{i}", "amount_wan": 10.0, "weights": {"households": 1.0}} for i in range(5)]
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, rows, pools)))
    fm.write_allocation_report(result, tmp_path / "out")
    ws = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")["汇总"]
    assert ws.page_setup.orientation == "landscape"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    rows = [{"district": "=HYPERLINK(\"http://x\",\"点击\")", "households": 1},
            {"district": "+乙", "households": 3}, {"district": "@丙", "households": 2}]
    pool = {"id": "central", "label": "-中央", "amount_wan": 60.0, "weights": {"households": 1.0}}
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, rows, [pool], name="=1+1")))
    fm.write_allocation_report(result, tmp_path / "out")
    wb = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value}"
    names = [wb["汇总"].cell(row=r, column=2).value for r in range(6, 9)]
    assert names[0].startswith("=HYPERLINK")


def test_failed_run_leaves_previous_outputs(tmp_path, monkeypatch):
    result = fm.allocate(fm.load_scenario(JINAN))
    paths = fm.write_allocation_report(result, tmp_path)
    before = {p.name: p.read_bytes() for p in paths.values()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("finmodel.report.allocation.summary_csv", broken)
    with pytest.raises(RuntimeError):
        fm.write_allocation_report(result, tmp_path)
    assert {p.name: p.read_bytes() for p in paths.values()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before)


def test_validate_command(capsys):
    assert main(["validate", str(JINAN)]) == 0
    joined = " ".join(capsys.readouterr().out.split())  # the line breaks to fit the terminal where the path is long
    assert "jinan-2023.toml：有效 — 10 个单位" in joined
    assert main(["validate", str(JINAN), "--lang", "en"]) == 0
    joined = " ".join(capsys.readouterr().out.split())
    assert "jinan-2023.toml: valid — 10 units; pools: Central subsidy 30,000.00 10k yuan;" in joined


def test_jinan_adjustments_sheet_explains_every_moved_district(jinan_run):
    wb = openpyxl.load_workbook(jinan_run / "allocation.xlsx")
    ws = wb["调整说明"]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    summary = wb["汇总"]
    moved = {}
    result = fm.allocate(fm.load_scenario(JINAN))
    for r in range(6, 16):
        name = summary.cell(row=r, column=2).value
        final = summary.cell(row=r, column=3).value
        formula = float(result.formula_wan.loc[name].sum())
        if abs(final - formula) >= 0.01:
            moved[name] = final
            assert summary.cell(row=r, column=7).value, f"{name} moved without a remark"
    assert {r[1] for r in rows} == set(moved)
    need_capped = [r for r in rows if r[5] == "受需求上限约束"]
    assert need_capped, "the Jinan need caps should bind somewhere"
    for r in rows:
        assert r[3] == pytest.approx(moved[r[1]], abs=0.005)
        assert r[4] == pytest.approx(r[3] - r[2], abs=0.011)
        assert r[1] in r[7] and "万元" in r[7]
    assert (jinan_run / "allocation-vs-formula.png").stat().st_size > 0


def test_jinan_uses_needs_and_cofinancing_and_no_unpublished_last_year():
    spec = fm.load_scenario(JINAN).config.allocation
    # Jinan's 2022 allocation by district is not published: no hold-harmless rule rests on invented amounts.
    assert spec.need and spec.cofinancing and spec.hold_harmless is None


def test_no_report_word_is_defined_twice():
    """A key given twice in TEXT silently replaces the first meaning everywhere it is used."""
    import ast
    from pathlib import Path

    import finmodel.labels as labels

    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    text = next(node.value for node in tree.body if isinstance(node, ast.AnnAssign) and node.target.id == "TEXT")
    keys = [key.value for key in text.keys]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


def test_the_factor_sheet_says_how_the_final_amounts_came_about_with_and_without_the_lp():
    import dataclasses
    import io

    from finmodel.report.workbook import allocation_workbook

    scenario = fm.load_scenario(JINAN)
    formula_only = dataclasses.replace(scenario, config=scenario.config.model_copy(update={"allocation": None}))
    for run, says, never in ((scenario, "分配优化模型", "按最大余数法取至"), (formula_only, "按最大余数法取至", "优化模型")):
        book = openpyxl.load_workbook(io.BytesIO(allocation_workbook(fm.allocate(run))))
        sheet = book["因素测算"]
        note = sheet["A1"].value or sheet["B1"].value  # from B where A is repeated on every page across
        assert says in note and never not in note


def test_money_left_unallocated_fails_unless_the_scenario_allows_it(tmp_path, capsys):
    # Central 300,000 万元 fills every unit's caps; the rest of it, and all provincial and city money, stay 未分配.
    big = "pools.central.amount_wan=300000"
    assert main(["run", str(JINAN), "--out", str(tmp_path / "a"), "--set", big]) == 1
    out = capsys.readouterr().out
    assert "未通过：中央财政补助资金：资金全部分配到区县（未分配，万元）：197952.15" in out
    assert "未通过：省级财政补助资金：资金全部分配到区县" in out and "未通过：市级财政补助资金：资金全部分配到区县" in out
    assert main(["run", str(JINAN), "--out", str(tmp_path / "b"), "--set", big,
                 "--set", "allocation.allow_unallocated=true"]) == 0
    out = capsys.readouterr().out
    assert "  未通过：" not in out and "未分配：各区县上限合计 102,047.85 万元，低于资金总额 350,000.00 万元" in out
    joined = out.replace("\n  ", "")  # long lines are broken at their separators to fit the terminal
    assert "中央财政补助资金：可接受额度合计 102,047.85 万元" in joined and "central" not in joined.split("未分配：")[-1]
    sheet = openpyxl.load_workbook(tmp_path / "b" / "allocation.xlsx")["合规检查"]
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert "中央财政补助资金：有未分配资金，情景允许（allow_unallocated；未分配，万元）" in names


def test_the_declared_pool_priority_decides_which_pool_takes_the_shared_room(tmp_path):
    big = {"pools.central.amount_wan": 300000, "allocation.allow_unallocated": True}
    listed = fm.allocate(fm.load_scenario(JINAN, big)).unallocated_units
    provincial_first = fm.allocate(fm.load_scenario(JINAN, big | {"pools.provincial.priority": 1}))
    left = provincial_first.unallocated_units
    # As listed, central is placed first and takes all 102,047.85 万元 of room; with provincial first, provincial's
    # 20,000 is placed in full and central gets the room that is left.
    assert listed["central"] == 300000_00 - 102047_85 and listed["provincial"] == 20000_00
    assert left["provincial"] == 0 and left["central"] == listed["central"] + 20000_00
    assert int(left.sum()) == int(listed.sum())


def test_a_run_on_assumed_or_estimated_inputs_is_marked_a_draft(jinan_run, tmp_path):
    book = openpyxl.load_workbook(jinan_run / "allocation.xlsx")
    assert book["汇总"]["A3"].value == "测算稿（含假设数据，见“参数”表）"
    rows = [[c.value for c in r] for r in book["参数"].iter_rows()]
    start = next(k for k, r in enumerate(rows) if r[0] == "假设或估算的输入（测算稿）")
    listed = {r[0]: r[3] for r in rows[start + 1:]}
    details = {r[0]: r[1] for r in rows[start + 1:]}
    assert listed["pools.central.amount_wan"].startswith("assumption: about 3,000 元")
    assert listed["allocation.cofinancing"].startswith("assumption: own money of 10 %")
    assert listed["历下区"] == "区县表 estimated_fields 列标明为估算值"
    assert details["历下区"] == "investment_wan, performance_score, need_wan, last_year_wan"
    assert "policy.difficulty_tiers" in listed  # households and floor area of 历下区 are published, not estimated
    # A scenario with published inputs only is not a draft.
    from .conftest import write_scenario
    path = write_scenario(tmp_path, [{"district": "甲", "households": 10}, {"district": "乙", "households": 30}],
                          [{"id": "city", "label": "市级", "amount_wan": 100.0, "weights": {"households": 1.0}}])
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")
    assert book["汇总"]["A3"].value is None
    assert all(c.value != "假设或估算的输入（测算稿）" for r in book["参数"].iter_rows() for c in r)


def test_the_share_of_money_the_formula_decides_is_printed_and_proven(capsys, tmp_path):
    result = fm.allocate(fm.load_scenario(JINAN))
    # Independently: a unit is held when its total sits on one of its bounds (to the grain); the rest follow the
    # formula. The share is what they receive of all the money placed.
    totals = result.amount_units.sum(axis=1).loc[result.problem.districts].to_numpy() / 100
    held = np.zeros(len(totals), dtype=bool)
    for bound in result.problem.bounds:
        limit = np.asarray(bound.values, dtype=float)
        if limit.ndim == 1:
            held |= np.isfinite(limit) & (np.abs(totals - np.nan_to_num(limit)) <= 0.01)
    expected = totals[~held].sum() / totals.sum()
    assert result.formula_share == pytest.approx(expected, abs=1e-12)
    # The policy's factors, not invented caps, decide most of the bundled allocation: only 商河县's need cap binds.
    assert expected >= 0.6 and list(np.array(result.problem.districts)[held]) == ["商河县"]
    assert main(["run", str(JINAN), "--out", str(tmp_path / "out")]) == 0
    assert f"由因素法决定的资金占比：{expected:.2%}" in capsys.readouterr().out

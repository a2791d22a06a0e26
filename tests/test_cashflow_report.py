"""The cash-flow workbook, CSV, charts and manifest, on the Zoucheng example and a bulk table."""

from __future__ import annotations

import hashlib
from dataclasses import replace
import json

import numpy as np
import pandas as pd
import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.report.cashflow import ANNUAL_LIMIT, CHART_LIMIT

from .test_project import HAND, ZOUCHENG


@pytest.fixture(scope="module")
def zoucheng_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("zoucheng")
    assert main(["run", str(ZOUCHENG), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def zoucheng():
    return fm.evaluate(fm.load_project_scenario(ZOUCHENG))


def _row_of(ws, label, column=2):
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise AssertionError(f"no row labelled {label!r}")


def test_outputs_and_manifest(zoucheng_run):
    names = {"cashflow.xlsx", "cashflow.csv", "cashflow-zoucheng.png", "report.html", "manifest.json"}
    assert {p.name for p in zoucheng_run.iterdir()} == names
    record = json.loads((zoucheng_run / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(ZOUCHENG.read_bytes()).hexdigest()
    assert record["inputs"] == [{"file": "zoucheng-2024.toml", "sha256": digest}]
    written = {o["file"]: o["sha256"] for o in record["outputs"]}
    for name in names - {"manifest.json"}:
        assert written[name] == hashlib.sha256((zoucheng_run / name).read_bytes()).hexdigest()


def test_reruns_are_byte_identical(zoucheng_run, tmp_path):
    assert main(["run", str(ZOUCHENG), "--out", str(tmp_path), "--quiet"]) == 0
    for name in ("cashflow.xlsx", "cashflow.csv", "cashflow-zoucheng.png"):
        assert (tmp_path / name).read_bytes() == (zoucheng_run / name).read_bytes(), name


def test_summary_sheet_shows_the_metrics(zoucheng_run, zoucheng):
    wb = openpyxl.load_workbook(zoucheng_run / "cashflow.xlsx")
    assert wb.sheetnames == ["汇总", "现金流量表", "还本付息计划", "覆盖倍数", "盈亏平衡", "资金来源", "改造内容", "参数"]
    ws = wb["汇总"]
    m = zoucheng.metrics.loc["zoucheng"]
    assert ws.cell(row=_row_of(ws, "总投资（万元）"), column=3).value == pytest.approx(35_528)
    assert ws.cell(row=_row_of(ws, "补助及奖补后净现值（万元）"), column=3).value == pytest.approx(m["npv_after_grants_wan"])
    assert ws.cell(row=_row_of(ws, "最低偿债备付率DSCR（倍）"), column=3).value == pytest.approx(m["dscr_min"])
    assert ws.cell(row=_row_of(ws, "项目内部收益率（%）"), column=3).number_format == "0.00%"


def test_annual_sheet_totals_recompute_from_the_years(zoucheng_run, zoucheng):
    ws = openpyxl.load_workbook(zoucheng_run / "cashflow.xlsx")["现金流量表"]
    header = 2
    years = [ws.cell(row=header, column=c).value for c in range(4, ws.max_column + 1)]
    assert years == [str(y) for y in range(2024, 2054)]
    income = _row_of(ws, "营业收入（万元）")
    values = [ws.cell(row=income, column=c).value for c in range(4, 4 + 30)]
    assert ws.cell(row=income, column=3).value == pytest.approx(sum(values))
    np.testing.assert_allclose(values, zoucheng.cashflow("zoucheng").annual()["income_wan"])
    # The income lines add up to the income.
    lines = [_row_of(ws, "  " + name) for name in ("物业服务收入", "充电桩收入", "广告收入", "停车收入")]
    assert sum(ws.cell(row=r, column=3).value for r in lines) == pytest.approx(ws.cell(row=income, column=3).value)


def test_debt_sheet_repays_what_was_borrowed(zoucheng_run):
    ws = openpyxl.load_workbook(zoucheng_run / "cashflow.xlsx")["还本付息计划"]
    totals = [r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "合计"]
    assert len(totals) == 2  # the bond, then the bank loan
    bond, bank = totals
    assert ws.cell(row=bond, column=6).value == pytest.approx(20_000)  # 还本
    assert ws.cell(row=bond, column=5).value == pytest.approx(30 * 534)  # 利息
    assert ws.cell(row=bank, column=4).value == pytest.approx(8_000)  # 提款
    assert ws.cell(row=bank, column=6).value == pytest.approx(8_000)


def test_coverage_sheet_and_the_sentence(zoucheng_run):
    ws = openpyxl.load_workbook(zoucheng_run / "cashflow.xlsx")["覆盖倍数"]
    rows = {(ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value, ws.cell(row=r, column=4).value,
             ws.cell(row=r, column=5).value): r for r in range(4, ws.max_row + 1)}
    gross = rows[("公布数据", "毛收入", "专项债", "规划利率单利")]
    assert ws.cell(row=gross, column=9).value == pytest.approx(74_968 / 36_020)
    assert ws.cell(row=gross, column=11).value == pytest.approx((74_968 / 1.25 / 20_000 - 1) / 30)
    # A note merged across the first page starts after the column repeated on every page (A) when it prints wide.
    text = "\n".join(str(ws.cell(row=r, column=c).value) for r in range(1, ws.max_row + 1) for c in (1, 2))
    assert "公布倍数1.25" in text and "按毛收入/全部债务口径需规划利率4.00%" in text


def test_english_workbook(tmp_path):
    assert main(["run", str(ZOUCHENG), "--out", str(tmp_path), "--quiet", "--lang", "en"]) == 0
    wb = openpyxl.load_workbook(tmp_path / "cashflow.xlsx")
    assert wb.sheetnames == ["Summary", "Annual cash flow", "Debt schedules", "Coverage", "Break-even", "Funding",
                             "Cost catalogue", "Parameters"]
    assert _row_of(wb["Summary"], "Total investment (10k yuan)")


def test_validate_a_project_scenario(capsys):
    assert main(["validate", str(ZOUCHENG)]) == 0
    out = capsys.readouterr().out.replace("\n  ", "")  # a long path breaks the line to fit the terminal
    assert "有效 — 1 个项目：邹城市2024年城镇老旧小区改造项目" in out


def test_bulk_run_summarises_and_charts_all_projects(tmp_path, capsys):
    count = max(ANNUAL_LIMIT, CHART_LIMIT) + 5
    rows = "\n".join(f"q{k},项目{k},{200 + 5 * k}" for k in range(count))
    (tmp_path / "projects.csv").write_text("id,name,income.shops.amount_wan_per_year\n" + rows + "\n",
                                           encoding="utf-8")
    path = tmp_path / "bulk.toml"
    path.write_text(HAND + '\n[project_table]\ntable = "projects.csv"\ntemplate = "hand"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"共 {count + 1} 个项目：" in captured.out
    assert (out / "cashflow-projects.png").exists() and not (out / "cashflow-hand.png").exists()
    wb = openpyxl.load_workbook(out / "cashflow.xlsx")
    assert "从略" in wb["现金流量表"]["A1"].value
    assert "coverage.csv" in wb["覆盖倍数"]["A1"].value and "break-even.csv" in wb["盈亏平衡"]["A1"].value
    assert len((out / "break-even.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 3 * (count + 1)
    for name in ("coverage.csv", "break-even.csv"):  # worded as their sheets, headers and codes alike
        table = pd.read_csv(out / name, encoding="utf-8-sig")
        assert table.columns[:2].tolist() == ["编号", "项目"] and "项目0" in set(table["项目"])
        codes = {"model", "gross", "net", "bonds", "found", "without", "planning_rate", "amount_wan_per_year"}
        assert not codes & set(table.astype(str).to_numpy().ravel()), name
    summary = wb["汇总"]
    assert summary.cell(row=3, column=2).value == "项目"  # one row per project beyond ten
    assert summary.max_row >= 3 + count + 1
    csv = (out / "cashflow.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv) == count + 2 and "补助及奖补后净现值（万元）" in csv[0]


def test_a_borrowing_type_equity_irr_is_shown_as_a_cost_not_a_return(tmp_path):
    # In the cross-area example "south" receives grants and loans before it spends: its equity flows start
    # positive (174.5, 188.0, −112.0, …), so the rate that zeroes them is what the money costs, not a return.
    scenario = ZOUCHENG.parent / "cross-area-2024.toml"
    result = fm.evaluate(fm.load_project_scenario(scenario))
    south = result.metrics.loc["south"]
    assert south["irr_equity_status"] == "ok" and south["irr_equity_kind"] == "borrowing"
    assert result.metrics.loc["west-parking", "irr_equity_kind"] == "investment"
    assert main(["run", str(scenario), "--out", str(tmp_path), "--quiet"]) == 0
    import pandas as pd

    table = pd.read_csv(tmp_path / "cashflow.csv", encoding="utf-8-sig", index_col=0)
    row = table.iloc[list(result.metrics.index).index("south")]
    assert np.isnan(row["资本金内部收益率（%）"])
    assert row["资本金内部收益率说明"] == f"借款型现金流（先收后支）：{south['irr_equity']:.2%} 是资金成本，不是收益率"
    assert row["项目内部收益率说明"] == "现金流无正负变化，无内部收益率"  # a status, not an empty cell
    parking = table.iloc[list(result.metrics.index).index("west-parking")]
    assert parking["资本金内部收益率（%）"] == pytest.approx(100 * result.metrics.loc["west-parking", "irr_equity"])
    sheet = openpyxl.load_workbook(tmp_path / "cashflow.xlsx").worksheets[0]
    texts = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
    assert any(text.startswith("借款型现金流") for text in texts)


class _Flow:
    """What the cash-flow chart reads from a project's flows: its name and its annual table."""

    def __init__(self, years, dscr, service):
        n = len(years)
        self.project = type("P", (), {"name": "测试项目"})()
        self._table = pd.DataFrame({"income_wan": [10.0] * n, "operating_cost_wan": [4.0] * n, "tax_wan": [0.0] * n,
                                    "major_repairs_wan": [0.0] * n, "debt_service_wan": service,
                                    "cumulative_cash_wan": np.cumsum([6.0] * n), "dscr": dscr},
                                   index=pd.Index(years, name="year"))

    def annual(self):
        return self._table


def test_the_dscr_panel_follows_the_data_and_says_when_there_is_no_debt():
    from finmodel.report.cashflow import cashflow_chart

    # Every year below 0: the axis reaches down to the lowest value, 1.0 still in view.
    fig = cashflow_chart(_Flow([2024, 2025, 2026], [-0.5, -1.2, -0.8], [5.0, 5.0, 5.0]))
    low, high = fig.axes[1].get_ylim()
    assert low < -1.2 and high > 1.0
    # Three years: whole-year ticks only, never 2024.5.
    ticks = [tick for tick in fig.axes[1].get_xticks() if 2024 <= tick <= 2026]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
    # No debt service at all: no empty panel, a sentence instead.
    fig = cashflow_chart(_Flow([2024, 2025], [np.nan, np.nan], [0.0, 0.0]))
    assert [text.get_text() for text in fig.axes[1].texts] == ["无债务，不计偿债备付率"]
    assert not fig.axes[1].lines


def _chart_texts(figure) -> list[str]:
    import matplotlib.text

    return [text.get_text() for text in figure.findobj(matplotlib.text.Text) if text.get_text()]


def test_the_bulk_chart_names_every_project_or_says_where_they_are():
    from finmodel.report.cashflow import BULK_LABELLED, bulk_chart

    result = fm.evaluate(fm.load_project_scenario(ZOUCHENG.parent / "bundling-2024.toml"))
    texts = _chart_texts(bulk_chart(result))
    names = list(result.metrics["name"])
    assert len(names) == 28 and all(name in texts for name in names)
    without_debt = int(result.metrics["dscr_min"].isna().sum())
    assert without_debt == 20 and texts.count("无债务") == without_debt  # said, not left out
    dscr = [text for text in texts if text.startswith("DSCR ")]
    assert len(dscr) == 8 and "DSCR 0.95" in dscr  # the one below 1, by the same rounding as the summary

    many = result.metrics.iloc[np.arange(BULK_LABELLED + 1) % len(result.metrics)]
    crowd = bulk_chart(replace(result, metrics=many))
    note = [text for text in _chart_texts(crowd) if text.startswith("共 ")]
    expected = int(many["dscr_min"].isna().sum())
    assert note == [f"共 {BULK_LABELLED + 1} 个项目；其中 {expected} 个无债务，不计偿债备付率，未画出；"
                    "各项目名称和数值见 cashflow.csv"]


def test_grants_of_one_party_are_told_apart_by_what_they_pay_for():
    from types import SimpleNamespace as G

    from finmodel.report.cashflow import grant_labels

    grants = [G(id="district-basic", party="district", items=["basic"], name=None),
              G(id="district-elevator", party="district", items=["elevators"], name=None),
              G(id="city", party="city", items=["basic"], name=None),
              G(id="a", party="residents", items=[], name=None), G(id="b", party="residents", items=[], name=None),
              G(id="named", party="other", items=[], name="区级加装电梯奖励")]
    assert grant_labels(grants, "zh") == ["区县补助（基础类）", "区县补助（加装电梯）", "市级补助", "居民出资（a）",
                                          "居民出资（b）", "区级加装电梯奖励"]
    assert grant_labels(grants, "en")[:2] == ["district subsidy (basic)", "district subsidy (elevators)"]

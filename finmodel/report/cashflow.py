"""Project cash-flow reports: the workbook (项目资金平衡测算表), the metrics CSV and the charts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..cashflow import CashflowResult, ProjectCashflow
from ..cashflow.scenario import Project
from ..modes import ModesResult
from ..risk import RiskResult, SensitivityResult
from .book import (ROWS_PER_PAGE, break_between_blocks, config_rows, keep_together, parameter_sheet, print_setup,
                   save_workbook, signature_block)
from .cells import MONEY, display_width, fit_height, put
from .charts import cjk_font, png_bytes
from ..labels import INCOME_KIND, METHOD, PARTY, UNIT, csv_header, item_label, t, word
from .files import csv_bytes
from .manifest import write_with_manifest
from .modes import add_mode_sheets, bundling_chart
from .funding import catalogue_sheet, route_sheet
from ..modes.routes import investment_by_route, sources_by_year

RATIO = "0.00"
PCT = "0.00%"
YEAR = "0"
ANNUAL_LIMIT = 50  # above this many projects the annual tables would swamp the workbook: the CSV has the figures
CHART_LIMIT = 12  # one chart per project up to this many; a single chart over all projects beyond
TRANSPOSE_LIMIT = 10  # up to this many projects the summary lists figures down and projects across

SUMMARY_COLUMNS = [
    ("households", "#,##0"), ("total_investment_wan", MONEY), ("construction_interest_wan", MONEY),
    ("income_wan", MONEY), ("operating_cost_wan", MONEY), ("grants_wan", MONEY), ("rewards_wan", MONEY),
    ("equity_wan", MONEY),
    ("bonds_wan", MONEY), ("loans_wan", MONEY), ("npv_wan", MONEY), ("npv_after_grants_wan", MONEY),
    ("irr_project", PCT), ("irr_equity", PCT), ("payback_static_years", RATIO), ("payback_discounted_years", RATIO),
    ("peak_funding_need_wan", MONEY), ("funding_gap_wan", MONEY), ("dscr_min", RATIO), ("dscr_min_year", YEAR),
    ("llcr_first", RATIO), ("cumulative_cash_min_wan", MONEY), ("first_year_cash_negative", YEAR),
]


def _label(column: str, lang: str) -> str:
    return t("operating_cost_total_wan" if column == "operating_cost_wan" else column, lang)


def _cell_value(metrics: Mapping[str, Any], column: str, lang: str, roots=None):
    """A project's metric for the workbook, from its row of metrics (column → value): numbers as numbers, with a
    word where there is no number (``roots``: the IRR's, listed where there are several)."""
    value = metrics[column]
    if column in ("irr_project", "irr_equity"):
        status, kind = metrics[f"{column}_status"], metrics[f"{column}_kind"]
        if not _is_return(status, kind):
            return _irr_words(status, lang, roots, kind=kind, value=value)
    if column in ("dscr_min_year", "first_year_cash_negative") and value == -1:
        return t("none", lang)
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return t("none", lang)
    return value.item() if isinstance(value, np.generic) else value


def _is_return(status: str, kind: str) -> bool:
    """Whether an IRR is shown as a number: one root, and flows that invest before they earn."""
    return status == "ok" and kind == "investment"


def _irr_words(status: str, lang: str, roots=None, *, kind: str = "", value: float = math.nan) -> str:
    """What an IRR cell says where a number would mislead: no IRR, several, or one that is not a return."""
    if status == "ok":
        return "" if kind == "investment" else t(f"irr_kind_{kind}", lang).format(f"{value:.2%}")
    text = t(f"irr_status_{status}", lang)
    if status == "multiple_roots":
        return text.format(", ".join(f"{r:.2%}" for r in (roots if roots is not None else [])) or "—")
    return text


# ---------------------------------------------------------------------------------------------
# Workbook


def cashflow_workbook(result: CashflowResult, lang: str = "zh", modes: ModesResult | None = None,
                      risk: RiskResult | None = None, sensitivity: SensitivityResult | None = None) -> bytes:
    """The workbook as bytes: same result, same bytes. With ``modes``, the funding-mode sheets come before 参数;
    with ``risk``, 风险分析 after them, and with ``sensitivity`` 敏感性分析."""
    wb = Workbook()
    summary_sheet(wb.active, result, lang)
    annual_sheet(wb.create_sheet(), result, lang)
    debt_sheet(wb.create_sheet(), result, lang)
    coverage_sheet(wb.create_sheet(), result, lang)
    break_even_sheet(wb.create_sheet(), result, lang)
    funding_sheets(wb, result, lang)
    if modes is not None:
        add_mode_sheets(wb, modes, result.scenario.config.scenario.discount_rate, lang)
    if risk is not None:
        from .risk import risk_sheet

        risk_sheet(wb.create_sheet(), risk, result.scenario.name, result.scenario.config.balance, lang,
                   _input_names(risk.drivers, result, lang))
    if sensitivity is not None:
        from .sensitivity import sensitivity_sheet

        sensitivity_sheet(wb.create_sheet(), sensitivity, result.scenario.name, result.scenario.config.balance, lang,
                          _input_names(sensitivity.tornado, result, lang))
    parameter_sheet(wb.create_sheet(), config_rows(result.scenario.config, lang), result.scenario.overrides,
                    result.scenario.inputs, lang, result.scenario.policy)
    return save_workbook(wb, result.scenario.name, lang)


def _input_names(frame: pd.DataFrame, result: CashflowResult, lang: str) -> dict[str, str]:
    """The names of the uncertain inputs of a risk or sensitivity table (its ``input`` column)."""
    from .inputs import input_names

    return input_names(frame["input"], result.scenario.projects, lang)


def funding_sheets(wb: Workbook, result: CashflowResult, lang: str) -> None:
    """资金来源 (investment by funding route and payer, and money in by source, year by year) and 改造内容 (the
    catalogue items the projects name)."""
    catalogue = result.scenario.policy.entry("cost_catalogue").value
    table = investment_by_route(result, catalogue)
    sources = sources_by_year(result).reindex(columns=table.columns, fill_value=0.0)
    route_sheet(wb.create_sheet(), t("cf_fund_title", lang).format(result.scenario.name), table,
                [str(y) for y in table.columns], t("cf_fund_note", lang), lang, sources)
    named = sorted({code for g in result.cashflows.groups for item in g.capex_by_item
                    if (code := catalogue.find(item)) is not None}, key=list(catalogue.items).index)
    # The items named, or the whole catalogue when none is (参数 refers to the sheet either way).
    catalogue_sheet(wb.create_sheet(), catalogue, lang, named or None)


def _title(ws: Worksheet, text: str, width: int, lang: str) -> None:
    put(ws, 1, 1, text, bold=True, size=16, align="center", lang=lang)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    ws.row_dimensions[1].height = 30


def _header(ws: Worksheet, row: int, headers: list[str], lang: str, height: float = 45) -> None:
    for col, text in enumerate(headers, start=1):
        put(ws, row, col, text, bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
    ws.row_dimensions[row].height = height


def summary_sheet(ws: Worksheet, result: CashflowResult, lang: str) -> None:
    """汇总 (主要经济指标): the figures that decide whether each project pays its way, then their definitions.

    Up to ``TRANSPOSE_LIMIT`` projects the figures run down and the projects across, as feasibility studies print
    them; beyond, one row per project so that the table can be filtered.
    """
    ws.title = t("cf_sheet_summary", lang)
    metrics = result.metrics
    ids = list(metrics.index)
    across = len(ids) <= TRANSPOSE_LIMIT
    labels = [_label(c, lang) for c, _ in SUMMARY_COLUMNS]
    if across:
        headers = [t("seq", lang), t("item", lang)] + [str(metrics.at[i, "name"]) for i in ids]
    else:
        headers = [t("seq", lang), t("project", lang)] + labels
    _title(ws, result.scenario.name + t("cf_title_suffix", lang), len(headers), lang)
    _header(ws, 3, headers, lang, height=45 if across else 60)
    # Rows as dicts once: reading 30 metrics of 10,000 projects cell by cell from the frame took 7 s.
    for k, row_metrics in enumerate(metrics.to_dict("records")):
        for j, (column, fmt) in enumerate(SUMMARY_COLUMNS):
            roots = {"irr_project": result.irr_project, "irr_equity": result.irr_equity}.get(column)
            value = _cell_value(row_metrics, column, lang, roots.roots[k] if roots is not None else None)
            row, col = (4 + j, 3 + k) if across else (4 + k, 3 + j)
            put(ws, row, col, value, fmt=None if isinstance(value, str) else fmt, box=True, align="right",
                lang=lang, wrap=isinstance(value, str))
            if isinstance(value, str):
                ws.column_dimensions[get_column_letter(col)].width = 24 if across else 14
                fit_height(ws, row, {col: value})
    for n, text in enumerate(labels if across else [metrics.at[i, "name"] for i in ids], start=1):
        put(ws, 3 + n, 1, n, box=True, align="center", lang=lang)
        put(ws, 3 + n, 2, text, box=True, lang=lang)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 40 if across else 30
    for col in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24 if across else 14
    row = 4 + (len(labels) if across else len(ids)) + 1
    put(ws, row, 1, t("cf_notes", lang), bold=True, lang=lang)
    scenario = result.scenario.config.scenario
    rates = sorted(set(result.metrics["debt_rate"]))
    notes = [
        t("cf_note_npv_mid" if scenario.flow_timing == "mid_year" else "cf_note_npv", lang).format(
            scenario.year, f"{scenario.discount_rate:.2%}"),
        t("cf_note_dscr", lang),
        t("cf_note_payback", lang),
        t("cf_note_llcr", lang).format(" / ".join(f"{r:.2%}" for r in rates)),
    ]
    span = max(len(headers), 3)
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, span + 1))
    for k, note in enumerate(notes, start=1):
        text = f"{k}. {note}"
        put(ws, row + k, 1, text, lang=lang, wrap=True)
        ws.merge_cells(start_row=row + k, start_column=1, end_row=row + k, end_column=span)
        ws.row_dimensions[row + k].height = 15 * math.ceil(display_width(text) / (width - 2))
    end = signature_block(ws, row + len(notes) + 2, max(len(headers), 3), scenario.prepared_by, lang)
    ws.freeze_panes = "C4"
    print_setup(ws, len(headers) if not across else 3, "3:3")
    keep_together(ws, row, end - 1)  # the notes and the signatures on one page


def annual_rows(flow: ProjectCashflow, lang: str) -> list[tuple[str, np.ndarray, str, bool]]:
    """(label, values by year, number format, whether the row has a total) in the order feasibility studies
    print the 现金流量表."""
    table = flow.annual()
    project = flow.project
    indent = "  "
    rows: list[tuple[str, np.ndarray, str, bool]] = [(t("capex_wan", lang), table["capex_wan"], MONEY, True)]
    for item in project.capex.items_wan:
        rows.append((indent + item_label(item, lang), table[f"capex_{item}_wan"], MONEY, True))
    rows.append((t("income_wan", lang), table["income_wan"], MONEY, True))
    for line in project.income:
        label = line.name if (line.name and lang == "zh") else word(INCOME_KIND, line.kind, lang)
        rows.append((indent + label, table[f"income_{line.id}_wan"], MONEY, True))
    investor = ("investor_share_wan",) if project.investor is not None else ()
    for column in ("operating_cost_wan", "ebitda_wan", "tax_wan", "major_repairs_wan", *investor, "cfads_wan",
                   "project_flow_wan"):
        rows.append((t(column, lang), table[column], MONEY, True))
    rows.append((t("grants_wan", lang), table["grants_wan"], MONEY, True))
    labels = grant_labels(project.grants, lang)
    for grant, label in zip(project.grants, labels):
        rows.append((indent + label, table[f"grant_{grant.id}_wan"], MONEY, True))
    if project.rewards:
        rows.append((t("rewards_wan", lang), table["rewards_wan"], MONEY, True))
        labels = _distinct([reward.label if lang == "zh" else reward.item for reward in flow.reward_lines],
                           [reward.id for reward in flow.reward_lines], lang)
        for reward, label in zip(flow.reward_lines, labels):
            rows.append((indent + label, table[f"reward_{reward.id}_wan"], MONEY, True))
    if project.land_returns:
        rows.append((t("land_returns_wan", lang), table["land_returns_wan"], MONEY, True))
        labels = _distinct([land.name if lang == "zh" else t("land_return", lang) for land in project.land_returns],
                           [land.id for land in project.land_returns], lang)
        for land, label in zip(project.land_returns, labels):
            rows.append((indent + label, table[f"land_{land.id}_wan"], MONEY, True))
    if project.investor is not None:
        rows.append((t("investor_equity_wan", lang), table["investor_equity_wan"], MONEY, True))
    for column in ("equity_wan", "bond_proceeds_wan", "loan_drawdown_wan", "interest_wan", "principal_wan",
                   "debt_service_wan", "net_cash_wan"):
        rows.append((t(column, lang), table[column], MONEY, True))
    rows.append((t("cumulative_cash_wan", lang), table["cumulative_cash_wan"], MONEY, False))
    rows.append((t("dscr", lang), table["dscr"], RATIO, False))
    rows.append((t("llcr", lang), table["llcr"], RATIO, False))
    return rows


def grant_labels(grants: list, lang: str) -> list[str]:
    """Each grant by its name, else by who pays it; several of one party told apart by what each is earmarked for
    (区县补助（基础类）, 区县补助（加装电梯）), and by id only where that does not tell them apart either."""
    names = [grant.name if grant.name and lang == "zh" else word(PARTY, grant.party, lang) for grant in grants]
    sep = "、" if lang == "zh" else ", "
    earmarked = []
    for name, grant in zip(names, grants):
        if names.count(name) > 1 and grant.items:
            items = sep.join(item_label(item, lang) for item in grant.items)
            name = f"{name}（{items}）" if lang == "zh" else f"{name} ({items})"
        earmarked.append(name)
    return _distinct(earmarked, [grant.id for grant in grants], lang)


def _distinct(names: list[str], ids: list[str], lang: str) -> list[str]:
    """Each line by its name (a grant by who gives it, a reward by its item), with its id only where another line
    has the same name."""
    return [name if names.count(name) == 1 else (f"{name}（{ident}）" if lang == "zh" else f"{name} ({ident})")
            for name, ident in zip(names, ids)]


ITEM_WIDTH = 36
"""The item column of the cash-flow table, in column units: the Chinese items fit, long English ones wrap; every
unit more repeats on every page across and pushes years onto more pages."""


def annual_sheet(ws: Worksheet, result: CashflowResult, lang: str) -> None:
    """现金流量表: per project, items down and years across, with a total column."""
    ws.title = t("cf_sheet_annual", lang)
    if len(result.cashflows) > ANNUAL_LIMIT:
        put(ws, 1, 1, t("cf_annual_omitted", lang).format(ANNUAL_LIMIT), lang=lang)
        return
    widest = 3
    label_width = 20
    row = 1
    starts = []
    for flow in result.cashflows:
        starts.append(row)
        years = [int(y) for y in flow.years]
        headers = [t("seq", lang), t("item", lang), t("total", lang)] + [str(y) for y in years]
        widest = max(widest, len(headers))
        put(ws, row, 1, f"{flow.project.name}（{t('unit_wan', lang)}）" if lang == "zh"
            else f"{flow.project.name} ({t('unit_wan', lang)})", bold=True, size=13, lang=lang)
        row += 1
        _header(ws, row, headers, lang, height=20)
        for number, (label, values, fmt, has_total) in enumerate(annual_rows(flow, lang), start=1):
            row += 1
            values = np.asarray(values, dtype=float)
            put(ws, row, 1, number, box=True, align="center", lang=lang)
            put(ws, row, 2, label, box=True, lang=lang, wrap=display_width(label) > ITEM_WIDTH - 2)
            label_width = max(label_width, display_width(label))
            put(ws, row, 3, float(values.sum()) if has_total else None, fmt=fmt, box=True, align="right", lang=lang)
            for col, value in enumerate(values, start=4):
                put(ws, row, col, None if math.isnan(value) else float(value), fmt=fmt, box=True, align="right",
                    lang=lang)
        row += 3
    ws.column_dimensions["A"].width = 6
    # As wide as the longest item, up to ITEM_WIDTH; a longer one wraps ("Project cash flow before grants and
    # financing (10k yuan)" in English), rather than be cut by the total beside it.
    ws.column_dimensions["B"].width = min(label_width + 2, ITEM_WIDTH)  # the rows rise to it as the book is saved
    for col in range(3, widest + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.freeze_panes = "C1"
    print_setup(ws, widest)
    ws.page_setup.fitToWidth = max(1, math.ceil((widest - 3) / 15))  # about 15 years a page, item names repeated
    ws.print_title_cols = "A:B"
    break_between_blocks(ws, starts, row)


def debt_sheet(ws: Worksheet, result: CashflowResult, lang: str) -> None:
    """还本付息计划: each bond's and loan's schedule by calendar year, with totals."""
    ws.title = t("cf_sheet_debt", lang)
    columns = ["year", "phase", "opening_balance_wan", "drawdown_wan", "interest_wan", "principal_wan", "payment_wan",
               "closing_balance_wan"]
    labels = {"opening_balance_wan": ("期初余额（万元）", "Opening balance (10k yuan)"),
              "drawdown_wan": ("提款（万元）", "Drawdown (10k yuan)"),
              "interest_wan": ("利息（万元）", "Interest (10k yuan)"),
              "principal_wan": ("还本（万元）", "Principal (10k yuan)"),
              "payment_wan": ("还本付息（万元）", "Payment (10k yuan)"),
              "closing_balance_wan": ("期末余额（万元）", "Closing balance (10k yuan)")}
    headers = [t(c, lang) if c in ("year", "phase") else word(labels, c, lang) for c in columns]
    row = 1
    if len(result.cashflows) > ANNUAL_LIMIT:
        put(ws, 1, 1, t("cf_annual_omitted", lang).format(ANNUAL_LIMIT), lang=lang)
        return
    starts = []
    for flow in result.cashflows:
        project = flow.project
        for bond in project.bonds:
            starts.append(row)
            title = (f"{project.name} — {bond.name or bond.id}：{bond.principal_wan:,.2f} 万元，票面利率 "
                     f"{bond.coupon:.2%}，{bond.years} 年" if lang == "zh" else
                     f"{project.name} — {bond.name or bond.id}: {bond.principal_wan:,.2f}, coupon {bond.coupon:.2%}, "
                     f"{bond.years} years")
            row = _schedule_block(ws, row, title, headers, flow.debt[bond.id], lang)
        for loan in project.loans:
            starts.append(row)
            method = word(METHOD, loan.method, lang)
            title = (f"{project.name} — {loan.name or loan.id}：{loan.principal_wan:,.2f} 万元，年利率 {loan.rate:.2%}，"
                     f"{loan.years} 年（宽限期 {loan.grace_years} 年），{method}" if lang == "zh" else
                     f"{project.name} — {loan.name or loan.id}: {loan.principal_wan:,.2f}, {loan.rate:.2%} a year, "
                     f"{loan.years} years ({loan.grace_years} grace), {method}")
            row = _schedule_block(ws, row, title, headers, flow.debt[loan.id], lang)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    for col in range(3, len(columns) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    print_setup(ws, len(columns))
    break_between_blocks(ws, starts, row)


def _schedule_block(ws: Worksheet, row: int, title: str, headers: list[str], table: pd.DataFrame, lang: str) -> int:
    put(ws, row, 1, title, bold=True, lang=lang)
    row += 1
    _header(ws, row, headers, lang, height=32)
    for record in table.itertuples(index=False):
        row += 1
        put(ws, row, 1, int(record.year), box=True, align="center", lang=lang)
        put(ws, row, 2, t(f"phase_{record.phase}", lang), box=True, align="center", lang=lang)
        for col, value in enumerate(record[2:], start=3):
            put(ws, row, col, float(value), fmt=MONEY, box=True, align="right", lang=lang)
    row += 1
    put(ws, row, 1, t("total", lang), bold=True, box=True, align="center", lang=lang)
    put(ws, row, 2, None, box=True, lang=lang)
    for col, column in enumerate(("opening_balance_wan", "drawdown_wan", "interest_wan", "principal_wan",
                                  "payment_wan", "closing_balance_wan"), start=3):
        total = float(table[column].sum()) if column in ("drawdown_wan", "interest_wan", "principal_wan",
                                                         "payment_wan") else None
        put(ws, row, col, total, fmt=MONEY, bold=True, box=True, align="right", lang=lang)
    return row + 3


def coverage_sheet(ws: Worksheet, result: CashflowResult, lang: str) -> None:
    """覆盖倍数: each definition side by side, the planning rate each needs for the stated multiple, and the model
    against the published figures."""
    ws.title = t("cf_sheet_coverage", lang)
    if len(result.cashflows) > ANNUAL_LIMIT:
        put(ws, 1, 1, t("cf_bulk_omitted", lang).format(ANNUAL_LIMIT, "coverage.csv"), lang=lang)
        return
    headers = [t(k, lang) for k in ("project", "basis", "definition", "debt", "interest_basis", "planning_rate",
                                    "numerator_wan", "denominator_wan", "coverage", "stated",
                                    "planning_rate_for_stated")]
    _title(ws, t("cf_sheet_coverage", lang), len(headers), lang)
    _header(ws, 3, headers, lang)
    row = 3
    names = result.metrics["name"]
    for record in result.coverage.itertuples(index=False):
        row += 1
        values = [names[record.project], t(f"basis_{record.basis}", lang), t(f"definition_{record.definition}", lang),
                  t(f"debt_{record.debt}", lang), t(f"interest_{record.interest}", lang), record.planning_rate,
                  record.numerator_wan, record.denominator_wan, record.coverage, record.stated,
                  record.planning_rate_for_stated]
        formats = [None] * 5 + [PCT, MONEY, MONEY, RATIO, RATIO, PCT]
        for col, (value, fmt) in enumerate(zip(values, formats), start=1):
            if isinstance(value, float) and math.isnan(value):
                value = None
            put(ws, row, col, value, fmt=fmt, box=True, align="right" if fmt else None, lang=lang)
    row += 2
    put(ws, row, 1, t("coverage_note", lang), lang=lang, wrap=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
    fit_height(ws, row, {1: t("coverage_note", lang)}, line_height=16)
    ws.row_dimensions[row].height = 48
    for sentence in coverage_sentences(result, lang):
        row += 1
        put(ws, row, 1, sentence, lang=lang)
    for flow in result.cashflows:
        published = flow.project.published
        if published is None:
            continue
        row += 2
        block = row
        put(ws, row, 1, f"{flow.project.name} — {t('published_check', lang)}", bold=True, lang=lang)
        row += 1
        for col, key in enumerate(("item", "published_value", "model_value", "difference_wan"), start=1):
            # wrapped: the columns are the coverage table's, 差额（万元） is wider than its 债务范围 column
            put(ws, row, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang, wrap=True)
        m = result.metrics.loc[flow.project.id]
        for key, given, modelled in (("total_investment_wan", published.total_investment_wan,
                                      m["total_investment_wan"]),
                                     ("income_wan", published.income_wan, m["income_wan"]),
                                     ("operating_cost_total_wan", published.operating_cost_wan,
                                      m["operating_cost_wan"])):
            if given is None:
                continue
            row += 1
            put(ws, row, 1, t(key, lang), box=True, lang=lang)
            put(ws, row, 2, given, fmt=MONEY, box=True, align="right", lang=lang)
            put(ws, row, 3, float(modelled), fmt=MONEY, box=True, align="right", lang=lang)
            put(ws, row, 4, float(modelled) - given, fmt=MONEY, box=True, align="right", lang=lang)
        row += 1
        put(ws, row, 1, t("published_source", lang).format(published.source), lang=lang)
        keep_together(ws, block, row)  # a table of three rows is not split from its title and source
    widths = [max(12, max((display_width(str(n)) for n in names), default=12) + 2), 10, 34, 10, 18, 12, 14, 14,
              12, 12, 16]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    # The header row repeats only where the table runs onto more pages: repeated above the comparison tables under
    # it, it would name their columns wrongly.
    long = len(result.coverage) > ROWS_PER_PAGE["landscape"] - 10  # less the title, header and notes' rows
    print_setup(ws, len(headers), "3:3" if long else None)


def coverage_sentences(result: CashflowResult, lang: str) -> list[str]:
    """For each project with a stated coverage: the planning rate each planning-rate definition needs to reach it,
    from the published figures where given (else the model's)."""
    sentences = []
    table = result.coverage[result.coverage["interest"] == "planning_rate"]
    for project_id, rows in table.groupby("project", sort=False):
        stated = rows["stated"].iloc[0]
        if pd.isna(stated):
            continue
        basis = "published" if (rows["basis"] == "published").any() else "model"
        clauses = []
        for record in rows[rows["basis"] == basis].itertuples(index=False):
            definition = t(f"definition_{record.definition}", lang).split("（")[0]
            debt = t(f"debt_{record.debt}", lang)
            if math.isnan(record.planning_rate_for_stated):
                clauses.append(t("coverage_none", lang).format(definition, debt))
            else:
                clauses.append(t("coverage_clause", lang).format(definition, debt,
                                                                 f"{record.planning_rate_for_stated:.2%}"))
        joiner = "；" if lang == "zh" else "; "
        name = result.metrics.at[project_id, "name"]
        sentences.append(f"{name}: " + t("coverage_sentence", lang).format(f"{stated:g}", joiner.join(clauses)))
    return sentences


def break_even_label(record, shapes: Mapping[str, Project], lang: str) -> str:
    """What a break-even row varies, in words; ``shapes`` gives each project's lines (``CashflowResult.shapes``)."""
    if record.input == "income":
        return t("be_income_scale", lang)
    if record.input == "grant_year0_wan":
        return t("be_grant", lang)
    if record.input == "investor.revenue_share":
        return t("be_investor_share", lang)
    project = shapes[record.project]
    line = next(line for line in project.income if line.id == record.line)
    name = line.name if (line.name and lang == "zh") else word(INCOME_KIND, line.kind, lang)
    return f"{name}：{t('be_' + record.field, lang)}" if lang == "zh" else f"{name}: {t('be_' + record.field, lang)}"


def break_even_sheet(ws: Worksheet, result: CashflowResult, lang: str) -> None:
    """盈亏平衡: for each input, the value at which the NPV after grants is 0."""
    ws.title = t("cf_sheet_break_even", lang)
    if len(result.cashflows) > ANNUAL_LIMIT:
        put(ws, 1, 1, t("cf_bulk_omitted", lang).format(ANNUAL_LIMIT, "break-even.csv"), lang=lang)
        return
    headers = [t(k, lang) for k in ("project", "variable", "unit", "current", "break_even_value", "change_pct",
                                    "remark")]
    _title(ws, t("cf_sheet_break_even", lang), len(headers), lang)
    rate = result.scenario.config.scenario.discount_rate
    put(ws, 2, 1, t("be_target", lang).format(f"{rate:.2%}"), lang=lang)
    _header(ws, 3, headers, lang, height=20)
    shapes = result.shapes()
    names = result.metrics["name"]
    row = 3
    for record in result.break_even.itertuples(index=False):
        row += 1
        occupancy = record.field == "occupancy"
        fmt = PCT if occupancy else ("0.0000" if record.unit in ("×", "元/kWh") else MONEY)
        unit = "" if occupancy else word(UNIT, record.unit, lang)
        remark = t(f"be_{record.outcome}", lang)
        if occupancy and record.outcome == "found" and record.break_even > 1:
            remark = t("be_above_one", lang)
        values = [names[record.project], break_even_label(record, shapes, lang), unit, record.current,
                  None if math.isnan(record.break_even) else record.break_even,
                  None if math.isnan(record.change) else record.change, remark]
        formats = [None, None, None, fmt, fmt, PCT, None]
        for col, (value, f) in enumerate(zip(values, formats), start=1):
            put(ws, row, col, value, fmt=f, box=True, align="right" if f else None, lang=lang)
    project_width = max(12, max((display_width(str(n)) for n in names), default=12) + 2)
    for col, width in enumerate([project_width, 30, 10, 14, 14, 12, 40], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    print_setup(ws, len(headers), "3:3")


# ---------------------------------------------------------------------------------------------
# CSV and charts


def metrics_columns() -> list[str]:
    """cashflow.csv's columns as the API names them (its index, ``id``, first); IRRs there are in percent."""
    columns = ["name"] + [c for c, _ in SUMMARY_COLUMNS]
    for column in ("irr_project", "irr_equity"):
        columns.insert(columns.index(column) + 1, f"{column}_note")
    return ["id"] + columns


def metrics_frame(result: CashflowResult, lang: str = "zh") -> pd.DataFrame:
    """The summary as a table with labelled columns (units in the names), IRRs in percent."""
    frame = result.metrics.copy()
    notes = {}
    for column, irr_result in (("irr_project", result.irr_project), ("irr_equity", result.irr_equity)):
        # A rate is a number in the table only where it is a return; elsewhere the note says what it is.
        is_return = np.array([_is_return(status, kind) for status, kind in
                              zip(frame[f"{column}_status"], frame[f"{column}_kind"])], dtype=bool)
        notes[f"{column}_note"] = [
            _irr_words(status, lang, roots, kind=kind, value=value) for status, kind, value, roots in
            zip(frame[f"{column}_status"], frame[f"{column}_kind"], frame[column], irr_result.roots)]
        frame[column] = frame[column].where(is_return) * 100
    for column in ("dscr_min_year", "first_year_cash_negative"):  # −1 marks "no such year"
        frame[column] = frame[column].where(frame[column] >= 0).astype("Int64")
    for column, words in notes.items():
        frame[column] = words
    frame = frame[metrics_columns()[1:]]
    labels = ({"name": t("project", lang)} | {c: _label(c, lang) for c, _ in SUMMARY_COLUMNS}
              | {c: t(c, lang) for c in notes})
    frame = frame.rename(columns=labels)
    frame.index.name = csv_header("id", lang)
    return frame


def metrics_csv(result: CashflowResult, lang: str = "zh") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headers correctly."""
    return _csv(metrics_frame(result, lang), index=True)


def _csv(frame: pd.DataFrame, index: bool = False) -> bytes:
    return csv_bytes(frame, index=index, float_format="%.6f")


def coverage_frame(result: CashflowResult, lang: str = "zh") -> pd.DataFrame:
    """覆盖倍数 as a table, worded as the sheet words it: one row per project and definition, rates in percent."""
    c = result.coverage
    return pd.DataFrame({
        csv_header("id", lang): c["project"],
        t("project", lang): result.metrics["name"].reindex(c["project"]).to_numpy(),
        t("basis", lang): [t(f"basis_{v}", lang) for v in c["basis"]],
        t("definition", lang): [t(f"definition_{v}", lang) for v in c["definition"]],
        t("debt", lang): [t(f"debt_{v}", lang) for v in c["debt"]],
        t("interest_basis", lang): [t(f"interest_{v}", lang) for v in c["interest"]],
        t("planning_rate", lang): c["planning_rate"] * 100,
        t("numerator_wan", lang): c["numerator_wan"], t("denominator_wan", lang): c["denominator_wan"],
        t("coverage", lang): c["coverage"], t("stated", lang): c["stated"],
        t("planning_rate_for_stated", lang): c["planning_rate_for_stated"] * 100,
    })


def break_even_frame(result: CashflowResult, lang: str = "zh") -> pd.DataFrame:
    """盈亏平衡 as a table, worded as the sheet words it: each input's current and break-even value and the change
    in percent; an empty value where there is none, and the reason in 备注."""
    b = result.break_even
    shapes = result.shapes()
    return pd.DataFrame({
        csv_header("id", lang): b["project"],
        t("project", lang): result.metrics["name"].reindex(b["project"]).to_numpy(),
        t("variable", lang): [break_even_label(r, shapes, lang) for r in b.itertuples(index=False)],
        t("unit", lang): [word(UNIT, u, lang) if u in UNIT else u for u in b["unit"]],
        t("current", lang): b["current"], t("break_even_value", lang): b["break_even"],
        t("change_pct", lang): b["change"] * 100,
        t("remark", lang): [t("be_above_one", lang) if r.field == "occupancy" and r.outcome == "found"
                            and r.break_even > 1 else t(f"be_{r.outcome}", lang) for r in b.itertuples(index=False)],
    })


def _headed(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with its column keys replaced by headers in ``lang``, units in the names."""
    return frame.rename(columns={c: csv_header(c, lang) for c in frame.columns})


def _no_year_empty(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """−1 marks "no such year" in the results; a CSV leaves the cell empty instead."""
    return frame.assign(**{column: frame[column].where(frame[column] >= 0).astype("Int64")})


def cashflow_chart(flow: ProjectCashflow, lang: str = "zh") -> Figure:
    """Above, bars by year (income up; costs and debt service down) and the cumulative cash after financing as a
    line; below, DSCR by year against 1.0, its lowest point labelled."""
    font = cjk_font()
    table = flow.annual()
    years = table.index.to_numpy()
    cost = (table["operating_cost_wan"] + table["tax_wan"] + table["major_repairs_wan"]).to_numpy()
    service = table["debt_service_wan"].to_numpy()
    fig = Figure(figsize=(11, 7), dpi=120)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.2]})
    top.bar(years, table["income_wan"], color="#2e7d32", label=t("cf_chart_income", lang))
    top.bar(years, -cost, color="#f9a825", label=t("cf_chart_cost", lang))
    top.bar(years, -service, bottom=-cost, color="#c62828", label=t("cf_chart_service", lang))
    top.plot(years, table["cumulative_cash_wan"], color="#1f4e89", marker="o", markersize=3,
             label=t("cf_chart_cumulative", lang))
    top.axhline(0, color="black", linewidth=0.8)
    top.set_ylabel(t("wan", lang), family=font)
    top.grid(axis="y", alpha=0.3)
    top.legend(prop={"family": font, "size": 8}, loc="upper left")
    top.set_title(flow.project.name, family=font)

    dscr = table["dscr"].to_numpy(dtype=float)
    finite = np.isfinite(dscr)
    if finite.any():
        bottom.plot(years, dscr, color="#6a1b9a", marker=".", label="DSCR")
        bottom.axhline(1.0, color="#c62828", linewidth=0.8)
        # Years without debt service have no DSCR; a year with very little service would flatten the rest. The axis
        # runs from the data's sign: a project that never covers its service has every value below 0.
        ceiling = min(float(dscr[finite].max()), max(2.0, 2 * float(np.median(np.abs(dscr[finite])))))
        floor = min(0.0, float(dscr[finite].min()))
        top_of_axis = max(ceiling, 1.0)
        span = top_of_axis - floor
        bottom.set_ylim(floor - 0.1 * span if floor < 0 else 0.0, top_of_axis + 0.1 * span)
        low = int(np.nanargmin(np.where(finite, dscr, np.inf)))
        bottom.annotate(f"{dscr[low]:.2f}", (years[low], dscr[low]), textcoords="offset points", xytext=(-28, 4),
                        fontsize=8, color="#6a1b9a")
    else:  # no debt: say so instead of an empty panel
        bottom.text(0.5, 0.5, t("cf_chart_no_debt", lang), transform=bottom.transAxes, ha="center", va="center",
                    family=font, color="#555555")
        bottom.set_yticks([])
    bottom.set_ylabel(t("dscr", lang), family=font)
    bottom.grid(axis="y", alpha=0.3)
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, not 2023.5
    fig.tight_layout()
    return fig


BULK_LABELLED = 60
"""Up to this many projects the bulk chart names every one; beyond, it plots them unnamed and says where the
names are."""


def bulk_chart(result: CashflowResult, lang: str = "zh") -> Figure:
    """Every project of a bulk run. Up to ``BULK_LABELLED`` projects, a bar each, by name: NPV after grants, green
    when it balances, with its lowest DSCR (or 无债务) at the bar's end. Beyond, one dot per project with debt — NPV
    across, lowest DSCR up, the lines at 0 and 1 splitting pass from fail — and a count of the projects without
    debt, which have no DSCR to plot."""
    font = cjk_font()
    m = result.metrics
    npv = m["npv_after_grants_wan"].to_numpy(dtype=float)
    dscr = m["dscr_min"].to_numpy(dtype=float)
    no_debt = ~np.isfinite(dscr)
    if len(m) <= BULK_LABELLED:
        order = np.argsort(npv, kind="stable")
        fig = Figure(figsize=(9, max(4.0, 0.28 * len(m) + 1.6)), dpi=120)
        ax = fig.add_subplot()
        y = np.arange(len(m))
        ax.barh(y, npv[order], color=np.where(npv[order] >= 0, "#2e7d32", "#c62828"), height=0.7)
        ax.set_yticks(y, [str(name) for name in m["name"].to_numpy()[order]], fontsize=7)
        for label in ax.get_yticklabels():
            label.set_family(font)
        span = max(float(np.abs(npv).max()), 1.0)
        for k, index in enumerate(order):
            text = t("no_debt_short", lang) if no_debt[index] else f"DSCR {dscr[index]:.2f}"
            ax.text(npv[index] + (0.01 if npv[index] >= 0 else -0.01) * span, k, text, va="center", fontsize=6,
                    ha="left" if npv[index] >= 0 else "right", family=font)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(min(0.0, float(npv.min())) - 0.25 * span, max(0.0, float(npv.max())) + 0.25 * span)
        ax.set_xlabel(t("npv_after_grants_wan", lang), family=font)
        ax.grid(axis="x", alpha=0.3)
    else:
        fig = Figure(figsize=(8, 6), dpi=120)
        ax = fig.add_subplot()
        ax.scatter(npv[~no_debt], dscr[~no_debt], s=12, alpha=0.6, color="#1f4e89")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.axhline(1.0, color="#c62828", linewidth=0.8)
        ax.set_xlabel(t("npv_after_grants_wan", lang), family=font)
        ax.set_ylabel(t("dscr_min", lang), family=font)
        ax.grid(alpha=0.3)
        fig.text(0.01, 0.01, t("cf_chart_bulk_note", lang).format(len(m), int(no_debt.sum())), fontsize=8,
                 family=font)
    ax.set_title(f"{result.scenario.name}\n{t('cf_chart_bulk', lang)}", family=font)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def write_cashflow_report(result: CashflowResult, out_dir: str | Path, *, lang: str = "zh",
                          command: str = "finmodel run", modes: ModesResult | None = None,
                          risk: RiskResult | None = None,
                          sensitivity: SensitivityResult | None = None) -> dict[str, Path]:
    """Write cashflow.xlsx, cashflow.csv, the charts and manifest.json into ``out_dir``, all or none; with
    ``modes``, the funding-mode sheets, balance.csv and, for the bundling optimiser, bundling.png; with ``risk``
    (a Monte Carlo), sheet 风险分析, risk.csv, risk-drivers.csv and risk.png; with ``sensitivity``, sheet 敏感性分析,
    sensitivity.csv, sensitivity-spider.csv and sensitivity.png."""
    out_dir = Path(out_dir)
    outputs = {"cashflow.xlsx": cashflow_workbook(result, lang, modes, risk, sensitivity),
               "cashflow.csv": metrics_csv(result, lang)}
    record = None
    if risk is not None:
        from .risk import drivers_frame, risk_chart, risk_frame, risk_record

        outputs["risk.csv"] = _csv(risk_frame(risk, lang))
        outputs["risk-drivers.csv"] = _csv(drivers_frame(risk, lang, _input_names(risk.drivers, result, lang)))
        outputs["risk.png"] = png_bytes(risk_chart(risk, result.scenario.config.balance, result.scenario.name, lang))
        record = risk_record(risk)
    if sensitivity is not None:
        from .sensitivity import sensitivity_chart, sensitivity_frame, spider_frame

        names = _input_names(sensitivity.tornado, result, lang)
        outputs["sensitivity.csv"] = _csv(sensitivity_frame(sensitivity, lang, names))
        outputs["sensitivity-spider.csv"] = _csv(spider_frame(sensitivity, lang, names))
        outputs["sensitivity.png"] = png_bytes(sensitivity_chart(sensitivity, result.scenario.config.balance,
                                                                 result.scenario.name, lang, names=names))
    if len(result.cashflows) > ANNUAL_LIMIT:  # the workbook leaves these out for bulk runs: full tables as CSV
        outputs["coverage.csv"] = _csv(coverage_frame(result, lang))
        outputs["break-even.csv"] = _csv(break_even_frame(result, lang))
    if modes is not None and not modes.units.empty:
        units = _no_year_empty(modes.units.reset_index(), "first_short_year")
        units["mode"] = [t(f"mode_{m}", lang) for m in units["mode"]]
        units["income_scale_outcome"] = [csv_header(f"outcome_{o}", lang) if o else "" for o in
                                         units["income_scale_outcome"]]
        outputs["balance.csv"] = _csv(_headed(units, lang))
    if modes is not None and modes.bundling is not None:
        packages = modes.bundling.packages.copy()
        packages["status"] = [t(f"status_{s}", lang) for s in packages["status"]]
        outputs["bundling.csv"] = _csv(_headed(packages, lang))
        outputs["bundling.png"] = png_bytes(bundling_chart(modes, lang))
    if len(result.cashflows) <= CHART_LIMIT:
        for flow in result.cashflows:
            outputs[f"cashflow-{flow.project.id}.png"] = png_bytes(cashflow_chart(flow, lang))
    else:
        outputs["cashflow-projects.png"] = png_bytes(bulk_chart(result, lang))
    from .html import cashflow_html

    outputs["report.html"] = cashflow_html(result, outputs, lang, modes, risk)
    solver = (modes.bundling.solution.solver if modes is not None and modes.bundling is not None else None) or {
        "name": None, "status": "not used: cash-flow model"}
    return write_with_manifest(result.scenario, outputs, out_dir, command=command, lang=lang, solver=solver,
                               risk=record, columns={"cashflow.csv": metrics_columns()})


def summary_lines(result: CashflowResult, lang: str = "zh", limit: int = 10) -> list[str]:
    """A few lines for the terminal: per project the deciding figures, or counts for a bulk run."""
    m = result.metrics
    rate = result.scenario.config.scenario.discount_rate
    sep = "；" if lang == "zh" else "; "
    lines = []
    for project_id in m.index[:limit]:
        row = m.loc[project_id]
        irr = (f"{row['irr_project']:.2%}"
               if _is_return(row["irr_project_status"], row["irr_project_kind"])
               else _irr_words(row["irr_project_status"], lang,
                               result.irr_project.roots[m.index.get_loc(project_id)],
                               kind=row["irr_project_kind"], value=row["irr_project"]))
        parts = [
            f"{t('total_investment_wan', lang)} {_money(row['total_investment_wan'])}",
            f"{t('npv_after_grants_wan', lang)} {_money(row['npv_after_grants_wan'])} (@{rate:.2%})",
            f"{t('irr_project', lang)} {irr}",
            f"{t('funding_gap_wan', lang)} {_money(row['funding_gap_wan'])}",
            f"{t('dscr_min', lang)} " + (f"{row['dscr_min']:.2f} ({int(row['dscr_min_year'])})"
                                         if row["dscr_min_year"] > 0 else t("none", lang)),
            f"{t('cumulative_cash_min_wan', lang)} {_money(row['cumulative_cash_min_wan'])}",
        ]
        lines.append(f"{row['name']}: " + sep.join(parts))
    if len(m) > limit:
        balanced = int((m["npv_after_grants_wan"] >= 0).sum())
        lines.append(t("projects_more_line", lang).format(len(m), balanced, m["funding_gap_wan"].sum()))
    lines += coverage_sentences(result, lang)
    if "investor_irr" in m:  # social capital (五(五)): what it needs and what the public side affords
        for project_id in m.index[m["investor_revenue_share"].notna()][:limit]:
            row = m.loc[project_id]
            investor = result.shapes()[project_id].investor
            found = f"{row['investor_irr']:.2%}" if np.isfinite(row["investor_irr"]) else "—"
            lines.append(t("cli_investor", lang).format(row["name"], investor.name, row["investor_equity_wan"],
                                                      investor.revenue_share, investor.concession_years, found,
                                                      investor.required_irr, row["investor_least_share"],
                                                      row["investor_largest_share"]))
    return lines


def _money(value: float) -> str:
    """0.01 万元 with thousands separators; a value that rounds to zero is 0.00, never -0.00."""
    return f"{round(float(value), 2) or 0.0:,.2f}"


def mode_lines(modes: ModesResult, lang: str = "zh") -> list[str]:
    """One line per unit tested and one for the bundling optimiser."""
    lines = []
    for unit, row in modes.units.iterrows():
        verdict = t("yes" if row["balanced"] else "no", lang)
        gaps = [f"{t(k, lang)} {row[k]:,.2f}" for k in ("grant_needed_wan", "bridge_needed_wan", "income_needed_wan")
                if row[k] > 0]
        lines.append(f"{row['name']} [{t('mode_' + row['mode'], lang)}]: {t('balanced', lang)} {verdict}; "
                     f"{t('npv_after_grants_wan', lang)} {row['npv_wan']:,.2f}"
                     + ("; " + "; ".join(gaps) if gaps else ""))
    if modes.bundling is not None:
        b = modes.bundling
        lines.append(t("md_bundling_summary", lang).format(
            t(f"mode_{b.mode}", lang), len(b.problem.packages), len(b.problem.components),
            b.solution.households_balanced, len(b.solution.standalone), b.solution.deficit_absorbed_wan))
    return lines

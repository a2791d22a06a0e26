"""The sensitivity reports of a project scenario with ``[risk]``: sheet 敏感性分析 (the tornado's table),
sensitivity.csv (tornado), sensitivity-spider.csv and sensitivity.png (tornado and spider of the first units)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..labels import csv_header, t
from ..modes.scenario import BalanceRule
from ..risk.tornado import SensitivityResult
from .book import print_setup, write_grid
from .cells import MONEY, fit_height, put
from .charts import cjk_font
from .inputs import field_of, name_of
from .risk import _named, rule_text

SHEET_UNITS = 12
"""Most projects and bundles the sheet lists; beyond, sensitivity.csv holds the table."""
CHART_UNITS = 3
"""Projects and bundles the chart draws (a tornado and a spider each)."""
VALUE = "#,##0.0000"

# (column of SensitivityResult.tornado, label key, number format)
COLUMNS = [("low_value", "sens_low_value", VALUE), ("high_value", "sens_high_value", VALUE),
           ("npv_low_wan", "sens_npv_low", MONEY), ("npv_high_wan", "sens_npv_high", MONEY),
           ("margin_low_wan", "sens_margin_low", MONEY), ("margin_high_wan", "sens_margin_high", MONEY),
           ("swing_wan", "sens_swing", MONEY), ("break_even", "sens_break_even", VALUE)]


def sensitivity_frame(sens: SensitivityResult, lang: str = "zh", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """sensitivity.csv: the tornado, one row per project or bundle and input, the largest swing first; the input by
    its key and by its name (``names``)."""
    d = sens.tornado
    frame = pd.DataFrame({csv_header("id", lang): d["unit"],
                          t("risk_unit", lang): sens.base["name"].reindex(d["unit"]).to_numpy(),
                          t("risk_input_key", lang): d["input"], t("risk_input", lang): _named(d["input"], names)})
    for column, key, _ in COLUMNS:
        frame[t(key, lang)] = d[column].to_numpy(dtype=float)
    return frame


def spider_frame(sens: SensitivityResult, lang: str = "zh", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """sensitivity-spider.csv: per project or bundle, input and percentile of the input, its value, NPV and margin."""
    d = sens.spider
    return pd.DataFrame({csv_header("id", lang): d["unit"],
                         t("risk_unit", lang): sens.base["name"].reindex(d["unit"]).to_numpy(),
                         t("risk_input_key", lang): d["input"], t("risk_input", lang): _named(d["input"], names),
                         t("sens_percentile", lang): d["percentile"],
                         t("sens_value", lang): d["value"], t("sens_npv", lang): d["npv_wan"],
                         t("sens_margin", lang): d["margin_wan"]})


def sensitivity_sheet(ws: Worksheet, sens: SensitivityResult, name: str, rule: BalanceRule, lang: str,
                      names: Mapping[str, str] | None = None) -> None:
    """敏感性分析: per project or bundle a line with its figures at the scenario's values, then its inputs, the
    one that moves its balance margin most first."""
    ws.title = t("sens_sheet", lang)
    base = sens.base
    if len(base) > SHEET_UNITS:
        put(ws, 1, 1, t("sens_omitted", lang).format(len(base), SHEET_UNITS), lang=lang)
        return
    headers = [t("risk_input", lang)] + [t(key, lang) for _, key, _ in COLUMNS]
    width = len(headers)
    put(ws, 1, 1, t("sens_title", lang).format(name), bold=True, size=14, lang=lang)
    basis = t("sens_basis", lang).format(rule_text(rule, lang))
    put(ws, 2, 1, basis, lang=lang, wrap=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.column_dimensions["A"].width = 46
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 15
    fit_height(ws, 2, {1: basis}, line_height=15, span=width)
    row = write_grid(ws, 3, headers, [], [None] * width, lang, header_height=48)
    formats = [None] + [fmt for _, _, fmt in COLUMNS]
    for unit, record in base.iterrows():
        head = t("sens_unit_line", lang).format(record["name"], t(f"risk_kind_{record['kind']}", lang),
                                                record["npv_wan"], round(record["margin_wan"], 2) + 0.0)
        put(ws, row, 1, head, bold=True, box=True, lang=lang)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        rows = sens.tornado[sens.tornado["unit"] == unit]
        own = f"{record['name']}{'：' if lang == 'zh' else ': '}"  # the line above names the project already
        records = [[name_of(key, names).removeprefix(own), *values]
                   for key, values in zip(rows["input"], rows[[c for c, _, _ in COLUMNS]].to_numpy())]
        row = write_grid(ws, row, [], records, formats, lang, wrapped=(1,))
    ws.freeze_panes = "B4"
    print_setup(ws, width, "3:3")


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def sensitivity_chart(sens: SensitivityResult, rule: BalanceRule, name: str, lang: str = "zh",
                      units: list[str] | None = None, names: Mapping[str, str] | None = None) -> Figure:
    """Per project or bundle (the first ``CHART_UNITS``, or ``units``): left the tornado of NPV after grants, each
    input from P5 to P95 around the scenario's NPV, with the break-even value where there is one; right the spider,
    NPV over each input's percentiles. The rule's NPV threshold is drawn where the rule tests NPV."""
    def _short(key: str) -> str:  # a panel is one project's: the field alone
        if names and key in names:
            return field_of(names[key])
        head, _, rest = key.partition(".")  # no names given (an API call): the key without projects.<id>.
        return rest.partition(".")[2] if head == "projects" else key

    font = cjk_font()
    shown = list(units if units is not None else sens.base.index[:CHART_UNITS])
    fig = Figure(figsize=(12, 3.6 * len(shown) + 0.6), dpi=110)
    axes = fig.subplots(len(shown), 2, squeeze=False, gridspec_kw={"width_ratios": [3, 2]})
    for (left, right), unit in zip(axes, shown):
        rows = sens.tornado[sens.tornado["unit"] == unit]
        rows = rows.iloc[np.argsort(-(rows["npv_high_wan"] - rows["npv_low_wan"]).abs().to_numpy(),
                                    kind="stable")[::-1]]  # the largest swing of NPV on top
        base = float(sens.base.at[unit, "npv_wan"])
        y = np.arange(len(rows))
        for column, colour, key in (("npv_low_wan", "#c62828", "sens_chart_low"),
                                    ("npv_high_wan", "#2e7d32", "sens_chart_high")):
            values = rows[column].to_numpy(dtype=float)
            left.barh(y, values - base, left=base, color=colour, alpha=0.8, height=0.6, label=t(key, lang))
        labels = []
        for key, low, high, even in zip(rows["input"], rows["low_value"], rows["high_value"], rows["break_even"]):
            label = f"{_short(key)}\n{_number(low)} – {_number(high)}"
            if np.isfinite(even):
                label += ("；" if lang == "zh" else "; ") + t("sens_chart_break_even", lang).format(_number(even))
            labels.append(label)
        left.set_yticks(y, labels, family=font, fontsize=7)
        left.axvline(base, color="black", linewidth=1, label=t("sens_chart_base", lang))
        if rule.tests_npv:
            left.axvline(rule.npv_at_least_wan, color="black", linestyle="--", linewidth=1,
                         label=t("risk_chart_line", lang))
        left.set_title(t("sens_chart_tornado", lang).format(sens.base.at[unit, "name"]), family=font, fontsize=9)
        left.legend(prop={"family": font, "size": 7}, loc="lower right")
        left.grid(axis="x", alpha=0.3)
        spider = sens.spider[sens.spider["unit"] == unit]
        for key, line in spider.groupby("input", sort=False):
            right.plot(line["percentile"], line["npv_wan"], marker="o", markersize=3, label=_short(key))
        if rule.tests_npv:
            right.axhline(rule.npv_at_least_wan, color="black", linestyle="--", linewidth=1)
        right.set_xlabel(t("sens_percentile", lang), family=font, fontsize=8)
        right.set_title(t("sens_chart_spider", lang), family=font, fontsize=9)
        right.legend(prop={"family": font, "size": 7})
        right.grid(alpha=0.3)
    more = len(sens.base) - len(shown)
    if more > 0:
        fig.text(0.01, 0.005, t("sens_chart_more", lang).format(more), fontsize=8, family=font)
    fig.suptitle(t("sens_title", lang).format(name), family=font)
    fig.tight_layout(rect=(0, 0.02 if more > 0 else 0, 1, 1))
    return fig

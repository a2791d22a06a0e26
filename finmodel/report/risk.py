"""The risk reports of a Monte Carlo run: sheet 风险分析 of the cash-flow workbook, risk.csv (per project and
bundle), risk-drivers.csv (which inputs move each one's balance) and risk.png."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..labels import csv_header, t
from ..modes.scenario import BalanceRule
from ..risk.montecarlo import PERCENTILES, RiskResult
from .book import print_setup
from .cells import MONEY, fit_height, put
from .charts import cjk_font
from .inputs import name_of

PCT = "0.0%"
RATE = "0.00%"
YEARS = "0.0"
CHART_UNITS = 30
"""Most units the probability chart draws one bar each for."""
UNITS_ACROSS = 12
"""Most projects and bundles the sheet lists side by side; beyond, risk.csv holds the table."""
LABEL_WIDTH = 52
"""The item column: the longest measure's label and an input's key wrap within it."""

# (column of RiskResult.summary, number format, label key, percentile)
COLUMNS = [
    ("p_balance", PCT, "p_balance", None), ("p_npv", PCT, "p_npv", None), ("p_coverage", PCT, "p_coverage", None),
    ("p_cash", PCT, "p_cash", None), ("p_dscr", PCT, "p_dscr", None),
    ("p_coverage_stated", PCT, "p_coverage_stated", None),
    *[(f"npv_wan_p{p}", MONEY, "npv_after_grants_wan", p) for p in PERCENTILES],
    *[(f"irr_p{p}", RATE, "irr_project", p) for p in PERCENTILES],
    ("irr_share", PCT, "irr_share", None),
    *[(f"funding_gap_wan_p{p}", MONEY, "funding_gap_wan", p) for p in PERCENTILES],
    *[(f"peak_funding_need_wan_p{p}", MONEY, "peak_funding_need_wan", p) for p in PERCENTILES],
    *[(f"payback_years_p{p}", YEARS, "payback_static_years", p) for p in PERCENTILES],
]


def _label(key: str, percentile: int | None, lang: str) -> str:
    label = t(key, lang)
    return label if percentile is None else t("risk_percentile", lang).format(label, f"P{percentile}")


def rule_text(rule: BalanceRule, lang: str) -> str:
    parts = []
    if rule.tests_npv:
        parts.append(t("risk_rule_npv", lang).format(rule.npv_at_least_wan))
    if rule.tests_coverage:
        parts.append(t("risk_rule_coverage", lang).format(rule.coverage_at_least))
    if rule.tests_cash:
        parts.append(t("risk_rule_cash", lang).format(rule.cash_at_least_wan))
    return ("，" if lang == "zh" else ", ").join(parts)


def risk_frame(risk: RiskResult, lang: str = "zh") -> pd.DataFrame:
    """risk.csv: one row per project and bundle, probabilities and rates in percent, money in 万元."""
    s = risk.summary
    frame = pd.DataFrame({csv_header("id", lang): s.index, t("risk_unit", lang): s["name"].to_numpy(),
                          t("risk_kind", lang): [t(f"risk_kind_{k}", lang) for k in s["kind"]]})
    for column, fmt, key, percentile in COLUMNS:
        scale = 100.0 if fmt in (PCT, RATE) else 1.0
        frame[_label(key, percentile, lang)] = s[column].to_numpy(dtype=float) * scale
    return frame


def drivers_frame(risk: RiskResult, lang: str = "zh", names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """risk-drivers.csv: per project and bundle, every input's rank correlation with its balance margin; the input
    by its key (as ``--set`` and ``[risk]`` write it) and by its name (``names``, from ``input_names``)."""
    d = risk.drivers
    return pd.DataFrame({csv_header("id", lang): d["unit"], t("risk_unit", lang): risk.summary["name"].reindex(d["unit"]).to_numpy(),
                         t("risk_input_key", lang): d["input"], t("risk_input", lang): _named(d["input"], names),
                         t("rank_correlation", lang): d["rank_correlation"]})


def _named(keys: pd.Series, names: Mapping[str, str] | None) -> np.ndarray:
    return keys.map(lambda key: name_of(key, names)).to_numpy()


def risk_sheet(ws: Worksheet, risk: RiskResult, name: str, rule: BalanceRule, lang: str,
               names: Mapping[str, str] | None = None) -> None:
    """风险分析: the probabilities and percentiles down, the projects and bundles across (as the 汇总 sheet lists
    a few projects), then each input's rank correlation with each one's balance margin. Above ``UNITS_ACROSS``
    units the table would not print: risk.csv holds it."""
    ws.title = t("risk_sheet", lang)
    s = risk.summary
    if len(s) > UNITS_ACROSS:
        put(ws, 1, 1, t("cf_bulk_omitted", lang).format(UNITS_ACROSS, "risk.csv, risk-drivers.csv"), lang=lang)
        return
    units = list(s.index)
    width = 1 + len(units)
    put(ws, 1, 1, t("risk_title", lang).format(name, len(risk.draws)), bold=True, size=14, lang=lang)
    basis = t("risk_basis", lang).format(risk.spec.seed, rule_text(rule, lang), risk.spec.dscr_at_least)
    put(ws, 2, 1, basis, lang=lang, wrap=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    kinds = [t("risk_kind_" + s.at[u, "kind"], lang) for u in units]
    headers = [t("item", lang)] + [f"{s.at[u, 'name']}（{k}）" if lang == "zh" else f"{s.at[u, 'name']} ({k})"
                                   for u, k in zip(units, kinds)]
    for col, text in enumerate(headers, start=1):
        put(ws, 3, col, text, bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
    row = 3
    ws.column_dimensions["A"].width = LABEL_WIDTH  # before the rows, whose heights follow from it
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 16
    for column, fmt, key, percentile in COLUMNS:
        row += 1
        put(ws, row, 1, _label(key, percentile, lang), box=True, lang=lang, wrap=True)
        fit_height(ws, row, {1: _label(key, percentile, lang)}, line_height=15)
        for col, unit in enumerate(units, start=2):
            value = float(s.at[unit, column])
            put(ws, row, col, None if math.isnan(value) else value, fmt=fmt, box=True, align="right", lang=lang)
    row += 2
    put(ws, row, 1, t("risk_drivers", lang), bold=True, lang=lang, wrap=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    fit_height(ws, row, {1: t("risk_drivers", lang)}, line_height=15, span=width)
    row += 1
    put(ws, row, 1, t("risk_input", lang), bold=True, box=True, fill=True, align="center", lang=lang)
    for col, text in enumerate(headers[1:], start=2):
        put(ws, row, col, text, bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
    rho = risk.drivers.pivot(index="input", columns="unit", values="rank_correlation")
    order = rho[units[0]].abs().sort_values(ascending=False, kind="stable").index  # as they move the first unit
    for key in order:
        row += 1
        label = name_of(key, names)
        put(ws, row, 1, label, box=True, lang=lang, wrap=True)
        fit_height(ws, row, {1: label}, line_height=15)
        for col, unit in enumerate(units, start=2):
            value = float(rho.at[key, unit])
            put(ws, row, col, None if math.isnan(value) else value, fmt="+0.00;-0.00;0.00", box=True, align="right",
                lang=lang)
    fit_height(ws, 2, {1: basis}, line_height=15, span=width)
    fit_height(ws, 3, dict(enumerate(headers[1:], start=2)), line_height=15)
    ws.freeze_panes = "B4"
    print_setup(ws, width, "3:3")
    ws.print_title_cols = "A:A"


def risk_chart(risk: RiskResult, rule: BalanceRule, name: str, lang: str = "zh") -> Figure:
    """Left: the distribution of NPV after grants of each project and bundle (up to six), with the balance line;
    right: the probability that each balances."""
    font = cjk_font()
    s = risk.summary
    fig = Figure(figsize=(11, 4.8), dpi=110)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    shown = list(s.index[:6])
    values = risk.samples["npv_wan"][shown].to_numpy()
    finite = values[np.isfinite(values)]
    edges = np.histogram_bin_edges(finite, bins=40) if finite.size else 40
    for unit in shown:
        left.hist(risk.samples["npv_wan"][unit].to_numpy(), bins=edges, histtype="step", linewidth=1.5,
                  label=str(s.at[unit, "name"]))
    left.axvline(rule.npv_at_least_wan, color="black", linestyle="--", linewidth=1,
                 label=t("risk_chart_line", lang))
    left.set_title(t("risk_chart_npv", lang), family=font)
    left.legend(prop={"family": font, "size": 8}, loc="upper left")
    left.grid(alpha=0.3)
    if len(s) == 1:  # one project: how likely each test is to hold, the balance first
        unit = s.index[0]
        tests = [c for c in ("p_balance", "p_npv", "p_coverage", "p_cash", "p_dscr", "p_coverage_stated")
                 if np.isfinite(s.at[unit, c])][::-1]
        labels = [t(c, lang).replace("（%）", "").replace(" (%)", "") for c in tests]
        p = np.array([s.at[unit, c] for c in tests], dtype=float)
    else:
        units = list(s.index[:CHART_UNITS])[::-1]
        labels = [str(s.at[u, "name"]) for u in units]
        p = s.loc[units, "p_balance"].to_numpy(dtype=float)
    right.barh(range(len(p)), p, color=["#2e7d32" if v >= 0.5 else "#c62828" for v in p])
    right.set_yticks(range(len(p)), labels, family=font, fontsize=8)
    right.set_xlim(0, 1)
    right.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    for k, v in enumerate(p):
        right.text(min(v + 0.02, 0.88), k, f"{v:.1%}", va="center", fontsize=8)
    right.set_title(t("risk_chart_tests" if len(s) == 1 else "risk_chart_balance", lang), family=font)
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(t("risk_title", lang).format(name, len(risk.draws)), family=font)
    fig.tight_layout()
    return fig


def risk_record(risk: RiskResult) -> dict:
    """What manifest.json says of the Monte Carlo: draws, seed, chunk and where it ran (the results do not depend
    on the workers; the record says it for the reader)."""
    return {"draws": len(risk.draws), "seed": risk.spec.seed, "chunk": risk.spec.chunk, "workers": risk.workers,
            "inputs": [item.key for item in risk.spec.inputs]}


def risk_lines(risk: RiskResult, lang: str = "zh", limit: int = 10,
               names: Mapping[str, str] | None = None) -> list[str]:
    """A few lines for the terminal: per project and bundle its probability of balance, its NPV's spread and the
    input that moves it most."""
    where = (t("cli_risk_workers", lang).format(risk.workers) if risk.workers else t("cli_risk_here", lang))
    lines = [t("cli_risk", lang).format(len(risk.draws), where)]
    first = risk.drivers.groupby("unit", sort=False).head(1).set_index("unit")
    for unit, record in risk.summary.head(limit).iterrows():
        driver = ""
        if unit in first.index and np.isfinite(first.at[unit, "rank_correlation"]):
            key = first.at[unit, "input"]
            driver = t("cli_risk_driver", lang).format(name_of(key, names), first.at[unit, "rank_correlation"])
        lines.append(t("cli_risk_unit", lang).format(record["name"], record["p_balance"], record["npv_wan_p5"],
                                                     record["npv_wan_p50"], record["npv_wan_p95"], driver))
    return lines

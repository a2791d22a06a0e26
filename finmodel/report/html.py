"""report.html: a run's results as one self-contained page — the workbook's main tables with its number formats,
the charts embedded, the checks and the assumptions — readable on a phone and printable. Rendered from the Jinja2
template report/templates/report.html.j2, every value escaped; no script, no file or address outside the page.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..labels import check_label, explanation_remark, pool_label, t

TEMPLATES = Path(__file__).with_name("templates")


@dataclass
class Cell:
    text: str
    css: str = ""


@dataclass
class Row:
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]


@dataclass
class Section:
    title: str
    notes: list[str] = field(default_factory=list)
    table: Table | None = None
    images: list[dict] = field(default_factory=list)


def number_text(value: Any, header: str = "") -> tuple[str, str]:
    """A cell's text and class: money (a header in 万元) to the fen with thousands separators, as the workbook
    formats it; percentages to two decimals; whole numbers with separators; text as it is; nothing for a missing
    value."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "", ""
    if isinstance(value, bool):
        return ("✓" if value else "✗"), ""
    if isinstance(value, str):
        money = "万元" in header or "10k yuan" in header
        if money and value.strip():
            try:
                return f"{float(value):,.2f}", "num"
            except ValueError:
                pass
        return value, "text"
    if isinstance(value, int):
        return (f"{value}" if "年" in header or "year" in header.lower() else f"{value:,}"), "num"
    if "万元" in header or "10k yuan" in header:
        return f"{value:,.2f}", "num"
    if "%" in header:
        return f"{value:,.2f}", "num"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}", "num"
    if abs(value) >= 1:  # days, years, ratios: two decimals, as the workbook shows them
        return f"{value:,.2f}", "num"
    return f"{value:.4f}".rstrip("0").rstrip("."), "num"


def frame_table(frame: pd.DataFrame, *, index: bool = False, totals: Iterable[int] = ()) -> Table:
    """A frame as a table: its headers and cells formatted by ``number_text``; rows ``totals`` in bold."""
    if index:
        frame = frame.reset_index()
    headers = [str(c) for c in frame.columns]
    totals = set(totals)
    rows = []
    for k, record in enumerate(frame.itertuples(index=False)):
        cells = [Cell(*number_text(value, header)) for value, header in zip(record, headers)]
        rows.append(Row(cells, total=k in totals))
    return Table(headers, rows)


def image(data: bytes, caption: str) -> dict:
    return {"data": base64.b64encode(data).decode("ascii"), "caption": caption}


def render(title: str, sections: list[Section], *, lang: str, subtitle: Iterable[str] = (),
           footer: Iterable[str] = ()) -> bytes:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    page = env.get_template("report.html.j2").render(title=title, sections=sections, lang=lang,
                                                     subtitle=list(subtitle), footer=list(footer))
    return page.encode("utf-8")


def _footer(scenario, lang: str) -> list[str]:
    """What produced the page: the inputs and their hashes (the manifest has the rest, the time included)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        made = f"finmodel {version('finmodel')}"
    except PackageNotFoundError:
        made = "finmodel"
    lines = [t("html_made", lang).format(made)]
    lines += [f"{name}  sha256 {digest}" for name, digest in scenario.inputs.items()]
    lines += [f"--set {o.key}: {o.old} → {o.new}" for o in scenario.overrides]
    return lines


def parameter_section(scenario, lang: str) -> Section:
    """参数: every scenario value, as the 参数 sheet lists them (key, value, unit)."""
    from .book import config_rows

    frame = pd.DataFrame([row[:3] for row in config_rows(scenario.config, lang)],
                         columns=[t("key", lang), t("param_value", lang), t("unit", lang)])
    return Section(t("sheet_params", lang), table=frame_table(frame))


# ---------------------------------------------------------------------------------------------------------------
# The three kinds


def allocation_html(result, outputs: dict[str, bytes], lang: str = "zh") -> bytes:
    from .summary import summary_frame

    scenario = result.scenario
    frame = summary_frame(result, lang)
    sections = [Section(t("sheet_summary", lang), notes=[t("unit_wan", lang)], table=frame_table(frame, totals=[0]))]
    charts = [(name, caption) for name, caption in (("allocation.png", t("html_chart_allocation", lang)),
                                                     ("allocation-vs-formula.png", t("html_chart_formula", lang)))
              if name in outputs]
    sections.append(Section(t("html_charts", lang), images=[image(outputs[n], c) for n, c in charts]))
    pools = {p.id: p for p in scenario.pools}
    checks = Table([t("html_check", lang), t("html_result", lang), t("html_detail", lang)], [
        Row([Cell(check_label(c, pools, lang), "text"), Cell(t("html_pass" if c.passed else "html_fail", lang),
                                                             "pass" if c.passed else "fail"), Cell(c.detail, "text")])
        for c in result.checks])
    sections.append(Section(t("sheet_checks", lang), table=checks))
    if result.explanations:
        moved = pd.DataFrame({t("district", lang): [e.district for e in result.explanations],
                              t("remark", lang): [explanation_remark(e, lang) for e in result.explanations]})
        sections.append(Section(t("sheet_adjust", lang), table=frame_table(moved)))
    sections.append(parameter_section(scenario, lang))
    pools_line = ("；" if lang == "zh" else "; ").join(f"{pool_label(p, lang)} {p.amount_wan:,.2f}"
                                                      for p in scenario.pools)
    return render(scenario.name, sections, lang=lang, subtitle=[pools_line],
                  footer=_footer(scenario, lang))


def cashflow_html(result, outputs: dict[str, bytes], lang: str = "zh", modes=None, risk=None) -> bytes:
    from .cashflow import metrics_frame

    scenario = result.scenario
    metrics = metrics_frame(result, lang)
    if len(metrics) <= 12:  # a few projects read down, as the workbook's 汇总 sheet lists them
        shown = metrics.T
        shown.columns = [str(c) for c in metrics[t("project", lang)]]
        shown = shown.drop(index=t("project", lang))
        shown.index.name = t("html_measure", lang)
        table = _measures_table(shown)
    else:
        table = frame_table(metrics, index=True)
    sections = [Section(t("cf_sheet_summary", lang), table=table)]
    names = dict(zip(result.metrics.index, result.metrics["name"]))
    captions = {"risk.png": t("risk_sheet", lang), "sensitivity.png": t("sens_sheet", lang),
                "bundling.png": t("md_sheet_bundling", lang), "cashflow-projects.png": t("cf_chart_bulk", lang)}
    pictures = [(n, captions.get(n) or f"{names.get(n[9:-4], n[9:-4])} — {t('cf_sheet_annual', lang)}")
                for n in outputs if n.endswith(".png")]
    sections.append(Section(t("html_charts", lang), images=[image(outputs[n], c) for n, c in pictures]))
    if modes is not None and not modes.units.empty:
        units = modes.units
        frame = pd.DataFrame({t("risk_unit", lang): units["name"], t("mode", lang): [t(f"mode_{m}", lang) for m in
                                                                                     units["mode"]],
                              t("npv_after_grants_wan", lang): units["npv_wan"], t("html_balanced", lang): units["balanced"],
                              t("grant_needed_wan", lang): units["grant_needed_wan"]})
        sections.append(Section(t("md_sheet_units", lang), table=frame_table(frame)))
    if modes is not None and modes.bundling is not None and not modes.bundling.bundles.empty:
        formed = modes.bundling.bundles
        frame = pd.DataFrame({t("html_component", lang): [names.get(c, c) for c in formed["bundle"]],
                              t("html_packages", lang): ["、".join(names.get(p, p) for p in members) if lang == "zh"
                                                         else ", ".join(names.get(p, p) for p in members)
                                                         for members in formed["packages"]],
                              t("html_households", lang): formed["households"],
                              t("npv_after_grants_wan", lang): formed["npv_wan"],
                              t("html_balanced", lang): formed["balanced"]})
        sections.append(Section(t("md_sheet_bundling", lang), table=frame_table(frame)))
    if risk is not None:
        from .risk import risk_frame

        sections.append(Section(t("risk_sheet", lang), notes=[t("risk_title", lang).format(scenario.name,
                                                                                        len(risk.draws))],
                                table=frame_table(risk_frame(risk, lang))))
    sections.append(parameter_section(scenario, lang))
    return render(scenario.name, sections, lang=lang, subtitle=[t("html_projects", lang).format(len(metrics))],
                  footer=_footer(scenario, lang))


def _measures_table(frame: pd.DataFrame) -> Table:
    """Measures down, projects across: each row formatted by its measure's unit (its label)."""
    headers = [str(frame.index.name)] + [str(c) for c in frame.columns]
    rows = []
    for measure, values in frame.iterrows():
        cells = [Cell(str(measure), "text")] + [Cell(*number_text(v, str(measure))) for v in values]
        rows.append(Row(cells))
    return Table(headers, rows)


def plan_html(result, outputs: dict[str, bytes], lang: str = "zh") -> bytes:
    scenario = result.scenario
    annual = result.annual
    order = list(dict.fromkeys(annual["district"]))
    households = annual.pivot(index="district", columns="year", values="households").reindex(order)
    households.columns = [str(c) for c in households.columns]
    households.index.name = t("district", lang)
    households = households.astype("Int64")
    sections = [Section(t("pl_sheet_annual", lang), notes=[t("html_households_by_year", lang)],
                        table=frame_table(households, index=True))]
    totals = annual.groupby("year")[["communities", "households", "cost_wan", "budget_wan"]].sum()
    totals.index = [str(y) for y in totals.index]
    totals.index.name = t("year", lang)
    totals.columns = [t("html_communities", lang), t("html_households", lang), t("html_cost_wan", lang),
                      t("html_budget_wan", lang)]
    sections.append(Section(t("html_by_year", lang), table=frame_table(totals.astype({totals.columns[0]: "Int64",
                                                                                      totals.columns[1]: "Int64"}),
                                                                        index=True)))
    d = result.deadlines
    deadlines = pd.DataFrame({t("html_deadline", lang): [label or code for label, code in zip(d["label"],
                                                                                               d["deadline"])],
                              t("html_clause", lang): d["clause"], t("html_households", lang): d["households"],
                              t("html_missed", lang): d["households_missed"],
                              t("html_extra_wan", lang): d["extra_money_wan"]})
    sections.append(Section(t("pl_sheet_deadlines", lang), table=frame_table(deadlines)))
    if "plan.png" in outputs:
        sections.append(Section(t("html_charts", lang), images=[image(outputs["plan.png"],
                                                                      t("pl_sheet_annual", lang))]))
    sections.append(parameter_section(scenario, lang))
    return render(scenario.name, sections, lang=lang,
                  subtitle=[t("html_plan", lang).format(len(scenario.library), scenario.config.plan.first_year,
                                                        scenario.config.plan.last_year)],
                  footer=_footer(scenario, lang))

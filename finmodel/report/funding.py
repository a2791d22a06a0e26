"""资金来源 and 改造内容: who pays what (济政办字〔2020〕21号 三(五)) for a plan and for projects, and the cost
catalogue the routes come from (二(一), 三(三), 附件1)."""

from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..labels import CATEGORY, IMPLEMENTER, PARTY, ROUTE, t, word
from ..policy.catalogue import CostCatalogue
from .book import print_setup, write_grid
from .cells import MONEY, fit_height, put


def route_grid(table: pd.DataFrame, lang: str) -> list[list]:
    """Rows of a (route, payer) × columns money table: each payer (a line of the project's own: 项目自身资金), a
    subtotal per route with more than one payer, and the total."""
    return _route_rows(table.rename(index=lambda p: p or t("fund_project_payer", lang), level="payer"), lang)


def _route_rows(table: pd.DataFrame, lang: str) -> list[list]:
    table = table.round(2)  # cells to the fen, so that the subtotals and totals add up as printed
    records = []
    for route, part in table.groupby(level="route", sort=False):
        label = word(ROUTE, route, lang)
        for k, ((_, payer), values) in enumerate(part.iterrows()):
            records.append([label if k == 0 else "", payer, *values.tolist(), round(float(values.sum()), 2)])
        if len(part) > 1:
            sums = part.sum()
            records.append([label, t("subtotal", lang), *sums.round(2).tolist(), round(float(sums.sum()), 2)])
    sums = table.sum()
    records.append([t("total", lang), "", *sums.round(2).tolist(), round(float(sums.sum()), 2)])
    return records


def route_sheet(ws: Worksheet, title: str, table: pd.DataFrame, column_labels: list[str], note: str,
                lang: str, sources: pd.DataFrame | None = None) -> None:
    """资金来源: money by funding route and payer (rows) and year or group (columns), 万元; with ``sources``
    (source × the same columns), the money each source puts in below it."""
    ws.title = t("fund_sheet", lang)
    put(ws, 1, 1, title, bold=True, size=14, lang=lang)
    headers = [t("fund_route", lang), t("fund_payer", lang), *column_labels, t("total", lang)]
    widths = [16, 46] + [14] * (len(headers) - 2)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    # The note wraps within the first columns: a long sheet spreads over pages across, the first holds the note.
    span = min(len(headers), 6)
    put(ws, 2, 1, note, lang=lang, wrap=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=span)
    fit_height(ws, 2, {1: note}, span=span)
    formats = [None, None] + [MONEY] * (len(headers) - 2)
    row = write_grid(ws, 4, headers, route_grid(table, lang), formats, lang, wrapped=(2,))
    if sources is not None and len(sources):
        put(ws, row + 1, 1, t("fund_sources_title", lang), bold=True, lang=lang)
        records = [[source_label(key, lang), "", *values.round(2).tolist(), round(float(values.round(2).sum()), 2)]
                   for key, values in sources.iterrows()]
        sums = sources.round(2).sum()
        records.append([t("total", lang), "", *sums.round(2).tolist(), round(float(sums.sum()), 2)])
        write_grid(ws, row + 2, [t("md_source", lang), "", *column_labels, t("total", lang)], records, formats,
                   lang)
    ws.freeze_panes = "C5"
    print_setup(ws, len(headers), "4:4")


def source_label(key: str, lang: str) -> str:
    """A row of the funding stack named for the report: a grant by its party, the others by their source."""
    return word(PARTY, key.split(":", 1)[1], lang) if key.startswith("grant:") else t(f"src_{key}", lang)


def catalogue_sheet(ws: Worksheet, catalogue: CostCatalogue, lang: str, codes: list[str] | None = None) -> None:
    """改造内容: the cost catalogue (or its items ``codes``), one row per item, with its category, implementer,
    route, payer, clause, unit cost and other names: what the routes of 资金来源 come from."""
    ws.title = t("cat_sheet", lang)
    put(ws, 1, 1, t("cat_title", lang), bold=True, size=14, lang=lang)
    headers = [t(k, lang) for k in ("cat_code", "cat_name", "cat_category", "cat_implementer", "fund_route",
                                    "fund_payer", "cat_clause", "cat_rate", "cat_default", "cat_aliases")]
    yes = t("yes", lang)
    records = [[code, item.name if lang == "zh" else item.name_en, word(CATEGORY, item.category, lang),
                item.implementer_name if lang == "zh" else word(IMPLEMENTER, item.implementer, lang),
                word(ROUTE, item.route, lang), item.payer, item.clause, item.yuan_per_m2,
                yes if item.in_default_package else "", "、".join(item.aliases)]
               for code, item in catalogue.items.items() if codes is None or code in codes]
    write_grid(ws, 3, headers, records, [None] * 7 + ["#,##0"] + [None] * 2, lang, wrapped=(2, 4, 6, 7, 10))
    for col, width in enumerate((18, 24, 10, 26, 14, 30, 18, 9, 6, 22), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C4"
    print_setup(ws, len(headers), "3:3")

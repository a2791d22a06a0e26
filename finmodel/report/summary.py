"""The allocation table as text: for the CSV export and the printed summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..allocation import AllocationResult
from .cells import display_width
from .files import csv_bytes
from ..labels import csv_header, explanation_remark, finding_text, pool_label, t


PRINT_UNITS = 50
"""Most units the printed table lists; the CSV and the workbook list every unit."""


def units_text(units: int) -> str:
    """0.01 万元 units as the exact decimal text '1234.56', never through a float."""
    sign = "-" if units < 0 else ""
    units = abs(int(units))
    return f"{sign}{units // 100}.{units % 100:02d}"


def unallocated_reason(result: AllocationResult, lang: str = "zh") -> str:
    """Why money stays unallocated (未分配), as the findings before solving and after it say."""
    reasons = [finding_text(f, lang) for f in result.findings if f.severity == "unallocated"]
    return ("；" if lang == "zh" else "; ").join(reasons)


def remarks_by_unit(result: AllocationResult, lang: str = "zh") -> list[str | None]:
    """Each unit's remark in report order (None for a unit nothing moved), the explanations looked up once."""
    remarks: dict[str, str] = {}
    for explanation in result.explanations:
        remarks.setdefault(explanation.district, explanation_remark(explanation, lang))
    return [remarks.get(district) for district in result.districts]


def summary_frame(result: AllocationResult, lang: str = "zh", *, units_in_headers: bool = True) -> pd.DataFrame:
    """序号, 区县, 合计 and one column per pool, amounts as exact two-decimal text; the 合计 row first.

    ``units_in_headers=False`` leaves 万元 out of the headers, for the printed table, which states it once above."""
    wan = t("wan", lang)
    if not units_in_headers:
        unit = str
    else:
        unit = (lambda text: f"{text}（{wan}）") if lang == "zh" else (lambda text: f"{text} ({wan})")
    pools = result.scenario.pools
    units = result.amount_units
    total_column = unit(t("total", lang))
    pool_columns = [unit(pool_label(p, lang)) for p in pools]
    left = [0 if result.unallocated_units is None else int(result.unallocated_units[p.id]) for p in pools]
    pool_totals = [int(units[p.id].sum()) + extra for p, extra in zip(pools, left)]
    rows = [["", t("total", lang), units_text(sum(pool_totals))] + [units_text(v) for v in pool_totals] + [""]]
    table = units.loc[result.districts, [p.id for p in pools]].to_numpy(dtype=np.int64)
    for number, (district, values, remark) in enumerate(
            zip(result.districts, table.tolist(), remarks_by_unit(result, lang)), start=1):
        rows.append([str(number), district, units_text(sum(values))] + [units_text(v) for v in values]
                    + [remark or ""])
    if result.has_unallocated:
        rows.append(["", t("unallocated", lang), units_text(sum(left))] + [units_text(v) for v in left]
                    + [unallocated_reason(result, lang)])
    columns = [t("seq", lang), t("district", lang), total_column] + pool_columns + [t("remark", lang)]
    return pd.DataFrame(rows, columns=columns)


def summary_csv(result: AllocationResult, lang: str = "zh") -> bytes:
    """UTF-8 with BOM, so that Excel shows the Chinese headers correctly. A first column, 行类别, says which rows
    are units and which are the 合计 and 未分配 rows, so that an analyst keeps the units with one filter."""
    frame = summary_frame(result, lang)
    kinds = ["total"] + ["unit"] * len(result.districts) + ["unallocated"] * (len(frame) - 1 - len(result.districts))
    frame.insert(0, csv_header("csv_row_kind", lang), [csv_header(f"csv_row_{kind}", lang) for kind in kinds])
    return csv_bytes(frame, lineterminator="\r\n")


def summary_columns(result: AllocationResult) -> list[str]:
    """allocation.csv's columns as the API names them: a pool's amount is ``amount_wan.<pool id>``."""
    return (["row_kind", "seq", "unit", "total_wan"] + [f"amount_wan.{p.id}" for p in result.scenario.pools]
            + ["remark"])


def summary_text(result: AllocationResult, lang: str = "zh", width: int = 100) -> str:
    """The table for the terminal, within ``width`` columns: every unit up to ``PRINT_UNITS``; above, the totals
    and the first units, and where the rest are (thousands of lines are no use on a terminal, and laying them out
    takes seconds). The 序号 column is left out and a remark too long for the line is cut short with "…": the
    workbook and the CSV carry both in full."""
    frame = summary_frame(result, lang, units_in_headers=False).drop(columns=t("seq", lang))
    more = len(result.districts) - PRINT_UNITS
    if more > 0:  # keep the 合计 row, the first units and a 未分配 row after them
        frame = pd.concat([frame.iloc[:1 + PRINT_UNITS], frame.iloc[1 + len(result.districts):]])
    remark = t("remark", lang)
    with pd.option_context("display.unicode.east_asian_width", True, "display.max_columns", None,
                           "display.width", None):
        others = frame.drop(columns=remark).to_string(index=False).splitlines()[0]
        room = max(width - display_width(others) - 1, display_width(remark))
        frame[remark] = [_cut(text, room) for text in frame[remark]]
        body = frame.to_string(index=False)
    if more > 0:
        body += "\n" + t("print_more", lang).format(more)
    return f"{result.scenario.name}\n{t('unit_wan', lang)}\n{body}"


def _cut(text: str, room: int) -> str:
    if display_width(text) <= room:
        return text
    while display_width(text) > room - 1:
        text = text[:-1]
    return text + "…"

"""The reports of a sweep: sweep.xlsx (sheet 参数扫描: per measure a table of the combinations down and the units
across, in blocks that print), sweep.csv (one row per combination, every measure of every unit), sweep.png and
manifest.json."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..config import parse_value
from ..labels import t
from ..risk.grid import SweepResult
from .book import print_setup, save_workbook, write_grid
from .cells import MONEY, NUMBER, fit_height, put
from .charts import cjk_font, png_bytes
from .files import csv_bytes

UNITS_PER_BLOCK = 10
"""Units side by side in one block of the sheet: with the keys and the combination's number it prints at ≥ 8 pt."""
CHART_UNITS = 10
CHART_PANELS = 4
COUNT = "#,##0"

FORMATS = {"amount_wan": MONEY, "npv_after_grants_wan": MONEY, "funding_gap_wan": MONEY, "balanced": COUNT,
           "grant_needed_wan": MONEY, "households_met": COUNT, "households_missed": COUNT, "extra_money_wan": MONEY,
           "households": COUNT, "cost_wan": MONEY}


def measure_label(measure: str, lang: str) -> str:
    return t(f"sweep_m_{measure}", lang)


def number_text(measure: str, value: float) -> str:
    """A measure's value as the terminal shows it: counts whole, money to the fen."""
    return f"{value:,.0f}" if FORMATS.get(measure) == COUNT else f"{value:,.2f}"


def _grid_text(result: SweepResult, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(f"{key} = {', '.join(values)}" for key, values in result.grid.items())


def sweep_frame(result: SweepResult, lang: str = "zh") -> pd.DataFrame:
    """sweep.csv: one row per combination — its number, the keys' values, whether it passed and why not, then one
    column per measure and unit (named "<unit> <measure>")."""
    frame = result.points.copy()
    frame.insert(0, t("sweep_point", lang), frame.index)
    frame = frame.rename(columns={"ok": t("sweep_ok", lang), "note": t("sweep_note", lang)})
    frame[t("sweep_ok", lang)] = [t("sweep_yes" if ok else "sweep_no", lang) for ok in result.points["ok"]]
    names = result.names
    for measure in result.measures:
        wide = result.table(measure).drop(columns=result.keys)
        if FORMATS.get(measure) == COUNT:  # counts as whole numbers, an empty cell where a point has none
            wide = wide.round().astype("Int64")
        wide.columns = [f"{names[u]} {measure_label(measure, lang)}" for u in wide.columns]
        frame = frame.join(wide)
    return frame.reset_index(drop=True)


def sweep_workbook(result: SweepResult, lang: str = "zh") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = t("sweep_sheet", lang)
    name = result.scenario.name
    keys = result.keys
    put(ws, 1, 1, t("sweep_title", lang).format(name, len(result.points)), bold=True, size=14, lang=lang)
    basis = t("sweep_basis", lang).format(_grid_text(result, lang))
    width = 1 + len(keys) + min(UNITS_PER_BLOCK, max(1, len(result.names)))
    put(ws, 2, 1, basis, lang=lang, wrap=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.column_dimensions["A"].width = 8
    for col in range(2, 2 + len(keys)):
        ws.column_dimensions[get_column_letter(col)].width = 18
    for col in range(2 + len(keys), width + 2):
        ws.column_dimensions[get_column_letter(col)].width = 13
    fit_height(ws, 2, {1: basis}, line_height=15, span=width)
    row = 4
    failed = result.points[~result.points["ok"]]
    if len(failed):
        row = write_grid(ws, row, [t("sweep_point", lang), *keys, t("sweep_note", lang)],
                         [[n, *[_cell(v) for v in r[keys]], r["note"]] for n, r in failed.iterrows()],
                         [None, *[NUMBER] * len(keys), None], lang, wrapped=(len(keys) + 2,)) + 1
    for measure in result.measures:
        table = result.table(measure)
        units = [c for c in table.columns if c not in keys]
        blocks = [units[k:k + UNITS_PER_BLOCK] for k in range(0, len(units), UNITS_PER_BLOCK)]
        for b, block in enumerate(blocks, start=1):
            title = measure_label(measure, lang)
            if len(blocks) > 1:
                title = t("sweep_block", lang).format(title, b, len(blocks))
            put(ws, row, 1, title, bold=True, lang=lang)
            headers = [t("sweep_point", lang), *keys, *[result.names[u] for u in block]]
            records = [[n, *[_cell(v) for v in table.loc[n, keys]], *table.loc[n, block].to_numpy(dtype=float)]
                       for n in table.index]
            formats = [None] + [NUMBER] * len(keys) + [FORMATS.get(measure, MONEY)] * len(block)
            row = write_grid(ws, row + 1, headers, records, formats, lang, header_height=32) + 1
    ws.freeze_panes = "B4"
    print_setup(ws, width)
    return save_workbook(wb, name, lang)


def _cell(value):
    """A key's value in a cell: numbers as numbers, anything else (a list, a text) as its text."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def sweep_chart(result: SweepResult, lang: str = "zh", measure: str | None = None) -> Figure:
    """The first measure (or ``measure``) of the units that move most, against the first key's values; a panel per
    combination of the other keys (the first ``CHART_PANELS``)."""
    font = cjk_font()
    measure = measure or result.measures[0]
    table = result.table(measure)
    first, others = result.keys[0], result.keys[1:]
    units = [c for c in table.columns if c not in result.keys]
    values = table[units].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        spread = np.nan_to_num(np.nanmax(values, axis=0) - np.nanmin(values, axis=0), nan=-1.0)
    shown = [units[k] for k in np.argsort(-spread, kind="stable")[:CHART_UNITS]]
    groups = list(table.groupby(others, sort=False)) if others else [((), table)]
    panels = groups[:CHART_PANELS]
    fig = Figure(figsize=(11, 3.8 * len(panels) + 0.8), dpi=110)
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in table[first])
    for ax, (label, part) in zip(axes, panels):
        x = part[first].to_numpy(dtype=float) if numeric else np.arange(len(part))
        for unit in shown:  # the change from the panel's first point: levels a hundred times apart hide the moves
            y = part[unit].to_numpy(dtype=float)
            ran = np.flatnonzero(np.isfinite(y))  # a point whose rules could not be met has no figure
            if not ran.size:
                continue
            ax.plot(x, y - y[ran[0]], marker="o", markersize=3,
                    label=f"{result.names[unit]} ({number_text(measure, y[ran[0]])})")
        if not numeric:
            ax.set_xticks(x, [str(v) for v in part[first]])
        ax.set_xlabel(first, fontsize=8)
        ax.set_ylabel(t("sweep_chart_change", lang).format(measure_label(measure, lang), first,
                                                           _first_ran(part, shown, first)), family=font, fontsize=8)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:+,.0f}" if v else "0")
        ax.axhline(0, color="black", linewidth=0.8)
        if others:
            label = label if isinstance(label, tuple) else (label,)
            ax.set_title("，".join(f"{k} = {v}" for k, v in zip(others, label)) if lang == "zh" else
                         ", ".join(f"{k} = {v}" for k, v in zip(others, label)), fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(prop={"family": font, "size": 7}, loc="center left", bbox_to_anchor=(1.0, 0.5))
    notes = []
    if len(units) > len(shown):
        notes.append(t("sweep_chart_more", lang).format(len(shown), len(units)))
    if len(groups) > len(panels):
        notes.append(t("sweep_chart_panels", lang).format(len(groups) - len(panels)))
    if notes:
        fig.text(0.01, 0.005, "；".join(notes) if lang == "zh" else "; ".join(notes), fontsize=8, family=font)
    fig.suptitle(t("sweep_title", lang).format(result.scenario.name, len(result.points)), family=font)
    fig.tight_layout(rect=(0, 0.03 if notes else 0, 1, 1))
    return fig


def _first_ran(part: pd.DataFrame, units: list[str], key: str):
    ran = part[units].notna().any(axis=1).to_numpy()
    return part[key].iloc[int(np.argmax(ran))] if ran.any() else part[key].iloc[0]


def sweep_record(result: SweepResult) -> dict:
    """What manifest.json says of the sweep: the grid, the points that did not pass, the workers."""
    return {"grid": {k: [parse_value(v) for v in values] for k, values in result.grid.items()},
            "points": len(result.points), "failed": [int(n) for n in result.points.index[~result.points["ok"]]],
            "workers": result.workers}


def write_sweep_report(result: SweepResult, out_dir: str | Path, *, lang: str = "zh",
                       command: str = "finmodel sweep") -> dict[str, Path]:
    """Write sweep.xlsx, sweep.csv, sweep.png and manifest.json into ``out_dir``, all or none."""
    from .manifest import write_with_manifest

    outputs = {"sweep.xlsx": sweep_workbook(result, lang),
               "sweep.csv": csv_bytes(sweep_frame(result, lang), float_format="%.6f")}
    if not result.figures.empty:  # no point ran: nothing to draw, the table says why
        outputs["sweep.png"] = png_bytes(sweep_chart(result, lang))
    return write_with_manifest(result.scenario, outputs, out_dir, command=command, lang=lang,
                               solver={"name": None, "status": "per point (the sweep's runs are not recorded one by one)"},
                               sweep=sweep_record(result))

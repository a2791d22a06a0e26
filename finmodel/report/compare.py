"""The reports of a comparison of two runs: 方案对比.xlsx (comparison.xlsx in English: the inputs that differ
first, then the two runs side by side), compare.csv, compare.png and manifest.json."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..labels import t
from ..runs import Comparison, change
from .book import print_setup, save_workbook, write_grid
from .cells import MONEY, fit_height, put
from .charts import cjk_font, png_bytes
from .files import csv_bytes, replace_folder
from .manifest import versions

PCT = "0.00"
COUNT = "#,##0"
CHART_UNITS = 30


def workbook_name(lang: str) -> str:
    return "方案对比.xlsx" if lang == "zh" else "comparison.xlsx"


def _metric_label(metric: str, lang: str) -> str:
    from .cashflow import _label

    return _label(metric, lang)


def inputs_frame(comparison: Comparison, lang: str = "zh") -> pd.DataFrame:
    i = comparison.inputs
    return pd.DataFrame({t("cmp_what", lang): [t(f"cmp_what_{w}", lang) for w in i["what"]],
                         t("cmp_key", lang): i["key"], t("cmp_a", lang): i["a"], t("cmp_b", lang): i["b"]})


def compare_frame(comparison: Comparison, lang: str = "zh") -> pd.DataFrame:
    """compare.csv: the comparison table in the report's language, changes in percent."""
    c = comparison.table
    if comparison.kind == "allocation":
        pools = {p["id"]: p.get("label") or p["id"] for p in comparison.a.manifest.get("pools", [])}
        return pd.DataFrame({t("district", lang): c["unit"], t("cmp_key", lang): [pools.get(p, p) for p in c["pool"]],
                             t("cmp_a_wan", lang): c["a_wan"], t("cmp_b_wan", lang): c["b_wan"],
                             t("cmp_diff_wan", lang): c["difference_wan"], t("cmp_change", lang): c["change"] * 100})
    if comparison.kind == "projects":
        return pd.DataFrame({"id": c["project"], t("project", lang): c["name"],
                             t("cmp_metric", lang): [_metric_label(m, lang) for m in c["metric"]],
                             t("cmp_a", lang): c["a"], t("cmp_b", lang): c["b"], t("cmp_diff", lang): c["difference"],
                             t("cmp_change", lang): c["change"] * 100})
    return pd.DataFrame({t("year", lang): c["year"], t("cmp_metric", lang): [t(f"cmp_{m}", lang) for m in c["measure"]],
                         t("cmp_a", lang): c["a"], t("cmp_b", lang): c["b"], t("cmp_diff", lang): c["difference"],
                         t("cmp_change", lang): c["change"] * 100})


def compare_workbook(comparison: Comparison, lang: str = "zh") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = t("cmp_sheet", lang)
    a, b = comparison.a, comparison.b
    title = t("cmp_title", lang).format(a.name if a.name == b.name else f"{a.name} / {b.name}")
    put(ws, 1, 1, title, bold=True, size=14, lang=lang)
    runs = t("cmp_runs", lang).format(a.path.name, a.manifest.get("created_utc", ""), b.path.name,
                                      b.manifest.get("created_utc", ""))
    width = 6
    for col, w in zip(range(1, width + 1), (30, 18, 16, 16, 16, 12)):
        ws.column_dimensions[get_column_letter(col)].width = w
    put(ws, 2, 1, runs, lang=lang, wrap=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    fit_height(ws, 2, {1: runs}, span=width)
    row = 4
    put(ws, row, 1, t("cmp_inputs_sheet", lang), bold=True, lang=lang)
    inputs = inputs_frame(comparison, lang)
    if inputs.empty:
        put(ws, row + 1, 1, t("cmp_inputs_none", lang), lang=lang)
        row += 3
    else:  # the key first, in the wide column
        inputs = inputs[[inputs.columns[1], inputs.columns[0], *inputs.columns[2:]]]
        row = write_grid(ws, row + 1, list(inputs.columns), inputs.to_numpy().tolist(), [None] * 4, lang,
                         wrapped=(1, 3, 4)) + 1
    table = comparison.table
    if comparison.kind == "allocation":
        totals = table.groupby("unit", sort=False)[["a_wan", "b_wan", "difference_wan"]].sum()
        blocks = [(t("cmp_pool_total", lang), totals)] + [
            (pool, part.set_index("unit")[["a_wan", "b_wan", "difference_wan"]]) for pool, part in
            table.groupby("pool", sort=False)]
        pools = {p["id"]: p.get("label") for p in comparison.a.manifest.get("pools", [])}
        for name, block in blocks:
            put(ws, row, 1, pools.get(name, name), bold=True, lang=lang)
            grains = (block * 100).round().astype(np.int64)  # sums exact at 0.01 万元
            sums = grains.sum() / 100
            records = [[unit, *(grains.loc[unit] / 100).tolist(), _pct(block.at[unit, "a_wan"],
                                                                       block.at[unit, "b_wan"])]
                       for unit in block.index]
            records.append([t("total", lang), *sums.tolist(), _pct(sums["a_wan"], sums["b_wan"])])
            headers = [t("district", lang), t("cmp_a_wan", lang), t("cmp_b_wan", lang), t("cmp_diff_wan", lang),
                       t("cmp_change", lang)]
            row = write_grid(ws, row + 1, headers, records, [None, MONEY, MONEY, MONEY, PCT], lang) + 1
    elif comparison.kind == "projects":
        headers = [t("project", lang), t("cmp_metric", lang), t("cmp_a", lang), t("cmp_b", lang), t("cmp_diff", lang),
                   t("cmp_change", lang)]
        records = [[r.name, _metric_label(r.metric, lang), r.a, r.b, r.difference, _pct(r.a, r.b)]
                   for r in table.itertuples(index=False)]
        row = write_grid(ws, row, headers, records, [None, None, "#,##0.0000", "#,##0.0000", "#,##0.0000", PCT],
                         lang, wrapped=(1, 2)) + 1
    else:
        headers = [t("year", lang), t("cmp_metric", lang), t("cmp_a", lang), t("cmp_b", lang), t("cmp_diff", lang),
                   t("cmp_change", lang)]
        records = [[int(r.year), t(f"cmp_{r.measure}", lang), r.a, r.b, r.difference, _pct(r.a, r.b)]
                   for r in table.itertuples(index=False)]
        row = write_grid(ws, row, headers, records, [None, None, MONEY, MONEY, MONEY, PCT], lang) + 1
    print_setup(ws, width)
    return save_workbook(wb, title, lang)


def _pct(a: float, b: float) -> float:
    return float(change(a, b)) * 100


def compare_chart(comparison: Comparison, lang: str = "zh") -> Figure:
    font = cjk_font()
    table = comparison.table
    fig = Figure(figsize=(10, 5.5), dpi=110)
    ax = fig.subplots()
    note = ""
    if comparison.kind == "allocation":
        diff = table.groupby("unit", sort=False)["difference_wan"].sum()
        shown = diff.reindex(diff.abs().sort_values(ascending=False, kind="stable").index[:CHART_UNITS])[::-1]
        ax.barh(range(len(shown)), shown.to_numpy(), color=["#2e7d32" if v >= 0 else "#c62828" for v in shown])
        ax.set_yticks(range(len(shown)), list(shown.index), family=font, fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(t("cmp_chart_allocation", lang), family=font)
        if len(diff) > len(shown):
            note = t("cmp_chart_more", lang).format(len(diff) - len(shown))
    elif comparison.kind == "projects":
        npv = table[table["metric"] == "npv_after_grants_wan"].head(CHART_UNITS)
        y = np.arange(len(npv))
        ax.barh(y - 0.2, npv["a"], height=0.4, label=t("cmp_a", lang))
        ax.barh(y + 0.2, npv["b"], height=0.4, label=t("cmp_b", lang))
        ax.set_yticks(y, list(npv["name"]), family=font, fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.legend(prop={"family": font})
        ax.set_title(t("cmp_chart_projects", lang), family=font)
    else:
        households = table[table["measure"] == "households"]
        x = np.arange(len(households))
        ax.bar(x - 0.2, households["a"], width=0.4, label=t("cmp_a", lang))
        ax.bar(x + 0.2, households["b"], width=0.4, label=t("cmp_b", lang))
        ax.set_xticks(x, [str(int(y)) for y in households["year"]])
        ax.legend(prop={"family": font})
        ax.set_title(t("cmp_chart_plan", lang), family=font)
    ax.grid(alpha=0.3)
    if note:
        fig.text(0.01, 0.01, note, fontsize=8, family=font)
    fig.suptitle(t("cmp_title", lang).format(comparison.a.name), family=font)
    fig.tight_layout(rect=(0, 0.03 if note else 0, 1, 1))
    return fig


def write_compare_report(comparison: Comparison, out_dir: str | Path, *, lang: str = "zh",
                         command: str = "finmodel compare") -> dict[str, Path]:
    """Write the comparison workbook, compare.csv, compare.png and manifest.json into ``out_dir``, all or none."""
    outputs = {workbook_name(lang): compare_workbook(comparison, lang),
               "compare.csv": csv_bytes(compare_frame(comparison, lang)),
               "compare.png": png_bytes(compare_chart(comparison, lang))}
    record = {
        "command": command,
        "created_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "comparison": {"kind": comparison.kind, "runs": [
            {"folder": str(run.path), "scenario": run.manifest.get("scenario"),
             "manifest_sha256": hashlib.sha256((run.path / "manifest.json").read_bytes()).hexdigest()}
            for run in (comparison.a, comparison.b)]},
        "language": lang,
        "versions": versions(),
        "outputs": [{"file": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in outputs.items()],
    }
    outputs["manifest.json"] = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return replace_folder(out_dir, outputs, keep=[comparison.a.path, comparison.b.path])

"""Charts, drawn with matplotlib's object API (no global state) and a font that has Chinese glyphs."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from ..allocation import AllocationResult
from ..labels import pool_label, t

CHART_UNITS = 50
"""Most units a chart draws one bar each for; above it the chart summarises (the workbook and CSV list every unit)."""
TOP_UNITS = 30
"""Units a summary chart still draws one by one: the largest amounts, or the largest differences."""
HISTOGRAM_BINS = 40

_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
                 "PingFang SC")


@cache
def cjk_font() -> str:
    """A font family that draws Chinese: an installed one if any, else the Noto Sans CJK SC shipped by mplfonts."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CJK_FAMILIES:
        if family in installed:
            return family
    path = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def png_bytes(figure: Figure) -> bytes:
    """A figure as PNG bytes without the software stamp, so reruns give the same file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def allocation_chart(result: AllocationResult, lang: str = "zh") -> Figure:
    """Horizontal stacked bars: each district's allocation by pool, in report order from the top.

    Above ``CHART_UNITS`` units one bar each would make an unreadable picture hundreds of thousands of pixels
    tall; the chart then shows the ``TOP_UNITS`` largest amounts, what the others get together, and how the
    amounts of all units are distributed, and says so."""
    if len(result.districts) > CHART_UNITS:
        return _allocation_summary_chart(result, lang)
    font = cjk_font()
    pools = result.scenario.pools
    wan = result.amount_wan.loc[result.districts]
    districts = list(reversed(result.districts))
    fig = Figure(figsize=(9, 0.45 * len(districts) + 1.8), dpi=120)
    ax = fig.add_subplot()
    left = np.zeros(len(districts))
    for pool in pools:
        values = wan.loc[districts, pool.id].to_numpy()
        ax.barh(districts, values, left=left, label=pool_label(pool, lang))
        left += values
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:,.2f}", va="center", fontsize=8, family=font)
    ax.set_xlabel(f"{t('final_amount', lang)}", family=font)
    ax.set_title(result.scenario.name, family=font)
    ax.set_xlim(0, left.max() * 1.15 if left.max() > 0 else 1)
    for label in ax.get_yticklabels():
        label.set_family(font)
    ax.legend(prop={"family": font}, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def comparison_chart(result: AllocationResult, lang: str = "zh") -> Figure:
    """Formula and final totals side by side for each district, with the difference written at the end.

    Above ``CHART_UNITS`` units: the ``TOP_UNITS`` largest differences, and how the differences of all units are
    distributed."""
    if len(result.districts) > CHART_UNITS:
        return _comparison_summary_chart(result, lang)
    font = cjk_font()
    districts = list(reversed(result.districts))
    formula = result.formula_wan.loc[districts].sum(axis=1).to_numpy()
    final = result.amount_units.loc[districts].sum(axis=1).to_numpy() / 100
    y = np.arange(len(districts))
    fig = Figure(figsize=(9, 0.5 * len(districts) + 1.8), dpi=120)
    ax = fig.add_subplot()
    ax.barh(y + 0.2, formula, height=0.4, label=t("chart_formula", lang), color="#9fb7d4")
    ax.barh(y - 0.2, final, height=0.4, label=t("chart_final", lang), color="#1f4e89")
    for k, (f, a) in enumerate(zip(formula, final)):
        diff = a - f
        if abs(diff) >= 0.01:
            ax.text(max(f, a), y[k], f" {diff:+,.2f}", va="center", fontsize=8, family=font,
                    color="#b22222" if diff < 0 else "#2e7d32")
    ax.set_yticks(y, districts)
    for label in ax.get_yticklabels():
        label.set_family(font)
    ax.set_xlabel(t("wan", lang), family=font)
    ax.set_title(f"{result.scenario.name}：{t('chart_compare_title', lang)}" if lang == "zh"
                 else f"{result.scenario.name}: {t('chart_compare_title', lang)}", family=font)
    ax.set_xlim(0, max(formula.max(), final.max()) * 1.18 if len(formula) else 1)
    ax.legend(prop={"family": font}, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _sep(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def _summary_figure(result: AllocationResult, title: str, note: str, lang: str):
    """A fixed-size figure with the top units above and the distribution of all units below, whatever their
    number: the picture costs the same for 100 units as for 100,000."""
    font = cjk_font()
    fig = Figure(figsize=(9, 12), dpi=120)
    grid = fig.add_gridspec(2, 1, height_ratios=(3, 2))
    top, bottom = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    fig.suptitle(f"{result.scenario.name}{_sep(lang)}{title}" if title else result.scenario.name, family=font)
    fig.text(0.5, 0.005, note, ha="center", va="bottom", fontsize=8, family=font, wrap=True)
    return fig, top, bottom, font


def _histogram(ax, values: np.ndarray, xlabel: str, title: str, font: str, lang: str) -> None:
    """How many units fall in each of ``HISTOGRAM_BINS`` equal ranges of ``values``."""
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS, range=(low, high))
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#1f4e89", edgecolor="white",
           linewidth=0.3)
    ax.set_xlabel(xlabel, family=font)
    ax.set_ylabel(t("chart_units_count", lang), family=font)
    ax.set_title(title, family=font, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def _top(values: np.ndarray) -> np.ndarray:
    """Positions of the ``TOP_UNITS`` largest values, ties in report order."""
    return np.argsort(-values, kind="stable")[:TOP_UNITS]


def _allocation_summary_chart(result: AllocationResult, lang: str) -> Figure:
    pools = result.scenario.pools
    units = result.amount_units.loc[result.districts, [p.id for p in pools]].to_numpy()
    totals = units.sum(axis=1)
    n = len(result.districts)
    top = _top(totals)
    others = n - top.size
    others_units = int(totals.sum() - totals[top].sum())
    share = others_units / totals.sum() if totals.sum() > 0 else 0.0
    note = t("chart_summary_note", lang).format(n=n, limit=CHART_UNITS, top=top.size, others=others,
                                               amount=others_units / 100, share=share)
    fig, ax, hist, font = _summary_figure(result, t("chart_top_title", lang).format(top=top.size, n=n), note, lang)

    names = [result.districts[k] for k in top][::-1]
    rows = units[top][::-1] / 100
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for k, pool in enumerate(pools):
        ax.barh(y, rows[:, k], left=left, label=pool_label(pool, lang))
        left += rows[:, k]
    for k, total in enumerate(left):
        ax.text(total, y[k], f" {total:,.2f}", va="center", fontsize=7, family=font)
    ax.set_yticks(y, names)
    for label in ax.get_yticklabels():
        label.set_family(font)
        label.set_fontsize(7)
    ax.set_xlabel(t("final_amount", lang), family=font)
    ax.set_xlim(0, left.max() * 1.15 if left.size and left.max() > 0 else 1)
    ax.legend(prop={"family": font}, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    _histogram(hist, totals / 100, t("final_amount", lang), t("chart_distribution_title", lang).format(n=n),
               font, lang)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def _comparison_summary_chart(result: AllocationResult, lang: str) -> Figure:
    formula = result.formula_wan.loc[result.districts].sum(axis=1).to_numpy()
    final = result.amount_units.loc[result.districts].sum(axis=1).to_numpy() / 100
    diff = np.round(final - formula, 2)
    n = len(result.districts)
    top = _top(np.abs(diff))
    moved = int(np.count_nonzero(np.abs(diff) >= 0.01))
    note = t("chart_compare_note", lang).format(n=n, limit=CHART_UNITS, top=top.size, moved=moved,
                                               up=int(np.count_nonzero(diff >= 0.01)),
                                               down=int(np.count_nonzero(diff <= -0.01)))
    title = f"{t('chart_compare_title', lang)}{_sep(lang)}{t('chart_top_moved', lang).format(top=top.size, n=n)}"
    fig, ax, hist, font = _summary_figure(result, title, note, lang)

    names = [result.districts[k] for k in top][::-1]
    f, a = formula[top][::-1], final[top][::-1]
    y = np.arange(len(names))
    ax.barh(y + 0.2, f, height=0.4, label=t("chart_formula", lang), color="#9fb7d4")
    ax.barh(y - 0.2, a, height=0.4, label=t("chart_final", lang), color="#1f4e89")
    for k in range(len(names)):
        change = a[k] - f[k]
        if abs(change) >= 0.01:
            ax.text(max(f[k], a[k]), y[k], f" {change:+,.2f}", va="center", fontsize=7, family=font,
                    color="#b22222" if change < 0 else "#2e7d32")
    ax.set_yticks(y, names)
    for label in ax.get_yticklabels():
        label.set_family(font)
        label.set_fontsize(7)
    ax.set_xlabel(t("wan", lang), family=font)
    ax.set_xlim(0, max(f.max(), a.max()) * 1.18 if len(f) and max(f.max(), a.max()) > 0 else 1)
    ax.legend(prop={"family": font}, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    _histogram(hist, diff, f"{t('chart_difference', lang)}（{t('wan', lang)}）" if lang == "zh" else
               f"{t('chart_difference', lang)} ({t('wan', lang)})",
               t("chart_difference_title", lang).format(n=n), font, lang)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig

"""Charts, drawn with matplotlib's object API (no global state) and a font that has Chinese glyphs."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from ..allocation import AllocationResult
from .labels import pool_label, t

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
    """Horizontal stacked bars: each district's allocation by pool, in report order from the top."""
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
    """Formula and final totals side by side for each district, with the difference written at the end."""
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

"""Charts, drawn with matplotlib's object API (no global state) and a font that has Chinese glyphs."""

from __future__ import annotations

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

"""Fiscal-difficulty coefficient (财政困难程度系数) derived from fiscal self-sufficiency."""

from __future__ import annotations

import numpy as np


def tiered_difficulty(ratio: np.ndarray, tiers: tuple[float, float, float]) -> np.ndarray:
    """Coefficient by tercile of ``ratio`` (revenue ÷ expenditure): the poorest third gets ``tiers[0]``.

    Cut points are the 1/3 and 2/3 quantiles (linear interpolation); a unit on a cut
    point falls in the poorer tier, so equal ratios always share a tier.
    """
    ratio = np.asarray(ratio, dtype=float)
    low_cut, high_cut = np.quantile(ratio, [1 / 3, 2 / 3])
    return np.where(ratio <= low_cut, tiers[0], np.where(ratio <= high_cut, tiers[1], tiers[2]))

"""Rounding to the grain of the approval table with the total kept exact.

The largest-remainder (Hamilton) method: every unit gets the floor of its quota and
the units left over go to the largest fractional parts, ties to the earlier row.
It keeps each pool column summing exactly to the pool. Like every quota method it
shows the Alabama paradox (a larger pool can give a unit one grain less); that is
accepted here because exact totals are what an approval table must show.
"""

from __future__ import annotations

import numpy as np


def largest_remainder(shares: np.ndarray, total_units: int) -> np.ndarray:
    """Integer amounts summing exactly to ``total_units``, in proportion to ``shares`` (non-negative)."""
    shares = np.asarray(shares, dtype=float)
    if total_units < 0:
        raise ValueError(f"total_units must be non-negative, got {total_units}")
    if shares.size == 0:
        if total_units:
            raise ValueError("cannot distribute a positive total among no units")
        return np.zeros(0, dtype=np.int64)
    if (shares < 0).any() or not np.isfinite(shares).all():
        raise ValueError("shares must be finite and non-negative")
    weight = shares.sum()
    if weight <= 0:
        if total_units:
            raise ValueError("cannot distribute a positive total when every share is 0")
        return np.zeros(shares.size, dtype=np.int64)
    quotas = shares / weight * total_units
    floors = np.floor(quotas).astype(np.int64)
    left = int(total_units - floors.sum())
    # 0 <= left <= n: each remainder is below 1 and the floors cannot exceed the quotas.
    remainders = quotas - floors
    winners = np.argsort(-remainders, kind="stable")[:left]
    floors[winners] += 1
    return floors

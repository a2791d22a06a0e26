"""跨片区组合平衡: the transfers from a partner project's surplus to an old-community package, year by year."""

from __future__ import annotations

import numpy as np
import pandas as pd


def transfer_schedule(years: np.ndarray, package_net_wan: np.ndarray, partner_net_wan: np.ndarray) -> pd.DataFrame:
    """The least transfers that keep the package's cumulative cash from going below 0, as far as the partner's
    surplus allows without its own cumulative cash going below 0.

    With P and Q the cumulative cash of package and partner, the package needs max(0, −P_t) by year t; the
    partner can have given at most R_t = max(0, min_{τ≥t} Q_τ) by then (what it gives is gone for good, so it
    must still cover itself later). Cumulative transfers never fall, so A_t = max_{τ≤t} min(max(0, −P_τ), R_τ);
    A_t ≤ R_t still holds because R rises. What the package still lacks is max(0, −(P_t + A_t)).
    """
    package = np.cumsum(np.asarray(package_net_wan, dtype=float))
    partner = np.cumsum(np.asarray(partner_net_wan, dtype=float))
    needed = np.maximum(0.0, -package)
    available = np.maximum(0.0, np.minimum.accumulate(partner[::-1])[::-1])
    given = np.maximum.accumulate(np.minimum(needed, available))
    return pd.DataFrame({
        "year": years,
        "package_net_wan": package_net_wan,
        "partner_net_wan": partner_net_wan,
        "transfer_wan": np.diff(given, prepend=0.0),
        "cumulative_transfer_wan": given,
        "package_cumulative_after_wan": package + given,
        "partner_cumulative_after_wan": partner - given,
        "package_shortfall_wan": np.maximum(0.0, -(package + given)),
    })

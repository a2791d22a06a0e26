"""The factor formula (因素法), after the central method of 财综〔2019〕31号 (Sichuan Department of Finance,
2020-10-16, http://sc.sina.com.cn/news/m/2020-10-16/detail-iiznctkc5771639-p2.shtml; weights also in Qingdao
News, 2019-10-12, http://qingdaonews.com/app/content/2019-10/12/content_20804986.htm).

For pool p, factor k, district i::

    v_ik     = x_ik · D_i        (1/x_ik for an inverse factor; D_i = 1 for unweighted factors)
    share_ik = v_ik / Σ_j v_jk
    share_i  = Σ_k w_k · share_ik
    amount_i = pool · share_i
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class FormulaResult:
    """Every intermediate of one pool's formula, each a column of ``factors`` or ``districts``."""

    factors: pd.DataFrame
    """Long table, one row per (district, factor): value, difficulty_coef, adjusted_value, factor_share, weight, weighted_share."""
    districts: pd.DataFrame
    """One row per district: difficulty_coef, share, amount_wan (unrounded)."""


def factor_formula(
    table: pd.DataFrame,
    weights: Mapping[str, float],
    amount_wan: float,
    *,
    difficulty: np.ndarray | None = None,
    inverse: Sequence[str] = (),
    unweighted: Sequence[str] = (),
    gate: np.ndarray | None = None,
    performance: np.ndarray | None = None,
    reward: tuple[float, np.ndarray, np.ndarray] | None = None,
    inverse_by: np.ndarray | None = None,
) -> FormulaResult:
    """Shares and amounts of one pool; ``table`` holds the factor columns (floats), one row per district. ``gate``
    (per district, bool) leaves out the districts that may receive nothing: their adjusted values are 0 in every
    factor, so the others share the pool as if they were not there.

    ``performance`` (per district) multiplies the quantity factors as the difficulty coefficient does (performance
    acting on volume). ``reward`` = (r, c, v) splits the share r of the pool by w = c × v (a grade coefficient × the
    task volume) and the rest by the weights: share = (1 − r) × task share + r × w ÷ Σw. ``inverse_by`` (a volume
    per district) weights the inverse factors: their value is volume ÷ x instead of 1 ÷ x."""
    factors = list(weights)
    values = table[factors].to_numpy(dtype=float)
    n_districts = values.shape[0]
    coef = np.ones(n_districts) if difficulty is None else np.asarray(difficulty, dtype=float)
    if performance is not None:
        coef = coef * np.asarray(performance, dtype=float)
    is_inverse = np.array([f in inverse for f in factors])
    is_weighted = np.array([f not in unweighted for f in factors])

    base = np.where(is_inverse, 1.0 / np.where(is_inverse, values, 1.0), values)
    if inverse_by is not None:
        base = np.where(is_inverse, base * np.asarray(inverse_by, dtype=float)[:, None], base)
    applied = np.where(is_weighted, coef[:, None], 1.0)
    adjusted = base * applied
    if gate is not None:
        adjusted = np.where(np.asarray(gate, dtype=bool)[:, None], adjusted, 0.0)
    factor_share = adjusted / adjusted.sum(axis=0)
    weight = np.array([weights[f] for f in factors])
    weighted = factor_share * weight
    share = weighted.sum(axis=1)
    extra = {}
    if performance is not None:
        extra["performance_coef"] = np.asarray(performance, dtype=float)
    if reward is not None:
        part, c, v = reward[0], np.asarray(reward[1], dtype=float), np.asarray(reward[2], dtype=float)
        by = c * v if gate is None else np.where(np.asarray(gate, dtype=bool), c * v, 0.0)
        extra |= {"performance_coef": c, "task_volume": v, "task_share": share, "reward_weight": by,
                  "reward_share": by / by.sum()}
        share = (1 - part) * share + part * extra["reward_share"]

    long = pd.DataFrame(
        {
            "district": np.repeat(table.index.to_numpy(), len(factors)),
            "factor": np.tile(factors, n_districts),
            "value": values.ravel(),
            "inverse": np.tile(is_inverse, n_districts),
            "difficulty_coef": applied.ravel(),
            "adjusted_value": adjusted.ravel(),
            "factor_share": factor_share.ravel(),
            "weight": np.tile(weight, n_districts),
            "weighted_share": weighted.ravel(),
        }
    )
    per_district = pd.DataFrame(
        {"difficulty_coef": coef if performance is None else coef / np.asarray(performance, dtype=float), **extra,
         "share": share, "amount_wan": amount_wan * share}, index=table.index
    )
    return FormulaResult(factors=long, districts=per_district)

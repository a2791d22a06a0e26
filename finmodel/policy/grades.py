"""Performance grades (绩效评价等级) from scores."""

from __future__ import annotations

import numpy as np

GRADES = ("优", "良", "合格", "差")


def grades(scores, cutoffs: tuple[float, float, float]) -> np.ndarray:
    """优 above the first cut-off, 良 from the second, 合格 from the third, 差 below."""
    scores = np.asarray(scores, dtype=float)
    excellent, good, passing = cutoffs
    return np.select([scores > excellent, scores >= good, scores >= passing], list(GRADES[:3]), default=GRADES[3])

"""Draws of the uncertain inputs: all of them at once from the seed, before any work is split, so that the
draws do not depend on how many workers evaluate them.

Correlated inputs come from a Gaussian copula: standard normal draws with the correlation matrix R, turned into
uniforms by Φ and into each input's distribution by its inverse distribution function. A rank (Spearman)
correlation ρ between two inputs needs the Pearson correlation r = 2 sin(πρ/6) between their normals (Pearson
1907; the relation is exact for the normal copula), and the ranks survive every monotone inverse.
"""

from __future__ import annotations

import numpy as np

from ..errors import Invalid
from .spec import RiskInput, RiskSpec


def correlation_matrix(spec: RiskSpec) -> np.ndarray:
    """The normals' correlation matrix for the rank correlations of ``spec``; an error naming the problem if the
    correlations cannot hold together (the matrix is not positive definite)."""
    keys = [i.key for i in spec.inputs]
    matrix = np.eye(len(keys))
    for c in spec.correlations:
        a, b = (keys.index(k) for k in c.inputs)
        matrix[a, b] = matrix[b, a] = 2 * np.sin(np.pi * c.rank / 6)
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise Invalid("the rank correlations of [[risk.correlations]] cannot hold together (their matrix is not "
                      "positive definite): loosen the strongest ones",
                      "[[risk.correlations]] 中的秩相关系数相互矛盾（其矩阵不是正定矩阵）：请调低最强的几项") from None
    return matrix


def draw_inputs(spec: RiskSpec, draws: int | None = None, seed: int | None = None) -> np.ndarray:
    """(draws, inputs): every input's values, in the order of ``spec.inputs``."""
    n = draws if draws is not None else spec.draws
    rng = np.random.default_rng(spec.seed if seed is None else seed)
    normals = rng.standard_normal((n, len(spec.inputs)))
    correlated = normals @ np.linalg.cholesky(correlation_matrix(spec)).T
    from scipy.special import ndtr  # scipy is loaded only when risks are drawn

    uniforms = ndtr(correlated)
    return np.column_stack([inverse(item, uniforms[:, k]) for k, item in enumerate(spec.inputs)])


def inverse(item: RiskInput, u: np.ndarray) -> np.ndarray:
    """The values of ``item`` at the uniforms ``u`` (its inverse distribution function)."""
    from scipy.special import ndtr, ndtri

    if item.distribution == "uniform":
        return item.low + u * (item.high - item.low)
    if item.distribution == "triangular":
        a, c, b = item.low, item.mode, item.high
        if b == a:
            return np.full(u.shape, a)
        cut = (c - a) / (b - a)
        with np.errstate(invalid="ignore"):
            return np.where(u < cut, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c)))
    if item.distribution == "choice":
        weights = np.asarray(item.weights if item.weights is not None else [1.0] * len(item.values), dtype=float)
        edges = np.cumsum(weights) / weights.sum()
        return np.asarray(item.values, dtype=float)[np.minimum(np.searchsorted(edges, u, side="right"),
                                                               len(item.values) - 1)]
    # normal, or lognormal as a normal of the logarithm; a cut draws from the part of the distribution inside it
    if item.distribution == "normal":
        centre, spread, to, back = item.mean, item.sd, (lambda v: v), (lambda z: z)
    else:
        centre, spread, to, back = np.log(item.median), item.sigma, np.log, np.exp
    if spread == 0:
        return np.full(u.shape, back(centre))
    low = 0.0 if item.low is None or (item.distribution == "lognormal" and item.low <= 0) else float(
        ndtr((to(item.low) - centre) / spread))
    high = 1.0 if item.high is None else float(ndtr((to(item.high) - centre) / spread))
    values = back(centre + spread * ndtri(low + u * (high - low)))
    return np.clip(values, item.low if item.low is not None else -np.inf,
                   item.high if item.high is not None else np.inf)

"""Project metrics, vectorised over projects: arrays shaped (projects, periods) or (periods,).

NPV counts the first flow at t = 0 (numpy-financial's convention); ``excel_npv`` discounts the first flow one
period, as Excel's NPV does, for people who compare with a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IRR_STATUSES = ("ok", "no_sign_change", "multiple_roots", "not_converged")


def npv(rate, flows) -> np.ndarray | float:
    """Σ_t flows_t / (1 + rate)^t with t = 0, 1, …; ``rate`` a scalar or one per project."""
    flows = np.asarray(flows, dtype=float)
    rate = np.asarray(rate, dtype=float)
    t = np.arange(flows.shape[-1])
    factors = (1.0 + rate[..., None]) ** -t if rate.ndim else (1.0 + rate) ** -t
    value = (flows * factors).sum(axis=-1)
    return float(value) if np.ndim(value) == 0 else value


def excel_npv(rate, flows) -> np.ndarray | float:
    """Excel's NPV: the first flow is discounted one period (t = 1, 2, …)."""
    return npv(rate, flows) / (1.0 + np.asarray(rate, dtype=float))


@dataclass(frozen=True)
class IrrResult:
    value: np.ndarray
    """The IRR per project (NaN unless the status is ok)."""
    status: np.ndarray
    """ok, no_sign_change, multiple_roots or not_converged, per project."""
    roots: list[np.ndarray]
    """Every rate above −100 % at which NPV is 0, per project (several for multiple_roots)."""


def irr(flows, *, tol: float = 1e-10, chunk: int = 5_000) -> IrrResult:
    """Internal rate of return with a status, vectorised over projects.

    NPV is a polynomial in x = 1 / (1 + r); rates above −100 % are its positive real roots. The roots of all
    projects come at once from the eigenvalues of stacked companion matrices, are polished by Newton steps
    and kept only where NPV is really 0. One root: ``ok``; several: ``multiple_roots`` with all of them,
    never a silent pick (numpy-financial 1.0's ``irr`` can return a wrong root on such flows); flows that
    never change sign: ``no_sign_change``.
    """
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    # Flows below 1e-12 of a project's largest are rounding dust: kept, they make the polynomial degenerate.
    size = np.abs(flows).max(axis=1, keepdims=True)
    flows = np.where(np.abs(flows) > 1e-12 * size, flows, 0.0)
    n_projects, n_periods = flows.shape
    value = np.full(n_projects, np.nan)
    status = np.full(n_projects, "not_converged", dtype=object)
    roots: list[np.ndarray] = [np.array([])] * n_projects
    signs = np.sign(flows)
    # Sign changes, zeros skipped: each flow takes the sign of the last nonzero flow up to it.
    last_nonzero = np.maximum.accumulate(np.where(signs != 0, np.arange(n_periods), 0), axis=1)
    carried = np.take_along_axis(signs, last_nonzero, axis=1)
    changes = (carried[:, 1:] * carried[:, :-1] < 0).sum(axis=1)
    status[changes == 0] = "no_sign_change"
    todo = np.flatnonzero(changes > 0)
    for start in range(0, todo.size, chunk):
        batch = todo[start:start + chunk]
        for p, found in zip(batch, _positive_roots(flows[batch], tol)):
            with np.errstate(divide="ignore", over="ignore"):
                rates = 1.0 / found - 1.0
            rates = np.sort(rates[np.isfinite(rates) & (rates > -1 + 1e-9)])  # rates above −100 % only
            roots[p] = rates
            if rates.size == 1:
                value[p], status[p] = rates[0], "ok"
            elif rates.size > 1:
                status[p] = "multiple_roots"
    return IrrResult(value=value, status=status, roots=roots)


def _positive_roots(flows: np.ndarray, tol: float) -> list[np.ndarray]:
    """Positive real roots x of Σ_t c_t x^t, per row, verified to make NPV vanish."""
    out = []
    coeffs = flows[:, ::-1]  # highest power first: c_T x^T + … + c_0
    degree = flows.shape[1] - 1
    if degree < 1:
        return [np.array([]) for _ in range(flows.shape[0])]
    lead = coeffs[:, 0]
    safe = np.where(lead == 0, 1.0, lead)
    companion = np.zeros((flows.shape[0], degree, degree))
    companion[:, 0, :] = -coeffs[:, 1:] / safe[:, None]
    companion[:, np.arange(1, degree), np.arange(degree - 1)] = 1.0
    eig = np.linalg.eigvals(companion)
    for row, values, c in zip(range(flows.shape[0]), eig, flows):
        if lead[row] == 0:  # lower degree: solve that row on its own
            trimmed = np.trim_zeros(c, "b")
            values = np.roots(trimmed[::-1]) if trimmed.size > 1 else np.array([])
        real = values[(np.abs(values.imag) <= 1e-7 * np.maximum(1.0, np.abs(values.real))) & (values.real > 0)].real
        with np.errstate(over="ignore", invalid="ignore"):
            x = _polish(real, c)
            scale = np.abs(c).sum()
            good = np.abs(np.polyval(c[::-1], x)) <= tol * 1e3 * scale * np.maximum(1.0, x) ** (c.size - 1)
        x = np.unique(np.round(x[good & (x > 0) & np.isfinite(x)], 12))
        out.append(x)
    return out


def _polish(x: np.ndarray, c: np.ndarray, steps: int = 8) -> np.ndarray:
    poly = c[::-1]
    derivative = np.polyder(poly)
    for _ in range(steps):
        slope = np.polyval(derivative, x)
        step = np.where(slope != 0, np.polyval(poly, x) / np.where(slope != 0, slope, 1.0), 0.0)
        x = x - step
    return x

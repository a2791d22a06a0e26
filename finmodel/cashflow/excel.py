"""Excel's finance functions, for checking a bank's or a consultant's spreadsheet: PV, FV, PMT, NPER, RATE, IPMT,
PPMT, CUMIPMT, CUMPRINC, MIRR, XNPV and XIRR, with Excel's signs (money received positive, paid negative) and
payment timing (``when="end"``, Excel's type 0, or ``"begin"``, type 1), vectorised: arguments broadcast as numpy
arrays do, and scalars give scalars.

The annuity functions share one closed form, ``pv·(1 + r)^n + pmt·(1 + r·w)·((1 + r)^n − 1) ÷ r + fv = 0``, with
the growth factor taken through ``expm1``/``log1p``. numpy-financial 1.0.0, which we pin, gets three of them wrong:
``nper`` at a zero rate returns −10 for (0, −100, 1000) instead of 10; ``ipmt`` (and so ``ppmt``) takes the
balance as the difference of two terms of size (1 + r)^n, so at 14.79 % over 300 periods it gives −2,423.19 for
period 297 instead of 16.97; and ``pmt``/``fv`` compute (1 + r)^n − 1 directly, losing seven digits at a rate of
1e−9. Its ``rate`` follows Newton's steps from a guess, which can end below −100 % (−184 % for 100 repaid by
12 payments at 25 %), and its ``mirr`` takes one series at a time. Each is tested against it where it is right and against exact
rational arithmetic where it is not (tests/test_excel_functions.py).

RATE and XIRR return every rate that solves them with a status, as ``irr`` does, instead of the one a guess
leads Newton's method to.
"""

from __future__ import annotations

import numpy as np

from .metrics import IrrResult, irr, sign_changes

WHEN = {"end": 0, "begin": 1, 0: 0, 1: 1}
DAYS_A_YEAR = 365.0  # Excel's XNPV and XIRR: (dᵢ − d₁) ÷ 365, leap years or not


def _when(when) -> np.ndarray:
    values = np.asarray(when, dtype=object)
    flat = [WHEN.get(v.item() if hasattr(v, "item") else v) for v in values.ravel()]
    if any(v is None for v in flat):
        raise ValueError(f"when must be 'end' (0) or 'begin' (1), got {when!r}")
    return np.array(flat, dtype=float).reshape(values.shape)


def _scalar(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value


def _growth(rate, periods):
    """(1 + r)^n − 1, exact for tiny rates."""
    return np.expm1(np.asarray(periods, dtype=float) * np.log1p(np.asarray(rate, dtype=float)))


def _annuity_factor(rate, periods, when):
    """(1 + r·w)·((1 + r)^n − 1) ÷ r: what a payment of 1 a period is worth at the end of period n; n at r = 0."""
    rate = np.asarray(rate, dtype=float)
    zero = rate == 0
    safe = np.where(zero, 1.0, rate)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = (1 + safe * when) * _growth(safe, periods) / safe
    return np.where(zero, np.asarray(periods, dtype=float), factor)


def fv(rate, nper, pmt, pv=0.0, when="end"):
    """Excel's FV: the value after ``nper`` periods of ``pv`` now and ``pmt`` each period (signs as paid or
    received). FV(0.06/12, 10, −200, −500, 1) = 2,581.40."""
    w = _when(when)
    growth = _growth(rate, nper)
    return _scalar(-(np.asarray(pv, dtype=float) * (1 + growth) + np.asarray(pmt, dtype=float)
                     * _annuity_factor(rate, nper, w)))


def pv(rate, nper, pmt, fv=0.0, when="end"):
    """Excel's PV: what ``pmt`` a period for ``nper`` periods, then ``fv``, are worth now.
    PV(0.08/12, 12·20, 500) = −59,777.15."""
    w = _when(when)
    growth = _growth(rate, nper)
    return _scalar(-(np.asarray(fv, dtype=float) + np.asarray(pmt, dtype=float) * _annuity_factor(rate, nper, w))
                   / (1 + growth))


def pmt(rate, nper, pv, fv=0.0, when="end"):
    """Excel's PMT: the level payment that takes ``pv`` to ``fv`` in ``nper`` periods.
    PMT(0.08/12, 10, 10000) = −1,037.03."""
    w = _when(when)
    growth = _growth(rate, nper)
    return _scalar(-(np.asarray(fv, dtype=float) + np.asarray(pv, dtype=float) * (1 + growth))
                   / _annuity_factor(rate, nper, w))


def nper(rate, pmt, pv, fv=0.0, when="end"):
    """Excel's NPER: how many periods of ``pmt`` take ``pv`` to ``fv`` (NaN where none does).
    NPER(0.12/12, −100, −1000, 10000, 1) = 59.67."""
    rate, pmt, pv, fv = (np.asarray(v, dtype=float) for v in (rate, pmt, pv, fv))
    w = _when(when)
    zero = rate == 0
    safe = np.where(zero, 1.0, rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = pmt * (1 + safe * w) / safe
        periods = np.log((z - fv) / (z + pv)) / np.log1p(safe)
        level = -(pv + fv) / pmt
    return _scalar(np.where(zero, level, periods))


def rate(nper, pmt, pv, fv=0.0, when="end"):
    """Excel's RATE: the rate a period at which ``pv`` now and ``pmt`` for ``nper`` periods become ``fv``
    (negative rates included). It is the IRR of the payments as dated flows, so it is NaN where no rate or several
    rates solve it; ``rate_roots`` lists them. RATE(4·12, −200, 8000) = 0.77 %."""
    result = rate_roots(nper, pmt, pv, fv, when)
    value = np.where(np.asarray(result.status) == "ok", result.value, np.nan)
    return _scalar(value)


def rate_roots(nper, pmt, pv, fv=0.0, when="end") -> IrrResult:
    """Every rate that solves RATE, with ``irr``'s statuses; ``nper`` must be a whole number of periods."""
    nper, pmt, pv, fv, w = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (nper, pmt, pv, fv)),
                                               _when(when))
    if not (np.all(nper == np.round(nper)) and np.all(nper >= 1)):
        raise ValueError("rate needs a whole number of periods, at least 1")
    shape = nper.shape
    n = nper.ravel().astype(int)
    t = np.arange(n.max() + 1)[None, :]
    payment = pmt.ravel()[:, None]
    begin = w.ravel()[:, None] == 1
    # pv at t = 0, pmt at t = 0 … n − 1 (begin) or 1 … n (end), fv at t = n; zeros after n change no root.
    paid = np.where(begin, t < n[:, None], (t >= 1) & (t <= n[:, None]))
    flows = np.where(paid, payment, 0.0)
    flows[:, 0] += pv.ravel()
    flows[np.arange(n.size), n] += fv.ravel()
    result = irr(flows)
    if not shape:
        return IrrResult(value=float(result.value[0]), status=str(result.status[0]), roots=result.roots[0])
    return IrrResult(value=result.value.reshape(shape), status=result.status.reshape(shape), roots=result.roots)


def _balance(rate, done, nper, pv, fv, payment, w):
    """What is owed (Excel's sign: as pv) right after ``done`` payments. Forward it is pv grown by the rate plus
    the payments grown; backward, minus the payments still to come and fv discounted. Each is the difference of
    large terms where the other is not, so the one with the smaller terms is taken."""
    rate = np.asarray(rate, dtype=float)
    zero = rate == 0
    safe = np.where(zero, 1.0, rate)
    log_growth = np.log1p(safe)
    left = nper - done
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        grown_pv = pv * np.where(zero, 1.0, np.exp((done - w) * log_growth))
        grown_payments = payment * np.where(zero, done, _growth(safe, done) / safe)
        to_come = payment * np.where(zero, left, -np.expm1(-left * log_growth) / safe)
        discounted_fv = fv * np.where(zero, 1.0, np.exp(-(left + w) * log_growth))
    forward = grown_pv + grown_payments
    backward = -(to_come + discounted_fv)
    use_forward = np.abs(grown_pv) + np.abs(grown_payments) <= np.abs(to_come) + np.abs(discounted_fv)
    value = np.where(use_forward | ~np.isfinite(backward), forward, backward)
    return np.where(done == 0, pv, value)  # in advance, the balance before any payment is pv itself


def ipmt(rate, per, nper, pv, fv=0.0, when="end"):
    """Excel's IPMT: the interest in payment ``per`` (1 … nper). In advance the first payment has none.
    IPMT(0.10/12, 1, 3·12, 8000) = −66.67."""
    rate, per, nper, pv, fv, w = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                       for v in (rate, per, nper, pv, fv)), _when(when))
    payment = np.asarray(pmt(rate, nper, pv, fv, w), dtype=float)
    owed = _balance(rate, per - 1, nper, pv, fv, payment, w)
    value = np.where((w == 1) & (per == 1), 0.0, -owed * rate)
    return _scalar(np.where((per >= 1) & (per <= nper), value, np.nan))


def ppmt(rate, per, nper, pv, fv=0.0, when="end"):
    """Excel's PPMT: the principal in payment ``per``. PPMT(0.10/12, 1, 2·12, 2000) = −75.62."""
    return _scalar(np.asarray(pmt(rate, nper, pv, fv, when)) - np.asarray(ipmt(rate, per, nper, pv, fv, when)))


def cumprinc(rate, nper, pv, start, end, when="end"):
    """Excel's CUMPRINC: the principal paid in payments ``start`` … ``end``, the change of the balance.
    CUMPRINC(0.09/12, 30·12, 125000, 13, 24, 0) = −934.11."""
    rate, nper, pv, start, end, w = np.broadcast_arrays(*(np.asarray(v, dtype=float)
                                                          for v in (rate, nper, pv, start, end)), _when(when))
    _check_range(start, end, nper)
    payment = np.asarray(pmt(rate, nper, pv, 0.0, w), dtype=float)
    zero = np.zeros_like(pv)
    return _scalar(_balance(rate, end, nper, pv, zero, payment, w) - _balance(rate, start - 1, nper, pv, zero,
                                                                              payment, w))


def cumipmt(rate, nper, pv, start, end, when="end"):
    """Excel's CUMIPMT: the interest paid in payments ``start`` … ``end``.
    CUMIPMT(0.09/12, 30·12, 125000, 13, 24, 0) = −11,135.23."""
    payments = np.asarray(pmt(rate, nper, pv, 0.0, when)) * (np.asarray(end, dtype=float)
                                                           - np.asarray(start, dtype=float) + 1)
    return _scalar(payments - np.asarray(cumprinc(rate, nper, pv, start, end, when)))


def _check_range(start, end, nper) -> None:
    if not (np.all(start >= 1) and np.all(end >= start) and np.all(end <= nper)
            and np.all(start == np.round(start)) and np.all(end == np.round(end))):
        raise ValueError("need whole payment numbers with 1 ≤ start ≤ end ≤ nper")


def mirr(values, finance_rate, reinvest_rate):
    """Excel's MIRR, per row: (FV of the inflows at ``reinvest_rate`` ÷ −PV of the outflows at ``finance_rate``)
    ^ (1 ÷ (n − 1)) − 1; NaN without both an inflow and an outflow. For the help page's flows, 12.61 %."""
    values = np.asarray(values, dtype=float)
    n = values.shape[-1]
    t = np.arange(n)
    finance = np.asarray(finance_rate, dtype=float)[..., None]
    reinvest = np.asarray(reinvest_rate, dtype=float)[..., None]
    inflows = np.where(values > 0, values, 0.0) * (1 + reinvest) ** (n - 1 - t)
    outflows = np.where(values < 0, values, 0.0) / (1 + finance) ** t
    grown, spent = inflows.sum(axis=-1), -outflows.sum(axis=-1)
    both = (values > 0).any(axis=-1) & (values < 0).any(axis=-1)  # Excel's test, on the flows as given
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(both, (grown / np.where(spent > 0, spent, np.nan)) ** (1 / (n - 1)) - 1, np.nan)
    return _scalar(value)


def _years(dates) -> np.ndarray:
    """Years of 365 days from the earliest date of each row."""
    days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64).astype(float)
    return (days - days.min(axis=-1, keepdims=True)) / DAYS_A_YEAR


def xnpv(rate, values, dates):
    """Excel's XNPV: Σ vᵢ ÷ (1 + rate)^((dᵢ − d₀) ÷ 365), d₀ the earliest date. Dates in any order (Excel wants the
    earliest first and refuses otherwise; the value is the same where it accepts them). Rows are series.
    XNPV(0.09, …) of the help page = 2,086.65."""
    values = np.asarray(values, dtype=float)
    years = np.broadcast_to(_years(dates), values.shape)
    rate = np.asarray(rate, dtype=float)
    discount = (1 + rate[..., None]) ** -years if rate.ndim else (1 + rate) ** -years
    return _scalar((values * discount).sum(axis=-1))


def xirr(values, dates, *, grid: int = 4_000) -> IrrResult:
    """Excel's XIRR with a status: every rate above −100 % at which XNPV is 0, vectorised over rows.

    In u = −ln(1 + r), XNPV is Σ vᵢ·e^(tᵢ·u), an exponential sum: by Laguerre's extension of Descartes' rule it
    has at most as many roots as its flows, in date order, change sign. One change: its one root, by bisection.
    Several: XNPV is scanned on a grid of rates (finest between −50 % and +100 %), each sign change bisected, and
    every root found is reported. Rates are searched from −100 % + 10^−10 % to 10^14 % a year (flows days apart
    can have such rates); beyond them, and where XNPV touches 0 without changing sign, the status is
    not_converged rather than a wrong rate. Excel's example: 37.34 %.
    """
    values = np.asarray(values, dtype=float)
    one_series = values.ndim == 1
    values = np.atleast_2d(values)
    years = np.broadcast_to(np.atleast_2d(_years(dates)), values.shape)
    order = np.argsort(years, axis=1, kind="stable")
    values, years = np.take_along_axis(values, order, axis=1), np.take_along_axis(years, order, axis=1)
    rows = values.shape[0]
    changes = sign_changes(values)  # in date order: Laguerre's bound on the roots
    status = np.where(changes == 0, "no_sign_change", "not_converged").astype(object)
    value = np.full(rows, np.nan)
    roots: list[np.ndarray] = [np.array([])] * rows
    single = np.flatnonzero(changes == 1)
    several = np.flatnonzero(changes > 1)
    # One sign change: XNPV's sign at u → −∞ is its first flow's and at u → +∞ its last's, so [−700, 700]
    # (rates from −100 % + 10^−302 to 10^304) brackets the one root.
    lows, highs = np.full(single.size, -700.0), np.full(single.size, 700.0)
    found = _bisect(values[single], years[single], np.arange(single.size), lows, highs)
    value[single] = np.expm1(-found)
    status[single] = np.where(np.isfinite(value[single]) & (value[single] > -1), "ok", "not_converged")
    for row, rate_found in zip(single, value[single]):
        roots[row] = np.array([rate_found])
    if several.size:
        # u from −ln(1 + 10^12) to −ln(10^−12): rates from 10^14 % down to −100 % + 10^−10 %.
        fine = -np.log1p(np.linspace(-0.5, 1.0, grid // 2))
        coarse = np.concatenate([np.linspace(-np.log1p(1e12), fine.min(), grid // 4, endpoint=False),
                                 np.linspace(fine.max(), -np.log(1e-12), grid // 4 + 1)[1:]])
        u = np.unique(np.concatenate([fine, coarse]))
        for row, found in zip(several, _exponential_roots(values[several], years[several], u)):
            rates = np.sort(np.expm1(-found))
            roots[row] = rates
            if rates.size == 1:
                value[row], status[row] = rates[0], "ok"
            elif rates.size > 1:
                status[row] = "multiple_roots"
    if one_series:
        return IrrResult(value=float(value[0]), status=str(status[0]), roots=roots[0])
    return IrrResult(value=value, status=status, roots=roots)


def _scaled_sum(values: np.ndarray, years: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Σ vᵢ·e^(tᵢ·u − max_i tᵢ·u), per row and point of ``u`` (rows, k): XNPV's sign without overflow."""
    exponent = years[:, None, :] * u[..., None]
    exponent = exponent - exponent.max(axis=-1, keepdims=True)
    return (values[:, None, :] * np.exp(exponent)).sum(axis=-1)


def _bisect(values: np.ndarray, years: np.ndarray, row: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The root in each bracket [low, high] of row ``row``'s XNPV, all brackets at once."""
    if not row.size:
        return low
    sign_low = np.sign(_scaled_sum(values[row], years[row], low[:, None])[:, 0])
    for _ in range(200):  # to the last bit of u: the widest bracket is 1,400 wide
        middle = (low + high) / 2
        same = np.sign(_scaled_sum(values[row], years[row], middle[:, None])[:, 0]) == sign_low
        low, high = np.where(same, middle, low), np.where(same, high, middle)
        if np.all(high - low <= 1e-15 * np.maximum(1.0, np.abs(low))):
            break
    return (low + high) / 2


def _exponential_roots(values: np.ndarray, years: np.ndarray, u: np.ndarray, chunk: int = 200) -> list[np.ndarray]:
    """The roots in u of each row's XNPV found by a sign change on the grid ``u``."""
    found: list[np.ndarray] = []
    for start in range(0, values.shape[0], chunk):
        v, t = values[start:start + chunk], years[start:start + chunk]
        rows = v.shape[0]
        sign = np.sign(_scaled_sum(v, t, np.broadcast_to(u, (rows, u.size))))
        row, cell = np.nonzero(sign[:, :-1] * sign[:, 1:] < 0)
        exact_row, exact_cell = np.nonzero(sign == 0)
        points = np.concatenate([_bisect(v, t, row, u[cell], u[cell + 1]), u[exact_cell]])
        owners = np.concatenate([row, exact_row])
        for r in range(rows):
            found.append(np.unique(np.round(points[owners == r], 12)))
    return found

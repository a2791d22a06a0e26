"""Debt schedules: bank loans with grace years and interest during construction, and special bonds.

Conventions (finmodel design §5): annual periods unless ``payments_per_year`` says otherwise; money in the
caller's unit (万元 in scenarios). Interest during construction follows Chinese feasibility-study practice:
a draw earns half a year's interest in the year it is drawn (建设期利息 = (年初借款本息累计 + 本年借款额 ÷ 2)
× 年利率).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .excel import pmt

METHODS = ("equal_installment", "equal_principal", "bullet")
TIMINGS = ("end", "begin")
DRAWDOWN_TIMINGS = ("mid_year", "start")
COLUMNS = ["period", "phase", "opening_balance", "drawdown", "interest", "principal", "payment", "closing_balance"]


def _round(value: float, step: float | None) -> float:
    return value if step is None else round(round(value / step) * step, 10)


def annuity_payment(principal: float, rate: float, periods: int, *, when: str = "end") -> float:
    """The level payment that repays ``principal`` over ``periods`` at ``rate`` a period: Excel's −PMT, with
    payments at period end or, with ``when="begin"``, in advance (an annuity due)."""
    return -float(pmt(rate, periods, principal, 0.0, when))


def loan_schedule(
    principal: float,
    rate: float,
    years: int,
    *,
    grace_years: int = 0,
    method: str = "equal_installment",
    drawdowns: Sequence[float] | None = None,
    construction_interest: str = "capitalise",
    payments_per_year: int = 1,
    round_to: float | None = None,
    when: str = "end",
    drawdown_timing: str = "mid_year",
) -> pd.DataFrame:
    """The loan period by period: see ``loan_rows``, as a table."""
    return pd.DataFrame(loan_rows(principal, rate, years, grace_years=grace_years, method=method,
                                  drawdowns=drawdowns, construction_interest=construction_interest,
                                  payments_per_year=payments_per_year, round_to=round_to, when=when,
                                  drawdown_timing=drawdown_timing))


def loan_rows(
    principal: float,
    rate: float,
    years: int,
    *,
    grace_years: int = 0,
    method: str = "equal_installment",
    drawdowns: Sequence[float] | None = None,
    construction_interest: str = "capitalise",
    payments_per_year: int = 1,
    round_to: float | None = None,
    when: str = "end",
    drawdown_timing: str = "mid_year",
) -> dict[str, np.ndarray]:
    """The loan period by period: opening balance, drawdown, interest, principal, payment, closing balance.

    ``drawdowns`` are the amounts drawn in each construction year (they must add up to ``principal``); without
    them the whole principal is lent at the start. During construction interest is capitalised (added to the
    balance) or paid. ``years`` is the term after construction, ``grace_years`` of it interest only; the rest
    is repaid by ``method`` in ``payments_per_year`` instalments a year. ``round_to=0.01`` rounds interest and
    payment to cents each period as bank schedules do, the last payment taking up the difference.

    ``drawdown_timing="mid_year"`` lets a draw earn half a year's interest in its year (the feasibility-study
    rule above); ``"start"`` draws at the start of the year, so it earns a whole year's. ``when="begin"`` pays
    each repayment instalment at the start of its period (Excel's type 1): the first one is all principal, and
    each later one pays the interest that accrued since the one before.
    """
    _check_terms(method, construction_interest, when, drawdown_timing, years, grace_years, payments_per_year)
    if not (principal >= 0 and rate >= 0):
        raise ValueError("need principal ≥ 0, rate ≥ 0, years ≥ 1, 0 ≤ grace_years < years, payments_per_year ≥ 1")
    if drawdowns is not None:
        draws = [float(d) for d in drawdowns]
        if any(d < 0 for d in draws) or abs(sum(draws) - principal) > 1e-9 * max(1.0, principal):
            raise ValueError(f"drawdowns must be non-negative and add up to the principal {principal}")
    terms = dict(grace_years=grace_years, method=method, construction_interest=construction_interest,
                 payments_per_year=payments_per_year, when=when, drawdown_timing=drawdown_timing)
    if round_to is not None:
        return _rounded_loan_rows(principal, rate, years, drawdowns=drawdowns, round_to=round_to, **terms)
    table = loan_table(np.array([float(principal)]), np.array([float(rate)]), years,
                       drawdowns=None if drawdowns is None else np.array([draws]), **terms)
    return {name: values[0] if values.ndim == 2 else values for name, values in table.items()}


def _check_terms(method: str, construction_interest: str, when: str, drawdown_timing: str, years: int,
                 grace_years: int, payments_per_year: int) -> None:
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if construction_interest not in ("capitalise", "pay"):
        raise ValueError(f"construction_interest must be 'capitalise' or 'pay', got {construction_interest!r}")
    if when not in TIMINGS:
        raise ValueError(f"when must be one of {', '.join(TIMINGS)}, got {when!r}")
    if drawdown_timing not in DRAWDOWN_TIMINGS:
        raise ValueError(f"drawdown_timing must be one of {', '.join(DRAWDOWN_TIMINGS)}, got {drawdown_timing!r}")
    if not (years >= 1 and 0 <= grace_years < years and payments_per_year >= 1):
        raise ValueError("need principal ≥ 0, rate ≥ 0, years ≥ 1, 0 ≤ grace_years < years, payments_per_year ≥ 1")


def loan_table(
    principal: np.ndarray,
    rate: np.ndarray,
    years: int,
    *,
    grace_years: int = 0,
    method: str = "equal_installment",
    drawdowns: np.ndarray | None = None,
    construction_interest: str = "capitalise",
    payments_per_year: int = 1,
    when: str = "end",
    drawdown_timing: str = "mid_year",
) -> dict[str, np.ndarray]:
    """``loan_rows`` (without rounding) for many loans of one shape at once: ``principal`` and ``rate`` (loans,),
    ``drawdowns`` (loans, construction years) in money. ``period`` and ``phase`` come as (periods,), the money
    columns as (loans, periods).

    Every period comes in closed form, none from the one before: the balance after k instalments is the
    principal less the instalments' principal so far, and during construction the balance is the draws grown
    by the capitalised interest since each.
    """
    _check_terms(method, construction_interest, when, drawdown_timing, years, grace_years, payments_per_year)
    principal = np.asarray(principal, dtype=float)
    rate = np.broadcast_to(np.asarray(rate, dtype=float), principal.shape)
    loans = principal.size
    draws = np.zeros((loans, 0)) if drawdowns is None else np.asarray(drawdowns, dtype=float).reshape(loans, -1) if (
        loans) else np.zeros((0, np.shape(drawdowns)[-1]))
    if draws.shape[1] == 0:  # nothing drawn during construction: lent at the start, or (no draws given) nothing
        opening_build = np.zeros((loans, 0))
        interest_build = np.zeros((loans, 0))
        balance = principal.copy() if drawdowns is None else np.zeros(loans)
    else:
        earning = 1.0 if drawdown_timing == "start" else 0.5
        built = draws.shape[1]
        r = rate[:, None]
        if construction_interest == "pay":
            closing = np.cumsum(draws, axis=1)
        else:
            # closing_k = closing_(k−1)·(1 + r) + draw_k·(1 + e·r): each draw grown by (1 + r) for every later year
            k = np.arange(built)
            later = k[:, None] - k[None, :]  # years from draw j to year k
            growth = np.where(later >= 0, (1 + r[:, :, None]) ** np.maximum(later, 0)[None], 0.0)
            closing = np.einsum("pkj,pj->pk", growth, draws * (1 + earning * r))
        opening_build = np.hstack([np.zeros((loans, 1)), closing[:, :-1]])
        interest_build = (opening_build + draws * earning) * r
        balance = closing[:, -1]
    paid_build = interest_build if construction_interest == "pay" else np.zeros_like(interest_build)
    r = (rate / payments_per_year)[:, None]
    grace = grace_years * payments_per_year
    n = (years - grace_years) * payments_per_year
    b0 = balance[:, None]
    begin = when == "begin"
    if method == "equal_installment":
        level = -np.asarray(pmt(r[:, 0], n, balance, 0.0, when), dtype=float).reshape(loans, 1)
        # The k-th instalment's principal in closed form, A·(1 + r)^−(n − k + 1) (A itself for the first payment
        # in advance). Taken as A − interest it is the difference of two nearly equal numbers when (1 + r)^n is
        # huge, and the error then grows by 1 + r a period: at 14.79 % over 300 periods no principal was repaid
        # until the last payment.
        repaid = level * np.exp(-np.arange(n, 0, -1)[None, :] * np.log1p(r))
        if begin:
            repaid[:, 0] = level[:, 0]
    elif method == "equal_principal":
        repaid = np.repeat(b0 / n, n, axis=1)
    else:
        repaid = np.zeros((loans, n))
    opening = b0 - np.hstack([np.zeros((loans, 1)), np.cumsum(repaid[:, :-1], axis=1)])
    repaid[:, -1] = opening[:, -1]  # the last instalment clears what is left
    interest = opening * r
    if begin:
        interest[:, 0] = 0.0
    grace_interest = np.repeat(b0 * r, grace, axis=1)
    built = draws.shape[1]
    zeros = np.zeros((loans, grace + n))
    closing_build = np.hstack([opening_build[:, 1:], b0]) if built else opening_build
    closing = np.hstack([closing_build, np.repeat(b0, grace, axis=1), opening - repaid])
    closing = np.where(np.abs(closing) > 1e-9, closing, 0.0)
    return {
        "period": np.arange(1, built + grace + n + 1),
        "phase": np.array(["construction"] * built + ["grace"] * grace + ["repayment"] * n),
        "opening_balance": np.hstack([opening_build, np.repeat(b0, grace, axis=1), opening]),
        "drawdown": np.hstack([draws, zeros]),
        "interest": np.hstack([interest_build, grace_interest, interest]),
        "principal": np.hstack([np.zeros((loans, built + grace)), repaid]),
        "payment": np.hstack([paid_build, grace_interest, interest + repaid]),
        "closing_balance": closing,
    }


def _rounded_loan_rows(principal: float, rate: float, years: int, *, grace_years: int, method: str,
                       drawdowns: Sequence[float] | None, construction_interest: str, payments_per_year: int,
                       round_to: float, when: str, drawdown_timing: str) -> dict[str, np.ndarray]:
    """``loan_rows`` rounded to ``round_to`` each period, as a bank's schedule is: each period's interest is
    rounded from the balance the rounded periods before it left, so the schedule runs period by period."""
    rows = []
    balance = 0.0
    if drawdowns is None:
        balance = float(principal)
    else:
        earning = 1.0 if drawdown_timing == "start" else 0.5
        for k, draw in enumerate((float(d) for d in drawdowns), start=1):
            interest = _round((balance + draw * earning) * rate, round_to)
            paid = interest if construction_interest == "pay" else 0.0
            closing = balance + draw + interest - paid
            rows.append([k, "construction", balance, draw, interest, 0.0, paid, closing])
            balance = closing
    start = len(rows)
    r = rate / payments_per_year
    grace = grace_years * payments_per_year
    n = (years - grace_years) * payments_per_year
    for k in range(grace):
        interest = _round(balance * r, round_to)
        rows.append([start + k + 1, "grace", balance, 0.0, interest, 0.0, interest, balance])
    start += grace
    begin = when == "begin"
    level = _round(annuity_payment(balance, r, n, when=when), round_to)
    fixed_principal = balance / n
    for k in range(n):
        interest = 0.0 if begin and k == 0 else _round(balance * r, round_to)
        last = k == n - 1
        if last or method == "bullet":
            repaid = balance if last else 0.0
        elif method == "equal_principal":
            repaid = _round(fixed_principal, round_to)
        else:
            repaid = level - interest
        payment = interest + repaid
        rows.append([start + k + 1, "repayment", balance, 0.0, interest, repaid, payment, balance - repaid])
        balance -= repaid
    columns = dict(zip(COLUMNS, (np.array(values) for values in zip(*rows))))
    closing = columns["closing_balance"].astype(float)
    columns["closing_balance"] = np.where(np.abs(closing) > 1e-9, closing, 0.0)
    return columns


def bond_schedule(principal: float, coupon: float, years: int, *, amortisation: Sequence[float] | None = None
                  ) -> pd.DataFrame:
    """A special bond's schedule: see ``bond_rows``, as a table."""
    return pd.DataFrame(bond_rows(principal, coupon, years, amortisation=amortisation))


def bond_rows(principal: float, coupon: float, years: int, *, amortisation: Sequence[float] | None = None
              ) -> dict[str, np.ndarray]:
    """A special bond (专项债): coupon paid yearly on the outstanding amount; principal at maturity ("N+0+0")
    or by ``amortisation``, the share of the principal repaid in each year (adding up to 1)."""
    table = bond_table(np.array([float(principal)]), np.array([float(coupon)]), years, amortisation=amortisation)
    return {name: values[0] if values.ndim == 2 else values for name, values in table.items()}


def bond_table(principal: np.ndarray, coupon: np.ndarray, years: int, *,
               amortisation: Sequence[float] | None = None) -> dict[str, np.ndarray]:
    """``bond_rows`` for many bonds of one shape at once: ``principal`` and ``coupon`` (bonds,); ``period`` and
    ``phase`` come as (years,), the money columns as (bonds, years)."""
    if amortisation is None:
        shares = np.zeros(years)
        shares[-1] = 1.0
    else:
        shares = np.asarray(amortisation, dtype=float)
        if shares.size != years or (shares < 0).any() or abs(shares.sum() - 1) > 1e-9:
            raise ValueError(f"amortisation needs {years} non-negative shares adding up to 1")
    principal = np.asarray(principal, dtype=float)[:, None]
    repaid = principal * shares
    opening = principal - np.hstack([np.zeros((principal.shape[0], 1)), np.cumsum(repaid, axis=1)[:, :-1]])
    interest = opening * np.asarray(coupon, dtype=float).reshape(-1, 1)
    return {
        "period": np.arange(1, years + 1), "phase": np.full(years, "repayment"), "opening_balance": opening,
        "drawdown": np.zeros_like(opening), "interest": interest, "principal": repaid, "payment": interest + repaid,
        "closing_balance": np.where(np.abs(opening - repaid) > 1e-9, opening - repaid, 0.0),
    }

"""Excel's finance functions: Microsoft's documented examples, then a second method on random inputs
(numpy-financial where it is right, pyxirr for dated flows, exact rational arithmetic where neither is)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import numpy_financial as npf
import pytest
import pyxirr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from finmodel.cashflow import excel as xl
from finmodel.cashflow import irr, loan_schedule

# Each function's example on Microsoft's help page, with the result as printed there.
DOCUMENTED = [
    # Microsoft Support, "PMT function", https://support.microsoft.com/en-US/excel/functions/pmt-function
    ("pmt", (0.08 / 12, 10, 10_000), {}, -1037.03),
    ("pmt", (0.08 / 12, 10, 10_000, 0, 1), {}, -1030.16),
    ("pmt", (0.06 / 12, 18 * 12, 0, 50_000), {}, -129.08),
    # Microsoft Support, "PV function", example: $500 a month for 20 years at 8 %
    ("pv", (0.08 / 12, 12 * 20, 500, 0, 0), {}, -59777.15),
    # Microsoft Support, "FV function", https://support.microsoft.com/zh-tw/excel/functions/fv-function
    ("fv", (0.06 / 12, 10, -200, -500, 1), {}, 2581.40),
    ("fv", (0.12 / 12, 12, -1000), {}, 12682.50),
    ("fv", (0.11 / 12, 35, -2000, 0, 1), {}, 82846.25),
    ("fv", (0.06 / 12, 12, -100, -1000, 1), {}, 2301.40),
    # Microsoft Support, "NPER function", https://support.microsoft.com/en-us/excel/nper-function
    ("nper", (0.12 / 12, -100, -1000, 10_000, 1), {}, 59.6738657),
    ("nper", (0.12 / 12, -100, -1000, 10_000), {}, 60.0821229),
    ("nper", (0.12 / 12, -100, -1000), {}, -9.57859404),
    # Microsoft Support, "RATE function", https://support.microsoft.com/en-us/Excel/rate-function: 1 % a month
    # printed to whole percents, 9.24 % a year; 0.0077014724882 is the root to 12 digits.
    ("rate", (4 * 12, -200, 8000), {}, 0.0077014724882),
    # Microsoft Support, "IPMT function", https://support.microsoft.com/en-us/excel/ipmt-function
    ("ipmt", (0.10 / 12, 1, 3 * 12, 8000), {}, -66.67),
    ("ipmt", (0.10, 3, 3, 8000), {}, -292.45),
    # Microsoft Support, "PPMT function", https://support.microsoft.com/en-us/Excel/functions/ppmt-function
    ("ppmt", (0.10 / 12, 1, 2 * 12, 2000), {}, -75.62),
    ("ppmt", (0.08, 10, 10, 200_000), {}, -27598.05),
    # Microsoft Support, "CUMIPMT function", https://support.microsoft.com/en-us/Excel/cumipmt-function
    ("cumipmt", (0.09 / 12, 30 * 12, 125_000, 13, 24, 0), {}, -11135.23213),
    ("cumipmt", (0.09 / 12, 30 * 12, 125_000, 1, 1, 0), {}, -937.5),
    # Microsoft Support, "CUMPRINC function", https://support.microsoft.com/en-US/Excel/functions/cumprinc-function
    ("cumprinc", (0.09 / 12, 30 * 12, 125_000, 13, 24, 0), {}, -934.1071234),
    ("cumprinc", (0.09 / 12, 30 * 12, 125_000, 1, 1, 0), {}, -68.27827118),
]
MIRR_FLOWS = [-120_000, 39_000, 30_000, 21_000, 37_000, 46_000]
# Microsoft Support, "XIRR function", https://support.microsoft.com/zh-TW/Excel/xirr-function (the XNPV example's flows too)
XIRR_FLOWS = [-10_000, 2_750, 4_250, 3_250, 2_750]
XIRR_DATES = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
finite_rates = st.floats(-0.2, 0.3).filter(lambda r: abs(r) > 1e-4)


@pytest.mark.parametrize("name, args, kwargs, expected", DOCUMENTED)
def test_documented_examples(name, args, kwargs, expected):
    decimals = len(repr(expected).split(".")[1]) if "." in repr(expected) else 0
    assert getattr(xl, name)(*args, **kwargs) == pytest.approx(expected, abs=0.6 * 10 ** -decimals)


def test_mirr_documented_examples():
    # Microsoft Support, "MIRR function", https://support.microsoft.com/en-US/excel/functions/mirr-function:
    # five years 12.61 %, three years −4.80 %, five years reinvested at 14 % 13.48 %.
    assert xl.mirr(MIRR_FLOWS, 0.10, 0.12) == pytest.approx(0.1261, abs=5e-5)
    assert xl.mirr(MIRR_FLOWS[:4], 0.10, 0.12) == pytest.approx(-0.0480, abs=5e-5)
    assert xl.mirr(MIRR_FLOWS, 0.10, 0.14) == pytest.approx(0.1348, abs=5e-5)
    np.testing.assert_allclose(xl.mirr([MIRR_FLOWS, MIRR_FLOWS], [0.10, 0.10], [0.12, 0.14]), [0.126094130366,
                                                                                               0.134759110828])
    assert np.isnan(xl.mirr([100, 200], 0.1, 0.1))  # Excel: #DIV/0! without an outflow


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5), min_size=2, max_size=15), st.floats(-0.5, 0.5), st.floats(-0.5, 0.5))
def test_mirr_equals_numpy_financial_on_random_flows(flows, finance, reinvest):
    expected = npf.mirr(flows, finance, reinvest)
    if np.isnan(expected):
        assert np.isnan(xl.mirr(flows, finance, reinvest))
    else:
        assert xl.mirr(flows, finance, reinvest) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(rate=finite_rates, nper=st.integers(1, 40), start=st.integers(1, 40), span=st.integers(0, 40),
       when=st.sampled_from([0, 1]))
def test_cumulative_functions_equal_numpy_financial_sums(rate, nper, start, span, when):
    start = min(start, nper)
    end = min(start + span, nper)
    periods = np.arange(start, end + 1)
    assert xl.cumipmt(rate, nper, 1000.0, start, end, when) == pytest.approx(
        npf.ipmt(rate, periods, nper, 1000.0, 0, when).sum(), rel=1e-8, abs=1e-8)
    assert xl.cumprinc(rate, nper, 1000.0, start, end, when) == pytest.approx(
        npf.ppmt(rate, periods, nper, 1000.0, 0, when).sum(), rel=1e-8, abs=1e-8)


def test_xnpv_and_xirr_documented_examples():
    # XNPV at 9 %: 2,086.65 (Microsoft Learn, "WorksheetFunction.Xnpv Method",
    # https://learn.microsoft.com/en-us/previous-versions/office/developer/office-2007/bb224772(v=office.12));
    # XIRR: 0.373362535.
    assert xl.xnpv(0.09, XIRR_FLOWS, XIRR_DATES) == pytest.approx(2086.65, abs=0.005)
    result = xl.xirr(XIRR_FLOWS, XIRR_DATES)
    assert result.status == "ok" and result.value == pytest.approx(0.373362535, abs=1e-8)


def test_dates_in_any_order_give_the_same_values():
    order = [3, 0, 4, 2, 1]
    flows, dates = [XIRR_FLOWS[k] for k in order], [XIRR_DATES[k] for k in order]
    assert xl.xnpv(0.09, flows, dates) == pytest.approx(xl.xnpv(0.09, XIRR_FLOWS, XIRR_DATES), rel=1e-14)
    assert xl.xirr(flows, dates).value == pytest.approx(xl.xirr(XIRR_FLOWS, XIRR_DATES).value, rel=1e-12)
    as_dates = [date.fromisoformat(d) for d in dates]
    assert xl.xnpv(0.09, flows, as_dates) == pytest.approx(xl.xnpv(0.09, flows, dates), rel=1e-15)


def test_numpy_financial_is_wrong_where_excel_functions_are_not():
    # nper at a zero rate: −(pv + fv) ÷ pmt = 10 periods; numpy-financial 1.0.0 says −10.
    assert npf.nper(0, -100, 1000) == pytest.approx(-10)
    assert xl.nper(0, -100, 1000) == 10
    # ipmt at 14.79 % over 300 periods, period 297 of a loan of 270.51: 16.97 of interest (exact below).
    assert abs(npf.ipmt(0.1479, 297, 300, 270.51) + 16.97) > 100
    assert xl.ipmt(0.1479, 297, 300, 270.51) == pytest.approx(-16.97, abs=0.005)
    # rate: 100 repaid by 12 payments at 25 % a period; numpy-financial's Newton steps from 10 % end at −184 %.
    payment = xl.pmt(0.25, 12, 100)
    assert npf.rate(12, payment, 100, 0) == pytest.approx(-1.8421, abs=1e-4)
    assert xl.rate(12, payment, 100) == pytest.approx(0.25, abs=1e-12)


def _exact_interest(rate, per, periods, principal, begin):
    """IPMT in exact rational arithmetic: the balance rolled forward payment by payment."""
    r, balance = Fraction(rate), Fraction(principal)
    level = balance * r / (1 - (1 + r) ** -periods) / ((1 + r) if begin else 1)
    interest = Fraction(0)
    for k in range(1, per + 1):
        interest = Fraction(0) if begin and k == 1 else balance * r
        balance -= level - interest
    return -float(interest), -float(level)


@pytest.mark.parametrize("begin", [False, True])
@pytest.mark.parametrize("per", [1, 2, 150, 290, 297, 299, 300])
def test_ipmt_and_ppmt_against_exact_arithmetic_at_a_huge_growth_factor(per, begin):
    interest, level = _exact_interest(0.1479, per, 300, 1000.0, begin)
    when = "begin" if begin else "end"
    assert xl.ipmt(0.1479, per, 300, 1000.0, when=when) == pytest.approx(interest, rel=1e-9, abs=1e-12)
    assert xl.ppmt(0.1479, per, 300, 1000.0, when=when) == pytest.approx(level - interest, rel=1e-9, abs=1e-9)


def test_tiny_rates_keep_their_digits():
    r, n = Fraction(1, 10 ** 9), 12
    exact_pmt = -1000 * (1 + r) ** n * r / ((1 + r) ** n - 1)
    exact_fv = -(1000 * (1 + r) ** n - 100 * ((1 + r) ** n - 1) / r)
    assert xl.pmt(1e-9, 12, 1000) == pytest.approx(float(exact_pmt), rel=1e-13)
    assert xl.fv(1e-9, 12, -100, 1000) == pytest.approx(float(exact_fv), rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(rate=finite_rates, nper=st.integers(1, 60), amount=st.floats(100, 1e6), extra=st.floats(-1e5, 1e5),
       when=st.sampled_from(["end", "begin"]))
def test_annuity_functions_equal_numpy_financial_on_random_inputs(rate, nper, amount, extra, when):
    payment = xl.pmt(rate, nper, amount, extra, when)
    assert payment == pytest.approx(npf.pmt(rate, nper, amount, extra, when), rel=1e-9, abs=1e-9)
    # Round trips lose what the largest term they subtract loses: at −20 % over 54 periods fv is divided by 10^-5.
    scale = abs(extra) * (1 + rate) ** -nper + abs(payment) * nper * max(1.0, (1 + rate) ** -nper) + amount
    assert xl.pv(rate, nper, payment, extra, when) == pytest.approx(amount, abs=1e-11 * scale)
    grown = scale * (1 + rate) ** nper
    assert xl.fv(rate, nper, payment, amount, when) == pytest.approx(extra, abs=1e-11 * max(grown, scale))
    assert xl.fv(rate, nper, -1000.0, amount, when) == pytest.approx(npf.fv(rate, nper, -1000.0, amount, when),
                                                                    rel=1e-9, abs=1e-9)
    assert xl.pv(rate, nper, -1000.0, extra, when) == pytest.approx(npf.pv(rate, nper, -1000.0, extra, when),
                                                                   rel=1e-9, abs=1e-9)
    periods = xl.nper(rate, payment, amount, extra, when)
    assert periods == pytest.approx(nper, rel=1e-6) or np.isnan(periods)
    per = max(1, nper // 2)
    assert xl.ipmt(rate, per, nper, amount, extra, when) == pytest.approx(
        npf.ipmt(rate, per, nper, amount, extra, when), rel=1e-7, abs=1e-6)
    assert xl.ppmt(rate, per, nper, amount, extra, when) == pytest.approx(
        npf.ppmt(rate, per, nper, amount, extra, when), rel=1e-7, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(-0.05, 0.25).filter(lambda r: abs(r) > 1e-3), nper=st.integers(2, 40),
       amount=st.floats(100, 1e5), when=st.sampled_from(["end", "begin"]))
def test_rate_recovers_the_rate_and_agrees_with_numpy_financial(rate, nper, amount, when):
    payment = xl.pmt(rate, nper, amount, 0, when)
    assert xl.rate(nper, payment, amount, 0, when) == pytest.approx(rate, abs=1e-9)
    # numpy-financial's Newton steps can stop where no rate solves the equation: at or below −100 % (see below),
    # or at 0 for (2, pmt(−1 %), 100, begin). Where its answer is a root it must be the one root, to its own
    # tolerance of 1e-6.
    theirs = npf.rate(nper, payment, amount, 0, when)
    if theirs > -0.99 and abs(xl.fv(theirs, nper, payment, amount, when)) <= 1e-6 * amount:
        assert xl.rate(nper, payment, amount, 0, when) == pytest.approx(theirs, abs=1e-6)


def test_rate_with_several_answers_reports_them_instead_of_picking_one():
    # −100 now, +230 in a year, −132 in two: fv, pmt and pv of an IRR with roots 10 % and 20 %.
    flows = xl.rate_roots(2, 230, -100, -362)  # pmt at the end of both periods: −100, 230, 230 − 362
    assert flows.status == "multiple_roots"
    np.testing.assert_allclose(flows.roots, [0.10, 0.20], atol=1e-10)
    assert np.isnan(xl.rate(2, 230, -100, -362))
    np.testing.assert_allclose(xl.rate([10, 12], [0, -100], [-100, 1300], [90, 0]),
                               [-0.0104807417937856, -0.0121044787627337], atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(rate=st.floats(0.001, 0.2), nper=st.integers(2, 400), start=st.integers(1, 400), span=st.integers(0, 400),
       when=st.sampled_from([0, 1]))
def test_cumulative_interest_and_principal_sum_the_periods(rate, nper, start, span, when):
    start = min(start, nper)
    end = min(start + span, nper)
    periods = np.arange(start, end + 1)
    interest = xl.ipmt(rate, periods, nper, 125_000.0, 0, when)
    principal = xl.ppmt(rate, periods, nper, 125_000.0, 0, when)
    assert xl.cumipmt(rate, nper, 125_000.0, start, end, when) == pytest.approx(interest.sum(), rel=1e-9,
                                                                              abs=1e-9)
    assert xl.cumprinc(rate, nper, 125_000.0, start, end, when) == pytest.approx(principal.sum(), rel=1e-9,
                                                                               abs=1e-7)
    assert xl.cumprinc(rate, nper, 125_000.0, 1, nper, when) == pytest.approx(-125_000.0, rel=1e-12)


def test_ipmt_matches_the_loan_schedule_in_both_timings():
    for when in ("end", "begin"):
        table = loan_schedule(1_000, 0.07, 10, when=when)
        np.testing.assert_allclose(-xl.ipmt(0.07, np.arange(1, 11), 10, 1_000, when=when), table["interest"],
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(-xl.ppmt(0.07, np.arange(1, 11), 10, 1_000, when=when), table["principal"],
                                   rtol=1e-12)


def _dated(draw_days, flows):
    start = date(2020, 1, 1)
    return [start + timedelta(days=int(d)) for d in draw_days], flows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(30, 3_000), min_size=2, max_size=12, unique=True),
       st.floats(100, 1e5), st.lists(st.floats(1, 1e4), min_size=12, max_size=12))
def test_xirr_and_xnpv_equal_pyxirr_where_the_root_is_unique(days, outlay, incomes):
    days = sorted(days)
    dates = [date(2020, 1, 1)] + [date(2020, 1, 1) + timedelta(days=d) for d in days]
    flows = [-outlay] + incomes[:len(days)]
    result = xl.xirr(flows, dates)
    expected = pyxirr.xirr(dates, flows)
    assume(expected is not None and expected > -1 + 1e-12)  # beyond the range searched (see xirr)
    assert result.status == "ok"
    assert result.value == pytest.approx(expected, rel=1e-7, abs=1e-9)
    assert xl.xnpv(0.05, flows, dates) == pytest.approx(pyxirr.xnpv(0.05, dates, flows), rel=1e-10)


def test_xirr_on_whole_years_equals_irr_and_finds_every_root():
    dates = ["2019-01-01", "2020-01-01", "2020-12-31"]  # 365 days apart
    result = xl.xirr([-100, 230, -132], dates)
    assert result.status == "multiple_roots"
    np.testing.assert_allclose(result.roots, irr([-100, 230, -132]).roots, atol=1e-10)
    rng = np.random.default_rng(11)
    flows = np.hstack([-rng.uniform(50, 150, (50, 1)), rng.uniform(-20, 40, (50, 8))])
    yearly = np.datetime64("2001-01-01") + np.arange(9) * 365
    together = xl.xirr(flows, yearly)
    reference = irr(flows)
    for k in range(50):
        assert together.status[k] == reference.status[k]
        np.testing.assert_allclose(together.roots[k], reference.roots[k], atol=1e-9)
    no_root = xl.xirr([-100, 50, -100], dates)
    assert no_root.status == "not_converged" and np.isnan(no_root.value)
    assert xl.xirr([100, 50], dates[:2]).status == "no_sign_change"


def test_bad_timing_is_refused():
    with pytest.raises(ValueError, match="when must be"):
        xl.pmt(0.1, 10, 100, when="start")
    with pytest.raises(ValueError, match="1 ≤ start ≤ end ≤ nper"):
        xl.cumipmt(0.1, 10, 100, 5, 4)
    with pytest.raises(ValueError, match="whole number"):
        xl.rate(10.5, -10, 100)

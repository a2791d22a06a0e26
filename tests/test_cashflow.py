"""Debt schedules and project metrics against published worked examples and by hand."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.cashflow import (
    annuity_payment, bond_schedule, coverage_ratio, dscr, excel_npv, funding_gap, irr, loan_schedule, npv, payback,
    peak_funding_need,
)


def test_excel_npv_documented_example():
    # Microsoft Support, "NPV function", example 1: rate 10 %, investment −10,000 a year from today, then
    # 3,000, 4,200 and 6,800 → 1,188.44.
    assert excel_npv(0.10, [-10_000, 3_000, 4_200, 6_800]) == pytest.approx(1188.44, abs=0.005)
    # The numpy convention counts the first flow at t = 0: one period less of discounting.
    assert npv(0.10, [-10_000, 3_000, 4_200, 6_800]) == pytest.approx(1188.44 * 1.1, abs=0.01)


def test_excel_irr_documented_examples():
    # Microsoft Support, "IRR function": −70,000 then 12,000, 15,000, 18,000, 21,000 → −2.1 %;
    # with 26,000 in a fifth year → 8.7 % (8.66 % to two decimals).
    four = irr([-70_000, 12_000, 15_000, 18_000, 21_000])
    five = irr([-70_000, 12_000, 15_000, 18_000, 21_000, 26_000])
    assert four.status == "ok" and four.value == pytest.approx(-0.0212, abs=5e-5)
    assert five.status == "ok" and five.value == pytest.approx(0.0866, abs=5e-5)


def test_multiple_roots_are_reported_not_picked():
    # −100 + 230x − 132x² = −(11x − 10)(12x − 10)·… : NPV is 0 at 10 % and at 20 %.
    result = irr([-100, 230, -132])
    assert result.status == "multiple_roots"
    np.testing.assert_allclose(result.roots, [0.10, 0.20], atol=1e-10)
    assert np.isnan(result.value)


def test_several_sign_changes_but_one_root_is_ok():
    # Three sign changes allow three roots, but −100 + 100x − 100x² + 100x³ = 100(x − 1)(x² + 1) has one
    # positive root, x = 1: the IRR is 0 and it is reported as the one answer, as Excel does.
    result = irr([-100, 100, -100, 100])
    assert result.status == "ok"
    assert result.value == pytest.approx(0.0, abs=1e-12)


def test_sign_changes_without_a_root_are_not_an_answer():
    # −1 + 3x − 2.5x² has no real root: no rate gives NPV = 0, and no number is returned.
    result = irr([-1, 3, -2.5])
    assert result.status == "not_converged" and np.isnan(result.value) and result.roots.size == 0


def test_no_sign_change():
    result = irr([[100, 200, 300], [-5, 0, -1]])
    assert list(result.status) == ["no_sign_change", "no_sign_change"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=2, max_size=12))
def test_npv_at_the_irr_is_zero(flows):
    result = irr(flows)
    for rate in result.roots:
        assert abs(npv(rate, flows)) <= 1e-6 * max(1.0, np.abs(flows).sum()) * max(1.0, (1 + rate) ** -len(flows))


def test_vectorised_equals_one_by_one():
    rng = np.random.default_rng(7)
    flows = np.hstack([-rng.uniform(50, 150, (300, 1)), rng.uniform(-20, 40, (300, 15))])
    together = irr(flows)
    for p in range(0, 300, 17):
        alone = irr(flows[p])
        assert alone.status == together.status[p]
        np.testing.assert_allclose(alone.roots, together.roots[p], atol=1e-12)
    ok = together.status == "ok"
    np.testing.assert_allclose(together.value[ok], [npf.irr(f) for f in flows[ok]], atol=1e-8)
    np.testing.assert_allclose(npv(0.05, flows), [npf.npv(0.05, f) for f in flows], rtol=1e-12)


def test_construction_interest_textbook_example():
    """建设期利息 (cost-engineer textbook example): two construction years, 300 then 600 drawn, 6 % a year:
    year 1: 300 ÷ 2 × 6 % = 9; year 2: (300 + 9 + 600 ÷ 2) × 6 % = 36.54; together 45.54."""
    table = loan_schedule(900, 0.06, 5, drawdowns=[300, 600])
    construction = table[table["phase"] == "construction"]
    np.testing.assert_allclose(construction["interest"], [9.0, 36.54], atol=1e-9)
    assert construction["closing_balance"].iloc[-1] == pytest.approx(945.54)
    repay = table[table["phase"] == "repayment"]
    assert repay["principal"].sum() == pytest.approx(945.54)
    paid = loan_schedule(900, 0.06, 5, drawdowns=[300, 600], construction_interest="pay")
    np.testing.assert_allclose(paid["interest"].iloc[:2], [9.0, 0.06 * (300 + 300)], atol=1e-9)
    assert paid["closing_balance"].iloc[1] == pytest.approx(900)


def test_equal_installment_matches_the_annuity_formula():
    # 100,000 over 30 years, monthly at 6 % a year: payment = P·r / (1 − (1 + r)^−n) with r = 0.5 %, n = 360
    # = 599.55 (the standard mortgage example).
    table = loan_schedule(100_000, 0.06, 30, payments_per_year=12, round_to=0.01)
    assert len(table) == 360
    assert table["payment"].iloc[0] == pytest.approx(599.55, abs=1e-9)
    assert table["interest"].iloc[0] == pytest.approx(500.00, abs=1e-9)
    assert table["closing_balance"].iloc[-1] == 0
    assert table["principal"].sum() == pytest.approx(100_000, abs=1e-6)
    assert all(round(v, 2) == v for v in table["interest"])
    assert npf.pmt(0.005, 360, 100_000) == pytest.approx(-599.55, abs=0.005)


def test_equal_principal_by_hand():
    # 1,000 over 4 years at 5 %: principal 250 a year; interest 50, 37.5, 25, 12.5.
    table = loan_schedule(1_000, 0.05, 4, method="equal_principal")
    np.testing.assert_allclose(table["principal"], [250] * 4)
    np.testing.assert_allclose(table["interest"], [50, 37.5, 25, 12.5])
    np.testing.assert_allclose(table["payment"], [300, 287.5, 275, 262.5])


def test_grace_years_pay_interest_only_then_bullet():
    table = loan_schedule(8_000, 0.04, 5, grace_years=2, method="bullet")
    assert list(table["phase"]) == ["grace", "grace", "repayment", "repayment", "repayment"]
    np.testing.assert_allclose(table["interest"], [320] * 5)
    np.testing.assert_allclose(table["principal"], [0, 0, 0, 0, 8_000])


def test_special_bond_at_the_zoucheng_coupon():
    # 20,000 万元 of 30-year bonds at 2.67 % (Zoucheng 2024 card): 534 万元 of coupon a year, principal at the end.
    table = bond_schedule(20_000, 0.0267, 30)
    np.testing.assert_allclose(table["interest"], [534.0] * 30)
    assert table["principal"].iloc[-1] == 20_000 and table["principal"].iloc[:-1].sum() == 0
    assert table["payment"].sum() == pytest.approx(20_000 + 30 * 534)


@settings(max_examples=150, deadline=None)
@given(
    st.floats(1, 1e6), st.floats(0, 0.2), st.integers(1, 30), st.sampled_from(["equal_installment",
                                                                               "equal_principal", "bullet"]),
    st.booleans(), st.sampled_from([1, 4, 12]),
)
def test_schedules_close_at_zero(principal, rate, years, method, rounded, per_year):
    table = loan_schedule(principal, rate, years, method=method, payments_per_year=per_year,
                          round_to=0.01 if rounded else None)
    assert table["closing_balance"].iloc[-1] == 0
    assert table["principal"].sum() == pytest.approx(principal, rel=1e-9, abs=1e-6)
    np.testing.assert_allclose(table["closing_balance"].iloc[:-1].to_numpy(),
                               table["opening_balance"].iloc[1:].to_numpy(), atol=1e-9)


def test_dscr_by_hand():
    # EBITDA 120, 150, 90; tax 10 each; debt service 100, 0, 80 → 1.1, (no service), 1.0; minimum 1.0.
    ratio, lowest = dscr([120, 150, 90], [100, 0, 80], tax=[10, 10, 10])
    np.testing.assert_allclose(ratio, [1.1, np.nan, 1.0])
    assert lowest == pytest.approx(1.0)
    ratios, lows = dscr([[120, 150], [50, 50]], [[100, 100], [0, 0]])
    np.testing.assert_allclose(lows, [1.2, np.nan])


def test_coverage_gross_and_net_on_the_zoucheng_card():
    """Zoucheng 2024 card (https://wap.qianlima.com/zb/detail/20240509_419070526.html): income 74,968, operating
    cost 19,359 (万元), 20,000 of 30-year bonds. At the 2.67 % coupon: gross 74,968 ÷ (20,000 × 1.801) = 2.0813; net 55,609 ÷ 36,020 = 1.5438."""
    assert coverage_ratio(74_968, 20_000, 0.0267, 30) == pytest.approx(74_968 / 36_020, rel=1e-12)
    assert coverage_ratio(74_968, 20_000, 0.0267, 30, operating_cost=19_359) == pytest.approx(
        55_609 / 36_020, rel=1e-12)
    assert coverage_ratio(np.array([40_000, 34_968]), 20_000, 0.0267, 30) == pytest.approx(2.0813, abs=5e-5)


def test_static_and_discounted_payback_by_hand():
    from finmodel.cashflow import payback

    # Cumulative −1,000, −700, −300, 200: paid back in year 3, so 3 − 1 + 300 ÷ 500 = 2.6.
    assert payback([-1_000, 300, 400, 500]) == pytest.approx(2.6)
    # At 10 %: discounted flows −1,000, 272.73, 330.58, 375.66 never reach 0 → NaN; with a fifth year of 500
    # (discounted 341.51) the cumulative −21.03 turns positive: 4 − 1 + 21.03 ÷ 341.51 = 3.0616.
    assert np.isnan(payback([-1_000, 300, 400, 500], rate=0.10))
    d = np.array([-1_000, 300, 400, 500, 500]) / 1.1 ** np.arange(5)
    assert payback([-1_000, 300, 400, 500, 500], rate=0.10) == pytest.approx(3 + -d[:4].sum() / d[4])
    np.testing.assert_allclose(payback([[-10, 5, 5, 5], [-10, 1, 1, 1]]), [2.0, np.nan])


def test_peak_need_funding_gap_and_break_even():
    from finmodel.cashflow import break_even, funding_gap, peak_funding_need

    assert peak_funding_need([-500, -300, 200, 900]) == 800
    assert funding_gap(0.05, [-1_000, 500, 400]) == pytest.approx(1_000 - 500 / 1.05 - 400 / 1.05 ** 2)
    assert funding_gap(0.05, [-100, 500]) == 0
    # The annual income that makes NPV 0 at 5 % over 3 years for 1,000 invested: 1,000 ÷ annuity factor.
    income = break_even(lambda a: npv(0.05, [-1_000, a, a, a]), 0, 1_000, what="income")
    assert income == pytest.approx(1_000 * 0.05 / (1 - 1.05 ** -3), rel=1e-10)
    with pytest.raises(ValueError, match="no break-even fee between 0 and 10"):
        break_even(lambda fee: npv(0.05, [-1_000, fee, fee]), 0, 10, what="fee")


def test_llcr_by_hand():
    from finmodel.cashflow import llcr

    # Cash 120 a year for 3 years, debt service 100 a year, 10 %: at t = 0 both are annuities of the same
    # length, so LLCR = 1.2 in every year while debt remains; NaN after.
    np.testing.assert_allclose(llcr([120, 120, 120, 50], [100, 100, 100, 0], 0.10), [1.2, 1.2, 1.2, np.nan])
    # Unequal: cash 100, 300; service 150, 150 at 0 %: year 0 → 400 / 300; year 1 → 300 / 150.
    np.testing.assert_allclose(llcr([100, 300], [150, 150], 0.0), [400 / 300, 2.0])


def test_excel_pmt_documented_example():
    from finmodel.cashflow import annuity_payment

    # Microsoft Support, "PMT function", example 1: 8 % a year, 10 monthly payments, 10,000 borrowed → 1,037.03.
    assert annuity_payment(10_000, 0.08 / 12, 10) == pytest.approx(1037.03, abs=0.005)
    assert annuity_payment(1_200, 0.0, 12) == 100


def test_excel_npv_documented_example_with_an_initial_investment():
    # Microsoft Support, "NPV function", example 2: 8 %, initial cost 40,000 paid today (added, not discounted),
    # returns 8,000, 9,200, 10,000, 12,000, 14,500 → 1,922.06; with a loss of 9,000 in year 6 → −3,749.47.
    returns = [8_000, 9_200, 10_000, 12_000, 14_500]
    assert excel_npv(0.08, returns) - 40_000 == pytest.approx(1922.06, abs=0.005)
    assert excel_npv(0.08, returns + [-9_000]) - 40_000 == pytest.approx(-3749.47, abs=0.005)
    # numpy's convention gives the same figure with the investment as the flow at t = 0.
    assert npv(0.08, [-40_000] + returns) == pytest.approx(1922.06, abs=0.005)


def test_chinese_bank_mortgage_examples():
    """The examples every bank calculator shows (1,000,000 元, 30 years, 4.9 % a year, monthly): 等额本息 5,307.27
    元 a month; 等额本金 first month 2,777.78 principal + 4,083.33 interest = 6,861.11, then 11.34 less each month."""
    level = loan_schedule(1_000_000, 0.049, 30, payments_per_year=12, round_to=0.01)
    assert level["payment"].iloc[0] == pytest.approx(5307.27, abs=1e-9)
    assert (level["payment"].iloc[:-1] == level["payment"].iloc[0]).all()
    assert level["principal"].sum() == pytest.approx(1_000_000, abs=1e-6)
    falling = loan_schedule(1_000_000, 0.049, 30, payments_per_year=12, round_to=0.01, method="equal_principal")
    assert falling["principal"].iloc[0] == pytest.approx(2777.78, abs=1e-9)
    assert falling["interest"].iloc[0] == pytest.approx(4083.33, abs=1e-9)
    assert falling["payment"].iloc[0] == pytest.approx(6861.11, abs=1e-9)
    np.testing.assert_allclose(-np.diff(falling["payment"].iloc[:12]), 11.34, atol=0.011)
    # Without cent rounding, equal principal falls by exactly P ÷ 360 × 4.9 % ÷ 12 every month.
    exact = loan_schedule(1_000_000, 0.049, 30, payments_per_year=12, method="equal_principal")
    np.testing.assert_allclose(-np.diff(exact["payment"]), 1_000_000 / 360 * 0.049 / 12, rtol=1e-9)


def test_static_payback_exam_examples():
    from finmodel.cashflow import payback

    # 年序 0–6, net flows −100, −80, 40, 60, 60, 60, 60 → 4 + 20 ÷ 60 = 4.33 years (cost-engineering exam bank,
    # http://222.198.130.40:8081/view/Subject/showsubject.aspx?id=01a7e6d65ae54c509970402cc1ecec3d).
    assert payback([-100, -80, 40, 60, 60, 60, 60]) == pytest.approx(4 + 20 / 60)
    # 一级建造师《建设工程经济》 question, years numbered from 1: −600, −900, 300, 500 … → 5.4 years
    # (https://sutiku.cn/question/132918.html). Counted from year 1, one more than from 年序 0.
    assert payback([-600, -900, 300, 500, 500, 500, 500, 500]) + 1 == pytest.approx(5.4)


def test_financial_npv_exam_examples():
    """财务净现值 (FNPV) exam questions in the feasibility-study convention, each worked with (1 + i)^−t."""
    # Years 1–10: −100 for three years, then 90 for seven; ic = 10 % → 80.51
    # (https://app.ixiawen.com/question/55693833/a662d4f239e8253f7340835e1ca4bada.html). Years start at 1, so
    # the first flow is discounted one period: Excel's convention.
    assert excel_npv(0.10, [-100] * 3 + [90] * 7) == pytest.approx(80.51, abs=0.005)
    # Years 1, 2, 3, 4–20: −100, 10, 30, then 50 a year; ic = 10 % → 241.23
    # (https://app.ixiawen.com/question/55874541/8c807c9f991c5bf16981ae28d06bf7c7.html).
    assert excel_npv(0.10, [-100, 10, 30] + [50] * 17) == pytest.approx(241.23, abs=0.005)
    # Year ends 0–4: −100, 40, 40, 40, 50; ic = 12 % → 27.85; the first flow at t = 0 (numpy's convention)
    # (https://app.ixiawen.com/question/135293/9a0e74886cf94d3afb631407e5bf9608.html).
    assert npv(0.12, [-100, 40, 40, 40, 50]) == pytest.approx(27.85, abs=0.005)


def test_dscr_exam_examples():
    """偿债备付率 = (息税前利润 + 折旧 + 摊销 − 企业所得税) ÷ 应还本付息金额, the NDRC definition, in exam questions."""
    # EBIT 180, depreciation and amortisation 20, income tax 37.5, principal 40 + interest 30 → 2.32
    # (https://jhq8.cn/daan/2024/12/4468196.html).
    ratio, lowest = dscr([180 + 20], [40 + 30], tax=[37.5])
    assert ratio[0] == pytest.approx(2.32, abs=0.005) and lowest == ratio[0]
    # Profit before tax 500, interest 60 (EBIT 560), D&A 90, tax 50, debt service 300 → 2.0
    # (https://ti.zuoweng.com/ti/bRAEKKKQ).
    assert dscr([500 + 60 + 90], [300], tax=[50])[0][0] == pytest.approx(2.0)


def test_llcr_with_a_rate_per_project_equals_one_by_one():
    from finmodel.cashflow import llcr

    rng = np.random.default_rng(3)
    cash = rng.uniform(50, 150, (20, 12))
    service = np.where(np.arange(12) < 9, rng.uniform(40, 100, (20, 1)), 0.0)
    rates = rng.uniform(0.0, 0.08, 20)
    together = llcr(cash, service, rates)
    for k in range(20):
        np.testing.assert_allclose(together[k], llcr(cash[k], service[k], rates[k]), rtol=1e-12)


@pytest.mark.parametrize("flows, picked, other", [
    # numpy/numpy-financial#44: 1.0.0 returns −99.98 % for these flows; 100.43 % is the rate a reader expects.
    ([-1678.87, 771.96, 1814.05, 3520.30, 3552.95, 3584.99, 4789.91, -1], -0.99979, 1.00427),
    # numpy/numpy-financial#28: 1.0.0 returns −76.9 %; 185.4 % is a root as well.
    ([-50, -100, 600, 300, -100], -0.76890, 1.85442),
])
def test_numpy_financial_picks_one_of_several_roots_silently_and_irr_does_not(flows, picked, other):
    assert npf.irr(flows) == pytest.approx(picked, abs=5e-5)  # numpy-financial 1.0.0, as pinned
    result = irr(flows)
    assert result.status == "multiple_roots" and np.isnan(result.value)
    roots = result.roots
    assert roots.min() == pytest.approx(picked, abs=5e-5) and roots.max() == pytest.approx(other, abs=5e-4)
    for rate in roots:
        assert abs(npv(rate, flows)) < 1e-6 * np.abs(flows).sum() * (1 + rate) ** -len(flows)


@pytest.mark.parametrize("flows, roots", [
    # −5 + 10.5x + x² − 8x³ + x⁴ has three positive roots; Excel and numpy-financial pick 8.86 %.
    ([-5, 10.5, 1, -8, 1], [-0.870201, 0.088598, 0.709560]),
    # −100 + 230x − 132x² = −(10x − … ): 10 % and 20 %, by hand from the quadratic formula in x = 1 / (1 + r):
    # x = (230 ± √(230² − 4·100·132)) ÷ 264 = (230 ± 10) ÷ 264, i.e. 1 / 1.1 and 1 / 1.2.
    ([-100, 230, -132], [0.10, 0.20]),
])
@pytest.mark.parametrize("before, after", [(0, 1), (0, 3), (2, 0), (1, 2)])
def test_zeros_around_the_flows_change_no_root(flows, roots, before, after):
    result = irr([0.0] * before + flows + [0.0] * after)
    assert result.status == "multiple_roots"
    np.testing.assert_allclose(result.roots, roots, atol=1e-6)


def test_shorter_projects_padded_in_a_stack_keep_their_roots():
    # A scenario stacks projects of different lengths, padding the shorter with zeros.
    stacked = irr([[-100, 230, -132, 0, 0, 0], [-100, 20, 20, 20, 20, 40], [-100, 60, 60, 0, 0, 0]])
    assert list(stacked.status) == ["multiple_roots", "ok", "ok"]
    np.testing.assert_allclose(stacked.roots[0], [0.10, 0.20], atol=1e-10)
    # 60x² + 60x − 100 = 0 → x = (−60 + √(3600 + 24000)) ÷ 120 = 0.884, r = 1/x − 1 = 13.07 %.
    x = (-60 + np.sqrt(60 ** 2 + 4 * 60 * 100)) / 120
    assert stacked.value[2] == pytest.approx(1 / x - 1, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=2, max_size=10), st.integers(0, 4), st.integers(0, 4))
def test_appending_or_prepending_zeros_never_changes_roots_or_status(flows, before, after):
    plain = irr(flows)
    padded = irr([0] * before + flows + [0] * after)
    assert padded.status == plain.status
    np.testing.assert_allclose(padded.roots, plain.roots, rtol=1e-9, atol=1e-9)
    np.testing.assert_equal(padded.value, plain.value)


def test_one_series_gives_scalars_and_a_stack_gives_arrays():
    one = irr([-100, 110])
    assert isinstance(one.value, float) and isinstance(one.status, str) and one.value == pytest.approx(0.10)
    assert one.roots.shape == (1,)
    many = irr([[-100, 110], [-100, 121]])
    assert many.value.shape == (2,) and many.status.shape == (2,)
    assert isinstance(npv(0.1, [-100, 110]), float) and npv(0.1, [[-100, 110]]).shape == (1,)
    assert isinstance(payback([-100, 60, 60]), float) and payback([[-100, 60, 60]]).shape == (1,)
    assert isinstance(dscr([120, 150], [100, 100])[1], float)
    assert dscr([[120, 150]], [[100, 100]])[1].shape == (1,)
    assert isinstance(peak_funding_need([-100, 60]), float) and peak_funding_need([[-100, 60]]).shape == (1,)
    assert isinstance(funding_gap(0.1, [-100, 60]), float) and funding_gap(0.1, [[-100, 60]]).shape == (1,)


def _exact_annuity_schedule(principal, rate, periods, begin=False):
    """Interest and principal of each instalment in exact rational arithmetic: the second method."""
    from fractions import Fraction

    r, balance = Fraction(rate), Fraction(principal)
    v_n = (1 + r) ** -periods
    level = balance * r / (1 - v_n) / ((1 + r) if begin else 1)
    interest, repaid = [], []
    for k in range(periods):
        due = Fraction(0) if begin and k == 0 else balance * r
        interest.append(due)
        repaid.append(level - due)
        balance -= level - due
    assert balance == 0
    return np.array(interest, dtype=float), np.array(repaid, dtype=float), float(level)


@pytest.mark.parametrize("begin", [False, True])
def test_equal_installment_keeps_its_precision_when_the_growth_factor_is_huge(begin):
    # 270.51 at 14.79 % over 300 periods: (1 + r)^300 ≈ 1.2 × 10^18, beyond a double's 16 digits. The principal
    # of each instalment then cannot be taken as payment − interest.
    table = loan_schedule(270.51, 0.1479, 300, when="begin" if begin else "end")
    interest, repaid, level = _exact_annuity_schedule("270.51", "0.1479", 300, begin=begin)
    np.testing.assert_allclose(table["principal"], repaid, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["interest"], interest, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(table["payment"], level, rtol=1e-12)
    assert table["principal"].iloc[250] > 0.01  # repaid along the way, not all at the end
    assert table["closing_balance"].iloc[-1] == 0


def test_payments_in_advance_match_excel_type_1():
    # An annuity due: the PV at t = 0 of n payments at t = 0 … n − 1 is the principal (second method: npf.pmt).
    assert annuity_payment(10_000, 0.08 / 12, 120, when="begin") == pytest.approx(
        -npf.pmt(0.08 / 12, 120, 10_000, when="begin"), rel=1e-12)
    table = loan_schedule(1_000, 0.10, 3, when="begin")
    level = 1_000 * 0.10 / (1 - 1.1 ** -3) / 1.1  # 365.56
    np.testing.assert_allclose(table["payment"], level, rtol=1e-12)
    # By hand: the first payment is all principal; then 10 % on what is left after the one before.
    first_left = 1_000 - level
    np.testing.assert_allclose(table["interest"], [0.0, 0.1 * first_left, 0.1 * (first_left * 1.1 - level)],
                               rtol=1e-12)
    assert table["principal"].sum() == pytest.approx(1_000)
    bullet = loan_schedule(1_000, 0.10, 3, method="bullet", when="begin")
    np.testing.assert_allclose(bullet["payment"], [0.0, 100.0, 1_100.0])
    with pytest.raises(ValueError, match="when must be"):
        loan_schedule(1_000, 0.10, 3, when="start")


def test_drawdowns_at_the_start_of_the_year_earn_a_whole_year():
    # The textbook example drawn on 1 January instead of mid-year: 300 × 6 % = 18; (300 + 18 + 600) × 6 % = 55.08.
    table = loan_schedule(900, 0.06, 5, drawdowns=[300, 600], drawdown_timing="start")
    construction = table[table["phase"] == "construction"]
    np.testing.assert_allclose(construction["interest"], [18.0, 55.08], atol=1e-9)
    assert table["principal"].sum() == pytest.approx(900 + 18 + 55.08)


def test_flows_are_told_apart_as_investment_borrowing_or_mixed():
    from finmodel.cashflow.metrics import flow_kind

    assert irr([-100, 110]).kind == "investment"
    assert irr([100, -110]).kind == "borrowing"  # 100 received now, 110 repaid: 10 % is a cost
    # By hand at 10 %: balances −100, −100·1.1 + 300 = 190, 190·1.1 − 330 = −121, −121·1.1 + 133.1 = 0: the
    # balance changes sign, so 10 % is neither a return nor a cost.
    mixed = irr([-100, 300, -330, 133.1])
    assert mixed.status == "ok" and mixed.value == pytest.approx(0.10) and mixed.kind == "mixed"
    assert list(flow_kind([[-100, 110, 0], [0, 100, -110]], [0.1, 0.1])) == ["investment", "borrowing"]
    assert irr([-100, 230, -132]).kind == ""  # several roots: no one rate to classify


def test_a_single_sign_change_root_is_found_anywhere_from_minus_60_to_plus_2000_percent():
    """Flows built around a known rate (each row's first flow is minus the present value of the rest at that rate),
    from −60 % to +2,000 %, with zeros inside and shorter rows: Newton's method in its bracket returns every rate,
    whether the grid of rates brackets it or doubling has to (below −50 %: x = 1 / (1 + r) above the grid's 2),
    including roots where false position alone stalls (a first flow 10⁶ times the others)."""
    rng = np.random.default_rng(15)
    rows, years = 4_000, 15
    rate = np.concatenate([rng.uniform(-0.6, -0.3, 500), rng.uniform(-0.3, 1.0, 2_500), rng.uniform(1.0, 20.0, 1_000)])
    later = rng.uniform(0.0, 100.0, (rows, years - 1)) * (rng.random((rows, years - 1)) > 0.15)
    ends = rng.integers(2, years, rows)  # some rows stop early
    later[np.arange(years - 1)[None, :] >= ends[:, None]] = 0.0
    later[np.arange(rows), (rng.random(rows) * ends).astype(int)] += 1.0  # at least one inflow, before the end
    discount = (1.0 + rate[:, None]) ** -np.arange(1, years)
    flows = np.hstack([-(later * discount).sum(axis=1, keepdims=True), later])
    result = irr(flows)
    assert (result.status == "ok").all()
    assert np.allclose(result.value, rate, rtol=1e-9, atol=1e-11)
    assert all(root.size == 1 and abs(root[0] - known) <= 1e-9 * max(1.0, abs(known))
               for root, known in zip(result.roots, rate))


def test_a_root_on_a_grid_rate_is_exact_and_a_long_panel_is_bracketed_without_overflow():
    # Rates of 0, 50 % and 100 % are points of the grid that brackets the roots: they come back exactly.
    assert irr([-1, 1]).value == 0.0 and irr([-1, 1.5]).value == 0.5 and irr([-1, 2]).value == 1.0
    # 1,025 periods overflow x^t at the grid's top (x = 2); the root, a rate of −64.9 %, is bracketed by doubling.
    flows = np.zeros(1025)
    flows[0], flows[1:5] = -100, 1
    expected = irr(flows[:5])  # the same polynomial without the trailing zeros
    assert irr(flows).status == "ok" and irr(flows).value == pytest.approx(expected.value, rel=1e-12)
    assert expected.value == pytest.approx(-0.649026543056437, rel=1e-12)


def test_the_roots_handed_out_are_copies():
    result = irr([[-100, 60, 60], [-100, 120, 0]])
    roots = result.roots[0]
    roots *= 100
    assert result.value[0] == pytest.approx(0.13066238629, rel=1e-9) and result.roots[0][0] == result.value[0]


def test_a_root_far_beyond_the_grid_is_found_where_false_position_alone_stalls():
    """x = 1 / (1 + r) = 2.74, beyond the grid: bracketed by doubling in [2, 4], where NPV is −1.05e12 at one end and
    5.8e15 at the other. The secant kept moving the near end by 0.0004 a pass and ran out of passes 1.0 short of
    the root; with the Illinois rule it converges in about twenty."""
    flows = np.array([-1.04838021e12, 94.6862793, 44.2593741, 92.1136306, 28.7958028, 65.2770687, 72.1491421,
                      51.6384130, 3.65248816, 7.38784596, 44.4470441, 92.7168620, 0.218281028, 0, 6.72146573,
                      92.6158850, 55.4158429, 1.0, 98.0743938, 30.0642708, 22.5938854, 99.1842234, 0, 75.1408552, 0])
    result = irr(flows)
    assert result.status == "ok"
    # The rate the flows were built at, to the shift of dropping the 0.22 (below 1e-12 of the largest flow).
    assert result.value == pytest.approx(-0.63483760119395, abs=1e-6)
    kept = np.where(np.abs(flows) > 1e-12 * np.abs(flows).max(), flows, 0.0)
    assert abs(npv(result.value, kept)) <= 1e-9 * np.abs(flows).max()

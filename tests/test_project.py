"""Project cash flows: a hand-built project checked line by line, break-evens by a second method, bulk tables
against one-by-one runs, and the Zoucheng card's coverage by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from finmodel.cashflow import evaluate, load_project_scenario

from .conftest import ROOT

ZOUCHENG = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"

HAND = """
[scenario]
name = "手算项目"
year = 2025
discount_rate = 0.05

[[projects]]
id = "hand"
name = "手算项目"
households = 500
construction_years = 1
operating_years = 5
equity_wan = 100

[projects.capex]
schedule = [1.0]
items_wan = { basic = 600, improvement = 400 }

[[projects.income]]
id = "shops"
kind = "other"
amount_wan_per_year = 330

[projects.operating_costs]
fixed_wan_per_year = 50
share_of_income = 0.1
major_repairs = [{ year = 2028, amount_wan = 40 }]

[projects.tax]
rate = 0.1
base = "surplus"

[[projects.grants]]
id = "city"
party = "city"
amount_wan = 200
advance_share = 0.5
settlement_lag_years = 1

[[projects.loans]]
id = "bank"
principal_wan = 700
rate = 0.05
years = 5
method = "equal_principal"
construction_interest = "pay"
"""


def hand_scenario(tmp_path, text=HAND, overrides=()):
    path = tmp_path / "hand.toml"
    path.write_text(text, encoding="utf-8")
    return load_project_scenario(path, overrides)


def test_hand_built_project_line_by_line(tmp_path):
    result = evaluate(hand_scenario(tmp_path))
    table = result.cashflows[0].annual()
    assert list(table.index) == [2025, 2026, 2027, 2028, 2029, 2030]
    # Income 330; cost 50 + 10 % × 330 = 83; surplus 247; tax 10 % × 247 = 24.7; CFADS 222.3 (182.3 with the
    # 2028 repair of 40).
    np.testing.assert_allclose(table["operating_cost_wan"], [0, 83, 83, 83, 83, 83])
    np.testing.assert_allclose(table["tax_wan"], [0, 24.7, 24.7, 24.7, 24.7, 24.7])
    cfads = np.array([0, 222.3, 222.3, 182.3, 222.3, 222.3])
    np.testing.assert_allclose(table["cfads_wan"], cfads)
    # Loan: 700 drawn in 2025, half a year's interest 17.5 paid; then 140 a year with interest on the balance.
    np.testing.assert_allclose(table["interest_wan"], [17.5, 35, 28, 21, 14, 7])
    np.testing.assert_allclose(table["principal_wan"], [0, 140, 140, 140, 140, 140])
    # Grant: 100 advanced in 2025, 100 settled a year after acceptance (end of 2025) → 2026.
    np.testing.assert_allclose(table["grants_wan"], [100, 100, 0, 0, 0, 0])
    service = np.array([0, 175, 168, 161, 154, 147])
    net = np.array([100 + 100 + 700 - 1000 - 17.5, 100 + 222.3 - 175, 222.3 - 168, 182.3 - 161, 222.3 - 154,
                    222.3 - 147])
    np.testing.assert_allclose(table["net_cash_wan"], net)
    np.testing.assert_allclose(table["cumulative_cash_wan"], np.cumsum(net))
    np.testing.assert_allclose(table["dscr"].iloc[1:], cfads[1:] / service[1:])
    assert np.isnan(table["dscr"].iloc[0])

    m = result.metrics.loc["hand"]
    assert m["total_investment_wan"] == pytest.approx(1017.5)
    assert m["construction_interest_wan"] == pytest.approx(17.5)
    flow = np.array([-1000, 222.3, 222.3, 182.3, 222.3, 222.3])
    discount = 1.05 ** -np.arange(6)
    assert m["npv_wan"] == pytest.approx((flow * discount).sum())
    assert m["npv_after_grants_wan"] == pytest.approx((flow * discount).sum() + 100 + 100 / 1.05)
    # Cumulative −1000, −777.7, −555.4, −373.1, −150.8, 71.5: paid back in the 6th year from the start of
    # construction: 6 − 1 + 150.8 ÷ 222.3.
    assert m["payback_static_years"] == pytest.approx(5 + 150.8 / 222.3)
    assert m["dscr_min"] == pytest.approx(182.3 / 161) and m["dscr_min_year"] == 2028
    assert m["first_year_cash_negative"] == 2025
    assert m["cumulative_cash_min_wan"] == pytest.approx(-117.5)
    assert m["irr_project_status"] == "ok"
    assert np.sum(flow * (1 + m["irr_project"]) ** -np.arange(6)) == pytest.approx(0, abs=1e-8)


def test_break_even_equals_the_closed_form(tmp_path):
    """With a positive surplus, CFADS is linear in the income a: 0.9 × (0.9a − 50) a year, less the repair.
    NPV after grants = 0.81·a·A − 45·A − 40·d₃ − 1000 + 100 + 100·d₁, A = Σ_{t=1..5} d_t."""
    result = evaluate(hand_scenario(tmp_path))
    d = 1.05 ** -np.arange(6)
    annuity = d[1:].sum()
    expected = (45 * annuity + 40 * d[3] + 900 - 100 * d[1]) / (0.81 * annuity)
    row = result.break_even.set_index("input").loc["income.shops.amount_wan_per_year"]
    assert row["outcome"] == "found"
    assert row["break_even"] == pytest.approx(expected, rel=1e-10)
    # Second method: rerun the scenario at the break-even value; its NPV after grants is 0.
    again = evaluate(hand_scenario(tmp_path, overrides=[
        f"projects.hand.income.shops.amount_wan_per_year={float(row['break_even'])!r}"]))
    assert again.metrics.loc["hand", "npv_after_grants_wan"] == pytest.approx(0, abs=1e-8)


def test_break_even_of_a_price_and_an_occupancy(tmp_path):
    text = HAND.replace('''id = "shops"
kind = "other"
amount_wan_per_year = 330''', '''id = "parking"
kind = "parking"
spaces = 500
fee_yuan_per_month = 600
occupancy = 0.9
ramp_up = [0.5]
growth = 0.02''')
    result = evaluate(hand_scenario(tmp_path, text))
    rows = result.break_even.set_index("input")
    for key in ("income.parking.fee_yuan_per_month", "income.parking.occupancy"):
        value = rows.loc[key, "break_even"]
        again = evaluate(hand_scenario(tmp_path, text, [f"projects.hand.{key}={float(value)!r}"]))
        assert again.metrics.loc["hand", "npv_after_grants_wan"] == pytest.approx(0, abs=1e-8)
    # Fee and occupancy enter the income as a product: the same relative change breaks even.
    assert rows.loc["income.parking.fee_yuan_per_month", "change"] == pytest.approx(
        rows.loc["income.parking.occupancy", "change"], rel=1e-9)
    # The first operating year earns half (ramp-up), later years grow 2 %: 500 × 600 × 12 × 0.9 ÷ 10⁴ = 324.
    income = result.cashflows[0].annual()["income_parking_wan"].to_numpy()
    np.testing.assert_allclose(income, [0, 162, 324 * 1.02, 324 * 1.02 ** 2, 324 * 1.02 ** 3, 324 * 1.02 ** 4])


def test_grant_needed_is_the_funding_gap(tmp_path):
    result = evaluate(hand_scenario(tmp_path, overrides=["projects.hand.income.shops.amount_wan_per_year=200"]))
    npv_after = result.metrics.loc["hand", "npv_after_grants_wan"]
    assert npv_after < 0
    assert result.metrics.loc["hand", "funding_gap_wan"] == pytest.approx(-npv_after)
    row = result.break_even.set_index("input").loc["grant_year0_wan"]
    assert row["break_even"] == pytest.approx(-npv_after)


def test_capitalised_construction_interest_is_repaid_and_counted_in_the_investment(tmp_path):
    result = evaluate(hand_scenario(tmp_path, overrides=["projects.hand.loans.bank.construction_interest=capitalise"]))
    table = result.cashflows[0].annual()
    # 17.5 is added to the loan instead of paid: the equal principal is 717.5 ÷ 5.
    np.testing.assert_allclose(table["principal_wan"].iloc[1:], [143.5] * 5)
    assert table["interest_wan"].iloc[0] == 0
    assert result.metrics.loc["hand", "total_investment_wan"] == pytest.approx(1017.5)
    schedule = result.cashflows[0].debt["bank"]
    assert schedule["closing_balance_wan"].iloc[-1] == 0
    assert list(schedule["year"]) == list(range(2025, 2031))


def test_a_loan_drawn_on_1_january_and_repaid_in_advance(tmp_path):
    result = evaluate(hand_scenario(tmp_path, overrides=['projects.hand.loans.bank.drawdown_timing="start"',
                                                         'projects.hand.loans.bank.payment_timing="begin"']))
    table = result.cashflows[0].annual()
    # By hand: 700 drawn on 1 January earn 5 % × 700 = 35 in the construction year (17.5 drawn mid-year). Equal
    # principal of 140 paid at the start of each year: the first instalment carries no interest, each later one
    # 5 % of what was left after the one before: 560, 420, 280, 140 → 28, 21, 14, 7.
    np.testing.assert_allclose(table["interest_wan"], [35, 0, 28, 21, 14, 7])
    np.testing.assert_allclose(table["principal_wan"].iloc[1:], [140] * 5)


def test_bonds_issued_later_and_amortised(tmp_path):
    text = HAND.replace('[[projects.loans]]', '''[[projects.bonds]]
id = "bond"
principal_wan = 300
coupon = 0.03
years = 3
issue_year = 2027
amortisation = [0, 0.5, 0.5]

[[projects.loans]]''')
    table = evaluate(hand_scenario(tmp_path, text)).cashflows[0].annual()
    np.testing.assert_allclose(table["bond_proceeds_wan"], [0, 0, 300, 0, 0, 0])
    bond_interest = np.array([0, 0, 9, 9, 4.5, 0])
    bond_principal = np.array([0, 0, 0, 150, 150, 0])
    np.testing.assert_allclose(table["interest_wan"], np.array([17.5, 35, 28, 21, 14, 7]) + bond_interest)
    np.testing.assert_allclose(table["principal_wan"], np.array([0, 140, 140, 140, 140, 140]) + bond_principal)


def test_zoucheng_totals_match_the_card():
    result = evaluate(load_project_scenario(ZOUCHENG))
    m = result.metrics.loc["zoucheng"]
    assert m["total_investment_wan"] == pytest.approx(35_528, abs=1e-6)
    assert m["income_wan"] == pytest.approx(74_968, abs=1.0)
    assert m["operating_cost_wan"] == pytest.approx(19_359, abs=1.0)
    assert m["equity_wan"] + m["bonds_wan"] + m["loans_wan"] == pytest.approx(35_528)
    # Sources equal uses by the end of construction: the cumulative cash is 0 after 2025.
    assert result.cashflows[0].annual().loc[2025, "cumulative_cash_wan"] == pytest.approx(0, abs=1e-6)


def test_zoucheng_coverage_definitions_by_hand():
    """On the card's own totals (income 74,968, operating cost 19,359): gross over the bonds at the 2.67 %
    coupon = 74,968 ÷ (20,000 × (1 + 0.0267 × 30)); the planning rate giving 1.25 solves
    numerator ÷ (P × (1 + r·n)) = 1.25, i.e. r = (numerator ÷ 1.25 ÷ P − 1) ÷ n, with P = 20,000 and n = 30
    for the bonds, and P = 28,000 and n = (20,000 × 30 + 8,000 × 25) ÷ 28,000 for all debt."""
    result = evaluate(load_project_scenario(ZOUCHENG))
    card = result.coverage[(result.coverage["basis"] == "published")].set_index(["definition", "debt"])
    n_all = (20_000 * 30 + 8_000 * 25) / 28_000
    expected = {
        ("gross", "bonds"): (74_968, 20_000, 30),
        ("net", "bonds"): (74_968 - 19_359, 20_000, 30),
        ("gross", "all_debt"): (74_968, 28_000, n_all),
        ("net", "all_debt"): (74_968 - 19_359, 28_000, n_all),
    }
    for key, (numerator, principal, years) in expected.items():
        assert card.loc[key, "coverage"] == pytest.approx(numerator / (principal * (1 + 0.0267 * years)), rel=1e-12)
        assert card.loc[key, "planning_rate_for_stated"] == pytest.approx(
            (numerator / 1.25 / principal - 1) / years, rel=1e-10)
    assert card.loc[("gross", "bonds"), "coverage"] == pytest.approx(2.0813, abs=5e-5)
    assert card.loc[("net", "all_debt"), "planning_rate_for_stated"] == pytest.approx(0.0206, abs=5e-5)
    # Against the schedule the model lays out, the denominator is the debt service actually scheduled.
    model = result.coverage[(result.coverage["basis"] == "model") & (result.coverage["interest"] == "schedule")]
    bank = result.cashflows[0].debt["bank"]
    service_all = 20_000 + 30 * 534 + bank["payment_wan"].sum()
    assert model.set_index(["definition", "debt"]).loc[("gross", "all_debt"), "denominator_wan"] == pytest.approx(
        service_all)


def test_bulk_table_equals_one_by_one(tmp_path):
    (tmp_path / "projects.csv").write_text(
        "id,name,income.shops.amount_wan_per_year,loans.bank.principal_wan,loans.bank.rate,capex.items_wan.basic\n"
        "a,甲,300,700,0.05,600\n"
        "b,乙,250,500,0.04,600\n"
        "c,丙,420,800,0.045,900\n", encoding="utf-8")
    text = HAND + '\n[project_table]\ntable = "projects.csv"\ntemplate = "hand"\n'
    together = evaluate(hand_scenario(tmp_path, text))
    assert list(together.metrics.index) == ["hand", "a", "b", "c"]
    values = {"a": (300, 700, 0.05, 600), "b": (250, 500, 0.04, 600), "c": (420, 800, 0.045, 900)}
    for project_id, (income, loan, rate, basic) in values.items():
        alone = evaluate(hand_scenario(tmp_path, overrides=[
            f"projects.hand.income.shops.amount_wan_per_year={income}", f"projects.hand.loans.bank.principal_wan={loan}",
            f"projects.hand.loans.bank.rate={rate}", f"projects.hand.capex.items_wan.basic={basic}"]))
        a = alone.metrics.loc["hand"].drop("name")
        b = together.metrics.loc[project_id].drop("name")
        for column in a.index:
            if isinstance(a[column], str):
                assert a[column] == b[column], column
            else:
                np.testing.assert_allclose(float(a[column]), float(b[column]), rtol=1e-12, err_msg=column)


def test_project_payback_exam_example(tmp_path):
    """One construction year of 800, then net flows 220, 242, 266, 293 (10 % growth) → 4 + 72 ÷ 293 = 4.25 years
    from the start of construction (exam question, https://sutiku.cn/question/132919.html)."""
    text = """
[scenario]
name = "回收期"
year = 2024
discount_rate = 0.08

[[projects]]
id = "exam"
name = "回收期例题"
construction_years = 1
operating_years = 4

[projects.capex]
schedule = [1.0]
items_wan = { basic = 800 }

[[projects.income]]
id = "net"
kind = "other"
amount_wan_per_year = 220
growth = 0.10
"""
    result = evaluate(hand_scenario(tmp_path, text))
    np.testing.assert_allclose(result.cashflows[0].project_flow, [-800, 220, 242, 266.2, 292.82])
    assert result.metrics.loc["exam", "payback_static_years"] == pytest.approx(4 + 71.8 / 292.82)
    assert result.metrics.loc["exam", "payback_static_years"] == pytest.approx(4.25, abs=0.005)


@pytest.mark.parametrize("base", ["income", "none"])
def test_closed_form_break_even_equals_the_search(tmp_path, base):
    """Without a tax on the surplus, break-evens come in closed form; Brent's search on the rebuilt operations must
    land on the same values, and rerunning at a break-even value gives NPV 0."""
    from finmodel.cashflow.evaluate import break_even_table

    text = HAND.replace('base = "surplus"', 'base = "income"') if base == "income" else HAND.replace(
        '[projects.tax]\nrate = 0.1\nbase = "surplus"\n', '')
    text = text.replace("amount_wan_per_year = 330", "amount_wan_per_year = 250")
    text = text.replace('''[projects.operating_costs]''', '''[[projects.income]]
id = "parking"
kind = "parking"
spaces = 200
fee_yuan_per_month = 250
occupancy = 0.7
ramp_up = [0.5]
growth = 0.03

[projects.operating_costs]''')
    scenario = hand_scenario(tmp_path, text)
    result = evaluate(scenario)
    search = break_even_table(result.cashflows, scenario.year, scenario.config.scenario.discount_rate,
                              method="search")
    pd.testing.assert_frame_equal(result.break_even.drop(columns="break_even"), search.drop(columns="break_even"))
    np.testing.assert_allclose(result.break_even["break_even"], search["break_even"], rtol=1e-9)
    row = result.break_even.set_index("input").loc["income.parking.fee_yuan_per_month"]
    assert row["outcome"] == "found" and row["break_even"] > 0
    value = row["break_even"]
    again = evaluate(hand_scenario(tmp_path, text, {"projects.hand.income.parking.fee_yuan_per_month": float(value)}))
    assert again.metrics.loc["hand", "npv_after_grants_wan"] == pytest.approx(0, abs=1e-8)


def test_mid_year_flows(tmp_path):
    """Mid-year flows fall half a year earlier: every present value is (1 + r)^0.5 times the year-end one, payback
    half a year shorter; break-evens do not move (a common factor)."""
    end = evaluate(hand_scenario(tmp_path))
    mid = evaluate(hand_scenario(tmp_path, overrides=["scenario.flow_timing=mid_year"]))
    a, b = end.metrics.loc["hand"], mid.metrics.loc["hand"]
    for column in ("npv_wan", "npv_after_grants_wan"):
        assert b[column] == pytest.approx(a[column] * 1.05 ** 0.5)
    assert b["payback_static_years"] == pytest.approx(a["payback_static_years"] - 0.5)
    np.testing.assert_allclose(mid.break_even["break_even"], end.break_even["break_even"], rtol=1e-9)
    # The grant that closes a gap moves with the flows: the same amount either way.
    short_end = evaluate(hand_scenario(tmp_path, overrides=["projects.hand.income.shops.amount_wan_per_year=200"]))
    short_mid = evaluate(hand_scenario(tmp_path, overrides=["projects.hand.income.shops.amount_wan_per_year=200",
                                                            "scenario.flow_timing=mid_year"]))
    gap = short_end.metrics.loc["hand", "funding_gap_wan"]
    assert gap > 0 and short_mid.metrics.loc["hand", "funding_gap_wan"] == pytest.approx(gap)
    grant = short_mid.break_even.set_index("input").loc["grant_year0_wan", "break_even"]
    assert grant == pytest.approx(gap)

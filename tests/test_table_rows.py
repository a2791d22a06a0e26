"""The rows of a project table evaluated together (``TableRows`` → ``TableFlows``) against the same rows read and
evaluated one by one, the reference: every metric, coverage and break-even equal to the bit, every annual table
and schedule equal; and the checks by column accepting exactly what the row-by-row reading accepts."""

from __future__ import annotations

import dataclasses
import string

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import finmodel as fm
from finmodel.cashflow import evaluate, load_project_scenario
from finmodel.cashflow.scenario import ProjectList, TableRows

TEMPLATE = """
[scenario]
name = "批量"
year = 2025
discount_rate = 0.04
flow_timing = "{timing}"

[[projects]]
id = "t"
name = "模板"
households = 600
floor_area_m2 = 42000
construction_years = 2
operating_years = 12
equity_wan = 500
equity_schedule = [0.7, 0.3]

[projects.capex]
schedule = [0.6, 0.4]
items_wan = {{ basic = 2500, improvement = 900 }}

[[projects.income]]
id = "parking"
kind = "parking"
spaces = 300
fee_yuan_per_month = 150
occupancy = 0.8
ramp_up = [0.5, 0.8]
growth = 0.01

[[projects.income]]
id = "shops"
kind = "rent"
area_m2 = 1800
rent_yuan_per_m2_month = 35
first_year = 2028

[[projects.income]]
id = "charging"
kind = "charging"
piles = 40
kwh_per_pile_day = 30
service_fee_yuan_per_kwh = 0.6
last_year = 2036

[[projects.income]]
id = "property"
kind = "property"
amount_wan_per_year = 60

[projects.operating_costs]
fixed_wan_per_year = 40
growth = 0.02
share_of_income = 0.15
major_repairs = [{{ year = 2032, amount_wan = 80 }}]

[projects.tax]
rate = 0.06
base = "{tax_base}"

[[projects.grants]]
id = "central"
party = "central"
amount_wan = 800
advance_share = 0.6
settlement_lag_years = 2

[[projects.grants]]
id = "city"
party = "city"
amount_wan = 300
advance_year = 2026

[[projects.loans]]
id = "bank"
principal_wan = 1200
rate = 0.042
years = 10
grace_years = 2
drawdown = [0.5, 0.5]
construction_interest = "{construction_interest}"
method = "{method}"
payment_timing = "{payment_timing}"
drawdown_timing = "{drawdown_timing}"

[[projects.bonds]]
id = "bond"
principal_wan = 1000
coupon = 0.028
years = 10
issue_year = 2026
amortisation = [0, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2]

[coverage]
"""

COLUMNS = {  # column → (low, high, whole number)
    "name": None,
    "households": (0, 3000, True),
    "floor_area_m2": (0, 2e5, False),
    "equity_wan": (0, 3000, False),
    "capex.items_wan.basic": (0, 8000, False),
    "income.parking.spaces": (0, 900, True),
    "income.parking.fee_yuan_per_month": (0, 400, False),
    "income.parking.occupancy": (0, 1, False),
    "income.parking.growth": (-0.05, 0.05, False),
    "income.shops.rent_yuan_per_m2_month": (0, 80, False),
    "income.charging.piles": (0, 100, True),
    "income.property.amount_wan_per_year": (0, 300, False),
    "operating_costs.fixed_wan_per_year": (0, 120, False),
    "operating_costs.share_of_income": (0, 0.5, False),
    "tax.rate": (0, 0.3, False),
    "grants.central.amount_wan": (0, 2000, False),
    "grants.central.advance_share": (0, 1, False),
    "loans.bank.principal_wan": (0, 3000, False),
    "loans.bank.rate": (0, 0.09, False),
    "bonds.bond.principal_wan": (0, 3000, False),
    "bonds.bond.coupon": (0, 0.06, False),
}


def _write(folder, structure, columns, rows):
    text = TEMPLATE.format(**structure).replace("\n[coverage]\n", "\n")
    path = folder / "bulk.toml"
    path.write_text(text + '\n[project_table]\ntable = "rows.csv"\ntemplate = "t"\n', encoding="utf-8")
    lines = [",".join(["id", *columns])] + [",".join([f"r{k}", *(f'"{c}"' if "," in c else c for c in row)])
                                             for k, row in enumerate(rows)]
    (folder / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _one_by_one(scenario):
    """The same scenario with every row read as a Project of its own (the row-by-row reading)."""
    return dataclasses.replace(scenario, projects=ProjectList(list(scenario.projects)))


def _row_values(rng, columns, size):
    rows = []
    for k in range(size):
        row = []
        for column in columns:
            if column == "name":
                row.append(f"项目{k}")
                continue
            low, high, whole = COLUMNS[column]
            value = rng.integers(low, high + 1) if whole else rng.uniform(low, high)
            row.append(str(int(value)) if whole else f"{value:.6g}")
        rows.append(row)
    return rows


STRUCTURES = st.fixed_dictionaries({
    "timing": st.sampled_from(["year_end", "mid_year"]),
    "tax_base": st.sampled_from(["income", "surplus"]),
    "construction_interest": st.sampled_from(["capitalise", "pay"]),
    "method": st.sampled_from(["equal_installment", "equal_principal", "bullet"]),
    "payment_timing": st.sampled_from(["end", "begin"]),
    "drawdown_timing": st.sampled_from(["mid_year", "start"]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(structure=STRUCTURES, picked=st.sets(st.sampled_from(sorted(COLUMNS)), min_size=1),
       seed=st.integers(0, 2**32 - 1))
def test_rows_together_equal_rows_one_by_one(tmp_path_factory, structure, picked, seed):
    folder = tmp_path_factory.mktemp("rows")
    columns = sorted(picked)
    path = _write(folder, structure, columns, _row_values(np.random.default_rng(seed), columns, 7))
    scenario = load_project_scenario(path)
    assert isinstance(scenario.projects.parts[-1], TableRows)  # the rows are kept as columns
    together = evaluate(scenario)
    alone = evaluate(_one_by_one(scenario))
    pd.testing.assert_frame_equal(together.metrics, alone.metrics, check_exact=True)
    pd.testing.assert_frame_equal(together.coverage, alone.coverage, check_exact=True)
    pd.testing.assert_frame_equal(together.break_even, alone.break_even, check_exact=True)
    for a, b in zip(together.cashflows, alone.cashflows):
        assert a.project == b.project
        pd.testing.assert_frame_equal(a.annual(), b.annual(), check_exact=True)
        for debt_id in b.debt:
            pd.testing.assert_frame_equal(a.debt[debt_id], b.debt[debt_id], check_exact=True)


def test_ten_rows_by_hand(tmp_path):
    """A row's figures worked by hand: parking 400 spaces × 150 元 × 12 × 0.8 = 57.6 万元 a year at full use."""
    structure = dict(timing="year_end", tax_base="income", construction_interest="pay", method="bullet",
                     payment_timing="end", drawdown_timing="mid_year")
    path = _write(tmp_path, structure, ["income.parking.spaces", "loans.bank.rate"],
                  [[str(100 * (k + 1)), f"0.0{k % 5 + 3}"] for k in range(10)])
    result = evaluate(load_project_scenario(path))
    flow = result.cashflow("r3")
    parking = flow.annual()["income_parking_wan"]
    assert parking[2027] == pytest.approx(400 * 150 * 12 * 0.8 / 1e4 * 0.5)  # first year: ramp 0.5
    assert parking[2029] == pytest.approx(400 * 150 * 12 * 0.8 / 1e4 * 1.01 ** 2)
    # Bullet loan at 6 %: interest only on the whole 1,200 after construction, the principal at the end.
    bank = flow.debt["bank"]
    assert bank["interest_wan"].iloc[-1] == pytest.approx(1200 * 0.06, rel=1e-12)
    assert bank["principal_wan"].iloc[-1] == pytest.approx(1200)
    assert result.metrics.loc["r3", "households"] == 600


@pytest.mark.parametrize("column, value", [
    ("loans.bank.years", "8"),  # a term changes the schedule's length
    ("income.parking.ramp_up", "[0.4, 0.9]"),
    ("construction_years", "2"),  # the phases move every year-indexed flow
    ("coverage.planning_rate", "0.03"),  # a table the template does not have
])
def test_a_column_that_shapes_the_project_makes_rows_of_their_own(tmp_path, column, value):
    structure = dict(timing="year_end", tax_base="income", construction_interest="pay", method="bullet",
                     payment_timing="end", drawdown_timing="mid_year")
    path = _write(tmp_path, structure, [column, "loans.bank.rate"], [[value, "0.05"], [value, "0.04"]])
    scenario = load_project_scenario(path)
    assert not any(isinstance(part, TableRows) for part in scenario.projects.parts)
    assert [p.id for p in scenario.projects] == ["t", "r0", "r1"]


def test_rewards_and_rounded_loans_are_worked_out_row_by_row(tmp_path):
    structure = dict(timing="year_end", tax_base="income", construction_interest="pay", method="bullet",
                     payment_timing="end", drawdown_timing="mid_year")
    path = _write(tmp_path, structure, ["loans.bank.rate"], [["0.05"], ["0.04"]])
    path.write_text(path.read_text(encoding="utf-8").replace(
        'drawdown_timing = "mid_year"\n', 'drawdown_timing = "mid_year"\nround_to = 0.0001\n'), encoding="utf-8")
    scenario = load_project_scenario(path)
    assert not any(isinstance(part, TableRows) for part in scenario.projects.parts)
    assert evaluate(scenario).metrics.loc["r1", "debt_rate"] == pytest.approx((1000 * 0.028 + 1200 * 0.04) / 2200)


CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "-0", "+3", "3.0", "1e3", "1E-12", "1,000", "1,0", "0x1A", "1_000", "nan", "inf",
                     "-1", "1e11", "2.5", "0.9999", "1", "true", "三", "٣", "１２"]),
    st.text(alphabet=string.digits + ".,-+eE ", max_size=6),
    st.integers(-10, 5000).map(str),
    st.floats(-1, 2, allow_nan=False).map(lambda v: f"{v:.4g}"),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["income.parking.spaces", "income.parking.occupancy", "loans.bank.rate",
                               "capex.items_wan.basic", "income.parking.growth", "name"]),
       cells=st.lists(CELLS, min_size=1, max_size=4))
def test_checks_by_column_accept_what_the_rows_accept(tmp_path_factory, monkeypatch, column, cells):
    folder = tmp_path_factory.mktemp("cells")
    structure = dict(timing="year_end", tax_base="income", construction_interest="pay", method="bullet",
                     payment_timing="end", drawdown_timing="mid_year")
    path = _write(folder, structure, [column], [[c] for c in cells])

    def load():
        try:
            return load_project_scenario(path), None
        except fm.InputError as exc:
            return None, (exc.message, exc.row, exc.column)

    together, refused = load()
    with monkeypatch.context() as patch:
        patch.setattr(TableRows, "_columns", lambda self: None)
        alone, refused_alone = load()
    assert refused == refused_alone
    if together is not None:
        assert list(together.projects) == list(alone.projects)


STRUCTURE = dict(timing="year_end", tax_base="surplus", construction_interest="pay", method="bullet",
                 payment_timing="end", drawdown_timing="mid_year")


@pytest.mark.parametrize("ids", [["a b", "r1"], ["x/../y"], ["v1.2"], ["L" * 65], ["ok", "OK"]])
def test_ids_the_rows_refuse_are_refused(tmp_path, ids):
    path = _write(tmp_path, STRUCTURE, ["households"], [[str(k)] for k in range(len(ids))])
    table = (tmp_path / "rows.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "rows.csv").write_text("\n".join([table[0]] + [f"{i},{line.split(',', 1)[1]}" for i, line in
                                                               zip(ids, table[1:])]) + "\n", encoding="utf-8")
    with pytest.raises(fm.InputError) as caught:
        load_project_scenario(path)
    assert caught.value.row == 2 + (len(ids) - 1 if ids == ["ok", "OK"] else 0)


def test_a_minus_zero_cell_reads_as_the_rows_read_it(tmp_path):
    path = _write(tmp_path, STRUCTURE, ["floor_area_m2"], [["-0"], ["0.5"]])
    scenario = load_project_scenario(path)
    assert str(evaluate(scenario).metrics.loc["r0", "floor_area_m2"]) == "0.0"


def test_the_first_bad_row_is_reported_first(tmp_path):
    path = _write(tmp_path, STRUCTURE, ["households"], [["many"], ["5"]])
    rows = (tmp_path / "rows.csv").read_text(encoding="utf-8").replace("r1,", "R0,")
    (tmp_path / "rows.csv").write_text(rows, encoding="utf-8")
    with pytest.raises(fm.InputError, match="not a number: 'many'") as caught:
        load_project_scenario(path)
    assert caught.value.row == 2


def test_no_income_with_a_tax_on_the_surplus_and_an_empty_table(tmp_path):
    path = _write(tmp_path, STRUCTURE, ["loans.bank.rate"], [])
    text = path.read_text(encoding="utf-8")
    start = text.index("[[projects.income]]")
    path.write_text(text[:start] + text[text.index("[projects.operating_costs]"):], encoding="utf-8")
    scenario = load_project_scenario(path)
    result = evaluate(scenario)
    assert list(result.metrics.index) == ["t"]
    grant = result.break_even.set_index("input").loc["grant_year0_wan"]
    assert grant["break_even"] == pytest.approx(-min(result.metrics.loc["t", "npv_after_grants_wan"], 0.0))

"""Social capital (济政办字〔2020〕21号 五(五)): an investor puts money in with the works and takes a share of the
income of the lines it runs for a concession; the public side's balance is after its share. Every figure against a
hand computation on a project small enough to write out."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

import finmodel as fm

from .conftest import ROOT

HAND = """kind = "projects"
[scenario]
name = "hand"
year = 2024
discount_rate = 0.05
[[projects]]
id = "p"
name = "p"
construction_years = 1
operating_years = 5
[projects.capex]
schedule = [1.0]
items_wan = { basic = 1000 }
[[projects.income]]
id = "rooms"
kind = "other"
amount_wan_per_year = 200
[[projects.income]]
id = "ads"
kind = "advertising"
amount_wan_per_year = 50
[projects.investor]
equity_wan = 400
required_irr = 0.08
concession_years = 3
revenue_share = 0.5
lines = ["rooms"]
"""


@pytest.fixture
def hand(tmp_path):
    path = tmp_path / "hand.toml"
    path.write_text(HAND, encoding="utf-8")
    return path


def _pv(rate, flows):
    return sum(f / (1 + rate) ** t for t, f in enumerate(flows))


def test_the_public_side_and_the_investor_by_hand(hand):
    result = fm.evaluate(fm.load_project_scenario(hand))
    m = result.metrics.loc["p"]
    # public side: −1,000 of works + 400 put in; the rooms' 200 a year less half for 3 years; the ads' 50 a year
    public = [-1000 + 400, 100 + 50, 100 + 50, 100 + 50, 200 + 50, 200 + 50]
    assert m["npv_after_grants_wan"] == pytest.approx(_pv(0.05, public), abs=1e-9)
    assert m["npv_wan"] == pytest.approx(_pv(0.05, [-1000, 150, 150, 150, 250, 250]), abs=1e-9)  # without the 400
    investor = [-400, 100, 100, 100]
    assert m["investor_irr"] == pytest.approx(brentq(lambda r: _pv(r, investor), -0.9, 1.0), abs=1e-10)
    annuity = lambda r: sum(1 / (1 + r) ** t for t in (1, 2, 3))  # noqa: E731
    assert m["investor_least_share"] == pytest.approx(400 / (200 * annuity(0.08)), rel=1e-12)
    largest = 0.5 + _pv(0.05, public) / (200 * annuity(0.05))
    assert m["investor_largest_share"] == pytest.approx(largest, rel=1e-12)
    table = result.break_even.set_index("input")
    assert table.at["investor.revenue_share", "break_even"] == pytest.approx(largest, rel=1e-12)
    annual = result.cashflow("p").annual()
    assert annual["investor_share_wan"].tolist() == [0, 100, 100, 100, 0, 0]
    assert annual["investor_equity_wan"].tolist() == [400, 0, 0, 0, 0, 0]


def test_at_the_largest_share_the_public_side_just_balances(hand):
    largest = fm.evaluate(fm.load_project_scenario(hand)).metrics.at["p", "investor_largest_share"]
    at = fm.evaluate(fm.load_project_scenario(hand, [f"projects.p.investor.revenue_share={float(largest)!r}"]))
    assert at.metrics.at["p", "npv_after_grants_wan"] == pytest.approx(0.0, abs=1e-9)
    least = at.metrics.at["p", "investor_least_share"]
    at = fm.evaluate(fm.load_project_scenario(hand, [f"projects.p.investor.revenue_share={float(least)!r}"]))
    assert at.metrics.at["p", "investor_irr"] == pytest.approx(0.08, abs=1e-9)  # the investor just gets its 8 %


def test_the_example_is_a_deal_both_sides_accept():
    scenario = fm.load_project_scenario(ROOT / "scenarios" / "projects" / "social-capital-2024.toml")
    result = fm.evaluate(scenario)
    m = result.metrics.loc["garden"]
    assert m["investor_least_share"] <= 0.65 <= m["investor_largest_share"]
    assert m["investor_irr"] >= 0.06
    units = fm.check_modes(result).units
    assert bool(units.loc["garden", "balanced"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")  # the figures the README quotes
    assert (f"其内部收益率 {m['investor_irr']:.2%}，要求 6.00%；\n#   达到要求至少需分成 {m['investor_least_share']:.1%}，"
            f"公共方最多可让出 {m['investor_largest_share']:.1%}") in readme


@pytest.mark.parametrize("change, words", [
    ('lines = ["nowhere"]', "investor.lines: 'nowhere' is not an income line"),
    ("concession_years = 9", "runs past the 5 operating years"),
])
def test_a_bad_investor_is_named(tmp_path, change, words):
    path = tmp_path / "bad.toml"
    key = change.split(" = ")[0]
    text = "\n".join(change if line.startswith(key + " =") else line for line in HAND.splitlines())
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fm.InputError, match=words):
        fm.load_project_scenario(path)


def test_the_workbook_shows_the_investor(tmp_path, hand):
    import openpyxl

    from finmodel.cli import main

    assert main(["run", str(hand), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    book = openpyxl.load_workbook(tmp_path / "out" / "cashflow.xlsx")
    items = [c for row in book["现金流量表"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "社会资本收益分成（万元）" in items and "社会资本投入（万元）" in items
    variables = [c for row in book["盈亏平衡"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(v.startswith("社会资本收益分成比例") for v in variables)
    assert np.isfinite(fm.evaluate(fm.load_project_scenario(hand)).metrics.at["p", "investor_irr"])

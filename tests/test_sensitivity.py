"""Sensitivity (tornado and spider) of project scenarios with [risk]: the base line is the deterministic run, each
end of a tornado bar equals a run of the scenario with that one input set by ``--set``, the ends are the inputs'
5th and 95th percentiles, and the break-even shown is the engine's."""

from __future__ import annotations

import numpy as np
import pytest

import finmodel as fm
from finmodel.modes import check_modes

from .conftest import ROOT

PROJECTS = ROOT / "scenarios" / "projects"
RISKY = PROJECTS / "zoucheng-2024-risk.toml"
ZOUCHENG = (PROJECTS / "zoucheng-2024.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def zoucheng():
    scenario = fm.load_project_scenario(RISKY)
    return scenario, fm.sensitivity(scenario)


def test_the_base_line_is_the_deterministic_run(zoucheng):
    scenario, sens = zoucheng
    metrics = fm.evaluate(scenario).metrics.loc["zoucheng"]
    assert sens.base.at["zoucheng", "npv_wan"] == metrics["npv_after_grants_wan"]


def test_each_end_of_a_bar_is_the_scenario_with_that_input_set(zoucheng):
    scenario, sens = zoucheng
    for row in sens.tornado.itertuples():
        path = row.input.removeprefix("projects.")
        for value, npv in ((row.low_value, row.npv_low_wan), (row.high_value, row.npv_high_wan)):
            text = repr(int(value)) if path.endswith("_years") else repr(float(value))  # a count is whole
            moved = fm.load_project_scenario(RISKY, [f"projects.{path}={text}"])
            expected = fm.evaluate(moved).metrics.loc["zoucheng", "npv_after_grants_wan"]
            assert npv == pytest.approx(expected, rel=1e-12, abs=1e-9), (row.input, value)


def test_the_ends_are_the_inputs_5th_and_95th_percentiles(zoucheng):
    _, sens = zoucheng
    by_input = sens.tornado.set_index("input")
    # uniform 596.74–895.10: P5 and P95 by hand
    row = by_input.loc["projects.zoucheng.income.property.amount_wan_per_year"]
    assert row["low_value"] == pytest.approx(596.74 + 0.05 * (895.10 - 596.74))
    assert row["high_value"] == pytest.approx(596.74 + 0.95 * (895.10 - 596.74))
    # triangular (0.6, 0.8, 0.9): P5 = a + sqrt(0.05 (b − a)(c − a)), P95 = b − sqrt(0.05 (b − a)(b − c))
    row = by_input.loc["projects.zoucheng.income.parking.occupancy"]
    assert row["low_value"] == pytest.approx(0.6 + np.sqrt(0.05 * 0.3 * 0.2))
    assert row["high_value"] == pytest.approx(0.9 - np.sqrt(0.05 * 0.3 * 0.1))


def test_bars_are_ranked_by_the_swing_of_the_balance_margin(zoucheng):
    _, sens = zoucheng
    swing = sens.tornado["swing_wan"].to_numpy()
    assert (np.diff(swing) <= 0).all()
    np.testing.assert_allclose(swing, (sens.tornado["margin_high_wan"] - sens.tornado["margin_low_wan"]).abs())


def test_the_break_even_is_the_engines_and_balances_the_npv(zoucheng):
    scenario, sens = zoucheng
    row = sens.tornado.set_index("input").loc["projects.zoucheng.income.parking.occupancy"]
    table = fm.evaluate(scenario).break_even.set_index("input")
    assert row["break_even"] == table.at["income.parking.occupancy", "break_even"]
    at = fm.load_project_scenario(RISKY, [f"projects.zoucheng.income.parking.occupancy={float(row['break_even'])!r}"])
    assert fm.evaluate(at).metrics.at["zoucheng", "npv_after_grants_wan"] == pytest.approx(0.0, abs=1e-6)
    rate = sens.tornado.set_index("input").loc["projects.zoucheng.loans.bank.rate"]
    assert np.isnan(rate["break_even"])  # the engine has no break-even for a loan's rate


def test_the_spider_passes_through_the_tornados_ends(zoucheng):
    _, sens = zoucheng
    spider = sens.spider.set_index(["input", "percentile"])
    for row in sens.tornado.itertuples():
        assert spider.at[(row.input, 5), "npv_wan"] == row.npv_low_wan
        assert spider.at[(row.input, 95), "npv_wan"] == row.npv_high_wan
    assert sorted(set(sens.spider["percentile"])) == [5, 10, 25, 50, 75, 90, 95]


def test_a_bundle_keeps_each_members_own_values(tmp_path):
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    path = tmp_path / "bundle.toml"
    path.write_text(text + '\n[risk]\n[[risk.inputs]]\nkey = "projects.*.income.parking.occupancy"\n'
                           'distribution = "uniform"\nlow = 0.5\nhigh = 0.9\n', encoding="utf-8")
    scenario = fm.load_project_scenario(path)
    sens = fm.sensitivity(scenario)
    units = check_modes(fm.evaluate(scenario)).units
    east = units.loc["east"]
    margin = min(east["npv_margin_wan"], east["coverage_margin_wan"], east["cash_margin_wan"])
    assert sens.base.at["east", "margin_wan"] == pytest.approx(margin, rel=1e-12)
    assert sens.base.at["east", "npv_wan"] == pytest.approx(east["npv_wan"], rel=1e-12)
    assert sens.tornado.loc[sens.tornado["unit"] == "east", "break_even"].isna().all()


def test_chosen_units_and_an_unknown_one(zoucheng):
    scenario, _ = zoucheng
    assert list(fm.sensitivity(scenario, ["zoucheng"]).base.index) == ["zoucheng"]
    with pytest.raises(fm.InputError, match="neither a project nor a bundle"):
        fm.sensitivity(scenario, ["nowhere"])


def test_validate_names_an_unknown_unit(tmp_path, capsys):
    from finmodel.cli import main

    path = tmp_path / "units.toml"
    path.write_text(RISKY.read_text(encoding="utf-8").replace("dscr_at_least = 1.0", 'dscr_at_least = 1.0\n'
                                                                 'sensitivity_units = ["nosuch"]'), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "risk.sensitivity_units" in capsys.readouterr().err


def test_a_break_even_no_line_can_reach_is_not_shown():
    scenario = fm.load_project_scenario(PROJECTS / "bundling-2024.toml")
    table = fm.evaluate(scenario).break_even.set_index(["project", "input"])
    assert table.at[("P01", "income.parking.occupancy"), "break_even"] > 1
    sens = fm.sensitivity(scenario, ["P01"], risk={"inputs": [{"key": "projects.P01.income.parking.occupancy",
                                                                "distribution": "uniform", "low": 0.6, "high": 0.9}]})
    assert sens.tornado["break_even"].isna().all()

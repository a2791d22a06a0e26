"""A construction delay: the works take longer at the schedule's pace, operation starts later and runs its years;
set by --set, by a table's column or drawn by [risk], it gives the project written out with the longer phases."""

from __future__ import annotations

import numpy as np
import pytest

import finmodel as fm
from finmodel.cashflow.scenario import stretched
from finmodel.modes import check_modes

from .conftest import ROOT

PROJECTS = ROOT / "scenarios" / "projects"
ZOUCHENG = PROJECTS / "zoucheng-2024.toml"
KEY = "projects.zoucheng.construction_delay_years"


def test_a_schedule_is_stretched_at_its_pace():
    # 60 % then 40 % over two years, spread over three: done by 2/3 of a year 0.4, by 4/3 0.6 + 0.4/3
    np.testing.assert_allclose(stretched([0.6, 0.4], 3), [0.4, 0.6 + 0.4 / 3 - 0.4, 1 - 0.6 - 0.4 / 3], rtol=1e-15)
    assert stretched([1.0], 2) == [0.5, 0.5]
    assert sum(stretched([0.2, 0.5, 0.3], 7)) == pytest.approx(1.0, abs=1e-15)


def test_a_delay_is_the_project_written_with_the_longer_phases():
    delayed = fm.evaluate(fm.load_project_scenario(ZOUCHENG, [f"{KEY}=1"])).metrics.loc["zoucheng"]
    by_hand = fm.evaluate(fm.load_project_scenario(ZOUCHENG, [
        "projects.zoucheng.construction_years=3", f"projects.zoucheng.capex.schedule={stretched([0.6, 0.4], 3)!r}",
    ])).metrics.loc["zoucheng"]
    for column in ("npv_after_grants_wan", "funding_gap_wan", "cumulative_cash_min_wan", "construction_interest_wan",
                   "irr_project", "dscr_min"):
        assert delayed[column] == by_hand[column], column
    on_time = fm.evaluate(fm.load_project_scenario(ZOUCHENG)).metrics.loc["zoucheng"]
    assert delayed["npv_after_grants_wan"] < on_time["npv_after_grants_wan"]
    # a year more of coupons and interest before any income: 20,000 × 2.67 % + the bank's
    assert delayed["construction_interest_wan"] - on_time["construction_interest_wan"] == pytest.approx(
        20000 * 0.0267 + (2052.8 - 1371.6 - 534.0), rel=1e-9)


def test_drawn_delays_give_each_draw_the_run_with_its_delay(tmp_path):
    text = ZOUCHENG.read_text(encoding="utf-8")
    path = tmp_path / "delay.toml"
    path.write_text(text + f'\n[risk]\ndraws = 40\n[[risk.inputs]]\nkey = "{KEY}"\ndistribution = "choice"\n'
                           'values = [0, 1, 2]\nweights = [0.5, 0.3, 0.2]\n', encoding="utf-8")
    result = fm.simulate(fm.load_project_scenario(path), workers=0)
    delays = result.draws[KEY].to_numpy()
    assert set(delays) == {0, 1, 2}
    for delay in (0, 1, 2):
        expected = fm.evaluate(fm.load_project_scenario(ZOUCHENG, [f"{KEY}={delay}"])).metrics.loc["zoucheng"]
        got = result.samples["npv_wan"]["zoucheng"].to_numpy()[delays == delay]
        assert (got == expected["npv_after_grants_wan"]).all()
        gap = result.samples["funding_gap_wan"]["zoucheng"].to_numpy()[delays == delay]
        assert (gap == expected["funding_gap_wan"]).all()


def test_a_bundle_with_a_delayed_member(tmp_path):
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    key = "projects.east-a.construction_delay_years"
    path = tmp_path / "bundle.toml"
    path.write_text(text + f'\n[risk]\ndraws = 3\n[[risk.inputs]]\nkey = "{key}"\ndistribution = "uniform"\n'
                           'low = 1\nhigh = 1\n', encoding="utf-8")
    result = fm.simulate(fm.load_project_scenario(path), workers=0)
    east = check_modes(fm.evaluate(fm.load_project_scenario(PROJECTS / "area-bundle-2024.toml",
                                                            [f"{key}=1"]))).units.loc["east"]
    margin = min(east["npv_margin_wan"], east["coverage_margin_wan"], east["cash_margin_wan"])
    np.testing.assert_allclose(result.samples["margin_wan"]["east"], margin, rtol=1e-12, atol=1e-9)


def test_a_delay_that_breaks_the_project_is_named(tmp_path):
    late = ["projects.zoucheng.income.parking.first_year=2026"]  # income from 2026: fine on time, not a year late
    fm.load_project_scenario(ZOUCHENG, late)
    with pytest.raises(fm.InputError, match="construction delay of 1 years operation starts in 2027") as caught:
        fm.load_project_scenario(ZOUCHENG, late + [f"{KEY}=1"])
    assert caught.value.key == "projects.zoucheng.income.parking.first_year"
    path = tmp_path / "delay.toml"
    path.write_text(ZOUCHENG.read_text(encoding="utf-8").replace("occupancy = 0.80", "occupancy = 0.80\nfirst_year = 2026")
                    + f'\n[[risk.inputs]]\nkey = "{KEY}"\ndistribution = "uniform"\nlow = 0\nhigh = 2\n',
                    encoding="utf-8")
    with pytest.raises(fm.InputError, match="construction delay of 1 years, a value its draws can take") as caught:
        fm.load_project_scenario(path)
    assert caught.value.key == "risk.inputs[0]"


def test_a_table_column_of_delays(tmp_path):
    (tmp_path / "rows.csv").write_text("id,name,construction_delay_years\na,甲,0\nb,乙,2\n", encoding="utf-8")
    path = tmp_path / "t.toml"
    path.write_text(ZOUCHENG.read_text(encoding="utf-8")
                    + '\n[project_table]\ntable = "rows.csv"\ntemplate = "zoucheng"\n', encoding="utf-8")
    metrics = fm.evaluate(fm.load_project_scenario(path)).metrics
    for pid, delay in (("a", 0), ("b", 2)):
        alone = fm.evaluate(fm.load_project_scenario(ZOUCHENG, [f"{KEY}={delay}"])).metrics.loc["zoucheng"]
        assert metrics.at[pid, "npv_after_grants_wan"] == pytest.approx(alone["npv_after_grants_wan"], rel=1e-12)


def test_a_continuous_delay_is_shown_at_the_whole_years_it_runs(tmp_path):
    path = tmp_path / "delay.toml"
    path.write_text(ZOUCHENG.read_text(encoding="utf-8") + f'\n[risk]\ndraws = 50\n[[risk.inputs]]\nkey = "{KEY}"\n'
                    'distribution = "uniform"\nlow = 0\nhigh = 2\n', encoding="utf-8")
    scenario = fm.load_project_scenario(path)
    sens = fm.sensitivity(scenario)
    assert sens.tornado[["low_value", "high_value"]].values.tolist() == [[0.0, 2.0]]
    assert set(sens.spider["value"]) <= {0.0, 1.0, 2.0}
    draws = fm.simulate(scenario, workers=0).draws[KEY]
    assert set(draws) <= {0.0, 1.0, 2.0}

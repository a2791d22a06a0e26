"""Land-transfer support (济政办字〔2020〕21号 六(三)): a share of a land premium returned to a bundle's project is
money in, in its year, not repaid: it raises the project's and the bundle's NPV after grants by its present value."""

from __future__ import annotations

import pytest

import finmodel as fm

from .conftest import ROOT

PROJECTS = ROOT / "scenarios" / "projects"
WITH = PROJECTS / "land-return-2024.toml"
WITHOUT = PROJECTS / "area-bundle-2024.toml"


def test_the_returned_premium_adds_its_present_value():
    with_land, without = (fm.evaluate(fm.load_project_scenario(f)) for f in (WITH, WITHOUT))
    returned = 6000 * 0.3 / 1.03 ** (2026 - 2024)  # by hand: 30 % of 6,000 万元 two years after year 0, at 3 %
    delta = (with_land.metrics.at["factory", "npv_after_grants_wan"]
             - without.metrics.at["factory", "npv_after_grants_wan"])
    assert delta == pytest.approx(returned, rel=1e-12)
    assert with_land.metrics.at["factory", "land_returns_wan"] == pytest.approx(1800)
    assert with_land.metrics.at["factory", "npv_wan"] == without.metrics.at["factory", "npv_wan"]  # before support
    bundles = [fm.check_modes(r).units.loc["east", "npv_wan"] for r in (with_land, without)]
    assert bundles[0] - bundles[1] == pytest.approx(returned, rel=1e-12)
    annual = with_land.cashflow("factory").annual()
    assert annual.loc[2026, "land_plot-3_wan"] == pytest.approx(1800) and annual["land_returns_wan"].sum() == 1800


def test_the_share_and_premium_can_be_set_and_drawn(tmp_path):
    base = fm.evaluate(fm.load_project_scenario(WITH, ["projects.factory.land_returns.plot-3.returned_share=0.5"]))
    assert base.metrics.at["factory", "land_returns_wan"] == pytest.approx(3000)
    path = tmp_path / "risk.toml"
    path.write_text(WITH.read_text(encoding="utf-8") + '\n[risk]\ndraws = 4\n[[risk.inputs]]\nkey = '
                    '"projects.factory.land_returns.plot-3.premium_wan"\ndistribution = "uniform"\nlow = 6000\n'
                    'high = 6000\n', encoding="utf-8")
    result = fm.simulate(fm.load_project_scenario(path), workers=0)
    expected = fm.evaluate(fm.load_project_scenario(WITH)).metrics.at["factory", "npv_after_grants_wan"]
    assert (result.samples["npv_wan"]["factory"] == expected).all()


def test_a_year_outside_the_project_is_refused():
    with pytest.raises(fm.InputError, match="outside the project's years") as caught:
        fm.load_project_scenario(WITH, ["projects.factory.land_returns.plot-3.year=2060"])
    assert caught.value.key == "projects.factory.land_returns.plot-3.year"


def test_the_readme_quotes_the_run():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    npv = [fm.check_modes(fm.evaluate(fm.load_project_scenario(f))).units.loc["east", "npv_wan"] for f in (WITHOUT, WITH)]
    assert f"rises from {npv[0]:,.2f} to\n{npv[1]:,.2f} 万元" in readme

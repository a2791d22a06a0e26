"""The bundled Jinan data agree with the published 2023 plan, and every estimate says so."""

from __future__ import annotations

import csv

import pytest

import finmodel as fm

from .conftest import JINAN

TABLE = JINAN.parent / "data" / "jinan-2023-districts.csv"

# 2023 plan by district (m.360kss.com/jingyan/5610749266.html): communities, buildings, households, 万m².
PUBLISHED = {
    "历下区": (226, 1276, 56525, 402.59),
    "市中区": (101, 414, 14133, 107.14),
    "槐荫区": (38, 121, 5680, 52.10),
    "天桥区": (11, 195, 10003, 69.93),
    "历城区": (15, 39, 1608, 16.57),
    "长清区": (44, 76, 2159, 22.90),
    "章丘区": (10, 17, 536, 3.99),
}
PUBLISHED_TOTAL = (525, 2440, 99891, 755.91)
# 2015 general budget, 万元 (Shandong Statistical Yearbook 2016, table 21-1)
BUDGET_2015 = {"历下区": (1305958, 562324), "市中区": (922817, 390276), "槐荫区": (450489, 318610),
               "天桥区": (390544, 287586), "历城区": (701012, 562696), "长清区": (179413, 284514),
               "章丘区": (469917, 630605), "商河县": (90227, 282950)}


@pytest.fixture(scope="module")
def rows():
    with open(TABLE, encoding="utf-8") as handle:
        return {r["district"]: r for r in csv.DictReader(handle)}


def test_totals_equal_the_published_plan(rows):
    totals = [sum(int(r[c]) for r in rows.values()) for c in ("communities", "buildings", "households")]
    area = sum(int(r["floor_area_m2"]) for r in rows.values())
    assert tuple(totals) + (area / 10000,) == pytest.approx(PUBLISHED_TOTAL, abs=1e-9)


def test_published_rows_transcribed_exactly(rows):
    for name, (communities, buildings, households, area) in PUBLISHED.items():
        row = rows[name]
        assert (int(row["communities"]), int(row["buildings"]), int(row["households"])) == (
            communities, buildings, households)
        assert int(row["floor_area_m2"]) == round(area * 10000)
    assert int(rows["莱芜区"]["communities"]) == 8 and int(rows["莱芜区"]["buildings"]) == 58
    assert int(rows["商河县"]["communities"]) == 66
    for name, (revenue, expenditure) in BUDGET_2015.items():
        assert (int(rows[name]["budget_revenue_wan"]), int(rows[name]["budget_expenditure_wan"])) == (
            revenue, expenditure)
        assert float(rows[name]["fiscal_capacity_ratio"]) == pytest.approx(revenue / expenditure, abs=5e-5)


def test_every_estimate_is_marked(rows):
    for name, row in rows.items():
        estimated = set(row["estimated_fields"].split(";"))
        assert {"investment_wan", "performance_score"} <= estimated, name
        assert "estimated:" in row["source"] and "published:" in row["source"], name
        if name not in PUBLISHED:
            assert "households" in estimated and "floor_area_m2" in estimated, name
        if name not in BUDGET_2015:
            assert "budget_revenue_wan" in estimated, name
        for field in estimated:
            assert field in row, f"{name}: unknown column {field!r} in estimated_fields"


def test_scenario_weights_are_the_cited_parameters():
    scenario = fm.load_scenario(JINAN)
    # 财综〔2019〕31号's central weights (its first-year set, performance acting on volume as a coefficient); Hebei's
    # 2019 reward-fund weights (an assumption for Shandong's pool): households 20 : investment 70 with floor area
    # standing for the unpublished investment, performance 10 % as a reward slice; the policy's difficulty tiers.
    assert scenario.pool("central").weights == {"floor_area_m2": 0.4, "households": 0.4, "buildings": 0.1,
                                                "communities": 0.1}
    assert scenario.pool("central").performance.form == "coefficient"
    provincial = scenario.pool("provincial")
    assert provincial.weights == {"households": 0.2222222222, "floor_area_m2": 0.7777777778}
    assert provincial.weights["households"] * 0.9 == pytest.approx(0.2, abs=1e-10)
    assert (provincial.performance.form, provincial.performance.reward_share) == ("reward_slice", 0.1)
    city = scenario.pool("city")
    assert (city.performance.form, city.inverse, city.inverse_by) == ("coefficient", ["fiscal_capacity_ratio"],
                                                                      "households")
    assert scenario.config.difficulty.tiers == scenario.policy["difficulty_tiers"] == (1.2, 1.0, 0.8)
    for pool in scenario.pools:
        assert pool.amount_source.startswith("assumption")
        assert pool.weights_source


def test_jinan_difficulty_tiers():
    """Ten units by self-sufficiency: the poorest four (≤ the 1/3 quantile, 0.6306) get 1.2."""
    from finmodel.allocation import difficulty_for

    scenario = fm.load_scenario(JINAN)
    coef = dict(zip(scenario.districts.index, difficulty_for(scenario, "difficulty_coef")))
    assert {k for k, v in coef.items() if v == 1.2} == {"商河县", "其他区县（未列明）", "莱芜区", "长清区"}
    assert {k for k, v in coef.items() if v == 1.0} == {"章丘区", "历城区", "天桥区"}
    assert {k for k, v in coef.items() if v == 0.8} == {"槐荫区", "历下区", "市中区"}

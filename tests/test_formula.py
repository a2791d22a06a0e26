"""The factor formula against values worked out by hand, and its invariants."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel as fm
from finmodel.allocation import factor_formula
from finmodel.policy import tiered_difficulty

from .conftest import write_scenario

HAND_ROWS = [
    # district, households, floor area, performance, fiscal self-sufficiency, difficulty
    {"district": "甲区", "households": 100, "floor_area_m2": 1000, "performance_score": 80,
     "fiscal_capacity_ratio": 2.0, "difficulty_coef": 0.8},
    {"district": "乙区", "households": 200, "floor_area_m2": 1000, "performance_score": 90,
     "fiscal_capacity_ratio": 1.0, "difficulty_coef": 1.0},
    {"district": "丙县", "households": 300, "floor_area_m2": 2000, "performance_score": 100,
     "fiscal_capacity_ratio": 0.5, "difficulty_coef": 1.2},
]
HAND_POOL = {
    "id": "city", "label": "市级财政补助资金", "amount_wan": 1000.0, "difficulty": "difficulty_coef",
    "inverse": ["fiscal_capacity_ratio"],
    "weights": {"households": 0.4, "floor_area_m2": 0.2, "performance_score": 0.2, "fiscal_capacity_ratio": 0.2},
}

# Worked by hand:
#   households × D:            80, 200, 360   (sum 640)  → 1/8, 5/16, 9/16
#   floor area × D:           800, 1000, 2400 (sum 4200) → 4/21, 5/21, 12/21
#   performance (no D):        80, 90, 100    (sum 270)  → 8/27, 9/27, 10/27
#   (1 / self-sufficiency) × D: 0.4, 1, 2.4   (sum 3.8)  → 2/19, 5/19, 12/19
HAND_SHARES = {
    "甲区": F(2, 5) * F(1, 8) + F(1, 5) * F(4, 21) + F(1, 5) * F(8, 27) + F(1, 5) * F(2, 19),
    "乙区": F(2, 5) * F(5, 16) + F(1, 5) * F(5, 21) + F(1, 5) * F(9, 27) + F(1, 5) * F(5, 19),
    "丙县": F(2, 5) * F(9, 16) + F(1, 5) * F(12, 21) + F(1, 5) * F(10, 27) + F(1, 5) * F(12, 19),
}


def test_hand_example_matches_to_1e_9(tmp_path):
    assert sum(HAND_SHARES.values()) == 1
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, HAND_ROWS, [HAND_POOL])))
    table = result.table
    for district, share in HAND_SHARES.items():
        assert table.at[district, "city_share"] == pytest.approx(float(share), abs=1e-9)
        assert table.at[district, "city_formula_wan"] == pytest.approx(float(1000 * share), abs=1e-9)


def test_hand_example_intermediates(tmp_path):
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, HAND_ROWS, [HAND_POOL])))
    factors = result.factors.set_index(["district", "factor"])
    # Performance is not multiplied by the difficulty coefficient; the inverse factor is.
    assert factors.at[("丙县", "performance_score"), "difficulty_coef"] == 1.0
    assert factors.at[("丙县", "fiscal_capacity_ratio"), "adjusted_value"] == pytest.approx(2.4, abs=1e-12)
    assert factors.at[("甲区", "households"), "factor_share"] == pytest.approx(1 / 8, abs=1e-12)
    assert factors.at[("乙区", "floor_area_m2"), "weighted_share"] == pytest.approx(0.2 * 5 / 21, abs=1e-12)
    assert factors.at[("甲区", "fiscal_capacity_ratio"), "factor_share"] == pytest.approx(2 / 19, abs=1e-12)


def test_hand_example_rounded_amounts(tmp_path):
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, HAND_ROWS, [HAND_POOL])))
    exact = {d: 1000 * s * 100 for d, s in HAND_SHARES.items()}  # in 0.01 万元
    floors = {d: int(v) for d, v in exact.items()}
    left = 100_000 - sum(floors.values())
    by_remainder = sorted(exact, key=lambda d: exact[d] - floors[d], reverse=True)
    expected = {d: floors[d] + (1 if d in by_remainder[:left] else 0) for d in exact}
    assert result.amount_units["city"].to_dict() == expected
    assert int(result.amount_units["city"].sum()) == 100_000


def test_difficulty_by_tercile_by_hand():
    ratio = np.array([0.3, 0.5, 0.9, 1.1, 1.5, 2.0])
    # Cut points: 1/3 quantile = 0.5 + (2/3)(0.9 − 0.5) ≈ 0.767; 2/3 quantile = 1.1 + (1/3)(1.5 − 1.1) ≈ 1.233
    assert tiered_difficulty(ratio, (1.2, 1.0, 0.8)).tolist() == [1.2, 1.2, 1.0, 1.0, 0.8, 0.8]
    # A unit exactly on a cut point takes the poorer tier.
    assert tiered_difficulty(np.array([1.0, 2.0, 3.0, 4.0]), (1.2, 1.0, 0.8)).tolist() == [1.2, 1.2, 1.0, 0.8]


def test_derived_difficulty_enters_the_formula(tmp_path):
    rows = [
        {"district": name, "households": 100, "budget_revenue_wan": rev, "budget_expenditure_wan": 100}
        for name, rev in [("甲", 30), ("乙", 50), ("丙", 90), ("丁", 110), ("戊", 150), ("己", 200)]
    ]
    pool = {"id": "central", "label": "中央", "amount_wan": 620.0, "difficulty": "difficulty_coef",
            "weights": {"households": 1.0}}
    path = write_scenario(tmp_path, rows, [pool], extra='[difficulty]\ncolumn = "difficulty_coef"\n')
    result = fm.allocate(fm.load_scenario(path))
    # Equal households, so shares follow the coefficients 1.2, 1.2, 1.0, 1.0, 0.8, 0.8 (sum 6.0).
    assert result.table["central_formula_wan"].round(9).to_dict() == {
        "甲": 124.0, "乙": 124.0, "丙": 103.333333333, "丁": 103.333333333, "戊": 82.666666667, "己": 82.666666667,
    }


def test_table_column_overrides_derivation(tmp_path):
    rows = [{"district": "甲", "households": 1, "difficulty_coef": 2.0, "budget_revenue_wan": 1,
             "budget_expenditure_wan": 1},
            {"district": "乙", "households": 1, "difficulty_coef": 1.0, "budget_revenue_wan": 9,
             "budget_expenditure_wan": 1}]
    pool = {"id": "central", "label": "中央", "amount_wan": 300.0, "difficulty": "difficulty_coef",
            "weights": {"households": 1.0}}
    path = write_scenario(tmp_path, rows, [pool], extra='[difficulty]\ncolumn = "difficulty_coef"\n')
    result = fm.allocate(fm.load_scenario(path))
    assert result.table["central_formula_wan"].to_dict() == {"甲": 200.0, "乙": 100.0}


# ------------------------------------------------------------------------------------------------
# Properties on random tables

positive = st.floats(min_value=0.01, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def random_pool(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    k = draw(st.integers(min_value=1, max_value=5))
    factors = [f"f{j}" for j in range(k)]
    values = np.array(draw(st.lists(st.lists(positive, min_size=k, max_size=k), min_size=n, max_size=n)))
    raw_weights = draw(st.lists(st.integers(min_value=1, max_value=100), min_size=k, max_size=k))
    weights = {f: w / sum(raw_weights) for f, w in zip(factors, raw_weights)}
    difficulty = np.array(draw(st.lists(st.sampled_from([0.8, 1.0, 1.2]), min_size=n, max_size=n)))
    inverse = [f for f in factors if draw(st.booleans())]
    table = pd.DataFrame(values, columns=factors, index=[f"d{i}" for i in range(n)])
    units = draw(st.integers(min_value=0, max_value=10**11))
    return table, weights, difficulty, inverse, units


@settings(max_examples=200, deadline=None)
@given(random_pool())
def test_rounded_pool_sums_exactly_and_never_negative(case):
    table, weights, difficulty, inverse, units = case
    result = factor_formula(table, weights, units / 100, difficulty=difficulty, inverse=inverse)
    share = result.districts["share"].to_numpy()
    rounded = fm.largest_remainder(share, units)
    assert int(rounded.sum()) == units
    assert (rounded >= 0).all()
    assert np.abs(rounded - share * units).max() < 1 + 1e-6 * max(units, 1)
    assert share.sum() == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(random_pool(), st.sampled_from([2.0, 0.5, 3.0]))
def test_scaling_a_factor_keeps_the_shares(case, scale):
    table, weights, difficulty, inverse, units = case
    before = factor_formula(table, weights, 1.0, difficulty=difficulty, inverse=inverse).districts["share"]
    first = next(iter(weights))
    after = factor_formula(table.assign(**{first: table[first] * scale}), weights, 1.0,
                           difficulty=difficulty, inverse=inverse).districts["share"]
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), rtol=1e-9, atol=1e-12)


def test_doubling_households_keeps_shares_of_jinan(jinan_path, tmp_path):
    base = fm.allocate(fm.load_scenario(jinan_path))
    table = base.scenario.district_table.reset_index()
    table["households"] = table["households"].astype(int) * 2
    data = tmp_path / "data"
    data.mkdir()
    table.to_csv(data / "jinan-2023-districts.csv", index=False)
    (tmp_path / "jinan.toml").write_text(jinan_path.read_text(encoding="utf-8"), encoding="utf-8")
    doubled = fm.allocate(fm.load_scenario(tmp_path / "jinan.toml"))
    for pool in base.scenario.pools:
        np.testing.assert_allclose(doubled.table[f"{pool.id}_share"], base.table[f"{pool.id}_share"], rtol=1e-12)
        assert doubled.amount_units[pool.id].equals(base.amount_units[pool.id])


def test_proportional_factor_columns_are_named_once_per_pair():
    # investment = area × 0.03 in every unit (as the bundled Jinan table estimates it): one quantity, counted twice.
    from types import SimpleNamespace

    from finmodel.allocation.diagnose import proportional_factors
    from finmodel.labels import finding_text

    table = pd.DataFrame({"floor_area_m2": [1000.0, 2500.0, 400.0], "investment_wan": [30.0, 75.0, 12.0],
                          "households": [10.0, 20.0, 7.0]}, index=["甲", "乙", "丙"])

    def pool(pid, weights, inverse=()):
        return SimpleNamespace(id=pid, label=f"{pid}资金", label_en=None, weights=weights, inverse=list(inverse),
                               unweighted=[])

    pools = [pool("a", {"floor_area_m2": 0.5, "investment_wan": 0.3, "households": 0.2}),
             pool("b", {"floor_area_m2": 0.6, "investment_wan": 0.4}),
             pool("c", {"floor_area_m2": 0.6, "investment_wan": 0.4}, inverse=["investment_wan"]),  # not alike
             pool("d", {"households": 0.5, "floor_area_m2": 0.5})]  # 10 : 1000 is not 20 : 2500
    findings = proportional_factors(table, pools)
    assert [(f.code, dict(f.values)["first"], dict(f.values)["second"]) for f in findings] == [
        ("proportional_factors", "floor_area_m2", "investment_wan")]
    values = dict(findings[0].values)
    assert values["ratio"] == pytest.approx(0.03)
    assert [p[0] for p in values["pools"]] == ["a资金", "b资金"]
    assert "a资金（0.5 + 0.3）" in finding_text(findings[0], "zh")


def test_the_jinan_run_says_that_investment_only_repeats_floor_area(capsys, tmp_path):
    from finmodel.cli import main

    from .conftest import ROOT
    # The bundled scenario gives investment's weight to floor area; weighted beside it, investment only repeats it.
    assert main(["run", str(ROOT / "scenarios" / "jinan-2023.toml"), "--out", str(tmp_path / "out"),
                 "--set", "pools.provincial.weights.investment_wan=0.3",
                 "--set", "pools.provincial.weights.floor_area_m2=0.4777777778"]) == 0
    out = capsys.readouterr().out.replace("\n  ", "")  # a long line is broken to fit the terminal
    assert "注：因素“投资额（万元）”与“改造面积（平方米）”在各单位成比例" in out


def _no_plan_scenario(tmp_path, extra=""):
    from .conftest import write_scenario

    rows = [{"district": "甲", "households": 10, "performance_score": 80},
            {"district": "乙", "households": 0, "performance_score": 90},  # nothing planned
            {"district": "丙", "households": 30, "performance_score": 70}]
    pools = [{"id": "city", "label": "市级", "amount_wan": 100.0,
              "weights": {"households": 0.5, "performance_score": 0.5}}]
    return write_scenario(tmp_path, rows, pools, extra=extra)


def test_a_unit_with_no_renovation_planned_gets_nothing_from_any_factor(tmp_path):
    # 乙 plans no households: performance is shared between 甲 and 丙 alone, 80 : 70.
    result = fm.allocate(fm.load_scenario(_no_plan_scenario(tmp_path)))
    amounts = result.amount_wan["city"]
    assert amounts["乙"] == 0
    assert float(result.formula_wan.loc["甲", "city"]) == pytest.approx(100 * (0.5 * 10 / 40 + 0.5 * 80 / 150))
    assert float(result.formula_wan.loc["丙", "city"]) == pytest.approx(100 * (0.5 * 30 / 40 + 0.5 * 70 / 150))
    check = next(c for c in result.checks if c.code == "no_plan_no_money")
    assert check.passed and check.detail == "1 / 0.00"


def test_allow_no_plan_lets_the_other_factors_pay_and_the_check_lists_it(tmp_path):
    path = _no_plan_scenario(tmp_path, extra="allow_no_plan = true\n")
    result = fm.allocate(fm.load_scenario(path))
    assert float(result.formula_wan.loc["乙", "city"]) == pytest.approx(100 * 0.5 * 90 / 240)
    check = next(c for c in result.checks if c.code == "no_plan_allowed")
    assert check.passed and check.detail == "1 / 18.75"


def test_no_unit_with_a_plan_is_an_input_error(tmp_path):
    from finmodel.cli import main
    from .conftest import write_scenario

    rows = [{"district": "甲", "households": 0, "performance_score": 80},
            {"district": "乙", "households": 0, "performance_score": 90}]
    path = write_scenario(tmp_path, rows, [{"id": "city", "label": "市级", "amount_wan": 100.0,
                                            "weights": {"performance_score": 1.0}}])
    assert main(["validate", str(path)]) == 2  # validate refuses what run would
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2


def test_the_lp_gives_a_unit_with_no_plan_nothing_either(tmp_path):
    # A–C planned, D not; no unit may take more than 30 of the 100: the 10 left over stays 未分配, not with D.
    from .conftest import write_scenario

    rows = [{"district": "A", "households": 10, "performance_score": 80},
            {"district": "B", "households": 20, "performance_score": 85},
            {"district": "C", "households": 30, "performance_score": 70},
            {"district": "D", "households": 0, "performance_score": 90}]
    path = write_scenario(tmp_path, rows, [{"id": "city", "label": "市级", "amount_wan": 100.0,
                                            "weights": {"households": 0.5, "performance_score": 0.5}}],
                          extra="[allocation]\nmax_pool_share = 0.30\nallow_unallocated = true\n")
    result = fm.allocate(fm.load_scenario(path))
    assert result.amount_wan["city"].to_dict() == {"A": 30.0, "B": 30.0, "C": 30.0, "D": 0.0}
    assert int(result.unallocated_units["city"]) == 10_00
    assert all(c.passed for c in result.checks)


def _performance_scenario(tmp_path, form: str, scores=(96, 80, 70)):
    from .conftest import write_scenario

    tmp_path.mkdir(parents=True, exist_ok=True)
    rows = [{"district": d, "households": h, "performance_score": s}
            for d, h, s in zip("甲乙丙", (10, 30, 60), scores)]
    pool = {"id": "city", "label": "市级", "amount_wan": 100.0, "weights": {"households": 1.0}}
    path = write_scenario(tmp_path, rows, [pool])
    text = path.read_text(encoding="utf-8") + f'\n[pools.performance]\nform = "{form}"\nreward_share = 0.2\n'
    path.write_text(text, encoding="utf-8")
    return path


def test_performance_as_a_coefficient_on_volume(tmp_path):
    # Grades by the cut-offs 95/85/75: 96 优 (1.2), 80 合格 (1.0), 70 差 (0.8). Households × coefficient: 12, 30, 48.
    result = fm.allocate(fm.load_scenario(_performance_scenario(tmp_path, "coefficient")))
    amounts = result.formula_wan["city"]
    assert amounts.to_dict() == pytest.approx({"甲": 100 * 12 / 90, "乙": 100 * 30 / 90, "丙": 100 * 48 / 90})
    # A better score now moves money, in proportion to volume: 丙 from 差 (0.8) to 优 (1.2) → 72 of 114.
    better = fm.allocate(fm.load_scenario(_performance_scenario(tmp_path / "b", "coefficient", (96, 80, 100))))
    assert float(better.formula_wan.loc["丙", "city"]) == pytest.approx(100 * 72 / 114)


def test_performance_as_a_reward_slice(tmp_path):
    # 80 % by households (0.1, 0.3, 0.6), 20 % by coefficient × households (12, 30, 48 of 90).
    result = fm.allocate(fm.load_scenario(_performance_scenario(tmp_path, "reward_slice")))
    share = {"甲": 0.8 * 0.1 + 0.2 * 12 / 90, "乙": 0.8 * 0.3 + 0.2 * 30 / 90, "丙": 0.8 * 0.6 + 0.2 * 48 / 90}
    assert result.formula_wan["city"].to_dict() == pytest.approx({d: 100 * s for d, s in share.items()})
    districts = result.formula["city"].districts
    assert districts["task_share"].tolist() == pytest.approx([0.1, 0.3, 0.6])
    assert districts["reward_share"].tolist() == pytest.approx([12 / 90, 30 / 90, 48 / 90])


def test_a_score_that_is_both_a_weight_and_a_coefficient_is_refused(tmp_path):
    from finmodel.errors import InputError
    path = _performance_scenario(tmp_path, "coefficient")
    with pytest.raises(InputError, match="both a weight and"):
        fm.load_scenario(path, {"pools.city.weights.performance_score": 0.0})


@pytest.mark.parametrize("form", ["coefficient", "reward_slice"])
def test_the_factor_sheet_prints_what_a_reviewer_needs_to_recompute_each_form(tmp_path, form):
    # Read back only the printed cells and recompute every unit's formula amount from them.
    import openpyxl

    from finmodel.cli import main
    path = _performance_scenario(tmp_path, form)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")["因素测算"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(k for k, r in enumerate(rows) if r[0] == "区县")
    names = rows[header]
    body = [r for r in rows[header + 2:] if r[0] in ("甲", "乙", "丙")]
    col = {name: k for k, name in enumerate(names) if name}
    coef = [r[col["绩效系数"]] for r in body]
    households = [r[col["改造户数（户）　权重 1"]] for r in body]  # the factor's original value
    if form == "coefficient":
        adjusted = [h * c for h, c in zip(households, coef)]
        expected = [100 * a / sum(adjusted) for a in adjusted]
    else:
        volume = [r[col["改造户数（户）"]] for r in body]
        weight = [c * v for c, v in zip(coef, volume)]
        task = [h / sum(households) for h in households]
        expected = [100 * (0.8 * s + 0.2 * w / sum(weight)) for s, w in zip(task, weight)]
    printed = [r[col["测算金额（万元）"]] for r in body]
    assert printed == pytest.approx(expected)


def test_fiscal_capacity_weighted_by_volume(tmp_path):
    # Self-sufficiency 2, 1, 0.5 with households 10, 30, 60: alone, 1/x gives 0.5 : 1 : 2 whatever the volume;
    # weighted by households, 5 : 30 : 120 (of 155), so a unit with little to renovate gets little.
    import openpyxl

    from finmodel.cli import main
    from .conftest import write_scenario
    rows = [{"district": d, "households": h, "fiscal_capacity_ratio": r}
            for d, h, r in zip("甲乙丙", (10, 30, 60), (2.0, 1.0, 0.5))]
    pool = {"id": "city", "label": "市级", "amount_wan": 155.0, "weights": {"fiscal_capacity_ratio": 1.0},
            "inverse": ["fiscal_capacity_ratio"], "inverse_by": "households"}
    path = write_scenario(tmp_path, rows, [pool])
    result = fm.allocate(fm.load_scenario(path))
    assert result.formula_wan["city"].to_dict() == pytest.approx({"甲": 5.0, "乙": 30.0, "丙": 120.0})
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "out" / "allocation.xlsx")["因素测算"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "区县")
    assert header[1] == "改造户数（户）" and "调整值 = 改造户数（户） ÷ 原值 × 系数" in header[2]
    body = {r[0]: r for r in rows if r[0] in ("甲", "乙", "丙")}
    assert [body[d][1] / body[d][2] for d in "甲乙丙"] == pytest.approx([5.0, 30.0, 120.0])  # volume ÷ value

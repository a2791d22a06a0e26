"""Monte Carlo of project scenarios: zero-width draws give the deterministic run exactly, a probability known in
closed form is met within sampling error, rank correlations are what was asked, the same seed gives the same
bytes on one worker, two workers (a Dask LocalCluster) and in this process, and bad [risk] tables are refused
with the key named."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

import finmodel as fm
from finmodel.modes import check_modes
from finmodel.risk import RiskSpec, draw_inputs

from .conftest import ROOT

PROJECTS = ROOT / "scenarios" / "projects"
ZOUCHENG = (PROJECTS / "zoucheng-2024.toml").read_text(encoding="utf-8")


def _with_risk(tmp_path, text, risk, name="risk.toml", files=()):
    for source in files:
        (tmp_path / source.name).write_bytes(source.read_bytes())
    path = tmp_path / name
    path.write_text(text + "\n" + risk, encoding="utf-8")
    return fm.load_project_scenario(path)


def _fixed(key, value):
    return f'[[risk.inputs]]\nkey = "{key}"\ndistribution = "uniform"\nlow = {value!r}\nhigh = {value!r}\n'


def test_the_bundled_risk_scenario_is_zoucheng_with_risks():
    risky = fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml")
    plain = fm.load_project_scenario(PROJECTS / "zoucheng-2024.toml")
    assert risky.config.model_dump(exclude={"risk"}) == plain.config.model_dump(exclude={"risk"})
    assert len(risky.config.risk.inputs) == 6


def test_zero_width_draws_give_the_deterministic_run_exactly(tmp_path):
    risk = "[risk]\ndraws = 7\nchunk = 3\n" + "".join(_fixed(k, v) for k, v in [
        ("projects.zoucheng.income.parking.occupancy", 0.8),
        ("projects.zoucheng.loans.bank.rate", 0.0345),
        ("projects.zoucheng.capex.items_wan.basic", 21000.0),
        ("scenario.discount_rate", 0.0267)])
    scenario = _with_risk(tmp_path, ZOUCHENG, risk)
    result = fm.simulate(scenario, workers=0)
    metrics = fm.evaluate(scenario).metrics.loc["zoucheng"]
    npv = result.samples["npv_wan"]["zoucheng"].to_numpy()
    assert (npv == metrics["npv_after_grants_wan"]).all()
    assert (result.samples["irr"]["zoucheng"].to_numpy() == metrics["irr_project"]).all()
    assert (result.samples["funding_gap_wan"]["zoucheng"].to_numpy() == metrics["funding_gap_wan"]).all()
    assert (result.samples["peak_funding_need_wan"]["zoucheng"].to_numpy() == metrics["peak_funding_need_wan"]).all()
    assert (result.samples["payback_years"]["zoucheng"].to_numpy() == metrics["payback_static_years"]).all()
    row = result.summary.loc["zoucheng"]
    assert row["npv_wan_p5"] == row["npv_wan_p95"] == metrics["npv_after_grants_wan"]


def test_zero_width_draws_of_a_bundle_give_the_funding_mode_check(tmp_path):
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    scenario = _with_risk(tmp_path, text, "[risk]\ndraws = 4\n" + _fixed("projects.east-a.income.parking.occupancy",
                                                                          0.8))
    result = fm.simulate(scenario, workers=0)
    units = check_modes(fm.evaluate(scenario)).units
    east = units.loc["east"]
    margin = min(east["npv_margin_wan"], east["coverage_margin_wan"], east["cash_margin_wan"])
    np.testing.assert_allclose(result.samples["margin_wan"]["east"], margin, rtol=1e-12)
    assert result.summary.loc["east", "p_balance"] == float(east["balanced"])
    np.testing.assert_allclose(result.samples["npv_wan"]["east"], east["npv_wan"], rtol=1e-12)


def test_probability_of_balance_in_closed_form(tmp_path):
    """NPV is linear in one income line's amount: P(NPV ≥ target) is the share of the interval above the amount at
    which the NPV reaches the target."""
    low, high, draws = 300.0, 800.0, 4000
    key = "income.advertising.amount_wan_per_year"
    path = tmp_path / "base.toml"
    path.write_text(ZOUCHENG, encoding="utf-8")

    def npv_at(amount: float) -> float:
        scenario = fm.load_project_scenario(path, [f"projects.zoucheng.{key}={amount}"])
        return float(fm.evaluate(scenario).metrics.loc["zoucheng", "npv_after_grants_wan"])

    slope = (npv_at(high) - npv_at(low)) / (high - low)
    target = npv_at(620.0)  # the NPV the rule asks for: reached from 620 万元 a year up
    expected = (high - 620.0) / (high - low)
    text = ZOUCHENG.replace('kind = "projects"\n', f'kind = "projects"\n\n[balance]\ntests = ["npv"]\n'
                                                   f'npv_at_least_wan = {target!r}\n', 1)
    risk = (f'[risk]\ndraws = {draws}\nseed = 7\n[[risk.inputs]]\nkey = "projects.zoucheng.{key}"\n'
            f'distribution = "uniform"\nlow = {low}\nhigh = {high}\n')
    result = fm.simulate(_with_risk(tmp_path, text, risk), workers=0)
    p = result.summary.loc["zoucheng", "p_balance"]
    assert abs(p - expected) < 4 * np.sqrt(expected * (1 - expected) / draws)
    # The samples cut where the line says: every draw above 620 balances, every one below does not.
    drawn = result.draws.iloc[:, 0].to_numpy()
    assert (result.samples["balanced"]["zoucheng"].to_numpy() == (drawn >= 620.0)).all()
    np.testing.assert_allclose(result.samples["npv_wan"]["zoucheng"], target + slope * (drawn - 620.0), rtol=1e-9)


def test_rank_correlation_is_the_one_asked_for():
    spec = RiskSpec(draws=20000, seed=3, inputs=[
        dict(key="a", distribution="triangular", low=0.5, mode=0.8, high=0.9),
        dict(key="b", distribution="lognormal", median=40, sigma=0.3),
        dict(key="c", distribution="normal", mean=0.03, sd=0.005, low=0.01, high=0.05)],
        correlations=[dict(inputs=["a", "b"], rank=0.6), dict(inputs=["b", "c"], rank=-0.3)])
    values = draw_inputs(spec)
    error = 4 / np.sqrt(20000)  # the standard error of Spearman's ρ is below 1/√N
    assert abs(spearmanr(values[:, 0], values[:, 1])[0] - 0.6) < error
    assert abs(spearmanr(values[:, 1], values[:, 2])[0] + 0.3) < error
    assert values[:, 2].min() >= 0.01 and values[:, 2].max() <= 0.05
    # Marginals: the triangular's mean is (a + b + c) / 3, the lognormal's median is its median.
    assert abs(values[:, 0].mean() - (0.5 + 0.8 + 0.9) / 3) < 4 * 0.085 / np.sqrt(20000)
    assert abs(np.median(values[:, 1]) - 40) < 0.6


def test_draws_do_not_depend_on_how_the_work_is_split(tmp_path):
    scenario = fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml")
    here = fm.simulate(scenario, draws=120, workers=0)
    scenario = _with_risk(tmp_path, (PROJECTS / "zoucheng-2024-risk.toml").read_text(encoding="utf-8")
                          .replace("draws = 2000", "draws = 120\nchunk = 7"), "")
    split = fm.simulate(scenario, workers=0)
    assert here.summary.to_csv() == split.summary.to_csv()
    assert here.samples["npv_wan"].equals(split.samples["npv_wan"])


@pytest.mark.slow
def test_one_and_two_dask_workers_give_the_same_bytes():
    scenario = fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml")
    here = fm.simulate(scenario, draws=300, workers=0)
    one = fm.simulate(scenario, draws=300, workers=1)
    two = fm.simulate(scenario, draws=300, workers=2)
    assert one.workers == 1 and two.workers == 2
    assert here.summary.to_csv() == one.summary.to_csv() == two.summary.to_csv()
    assert here.drivers.to_csv() == two.drivers.to_csv()
    assert here.samples["npv_wan"].equals(two.samples["npv_wan"])


def test_rows_of_a_table_are_drawn_with_their_own_values(tmp_path):
    (tmp_path / "rows.csv").write_text("id,name,income.parking.spaces,loans.bank.rate\n"
                                       "a,甲,3000,0.03\nb,乙,5000,0.04\n", encoding="utf-8")
    text = ZOUCHENG + '\n[project_table]\ntable = "rows.csv"\ntemplate = "zoucheng"\n'
    scenario = _with_risk(tmp_path, text, "[risk]\ndraws = 5\n" + _fixed("projects.*.income.parking.occupancy", 0.8))
    result = fm.simulate(scenario, workers=0)
    metrics = fm.evaluate(scenario).metrics
    for pid in ("zoucheng", "a", "b"):
        assert (result.samples["npv_wan"][pid] == metrics.loc[pid, "npv_after_grants_wan"]).all()
    assert list(result.summary.index) == ["zoucheng", "a", "b"]


@pytest.mark.parametrize("risk, key, words", [
    ('key = "projects.nobody.income.parking.occupancy"\ndistribution = "uniform"\nlow = 0.5\nhigh = 0.9',
     "risk.inputs[0].key", "no project 'nobody'"),
    ('key = "projects.zoucheng.construction_years"\ndistribution = "uniform"\nlow = 1\nhigh = 3',
     "risk.inputs[0].key", "cannot be drawn"),
    ('key = "projects.zoucheng.income.parking.occupancy"\ndistribution = "normal"\nmean = 0.8\nsd = 0.1',
     "risk.inputs[0]", "outside what the field takes"),
    ('key = "projects.*.income.shops.rent_yuan_per_m2_month"\ndistribution = "uniform"\nlow = 1\nhigh = 2',
     "risk.inputs[0].key", "no project has"),
    ('key = "projects.zoucheng.income.parking.occupancy"\ndistribution = "triangular"\nlow = 0.5\nhigh = 0.9',
     "risk.inputs[0]", "needs low, mode, high"),
])
def test_a_bad_risk_table_names_its_key(tmp_path, risk, key, words):
    with pytest.raises(fm.InputError) as caught:
        _with_risk(tmp_path, ZOUCHENG, "[[risk.inputs]]\n" + risk + "\n")
    assert words in caught.value.message
    assert key in str(caught.value)


def test_correlations_that_cannot_hold_together_are_refused(tmp_path):
    keys = ["projects.zoucheng.income.parking.occupancy", "projects.zoucheng.income.charging.kwh_per_pile_day",
            "projects.zoucheng.income.advertising.amount_wan_per_year"]
    risk = "".join(f'[[risk.inputs]]\nkey = "{k}"\ndistribution = "uniform"\nlow = 0.5\nhigh = 0.9\n' for k in keys)
    pairs = [(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)]
    risk += "".join(f'[[risk.correlations]]\ninputs = ["{keys[a]}", "{keys[b]}"]\nrank = {r}\n' for a, b, r in pairs)
    with pytest.raises(fm.InputError, match="cannot hold together") as caught:
        _with_risk(tmp_path, ZOUCHENG, risk)
    assert caught.value.key == "risk.correlations"


def test_run_writes_the_risk_reports(tmp_path):
    from finmodel.cli import main

    out = tmp_path / "out"
    code = main(["run", str(PROJECTS / "zoucheng-2024-risk.toml"), "--out", str(out), "--draws", "40", "--workers",
                 "0", "--quiet"])
    assert code == 0
    for name in ("risk.csv", "risk-drivers.csv", "risk.png", "cashflow.xlsx", "manifest.json", "sensitivity.csv",
                 "sensitivity-spider.csv", "sensitivity.png"):
        assert (out / name).exists(), name
    import json

    import openpyxl
    import pandas as pd

    record = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["risk"]
    assert record["draws"] == 40 and record["seed"] == 2024 and record["workers"] == 0
    table = pd.read_csv(out / "risk.csv", encoding="utf-8-sig")
    assert table.columns[3] == "资金平衡概率（%）"
    direct = fm.simulate(fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml"), draws=40, workers=0)
    assert table.iloc[0, 3] == pytest.approx(direct.summary["p_balance"].iloc[0] * 100)
    tornado = pd.read_csv(out / "sensitivity.csv", encoding="utf-8-sig")
    expected = fm.sensitivity(fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml")).tornado
    np.testing.assert_allclose(tornado["平衡余量变幅（万元）"], expected["swing_wan"], rtol=1e-9, atol=1e-6)
    assert openpyxl.load_workbook(out / "cashflow.xlsx").sheetnames[-2:] == ["敏感性分析", "参数"]
    sheet = openpyxl.load_workbook(out / "cashflow.xlsx")["风险分析"]
    labels = [sheet.cell(row=r, column=1).value for r in range(4, 30)]
    assert "资金平衡概率（%）" in labels
    assert sheet.cell(row=4, column=2).value == pytest.approx(direct.summary["p_balance"].iloc[0])


def test_a_drawn_settlement_lag_pays_the_grant_in_the_drawn_year(tmp_path):
    """A grant's settlement lag, drawn from {1, 2, 3}: every draw's NPV is one of the three runs with the lag set,
    and each lag comes up as often as the draws say."""
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    key = "projects.east-a.grants.city.settlement_lag_years"
    risk = f'[risk]\ndraws = 60\n[[risk.inputs]]\nkey = "{key}"\ndistribution = "choice"\nvalues = [1, 2, 3]\n'
    scenario = _with_risk(tmp_path, text, risk)
    result = fm.simulate(scenario, workers=0)
    runs = {lag: fm.evaluate(fm.load_project_scenario(tmp_path / "risk.toml", [f"{key}={lag}"]))
            .metrics.at["east-a", "npv_after_grants_wan"] for lag in (1, 2, 3)}
    assert len(set(runs.values())) == 3  # the lag moves the NPV
    lags = result.draws[key].to_numpy()
    npv = result.samples["npv_wan"]["east-a"].to_numpy()
    for lag, expected in runs.items():
        assert (npv[lags == lag] == expected).all()


def test_a_settlement_lag_past_the_last_year_is_refused(tmp_path):
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    path = tmp_path / "lag.toml"
    path.write_text(text + '\n[[risk.inputs]]\nkey = "projects.east-a.grants.city.settlement_lag_years"\n'
                           'distribution = "uniform"\nlow = 1\nhigh = 4\n', encoding="utf-8")
    fm.load_project_scenario(path, ["projects.east-a.operating_years=4"])  # a lag of 4 settles in the last year
    fixed = fm.load_project_scenario(PROJECTS / "area-bundle-2024.toml", [
        "projects.east-a.operating_years=4", "projects.east-a.grants.city.settlement_lag_years=4"])
    assert fixed.projects[0].operating_years == 4  # as --set allows it, so does [risk]
    with pytest.raises(fm.InputError, match="after the project's last year") as caught:
        fm.load_project_scenario(path, ["projects.east-a.operating_years=3"])
    assert caught.value.key == "risk.inputs[0]"


def test_a_table_of_settlement_lags_equals_its_rows_one_by_one(tmp_path):
    (tmp_path / "rows.csv").write_text("id,name,grants.city.settlement_lag_years\na,甲,1\nb,乙,3\n", encoding="utf-8")
    text = (PROJECTS / "area-bundle-2024.toml").read_text(encoding="utf-8")
    path = tmp_path / "t.toml"
    path.write_text(text + '\n[project_table]\ntable = "rows.csv"\ntemplate = "east-a"\n', encoding="utf-8")
    scenario = fm.load_project_scenario(path)
    table = next(part for part in scenario.projects.parts if hasattr(part, "template"))
    assert table.values is not None  # read as columns
    together = fm.evaluate(scenario).metrics
    for pid, lag in (("a", 1), ("b", 3)):
        alone = fm.load_project_scenario(PROJECTS / "area-bundle-2024.toml",
                                         [f"projects.east-a.grants.city.settlement_lag_years={lag}"])
        expected = fm.evaluate(alone).metrics.loc["east-a"]
        assert together.at[pid, "npv_after_grants_wan"] == pytest.approx(expected["npv_after_grants_wan"], rel=1e-12)


def test_a_risk_table_given_in_python_equals_the_files(tmp_path):
    import tomllib

    table = tomllib.loads((PROJECTS / "zoucheng-2024-risk.toml").read_text(encoding="utf-8"))["risk"]
    from_file = fm.simulate(fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml"), draws=50, workers=0)
    given = fm.simulate(fm.load_project_scenario(PROJECTS / "zoucheng-2024.toml"), draws=50, workers=0, risk=table)
    assert given.summary.to_csv() == from_file.summary.to_csv()
    with pytest.raises(fm.InputError, match=r"risk.inputs\[0\].*above high"):
        fm.simulate(fm.load_project_scenario(PROJECTS / "zoucheng-2024.toml"), workers=0,
                    risk={"inputs": [{"key": "scenario.discount_rate", "distribution": "uniform", "low": 2,
                                      "high": 1}]})


def test_the_bundles_the_optimiser_formed_balance_as_the_check_says(tmp_path):
    """Zero-width draws over the bundles as formed: each bundle's margin is the optimiser's least margin."""
    from finmodel.risk import with_formed_bundles

    scenario = fm.load_project_scenario(PROJECTS / "bundling-2024.toml")
    modes = check_modes(fm.evaluate(scenario))
    formed = with_formed_bundles(scenario, modes)
    risk = {"draws": 3, "inputs": [{"key": "projects.*.income.parking.occupancy", "distribution": "uniform",
                                    "low": 0.8, "high": 0.8}]}
    result = fm.simulate(formed, workers=0, risk=risk)
    bundles = modes.bundling.bundles.set_index("bundle")
    for component, row in bundles.iterrows():
        margin = result.samples["margin_wan"][f"bundle-{component}"].to_numpy()
        np.testing.assert_allclose(margin, row["least_margin_wan"], atol=1e-6)
        assert result.summary.at[f"bundle-{component}", "p_balance"] == float(row["balanced"])


def test_an_uncertain_input_is_named_by_its_project_and_field():
    from finmodel.report.inputs import input_label

    projects = fm.load_project_scenario(PROJECTS / "zoucheng-2024-risk.toml").projects
    name = "邹城市2024年城镇老旧小区改造项目"
    expected = {  # the reference's words for each field, cut at their first phrase
        "projects.zoucheng.income.parking.occupancy": f"{name}：停车收入·车位平均出租率",
        "projects.zoucheng.income.charging.kwh_per_pile_day": f"{name}：充电桩收入·每桩每日售电量",
        "projects.zoucheng.capex.items_wan.basic": f"{name}：建设投资·基础类",
        "projects.zoucheng.loans.bank.rate": f"{name}：银行贷款·年利率",
        "projects.zoucheng.construction_delay_years": f"{name}：工程延误的年数",
        "projects.*.operating_costs.growth": "各项目：运营成本·固定成本年增长率",
        "scenario.discount_rate": "折现率",
    }
    assert {key: input_label(key, projects, "zh") for key in expected} == expected
    assert input_label("projects.zoucheng.loans.bank.rate", projects, "en") == f"{name}: loans.bank.rate"


def test_grants_of_one_party_are_told_apart_as_inputs_too():
    from finmodel.report.inputs import input_label

    projects = fm.load_project_scenario(PROJECTS / "multi-source-2024.toml").projects
    ident = projects.ids[0]
    labels = [input_label(f"projects.{ident}.grants.{grant}.amount_wan", projects, "zh").split("：", 1)[1]
              for grant in ("district-basic", "district-elevator", "city")]
    assert labels == ["区县补助（基础类）·金额", "区县补助（加装电梯）·金额", "市级补助·金额"]

"""绩效评价: indicator scores → total score → grade by the cut-offs → coefficient → money, worked by hand."""

from __future__ import annotations

import pytest

import finmodel as fm
from finmodel.errors import InputError

from .conftest import write_scenario, write_table

# Five indicators, equal weights (the policy's performance_indicators): the totals are the means.
SCORES = [
    {"district": "甲", "task_progress": 100, "content": 100, "mechanism": 90, "funding": 95, "overall": 96},  # 96.2
    {"district": "乙", "task_progress": 95, "content": 95, "mechanism": 95, "funding": 95, "overall": 95},  # 95
    {"district": "丙", "task_progress": 90, "content": 85, "mechanism": 80, "funding": 85, "overall": 85},  # 85
    {"district": "丁", "task_progress": 80, "content": 75, "mechanism": 70, "funding": 75, "overall": 75},  # 75
    {"district": "戊", "task_progress": 80, "content": 75, "mechanism": 70, "funding": 75, "overall": 74},  # 74.8
]
HOUSEHOLDS = [1000, 1000, 2000, 500, 500]


def _scenario(tmp_path, scores=SCORES, extra=""):
    write_table(tmp_path / "scores.csv", scores)
    rows = [{"district": s["district"], "households": h} for s, h in zip(SCORES, HOUSEHOLDS)]
    pools = [{"id": "city", "label": "市级资金", "amount_wan": 1000.0, "weights": {"households": 1.0}}]
    path = write_scenario(tmp_path, rows, pools, extra='[performance]\ntable = "scores.csv"\n' + extra)
    # [pools.performance] comes after the pool's weights table.
    path.write_text(path.read_text(encoding="utf-8") + '[pools.performance]\nform = "coefficient"\n', encoding="utf-8")
    return path


def test_indicator_scores_make_the_total_the_grade_and_the_coefficient(tmp_path):
    scenario = fm.load_scenario(_scenario(tmp_path))
    totals = scenario.districts["performance_score"]
    assert totals.tolist() == pytest.approx([96.2, 95.0, 85.0, 75.0, 74.8])
    # Cut-offs 95 / 85 / 75 (Jiangxi): 优 above 95, 良 from 85, 合格 from 75, 差 below.
    detail = fm.allocate(scenario).formula["city"].districts
    assert detail["performance_coef"].tolist() == [1.2, 1.1, 1.1, 1.0, 0.8]
    # Households × coefficient: 1200, 1100, 2200, 500, 400 of 5400 → the pool of 1,000 万元 in those shares.
    weighted = [1200, 1100, 2200, 500, 400]
    assert detail["amount_wan"].tolist() == pytest.approx([1000 * w / 5400 for w in weighted], rel=1e-12)
    assert "performance_indicators" in scenario.policy.used and "scores.csv" in scenario.inputs


def test_the_scenario_may_weigh_the_indicators_itself(tmp_path):
    weights = ("[performance.weights]\ntask_progress = 0.5\ncontent = 0.1\nmechanism = 0.1\nfunding = 0.1\n"
               "overall = 0.2\n")
    scenario = fm.load_scenario(_scenario(tmp_path, extra=weights))
    # 甲: 0.5·100 + 0.1·(100 + 90 + 95) + 0.2·96 = 50 + 28.5 + 19.2
    assert scenario.districts.loc["甲", "performance_score"] == pytest.approx(97.7)
    assert "performance_indicators" not in scenario.policy.used


@pytest.mark.parametrize("change, message", [
    (lambda rows: rows[:-1], "no scores for 戊"),
    (lambda rows: rows + [{**rows[0], "district": "己"}], "scores for units not in the districts table: 己"),
    (lambda rows: [{**rows[0], "funding": 101}] + rows[1:], "an indicator is scored 0 to 100, got 101 (unit '甲')"),
    (lambda rows: [{k: v for k, v in r.items() if k != "overall"} for r in rows], "overall"),
])
def test_a_score_table_that_does_not_fit_is_refused_with_its_file(tmp_path, change, message):
    with pytest.raises(InputError) as caught:
        fm.load_scenario(_scenario(tmp_path, scores=change([dict(r) for r in SCORES])))
    assert message in str(caught.value) and "scores.csv" in str(caught.value)


def test_a_districts_table_with_its_own_total_is_refused(tmp_path):
    path = _scenario(tmp_path)
    rows = [{"district": s["district"], "households": h, "performance_score": 80} for s, h in zip(SCORES, HOUSEHOLDS)]
    write_table(tmp_path / "districts.csv", rows)
    with pytest.raises(InputError, match="already has a column 'performance_score'"):
        fm.load_scenario(path)

"""以奖代补 rules (济政办字〔2020〕21号 六(四)、六(五); amounts from the policy's assumed ``reward_in_lieu``
value): one test per condition."""

from __future__ import annotations

import pytest

import datetime as dt
from functools import partial

from finmodel.policy import load_policy
from finmodel.policy import reward_line as policy_reward_line

POLICY = load_policy(2026)
RULES = POLICY.entry("reward_in_lieu")
reward_line = partial(policy_reward_line, policy=POLICY)


def test_the_reward_rules_are_dated_cited_and_labelled_an_assumption():
    assert RULES.assumption is True and RULES.effective == dt.date(2020, 5, 11) and "六(四)" in RULES.source
    assert set(RULES.value.items) == {"utilities", "telecom", "roofs", "drains"}


def test_without_a_score_the_policy_default_grade_applies():
    # 合格 (factor 0.8) by default; a policy that says 良 (0.9) changes the amount, nothing else does.
    line = reward_line("t", "telecom", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=None)
    assert line.grade == "合格" and line.amount_wan == pytest.approx(30 * 0.8)
    good, _ = POLICY.changed([("default_grade", "良")])
    line = policy_reward_line("t", "telecom", 100, 1_000, accepted=True, acceptance_year=2026,
                              performance_score=None, policy=good)
    assert line.grade == "良" and line.amount_wan == pytest.approx(30 * 0.9)


def test_rate_times_cost_when_the_cap_does_not_bind():
    # Roofs paid by residents: 50 % of 100 万元 = 50; cap 0.2 × 1,000 households = 200 does not bind; grade 优.
    line = reward_line("r", "roofs", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=96)
    assert line.amount_wan == pytest.approx(50.0) and not line.cap_binds and line.grade == "优"


def test_cap_binds():
    # Utilities: 30 % of 2,000 = 600, but 0.3 万元 × 500 households = 150 caps it.
    line = reward_line("u", "utilities", 2_000, 500, accepted=True, acceptance_year=2026, performance_score=96)
    assert line.cap_binds and line.amount_wan == pytest.approx(150.0)


def test_not_accepted_gets_nothing():
    line = reward_line("d", "drains", 100, 1_000, accepted=False, acceptance_year=2026, performance_score=96)
    assert line.amount_wan == 0


@pytest.mark.parametrize("score, grade, factor", [(96, "优", 1.0), (90, "良", 0.9), (80, "合格", 0.8), (60, "差", 0.5)])
def test_grade_scales_the_reward(score, grade, factor):
    # Telecom: 30 % of 100 = 30 (cap 0.05 × 1,000 = 50 does not bind), times the grade's factor.
    line = reward_line("t", "telecom", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=score)
    assert line.grade == grade and line.amount_wan == pytest.approx(30 * factor)


def test_lag_moves_the_payment():
    line = reward_line("r", "roofs", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=96)
    assert line.paid_year == 2027  # one year after acceptance by default
    later = reward_line("r", "roofs", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=96,
                        lag_years=3)
    assert later.paid_year == 2029


def test_a_missing_household_count_is_an_error_not_a_zero_reward():
    # The cap is per household: with no households it would silently be 0.
    with pytest.raises(ValueError, match="needs the number of households"):
        reward_line("r", "roofs", 100, 0, accepted=True, acceptance_year=2026, performance_score=96)


def test_the_reward_goes_to_whoever_bore_the_cost():
    # Roofs: 50 % of 100 = 50 (cap 200, grade 优). The residents bore 3/4 of the roofs, the project account the
    # rest: 37.5 to the residents, 12.5 to the project.
    line = reward_line("r", "roofs", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=96,
                   items=["roofs"], borne_by={"residents": 0.75})
    assert dict(line.paid_to) == {"project": pytest.approx(12.5), "residents": pytest.approx(37.5)}
    assert line.to_project_wan == pytest.approx(12.5) and line.amount_wan == pytest.approx(50)
    # Borne by the utilities alone: nothing reaches the project.
    line = reward_line("u", "utilities", 100, 1_000, accepted=True, acceptance_year=2026, performance_score=96,
                   items=["pipes"], borne_by={"utilities": 1.0})
    assert line.paid_to == (("utilities", pytest.approx(30)),) and line.to_project_wan == 0

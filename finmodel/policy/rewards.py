"""以奖代补: rewards paid after acceptance instead of subsidies paid up front (济政办字〔2020〕21号 六(四)、六(五)).

Each reward line names an item of the parameter set (``reward_in_lieu_2020``: utilities, telecom, roofs, drains),
its eligible cost and households; the amount is the rate × cost, capped per household, times the factor of the
performance grade; nothing is paid without acceptance; payment falls ``lag_years`` after the acceptance year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grades import grades
from .params import parameter

REWARD_PARAMETER = "reward_in_lieu_2020"


@dataclass(frozen=True)
class RewardLine:
    """One rewarded item of a project, with how its amount came about."""

    id: str
    item: str
    label: str
    cost_wan: float
    households: int
    rate: float
    cap_wan: float
    grade: str
    factor: float
    accepted: bool
    acceptance_year: int
    paid_year: int
    amount_wan: float
    cap_binds: bool
    """Whether the per-household cap, not the rate, set the amount."""


def reward_line(line_id: str, item: str, cost_wan: float, households: int, *, accepted: bool,
                acceptance_year: int, performance_score: float | None, lag_years: int | None = None,
                parameter_name: str = REWARD_PARAMETER) -> RewardLine:
    """The reward for one item, by the rules of the parameter set ``parameter_name``."""
    rules = parameter(parameter_name).value
    spec = rules["items"][item]
    cutoffs = tuple(parameter("jiangxi_2022_grade_cutoffs").value)
    grade = str(grades([performance_score], cutoffs)[0]) if performance_score is not None else "合格"
    factor = float(rules["grade_factors"][grade])
    lag = rules["lag_years"] if lag_years is None else lag_years
    uncapped = spec["rate"] * cost_wan
    cap = spec["cap_wan_per_household"] * households
    base = min(uncapped, cap)
    paid = accepted or not rules["requires_acceptance"]
    amount = float(np.round(base * factor, 10)) if paid else 0.0
    return RewardLine(id=line_id, item=item, label=spec["label"], cost_wan=cost_wan, households=households,
                      rate=spec["rate"], cap_wan=cap, grade=grade, factor=factor, accepted=accepted,
                      acceptance_year=acceptance_year, paid_year=acceptance_year + lag, amount_wan=amount,
                      cap_binds=cap < uncapped)

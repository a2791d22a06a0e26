"""Who is in, who comes first, and by when (济政办字〔2020〕21号 一(二), 一(三), 三(四)): each rule a function of the
community table with its clause, every exclusion with its reason.

The thresholds are the dated parameters ``eligibility_2020`` and ``deadlines_2020``; where the policy's words need a
number ("strong resident will") the number is an assumption, labelled so in the parameter file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .params import parameter

BASIC_ITEMS = tuple(parameter("unit_costs_2020").value["basic_yuan_per_m2"])
"""The basic public-facility items of 附件1, by their code names."""


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    text: str
    """The policy's words."""
    holds: Callable[[pd.DataFrame, dict], np.ndarray]
    """Per community: whether the rule lets it into the basic-facility plan."""


def _year(date: str) -> int:
    return int(date[:4])


RULES = (
    Rule("built_by_2005", "一(二)", "2005年12月31日前建成",
         lambda t, p: t["year_built"].to_numpy() <= _year(p["built_by"])),
    Rule("state_land", "一(二)", "在我市国有土地上建成",
         lambda t, p: t["land_type"].isin(p["land_types"]).to_numpy()),
    Rule("resident_will", "一(二)", "居民改造意愿强烈",
         lambda t, p: t["consent_share"].to_numpy() >= p["consent_at_least"] - 1e-12),
    Rule("needs_work", "一(二)", "失修失管严重、市政配套设施不完善、公共服务和社会服务设施不健全",
         lambda t, p: t["gap_count"].to_numpy() > 0),
    Rule("not_done_provincially", "三(四)",
         "2019年（含）以前已按省级计划完成老旧小区整治改造的项目不得再列入基础类公共设施总体规划（可实施专项改造）",
         lambda t, p: ~((t["prior_plan"] == "provincial").to_numpy()
                        & (t["prior_year"].to_numpy() <= p["basic_plan_excludes_provincial_by"]))),
)


def eligibility(table: pd.DataFrame, overrides: dict | None = None) -> pd.DataFrame:
    """Per community: each rule's verdict, eligible or not, the first rule that excludes it with its clause, and
    whether it may still get special renovation (专项改造) only."""
    params = dict(parameter("eligibility_2020").value) | (overrides or {})
    verdicts = pd.DataFrame({rule.code: rule.holds(table, params) for rule in RULES}, index=table.index)
    eligible = verdicts.all(axis=1)
    first_failure = verdicts.idxmin(axis=1).where(~eligible, "")
    clause = {rule.code: rule.clause for rule in RULES}
    out = verdicts.assign(eligible=eligible, reason=first_failure,
                          clause=first_failure.map(lambda code: clause.get(code, "")))
    # Renovated under a provincial plan by 2019: out of the basic plan, still open to special renovation.
    out["special_only"] = ~verdicts["not_done_provincially"] & verdicts.drop(columns="not_done_provincially").all(
        axis=1)
    return out


def priority(table: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """优先考虑2000年前建成、基础设施和服务设施欠账多、居民改造意愿强烈 (三(四)): a weighted score in [0, 1] of
    built before 2000, the share of basic items missing, and the share of residents consenting."""
    cutoff = _year(parameter("eligibility_2020").value["pre2000_built_by"])
    parts = {
        "pre2000": (table["year_built"] <= cutoff).astype(float),
        "gaps": table["gap_count"] / len(BASIC_ITEMS),
        "will": table["consent_share"],
    }
    total = sum(weights.values())
    return sum(weights[k] * parts[k] for k in weights) / total


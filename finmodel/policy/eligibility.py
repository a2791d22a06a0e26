"""Who is in, who comes first, and by when (济政办字〔2020〕21号 一(二), 一(三), 三(四)): each rule a function of the
community table with its clause, every exclusion with its reason.

The thresholds are the policy's ``eligibility`` and ``deadlines`` values; where the policy's words need a number
("strong resident will") the number is an assumption, labelled so in the policy file. Shares are exact fractions,
compared inclusively: a share is compared with the double nearest the fraction, so two thirds as computed
(2/3 → 0.666…6) meets "at least 2/3" and 0.6666 does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .params import EligibilityRules, Policy


def basic_items(policy: Policy) -> tuple[str, ...]:
    """The basic public-facility items of 附件1, by their code names (the cost catalogue's basic items)."""
    return policy.entry("cost_catalogue").value.codes("basic")


def built_by(year_built: np.ndarray, day) -> np.ndarray:
    """Whether a community built in ``year_built`` was built on or before ``day``. The policy writes "X年前建成"
    for "built by the end of X" (一(二): 2005年12月31日前): the year itself counts. Only the year of building is
    known, so a day before 31 December admits the years before it only."""
    last_year = day.year if (day.month, day.day) == (12, 31) else day.year - 1
    return np.asarray(year_built) <= last_year


@dataclass(frozen=True)
class Rule:
    code: str
    clause: str
    text: str
    """The policy's words."""
    holds: Callable[[pd.DataFrame, EligibilityRules], np.ndarray]
    """Per community: whether the rule lets it into the basic-facility plan."""


RULES = (
    Rule("built_by_2005", "一(二)", "2005年12月31日前建成",
         lambda t, p: built_by(t["year_built"].to_numpy(), p.built_by)),
    Rule("state_land", "一(二)", "在我市国有土地上建成",
         lambda t, p: t["land_type"].isin(p.land_types).to_numpy()),
    Rule("resident_will", "一(二)", "居民改造意愿强烈",
         lambda t, p: t["consent_share"].to_numpy() >= float(p.consent_at_least)),
    Rule("needs_work", "一(二)", "失修失管严重、市政配套设施不完善、公共服务和社会服务设施不健全",
         lambda t, p: t["gap_count"].to_numpy() > 0),
    Rule("not_done_provincially", "三(四)",
         "2019年（含）以前已按省级计划完成老旧小区整治改造的项目不得再列入基础类公共设施总体规划（可实施专项改造）",
         lambda t, p: ~((t["prior_plan"] == "provincial").to_numpy()
                        & (t["prior_year"].to_numpy() <= p.basic_plan_excludes_provincial_by))),
    Rule("not_three_supplies", "三(五)", "已纳入“三供一业”改造的国有企业宿舍区，按照相关政策筹集改造资金",
         lambda t, p: ~t["three_supplies"].to_numpy(dtype=bool) if "three_supplies" in t else np.ones(len(t), bool)),
)


def eligibility(table: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Per community: each rule's verdict under the policy's ``eligibility`` rules, eligible or not, the first rule
    that excludes it with its clause, and whether it may still get special renovation (专项改造) only."""
    params = policy["eligibility"]
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


def three_supplies_funding(communities: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """三供一业 dormitories (三(五)): out of the subsidy plan, their basic-facility cost split between the former owner
    unit (the policy's ``three_supplies.owner_unit_share``) and the 三供一业 policy's funds, 万元."""
    flagged = communities[communities["three_supplies"]] if "three_supplies" in communities else communities.iloc[:0]
    share = policy["three_supplies"].owner_unit_share
    cost = flagged["cost_basic_wan"].astype(float)
    return pd.DataFrame({"name": flagged["name"], "district": flagged["district"],
                         "households": flagged["households"], "cost_basic_wan": cost,
                         "owner_unit_wan": cost * share, "policy_funds_wan": cost * (1 - share)},
                        index=flagged.index)


def priority(table: pd.DataFrame, policy: Policy) -> pd.Series:
    """优先考虑2000年前建成、基础设施和服务设施欠账多、居民改造意愿强烈 (三(四)): a score in [0, 1] of built
    before 2000 (the policy's ``eligibility.priority_built_by``, the year 2000 included), the share of basic items
    missing and the share of residents consenting, weighted by the policy's ``priority_weights``."""
    weights = policy["priority_weights"]
    parts = {
        "pre2000": pd.Series(built_by(table["year_built"].to_numpy(), policy["eligibility"].priority_built_by),
                             index=table.index).astype(float),
        "gaps": table["gap_count"] / len(basic_items(policy)),
        "will": table["consent_share"],
    }
    total = sum(weights.values())
    return sum(weights[k] * parts[k] for k in weights) / total


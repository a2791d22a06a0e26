"""以奖代补: rewards paid after acceptance instead of subsidies paid up front (济政办字〔2020〕21号 六(四)、六(五)).

Each reward line names an item of the policy's ``reward_in_lieu`` (utilities, telecom, roofs, drains),
its eligible cost and households; the amount is the rate × cost, capped per household, times the factor of the
performance grade; nothing is paid without acceptance; payment falls ``lag_years`` after the acceptance year.

A reward pays back the cost of work, so it goes to whoever bore that cost (六(四) rewards the utilities' and
telecom companies' renovation and the residents' own money for roofs and drains): ``paid_for_by`` says who paid
for each capex item from the money earmarked for it, and the share of a reward that the project account receives is
what neither a utility, the residents nor another contributor paid for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import Invalid
from .grades import grades
from .params import Policy

if TYPE_CHECKING:
    from ..cashflow.scenario import Grant, Project

REWARD_CONCEPT = "reward_in_lieu"
"""The policy value that holds the reward rules."""
PROJECT = "project"
"""The payee of the part of a reward whose cost the project account bore."""


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
    items: tuple[str, ...] = ()
    """The capex items whose cost the reward pays back."""
    paid_to: tuple[tuple[str, float], ...] = ()
    """Who receives the amount, and how much: ``"project"`` for the project account, else the party that bore
    that part of the items' cost (utilities, residents, …). Empty: all to the project."""

    @property
    def to_project_wan(self) -> float:
        """The part of the reward the project account receives, 万元."""
        if not self.paid_to:
            return self.amount_wan
        return float(sum(amount for payee, amount in self.paid_to if payee == PROJECT))


def reward_line(line_id: str, item: str, cost_wan: float, households: int, *, accepted: bool,
                acceptance_year: int, performance_score: float | None, policy: Policy, lag_years: int | None = None,
                items: Iterable[str] = (), borne_by: Mapping[str, float] | None = None) -> RewardLine:
    """The reward for one item, by the policy's ``reward_in_lieu`` rules, graded by its ``grade_cutoffs`` (its
    ``default_grade`` without a score). ``borne_by`` gives the share of the items' cost each party other than the
    project bore (see ``paid_for_by``); the reward is split in the same shares and the rest goes to the project
    (all of it when ``borne_by`` is not given)."""
    rules = policy[REWARD_CONCEPT]
    spec = rules.items[item]
    if spec.cap_wan_per_household > 0 and households < 1:
        raise Invalid(f"reward '{line_id}': the cap of {spec.cap_wan_per_household:g} 万元 per household "
                      f"needs the number of households, not {households}",
                      f"以奖代补奖励“{line_id}”：每户上限 {spec.cap_wan_per_household:g} 万元需要户数，而给出的是 {households}")
    grade = (str(grades([performance_score], policy["grade_cutoffs"])[0]) if performance_score is not None
             else policy["default_grade"])
    factor = float(rules.grade_factors[grade])
    lag = rules.lag_years if lag_years is None else lag_years
    uncapped = spec.rate * cost_wan
    cap = spec.cap_wan_per_household * households
    base = min(uncapped, cap)
    paid = accepted or not rules.requires_acceptance
    amount = float(np.round(base * factor, 10)) if paid else 0.0
    shares = {party: share for party, share in (borne_by or {}).items() if share > 0 and party != PROJECT}
    if sum(shares.values()) > 1 + 1e-9:
        raise Invalid(f"reward '{line_id}': the shares of the cost add up to {sum(shares.values()):g}, above 1",
                      f"以奖代补奖励“{line_id}”：各方承担费用的比例合计为 {sum(shares.values()):g}，超过 1")
    others = [(party, float(np.round(amount * share, 10))) for party, share in shares.items()]
    own = float(np.round(amount - sum(a for _, a in others), 10))
    paid_to = tuple(([(PROJECT, own)] if own > 1e-9 or not others else []) + others)
    return RewardLine(id=line_id, item=item, label=spec.label, cost_wan=cost_wan, households=households,
                      rate=spec.rate, cap_wan=cap, grade=grade, factor=factor, accepted=accepted,
                      acceptance_year=acceptance_year, paid_year=acceptance_year + lag, amount_wan=amount,
                      cap_binds=cap < uncapped, items=tuple(items), paid_to=paid_to)


def reward_items(project: Project, item: str, items: Iterable[str] = ()) -> list[str]:
    """The capex items a reward pays back: as listed, else the capex item named like the rewarded ``item``
    (none when the project has no such item)."""
    listed = list(items)
    if listed:
        return listed
    return [item] if item in project.capex.items_wan else []


def allocate_earmarked(grants: Iterable[Grant], costs: Mapping[str, float],
                       required: Mapping[str, float] | None = None) -> list[dict[str, float]]:
    """What each grant puts into each item it is earmarked for, 万元 (one mapping per grant, in order): grants for
    one item first, then grants for several items split in proportion to what their items still need (by cost
    once nothing is needed), so that money meant for roofs and drains together is not counted short for one
    while the other is over-covered. Only items in ``required`` (default: every item at its cost) take money;
    a grant's part for them is its amount times their share of the cost of all its items."""
    need = dict(costs if required is None else required)
    given = {item: 0.0 for item in need}
    grants = list(grants)
    out: list[dict[str, float]] = [{} for _ in grants]
    for k in sorted(range(len(grants)), key=lambda k: len(grants[k].items)):
        grant = grants[k]
        mine = [i for i in grant.items if i in need]
        if not mine:
            continue
        remaining = {i: max(0.0, need[i] - given[i]) for i in mine}
        weights = remaining if sum(remaining.values()) > 0 else {i: costs[i] for i in mine}
        scale = sum(weights.values()) or 1.0
        part = grant.amount_wan * sum(costs[i] for i in mine) / (sum(costs[i] for i in grant.items) or 1.0)
        for i in mine:
            out[k][i] = out[k].get(i, 0.0) + part * weights[i] / scale
            given[i] += part * weights[i] / scale
    return out


def paid_for_by(project: Project, items: Iterable[str], policy: Policy) -> dict[str, float]:
    """The share of the cost of ``items`` each party bore with money earmarked for them (``allocate_earmarked``
    over all the project's earmarked grants), public subsidies apart: they were paid to the project account, so
    their part counts as the project's, as does whatever no earmarked money paid for. Shares add up to at most 1."""
    items = list(items)
    costs = project.capex.items_wan
    total = sum(costs[i] for i in items)
    if total <= 0:
        return {}
    public = set(policy["multi_source"].subsidy_parties)
    earmarked = [g for g in project.grants if g.items]
    borne: dict[str, float] = {}
    for grant, parts in zip(earmarked, allocate_earmarked(earmarked, costs)):
        if grant.party in public:
            continue
        amount = sum(parts.get(i, 0.0) for i in items)
        if amount > 0:
            borne[grant.party] = borne.get(grant.party, 0.0) + amount
    paid = sum(borne.values())
    scale = total / paid if paid > total else 1.0  # more than the cost: the reward still pays back at most all of it
    return {party: amount * scale / total for party, amount in borne.items()}


def project_reward_lines(project: Project, year0: int, policy: Policy) -> list[RewardLine]:
    """Every reward of ``project`` (calendar year 0 = ``year0``), with the defaults filled in and each split
    between the project account and the parties that bore the cost of its items."""
    lines = []
    for reward in project.rewards:
        items = reward_items(project, reward.item, reward.items)
        lines.append(reward_line(
            reward.id, reward.item, reward.cost_wan,
            reward.households if reward.households is not None else project.households,
            accepted=reward.accepted,
            acceptance_year=(reward.acceptance_year if reward.acceptance_year is not None
                             else year0 + project.construction_years - 1),
            performance_score=project.performance_score, policy=policy, lag_years=reward.lag_years, items=items,
            borne_by=paid_for_by(project, items, policy)))
    return lines

"""政府引导的多元化投入: the funding stack by party, year by year, and the rules on who pays for what.

Rules (the policy's ``multi_source`` value, an assumption labelled as such):
- owners (residents, the maintenance fund, former owner units) pay for roofs, shared drains and elevators: the
  owners' money earmarked for these items, plus for elevators the government subsidy allowed, covers each cost;
- the government subsidy earmarked for elevators is at most the share of their cost and the cap per elevator;
- residents' money per household lies in the range the parameters give.
Owners' money earmarked for several items goes where it is still needed (see ``owners_share``).

Every project tested under any mode also passes ``owner_checks`` (the owners pay their items, named by code or by an
alias such as 屋面), ``special_checks`` (departments and utilities pay the special renovations, 三(五), and the
subsidy pools do not) and ``public_money_checks``: public money (the subsidies of the ``subsidy_parties`` and the 以奖代补
rewards) above the cost it funds fails, with the excess shown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cashflow import ProjectCashflow
from ..policy import Policy
from ..policy.rewards import allocate_earmarked

CHECK_COLUMNS = ["rule", "item", "required", "given", "excess_wan", "passed"]
"""A rule check: what the rule asks, what the plan gives, how far a ceiling is exceeded (万元; NaN for rules
that are not ceilings), and whether it holds."""


def funding_stack(flow: ProjectCashflow) -> pd.DataFrame:
    """Money in by source and year (万元), with the uses it must cover and the cumulative balance."""
    project = flow.project
    rows: dict[str, np.ndarray] = {}
    for grant in project.grants:
        key = f"grant:{grant.party}"
        rows[key] = rows.get(key, 0) + flow.grants_by_id[grant.id]
    if project.rewards:
        rows["rewards"] = flow.rewards
    rows["equity"] = flow.equity
    rows["bonds"] = flow.bond_proceeds
    rows["loans"] = flow.loan_drawdown
    rows["operating_cash"] = flow.operations.cfads
    table = pd.DataFrame(rows, index=pd.Index(flow.years, name="year"))
    table["sources_wan"] = table.sum(axis=1)
    table["capex_wan"] = flow.capex
    table["debt_service_wan"] = flow.debt_service
    table["uses_wan"] = table["capex_wan"] + table["debt_service_wan"]
    table["cumulative_balance_wan"] = np.cumsum(table["sources_wan"] - table["uses_wan"])
    return table


def earmarked(flow: ProjectCashflow, parties: set[str], *, outside_pools: bool | None = None) -> dict[str, float]:
    """Money from ``parties`` earmarked per capex item (a grant for several items split by their cost); with
    ``outside_pools``, only the grants whose flag is that."""
    items = flow.project.capex.items_wan
    out = {item: 0.0 for item in items}
    for grant in flow.project.grants:
        if grant.party not in parties or not grant.items:
            continue
        if outside_pools is not None and grant.outside_pools != outside_pools:
            continue
        weight = sum(items[i] for i in grant.items)
        for item in grant.items:
            out[item] += grant.amount_wan * (items[item] / weight if weight > 0 else 1 / len(grant.items))
    return out


def owners_share(flow: ProjectCashflow, required: dict[str, float], parties: set[str]) -> dict[str, float]:
    """Owners' money put to each owner item: grants for one item first, then grants for several items split in
    proportion to what their items still need (by cost once nothing is needed), so that money meant for roofs
    and drains together is not counted short for one while the other is over-covered."""
    grants = [g for g in flow.project.grants if g.party in parties and any(i in required for i in g.items)]
    given = {item: 0.0 for item in required}
    for parts in allocate_earmarked(grants, flow.project.capex.items_wan, required):
        for item, amount in parts.items():
            given[item] += amount
    return given


def owner_checks(flow: ProjectCashflow, policy: Policy) -> pd.DataFrame:
    """Owners pay for roofs, shared drains and elevators (三(五)) whatever the project's mode: each capex item the cost
    catalogue routes to the owners, by its code, policy name or an alias (屋面, 化粪池, 电梯), is covered by the
    owners' money earmarked for it, plus the government subsidy allowed: for elevators a share of the cost with a
    cap per elevator, for the others (roofs, shared drains) a share of the residents' own money earmarked for them
    with a cap per household (六(三), ``cofunding_subsidy_rate`` and ``…_cap_wan_per_household``); each subsidy
    within its ceiling."""
    rules = policy["multi_source"]
    catalogue = policy.entry("cost_catalogue").value  # read, not changed: no copy of the whole catalogue per project
    project = flow.project
    items = project.capex.items_wan
    code = {item: catalogue.owner_item(item) for item in items}
    owner_items = [item for item in items if code[item] is not None]
    rows = []
    if not owner_items:
        return pd.DataFrame(rows, columns=CHECK_COLUMNS)
    subsidy = earmarked(flow, set(rules.subsidy_parties))
    elevators = [item for item in owner_items if code[item] == "elevators"]
    elevator_cost = sum(items[item] for item in elevators)
    allowed_subsidy = min(rules.elevator_subsidy_share * elevator_cost,
                          rules.elevator_subsidy_cap_wan * project.elevators)
    given_subsidy = sum(subsidy[item] for item in elevators)
    counted = {item: min(subsidy[item], allowed_subsidy * items[item] / elevator_cost) if elevator_cost > 0 else 0.0
               for item in elevators}
    if elevators:
        rows.append(["elevator_subsidy_cap", "、".join(elevators), allowed_subsidy, given_subsidy,
                     max(0.0, given_subsidy - allowed_subsidy), given_subsidy <= allowed_subsidy + 1e-9])
    shared = [item for item in owner_items if code[item] != "elevators"]
    subsidised = [item for item in shared if subsidy[item] > 0]
    if subsidised:  # residents' money on shared facilities draws a capped subsidy (六(三))
        residents = earmarked(flow, {"residents"})
        own = sum(residents[item] for item in subsidised)
        allowed = min(rules.cofunding_subsidy_rate * own, rules.cofunding_subsidy_cap_wan_per_household
                      * project.households)
        given = sum(subsidy[item] for item in subsidised)
        counted |= {item: subsidy[item] * min(1.0, allowed / given) for item in subsidised}
        rows.append(["cofunding_subsidy_cap", "、".join(subsidised), allowed, given, max(0.0, given - allowed),
                     given <= allowed + 1e-9])
    required = {item: items[item] - counted.get(item, 0.0) for item in owner_items}
    owners = owners_share(flow, required, set(rules.owner_parties))
    for item in owner_items:
        covered = owners[item] + counted.get(item, 0.0)
        rows.append(["owners_pay", item, items[item], covered, np.nan, covered >= items[item] - 1e-6])
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


SPECIAL_PARTIES = {"department": {"departments", "utilities"}, "utility": {"utilities", "departments"}}
"""Whose money pays a special renovation (三(五): 专项改造资金由相关部门（单位）筹集): the departments' special funds
and the utilities' own; either may carry the other's item, as a department's plan may assign a company."""
POOL_PARTIES = ("central", "provincial", "city")
"""The subsidy pools split among districts (切块分配): money kept to basic public facilities."""


def special_checks(flow: ProjectCashflow, policy: Policy) -> pd.DataFrame:
    """Special renovations and utilities' work (专项改造, 三(五)) whatever the project's mode: each capex item the cost
    catalogue routes to a department or a utility is paid by the departments' or utilities' money earmarked for it
    (rule ``special_funded``), and no money of the subsidy pools is earmarked for it (rule ``special_not_from_pools``,
    a ceiling of 0). Central or provincial money the entity applied for itself (``outside_pools``, 六(四)) is not the
    pools': it counts toward the item's funding."""
    catalogue = policy.entry("cost_catalogue").value
    items = flow.project.capex.items_wan
    special = [item for item in items if catalogue.route_of(item) in SPECIAL_PARTIES]
    rows = []
    if special:
        pools = earmarked(flow, set(POOL_PARTIES), outside_pools=False)
        applied = earmarked(flow, set(POOL_PARTIES), outside_pools=True)
        for item in special:
            parties = SPECIAL_PARTIES[catalogue.route_of(item)]
            given = earmarked(flow, parties)[item] + applied[item]
            rows.append(["special_funded", item, items[item], given, np.nan, given >= items[item] - 1e-6])
            rows.append(["special_not_from_pools", item, 0.0, pools[item], pools[item], pools[item] <= 1e-9])
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def rule_checks(flow: ProjectCashflow, policy: Policy) -> pd.DataFrame:
    """The 多元化投入 project's rules (五(四)): the owners' items (``owner_checks``, which every project has) and the
    residents' money per household within the range the parameters give."""
    rules = policy["multi_source"]
    project = flow.project
    rows = owner_checks(flow, policy).values.tolist()
    residents = sum(g.amount_wan for g in project.grants if g.party == "residents")
    low, high = rules.resident_contribution_wan_per_household
    if project.households > 0:
        per_household = residents / project.households
        rows.append(["resident_contribution", "", f"{low:g}–{high:g}", per_household, np.nan,
                     low - 1e-12 <= per_household <= high + 1e-12])
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def public_money_checks(flow: ProjectCashflow, policy: Policy) -> pd.DataFrame:
    """Public money against the cost it funds (rule ``public_within_cost``), as one row per capex item that
    public money is earmarked for and one for the project account (item ""):

    - an item: the subsidies earmarked for it (a subsidy for several items split by their cost) plus the rewards
      that pay it back (a reward for several items split by their cost), whoever receives them, at most its cost;
    - the project account: the subsidies and the rewards it receives, at most the investment less what the other
      parties (residents, utilities, the maintenance fund, …) gave for it.

    ``excess_wan`` is the public money above the cost."""
    public = set(policy["multi_source"].subsidy_parties)
    project = flow.project
    costs = project.capex.items_wan
    on_item = earmarked(flow, public)
    for line in flow.reward_lines:
        weight = sum(costs[i] for i in line.items)
        for item in line.items:
            on_item[item] += line.amount_wan * (costs[item] / weight if weight > 0 else 1 / len(line.items))
    rows = [["public_within_cost", item, costs[item], given, max(0.0, given - costs[item]),
             given <= costs[item] + 1e-6] for item, given in on_item.items() if given > 0]
    others = sum(g.amount_wan for g in project.grants if g.party not in public)
    received = sum(g.amount_wan for g in project.grants if g.party in public) + float(flow.rewards.sum())
    allowed = max(0.0, project.capex.total_wan - others)
    rows.append(["public_within_cost", "", allowed, received, max(0.0, received - allowed),
                 received <= allowed + 1e-6])
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def public_excess(checks: pd.DataFrame) -> float:
    """Public money above the cost it funds in one project's checks, 万元: the larger of the project account's
    excess and the items' excesses added up (both count the same surplus when one item carries it)."""
    public = checks[checks["rule"] == "public_within_cost"]
    account = float(public.loc[public["item"] == "", "excess_wan"].sum())
    items = float(public.loc[public["item"] != "", "excess_wan"].sum())
    return max(account, items)

"""政府引导的多元化投入: the funding stack by party, year by year, and the rules on who pays for what.

Rules (policy parameter ``multi_source_rules_2020``, an assumption labelled as such):
- owners (residents, the maintenance fund, former owner units) pay for roofs, shared drains and elevators: the
  owners' money earmarked for these items, plus for elevators the government subsidy allowed, covers each cost;
- the government subsidy earmarked for elevators is at most the share of their cost and the cap per elevator;
- residents' money per household lies in the range the parameters give.
Owners' money earmarked for several items goes where it is still needed (see ``owners_share``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cashflow import ProjectCashflow
from ..policy import parameter

RULES = "multi_source_rules_2020"


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


def earmarked(flow: ProjectCashflow, parties: set[str]) -> dict[str, float]:
    """Money from ``parties`` earmarked per capex item (a grant for several items split by their cost)."""
    items = flow.project.capex.items_wan
    out = {item: 0.0 for item in items}
    for grant in flow.project.grants:
        if grant.party not in parties or not grant.items:
            continue
        weight = sum(items[i] for i in grant.items)
        for item in grant.items:
            out[item] += grant.amount_wan * (items[item] / weight if weight > 0 else 1 / len(grant.items))
    return out


def owners_share(flow: ProjectCashflow, required: dict[str, float], parties: set[str]) -> dict[str, float]:
    """Owners' money put to each owner item: grants for one item first, then grants for several items split in
    proportion to what their items still need (by cost once nothing is needed), so that money meant for roofs
    and drains together is not counted short for one while the other is over-covered."""
    given = {item: 0.0 for item in required}
    grants = [g for g in flow.project.grants if g.party in parties and any(i in required for i in g.items)]
    for grant in sorted(grants, key=lambda g: len(g.items)):
        mine = [i for i in grant.items if i in required]
        remaining = {i: max(0.0, required[i] - given[i]) for i in mine}
        total = sum(remaining.values())
        costs = {i: flow.project.capex.items_wan[i] for i in mine}
        weights = remaining if total > 0 else costs
        scale = sum(weights.values()) or 1.0
        owner_part = grant.amount_wan * sum(costs.values()) / (
            sum(flow.project.capex.items_wan[i] for i in grant.items) or 1.0)
        for i in mine:
            given[i] += owner_part * weights[i] / scale
    return given


def rule_checks(flow: ProjectCashflow) -> pd.DataFrame:
    """One row per rule: what it asks, what the plan gives, and whether it holds."""
    rules = parameter(RULES).value
    project = flow.project
    items = project.capex.items_wan
    subsidy = earmarked(flow, set(rules["subsidy_parties"]))
    rows = []
    elevator_cost = items.get("elevators", 0.0)
    allowed_subsidy = min(rules["elevator_subsidy_share"] * elevator_cost,
                          rules["elevator_subsidy_cap_wan"] * project.elevators)
    counted_subsidy = min(subsidy.get("elevators", 0.0), allowed_subsidy)
    if "elevators" in items:
        given = subsidy["elevators"]
        rows.append(["elevator_subsidy_cap", "elevators", allowed_subsidy, given, given <= allowed_subsidy + 1e-9])
    owner_items = [i for i in rules["owner_items"] if i in items]
    required = {i: items[i] - (counted_subsidy if i == "elevators" else 0.0) for i in owner_items}
    owners = owners_share(flow, required, set(rules["owner_parties"]))
    for item in owner_items:
        covered = owners[item] + (counted_subsidy if item == "elevators" else 0.0)
        rows.append(["owners_pay", item, items[item], covered, covered >= items[item] - 1e-6])
    residents = sum(g.amount_wan for g in project.grants if g.party == "residents")
    low, high = rules["resident_contribution_wan_per_household"]
    if project.households > 0:
        per_household = residents / project.households
        rows.append(["resident_contribution", "", f"{low:g}–{high:g}", per_household,
                     low - 1e-12 <= per_household <= high + 1e-12])
    return pd.DataFrame(rows, columns=["rule", "item", "required", "given", "passed"])

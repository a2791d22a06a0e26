"""资金来源 of project scenarios: each capex line's funding route and payer by the cost catalogue (三(五)), year by
year, and the money each source puts in — for every project whatever its mode."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cashflow import CashflowResult
from ..policy.catalogue import ROUTES, CostCatalogue

SOURCES = ("rewards", "investor", "land_returns", "equity", "bonds", "loans", "operating_cash")
"""Money in besides the grants (by party), in the order 资金来源 lists it."""


def investment_by_route(result: CashflowResult, catalogue: CostCatalogue) -> pd.DataFrame:
    """(route, payer) × calendar year: the investment of all projects by whom the policy has pay it, 万元. A line the
    catalogue does not name (a bundle's building work) and a category the project pays itself (improvement,
    upgrade) are the project's own, payer ""."""
    parts = []
    for group in result.cashflows.groups:
        for item, values in group.capex_by_item.items():
            code = catalogue.find(item)
            route, payer = (catalogue.items[code].route, catalogue.items[code].payer) if code else ("project", "")
            payer = "" if route == "project" else payer  # one line for the project's own money, however named
            parts.append(pd.DataFrame({"route": route, "payer": payer, "year": group.years.astype(int),
                                       "cost_wan": np.asarray(values, dtype=float).reshape(-1, len(group.years))
                                       .sum(axis=0)}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["route", "payer", "year", "cost_wan"])
    table = frame.pivot_table(index=["route", "payer"], columns="year", values="cost_wan", aggfunc="sum",
                              fill_value=0.0)
    order = {route: k for k, route in enumerate(ROUTES)}
    return table.iloc[sorted(range(len(table)), key=lambda k: (order[table.index[k][0]], table.index[k][1]))]


def sources_by_year(result: CashflowResult) -> pd.DataFrame:
    """Source × calendar year: the money each party's grants, the rewards, equity, bonds, loans and operations
    put in, all projects together, 万元 (the rows of 多元投入's funding stack, for every project)."""
    rows: dict[str, dict[int, float]] = {}

    def add(key: str, years: np.ndarray, values: np.ndarray) -> None:
        sums = np.asarray(values, dtype=float).reshape(-1, len(years)).sum(axis=0)
        row = rows.setdefault(key, {})
        for year, value in zip(years.astype(int), sums):
            row[year] = row.get(year, 0.0) + float(value)

    for group in result.cashflows.groups:
        party = {grant.id: grant.party for grant in group.project.grants}
        for grant_id, values in group.grants_by_id.items():
            add(f"grant:{party[grant_id]}", group.years, values)
        if group.rewards_by_id:
            add("rewards", group.years, sum(group.rewards_by_id.values()))
        add("equity", group.years, group.equity)
        add("bonds", group.years, group.bond_proceeds)
        add("loans", group.years, group.loan_drawdown)
        add("investor", group.years, group.investor_equity)
        if group.land_by_id:
            add("land_returns", group.years, sum(group.land_by_id.values()))
        add("operating_cash", group.years, group.operations.cfads)
    table = pd.DataFrame(rows).T.fillna(0.0)
    table = table[sorted(table.columns)]
    grants = sorted(k for k in table.index if k.startswith("grant:"))
    return table.loc[grants + [k for k in SOURCES if k in table.index and (table.loc[k] != 0).any()]]

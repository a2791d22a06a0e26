"""Year-by-year cash flow of renovation projects: investment, operating income and costs, grants, equity and
debt; then the metrics that decide whether a project pays its way, computed for all projects at once.

Year index t = 0 is ``scenario.year``, the first construction year; flows fall at year end. Definitions:

- 息税折旧摊销前利润 EBITDA = income − operating cost (fixed + share of income);
- 可用于偿债的现金流 CFADS = EBITDA − tax − major repairs (the NDRC definition of DSCR's numerator);
- project flow (项目投资净现金流量) = CFADS − capex: before grants and financing;
- net cash after financing = grants + equity + bond proceeds + loan draws + CFADS − capex − interest − principal;
- interest during construction (建设期利息) = interest paid or capitalised in construction years; with capex it
  makes the total investment (总投资);
- DSCR counts debt service in operating years only: during construction interest is paid from the capital raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..policy.params import Policy
from ..policy.rewards import RewardLine, project_reward_lines
from .loans import bond_rows, loan_rows
from .metrics import dscr, llcr
from .scenario import Project

DEBT_COLUMNS = ["year", "phase", "opening_balance_wan", "drawdown_wan", "interest_wan", "principal_wan",
                "payment_wan", "closing_balance_wan"]


@dataclass(frozen=True)
class Operations:
    """The operating part of one project's cash flow; rebuilt cheaply when an income line is scaled."""

    income_by_line: np.ndarray
    """(lines, years) income, 万元."""
    operating_cost: np.ndarray
    major_repairs: np.ndarray
    tax: np.ndarray

    @property
    def income(self) -> np.ndarray:
        return self.income_by_line.sum(axis=0)

    @property
    def ebitda(self) -> np.ndarray:
        return self.income - self.operating_cost

    @property
    def cfads(self) -> np.ndarray:
        return self.ebitda - self.tax - self.major_repairs


@dataclass(frozen=True)
class ProjectCashflow:
    """One project's flows by year (all arrays over ``years``, 万元) and its debt schedules."""

    project: Project
    years: np.ndarray
    """Calendar years, year 0 first."""
    capex_by_item: dict[str, np.ndarray]
    operations: Operations
    grants_by_id: dict[str, np.ndarray]
    equity: np.ndarray
    bond_proceeds: np.ndarray
    loan_drawdown: np.ndarray
    interest: np.ndarray
    """Interest paid in cash, bonds and loans."""
    principal: np.ndarray
    capitalised_interest: np.ndarray
    rewards_by_id: dict[str, np.ndarray] = field(default_factory=dict)
    """以奖代补 paid, per reward id, by year."""
    reward_lines: list[RewardLine] = field(default_factory=list)
    """How each reward's amount came about."""
    debt_rows: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    """Schedule per bond and loan id as arrays, with a ``year`` entry of calendar years."""

    @cached_property
    def debt(self) -> dict[str, pd.DataFrame]:
        """Schedule per bond and loan id, by calendar year, money columns named with their unit."""
        return {debt_id: _calendar(rows) for debt_id, rows in self.debt_rows.items()}

    @property
    def construction(self) -> np.ndarray:
        return np.arange(self.years.size) < self.project.construction_years

    @cached_property
    def capex(self) -> np.ndarray:
        return np.sum(list(self.capex_by_item.values()), axis=0)

    @cached_property
    def grants(self) -> np.ndarray:
        return np.sum(list(self.grants_by_id.values()), axis=0) if self.grants_by_id else np.zeros(self.years.size)

    @cached_property
    def rewards(self) -> np.ndarray:
        return (np.sum(list(self.rewards_by_id.values()), axis=0) if self.rewards_by_id
                else np.zeros(self.years.size))

    @cached_property
    def support(self) -> np.ndarray:
        """Grants and rewards: the money that is not repaid."""
        return self.grants + self.rewards

    @cached_property
    def debt_service(self) -> np.ndarray:
        return self.interest + self.principal

    @cached_property
    def operating_debt_service(self) -> np.ndarray:
        return np.where(self.construction, 0.0, self.debt_service)

    @property
    def construction_interest(self) -> float:
        return float(np.where(self.construction, self.interest, 0.0).sum() + self.capitalised_interest.sum())

    @cached_property
    def project_flow(self) -> np.ndarray:
        return self.operations.cfads - self.capex

    @cached_property
    def net_cash(self) -> np.ndarray:
        return (self.support + self.equity + self.bond_proceeds + self.loan_drawdown + self.operations.cfads
                - self.capex - self.debt_service)

    def coverage_numerator(self, definition: str) -> float:
        """Income over the life (gross), or income less operating cost, major repairs and tax (net), 万元."""
        ops = self.operations
        income = float(ops.income.sum())
        if definition == "gross":
            return income
        return income - float((ops.operating_cost + ops.major_repairs + ops.tax).sum())

    def instruments(self, debt: str) -> list:
        """The special bonds, or the bonds and the loans (``debt`` = "bonds" | "all_debt")."""
        return list(self.project.bonds) + (list(self.project.loans) if debt == "all_debt" else [])

    def scheduled_service(self, debt: str) -> float:
        """Debt service the model schedules over the life of ``debt``'s instruments, 万元."""
        return float(sum(self.debt_rows[i.id]["payment"].sum() for i in self.instruments(debt)))

    def annual(self) -> pd.DataFrame:
        """The annual table: one row per calendar year, every column with its unit."""
        ops = self.operations
        columns: dict[str, np.ndarray] = {}
        for item, values in self.capex_by_item.items():
            columns[f"capex_{item}_wan"] = values
        columns["capex_wan"] = self.capex
        for line, values in zip(self.project.income, ops.income_by_line):
            columns[f"income_{line.id}_wan"] = values
        columns["income_wan"] = ops.income
        columns["operating_cost_wan"] = ops.operating_cost
        columns["ebitda_wan"] = ops.ebitda
        columns["tax_wan"] = ops.tax
        columns["major_repairs_wan"] = ops.major_repairs
        columns["cfads_wan"] = ops.cfads
        columns["project_flow_wan"] = self.project_flow
        for grant_id, values in self.grants_by_id.items():
            columns[f"grant_{grant_id}_wan"] = values
        columns["grants_wan"] = self.grants
        for reward_id, values in self.rewards_by_id.items():
            columns[f"reward_{reward_id}_wan"] = values
        columns["rewards_wan"] = self.rewards
        columns["equity_wan"] = self.equity
        columns["bond_proceeds_wan"] = self.bond_proceeds
        columns["loan_drawdown_wan"] = self.loan_drawdown
        columns["interest_wan"] = self.interest
        columns["principal_wan"] = self.principal
        columns["debt_service_wan"] = self.debt_service
        columns["net_cash_wan"] = self.net_cash
        columns["cumulative_cash_wan"] = np.cumsum(self.net_cash)
        ratio, _ = dscr(ops.cfads, self.operating_debt_service)
        columns["dscr"] = ratio
        columns["llcr"] = llcr(ops.cfads, self.operating_debt_service, debt_rate(self.project))
        table = pd.DataFrame(columns, index=pd.Index(self.years, name="year"))
        return table


def debt_rate(project: Project) -> float:
    """Principal-weighted rate of the project's bonds and loans (the LLCR's discount rate); 0 without debt."""
    amounts = [b.principal_wan for b in project.bonds] + [loan.principal_wan for loan in project.loans]
    rates = [b.coupon for b in project.bonds] + [loan.rate for loan in project.loans]
    return float(np.average(rates, weights=amounts)) if sum(amounts) > 0 else 0.0


def operations(project: Project, year0: int, scales: np.ndarray | None = None) -> Operations:
    """Income, operating cost, repairs and tax by year; ``scales`` multiplies each income line (break-evens)."""
    horizon = project.horizon
    t = np.arange(horizon)
    first_operating = project.construction_years
    lines = np.zeros((len(project.income), horizon))
    for k, line in enumerate(project.income):  # a loop over a project's few income lines, each vectorised
        first = (line.first_year - year0) if line.first_year is not None else first_operating
        last = (line.last_year - year0) if line.last_year is not None else horizon - 1
        age = t - first
        active = (age >= 0) & (t <= last)
        ramp = np.ones(horizon)
        steps = np.clip(age, 0, None)
        if line.ramp_up:
            factors = np.asarray(line.ramp_up, dtype=float)
            ramp = np.where(steps < factors.size, factors[np.minimum(steps, factors.size - 1)], 1.0)
        lines[k] = np.where(active, line.annual_wan() * ramp * (1 + line.growth) ** steps, 0.0)
    if scales is not None:
        lines = lines * np.asarray(scales, dtype=float)[:, None]
    income = lines.sum(axis=0)
    costs = project.operating_costs
    operating = t >= first_operating
    fixed = np.where(operating, costs.fixed_wan_per_year * (1 + costs.growth) ** np.clip(t - first_operating, 0,
                                                                                          None), 0.0)
    operating_cost = fixed + costs.share_of_income * income
    repairs = np.zeros(horizon)
    for repair in costs.major_repairs:
        repairs[repair.year - year0] += repair.amount_wan
    tax = np.zeros(horizon)
    if project.tax is not None:
        base = income if project.tax.base == "income" else np.maximum(income - operating_cost, 0.0)
        tax = project.tax.rate * base
    return Operations(income_by_line=lines, operating_cost=operating_cost, major_repairs=repairs, tax=tax)


def project_cashflow(project: Project, year0: int, policy: Policy) -> ProjectCashflow:
    """Build one project's cash flow."""
    horizon = project.horizon
    years = year0 + np.arange(horizon)
    built = project.construction_years
    schedule = np.zeros(horizon)
    schedule[:built] = project.capex.schedule
    capex = {item: amount * schedule for item, amount in project.capex.items_wan.items()}

    equity_shares = np.zeros(horizon)
    equity_shares[:built] = project.equity_schedule if project.equity_schedule is not None else project.capex.schedule
    grants: dict[str, np.ndarray] = {}
    for grant in project.grants:
        paid = np.zeros(horizon)
        advance = (grant.advance_year - year0) if grant.advance_year is not None else 0
        paid[advance] += grant.amount_wan * grant.advance_share
        paid[built - 1 + grant.settlement_lag_years] += grant.amount_wan * (1 - grant.advance_share)
        grants[grant.id] = paid

    # A reward for work a utility, the residents or another contributor paid for is theirs: only the project
    # account's part of it (to_project_wan) is the project's money.
    rewards: dict[str, np.ndarray] = {}
    lines = project_reward_lines(project, year0, policy)
    for line in lines:
        paid = np.zeros(horizon)
        paid[line.paid_year - year0] = line.to_project_wan
        rewards[line.id] = paid

    proceeds, draws = np.zeros(horizon), np.zeros(horizon)
    interest, principal, capitalised = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
    debt: dict[str, dict[str, np.ndarray]] = {}
    for bond in project.bonds:
        start = (bond.issue_year - year0) if bond.issue_year is not None else 0
        rows = bond_rows(bond.principal_wan, bond.coupon, bond.years, amortisation=bond.amortisation)
        span = slice(start, start + bond.years)
        proceeds[start] += bond.principal_wan
        interest[span] += rows["interest"]
        principal[span] += rows["principal"]
        debt[bond.id] = rows | {"year": years[span]}
    for loan in project.loans:
        shares = np.asarray(loan.drawdown if loan.drawdown is not None else project.capex.schedule, dtype=float)
        rows = loan_rows(loan.principal_wan, loan.rate, loan.years, grace_years=loan.grace_years,
                         method=loan.method, drawdowns=loan.principal_wan * shares,
                         construction_interest=loan.construction_interest, round_to=loan.round_to,
                         when=loan.payment_timing, drawdown_timing=loan.drawdown_timing)
        span = slice(0, rows["period"].size)
        draws[span] += rows["drawdown"]
        in_construction = rows["phase"] == "construction"
        paid_interest = np.where(in_construction, rows["payment"], rows["interest"])
        interest[span] += paid_interest
        principal[span] += rows["principal"]
        capitalised[span] += np.where(in_construction, rows["interest"] - paid_interest, 0.0)
        debt[loan.id] = rows | {"year": years[span]}
    return ProjectCashflow(
        project=project, years=years, capex_by_item=capex, operations=operations(project, year0),
        grants_by_id=grants, equity=project.equity_wan * equity_shares, bond_proceeds=proceeds,
        loan_drawdown=draws, interest=interest, principal=principal, capitalised_interest=capitalised,
        rewards_by_id=rewards, reward_lines=lines, debt_rows=debt,
    )


def _calendar(rows: dict[str, np.ndarray]) -> pd.DataFrame:
    """A debt schedule keyed by calendar year, money columns named with their unit."""
    columns = {"year": rows["year"], "phase": rows["phase"]}
    for name in DEBT_COLUMNS[2:]:
        columns[name] = rows[name.removesuffix("_wan")]
    return pd.DataFrame(columns)


def stack(flows: list[np.ndarray]) -> np.ndarray:
    """Projects' flows as one (projects, years) array, shorter horizons padded with zeros at the end."""
    width = max(f.size for f in flows)
    out = np.zeros((len(flows), width))
    for k, f in enumerate(flows):
        out[k, :f.size] = f
    return out

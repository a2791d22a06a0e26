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

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..policy.params import Policy
from ..policy.rewards import RewardLine, project_reward_lines
from .loans import bond_table, loan_rows, loan_table
from .metrics import dscr, llcr
from .scenario import Bond, Loan, Project, RowValues

DEBT_COLUMNS = ["year", "phase", "opening_balance_wan", "drawdown_wan", "interest_wan", "principal_wan",
                "payment_wan", "closing_balance_wan"]


@dataclass(frozen=True)
class Operations:
    """The operating part of a cash flow; rebuilt cheaply when an income line is scaled. Arrays over years, or
    over (projects, years) for the rows of a project table."""

    income_by_line: np.ndarray
    """(lines, years) or (lines, projects, years) income, 万元."""
    operating_cost: np.ndarray
    major_repairs: np.ndarray
    tax: np.ndarray
    investor_base: np.ndarray | None = None
    """Income of the lines an investor runs, in its concession years (None without an investor), 万元."""
    investor_rate: float = 0.0
    """The investor's revenue share."""

    @property
    def income(self) -> np.ndarray:
        return self.income_by_line.sum(axis=0)

    @property
    def investor_share(self) -> np.ndarray:
        """What the public side pays the investor each year: its share of its lines' income, 万元."""
        if self.investor_base is None:
            return np.zeros(self.operating_cost.shape)
        return self.investor_rate * self.investor_base

    @property
    def ebitda(self) -> np.ndarray:
        return self.income - self.operating_cost

    @property
    def cfads(self) -> np.ndarray:
        """Cash available to the public side for debt service: after the investor's share (五(五))."""
        return self.ebitda - self.tax - self.major_repairs - self.investor_share

    def at(self, k) -> Operations:
        """Row ``k`` of a table's operations (``None``: the one project's as a table of one row)."""
        if k is None:
            return Operations(self.income_by_line[:, None], self.operating_cost[None], self.major_repairs[None],
                              self.tax[None], None if self.investor_base is None else self.investor_base[None],
                              self.investor_rate)
        return Operations(self.income_by_line[:, k], self.operating_cost[k], self.major_repairs[k], self.tax[k],
                          None if self.investor_base is None else self.investor_base[k], self.investor_rate)


@dataclass(frozen=True)
class _Flows:
    """The flows of one project (arrays over ``years``) or of a table's rows ((projects, years)), 万元, and what
    follows from them whatever the shape."""

    project: Project
    """The project, or the table's template."""
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
    rewards_by_id: dict[str, np.ndarray]
    """以奖代补 paid, per reward id, by year."""
    reward_lines: list[RewardLine]
    """How each reward's amount came about."""
    debt_rows: dict[str, dict[str, np.ndarray]]
    """Schedule per bond and loan id as arrays, with a ``year`` entry of calendar years."""
    investor_equity: np.ndarray
    """What social capital puts in, by year (zeros without an investor)."""
    land_by_id: dict[str, np.ndarray]
    """Land-transfer premium returned (六(三)), per return id, by year."""

    def _total(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        return np.sum(list(parts.values()), axis=0) if parts else np.zeros(self.equity.shape)

    @property
    def construction(self) -> np.ndarray:
        return np.arange(self.years.size) < self.project.construction_years

    @cached_property
    def capex(self) -> np.ndarray:
        return self._total(self.capex_by_item)

    @cached_property
    def grants(self) -> np.ndarray:
        return self._total(self.grants_by_id)

    @cached_property
    def rewards(self) -> np.ndarray:
        return self._total(self.rewards_by_id)

    @cached_property
    def support(self) -> np.ndarray:
        """Grants, rewards, land premium returned and an investor's money: what the public side does not repay as
        debt (the investor is paid by its share of income, in ``operations.cfads``)."""
        return self.grants + self.rewards + self.investor_equity + self.land_returns

    @cached_property
    def land_returns(self) -> np.ndarray:
        return self._total(self.land_by_id)

    @cached_property
    def debt_service(self) -> np.ndarray:
        return self.interest + self.principal

    @cached_property
    def operating_debt_service(self) -> np.ndarray:
        return np.where(self.construction, 0.0, self.debt_service)

    @cached_property
    def construction_interests(self) -> np.ndarray:
        """Interest paid in construction years and interest capitalised, 万元 (per project for a table)."""
        return np.where(self.construction, self.interest, 0.0).sum(axis=-1) + self.capitalised_interest.sum(axis=-1)

    @cached_property
    def project_flow(self) -> np.ndarray:
        return self.operations.cfads - self.capex

    @cached_property
    def net_cash(self) -> np.ndarray:
        return (self.support + self.equity + self.bond_proceeds + self.loan_drawdown + self.operations.cfads
                - self.capex - self.debt_service)

    def coverage_numerators(self, definition: str) -> np.ndarray:
        """Income over the life (gross), or income less operating cost, major repairs and tax (net), 万元."""
        ops = self.operations
        income = ops.income.sum(axis=-1)
        if definition == "gross":
            return income
        return income - (ops.operating_cost + ops.major_repairs + ops.tax).sum(axis=-1)

    def scheduled_services(self, debt: str) -> np.ndarray:
        """Debt service the model schedules over the life of ``debt``'s instruments ("bonds" | "all_debt"), 万元."""
        ids = [i.id for i in instruments(self.project, debt)]
        return np.sum([self.debt_rows[i]["payment"].sum(axis=-1) for i in ids], axis=0) if ids else (
            np.zeros(self.equity.shape[:-1]))


@dataclass(frozen=True)
class ProjectCashflow(_Flows):
    """One project's flows by year (all arrays over ``years``, 万元) and its debt schedules."""

    @cached_property
    def debt(self) -> dict[str, pd.DataFrame]:
        """Schedule per bond and loan id, by calendar year, money columns named with their unit."""
        return {debt_id: _calendar(rows) for debt_id, rows in self.debt_rows.items()}

    @property
    def construction_interest(self) -> float:
        return float(self.construction_interests)

    def coverage_numerator(self, definition: str) -> float:
        return float(self.coverage_numerators(definition))

    def instruments(self, debt: str) -> list:
        """The special bonds, or the bonds and the loans (``debt`` = "bonds" | "all_debt")."""
        return instruments(self.project, debt)

    def scheduled_service(self, debt: str) -> float:
        return float(self.scheduled_services(debt))

    def as_table(self) -> TableFlows:
        """These flows as the only row of a table's (what the engine computes for many rows at once)."""
        def rows(parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            return {key: values[None] for key, values in parts.items()}

        ops = self.operations
        return TableFlows(
            project=self.project, years=self.years, capex_by_item=rows(self.capex_by_item),
            operations=ops.at(None),
            grants_by_id=rows(self.grants_by_id), equity=self.equity[None], bond_proceeds=self.bond_proceeds[None],
            loan_drawdown=self.loan_drawdown[None], interest=self.interest[None], principal=self.principal[None],
            capitalised_interest=self.capitalised_interest[None], rewards_by_id=rows(self.rewards_by_id),
            reward_lines=list(self.reward_lines),
            debt_rows={debt_id: {name: values if name in ("period", "phase", "year") else values[None]
                                 for name, values in parts.items()} for debt_id, parts in self.debt_rows.items()},
            investor_equity=self.investor_equity[None], land_by_id=rows(self.land_by_id), values=RowValues(1),
        )

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
        if self.project.investor is not None:
            columns["investor_share_wan"] = ops.investor_share
        columns["cfads_wan"] = ops.cfads
        columns["project_flow_wan"] = self.project_flow
        for grant_id, values in self.grants_by_id.items():
            columns[f"grant_{grant_id}_wan"] = values
        columns["grants_wan"] = self.grants
        for reward_id, values in self.rewards_by_id.items():
            columns[f"reward_{reward_id}_wan"] = values
        columns["rewards_wan"] = self.rewards
        for land_id, values in self.land_by_id.items():
            columns[f"land_{land_id}_wan"] = values
        if self.project.land_returns:
            columns["land_returns_wan"] = self.land_returns
        if self.project.investor is not None:
            columns["investor_equity_wan"] = self.investor_equity
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


@dataclass(frozen=True)
class TableFlows(_Flows):
    """The flows of the rows of a project table, one template project with values of their own: every array
    (projects, years), every schedule (projects, periods)."""

    values: RowValues
    """The rows' own values of the template's fields."""

    @property
    def size(self) -> int:
        return self.values.size

    def row(self, k: int, project: Project) -> ProjectCashflow:
        """Row ``k``'s flows as one project's, ``project`` being that row's."""
        def at(parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            return {key: values[k] for key, values in parts.items()}

        ops = self.operations
        return ProjectCashflow(
            years=self.years, capex_by_item=at(self.capex_by_item),
            operations=ops.at(k),
            grants_by_id=at(self.grants_by_id), equity=self.equity[k], bond_proceeds=self.bond_proceeds[k],
            loan_drawdown=self.loan_drawdown[k], interest=self.interest[k], principal=self.principal[k],
            capitalised_interest=self.capitalised_interest[k], rewards_by_id=at(self.rewards_by_id),
            reward_lines=list(self.reward_lines),
            debt_rows={debt_id: {name: values if name in ("period", "phase", "year") else values[k]
                                 for name, values in rows.items()} for debt_id, rows in self.debt_rows.items()},
            investor_equity=self.investor_equity[k], land_by_id=at(self.land_by_id), project=project,
        )


def instruments(project: Project, debt: str) -> list:
    """The special bonds, or the bonds and the loans (``debt`` = "bonds" | "all_debt")."""
    return list(project.bonds) + (list(project.loans) if debt == "all_debt" else [])


def instrument_principal(project: Project, instrument: Bond | Loan, values: RowValues) -> np.ndarray:
    """A bond's or loan's principal in every row, 万元."""
    kind = "bonds" if isinstance(instrument, Bond) else "loans"
    return values(f"{kind}.{instrument.id}.principal_wan", instrument.principal_wan)[:, 0]


def planning_rates(project: Project, values: RowValues) -> np.ndarray:
    """The planning rate of 本息覆盖倍数 in every row: as given, else the first bond's coupon, else the first loan's
    rate (``Project.planning_rate``), else 0."""
    if project.coverage.planning_rate is not None:
        return np.full(values.size, project.coverage.planning_rate)
    if project.bonds:
        return values(f"bonds.{project.bonds[0].id}.coupon", project.bonds[0].coupon)[:, 0]
    if project.loans:
        return values(f"loans.{project.loans[0].id}.rate", project.loans[0].rate)[:, 0]
    return np.zeros(values.size)


def debt_rates(project: Project, values: RowValues) -> np.ndarray:
    """Principal-weighted rate of the project's bonds and loans (the LLCR's discount rate) per row; 0 without
    debt."""
    amounts = [values(f"bonds.{b.id}.principal_wan", b.principal_wan)[:, 0] for b in project.bonds] + [
        values(f"loans.{loan.id}.principal_wan", loan.principal_wan)[:, 0] for loan in project.loans]
    rates = [values(f"bonds.{b.id}.coupon", b.coupon)[:, 0] for b in project.bonds] + [
        values(f"loans.{loan.id}.rate", loan.rate)[:, 0] for loan in project.loans]
    if not amounts:
        return np.zeros(values.size)
    amounts = np.array(np.broadcast_arrays(*amounts, np.zeros(values.size))[:-1])
    rates = np.array(np.broadcast_arrays(*rates, np.zeros(values.size))[:-1])
    weight = amounts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, (rates * amounts).sum(axis=0) / np.where(weight > 0, weight, 1.0), 0.0)


def debt_rate(project: Project) -> float:
    """Principal-weighted rate of the project's bonds and loans (the LLCR's discount rate); 0 without debt."""
    return float(debt_rates(project, RowValues(1))[0])


def operations(project: Project, year0: int, scales: np.ndarray | None = None,
               values: RowValues | None = None) -> Operations:
    """Income, operating cost, repairs and tax by year; ``scales`` multiplies each income line (break-evens).
    With ``values``, for every row of a table at once ((projects, years) arrays)."""
    rows = values if values is not None else RowValues(1)
    horizon = project.horizon
    t = np.arange(horizon)
    first_operating = project.construction_years
    lines = np.zeros((len(project.income), rows.size, horizon))
    for k, line in enumerate(project.income):  # a loop over a project's few income lines, each vectorised
        value = rows.of(line, f"income.{line.id}.")
        first = (line.first_year - year0) if line.first_year is not None else first_operating
        last = (line.last_year - year0) if line.last_year is not None else horizon - 1
        age = t - first
        active = (age >= 0) & (t <= last)
        ramp = np.ones(horizon)
        steps = np.clip(age, 0, None)
        if line.ramp_up:
            factors = np.asarray(line.ramp_up, dtype=float)
            ramp = np.where(steps < factors.size, factors[np.minimum(steps, factors.size - 1)], 1.0)
        lines[k] = np.where(active, line.annual_wan(value) * ramp * (1 + value("growth")) ** steps, 0.0)
    if scales is not None and project.income:
        lines = lines * np.asarray(scales, dtype=float).reshape(len(project.income), -1, 1)
    income = lines.sum(axis=0)
    costs = project.operating_costs
    cost = rows.of(costs, "operating_costs.")
    operating = t >= first_operating
    fixed = np.where(operating, cost("fixed_wan_per_year") * (1 + cost("growth")) ** np.clip(t - first_operating, 0,
                                                                                              None), 0.0)
    operating_cost = fixed + cost("share_of_income") * income
    repairs = np.zeros((rows.size, horizon))
    for repair in costs.major_repairs:
        repairs[:, repair.year - year0] += repair.amount_wan
    tax = np.zeros((rows.size, horizon))
    if project.tax is not None:
        base = income if project.tax.base == "income" else np.maximum(income - operating_cost, 0.0)
        tax = rows("tax.rate", project.tax.rate) * base
    base, share = None, 0.0
    investor = project.investor
    if investor is not None:  # its lines' income in the concession years, whatever scale the lines are at
        runs = [k for k, line in enumerate(project.income) if not investor.lines or line.id in investor.lines]
        concession = (t >= first_operating) & (t < first_operating + investor.concession_years)
        base = np.where(concession, lines[runs].sum(axis=0), 0.0)
        share = investor.revenue_share
    if values is None:
        return Operations(income_by_line=lines[:, 0], operating_cost=operating_cost[0], major_repairs=repairs[0],
                          tax=tax[0], investor_base=None if base is None else base[0], investor_rate=share)
    return Operations(income_by_line=lines, operating_cost=operating_cost, major_repairs=repairs, tax=tax,
                      investor_base=base, investor_rate=share)


def table_cashflows(project: Project, year0: int, policy: Policy, values: RowValues) -> TableFlows:
    """The flows of every row of a project table at once: ``project`` is the template, ``values`` the rows'
    own values. One project is the table of one row without values of its own."""
    horizon = project.horizon
    size = values.size
    years = year0 + np.arange(horizon)
    built = project.construction_years
    schedule = np.zeros(horizon)
    schedule[:built] = project.capex.schedule
    capex = {item: values(f"capex.items_wan.{item}", amount) * schedule
             for item, amount in project.capex.items_wan.items()}

    equity_shares = np.zeros(horizon)
    equity_shares[:built] = project.equity_schedule if project.equity_schedule is not None else project.capex.schedule
    grants: dict[str, np.ndarray] = {}
    for grant in project.grants:
        value = values.of(grant, f"grants.{grant.id}.")
        amount, advance_share = value("amount_wan"), value("advance_share")
        paid = np.zeros((size, horizon))
        advance = (grant.advance_year - year0) if grant.advance_year is not None else 0
        paid[:, advance] += (amount * advance_share)[:, 0]
        # A row's own lag puts its settlement in its own year: one (row, year) cell each, so += adds once.
        settled = built - 1 + value("settlement_lag_years")[:, 0].astype(int)
        paid[np.arange(size), np.broadcast_to(settled, size)] += np.broadcast_to((amount * (1 - advance_share))[:, 0],
                                                                                 size)
        grants[grant.id] = paid

    # A reward for work a utility, the residents or another contributor paid for is theirs: only the project
    # account's part of it (to_project_wan) is the project's money.
    rewards: dict[str, np.ndarray] = {}
    lines = project_reward_lines(project, year0, policy)
    if lines and values.values:
        raise ValueError("rewards are worked out project by project: a table whose template has rewards is read "
                         "row by row")
    for line in lines:
        paid = np.zeros((size, horizon))
        paid[:, line.paid_year - year0] = line.to_project_wan
        rewards[line.id] = paid

    proceeds, draws = np.zeros((size, horizon)), np.zeros((size, horizon))
    interest, principal, capitalised = (np.zeros((size, horizon)) for _ in range(3))
    debt: dict[str, dict[str, np.ndarray]] = {}
    for bond in project.bonds:
        value = values.of(bond, f"bonds.{bond.id}.")
        start = (bond.issue_year - year0) if bond.issue_year is not None else 0
        amount = value("principal_wan")[:, 0]
        rows = bond_table(amount, value("coupon")[:, 0], bond.years, amortisation=bond.amortisation)
        span = slice(start, start + bond.years)
        proceeds[:, start] += amount
        interest[:, span] += rows["interest"]
        principal[:, span] += rows["principal"]
        debt[bond.id] = rows | {"year": years[span]}
    for loan in project.loans:
        value = values.of(loan, f"loans.{loan.id}.")
        amount = value("principal_wan")
        shares = np.asarray(loan.drawdown if loan.drawdown is not None else project.capex.schedule, dtype=float)
        terms = dict(grace_years=loan.grace_years, method=loan.method,
                     construction_interest=loan.construction_interest, when=loan.payment_timing,
                     drawdown_timing=loan.drawdown_timing)
        if loan.round_to is None:
            principal_, rate_ = np.broadcast_arrays(amount[:, 0], value("rate")[:, 0])
            rows = loan_table(principal_, rate_, loan.years, drawdowns=principal_[:, None] * shares, **terms)
        elif not values.values:
            one = loan_rows(loan.principal_wan, loan.rate, loan.years, drawdowns=loan.principal_wan * shares,
                            round_to=loan.round_to, **terms)
            rows = {name: column if name in ("period", "phase") else column[None, :] for name, column in one.items()}
        else:
            raise ValueError("a loan rounded as a bank rounds runs period by period: a table whose template has one "
                             "is read row by row")
        span = slice(0, rows["period"].size)
        draws[:, span] += rows["drawdown"]
        in_construction = rows["phase"] == "construction"
        paid_interest = np.where(in_construction, rows["payment"], rows["interest"])
        interest[:, span] += paid_interest
        principal[:, span] += rows["principal"]
        capitalised[:, span] += np.where(in_construction, rows["interest"] - paid_interest, 0.0)
        debt[loan.id] = rows | {"year": years[span]}
    def full(array: np.ndarray) -> np.ndarray:  # a row's own array for every row; shared ones as views
        return np.broadcast_to(array, (size, array.shape[-1]))

    land: dict[str, np.ndarray] = {}
    for land_return in project.land_returns:
        value = values.of(land_return, f"land_returns.{land_return.id}.")
        arrives = np.zeros(horizon)
        arrives[land_return.year - year0] = 1.0
        land[land_return.id] = full(value("premium_wan") * value("returned_share") * arrives)

    return TableFlows(
        years=years, capex_by_item={item: full(v) for item, v in capex.items()},
        operations=operations(project, year0, values=values), grants_by_id=grants,
        equity=full(values("equity_wan", project.equity_wan) * equity_shares), bond_proceeds=proceeds,
        loan_drawdown=draws, interest=interest, principal=principal, capitalised_interest=capitalised,
        rewards_by_id=rewards, reward_lines=lines,
        debt_rows={debt_id: {name: column if name in ("period", "phase", "year") else full(column)
                             for name, column in rows.items()} for debt_id, rows in debt.items()},
        investor_equity=full(project.investor.equity_wan * schedule if project.investor is not None
                             else np.zeros(horizon)),
        land_by_id=land,
        project=project, values=values,
    )


def project_cashflow(project: Project, year0: int, policy: Policy) -> ProjectCashflow:
    """Build one project's cash flow."""
    return table_cashflows(project, year0, policy, RowValues(1)).row(0, project)


def _calendar(rows: dict[str, np.ndarray]) -> pd.DataFrame:
    """A debt schedule keyed by calendar year, money columns named with their unit."""
    columns = {"year": rows["year"], "phase": rows["phase"]}
    for name in DEBT_COLUMNS[2:]:
        columns[name] = rows[name.removesuffix("_wan")]
    return pd.DataFrame(columns)


def stack(blocks: list[np.ndarray]) -> np.ndarray:
    """(projects, years) blocks as one array, shorter horizons padded with zeros at the end."""
    width = max(b.shape[-1] for b in blocks)
    return np.vstack([np.pad(np.atleast_2d(b), ((0, 0), (0, width - b.shape[-1]))) for b in blocks])

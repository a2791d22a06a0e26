"""Evaluate a project scenario: every project's cash flow, its metrics (vectorised over projects), the
coverage of its debt under each definition, and break-even values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .metrics import (
    IrrResult,
    break_even,
    coverage_ratio,
    dscr,
    funding_gap,
    irr,
    llcr,
    npv,
    payback,
    peak_funding_need,
)
from .project import ProjectCashflow, debt_rate, operations, project_cashflow, stack
from .scenario import (
    ChargingIncome,
    FlatIncome,
    ParkingIncome,
    ProjectScenario,
    RentIncome,
)

# The field that sets each income kind's price, and whether it has an occupancy to break even on.
PRICE_FIELD = {ParkingIncome: "fee_yuan_per_month", RentIncome: "rent_yuan_per_m2_month",
               ChargingIncome: "service_fee_yuan_per_kwh", FlatIncome: "amount_wan_per_year"}
PRICE_UNIT = {ParkingIncome: "元/个·月", RentIncome: "元/m²·月", ChargingIncome: "元/kWh", FlatIncome: "万元/年"}

# Scale factors searched for a break-even: from nothing to a thousand times today's value.
SCALE_RANGE = (0.0, 1_000.0)


@dataclass(frozen=True)
class CashflowResult:
    scenario: ProjectScenario
    cashflows: list[ProjectCashflow]
    metrics: pd.DataFrame
    """One row per project (index: id): totals, NPV, IRR, payback, DSCR, funding need and gap."""
    coverage: pd.DataFrame
    """本息覆盖倍数 per project under each definition (gross / net, bonds / all debt, planning rate / schedule)."""
    break_even: pd.DataFrame
    """Per project and input: the value at which the NPV after grants is 0."""
    irr_project: IrrResult
    irr_equity: IrrResult

    def cashflow(self, project_id: str) -> ProjectCashflow:
        for flow in self.cashflows:
            if flow.project.id == project_id:
                return flow
        raise KeyError(f"no project '{project_id}' (projects: {', '.join(self.metrics.index)})")


def evaluate(scenario: ProjectScenario, progress: Callable[[int, int], None] | None = None) -> CashflowResult:
    """Cash flows, metrics, coverage and break-evens for every project of ``scenario``.

    ``progress(done, total)`` is called as projects are built, for long bulk runs.
    """
    year0 = scenario.year
    rate = scenario.config.scenario.discount_rate
    mid = scenario.config.scenario.flow_timing == "mid_year"
    flows: list[ProjectCashflow] = []
    total = len(scenario.projects)
    step = max(1, total // 100)  # a hundred reports at most, however many projects
    for k, project in enumerate(scenario.projects):
        flows.append(project_cashflow(project, year0, scenario.policy))
        if progress is not None and ((k + 1) % step == 0 or k + 1 == total):
            progress(k + 1, total)
    project_flow = stack([f.project_flow for f in flows])
    after_grants = stack([f.project_flow + f.support for f in flows])
    cfads = stack([f.operations.cfads for f in flows])
    service = stack([f.operating_debt_service for f in flows])
    net_cash = stack([f.net_cash for f in flows])
    equity_flow = stack([f.net_cash - f.equity for f in flows])
    years = year0 + np.arange(project_flow.shape[1])

    irr_project = irr(project_flow)
    irr_equity = irr(equity_flow)
    ratio, lowest = dscr(cfads, service)
    lowest_at = np.where(np.isnan(lowest), -1, np.argmin(np.where(np.isnan(ratio), np.inf, ratio), axis=1))
    first_service = np.array([f.project.construction_years for f in flows])
    rates = np.array([debt_rate(f.project) for f in flows])
    llcr_first = llcr(cfads, service, rates)[np.arange(len(flows)), first_service]
    cumulative = np.cumsum(net_cash, axis=1)
    negative = cumulative < -1e-9
    metrics = pd.DataFrame({
        "name": [f.project.name for f in flows],
        "households": [f.project.households for f in flows],
        "floor_area_m2": [f.project.floor_area_m2 for f in flows],
        "total_investment_wan": [f.capex.sum() + f.construction_interest for f in flows],
        "capex_wan": [f.capex.sum() for f in flows],
        "construction_interest_wan": [f.construction_interest for f in flows],
        "income_wan": [f.operations.income.sum() for f in flows],
        "operating_cost_wan": [(f.operations.operating_cost + f.operations.major_repairs).sum() for f in flows],
        "tax_wan": [f.operations.tax.sum() for f in flows],
        "grants_wan": [f.grants.sum() for f in flows],
        "rewards_wan": [f.rewards.sum() for f in flows],
        "equity_wan": [f.equity.sum() for f in flows],
        "bonds_wan": [sum(b.principal_wan for b in f.project.bonds) for f in flows],
        "loans_wan": [sum(loan.principal_wan for loan in f.project.loans) for f in flows],
        "npv_wan": npv(rate, project_flow, mid_year=mid),
        "npv_after_grants_wan": npv(rate, after_grants, mid_year=mid),
        "irr_project": irr_project.value,
        "irr_project_status": irr_project.status,
        "irr_project_kind": irr_project.kind,
        "irr_equity": irr_equity.value,
        "irr_equity_status": irr_equity.status,
        "irr_equity_kind": irr_equity.kind,
        # Counted from the start of construction: flows fall at year end, so year 0's flow comes after 1 year.
        "payback_static_years": np.atleast_1d(payback(project_flow, mid_year=mid)) + 1,
        "payback_discounted_years": np.atleast_1d(payback(project_flow, rate, mid_year=mid)) + 1,
        "peak_funding_need_wan": peak_funding_need(project_flow),
        "funding_gap_wan": funding_gap(rate, after_grants),
        "dscr_min": lowest,
        "dscr_min_year": np.where(lowest_at >= 0, years[np.maximum(lowest_at, 0)], -1),
        "llcr_first": llcr_first,
        "debt_rate": rates,
        "cumulative_cash_min_wan": cumulative.min(axis=1),
        "first_year_cash_negative": np.where(negative.any(axis=1), years[np.argmax(negative, axis=1)], -1),
    }, index=pd.Index([f.project.id for f in flows], name="project"))
    return CashflowResult(
        scenario=scenario, cashflows=flows, metrics=metrics, coverage=coverage_table(flows),
        break_even=break_even_table(flows, year0, rate, mid_year=mid), irr_project=irr_project,
        irr_equity=irr_equity,
    )


def coverage_table(flows: list[ProjectCashflow]) -> pd.DataFrame:
    """本息覆盖倍数 per project under six definitions, from the model and, where given, the published figures.

    With a planning rate: income over Σ principal × (1 + rate × tenor), as bond cards compute it; against the
    schedule: income over the debt service the model actually schedules (coupons and loan instalments).
    Gross uses income; net takes operating cost, major repairs and tax off first.
    """
    rows = []
    for flow in flows:
        project = flow.project
        if not flow.instruments("all_debt"):
            continue
        planning = project.planning_rate
        stated = project.coverage.stated
        income = flow.coverage_numerator("gross")
        bases = {"model": (income, income - flow.coverage_numerator("net"))}
        if project.published is not None and project.published.income_wan is not None:
            bases["published"] = (project.published.income_wan, project.published.operating_cost_wan or 0.0)
        for basis, (income, cost) in bases.items():
            for debt in ("bonds", "all_debt"):
                instruments = flow.instruments(debt)
                amount = sum(i.principal_wan for i in instruments)
                if amount <= 0:
                    continue
                # Σ P_i (1 + r n_i) = P (1 + r n̄) with n̄ the principal-weighted tenor.
                tenor = sum(i.principal_wan * i.years for i in instruments) / amount
                for definition, numerator in (("gross", income), ("net", income - cost)):
                    value = coverage_ratio(numerator, amount, planning, tenor)
                    rate_needed = np.nan
                    if stated is not None:
                        rate_needed = _planning_rate_for(numerator, amount, tenor, stated)
                    rows.append([project.id, basis, definition, debt, "planning_rate", planning, numerator,
                                 amount * (1 + planning * tenor), value, stated, rate_needed])
                if basis == "model":
                    service = flow.scheduled_service(debt)
                    for definition, numerator in (("gross", income), ("net", income - cost)):
                        rows.append([project.id, basis, definition, debt, "schedule", np.nan, numerator, service,
                                     numerator / service, stated, np.nan])
    return pd.DataFrame(rows, columns=[
        "project", "basis", "definition", "debt", "interest", "planning_rate", "numerator_wan", "denominator_wan",
        "coverage", "stated", "planning_rate_for_stated"])


def _planning_rate_for(numerator: float, principal: float, tenor: float, target: float) -> float:
    """The planning rate at which numerator ÷ (principal × (1 + rate × tenor)) equals ``target``; NaN if no rate
    from 0 to 100 % does."""
    try:
        return break_even(lambda r: coverage_ratio(numerator, principal, r, tenor), 0.0, 1.0, target=target,
                          what="planning rate")
    except ValueError:
        return float("nan")


def break_even_table(flows: list[ProjectCashflow], year0: int, rate: float, *, method: str = "auto",
                     mid_year: bool = False) -> pd.DataFrame:
    """Per project and input, the value at which the NPV after grants is 0.

    Inputs: each income line's price (and occupancy where it has one), all income together, and a grant at
    year 0 (the funding gap). Income is proportional to price and to occupancy, so both break even at the same
    scale of their line. Where cash flow is affine in income (no tax on the surplus, whose floor at 0 bends it)
    the scale comes in closed form from the line's present value; otherwise (or with ``method="search"``) by
    Brent's method on the rebuilt operations, which follows taxes on the surplus and costs tied to income exactly.
    ``outcome`` says whether a value was found, the NPV is ≥ 0 even without the input (``without``: break-even
    0), or no value up to a thousand times today's reaches 0 (``beyond``); the grant row says ``not_needed`` when
    the NPV after grants is already ≥ 0.
    """
    rows = []
    for flow in flows:
        project = flow.project
        base_npv = float(npv(rate, flow.project_flow + flow.support, mid_year=mid_year))
        roots = _line_scale_roots(flow, year0, rate, base_npv, method, mid_year)
        for k, line in enumerate(project.income):
            fields = [(PRICE_FIELD[type(line)], PRICE_UNIT[type(line)])]
            if hasattr(line, "occupancy"):
                fields.append(("occupancy", "%"))
            scale, outcome = roots[k]
            for name, unit in fields:
                current = float(getattr(line, name))
                rows.append([project.id, f"income.{line.id}.{name}", line.id, name, unit, current,
                             current * scale, outcome, base_npv])
        if project.income:
            scale, outcome = roots[-1]
            rows.append([project.id, "income", "", "scale", "×", 1.0, scale, outcome, base_npv])
        # A grant in year 0 is worth (1 + r)^0.5 of itself when the year's flows fall in its middle.
        grant_value = (1 + rate) ** 0.5 if mid_year else 1.0
        rows.append([project.id, "grant_year0_wan", "", "grant", "万元", 0.0, max(0.0, -base_npv) / grant_value,
                     "found" if base_npv < 0 else "not_needed", base_npv])
    table = pd.DataFrame(rows, columns=["project", "input", "line", "field", "unit", "current", "break_even",
                                        "outcome", "npv_after_grants_wan"])
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change"] = np.where(table["current"] != 0, table["break_even"] / table["current"] - 1, np.nan)
    return table


def _line_scale_roots(flow: ProjectCashflow, year0: int, rate: float, base_npv: float, method: str,
                      mid_year: bool = False) -> list[tuple[float, str]]:
    """(scale, outcome) for each income line, then for all lines together."""
    project = flow.project
    lines = len(project.income)
    affine = project.tax is None or project.tax.base == "income"
    if method == "auto" and affine:
        # CFADS = (1 − variable share − tax rate) × Σ lines − fixed cost − repairs: each line adds its present
        # value times the share kept, so NPV(s) = NPV(1) + (s − 1) × slope.
        kept = 1 - project.operating_costs.share_of_income - (project.tax.rate if project.tax else 0.0)
        slopes = np.atleast_1d(npv(rate, flow.operations.income_by_line, mid_year=mid_year)) * kept if lines else (
            np.array([]))
        return [_affine_root(base_npv, slope) for slope in [*slopes, slopes.sum()]]
    fixed = flow.support - flow.capex  # what does not move with income

    def npv_at(scales: np.ndarray) -> float:
        return npv(rate, operations(project, year0, scales).cfads + fixed, mid_year=mid_year)

    roots = []
    for k in range(lines):
        def metric(s: float, k=k) -> float:
            scales = np.ones(lines)
            scales[k] = s
            return npv_at(scales)

        roots.append(_scale_root(metric))
    roots.append(_scale_root(lambda s: npv_at(np.full(lines, s))))
    return roots


def _affine_root(base_npv: float, slope: float) -> tuple[float, str]:
    low, high = SCALE_RANGE
    if base_npv - (1 - low) * slope >= 0:
        return 0.0, "without"
    if slope <= 0 or base_npv + (high - 1) * slope < 0:
        return float("nan"), "beyond"
    return 1 - base_npv / slope, "found"


def _scale_root(metric: Callable[[float], float]) -> tuple[float, str]:
    """The scale at which ``metric`` (rising with the scale) is 0, and how it was found: ``found``;
    ``without`` when the metric is ≥ 0 even at scale 0 (then 0); ``beyond`` when even the top of the range
    does not reach it (then NaN)."""
    low, high = SCALE_RANGE
    if metric(low) >= 0:
        return 0.0, "without"
    if metric(high) < 0:
        return float("nan"), "beyond"
    return break_even(metric, low, high, what="scale"), "found"


"""Evaluate a project scenario: every project's cash flow, its metrics (vectorised over projects), the
coverage of its debt under each definition, and break-even values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
from .project import (
    ProjectCashflow,
    TableFlows,
    debt_rates,
    instrument_principal,
    instruments,
    operations,
    planning_rates,
    stack,
    table_cashflows,
)
from .scenario import (
    Blocks,
    ChargingIncome,
    FlatIncome,
    ParkingIncome,
    Project,
    ProjectScenario,
    RentIncome,
    RowValues,
    TableRows,
)

# The field that sets each income kind's price, and whether it has an occupancy to break even on.
PRICE_FIELD = {ParkingIncome: "fee_yuan_per_month", RentIncome: "rent_yuan_per_m2_month",
               ChargingIncome: "service_fee_yuan_per_kwh", FlatIncome: "amount_wan_per_year"}
PRICE_UNIT = {ParkingIncome: "元/个·月", RentIncome: "元/m²·月", ChargingIncome: "元/kWh", FlatIncome: "万元/年"}

# Scale factors searched for a break-even: from nothing to a thousand times today's value.
SCALE_RANGE = (0.0, 1_000.0)


class Cashflows(Blocks):
    """Every project's cash flow, in the scenario's order, built when asked for from the flows computed for all
    the rows of a table at once: a bulk run of ten thousand rows keeps ten thousand arrays per line, not ten
    thousand objects."""

    def __init__(self, groups: list[TableFlows], projects: Sequence[Project]) -> None:
        super().__init__(g.size for g in groups)
        self.groups = groups
        self.projects = projects

    def _item(self, block: int, offset: int, index: int) -> ProjectCashflow:
        return self.groups[block].row(offset, self.projects[index])


@dataclass(frozen=True)
class CashflowResult:
    scenario: ProjectScenario
    cashflows: Cashflows
    metrics: pd.DataFrame
    """One row per project (index: id): totals, NPV, IRR, payback, DSCR, funding need and gap."""
    coverage: pd.DataFrame
    """本息覆盖倍数 per project under each definition (gross / net, bonds / all debt, planning rate / schedule)."""
    break_even: pd.DataFrame
    """Per project and input: the value at which the NPV after grants is 0."""
    irr_project: IrrResult
    irr_equity: IrrResult

    def shapes(self) -> dict[str, Project]:
        """Per project id, the project whose lines, instruments and years it has: itself, or for the row of a table
        evaluated with its others the template (so that labels need no row read into a project)."""
        owners = [g.project for g in self.cashflows.groups for _ in range(g.size)]
        return dict(zip(self.metrics.index, owners))

    def cashflow(self, project_id: str) -> ProjectCashflow:
        if project_id not in self.metrics.index:
            raise KeyError(f"no project '{project_id}' (projects: {', '.join(self.metrics.index)})")
        return self.cashflows[self.metrics.index.get_loc(project_id)]


def evaluate(scenario: ProjectScenario, progress: Callable[[int, int], None] | None = None) -> CashflowResult:
    """Cash flows, metrics, coverage and break-evens for every project of ``scenario``.

    The rows of a project table that set only values (``TABLE_VALUE_FIELDS``) are evaluated together, as
    (projects, years) arrays. ``progress(done, total)`` is called as projects are built, for long bulk runs.
    """
    year0 = scenario.year
    rate = scenario.config.scenario.discount_rate
    mid = scenario.config.scenario.flow_timing == "mid_year"
    groups: list[TableFlows] = []
    ids: list[str] = []
    names: list[str] = []
    total = len(scenario.projects)
    step = max(1, total // 100)  # a hundred reports at most, however many projects
    reported = 0
    for part in getattr(scenario.projects, "parts", scenario.projects):
        if isinstance(part, TableRows):
            groups.append(table_cashflows(part.template, year0, scenario.policy, part.values))
            ids += part.ids
            names += part.names if part.names is not None else [part.template.name] * len(part)
        else:
            groups.append(table_cashflows(part, year0, scenario.policy, RowValues(1)))
            ids.append(part.id)
            names.append(part.name)
        if progress is not None and len(ids) > reported and (len(ids) - reported >= step or len(ids) == total):
            progress(len(ids), total)
            reported = len(ids)

    def stacked(flows: Callable[[TableFlows], np.ndarray]) -> np.ndarray:
        return stack([flows(g) for g in groups])

    def per_project(value: Callable[[TableFlows], np.ndarray]) -> np.ndarray:
        return np.concatenate([np.broadcast_to(value(g), (g.size,)) for g in groups])

    project_flow = stacked(lambda g: g.project_flow)
    after_grants = stacked(lambda g: g.project_flow + g.support)
    cfads = stacked(lambda g: g.operations.cfads)
    service = stacked(lambda g: g.operating_debt_service)
    net_cash = stacked(lambda g: g.net_cash)
    equity_flow = stacked(lambda g: g.net_cash - g.equity)
    years = year0 + np.arange(project_flow.shape[1])

    irr_project = irr(project_flow)
    irr_equity = irr(equity_flow)
    ratio, lowest = dscr(cfads, service)
    lowest_at = np.where(np.isnan(lowest), -1, np.argmin(np.where(np.isnan(ratio), np.inf, ratio), axis=1))
    first_service = per_project(lambda g: np.int64(g.project.construction_years))
    rates = per_project(lambda g: debt_rates(g.project, g.values))
    llcr_first = llcr(cfads, service, rates)[np.arange(len(ids)), first_service]
    cumulative = np.cumsum(net_cash, axis=1)
    negative = cumulative < -1e-9

    def principal(g: TableFlows, kind: str) -> np.ndarray:
        return sum((g.values(f"{kind}.{i.id}.principal_wan", i.principal_wan)[:, 0]
                    for i in getattr(g.project, kind)), np.zeros(g.size))

    metrics = pd.DataFrame({
        "name": names,
        "households": per_project(lambda g: g.values("households", g.project.households)[:, 0]).astype(int),
        "floor_area_m2": per_project(lambda g: g.values("floor_area_m2", g.project.floor_area_m2)[:, 0]),
        "total_investment_wan": per_project(lambda g: g.capex.sum(axis=-1) + g.construction_interests),
        "capex_wan": per_project(lambda g: g.capex.sum(axis=-1)),
        "construction_interest_wan": per_project(lambda g: g.construction_interests),
        "income_wan": per_project(lambda g: g.operations.income.sum(axis=-1)),
        "operating_cost_wan": per_project(lambda g: (g.operations.operating_cost
                                                     + g.operations.major_repairs).sum(axis=-1)),
        "tax_wan": per_project(lambda g: g.operations.tax.sum(axis=-1)),
        "grants_wan": per_project(lambda g: g.grants.sum(axis=-1)),
        "rewards_wan": per_project(lambda g: g.rewards.sum(axis=-1)),
        "land_returns_wan": per_project(lambda g: g.land_returns.sum(axis=-1)),
        "equity_wan": per_project(lambda g: g.equity.sum(axis=-1)),
        "bonds_wan": per_project(lambda g: principal(g, "bonds")),
        "loans_wan": per_project(lambda g: principal(g, "loans")),
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
    }, index=pd.Index(ids, name="project"))
    if any(g.project.investor is not None for g in groups):
        metrics = metrics.join(_investor_metrics(groups, ids, rate, mid))
    return CashflowResult(
        scenario=scenario, cashflows=Cashflows(groups, scenario.projects), metrics=metrics,
        coverage=_coverage(groups, ids), break_even=_break_even(groups, ids, year0, rate, mid_year=mid),
        irr_project=irr_project, irr_equity=irr_equity,
    )


def _investor_metrics(groups: list[TableFlows], ids: list[str], rate: float, mid: bool) -> pd.DataFrame:
    """Per project with social capital (五(五)): what the investor puts in and takes out, its IRR, the least
    revenue share that gives it its required return, and the largest the public side can afford (NPV after grants
    ≥ 0). The public side's NPV falls by the present value of the investor's lines' concession income for each unit
    of share, and the investor's NPV at its hurdle rises by the same income valued at the hurdle: both shares come in
    closed form."""
    pieces = []
    for g in groups:
        investor = g.project.investor
        if investor is None:
            pieces.append(pd.DataFrame(index=range(g.size)))
            continue
        ops = g.operations
        base = np.broadcast_to(ops.investor_base, (g.size, ops.investor_base.shape[-1]))
        put_in = g.investor_equity
        flows = ops.investor_share - put_in
        found = irr(flows)
        hurdle = investor.required_irr
        public = np.atleast_1d(npv(rate, g.project_flow + g.support, mid_year=mid))
        income_now = np.atleast_1d(npv(rate, base, mid_year=mid))
        income_hurdle = np.atleast_1d(npv(hurdle, base, mid_year=mid))
        equity_hurdle = np.atleast_1d(npv(hurdle, put_in, mid_year=mid))
        with np.errstate(divide="ignore", invalid="ignore"):
            least = np.where(income_hurdle > 0, equity_hurdle / income_hurdle, np.nan)
            largest = np.where(income_now > 0, investor.revenue_share + public / income_now, np.nan)
        pieces.append(pd.DataFrame({
            "investor_equity_wan": put_in.sum(axis=-1) * np.ones(g.size),
            "investor_share_wan": ops.investor_share.sum(axis=-1) * np.ones(g.size),
            "investor_irr": np.where(found.status == "ok", found.value, np.nan),
            "investor_required_irr": np.full(g.size, hurdle),
            "investor_revenue_share": np.full(g.size, investor.revenue_share),
            "investor_least_share": least, "investor_largest_share": largest,
        }))
    frame = pd.concat(pieces, ignore_index=True)
    frame.index = pd.Index(ids, name="project")
    return frame


def _interleaved(blocks: list[dict[str, Any]], size: int, columns: list[str]) -> dict[str, np.ndarray]:
    """Rows made block by block for all projects at once, put in project order: each project's rows in the
    order of the blocks. A block is one row per project (values: one per project, or one for all), with
    ``keep`` saying for which projects the row exists."""
    if not blocks:
        return {c: np.zeros(0) for c in columns}
    keep = np.ones((size, len(blocks)), dtype=bool)
    for j, b in enumerate(blocks):
        keep[:, j] = b.get("keep", True)
    keep = keep.ravel()
    data = {}
    for column in columns:
        first = blocks[0][column]
        text = isinstance(first, (str, list)) or getattr(getattr(first, "dtype", None), "kind", "") in "OUS"
        grid = np.empty((size, len(blocks)), dtype=object if text else float)
        for j, b in enumerate(blocks):  # a loop over a project's rows, each filled for all projects at once
            grid[:, j] = b[column]
        data[column] = grid.ravel()[keep]
    return data


def _frame(pieces: list[dict[str, np.ndarray]], columns: list[str], numbers: tuple[str, ...]) -> pd.DataFrame:
    """One table from the groups' columns, in order; ``numbers`` as floats."""
    pieces = [p for p in pieces if len(p[columns[0]])]
    data = {c: np.concatenate([p[c] for p in pieces]) if pieces else np.zeros(0, dtype=object) for c in columns}
    table = pd.DataFrame(data, columns=columns)
    for column in numbers:
        table[column] = table[column].astype(float)
    return table


COVERAGE_COLUMNS = ["project", "basis", "definition", "debt", "interest", "planning_rate", "numerator_wan",
                    "denominator_wan", "coverage", "stated", "planning_rate_for_stated"]


def coverage_table(flows: Sequence[ProjectCashflow]) -> pd.DataFrame:
    """本息覆盖倍数 per project under six definitions, from the model and, where given, the published figures.

    With a planning rate: income over Σ principal × (1 + rate × tenor), as bond cards compute it; against the
    schedule: income over the debt service the model actually schedules (coupons and loan instalments).
    Gross uses income; net takes operating cost, major repairs and tax off first.
    """
    return _coverage([f.as_table() for f in flows], [f.project.id for f in flows])


def _coverage(groups: list[TableFlows], ids: list[str]) -> pd.DataFrame:
    pieces = []
    start = 0
    for g in groups:
        pieces.append(_coverage_rows(g, ids[start:start + g.size]))
        start += g.size
    table = _frame(pieces, COVERAGE_COLUMNS, ("planning_rate", "numerator_wan", "denominator_wan", "coverage",
                                              "planning_rate_for_stated"))
    stated = table["stated"].to_numpy(dtype=float)
    table["stated"] = np.where(np.isnan(stated), None, stated).astype(object) if np.isnan(stated).any() else stated
    return table


def _coverage_rows(g: TableFlows, ids: list[str]) -> dict[str, np.ndarray]:
    project = g.project
    if not instruments(project, "all_debt"):
        return _interleaved([], g.size, COVERAGE_COLUMNS)
    values = g.values
    planning = planning_rates(project, values)
    stated = project.coverage.stated
    income = g.coverage_numerators("gross")
    bases = {"model": (income, income - g.coverage_numerators("net"))}
    if project.published is not None and project.published.income_wan is not None:
        bases["published"] = (np.full(g.size, project.published.income_wan),
                              np.full(g.size, project.published.operating_cost_wan or 0.0))
    blocks = []
    for basis, (income, cost) in bases.items():
        for debt in ("bonds", "all_debt"):
            parts = [(instrument_principal(project, i, values), i.years) for i in instruments(project, debt)]
            amount = sum((a for a, _ in parts), np.zeros(g.size))
            keep = amount > 0
            safe = np.where(keep, amount, 1.0)
            # Σ P_i (1 + r n_i) = P (1 + r n̄) with n̄ the principal-weighted tenor.
            tenor = sum((a * n for a, n in parts), np.zeros(g.size)) / safe
            common = dict(project=ids, basis=basis, debt=debt, stated=np.nan if stated is None else stated,
                          keep=keep)
            for definition, numerator in (("gross", income), ("net", income - cost)):
                blocks.append(common | dict(
                    definition=definition, interest="planning_rate", planning_rate=planning, numerator_wan=numerator,
                    denominator_wan=amount * (1 + planning * tenor),
                    coverage=coverage_ratio(numerator[:, None], safe, planning, tenor),  # one income total a row
                    planning_rate_for_stated=(np.nan if stated is None
                                              else planning_rate_for(numerator, safe, tenor, stated))))
            if basis == "model":
                service = g.scheduled_services(debt)
                with np.errstate(divide="ignore", invalid="ignore"):
                    for definition, numerator in (("gross", income), ("net", income - cost)):
                        blocks.append(common | dict(
                            definition=definition, interest="schedule", planning_rate=np.nan, numerator_wan=numerator,
                            denominator_wan=service, coverage=numerator / service, planning_rate_for_stated=np.nan))
    return _interleaved(blocks, g.size, COVERAGE_COLUMNS)


def planning_rate_for(numerator, principal, tenor, target) -> np.ndarray | float:
    """The planning rate at which numerator ÷ (principal × (1 + rate × tenor)) equals ``target``; NaN where no
    rate from 0 to 100 % does. The ratio falls as the rate rises, so the rate comes in closed form."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = (np.asarray(numerator, dtype=float) / (np.asarray(principal, dtype=float) * target) - 1) / np.asarray(
            tenor, dtype=float)
    value = np.where((rate >= 0) & (rate <= 1), rate, np.nan)
    return float(value) if np.ndim(value) == 0 else value


BREAK_EVEN_COLUMNS = ["project", "input", "line", "field", "unit", "current", "break_even", "outcome",
                      "npv_after_grants_wan"]


def break_even_table(flows: Sequence[ProjectCashflow], year0: int, rate: float, *, method: str = "auto",
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
    return _break_even([f.as_table() for f in flows], [f.project.id for f in flows], year0, rate, method=method,
                       mid_year=mid_year)


def _break_even(groups: list[TableFlows], ids: list[str], year0: int, rate: float, *, method: str = "auto",
                mid_year: bool = False) -> pd.DataFrame:
    pieces = []
    start = 0
    for g in groups:
        pieces.append(_break_even_rows(g, ids[start:start + g.size], year0, rate, method, mid_year))
        start += g.size
    table = _frame(pieces, BREAK_EVEN_COLUMNS, ("current", "break_even", "npv_after_grants_wan"))
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change"] = np.where(table["current"] != 0, table["break_even"] / table["current"] - 1, np.nan)
    return table


def _break_even_rows(g: TableFlows, ids: list[str], year0: int, rate: float, method: str,
                     mid_year: bool) -> dict[str, np.ndarray]:
    project = g.project
    base_npv = np.atleast_1d(npv(rate, g.project_flow + g.support, mid_year=mid_year))
    scales, outcomes = _line_scale_roots(g, year0, rate, base_npv, method, mid_year)
    blocks = []
    common = dict(project=ids, npv_after_grants_wan=base_npv)
    for k, line in enumerate(project.income):
        fields = [(PRICE_FIELD[type(line)], PRICE_UNIT[type(line)])]
        if hasattr(line, "occupancy"):
            fields.append(("occupancy", "%"))
        for name, unit in fields:
            current = g.values(f"income.{line.id}.{name}", getattr(line, name))[:, 0]
            blocks.append(common | dict(input=f"income.{line.id}.{name}", line=line.id, field=name, unit=unit,
                                        current=current, break_even=current * scales[k], outcome=outcomes[k]))
    if project.income:
        blocks.append(common | dict(input="income", line="", field="scale", unit="×", current=1.0,
                                    break_even=scales[-1], outcome=outcomes[-1]))
    if project.investor is not None:  # the largest revenue share the public side affords (NPV after grants 0)
        base_value = np.atleast_1d(npv(rate, np.broadcast_to(g.operations.investor_base, g.project_flow.shape),
                                       mid_year=mid_year))
        share = project.investor.revenue_share
        with np.errstate(divide="ignore", invalid="ignore"):
            largest = np.where(base_value > 0, share + base_npv / base_value, np.nan)
        inside = (largest >= 0) & (largest <= 1)
        blocks.append(common | dict(input="investor.revenue_share", line="", field="revenue_share", unit="×",
                                    current=share, break_even=np.where(inside, largest, np.nan),
                                    outcome=np.where(inside, "found", "outside")))
    # A grant in year 0 is worth (1 + r)^0.5 of itself when the year's flows fall in its middle.
    grant_value = (1 + rate) ** 0.5 if mid_year else 1.0
    blocks.append(common | dict(input="grant_year0_wan", line="", field="grant", unit="万元", current=0.0,
                                break_even=np.maximum(0.0, -base_npv) / grant_value,
                                outcome=np.where(base_npv < 0, "found", "not_needed")))
    return _interleaved(blocks, g.size, BREAK_EVEN_COLUMNS)


def _line_scale_roots(g: TableFlows, year0: int, rate: float, base_npv: np.ndarray, method: str,
                      mid_year: bool = False) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Scales and outcomes (each one per project) for each income line, then for all lines together."""
    project = g.project
    lines = len(project.income)
    # An investor's share of some lines in some years (五(五)) makes the kept share differ by line and year: searched.
    affine = (project.tax is None or project.tax.base == "income") and project.investor is None
    if method == "auto" and affine:
        # CFADS = (1 − variable share − tax rate) × Σ lines − fixed cost − repairs: each line adds its present
        # value times the share kept, so NPV(s) = NPV(1) + (s − 1) × slope.
        kept = 1 - g.values("operating_costs.share_of_income", project.operating_costs.share_of_income)[:, 0] - (
            g.values("tax.rate", project.tax.rate)[:, 0] if project.tax else 0.0)
        slopes = np.asarray(npv(rate, g.operations.income_by_line, mid_year=mid_year)).reshape(lines, g.size) * kept
        roots = [_affine_root(base_npv, slope) for slope in [*slopes, slopes.sum(axis=0)]]
        return [r[0] for r in roots], [r[1] for r in roots]
    # Brent's method project by project: the floor of a tax on the surplus at 0 bends NPV in the scale.
    found = [_searched_roots(g, k, year0, rate, mid_year) for k in range(g.size)]
    return ([np.array([f[j][0] for f in found]) for j in range(lines + 1)],
            [np.array([f[j][1] for f in found], dtype=object) for j in range(lines + 1)])


def _searched_roots(g: TableFlows, k: int, year0: int, rate: float, mid_year: bool) -> list[tuple[float, str]]:
    """(scale, outcome) for each income line of row ``k``, then for all lines together, by Brent's method."""
    project = g.project
    lines = len(project.income)
    fixed = (g.support - g.capex)[k]  # what does not move with income
    one = RowValues(1, {key: column[k:k + 1] for key, column in g.values.values.items()})

    def npv_at(scales: np.ndarray) -> float:
        return npv(rate, operations(project, year0, scales, values=one).cfads[0] + fixed, mid_year=mid_year)

    roots = []
    for j in range(lines):
        def metric(s: float, j=j) -> float:
            scales = np.ones(lines)
            scales[j] = s
            return npv_at(scales)

        roots.append(_scale_root(metric))
    roots.append(_scale_root(lambda s: npv_at(np.full(lines, s))))
    return roots


def _affine_root(base_npv: np.ndarray, slope: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low, high = SCALE_RANGE
    without = base_npv - (1 - low) * slope >= 0
    beyond = ~without & ((slope <= 0) | (base_npv + (high - 1) * slope < 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(without, 0.0, np.where(beyond, np.nan, 1 - base_npv / np.where(slope != 0, slope, 1.0)))
    return scale, np.where(without, "without", np.where(beyond, "beyond", "found")).astype(object)


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


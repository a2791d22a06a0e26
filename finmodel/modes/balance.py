"""Is it balanced? One test for every funding mode (济政办字〔2020〕21号 五): a unit — one project, or a bundle of
projects — balances when the tests of the scenario's ``[balance]`` rule that are set all hold:

- NPV after grants and rewards ≥ ``npv_at_least_wan`` at the discount rate;
- coverage: numerator − k × denominator ≥ 0 on the chosen definition (gross or net income; bonds or all debt;
  planning rate or schedule), i.e. coverage ≥ k where there is debt, and a net income that is not negative
  where there is none;
- cumulative cash after financing ≥ ``cash_at_least_wan`` in every year.

Every figure of a bundle is the sum of its members' (flows add up year by year), so a bundle's tests are its
members' contributions added together; the bundling optimiser uses the same contributions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cashflow import CashflowResult, ProjectCashflow
from ..cashflow.metrics import break_even, npv, payback
from ..cashflow.project import TableFlows, instrument_principal, instruments, operations, planning_rates
from .scenario import BalanceRule

TOLERANCE_WAN = 1e-6  # amounts this close to a threshold meet it: sums of floats are not exact


@dataclass(frozen=True)
class Contribution:
    """What one project adds to a unit's tests: NPV, the coverage margin and cumulative cash by year."""

    npv_wan: float
    coverage_numerator_wan: float
    coverage_denominator_wan: float
    cumulative_cash_wan: np.ndarray

    def coverage_margin(self, rule: BalanceRule) -> float:
        return self.coverage_numerator_wan - rule.coverage_at_least * self.coverage_denominator_wan

    def cash_over(self, width: int) -> np.ndarray:
        """Cumulative cash over ``width`` years: after its horizon a project's cash stays where it ended."""
        cash = self.cumulative_cash_wan
        return np.concatenate([cash, np.full(width - cash.size, cash[-1])])


def contribution(flow: ProjectCashflow, rule: BalanceRule, rate: float, *, mid_year: bool = False) -> Contribution:
    numerator, denominator = coverage_parts(flow.as_table(), rule)
    return Contribution(npv_wan=float(npv(rate, flow.project_flow + flow.support, mid_year=mid_year)),
                        coverage_numerator_wan=float(numerator[0]), coverage_denominator_wan=float(denominator[0]),
                        cumulative_cash_wan=np.cumsum(flow.net_cash))


def coverage_parts(flows: TableFlows, rule: BalanceRule) -> tuple[np.ndarray, np.ndarray]:
    """The coverage test's numerator and denominator per row of ``flows``, on the rule's definition: income gross
    or net; over the bonds or all debt; principal plus simple interest at the planning rate, or the scheduled debt
    service."""
    numerator = flows.coverage_numerators(rule.coverage_definition)
    if rule.coverage_interest == "schedule":
        return numerator, flows.scheduled_services(rule.coverage_debt)
    rate = planning_rates(flows.project, flows.values)
    denominator = sum((instrument_principal(flows.project, i, flows.values) * (1 + rate * i.years)
                       for i in instruments(flows.project, rule.coverage_debt)), np.zeros(flows.size))
    return numerator, denominator


def unit_test(parts: list[Contribution], rule: BalanceRule, grant_value: float = 1.0) -> dict:
    """The three tests on the sum of ``parts``: margins, whether each holds, and what would close each gap.
    ``grant_value`` is the present value of 1 万元 granted in year 0 ((1 + r)^0.5 for mid-year flows)."""
    npv_total = sum(p.npv_wan for p in parts)
    numerator = sum(p.coverage_numerator_wan for p in parts)
    denominator = sum(p.coverage_denominator_wan for p in parts)
    width = max(p.cumulative_cash_wan.size for p in parts)
    cash = np.sum([p.cash_over(width) for p in parts], axis=0)
    tested_npv = rule.tests_npv
    # A test left out of [balance] tests has no margin, as the coverage and cash tests already had none.
    npv_margin = npv_total - rule.npv_at_least_wan if tested_npv else np.nan
    tested_coverage = rule.tests_coverage
    coverage_margin = numerator - rule.coverage_at_least * denominator if tested_coverage else np.nan
    tested_cash = rule.tests_cash
    lowest = float(cash.min())
    cash_margin = lowest - rule.cash_at_least_wan if tested_cash else np.nan
    npv_ok = (not tested_npv) or npv_margin >= -TOLERANCE_WAN
    coverage_ok = (not tested_coverage) or coverage_margin >= -TOLERANCE_WAN
    cash_ok = (not tested_cash) or cash_margin >= -TOLERANCE_WAN
    short = np.flatnonzero(cash < rule.cash_at_least_wan - TOLERANCE_WAN) if tested_cash else np.array([])
    return {
        "npv_wan": npv_total, "npv_margin_wan": npv_margin, "npv_ok": bool(npv_ok),
        "coverage": numerator / denominator if denominator > 0 else np.nan,
        "coverage_numerator_wan": numerator, "coverage_denominator_wan": denominator,
        "coverage_margin_wan": coverage_margin, "coverage_ok": bool(coverage_ok),
        "cash_min_wan": lowest, "cash_margin_wan": cash_margin, "cash_ok": bool(cash_ok),
        "first_short_year_index": int(short[0]) if short.size else -1,
        "balanced": bool(npv_ok and coverage_ok and cash_ok),
        # What would close each gap: a grant at year 0 raises the NPV one for one; a bridge loan or an earlier
        # grant lifts the lowest cumulative cash; more income (or net income) over the life lifts the coverage.
        "grant_needed_wan": max(0.0, -npv_margin) / grant_value if tested_npv else 0.0,
        "bridge_needed_wan": max(0.0, -cash_margin) if tested_cash else 0.0,
        "income_needed_wan": max(0.0, -coverage_margin) if tested_coverage else 0.0,
    }


def income_scale_needed(flow: ProjectCashflow, year0: int, rate: float, target_wan: float, *,
                        mid_year: bool = False) -> tuple[float, str]:
    """The factor on all of a project's income at which its NPV after grants and rewards equals ``target_wan``."""
    fixed = flow.support - flow.capex
    lines = len(flow.project.income)
    if not lines:
        return np.nan, "no_income"

    def metric(scale: float) -> float:
        return npv(rate, operations(flow.project, year0, np.full(lines, scale)).cfads + fixed,
                   mid_year=mid_year) - target_wan

    if metric(0.0) >= 0:
        return 0.0, "without"
    if metric(1_000.0) < 0:
        return np.nan, "beyond"
    return break_even(metric, 0.0, 1_000.0, what="income scale"), "found"


def operating_years_needed(flow: ProjectCashflow, rate: float, *, mid_year: bool = False) -> float:
    """Years of operation until the discounted flow after grants and rewards has paid back (NaN: not within the
    horizon): the discounted payback counted from the first operating year."""
    years = payback(flow.project_flow + flow.support, rate, mid_year=mid_year)
    return float(years) + 1 - flow.project.construction_years if np.isfinite(years) else np.nan


def units_frame(rows: list[dict]) -> pd.DataFrame:
    columns = ["unit", "name", "mode", "members", "npv_wan", "npv_margin_wan", "npv_ok", "coverage",
               "coverage_numerator_wan", "coverage_denominator_wan", "coverage_margin_wan", "coverage_ok",
               "cash_min_wan", "cash_margin_wan", "cash_ok", "first_short_year", "rules_ok", "public_excess_wan",
               "balanced", "grant_needed_wan", "bridge_needed_wan", "income_needed_wan", "income_scale_needed",
               "income_scale_outcome", "operating_years_needed"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.set_index("unit")


def project_flows(result: CashflowResult) -> dict[str, ProjectCashflow]:
    """Each project's flows by id; its rewards are already counted where they are paid (the project account's
    part only)."""
    return {flow.project.id: flow for flow in result.cashflows}

"""Subsidy allocation (切块分配): the factor formula, then rounding to the approval table's grain."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..policy import tiered_difficulty
from ..scenario import Scenario
from ..tables import ordered
from .formula import FormulaResult, factor_formula
from .rounding import largest_remainder

__all__ = ["AllocationResult", "Check", "allocate", "factor_formula", "largest_remainder"]


@dataclass(frozen=True)
class Check:
    """One compliance check of the result (合规检查); ``code`` names it for the report's labels."""

    code: str
    pool: str | None
    passed: bool
    detail: str


@dataclass(frozen=True)
class AllocationResult:
    scenario: Scenario
    districts: list[str]
    """Unit names in report order."""
    formula: dict[str, FormulaResult]
    """Per pool id: every intermediate of the factor formula."""
    formula_wan: pd.DataFrame
    """District × pool id: formula amount, 万元, unrounded."""
    amount_units: pd.DataFrame
    """District × pool id: final amount in integer units of 0.01 万元 (exact sums)."""
    checks: list[Check] = field(default_factory=list)

    @property
    def amount_wan(self) -> pd.DataFrame:
        """District × pool id: final amount, 万元, two decimals."""
        return self.amount_units / 100

    @property
    def factors(self) -> pd.DataFrame:
        """All pools' factor tables stacked, with a ``pool`` column first."""
        frames = [f.factors.assign(pool=pool_id) for pool_id, f in self.formula.items()]
        table = pd.concat(frames, ignore_index=True)
        return table[["pool"] + [c for c in table.columns if c != "pool"]]

    @property
    def table(self) -> pd.DataFrame:
        """The approval table as data: per district, each pool's share, formula and final amounts, and the total."""
        columns: dict[str, pd.Series] = {}
        for pool in self.scenario.pools:
            columns[f"{pool.id}_share"] = self.formula[pool.id].districts["share"]
            columns[f"{pool.id}_formula_wan"] = self.formula_wan[pool.id]
            columns[f"{pool.id}_amount_wan"] = self.amount_wan[pool.id]
        columns["total_amount_wan"] = self.amount_units.sum(axis=1) / 100
        frame = pd.DataFrame(columns).loc[self.districts]
        frame.index.name = "district"
        return frame


def difficulty_for(scenario: Scenario, column: str | None) -> np.ndarray | None:
    """The difficulty coefficient a pool names: a table column, or derived by tiers of self-sufficiency."""
    if column is None:
        return None
    if column in scenario.districts.columns:
        return scenario.districts[column].to_numpy()
    tiers = scenario.config.difficulty
    revenue = scenario.districts[tiers.revenue].to_numpy()
    expenditure = scenario.districts[tiers.expenditure].to_numpy()
    return tiered_difficulty(revenue / expenditure, tiers.tiers)


def allocate(scenario: Scenario) -> AllocationResult:
    """Split every pool among the districts by its factor formula and round to 0.01 万元 with exact totals."""
    names = list(scenario.districts.index)
    report_order = ordered(names, scenario.config.scenario.order)
    formula: dict[str, FormulaResult] = {}
    units: dict[str, np.ndarray] = {}
    for pool in scenario.pools:
        result = factor_formula(
            scenario.districts,
            pool.weights,
            pool.amount_wan,
            difficulty=difficulty_for(scenario, pool.difficulty),
            inverse=pool.inverse,
            unweighted=pool.unweighted,
        )
        formula[pool.id] = result
        units[pool.id] = largest_remainder(result.districts["share"].to_numpy(), pool.amount_units)
    formula_wan = pd.DataFrame({pid: f.districts["amount_wan"] for pid, f in formula.items()}, index=names)
    amount_units = pd.DataFrame(units, index=names).loc[report_order]
    result = AllocationResult(
        scenario=scenario,
        districts=report_order,
        formula=formula,
        formula_wan=formula_wan.loc[report_order],
        amount_units=amount_units,
    )
    return AllocationResult(**{**result.__dict__, "checks": run_checks(result)})


def run_checks(result: AllocationResult) -> list[Check]:
    """The checks shown on the workbook's 合规检查 sheet; each is computed, none assumed."""
    checks = []
    for pool in result.scenario.pools:
        spent = int(result.amount_units[pool.id].sum())
        checks.append(
            Check("pool_spent", pool.id, spent == pool.amount_units, f"{spent / 100:.2f} / {pool.amount_wan:.2f}")
        )
        share_total = float(result.formula[pool.id].districts["share"].sum())
        checks.append(
            Check("shares_sum_to_one", pool.id, abs(share_total - 1) < 1e-9, f"{share_total:.12f}")
        )
        gap = float((result.amount_wan[pool.id] - result.formula_wan[pool.id]).abs().max())
        checks.append(
            Check("rounding_within_grain", pool.id, gap < 0.01, f"{gap:.4f}")
        )
    negative = int((result.amount_units < 0).to_numpy().sum())
    checks.append(Check("no_negative", None, negative == 0, str(negative)))
    total = int(result.amount_units.to_numpy().sum())
    budget = sum(pool.amount_units for pool in result.scenario.pools)
    checks.append(Check("grand_total", None, total == budget, f"{total / 100:.2f} / {budget / 100:.2f}"))
    return checks

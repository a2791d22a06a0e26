"""``check_modes(result)`` tests every unit the scenario declares — projects with a ``mode`` (in_community,
multi_source), ``[[bundles]]`` (area_bundle, cross_area) — against the ``[balance]`` rule, and runs the bundling
optimiser when ``[bundling]`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..cashflow import CashflowResult
from ..cashflow.scenario import adjacent, bundling_members
from ..solver import SolverSettings
from .balance import (
    Contribution, contribution, income_scale_needed, operating_years_needed, project_flows, unit_test, units_frame,
)
from .bundling import BundlingProblem, BundlingSolution, bundles_frame, solve_bundling
from .scenario import BalanceRule
from .stack import (CHECK_COLUMNS, funding_stack, owner_checks, public_excess, public_money_checks, rule_checks,
                    special_checks)
from .transfers import transfer_schedule

@dataclass(frozen=True)
class BundlingResult:
    mode: str
    problem: BundlingProblem
    solution: BundlingSolution
    bundles: pd.DataFrame
    """One row per bundle formed: members, households, NPV and the least margin over the tests."""
    packages: pd.DataFrame
    """One row per package: its bundle (or standalone, or none), households, NPV, and what it would still need
    alone to balance."""


@dataclass(frozen=True)
class ModesResult:
    rule: BalanceRule
    units: pd.DataFrame
    """One row per unit tested: margins of each test, balanced or not, and what would close the gap."""
    members: pd.DataFrame
    """Per bundle and member: its kind, area and contributions (the 肥 and the 瘦)."""
    transfers: dict[str, pd.DataFrame]
    """Per cross_area bundle: the transfers from its partners to its packages, by year."""
    stacks: dict[str, pd.DataFrame]
    """Per multi_source project: money in by source and year against the uses."""
    rule_checks: pd.DataFrame
    """Per project tested and rule: required, given, the excess over a ceiling, passed. Every project has the
    public-money rule (``public_within_cost``) and the owners' items (``owners_pay``, by code or alias, with the
    elevator subsidy's cap); multi_source projects also the residents' money per household."""
    rewards: pd.DataFrame
    """Every 以奖代补 line of every project: item, cost, cap, grade, amount, the year it is paid, who receives it
    (``paid_to``: pairs of payee and 万元) and the part the project account receives."""
    bundling: BundlingResult | None
    names: dict[str, str] = field(default_factory=dict)
    """Project and bundle id → its name, for the reports (a person reads names, not ids)."""

    def name_of(self, ident: str) -> str:
        return self.names.get(ident) or ident

    @property
    def empty(self) -> bool:
        return self.units.empty and self.bundling is None and self.rewards.empty


def check_modes(result: CashflowResult, progress: Callable | None = None) -> ModesResult:
    scenario = result.scenario
    config = scenario.config
    rule = config.balance
    rate = config.scenario.discount_rate
    year0 = scenario.year
    mid = config.scenario.flow_timing == "mid_year"
    flows = project_flows(result)
    parts = {pid: contribution(flow, rule, rate, mid_year=mid) for pid, flow in flows.items()}
    grant_value = (1 + rate) ** 0.5 if mid else 1.0
    rows, member_rows = [], []
    transfers, stacks = {}, {}
    checks: dict[str, pd.DataFrame] = {}

    def rules_of(pids: list[str]) -> dict:
        """Check each project once: its public money, and the funding rules if it is a multi_source project."""
        for pid in pids:
            if pid not in checks:
                flow = flows[pid]
                tables = [rule_checks(flow, scenario.policy) if flow.project.mode == "multi_source"
                          else owner_checks(flow, scenario.policy), special_checks(flow, scenario.policy)]
                checks[pid] = pd.concat(tables + [public_money_checks(flow, scenario.policy)],
                                        ignore_index=True).assign(project=pid)
        return {"rules_ok": all(bool(checks[pid]["passed"].all()) for pid in pids),
                "public_excess_wan": sum(public_excess(checks[pid]) for pid in pids)}

    for project in scenario.projects:
        if project.mode is None:
            continue
        flow = flows[project.id]
        test = unit_test([parts[project.id]], rule, grant_value)
        extra = {"income_scale_needed": np.nan, "income_scale_outcome": "",
                 "operating_years_needed": np.nan} | rules_of([project.id])
        if project.mode == "in_community":
            scale, outcome = income_scale_needed(flow, year0, rate, rule.npv_at_least_wan, mid_year=mid)
            extra |= {"income_scale_needed": scale, "income_scale_outcome": outcome,
                      "operating_years_needed": operating_years_needed(flow, rate, mid_year=mid)}
        else:
            stacks[project.id] = funding_stack(flow)
        rows.append(_row(project.id, project.name, project.mode, [project.id], test, extra, year0))

    for bundle in config.bundles:
        members = [flows[m] for m in bundle.members]
        test = unit_test([parts[m] for m in bundle.members], rule, grant_value)
        rows.append(_row(bundle.id, bundle.name or bundle.id, bundle.mode, bundle.members, test,
                         {"income_scale_needed": np.nan, "income_scale_outcome": "",
                          "operating_years_needed": np.nan} | rules_of(bundle.members), year0))
        for flow in members:
            part = parts[flow.project.id]
            member_rows.append([bundle.id, flow.project.id, flow.project.name, flow.project.kind, flow.project.area,
                                part.npv_wan, part.coverage_margin(rule), float(part.cumulative_cash_wan.min())])
        if bundle.mode == "cross_area":
            width = max(f.years.size for f in members)
            years = year0 + np.arange(width)
            package = sum(_padded(f.net_cash, width) for f in members if f.project.kind == "old_community")
            partner = sum(_padded(f.net_cash, width) for f in members if f.project.kind != "old_community")
            transfers[bundle.id] = transfer_schedule(years, package, partner)

    rewards = pd.DataFrame(
        [[flow.project.id, line.id, line.item, line.label, ", ".join(line.items), line.cost_wan, line.households,
          line.rate, line.cap_wan, line.cap_binds, line.grade, line.factor, line.accepted, line.acceptance_year,
          line.paid_year, line.amount_wan, line.paid_to, line.to_project_wan]
         for flow in flows.values() for line in flow.reward_lines],
        columns=["project", "reward", "item", "label", "items", "cost_wan", "households", "rate", "cap_wan",
                 "cap_binds", "grade", "factor", "accepted", "acceptance_year", "paid_year", "amount_wan", "paid_to",
                 "to_project_wan"])
    bundling = _bundling(result, parts, rule, progress, grant_value) if config.bundling is not None else None
    return ModesResult(
        rule=rule, units=units_frame(rows),
        members=pd.DataFrame(member_rows, columns=["bundle", "project", "name", "kind", "area", "npv_wan",
                                                   "coverage_margin_wan", "cash_min_wan"]),
        transfers=transfers, stacks=stacks,
        rule_checks=pd.concat(checks.values(), ignore_index=True) if checks else pd.DataFrame(
            columns=CHECK_COLUMNS + ["project"]),
        rewards=rewards, bundling=bundling,
        names={p.id: p.name or p.id for p in scenario.projects} | {b.id: b.name or b.id for b in config.bundles},
    )


def _padded(values: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros(width)
    out[:values.size] = values
    return out


def _row(unit: str, name: str, mode: str, members: list[str], test: dict, extra: dict, year0: int) -> dict:
    first = test.pop("first_short_year_index")
    row = {"unit": unit, "name": name, "mode": mode, "members": ", ".join(members)} | test | extra
    row["first_short_year"] = year0 + first if first >= 0 else -1
    row["balanced"] = bool(row["balanced"] and row["rules_ok"])
    return row


def contribution_matrix(parts: list[Contribution], rule: BalanceRule,
                        width: int) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """Each part's contribution to each test as rows, the thresholds, the test names and which of them decide: NPV
    first (always a column: the surplus a bundle absorbs is measured by it; deciding only when tested), then the
    coverage margin (if tested), then cumulative cash in every year (if tested)."""
    columns = [np.array([p.npv_wan for p in parts])]
    thresholds = [rule.npv_at_least_wan]
    names = ["npv"]
    if rule.tests_coverage:
        columns.append(np.array([p.coverage_margin(rule) for p in parts]))
        thresholds.append(0.0)
        names.append("coverage")
    if rule.tests_cash:
        cash = np.array([p.cash_over(width) for p in parts])
        columns += list(cash.T)
        thresholds += [rule.cash_at_least_wan] * width
        names += [f"cash_{t}" for t in range(width)]
    decides = np.array([rule.tests_npv] + [True] * (len(names) - 1))
    return np.column_stack(columns), np.array(thresholds), names, decides


def _bundling(result: CashflowResult, parts: dict[str, Contribution], rule: BalanceRule,
              progress: Callable | None, grant_value: float = 1.0) -> BundlingResult:
    config = result.scenario.config
    spec = config.bundling
    by_id = {p.id: p for p in result.scenario.projects}
    packages, components = bundling_members(config, result.scenario.projects)
    width = max(parts[i].cumulative_cash_wan.size for i in packages + components)
    package_parts, thresholds, names, decides = contribution_matrix([parts[i] for i in packages], rule, width)
    component_parts = contribution_matrix([parts[i] for i in components], rule, width)[0]
    near = np.array([[adjacent(by_id[p], by_id[c]) for c in components] for p in packages], dtype=bool)
    allowed = near if spec.mode == "area_bundle" else ~near
    problem = BundlingProblem(
        packages=packages, components=components,
        households=np.array([by_id[p].households for p in packages], dtype=float),
        package_parts=package_parts, component_parts=component_parts, thresholds=thresholds, allowed=allowed,
        tests=names, decides=decides)
    settings = SolverSettings(name=spec.solver, time_limit_s=spec.time_limit_s, mip_rel_gap=spec.mip_rel_gap)
    solution = solve_bundling(problem, settings, progress)
    rows = []
    for k, package in enumerate(packages):
        joined = solution.assignment[package]
        status = "standalone" if package in solution.standalone else ("bundled" if joined else "unbalanced")
        alone = unit_test([parts[package]], rule, grant_value)
        rows.append([package, by_id[package].name, by_id[package].area, int(problem.households[k]), status,
                     joined or "", parts[package].npv_wan,
                     alone["grant_needed_wan"] if status == "unbalanced" else 0.0,
                     alone["bridge_needed_wan"] if status == "unbalanced" else 0.0,
                     alone["income_needed_wan"] if status == "unbalanced" else 0.0])
    table = pd.DataFrame(rows, columns=["package", "name", "area", "households", "status", "bundle", "npv_wan",
                                        "grant_needed_wan", "bridge_needed_wan", "income_needed_wan"])
    return BundlingResult(mode=spec.mode, problem=problem, solution=solution, bundles=bundles_frame(problem, solution),
                          packages=table)

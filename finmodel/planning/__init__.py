"""Planning: the community library, eligibility and priority, and the multi-year plan with its deadlines.

``plan(scenario)`` applies the rules of 济政办字〔2020〕21号 to every community, plans the eligible ones over the
horizon within the district budgets, and reports which deadlines are missed and what money would meet them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..policy.catalogue import ROUTES, item_costs
from ..policy.eligibility import RULES, eligibility, priority, three_supplies_funding
from ..policy.params import Policy
from ..solver import SolverSettings
from .plan import Deadline, PlanProblem, PlanSolution, extra_money, solve_plan
from .scenario import PlanScenario, load_plan_scenario

__all__ = ["Deadline", "compile_by", "PlanProblem", "PlanResult", "PlanScenario", "extra_money",
           "load_plan_scenario", "plan", "solve_plan"]


@dataclass(frozen=True)
class PlanResult:
    scenario: PlanScenario
    communities: pd.DataFrame
    """Every community: eligibility verdicts, the excluding rule and clause, priority, planned year (0: none)."""
    annual: pd.DataFrame
    """年度计划表: per district and year, communities, households, floor area and cost planned, against budget."""
    deadlines: pd.DataFrame
    """Per deadline: communities and households covered, met and missed, and the extra money that would meet it."""
    extra_money: dict[str, pd.DataFrame]
    """Per deadline: (districts × years) extra money, 万元."""
    solution: PlanSolution
    seconds: float
    """Time the plan's solve took."""
    three_supplies: pd.DataFrame = field(default_factory=pd.DataFrame)
    """三供一业 dormitories (三(五)), out of the plan: their cost split between the former owner unit and the policy's
    funds, 万元."""
    funding: pd.DataFrame = field(default_factory=pd.DataFrame)
    """资金来源: the cost of every item of the communities the plan concerns, with who pays it (``funding``)."""

    def funding_by_route(self) -> pd.DataFrame:
        """(route, payer) × (plan years, then 三供一业 and special-only communities, which have no year) 万元."""
        frame = self.funding
        column = np.where(frame["group"] == "plan", frame["year"].astype(str), frame["group"])
        table = frame.assign(column=column).pivot_table(index=["route", "payer"], columns="column",
                                                        values="cost_wan", aggfunc="sum", fill_value=0.0)
        columns = [str(y) for y in self.scenario.config.plan.years] + ["three_supplies", "special_only"]
        order = {route: k for k, route in enumerate((*ROUTES, "three_supplies"))}
        table = table.reindex(columns=columns, fill_value=0.0)
        return table.iloc[sorted(range(len(table)), key=lambda k: (order[table.index[k][0]], table.index[k][1]))]


def plan(scenario: PlanScenario, progress: Callable | None = None) -> PlanResult:
    spec = scenario.config.plan
    library = scenario.library
    policy = scenario.policy
    verdicts = eligibility(library, policy)
    score = priority(library, policy)
    eligible = verdicts["eligible"].to_numpy()
    rows = np.flatnonzero(eligible)
    districts = list(scenario.budgets.index)
    table = library.iloc[rows]
    deadlines = []
    for d in spec.deadline_specs(policy):
        members = (table["year_built"] <= d.built_by).to_numpy()
        deadlines.append(Deadline(id=d.id, by_year=d.by_year, members=members, penalty=d.penalty, label=d.label,
                                  clause=d.clause))
    problem = PlanProblem(
        ids=list(table.index), district_of=np.array([districts.index(x) for x in table["district"]], dtype=int),
        districts=districts, years=spec.years, cost=table["cost_basic_wan"].to_numpy(dtype=float),
        households=table["households"].to_numpy(dtype=float), priority=score.iloc[rows].to_numpy(dtype=float),
        budgets=scenario.budgets.to_numpy(dtype=float), carry_over=spec.carry_over, earliness=spec.earliness,
        deadlines=deadlines)
    settings = SolverSettings(name=spec.solver, time_limit_s=spec.time_limit_s, mip_rel_gap=spec.mip_rel_gap)
    start = time.perf_counter()
    solution = solve_plan(problem, settings, progress)
    seconds = time.perf_counter() - start

    planned = np.zeros(len(library), dtype=int)
    planned[rows] = solution.year
    communities = library.assign(priority=score, planned_year=planned).join(
        verdicts[[r.code for r in RULES] + ["eligible", "reason", "clause", "special_only"]])
    annual = _annual(communities, scenario.budgets, spec.years, spec.carry_over, policy)
    extra, report = {}, []
    for deadline in deadlines:
        covered = deadline.members
        in_time = (solution.year > 0) & (solution.year <= deadline.by_year)
        missed = covered & ~in_time
        flags = np.zeros(len(library), dtype=bool)
        flags[rows] = missed
        communities[f"misses_{deadline.id}"] = flags  # every community that misses it, not only the first 50
        if deadline.by_year < spec.first_year:
            money = None
        elif missed.any():
            money = extra_money(problem, deadline, settings, progress)
        else:
            money = pd.DataFrame(0.0, index=districts, columns=spec.years)
        if money is not None:
            extra[deadline.id] = money
        report.append({
            "deadline": deadline.id, "label": deadline.label, "clause": deadline.clause, "by_year": deadline.by_year,
            "communities": int(covered.sum()), "households": int(problem.households[covered].sum()),
            "communities_missed": int(missed.sum()), "households_missed": int(problem.households[missed].sum()),
            "missed": ", ".join(np.array(problem.ids)[missed][:50]) + (" …" if missed.sum() > 50 else ""),
            "extra_money_wan": float(money.to_numpy().sum()) if money is not None else np.nan,
        })
    return PlanResult(scenario=scenario, communities=communities, annual=annual, deadlines=pd.DataFrame(report),
                      extra_money=extra, solution=solution, seconds=seconds,
                      three_supplies=three_supplies_funding(communities, policy),
                      funding=funding(communities, policy))


def funding(communities: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """资金来源 (三(五)): every item's cost, 万元, for the communities a plan concerns, with its route and payer —
    one row per (community, item) with ``group``:

    - ``plan``: planned communities in their ``year``, all their work (基础类 from the budgets the plan spends,
      专项改造 with it, 三(二): 与老旧小区基础类公共设施改造工程协同实施);
    - ``three_supplies``: 三供一业 dormitories, out of the plan, funded by their own policy (year 0);
    - ``special_only``: renovated under the provincial plan by 2019, open to special renovation only (三(四)):
      their work other than basic (year 0).
    """
    catalogue = policy.entry("cost_catalogue").value
    planned = communities["planned_year"] > 0
    dormitory = communities["three_supplies"] if "three_supplies" in communities else False
    special = communities["special_only"] & ~planned & ~dormitory
    group = pd.Series(np.select([planned, dormitory, special], ["plan", "three_supplies", "special_only"], ""),
                      index=communities.index)
    chosen = communities[group != ""]
    costs = item_costs(chosen, catalogue)
    costs["group"] = group.reindex(costs["community"]).to_numpy()
    costs["year"] = communities["planned_year"].reindex(costs["community"]).to_numpy()
    costs = costs[~((costs["group"] == "special_only") & (costs["category"] == "basic"))]
    return costs.reset_index(drop=True)


def compile_by(year: int, policy: Policy) -> str:
    """The day by which the plan of ``year`` is compiled: the policy's ``plan_compile_by`` of the year before
    (三(四): 年度计划应于前一年度9月底前完成编制)."""
    return f"{year - 1}-{policy['plan_compile_by']}"


def _annual(communities: pd.DataFrame, budgets: pd.DataFrame, years: list[int], carry_over: bool,
            policy: Policy) -> pd.DataFrame:
    chosen = communities[communities["planned_year"] > 0]
    grouped = chosen.groupby(["district", "planned_year"]).agg(
        communities=("name", "size"), households=("households", "sum"), buildings=("buildings", "sum"),
        floor_area_m2=("floor_area_m2", "sum"), cost_wan=("cost_basic_wan", "sum"))
    index = pd.MultiIndex.from_product([list(budgets.index), years], names=["district", "year"])
    table = grouped.rename_axis(["district", "year"]).reindex(index, fill_value=0)
    table["budget_wan"] = [budgets.at[d, y] for d, y in index]
    spent = table["cost_wan"].groupby(level="district").cumsum()
    given = table["budget_wan"].groupby(level="district").cumsum()
    table["unspent_wan"] = (given - spent) if carry_over else (table["budget_wan"] - table["cost_wan"])
    table = table.reset_index()
    table["compile_by"] = [compile_by(year, policy) for year in table["year"]]
    return table

"""Subsidy allocation (切块分配): the factor formula, the allocation LP, rounding and explanations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import InfeasibleError, Said, SolveError, zh_of
from ..policy import grades, tiered_difficulty
from .scenario import Scenario
from ..solver import Infeasible, SolveRecord, SolverError, SolverSettings, TimeLimitReached
from ..tables import ordered
from .diagnose import Finding, elastic_findings, precheck, proportional_factors
from .explain import Explanation, explain, explain_pro_rata
from .filling import fill
from .formula import FormulaResult, factor_formula
from .lp import AllocationLP, LPSolution
from .problem import CELL_UPPER, TOTAL_LOWER, TOTAL_UPPER, AllocationProblem, build_problem
from .rounding import RoundingError, controlled_round, largest_remainder
from .rule import SplitRule, split_rule
from .waterfill import pro_rata

__all__ = [
    "AllocationProblem", "AllocationResult", "Check", "Explanation", "Finding", "allocate", "controlled_round",
    "factor_formula", "largest_remainder", "round_solution",
]


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
    unallocated_units: pd.Series | None = None
    """Pool id → amount left unallocated (未分配), 0.01 万元; None when no LP ran."""
    explanations: list[Explanation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problem: AllocationProblem | None = None
    lp: LPSolution | None = None
    solver: dict | None = None
    checks: list[Check] = field(default_factory=list)
    rule: SplitRule | None = None
    """The allocation as a rule to apply by hand (the 复核计算 sheet); None without [allocation]."""

    @property
    def amount_wan(self) -> pd.DataFrame:
        """District × pool id: final amount, 万元, two decimals."""
        return self.amount_units / 100

    @property
    def formula_share(self) -> float:
        """The share of the money placed with units that follow the formula: units no bound of theirs holds (their
        amounts are the formula's, or move with the other free units pro rata). 1 without the LP."""
        placed = self.amount_units.sum(axis=1)
        if self.lp is None or placed.sum() == 0:
            return 1.0
        # Held: moved by its own bounds, stopped by one while sharing, or moved by an objective other than the formula.
        held = {e.district for e in self.explanations if e.cause != "share" or e.rules}
        return float(placed[[d not in held for d in placed.index]].sum() / placed.sum())

    @property
    def has_unallocated(self) -> bool:
        return self.unallocated_units is not None and bool((self.unallocated_units > 0).any())

    @property
    def factors(self) -> pd.DataFrame:
        """All pools' factor tables stacked, with a ``pool`` column first."""
        frames = [f.factors.assign(pool=pool_id) for pool_id, f in self.formula.items()]
        table = pd.concat(frames, ignore_index=True)
        return table[["pool"] + [c for c in table.columns if c != "pool"]]

    @property
    def table(self) -> pd.DataFrame:
        """Per district: each pool's share, formula and final amounts; totals, difference and the rules that bind."""
        columns: dict[str, pd.Series] = {}
        for pool in self.scenario.pools:
            columns[f"{pool.id}_share"] = self.formula[pool.id].districts["share"]
            columns[f"{pool.id}_formula_wan"] = self.formula_wan[pool.id]
            columns[f"{pool.id}_amount_wan"] = self.amount_wan[pool.id]
        columns["total_formula_wan"] = self.formula_wan.sum(axis=1)
        columns["total_amount_wan"] = self.amount_units.sum(axis=1) / 100
        frame = pd.DataFrame(columns).loc[self.districts]
        frame["difference_wan"] = (frame["total_amount_wan"] - frame["total_formula_wan"]).round(2)
        rules = {e.district: ", ".join(dict.fromkeys(r.family for r in e.rules)) or e.cause for e in self.explanations}
        frame["binding"] = [rules.get(d, "") for d in frame.index]
        frame.index.name = "district"
        return frame

    def explanation(self, district: str) -> Explanation | None:
        return next((e for e in self.explanations if e.district == district), None)


def difficulty_for(scenario: Scenario, column: str | None) -> np.ndarray | None:
    """The difficulty coefficient a pool names: a table column, or derived by tiers of self-sufficiency."""
    if column is None:
        return None
    if column in scenario.districts.columns:
        return scenario.districts[column].to_numpy()
    return tiered_difficulty(scenario.self_sufficiency().to_numpy(), scenario.config.difficulty.tiers)


def allocate(scenario: Scenario, progress: Callable[[SolveRecord], None] | None = None) -> AllocationResult:
    """Split every pool by its factor formula; with ``[allocation]``, solve the LP; round to 0.01 万元 exactly.

    ``progress`` is called after every LP solve (stage name, status, seconds), for long runs.
    """
    names = list(scenario.districts.index)
    report_order = ordered(names, scenario.config.scenario.order)
    gate = scenario.gate()
    formula: dict[str, FormulaResult] = {}
    for pool in scenario.pools:
        formula[pool.id] = factor_formula(
            scenario.districts,
            pool.weights,
            pool.amount_wan,
            difficulty=difficulty_for(scenario, pool.difficulty),
            inverse=pool.inverse,
            unweighted=pool.unweighted,
            gate=gate,
            inverse_by=None if pool.inverse_by is None else scenario.districts[pool.inverse_by].to_numpy(dtype=float),
            **_performance(scenario, pool),
        )
    formula_wan = pd.DataFrame({pid: f.districts["amount_wan"] for pid, f in formula.items()}, index=names)
    result = AllocationResult(
        scenario=scenario,
        districts=report_order,
        formula=formula,
        formula_wan=formula_wan.loc[report_order],
        amount_units=pd.DataFrame(),
    )
    if scenario.config.allocation is None:
        units = {p.id: largest_remainder(formula[p.id].districts["share"].to_numpy(), p.amount_units)
                 for p in scenario.pools}
        result = replace(result, amount_units=pd.DataFrame(units, index=names).loc[report_order])
    else:
        result = _solve(result, formula_wan.to_numpy().T, progress)
    notes = proportional_factors(scenario.districts, scenario.pools)
    return replace(result, findings=result.findings + notes, checks=run_checks(result))


def performance_grades(scenario: Scenario, pool) -> np.ndarray:
    """Each unit's grade (优/良/合格/差) by the pool's performance score and the grade cut-offs in use."""
    spec = scenario.config.allocation
    own = spec.performance.cutoffs if spec is not None and spec.performance is not None else None
    return grades(scenario.districts[pool.performance.score].to_numpy(), own or scenario.policy["grade_cutoffs"])


def _performance(scenario: Scenario, pool) -> dict:
    """factor_formula's arguments for a pool whose performance acts on volume: the grade coefficients multiply the
    quantity factors, or weight the task volume of the reward slice."""
    if pool.performance is None:
        return {}
    coefficients = scenario.policy["performance_coefficients"]
    coef = np.array([coefficients[g] for g in performance_grades(scenario, pool)], dtype=float)
    if pool.performance.form == "coefficient":
        return {"performance": coef}
    volume = scenario.districts[pool.performance.volume].to_numpy(dtype=float)
    return {"reward": (pool.performance.reward_share, coef, volume)}


def _solve(result: AllocationResult, formula_matrix: np.ndarray, progress=None) -> AllocationResult:
    scenario = result.scenario
    spec = scenario.config.allocation
    problem = build_problem(scenario, formula_matrix)
    limit = spec.time_limit_s
    # One clock for the whole run: every stage, a retry and the diagnosis of an infeasible model share the limit.
    deadline = None if limit is None else time.monotonic() + limit
    settings = SolverSettings(name=spec.solver, method=spec.method, time_limit_s=limit, deadline=deadline)
    findings = precheck(problem)
    if any(f.severity == "infeasible" for f in findings):
        raise _infeasible(problem, settings, findings)
    filled, reason = pro_rata(problem)
    n_units = problem.shape[1]
    if filled is not None:
        solution = filled.solution()
        rounded = round_solution(problem, solution)
        explanations = explain_pro_rata(problem, filled, rounded[:n_units].T)
        rule = split_rule(problem, filled, rounded - round_solution(problem, solution, bounded=False))
        solver = {"method": "pro_rata", "name": "finmodel water-filling (no solver)", "solves": 0,
                  "exact_amounts": True}
    else:
        solution, rounded, solver, failures = solve_rounded(problem, settings, findings, progress)
        explanations = explain(problem, solution, rounded[:n_units].T)
        rule = SplitRule(False, "unallocated" if rounded[n_units].sum() > 0 else reason)
        solver = {**solver, "formula_fit_stages": len(solution.stage_levels), "exact_amounts": solution.exact,
                  **({"retried_after": [str(f) for f in failures]} if failures else {})}
    names = problem.districts
    amount_units = pd.DataFrame(rounded[:n_units], index=names, columns=problem.pools).loc[result.districts]
    unallocated = pd.Series(rounded[n_units], index=problem.pools)
    order = {name: k for k, name in enumerate(result.districts)}
    explanations.sort(key=lambda e: order[e.district])
    if unallocated.sum() > 0 and not any(f.severity == "unallocated" for f in findings):
        findings.append(Finding(
            "unallocated", "coupled_caps", unallocated.sum() / 100, (("unallocated_wan", unallocated.sum() / 100),),
        ))
    return replace(
        result, amount_units=amount_units, unallocated_units=unallocated, explanations=explanations,
        findings=findings, problem=problem, lp=solution, rule=rule, solver=solver,
    )


def solve_rounded(problem: AllocationProblem, settings: SolverSettings, findings: list[Finding] | None = None,
                  progress=None) -> tuple[LPSolution, np.ndarray, dict, list[str]]:
    """Solve and round: by progressive filling where it applies (``filling.py``: every rule a bound on a unit's
    total or on a cell, the formula fit as objective), else, or when it declines, by the LP, trying HiGHS's other
    method when the first ends in numerical trouble.

    Returns the solution, the rounded table (``round_solution``), what solved it for the manifest (``path``
    ``filling`` or ``lp``, and for the LP why filling did not) and what the methods tried before it ran into.
    Raises InfeasibleError when the rules cannot all be met, SolveError when the run's time limit is reached or
    every method runs into numerical trouble.
    """
    findings = precheck(problem) if findings is None else findings
    if any(f.severity == "infeasible" for f in findings):
        raise _infeasible(problem, settings, findings)  # never None: the precheck's findings are in its diagnosis
    declined = "fit_method_lp"
    if problem.fit_method == "auto":
        start = time.perf_counter()
        filled = fill(problem)
        if isinstance(filled, LPSolution):
            try:
                rounded = round_solution(problem, filled)
            except RoundingError:
                declined = "rounding"
            else:
                return filled, rounded, filling_manifest(time.perf_counter() - start), []
        else:
            declined = filled.reason
    failures: list[str] = []
    attempt: SolverSettings | None = settings
    while attempt is not None:
        model = AllocationLP(problem, attempt, progress=progress)
        # HiGHS's other method gets its chance when one ends in numerical trouble; CBC has none to offer.
        used = model.lp.method_used()
        other = None if attempt.name != "highs" or failures else replace(
            attempt, method="ipm" if used == "simplex" else "simplex")
        try:
            solution = model.solve()
            manifest = {"path": "lp", "filling_declined": declined, **model.lp.manifest()}
            return solution, round_solution(problem, solution), manifest, failures
        except TimeLimitReached as exc:
            raise SolveError(f"allocation: {exc}", zh=f"资金分配：{exc.text('zh')}") from exc
        except Infeasible:
            error = _infeasible(problem, attempt, findings)
            if error is not None:
                raise error from None
            failures.append(Said(f"{_method(attempt, used)}: the solver reported the model infeasible, yet the "
                                 "elastic model meets every requirement",
                                 f"{_method(attempt, used)}：求解器报告模型无可行解，但弹性模型能满足全部要求"))
        except (SolverError, RoundingError) as exc:
            failures.append(Said(f"{_method(attempt, used)}: {exc}", f"{_method(attempt, used)}：{exc.text('zh')}"))
        attempt = other
    raise _numerical(problem, failures)


def filling_manifest(seconds: float) -> dict:
    """What the manifest records of a fit by progressive filling: no solver, its stages and time."""
    return {"path": "filling", "method": "progressive_filling", "name": "finmodel progressive filling (no solver)",
            "solves": 0, "seconds": round(seconds, 3)}


def _method(settings: SolverSettings, used: str) -> str:
    return f"HiGHS ({used})" if settings.name == "highs" else "CBC"


def _numerical(problem: AllocationProblem, failures: list[str]) -> SolveError:
    """Numerical trouble, not a verdict on the rules: exit 4, with what each method ran into (``Said`` each)."""
    tried = "".join(f"\n  {failure}" for failure in failures)
    tried_zh = "".join(f"\n  {zh_of(failure)}" for failure in failures)
    return SolveError(
        f"the allocation of {len(problem.districts)} units and {len(problem.pools)} pools could not be solved: "
        f"a numerical problem, not a rule that cannot be met; no result is exported{tried}",
        zh=f"{len(problem.districts)} 个单位、{len(problem.pools)} 项资金的分配无法求解：这是数值计算问题，"
        f"不是有规则无法满足；不输出任何结果{tried_zh}")


def round_solution(problem: AllocationProblem, solution: LPSolution, bounded: bool = True) -> np.ndarray:
    """(units + 1, pools) in 0.01 万元: the amounts rounded with every pool exact and every unit's total within its
    bounds; the last row is what each pool leaves unallocated. Not ``bounded``: each pool by largest remainder
    alone, the rounding the rule printed on 复核计算 starts from (its table 3 lists what the bounds then move)."""
    low, high = problem.total_range()
    # Solver noise goes to the feasible side: no cell below 0 or above its cap, nothing unallocated below 0.
    amounts = np.clip(solution.amounts, 0.0, problem.cell_caps())
    amounts[problem.pool_wan == 0] = 0.0  # a pool of 0 has nothing to round
    values = np.vstack([amounts.T, np.maximum(solution.unallocated, 0.0)[None, :]]) * 100
    # Bounds sit on the grain (problem.py moves them there), so the nearest whole grain is the bound itself; a
    # floor with a float allowance would lose a grain once amounts reach 10⁹ grains.
    row_low = np.append(np.round(low * 100), 0)
    row_high = np.append(np.where(np.isfinite(high), np.round(high * 100), np.inf), np.inf)
    if not bounded:
        row_low, row_high = np.full(row_low.shape, -np.inf), np.full(row_high.shape, np.inf)
    return controlled_round(values, np.round(problem.pool_wan * 100).astype(np.int64), row_low, row_high)


def _infeasible(problem: AllocationProblem, settings: SolverSettings,
                findings: list[Finding]) -> InfeasibleError | None:
    """The diagnosis of a model the solver reported infeasible, or None when the elastic model meets every
    requirement (the report was numerical trouble)."""
    try:
        missed = elastic_findings(problem, settings)
    except TimeLimitReached as exc:
        raise SolveError(f"allocation, diagnosing an infeasible model: {exc}",
                         zh=f"资金分配，诊断无可行解的模型时：{exc.text('zh')}") from exc
    except SolverError as exc:  # the elastic model always has a solution; say so if the solver still fails
        missed = [Finding("infeasible", "elastic_failed", None, (("message", str(exc)),))]
    known = {(f.code, f.values) for f in findings}
    diagnosis = [f for f in findings if f.severity == "infeasible"] + [
        f for f in missed if (f.code, f.values) not in known]
    if not diagnosis:
        return None  # every requirement can be met: the solver's "infeasible" was numerical trouble
    return InfeasibleError.of_findings(diagnosis, Said("the allocation rules cannot all be met:",
                                                       "资金分配的各项规则无法同时满足："))


def run_checks(result: AllocationResult) -> list[Check]:
    """The checks shown on the workbook's 合规检查 sheet; each is computed, none assumed."""
    checks = []
    unallocated = result.unallocated_units
    for pool in result.scenario.pools:
        spent = int(result.amount_units[pool.id].sum())
        left = 0 if unallocated is None else int(unallocated[pool.id])
        checks.append(Check("pool_spent", pool.id, spent + left == pool.amount_units,
                            f"{spent / 100:.2f} + {left / 100:.2f} / {pool.amount_wan:.2f}"))
        if result.lp is not None:
            # Money the units cannot take is a failure of the allocation unless the scenario allows it.
            allowed = result.scenario.config.allocation.allow_unallocated
            checks.append(Check("pool_placed_allowed" if left and allowed else "pool_placed", pool.id,
                                left == 0 or allowed, f"{left / 100:.2f}"))
        share_total = float(result.formula[pool.id].districts["share"].sum())
        checks.append(Check("shares_sum_to_one", pool.id, abs(share_total - 1) < 1e-9, f"{share_total:.12f}"))
        if result.lp is None:
            gap = float((result.amount_wan[pool.id] - result.formula_wan[pool.id]).abs().max())
            checks.append(Check("rounding_within_grain", pool.id, gap < 0.01, f"{gap:.4f}"))
    planned = result.scenario.planned()
    if planned is not None:
        # 三(五) splits the pools by the renovation task: money to a unit without one is a finding of the check.
        totals = result.amount_units.sum(axis=1).loc[result.scenario.districts.index].to_numpy()
        without = int((~planned).sum())
        given = int(totals[~planned].sum())
        allowed = result.scenario.config.districts.allow_no_plan
        checks.append(Check("no_plan_allowed" if allowed and given else "no_plan_no_money", None,
                            given == 0 or allowed, f"{without} / {given / 100:.2f}"))
    negative = int((result.amount_units < 0).to_numpy().sum())
    checks.append(Check("no_negative", None, negative == 0, str(negative)))
    total = int(result.amount_units.to_numpy().sum()) + (0 if unallocated is None else int(unallocated.sum()))
    budget = sum(pool.amount_units for pool in result.scenario.pools)
    checks.append(Check("grand_total", None, total == budget, f"{total / 100:.2f} / {budget / 100:.2f}"))
    if result.problem is not None:
        checks += _bound_checks(result)
    return checks


def _bound_checks(result: AllocationResult) -> list[Check]:
    """Every bound of the LP, checked on the rounded table (bounds sit on the 0.01 万元 grain)."""
    problem = result.problem
    units = result.amount_units.loc[problem.districts, problem.pools].to_numpy().T  # (pools, units)
    totals = units.sum(axis=0)
    checks = []
    for bound in problem.bounds:
        limit = np.round(bound.values * 100)
        if bound.kind == CELL_UPPER:
            broken = int(np.sum(~np.isnan(limit) & (units > limit)))
        elif bound.kind == TOTAL_UPPER:
            broken = int(np.sum(~np.isnan(limit) & (totals > limit)))
        elif bound.kind == TOTAL_LOWER:
            broken = int(np.sum(~np.isnan(limit) & (totals < limit)))
        else:
            continue
        checks.append(Check(f"bound_{bound.family}", None, broken == 0, str(broken)))
    if problem.need_by_category is not None and result.lp is not None:
        used = result.lp.by_category.sum(axis=0)  # (units, categories)
        broken = int(np.sum(used > problem.need_by_category + 1e-6))
        checks.append(Check("bound_need_category", None, broken == 0, str(broken)))
    return checks

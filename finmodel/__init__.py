"""finmodel: plans and checks the money behind old-community renovation (老旧小区改造) in Jinan.

Public API::

    import finmodel as fm
    scenario = fm.load_scenario("scenarios/jinan-2023.toml")
    result = fm.allocate(scenario)
    result.table            # per district: shares, formula and final amounts (万元)
    fm.write_allocation_report(result, "reports/jinan-2023")

    projects = fm.load_project_scenario("scenarios/projects/zoucheng-2024.toml")
    cash = fm.evaluate(projects)
    cash.metrics            # per project: NPV, IRR, payback, DSCR, funding gap (万元)
    cash.cashflow("zoucheng").annual()   # the year-by-year table
    fm.write_cashflow_report(cash, "reports/zoucheng-2024")
"""

from importlib import metadata as _metadata

from .allocation import AllocationResult, allocate, factor_formula, largest_remainder
from .cashflow import CashflowResult, ProjectScenario, evaluate, load_project_scenario
from .errors import FinmodelError, InfeasibleError, InputError
from .modes import ModesResult, check_modes
from .planning import PlanResult, PlanScenario, load_plan_scenario, plan
from .report import (
    allocation_chart, cashflow_chart, comparison_chart, metrics_frame, summary_frame, write_allocation_report,
    write_cashflow_report,
)
from .allocation.scenario import Scenario, ScenarioConfig, load_scenario

try:
    __version__ = _metadata.version("finmodel")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AllocationResult", "CashflowResult", "FinmodelError", "InfeasibleError", "InputError", "ModesResult",
    "PlanResult", "PlanScenario", "ProjectScenario", "Scenario", "ScenarioConfig", "allocate", "allocation_chart", "cashflow_chart",
    "check_modes", "comparison_chart", "evaluate",
    "factor_formula", "largest_remainder", "load_plan_scenario", "load_project_scenario", "load_scenario",
    "metrics_frame", "plan",
    "summary_frame", "write_allocation_report", "write_cashflow_report",
]

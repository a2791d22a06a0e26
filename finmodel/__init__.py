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

    risk = fm.simulate(fm.load_project_scenario("scenarios/projects/zoucheng-2024-risk.toml"))
    risk.summary            # per project and bundle: P(balance), percentiles of NPV, IRR, funding gap
    fm.sensitivity(fm.load_project_scenario("scenarios/projects/zoucheng-2024-risk.toml")).tornado
    fm.sweep("scenarios/jinan-2023.toml", {"pools.central.amount_wan": [28000, 30000, 32000]}).table()
"""

from importlib import import_module as _import_module
from importlib import metadata as _metadata

from .errors import FinmodelError, InfeasibleError, InputError

# Where each name of the API lives. A module loads when one of its names is first used, not with the package:
# each kind of scenario brings its own models and libraries (an allocation needs no cash-flow models, a
# notebook that only allocates no matplotlib), and `finmodel --version` or `validate` starts at once.
_HOME = {
    "AllocationResult": ".allocation", "allocate": ".allocation", "factor_formula": ".allocation",
    "largest_remainder": ".allocation",
    "Scenario": ".allocation.scenario", "ScenarioConfig": ".allocation.scenario",
    "load_scenario": ".allocation.scenario",
    "CashflowResult": ".cashflow", "ProjectScenario": ".cashflow", "evaluate": ".cashflow",
    "load_project_scenario": ".cashflow",
    "ModesResult": ".modes", "check_modes": ".modes",
    "RiskResult": ".risk", "simulate": ".risk", "SensitivityResult": ".risk", "sensitivity": ".risk",
    "SweepResult": ".risk", "sweep": ".risk", "with_formed_bundles": ".risk",
    "risk_chart": ".report.risk", "sensitivity_chart": ".report.sensitivity", "sweep_chart": ".report.sweep",
    "write_sweep_report": ".report.sweep",
    "Run": ".runs", "read_run": ".runs", "Comparison": ".runs", "compare": ".runs",
    "explanation_remark": ".labels", "explanation_sentence": ".labels", "PerformanceForm": ".allocation.scenario",
    "coverage_ratio": ".cashflow", "loan_schedule": ".cashflow", "npv": ".cashflow", "irr": ".cashflow",
    "cjk_font": ".report", "bundling_chart": ".report.modes", "plan_chart": ".report.plan",
    "PlanResult": ".planning", "PlanScenario": ".planning", "load_plan_scenario": ".planning", "plan": ".planning",
    "allocation_chart": ".report", "cashflow_chart": ".report", "comparison_chart": ".report",
    "metrics_frame": ".report", "summary_frame": ".report", "write_allocation_report": ".report",
    "write_cashflow_report": ".report",
}


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:  # a subpackage, as fm.policy.load_policy(...) reaches it
        try:
            return _import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'finmodel' has no attribute {name!r}") from None
    value = getattr(_import_module(home, __name__), name)
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


try:
    __version__ = _metadata.version("finmodel")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["FinmodelError", "InfeasibleError", "InputError", *_HOME]

"""finmodel: plans and checks the money behind old-community renovation (老旧小区改造) in Jinan.

Public API::

    import finmodel as fm
    scenario = fm.load_scenario("scenarios/jinan-2023.toml")
    result = fm.allocate(scenario)
    result.table            # per district: shares, formula and final amounts (万元)
    fm.write_allocation_report(result, "reports/jinan-2023")
"""

from importlib import metadata as _metadata

from .allocation import AllocationResult, allocate, factor_formula, largest_remainder
from .errors import FinmodelError, InfeasibleError, InputError
from .report import allocation_chart, comparison_chart, summary_frame, write_allocation_report
from .scenario import Scenario, ScenarioConfig, load_scenario

try:
    __version__ = _metadata.version("finmodel")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AllocationResult", "FinmodelError", "InfeasibleError", "InputError", "Scenario", "ScenarioConfig",
    "allocate", "allocation_chart", "comparison_chart", "factor_formula", "largest_remainder", "load_scenario", "summary_frame",
    "write_allocation_report",
]

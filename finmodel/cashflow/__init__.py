"""Project cash flows: debt schedules and the metrics that decide self-balancing (自求平衡)."""

from .evaluate import CashflowResult, evaluate
from .excel import cumipmt, cumprinc, fv, ipmt, mirr, nper, pmt, ppmt, pv, rate, rate_roots, xirr, xnpv
from .loans import annuity_payment, bond_schedule, loan_schedule
from .metrics import (
    IrrResult, break_even, coverage_ratio, dscr, excel_npv, funding_gap, irr, llcr, npv, payback, peak_funding_need,
)
from .project import ProjectCashflow, project_cashflow
from .scenario import Project, ProjectScenario, ProjectScenarioConfig, load_project_scenario

__all__ = [
    "CashflowResult", "IrrResult", "annuity_payment", "Project", "ProjectCashflow", "ProjectScenario", "ProjectScenarioConfig",
    "evaluate", "load_project_scenario", "project_cashflow", "bond_schedule", "break_even", "coverage_ratio", "dscr", "excel_npv", "funding_gap", "irr",
    "llcr", "loan_schedule", "npv", "payback", "peak_funding_need",
    "cumipmt", "cumprinc", "fv", "ipmt", "mirr", "nper", "pmt", "ppmt", "pv", "rate", "rate_roots", "xirr", "xnpv",
]

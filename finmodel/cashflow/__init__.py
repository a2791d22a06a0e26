"""Project cash flows: debt schedules and the metrics that decide self-balancing (自求平衡)."""

from .loans import bond_schedule, loan_schedule
from .metrics import IrrResult, coverage_ratio, dscr, excel_npv, irr, npv

__all__ = ["IrrResult", "bond_schedule", "coverage_ratio", "dscr", "excel_npv", "irr", "loan_schedule", "npv"]

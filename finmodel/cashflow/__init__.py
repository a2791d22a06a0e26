"""Project cash flows: debt schedules and the metrics that decide self-balancing (自求平衡)."""

from .loans import bond_schedule, loan_schedule
from .metrics import (
    IrrResult, break_even, coverage_ratio, dscr, excel_npv, funding_gap, irr, llcr, npv, payback, peak_funding_need,
)

__all__ = [
    "IrrResult", "bond_schedule", "break_even", "coverage_ratio", "dscr", "excel_npv", "funding_gap", "irr",
    "llcr", "loan_schedule", "npv", "payback", "peak_funding_need",
]

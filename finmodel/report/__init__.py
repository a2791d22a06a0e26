"""Reports: the approval workbook, the CSV export, charts and the manifest. Reads results, never engine internals.

Each name loads its module when first used: the cash-flow writers bring matplotlib and the project models, which
an allocation run, or a command that only checks its output folder, does without.
"""

from __future__ import annotations

from importlib import import_module

from ..labels import LANGS, t

_HOME = {
    "write_allocation_report": ".allocation",
    "cashflow_chart": ".cashflow", "cashflow_workbook": ".cashflow", "metrics_frame": ".cashflow",
    "write_cashflow_report": ".cashflow",
    "allocation_chart": ".charts", "cjk_font": ".charts", "comparison_chart": ".charts", "png_bytes": ".charts",
    "write_with_manifest": ".manifest",
    "summary_csv": ".summary", "summary_frame": ".summary", "summary_text": ".summary",
    "allocation_workbook": ".workbook",
}


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'finmodel.report' has no attribute {name!r}")
    value = getattr(import_module(home, __name__), name)
    globals()[name] = value
    return value


__all__ = ["LANGS", "t", *_HOME]

"""The allocation's reports: the approval workbook, the CSV export, the charts and the manifest, all or none."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..allocation import AllocationResult
from .charts import allocation_chart, comparison_chart, png_bytes
from .manifest import write_with_manifest
from .summary import summary_columns, summary_csv
from .workbook import allocation_workbook


def write_allocation_report(result: AllocationResult, out_dir: str | Path, *, lang: str = "zh",
                            command: str = "finmodel run",
                            progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write allocation.xlsx, allocation.csv, allocation.png and manifest.json into ``out_dir``, all or none.

    ``progress`` is told of each file and each sheet before it is made (its name), for long runs."""
    say = progress or (lambda message: None)
    out_dir = Path(out_dir)
    say("allocation.xlsx")
    outputs = {"allocation.xlsx": allocation_workbook(result, lang, progress)}
    say("allocation.csv, allocation.png")
    outputs |= {
        "allocation.csv": summary_csv(result, lang),
        "allocation.png": png_bytes(allocation_chart(result, lang)),
    }
    if result.lp is not None:
        outputs["allocation-vs-formula.png"] = png_bytes(comparison_chart(result, lang))
    from .html import allocation_html

    outputs["report.html"] = allocation_html(result, outputs, lang)
    return write_with_manifest(result.scenario, outputs, out_dir, command=command, lang=lang, solver=result.solver,
                               columns={"allocation.csv": summary_columns(result)})

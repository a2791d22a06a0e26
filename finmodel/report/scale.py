"""What a large allocation run will cost, said before the work starts.

The reports grow in step with the number of units, but two phases stay costly: the workbook (a cell per figure,
about 80 per unit for three pools: about a minute and 700 MB at 20,000 units) and the allocation LP, whose solves
grow faster than the units (about 13 minutes at 20,000 units with Jinan's rules). The estimate below applies rates
measured with ``benchmarks/bench_report.py`` (2,000, 5,000 and 20,000 units, one core of an ordinary machine) to
the run's size; another machine differs, so it is announced as approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..allocation.filling import declines
from ..allocation.scenario import Scenario
from ..labels import t

ANNOUNCE_SECONDS = 10.0
"""A run expected to take longer than this says so before it starts, and shows its progress."""

# Rates measured by benchmarks/bench_report.py (Jinan's three pools; 2,000, 5,000 and 20,000 units).
WORKBOOK_SECONDS_PER_CELL = 30e-6
"""Creating, styling and saving one workbook cell (openpyxl, then the fixed-stamp zip)."""
WORKBOOK_BYTES_PER_CELL = 9.0
"""Size of allocation.xlsx per cell (compressed XML)."""
WORKBOOK_MEMORY_PER_CELL = 450.0
"""Memory per cell while the workbook is built: openpyxl keeps every cell until it saves."""
CSV_BYTES_PER_CELL = 10.0
"""allocation.csv per unit and column."""
LP_SECONDS = (1e-4, 1.6)
"""The allocation LP's solves take about a · units ** b seconds with bounds like Jinan's (need, co-financing,
hold-harmless): 9 s at 2,000 units, 80 s at 5,000, 790 s at 20,000."""
FILL_SECONDS_PER_UNIT = 4e-5
"""The fit without a solver (progressive filling or the pro-rata rule) and its rounding, per unit:
``benchmarks/bench_lp.py`` measured 0.27 s at 30,000 units and 3.7 s at 220,000 (1.7e-5 a unit); this leaves room
for a slower machine."""
LP_MEMORY_PER_UNIT = 31e3
"""The LP's model and solution per unit, kept while the reports are written."""
OTHER_SECONDS_PER_UNIT = 4e-4
"""Reading the table, ordering the units, the formula, rounding, the CSV and the charts, per unit."""
EXPLANATION_CELLS = 8
"""Cells of a 调整说明 row; with the LP nearly every unit moves (the pro rata share), so every unit is counted."""
CHART_BYTES = 200_000
"""A chart: at most ``charts.CHART_UNITS`` bars or the summary chart, a fixed size whatever the units."""
BASE_MEMORY = 190e6
"""The process before any unit: Python, numpy, pandas, matplotlib, openpyxl."""


@dataclass(frozen=True)
class RunCost:
    """Approximate cost of an allocation run, by phase."""

    units: int
    cells: int
    """Cells of allocation.xlsx."""
    seconds: dict[str, float]
    """Phase → seconds: lp (only with [allocation]), workbook, other."""
    sizes: dict[str, int]
    """File → bytes."""
    memory_bytes: float

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    @property
    def worth_announcing(self) -> bool:
        return self.total_seconds >= ANNOUNCE_SECONDS

    def line(self, lang: str = "zh") -> str:
        """One line for the terminal, before the work: time, memory and the workbook's size, approximate."""
        parts = ("，" if lang == "zh" else ", ").join(
            f"{t('cli_phase_' + name, lang)} {_seconds(s, lang)}" for name, s in self.seconds.items() if s >= 0.5)
        return t("cli_large_run", lang).format(self.units, _seconds(self.total_seconds, lang), parts,
                                                _bytes(self.memory_bytes), _bytes(self.sizes["allocation.xlsx"]),
                                                self.cells)


def workbook_cells(scenario: Scenario) -> int:
    """Cells the approval workbook will hold, from the scenario alone (the few heading cells left out)."""
    units = len(scenario.districts)
    cells = units * (4 + len(scenario.pools))  # 汇总: seq, name, total, a pool each, remark
    for pool in scenario.pools:
        lead = 1 + scenario.derives_difficulty(pool.difficulty) + (pool.difficulty is not None)
        cells += units * (lead + 4 * len(pool.weights) + 3)  # 因素测算: four figures a factor, share, amounts
    if scenario.config.allocation is not None:
        cells += units * EXPLANATION_CELLS  # 调整说明
    return cells


def allocation_cost(scenario: Scenario) -> RunCost:
    """What ``finmodel run`` of ``scenario`` will take, before it starts."""
    units = len(scenario.districts)
    cells = workbook_cells(scenario)
    spec = scenario.config.allocation
    lp = spec is not None
    seconds = {}
    if lp:
        # The LP runs only for what progressive filling does not take (``allocation/filling.py``).
        solver_free = spec.fit_method == "auto" and declines(
            bool(spec.need and spec.need.by_category), spec.objective, len(scenario.pools)) is None
        seconds["lp"] = FILL_SECONDS_PER_UNIT * units if solver_free else LP_SECONDS[0] * units ** LP_SECONDS[1]
    seconds["workbook"] = cells * WORKBOOK_SECONDS_PER_CELL
    seconds["other"] = units * OTHER_SECONDS_PER_UNIT
    sizes = {
        "allocation.xlsx": int(cells * WORKBOOK_BYTES_PER_CELL),
        "allocation.csv": int(units * (4 + len(scenario.pools)) * CSV_BYTES_PER_CELL),
        "charts": (1 + lp) * CHART_BYTES,
    }
    memory = BASE_MEMORY + cells * WORKBOOK_MEMORY_PER_CELL + lp * units * LP_MEMORY_PER_UNIT
    return RunCost(units, cells, seconds, sizes, memory)


def _seconds(seconds: float, lang: str) -> str:
    if seconds < 90:
        return f"{seconds:.0f} " + ("秒" if lang == "zh" else "s")
    return f"{seconds / 60:.0f} " + ("分钟" if lang == "zh" else "min")


def _bytes(size: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}" if size < 10 * scale else f"{size / scale:.0f} {unit}"
    return f"{size:.0f} B"

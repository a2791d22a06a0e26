"""Whole allocation runs with many units, phase by phase: time, peak memory and the size of every output.

Run by hand: python benchmarks/bench_report.py [--kind formula|lp|both] [--trace] [--cli] [units ...]
(default: both kinds, 2000 5000 20000 units). Each size runs in a fresh process, so the peak resident memory
(getrusage) is that run's own; it is printed after each phase, and it only grows, so a phase that raises it is the
one that needed the memory. ``--trace`` adds tracemalloc's peak of Python allocations during each phase (slower;
it does not see matplotlib's or zlib's own buffers). ``--cli`` also times ``finmodel run`` end to end, as a user
runs it (reading, allocating, writing, printing the table).

The scenario has the bundled Jinan one's three pools and weights (the difficulty coefficient derived from revenue
÷ expenditure) over a synthetic table of N units; ``lp`` adds Jinan's rules (need caps, co-financing by fiscal
tier, hold-harmless), with about 10 % of units capped below their formula amount and 5 % held above it. Each run
also prints what ``finmodel run`` announces beforehand for it, and the figures measured before the report was
made linear. Nothing here is asserted.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

# The same runs before the charts summarised and the report stopped looking up cells one label at a time
# (commit 8bee8e8, this script, a shared two-core machine under load from other work, so seconds are rough):
# total seconds, peak resident MB, workbook seconds, chart seconds, allocation.png KB. At 20,000 units with the
# LP the charts alone would have taken over an hour and were not run.
BEFORE = {
    ("formula", 2_000): (35.8, 1_198, 4.7, 30.4, 8_242),
    ("formula", 5_000): (141.3, 2_754, 11.2, 128.5, 21_003),
    ("formula", 20_000): (1_356.1, 10_362, 196.4, 1_141.8, 85_201),
    ("lp", 2_000): (65.0, 1_330, 5.1, 49.5, 8_242),
    ("lp", 5_000): (876.3, 3_117, 58.8, 704.5, 20_988),
}

HEAD = """[scenario]
name = "批量区县补助资金分配测试"
year = 2023
prepared_by = "测试"

[districts]
table = "districts.csv"
key = "district"

[difficulty]
column = "difficulty_coef"
revenue = "budget_revenue_wan"
expenditure = "budget_expenditure_wan"

[[pools]]
id = "central"
label = "中央财政补助资金"
amount_wan = {central}
difficulty = "difficulty_coef"
[pools.weights]
floor_area_m2 = 0.4
households = 0.3
buildings = 0.1
communities = 0.1
performance_score = 0.1

[[pools]]
id = "provincial"
label = "省级财政补助资金"
amount_wan = {provincial}
difficulty = "difficulty_coef"
[pools.weights]
households = 0.2
investment_wan = 0.7
performance_score = 0.1

[[pools]]
id = "city"
label = "市级财政补助资金"
amount_wan = {city}
inverse = ["fiscal_capacity_ratio"]
[pools.weights]
households = 0.3
floor_area_m2 = 0.2
investment_wan = 0.2
performance_score = 0.1
fiscal_capacity_ratio = 0.2
"""

LP = """
[allocation]
objective = "formula_fit"
solver = "highs"
time_limit_s = 3600

[allocation.need]
total = "need_wan"

[allocation.cofinancing]
rates = [0.10, 0.20, 0.30]
capacity_share = 0.02
expenditure = "budget_expenditure_wan"

[allocation.hold_harmless]
last_year = "last_year_wan"
floor = 0.9
cap = 1.3
"""


def district_table(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """N units shaped like Jinan's districts: households lognormal, the rest following from them."""
    households = np.maximum(50, rng.lognormal(8.0, 1.0, n)).astype(int)
    floor_area = np.round(households * rng.uniform(60, 95, n))
    revenue = np.round(rng.lognormal(12.5, 0.7, n))
    expenditure = np.round(revenue / rng.uniform(0.3, 2.4, n))
    return pd.DataFrame({
        "district": [f"测试单元{i:06d}" for i in range(n)],
        "communities": np.maximum(1, households // rng.integers(150, 600, n)),
        "buildings": np.maximum(1, households // rng.integers(20, 60, n)),
        "households": households,
        "floor_area_m2": floor_area,
        "investment_wan": np.round(floor_area * 0.03, 2),
        "performance_score": rng.integers(70, 99, n),
        "budget_revenue_wan": revenue,
        "budget_expenditure_wan": expenditure,
        "fiscal_capacity_ratio": np.round(revenue / expenditure, 4),
    })


def pools_for(n: int) -> dict[str, float]:
    """Pools that grow with the number of units (about 8 万元 per unit), so each unit's amount stays plausible."""
    return {"central": 3.0 * n, "provincial": 2.0 * n, "city": 3.0 * n}


def write_inputs(folder: Path, n: int, kind: str, seed: int = 2023) -> Path:
    """The scenario file and its table; for ``lp``, needs and last year's amounts set against the formula."""
    rng = np.random.default_rng(seed + n)
    table = district_table(n, rng)
    head = HEAD.format(**{k: f"{v:.2f}" for k, v in pools_for(n).items()})
    path = folder / "scenario.toml"
    table.to_csv(folder / "districts.csv", index=False)
    path.write_text(head, encoding="utf-8")
    if kind == "lp":
        from finmodel.allocation import allocate
        from finmodel.allocation.scenario import load_scenario

        total = allocate(load_scenario(path)).formula_wan.sum(axis=1).to_numpy()
        capped = rng.random(n) < 0.10
        table["need_wan"] = np.round(np.where(capped, total * rng.uniform(0.3, 0.95, n),
                                              total * rng.uniform(1.5, 3.0, n)), 2)
        held = rng.random(n) < 0.05
        last_year = np.where(held, total * rng.uniform(1.15, 1.3, n), total * rng.uniform(0.85, 1.05, n))
        # A capped unit's floor (90 % of last year) must stay under its need, or nothing is feasible.
        last_year = np.where(capped, table["need_wan"] * rng.uniform(0.6, 1.0, n), last_year)
        table["last_year_wan"] = np.round(last_year, 2)
        table.to_csv(folder / "districts.csv", index=False)
        path.write_text(head + LP, encoding="utf-8")
    return path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class Phases:
    """Seconds, peak RSS after, and (with tracemalloc) the peak of Python allocations, per named phase."""

    def __init__(self, trace: bool):
        self.trace = trace
        self.rows: dict[str, dict] = {}
        self.wrapped: list[tuple[object, str, object]] = []

    @contextmanager
    def phase(self, name: str):
        if self.trace:
            tracemalloc.reset_peak()
        start = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - start
            row = self.rows.setdefault(name, {"s": 0.0, "traced_mb": 0.0})
            row["s"] += seconds
            row["rss_mb"] = peak_rss_mb()
            if self.trace:
                row["traced_mb"] = max(row["traced_mb"], tracemalloc.get_traced_memory()[1] / 2**20)

    def wrap(self, module, name: str, phase: str) -> None:
        """Time every call of ``module.name`` as part of ``phase`` (nested calls count once, in the outer); a name
        the module does not have is left out of the figures."""
        original = getattr(module, name, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            with self.phase(phase):
                return original(*args, **kwargs)

        self.wrapped.append((module, name, original))
        setattr(module, name, timed)

    def unwrap(self) -> None:
        for module, name, original in reversed(self.wrapped):
            setattr(module, name, original)
        self.wrapped.clear()


def child(kind: str, n: int, trace: bool, cli: bool) -> dict:
    """One run of ``n`` units, in this process; returns its figures."""
    import finmodel.allocation as allocation
    from finmodel.report import allocation_chart, comparison_chart, png_bytes, summary_csv, summary_text
    from finmodel.report.manifest import write_with_manifest
    from finmodel.report.workbook import allocation_workbook
    from finmodel.allocation.scenario import load_scenario

    phases = Phases(trace)
    if trace:
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write_inputs(folder, n, kind)
        phases.wrap(allocation, "factor_formula", "formula")
        phases.wrap(allocation, "largest_remainder", "rounding")
        phases.wrap(allocation, "round_solution", "rounding")
        phases.wrap(allocation.AllocationLP, "solve", "lp")
        phases.wrap(allocation, "explain", "explanations")
        phases.wrap(allocation, "run_checks", "checks")
        base = time.perf_counter()
        with phases.phase("load"):
            scenario = load_scenario(path)
        start = time.perf_counter()
        result = allocation.allocate(scenario)
        phases.unwrap()
        inner = sum(phases.rows.get(p, {}).get("s", 0.0)
                    for p in ("formula", "rounding", "lp", "explanations", "checks"))
        phases.rows["allocate, rest"] = {"s": time.perf_counter() - start - inner, "rss_mb": peak_rss_mb(),
                                         "traced_mb": 0.0}
        outputs = {}
        with phases.phase("workbook"):
            outputs["allocation.xlsx"] = allocation_workbook(result, "zh")
        with phases.phase("csv"):
            outputs["allocation.csv"] = summary_csv(result, "zh")
        with phases.phase("charts"):
            outputs["allocation.png"] = png_bytes(allocation_chart(result, "zh"))
            if result.lp is not None:
                outputs["allocation-vs-formula.png"] = png_bytes(comparison_chart(result, "zh"))
        with phases.phase("manifest"):
            written = write_with_manifest(scenario, outputs, folder / "out", command="bench", lang="zh",
                                          solver=result.solver)
        with phases.phase("summary text"):
            summary_text(result, "zh")
        total = time.perf_counter() - base
        sizes = {name: p.stat().st_size for name, p in written.items()}
        cli_s = None
        if cli:
            from finmodel.cli import main

            start = time.perf_counter()
            main(["run", str(path), "--out", str(folder / "cli"), "--quiet"])
            cli_s = time.perf_counter() - start
    try:
        from finmodel.report.scale import allocation_cost
    except ImportError:  # an older finmodel, measured for comparison
        estimate = None
    else:
        estimate = allocation_cost(scenario).line()
    return {"kind": kind, "units": n, "phases": phases.rows, "total_s": total, "sizes": sizes, "cli_s": cli_s,
            "rss_mb": peak_rss_mb(), "estimate": estimate}


def show(record: dict, trace: bool) -> None:
    print(f"\n{record['kind']}, {record['units']:,} units: {record['total_s']:.2f} s, peak RSS "
          f"{record['rss_mb']:,.0f} MB" + (f"; finmodel run {record['cli_s']:.2f} s" if record["cli_s"] else ""))
    print(f"  {'phase':<16} {'s':>9} {'peak RSS after (MB)':>20}" + (f" {'traced peak (MB)':>17}" if trace else ""))
    for name, row in record["phases"].items():
        print(f"  {name:<16} {row['s']:>9.3f} {row['rss_mb']:>20,.0f}"
              + (f" {row['traced_mb']:>17,.1f}" if trace else ""))
    print("  outputs: " + ", ".join(f"{name} {size / 1024:,.0f} KB" for name, size in record["sizes"].items()))
    if record.get("estimate"):
        print(f"  announced beforehand: {record['estimate']}")
    before = BEFORE.get((record["kind"], record["units"]))
    if before:
        total, rss, workbook, charts, png = before
        print(f"  before (8bee8e8): {total:,.1f} s, peak RSS {rss:,} MB, workbook {workbook:.1f} s, charts "
              f"{charts:,.1f} s, allocation.png {png:,} KB")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        kind, n, trace, cli = argv[1], int(argv[2]), argv[3] == "1", argv[4] == "1"
        print(json.dumps(child(kind, n, trace, cli)))
        return
    kinds, trace, cli, sizes = ["formula", "lp"], False, False, []
    args = iter(argv)
    for arg in args:
        if arg == "--kind":
            value = next(args)
            kinds = ["formula", "lp"] if value == "both" else [value]
        elif arg == "--trace":
            trace = True
        elif arg == "--cli":
            cli = True
        else:
            sizes.append(int(arg))
    for kind in kinds:
        for n in sizes or [2_000, 5_000, 20_000]:
            done = subprocess.run([sys.executable, __file__, "--child", kind, str(n), str(int(trace)),
                                   str(int(cli))], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"\n{kind}, {n:,} units: failed\n{done.stderr[-2000:]}", flush=True)
                continue
            show(json.loads(done.stdout.strip().splitlines()[-1]), trace)
            sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])

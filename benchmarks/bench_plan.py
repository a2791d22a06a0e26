"""The multi-year plan on synthetic libraries of growing size.

Run by hand: python benchmarks/bench_plan.py [communities ...]   (default 1500 15000)
Prints seconds to generate, load and check, and solve (with the gap reached), per size; 0.1 % gap, 600 s limit.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generator():
    spec = importlib.util.spec_from_file_location("make_jinan_library", ROOT / "scenarios" / "make_jinan_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(sizes: list[int]) -> None:
    from finmodel.planning import load_plan_scenario, plan

    make = generator()
    print(f"{'communities':>12} {'generate (s)':>13} {'load (s)':>9} {'solve (s)':>10} {'gap':>8} {'planned':>8} "
          f"{'deadline solves (s)':>20}", flush=True)
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "data").mkdir()
            start = time.perf_counter()
            make.main(extra=size - 525, out_dir=folder / "data")
            generated = time.perf_counter()
            text = (ROOT / "scenarios" / "jinan-plan-2021.toml").read_text(encoding="utf-8")
            (folder / "plan.toml").write_text(text.replace("time_limit_s = 300", "time_limit_s = 600"),
                                              encoding="utf-8")
            scenario = load_plan_scenario(folder / "plan.toml")
            loaded = time.perf_counter()
            result = plan(scenario)
            finished = time.perf_counter()
            planned = int((result.communities["planned_year"] > 0).sum())
            print(f"{size:>12,} {generated - start:>13.2f} {loaded - generated:>9.2f} {result.seconds:>10.2f} "
                  f"{result.solution.gap:>8.4%} {planned:>8,} {finished - loaded - result.seconds:>20.2f}",
                  flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_500, 15_000])

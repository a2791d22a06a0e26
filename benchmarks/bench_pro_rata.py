"""The pro-rata rule (water-filling per pool, no solver) on the instances of bench_lp.py; print the timings.

Run by hand: python benchmarks/bench_pro_rata.py [sizes ...]   (default 1000 3000 30000 300000)
Nothing here is asserted; the LP on the same instance is ``benchmarks/bench_lp.py``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bench_lp import instance
from finmodel.allocation import round_solution
from finmodel.allocation.waterfill import pro_rata


def main(sizes: list[int]) -> None:
    rng = np.random.default_rng(2023)
    print(f"{'districts':>10} {'water-filling (s)':>18} {'rounding (s)':>13} {'cells held':>11}")
    for n in sizes:
        problem = instance(n, rng)
        start = time.perf_counter()
        filled, _ = pro_rata(problem)
        spent = time.perf_counter() - start
        if filled is None:
            print(f"{n:>10,} the rule does not apply (the LP decides)")
            continue
        solution = filled.solution()
        start = time.perf_counter()
        round_solution(problem, solution)
        rounded = time.perf_counter() - start
        held = int((filled.at_high | filled.at_low).sum())
        print(f"{n:>10,} {spent:>18.4f} {rounded:>13.3f} {held:>11,}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 3_000, 30_000, 300_000])

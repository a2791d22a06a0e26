"""Time the factor formula and largest-remainder rounding for growing numbers of units.

Run by hand: python benchmarks/bench_formula.py
Prints build-and-solve times; nothing here is asserted.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from finmodel.allocation import factor_formula, largest_remainder

WEIGHTS = {"floor_area_m2": 0.4, "households": 0.3, "buildings": 0.1, "communities": 0.1, "performance_score": 0.1}


def table(n: int, rng: np.random.Generator) -> pd.DataFrame:
    households = rng.integers(100, 60_000, n)
    return pd.DataFrame(
        {
            "floor_area_m2": households * rng.uniform(60, 95, n),
            "households": households,
            "buildings": np.maximum(1, households // rng.integers(20, 60, n)),
            "communities": np.maximum(1, households // rng.integers(200, 800, n)),
            "performance_score": rng.uniform(70, 98, n),
        },
        index=[f"unit{i}" for i in range(n)],
    )


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(2023)
    print(f"{'units':>10} {'formula (ms)':>14} {'rounding (ms)':>14}")
    for n in (16, 3_000, 30_000, 300_000):
        data = table(n, rng)
        coef = rng.choice([0.8, 1.0, 1.2], n)
        formula = best_of(5, lambda: factor_formula(data, WEIGHTS, 30_000.0, difficulty=coef,
                                                    unweighted=["performance_score"]))
        share = factor_formula(data, WEIGHTS, 30_000.0, difficulty=coef).districts["share"].to_numpy()
        rounding = best_of(5, lambda: largest_remainder(share, 3_000_000))
        print(f"{n:>10,} {formula * 1e3:>14.2f} {rounding * 1e3:>14.2f}")


if __name__ == "__main__":
    main()

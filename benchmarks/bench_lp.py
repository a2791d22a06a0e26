"""Build and solve the allocation LP for growing numbers of districts; print the timings.

Run by hand: python benchmarks/bench_lp.py [sizes ...]   (default 16 3000 30000)
Three pools; about 10 % of districts have a need cap below their formula amount, 5 % a hold-harmless
floor above it, and all a co-financing cap. Nothing here is asserted.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from finmodel.allocation import round_solution
from finmodel.allocation.lp import AllocationLP
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down, grid_up
from finmodel.solver import SolverSettings


def instance(n: int, rng: np.random.Generator) -> AllocationProblem:
    pools = np.array([30_000.0, 20_000.0, 30_000.0])
    weights = rng.lognormal(0.0, 1.0, (3, n))
    formula = weights / weights.sum(axis=1, keepdims=True) * pools[:, None]
    total = formula.sum(axis=0)
    need = np.where(rng.random(n) < 0.10, total * rng.uniform(0.3, 0.95, n), total * rng.uniform(1.5, 3.0, n))
    floor = np.where(rng.random(n) < 0.05, total * rng.uniform(1.02, 1.2, n), np.nan)
    floor = np.where(floor <= need, floor, np.nan)
    cofinancing = total * rng.uniform(1.3, 4.0, n)
    return AllocationProblem(
        districts=[f"d{i}" for i in range(n)], pools=["central", "provincial", "city"], pool_wan=pools,
        formula=formula,
        bounds=[Bound("need", grid_down(need)), Bound("hold_harmless_floor", grid_up(floor)),
                Bound("cofinancing", grid_down(cofinancing))],
    )


def main(sizes: list[int]) -> None:
    rng = np.random.default_rng(2023)
    print(f"{'districts':>10} {'build (s)':>10} {'solve (s)':>10} {'solves':>7} {'stages':>7} "
          f"{'in solver (s)':>14} {'rounding (s)':>13}")
    for n in sizes:
        problem = instance(n, rng)
        start = time.perf_counter()
        model = AllocationLP(problem, SolverSettings(time_limit_s=3600))
        built = time.perf_counter() - start
        start = time.perf_counter()
        solution = model.solve()
        solved = time.perf_counter() - start
        start = time.perf_counter()
        round_solution(problem, solution)
        rounded = time.perf_counter() - start
        in_solver = sum(r.seconds for r in model.lp.records)
        print(f"{n:>10,} {built:>10.2f} {solved:>10.2f} {len(model.lp.records):>7} "
              f"{len(solution.stage_levels):>7} {in_solver:>14.2f} {rounded:>13.3f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [16, 3_000, 30_000])

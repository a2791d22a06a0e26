"""Time the formula fit for growing numbers of districts: progressive filling (the fast path), the staged LP (the
reference) and, for scale, one raw HiGHS minimax LP on the same instance; print the figures and the ratios.

Run by hand: python benchmarks/bench_lp.py [--lp-limit S] [sizes ...]   (default 1000 3000 30000 220000)

Three pools; about 10 % of districts have a need cap below their formula amount, 5 % a hold-harmless floor above
it, and all a co-financing cap. The staged LP runs with a time limit (``--lp-limit``, default 120 s; a run that
reaches it is printed as such) up to LP_UP_TO districts, and its rounded table is compared with the fast path's
cell for cell. The raw LP is the first stage of the fit alone (min t with every cell within t of its formula
amount, the pools spent, the bounds kept), built as one sparse model and solved once by HiGHS's interior point
method: what any LP-based fit must at least spend. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import time
from queue import Empty

import numpy as np
from scipy import sparse

from finmodel.allocation import round_solution
from finmodel.allocation.filling import Declined, fill
from finmodel.allocation.lp import GRAIN, AllocationLP
from finmodel.allocation.problem import AllocationProblem, Bound, grid_down, grid_up
from finmodel.errors import FinmodelError
from finmodel.solver import SolverError, SolverSettings

LP_UP_TO = 30_000
"""The staged LP and the raw LP run up to this many districts; beyond it the fast path runs alone."""
TARGETS = {1_000: 0.5, 3_000: 1.0, 30_000: 5.0, 220_000: 5.0}
"""Seconds the fast path (fit and rounding) should stay within."""


def instance(n: int, rng: np.random.Generator) -> AllocationProblem:
    pools = np.array([30_000.0, 20_000.0, 30_000.0])
    weights = rng.lognormal(0.0, 1.0, (3, n))
    formula = weights / weights.sum(axis=1, keepdims=True) * pools[:, None]
    total = formula.sum(axis=0)
    need = np.where(rng.random(n) < 0.10, total * rng.uniform(0.3, 0.95, n), total * rng.uniform(1.5, 3.0, n))
    floor = grid_up(np.where(rng.random(n) < 0.05, total * rng.uniform(1.02, 1.2, n), np.nan))
    need, cofinancing = grid_down(need), grid_down(total * rng.uniform(1.3, 4.0, n))
    # A floor above a cap would make the rules impossible; on the grain that happens to units of a few 0.01 万元.
    floor = np.where(floor <= np.minimum(need, cofinancing), floor, np.nan)
    return AllocationProblem(
        districts=[f"d{i}" for i in range(n)], pools=["central", "provincial", "city"], pool_wan=pools,
        formula=formula,
        bounds=[Bound("need", need), Bound("hold_harmless_floor", floor), Bound("cofinancing", cofinancing)],
        split="fit",
    )


def raw_minimax(problem: AllocationProblem) -> float:
    """Seconds HiGHS takes for one minimax LP: min t, |x − f| ≤ s·t per cell, Σ_i x = pool, L ≤ Σ_p x ≤ U."""
    import highspy

    f = problem.formula
    n_pools, n = f.shape
    s = np.maximum(f, GRAIN)
    low, high = problem.total_range()
    cells = n_pools * n
    col = np.arange(cells)
    # Columns: the cells (pool-major), then t. Rows: pools, units' totals, then x − s·t ≤ f and x + s·t ≥ f.
    pool_rows = sparse.csr_matrix((np.ones(cells), (col // n, col)), shape=(n_pools, cells + 1))
    unit_rows = sparse.csr_matrix((np.ones(cells), (col % n, col)), shape=(n, cells + 1))
    eye = sparse.hstack([sparse.identity(cells), sparse.csr_matrix(s.reshape(-1, 1))])
    eye_minus = sparse.hstack([sparse.identity(cells), sparse.csr_matrix(-s.reshape(-1, 1))])
    matrix = sparse.vstack([pool_rows, unit_rows, eye_minus, eye]).tocsc()
    inf = highspy.kHighsInf
    row_lower = np.concatenate([problem.pool_wan, low, np.full(cells, -inf), f.ravel()])
    row_upper = np.concatenate([problem.pool_wan, np.where(np.isfinite(high), high, inf), f.ravel(),
                                np.full(cells, inf)])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cells + 1, matrix.shape[0]
    lp.col_cost_ = np.append(np.zeros(cells), 1.0)
    lp.col_lower_ = np.zeros(cells + 1)
    caps = problem.cell_caps().ravel()
    lp.col_upper_ = np.append(np.where(np.isfinite(caps), caps, inf), inf)
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "ipm")  # interior point: simplex took 524 s at 30,000 units
    h.passModel(lp)
    start = time.perf_counter()
    h.run()
    return time.perf_counter() - start


def _staged_lp_child(n: int, limit: float, queue) -> None:
    problem = instance(n, np.random.default_rng([2023, n]))
    start = time.perf_counter()
    try:
        solution = AllocationLP(problem, SolverSettings(time_limit_s=limit, deadline=time.monotonic() + limit)).solve()
    except (FinmodelError, SolverError):
        queue.put((time.perf_counter() - start, None))
        return
    queue.put((time.perf_counter() - start, round_solution(problem, solution)))


def staged_lp(n: int, limit: float) -> tuple[float, np.ndarray | None]:
    """The staged LP on the same instance, in a process of its own that is stopped at ``limit`` seconds wall time:
    building the model and the Python work between solves are not under the solver's limit."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_staged_lp_child, args=(n, limit, queue))
    start = time.perf_counter()
    child.start()
    try:  # read before joining: a table larger than the pipe holds keeps the child alive until it is read
        found = queue.get(timeout=limit + 5)
    except Empty:
        child.terminate()
        found = (time.perf_counter() - start, None)
    child.join()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lp-limit", type=float, default=120.0, help="time limit of the staged LP, seconds")
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 3_000, 30_000, 220_000])
    args = parser.parse_args()
    print(f"{'districts':>10} {'fit (s)':>8} {'round (s)':>9} {'fast (s)':>9} {'target':>7} {'stages':>6} "
          f"{'staged LP (s)':>14} {'× fast':>8} {'raw LP (s)':>11} {'× fast':>8} {'same table':>10}")
    for n in args.sizes:
        problem = instance(n, np.random.default_rng([2023, n]))  # the same instance in the LP's process
        start = time.perf_counter()
        filled = fill(problem)
        fit_s = time.perf_counter() - start
        if isinstance(filled, Declined):
            print(f"{n:>10,} progressive filling declined the instance: {filled.reason}", flush=True)
            continue
        start = time.perf_counter()
        table = round_solution(problem, filled)
        round_s = time.perf_counter() - start
        fast = fit_s + round_s
        target = TARGETS.get(n)
        met = "—" if target is None else ("met" if fast <= target else "MISSED")
        staged = ratio = raw = raw_ratio = same = "—"
        if n <= LP_UP_TO:
            lp_s, lp_table = staged_lp(n, args.lp_limit)
            if lp_table is None:
                staged, ratio = f"> {args.lp_limit:.0f} limit", f"> {args.lp_limit / fast:.0f}"
            else:
                staged, ratio = f"{lp_s:.2f}", f"{lp_s / fast:.0f}"
                same = "yes" if (lp_table == table).all() else "NO"
            raw_s = raw_minimax(problem)
            raw, raw_ratio = f"{raw_s:.2f}", f"{raw_s / fast:.1f}"
        print(f"{n:>10,} {fit_s:>8.3f} {round_s:>9.3f} {fast:>9.3f} {met:>7} {len(filled.stage_levels):>6} "
              f"{staged:>14} {ratio:>8} {raw:>11} {raw_ratio:>8} {same:>10}", flush=True)


if __name__ == "__main__":
    main()

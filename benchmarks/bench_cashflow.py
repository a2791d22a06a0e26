"""Project metrics for many projects at once against loops over numpy-financial and pyxirr.

Run by hand: python benchmarks/bench_cashflow.py [projects] [years]   (default 100000 20)
Prints seconds (the least of five runs vectorised, of three for pyxirr, of one for the slow loops) for NPV, IRR
(with its status, every root and the kind of flow) and DSCR, vectorised and looped,
the ratios, and how far the IRRs of the three differ. pyxirr (Rust) is installed with the test extra.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import numpy_financial as npf
import pyxirr

from finmodel.cashflow import dscr, irr, npv


def flows(projects: int, years: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    capex = rng.uniform(2_000, 60_000, (projects, 1))
    income = capex * rng.uniform(0.03, 0.12, (projects, 1)) * np.cumprod(
        np.full((projects, years - 1), 1.02), axis=1)
    cost = income * rng.uniform(0.2, 0.5, (projects, 1))
    net = np.hstack([-capex, income - cost])
    service = np.hstack([np.zeros((projects, 1)), np.repeat(capex * 0.06, years - 1, axis=1)])
    return net, income, service


def timed(fn, repeat: int = 1):
    """The result and the least time of ``repeat`` runs (the first run of a vectorised metric also pays for the
    memory it touches first)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def main(projects: int, years: int) -> None:
    net, income, service = flows(projects, years, np.random.default_rng(2024))
    v_npv, t_npv = timed(lambda: npv(0.04, net), 5)
    v_irr, t_irr = timed(lambda: irr(net), 5)
    _, t_dscr = timed(lambda: dscr(np.hstack([np.zeros((projects, 1)), income]), service), 5)
    l_npv, tl_npv = timed(lambda: np.array([npf.npv(0.04, row) for row in net]))
    l_irr, tl_irr = timed(lambda: np.array([npf.irr(row) for row in net]))
    x_irr, tx_irr = timed(lambda: np.array([pyxirr.irr(row) for row in net], dtype=float), 3)
    _, tl_dscr = timed(lambda: [min(a / s for a, s in zip(row_i, row_s) if s > 0)
                                for row_i, row_s in zip(np.hstack([np.zeros((projects, 1)), income]), service)])
    ok = v_irr.status == "ok"
    differ = int(np.sum(ok & ~np.isclose(v_irr.value, l_irr, atol=1e-8, equal_nan=False)))
    print(f"{projects:,} projects × {years} years")
    print(f"{'metric':<6} {'vectorised (s)':>15} {'numpy-financial loop (s)':>25}")
    print(f"{'NPV':<6} {t_npv:>15.3f} {tl_npv:>25.3f}")
    print(f"{'IRR':<6} {t_irr:>15.3f} {tl_irr:>25.3f}   pyxirr loop {tx_irr:.3f} s "
          f"({tx_irr / t_irr:.1f}× the vectorised; numpy-financial {tl_irr / t_irr:.0f}×)")
    print(f"{'DSCR':<6} {t_dscr:>15.3f} {tl_dscr:>25.3f}  (loop in plain Python)")
    print(f"NPV max difference: {np.abs(v_npv - l_npv).max():.2e}; IRR statuses: "
          f"{dict(zip(*np.unique(v_irr.status, return_counts=True)))}; ok IRRs differing from numpy-financial "
          f"by more than 1e-8: {differ}; largest difference from pyxirr: "
          f"{np.nanmax(np.abs(np.where(ok, v_irr.value, np.nan) - x_irr)):.1e}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3])) if len(sys.argv) > 1 else main(100_000, 20)

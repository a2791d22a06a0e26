"""The bundling optimiser (肥瘦搭配): pair loss-making old-community packages with profitable components.

Each bundle is one component with the packages it carries; a package joins at most one bundle, and only a
component it may be paired with (adjacent for 大片区统筹平衡, not adjacent for 跨片区组合平衡). A bundle balances when
its members' contributions, added up, pass every test of the balance rule (NPV, coverage margin, cumulative cash in
every year: see ``balance``). Packages that balance on their own are counted as balanced and not bundled.

Integer program (through ``finmodel.solver``), x_pc = 1 when package p joins component c's bundle, y_c = 1 when
that bundle is formed:

    Σ_c x_pc ≤ 1                      every package once at most
    x_pc ≤ y_c ≤ Σ_p x_pc             a bundle is formed exactly when it carries a package
    a_ck·y_c + Σ_p a_pk·x_pc ≥ θ_k·y_c   for every test k (θ the rule's threshold)

Stages, each keeping the optimum of the ones before: (1) most households in balanced bundles; (2) least surplus
left unused, i.e. the largest deficit absorbed; (3) a fixed order among equal answers (lower-numbered components
and packages first), so that the same inputs give the same bundles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Said, SolveError, SolverError
from ..solver import LinearModel, SolverSettings, lp_sum


@dataclass(frozen=True)
class BundlingProblem:
    """Packages and components with their contributions to each test; which pairs are allowed."""

    packages: list[str]
    components: list[str]
    households: np.ndarray
    """Per package."""
    package_parts: np.ndarray
    """(packages, tests): each package's contribution to each test."""
    component_parts: np.ndarray
    """(components, tests)."""
    thresholds: np.ndarray
    """(tests,): what a bundle's summed contributions must reach."""
    allowed: np.ndarray
    """(packages, components) bool."""
    tests: list[str] = field(default_factory=list)
    """Name of each test (npv, coverage, cash_<year>)."""
    decides: np.ndarray | None = None
    """(tests,) bool: the tests that decide ([balance] tests); None: all. The NPV column is there either way, as the
    measure of the surplus a bundle absorbs."""

    @property
    def deciding(self) -> np.ndarray:
        return np.ones(len(self.thresholds), dtype=bool) if self.decides is None else self.decides

    def standalone(self) -> np.ndarray:
        """Packages that balance on their own."""
        return ((self.package_parts >= self.thresholds - 1e-6) | ~self.deciding).all(axis=1)


@dataclass(frozen=True)
class BundlingSolution:
    assignment: dict[str, str | None]
    """Package → component whose bundle it joins (None: not bundled)."""
    standalone: list[str]
    households_balanced: int
    deficit_absorbed_wan: float
    """Σ −NPV of the packages bundled (the surplus the bundles use)."""
    solver: dict | None


def solve_bundling(problem: BundlingProblem, settings: SolverSettings | None = None,
                   progress: Callable | None = None) -> BundlingSolution:
    alone = problem.standalone()
    model = LinearModel("bundling", settings or SolverSettings(), progress)
    x: dict[tuple[int, int], object] = {}
    for p, package in enumerate(problem.packages):
        if alone[p]:
            continue
        for c, component in enumerate(problem.components):
            if problem.allowed[p, c]:
                x[p, c] = model.variable(f"x_{p}_{c}", f"{package} → {component}", 0, 1, integer=True)
    y = {c: model.variable(f"y_{c}", f"bundle {component}", 0, 1, integer=True)
         for c, component in enumerate(problem.components)}
    for p in range(len(problem.packages)):
        mine = [x[p, c] for c in range(len(problem.components)) if (p, c) in x]
        if mine:
            model.constrain(f"once_{p}", lp_sum(mine) <= 1, f"{problem.packages[p]} joins one bundle at most")
    for c in range(len(problem.components)):
        carried = [(p, x[p, c]) for p in range(len(problem.packages)) if (p, c) in x]
        if not carried:
            model.constrain(f"unused_{c}", y[c] <= 0)
            continue
        model.constrain(f"formed_{c}", y[c] <= lp_sum(v for _, v in carried))
        for p, v in carried:
            model.constrain(f"link_{p}_{c}", v <= y[c])
        for k in np.flatnonzero(problem.deciding):
            test = problem.tests[k]
            expression = lp_sum(float(problem.package_parts[p, k]) * v for p, v in carried) + (
                float(problem.component_parts[c, k] - problem.thresholds[k]) * y[c])
            model.constrain(f"balance_{c}_{k}", expression >= 0, f"bundle {problem.components[c]}: {test}")
    if not x:
        return _solution(problem, {}, alone, None)
    households = lp_sum(float(problem.households[p]) * v for (p, _), v in x.items())
    deficit = lp_sum(float(-problem.package_parts[p, 0]) * v for (p, _), v in x.items())
    order = lp_sum(float(c * len(problem.packages) + p + 1) * v for (p, c), v in x.items())
    try:
        model.minimise(-households)
        best = model.solve(Said("households", "改造户数最多"))
        model.constrain("keep_households", households >= -best.objective - 0.5)
        model.minimise(-deficit)
        second = model.solve(Said("deficit absorbed", "吸收缺口最多"))
        model.constrain("keep_deficit", deficit >= -second.objective - 1e-6 * max(1.0, abs(second.objective)))
        model.minimise(order)
        model.solve(Said("fixed order", "固定排序"))
    except SolverError as exc:  # a bundling model is always feasible (nothing bundled), so this is a stop
        raise SolveError(f"bundling: {exc}", zh=f"组合优化：{exc.text('zh')}") from exc
    chosen = {p: c for (p, c), v in x.items() if model.value(v) > 0.5}
    return _solution(problem, chosen, alone, model.manifest())


def _solution(problem: BundlingProblem, chosen: dict[int, int], alone: np.ndarray, solver: dict | None
              ) -> BundlingSolution:
    assignment = {package: (problem.components[chosen[p]] if p in chosen else None)
                  for p, package in enumerate(problem.packages)}
    bundled = np.array(sorted(chosen), dtype=int)
    households = int(problem.households[alone].sum() + problem.households[bundled].sum())
    deficit = float(-problem.package_parts[bundled, 0].sum()) if bundled.size else 0.0
    return BundlingSolution(assignment=assignment, standalone=[problem.packages[p] for p in np.flatnonzero(alone)],
                            households_balanced=households, deficit_absorbed_wan=deficit, solver=solver)


def bundles_frame(problem: BundlingProblem, solution: BundlingSolution) -> pd.DataFrame:
    """One row per formed bundle: its members and the margin of each test."""
    rows = []
    for c, component in enumerate(problem.components):
        members = [p for p, package in enumerate(problem.packages) if solution.assignment[package] == component]
        if not members:
            continue
        total = problem.component_parts[c] + problem.package_parts[members].sum(axis=0)
        margins = total - problem.thresholds
        deciding = margins[problem.deciding]
        rows.append({"bundle": component, "packages": [problem.packages[p] for p in members],
                     "households": int(problem.households[members].sum()),
                     "npv_wan": float(total[0]),
                     "npv_margin_wan": float(margins[0]) if problem.deciding[0] else np.nan,
                     "least_margin_wan": float(deciding.min()), "balanced": bool((deciding >= -1e-6).all())})
    return pd.DataFrame(rows, columns=["bundle", "packages", "households", "npv_wan", "npv_margin_wan",
                                       "least_margin_wan", "balanced"])

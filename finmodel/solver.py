"""The one place that talks to PuLP (HiGHS through highspy by default, CBC on request).

Models are built with ASCII ids and a map back to readable names; money is in 万元.
Every solve checks both PuLP's status and its solution status: PuLP reports a run
stopped by a time limit as "Optimal", only the solution status tells.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import pulp

SOLVERS = ("highs", "cbc")
HIGHS_METHODS = ("simplex", "ipm", "choose")


@dataclass(frozen=True)
class SolverSettings:
    name: str = "highs"
    """highs (default) or cbc."""
    method: str = "simplex"
    """HiGHS LP method: simplex, ipm (interior point, with crossover so duals and vertices are exact) or choose."""
    time_limit_s: float | None = None
    threads: int | None = 1
    """One thread keeps runs repeatable."""

    @property
    def value_precision(self) -> float:
        """Relative precision of the values read back: highspy hands over doubles; PuLP reads CBC's
        solution file, which prints 8 significant digits (14309.98290552 comes back as 14309.983)."""
        return 1e-8 if self.name == "cbc" else 1e-12


@dataclass(frozen=True)
class SolveRecord:
    """What one solve did, for the manifest."""

    stage: str
    status: str
    solution_status: str
    objective: float | None
    seconds: float


class SolverError(RuntimeError):
    """A solve ended without a proven optimum (time limit, numerical trouble, unbounded)."""

    def __init__(self, message: str, record: SolveRecord | None = None) -> None:
        self.record = record
        super().__init__(message)


class Infeasible(SolverError):
    """The solver proved the model infeasible."""


def solver_version(name: str) -> str:
    if name == "highs":
        return "HiGHS " + metadata.version("highspy")
    if name == "cbc":
        return "CBC bundled with PuLP " + metadata.version("pulp")
    raise ValueError(f"unknown solver '{name}' (use one of {', '.join(SOLVERS)})")


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send what native solver code prints (HiGHS prints its banner when created) to stderr, not stdout."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a captured or in-memory stdout has no descriptor
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        os.dup2(sys.stderr.fileno() if _has_fd(sys.stderr) else os.open(os.devnull, os.O_WRONLY), fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)


def _has_fd(stream) -> bool:
    try:
        stream.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False


@dataclass
class LinearModel:
    """A PuLP problem with readable names kept beside its ASCII ids."""

    name: str
    settings: SolverSettings = field(default_factory=SolverSettings)
    names: dict[str, str] = field(default_factory=dict)
    """ASCII id → readable name (Chinese district names, pool labels)."""
    records: list[SolveRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.settings.name not in SOLVERS:
            raise ValueError(f"unknown solver '{self.settings.name}' (use one of {', '.join(SOLVERS)})")
        if self.settings.method not in HIGHS_METHODS:
            raise ValueError(f"unknown method '{self.settings.method}' (use one of {', '.join(HIGHS_METHODS)})")
        # Constraints are kept here, in insertion order, and handed to a fresh PuLP problem at each solve:
        # stages replace and drop constraints, which PuLP's own problem object does not offer.
        self.constraints: dict[str, pulp.LpConstraint] = {}
        self.objective = None
        self.problem: pulp.LpProblem | None = None
        self._owner = pulp.LpProblem(self.name)  # creates the variables (PuLP 4 style); never solved

    # -- building -------------------------------------------------------------------------------
    def variable(self, var_id: str, readable: str, low: float | None = 0.0, high: float | None = None) -> pulp.LpVariable:
        if not var_id.isascii():
            raise ValueError(f"variable id must be ASCII: {var_id!r}")
        self.names[var_id] = readable
        return self._owner.add_variable(var_id, low, high)

    def constrain(self, con_id: str, constraint: pulp.LpConstraint, readable: str = "") -> None:
        """Add or replace a constraint; replacing keeps its place, so LP files stay in a stable order."""
        if not con_id.isascii():
            raise ValueError(f"constraint id must be ASCII: {con_id!r}")
        constraint.name = con_id
        self.constraints[con_id] = constraint
        if readable:
            self.names[con_id] = readable

    def drop(self, con_ids: Iterable[str]) -> None:
        for con_id in con_ids:
            self.constraints.pop(con_id, None)

    def minimise(self, expression) -> None:
        self.objective = expression

    def build(self) -> pulp.LpProblem:
        problem = pulp.LpProblem(self.name, pulp.LpMinimize)
        problem.setObjective(self.objective if self.objective is not None else pulp.LpAffineExpression())
        for con_id, constraint in self.constraints.items():
            problem.addConstraint(constraint, con_id)
        return problem

    def write_lp(self, path: str | Path) -> None:
        self.build().writeLP(str(path))

    # -- solving ----------------------------------------------------------------------------------
    def _solver(self):
        s = self.settings
        if s.name == "highs":
            options = {"solver": s.method, "random_seed": 0}
            if s.method == "ipm":
                options["run_crossover"] = "on"
            return pulp.HiGHS(msg=False, timeLimit=s.time_limit_s, threads=s.threads, **options)
        # PuLP 3.3 bundles CBC and warns that PuLP 4 will not; the project pins PuLP < 3.4.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, timeLimit=s.time_limit_s, threads=s.threads)

    def solve(self, stage: str) -> SolveRecord:
        """Solve; return the record if optimal, raise Infeasible or SolverError otherwise."""
        start = time.perf_counter()
        self.problem = self.build()
        with _quiet_stdout():
            status = self.problem.solve(self._solver())
        seconds = time.perf_counter() - start
        sol_status = self.problem.sol_status
        record = SolveRecord(
            stage=stage,
            status=pulp.LpStatus[status],
            solution_status=pulp.LpSolution[sol_status],
            objective=pulp.value(self.problem.objective),
            seconds=seconds,
        )
        self.records.append(record)
        if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
            raise Infeasible(f"{stage}: the model is infeasible", record)
        if status != pulp.LpStatusOptimal or sol_status != pulp.LpSolutionOptimal:
            raise SolverError(
                f"{stage}: solver stopped with status '{record.status}' and solution status "
                f"'{record.solution_status}' (time limit {self.settings.time_limit_s} s); no result is exported",
                record,
            )
        return record

    def manifest(self) -> dict:
        return {
            "name": self.settings.name,
            "version": solver_version(self.settings.name),
            "method": self.settings.method if self.settings.name == "highs" else None,
            "time_limit_s": self.settings.time_limit_s,
            "solves": len(self.records),
            "statuses": sorted({f"{r.status}/{r.solution_status}" for r in self.records}),
            "seconds": round(sum(r.seconds for r in self.records), 3),
        }

"""The one place that talks to PuLP (HiGHS through highspy by default, CBC on request).

Models are built with ASCII ids and a map back to readable names; money is in 万元.
Every solve checks both the status and the solution status: PuLP reports a run
stopped by a time limit as "Optimal", only the solution status tells.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pulp

from .errors import Infeasible, Said, SolveError, SolverError, TimeLimitReached, zh_of
from .labels import SOLVE_STATUS, word

SOLVERS = ("highs", "cbc")

# Models are written with PuLP's expressions; other modules take these names from here, not from PuLP.
Variable = pulp.LpVariable
lp_sum = pulp.lpSum
linear = pulp.LpAffineExpression
"""``linear([(variable, coefficient), ...])``: a weighted sum built in one go, for rows with many terms."""
HIGHS_METHODS = ("auto", "simplex", "ipm", "choose")
# Above this many columns "auto" takes the interior point method: the stages' probes move many bounds at
# once, which a warm-started simplex repairs slowly (3,000-district benchmark: 28.7 s by simplex, 17.7 s by
# interior point with crossover; the two agree to 1e-7 万元).
AUTO_IPM_COLUMNS = 5_000


@dataclass(frozen=True)
class SolverSettings:
    name: str = "highs"
    """highs (default) or cbc."""
    method: str = "auto"
    """HiGHS LP method: simplex (warm-started between stages), ipm (interior point, with crossover so duals and
    vertices are exact), choose (HiGHS decides each time) or auto (simplex for small models, ipm for large)."""
    time_limit_s: float | None = None
    """Seconds the whole run may take, every solve of the model together (and of the models sharing its
    ``deadline``); a run that reaches it stops with ``TimeLimitReached``."""
    deadline: float | None = None
    """``time.monotonic()`` by which the run must end, for a run of several models (an allocation and its
    diagnosis) that share one limit; None: ``time_limit_s`` from the model's creation."""
    threads: int | None = 1
    """One thread keeps runs repeatable."""
    mip_rel_gap: float = 0.0
    """Relative gap at which a model with integer variables counts as solved (0: proven optimal); the gap
    reached is recorded with every solve whose solver reports it."""

    @property
    def value_precision(self) -> float:
        """Relative precision of the values read back: highspy hands over doubles, good to its tolerances
        (interior point's crossover leaves rows met to about 1e-9); a linear model's CBC solution is read in
        binary, but PuLP writes the model for CBC with 12 significant digits, hence a margin above 1e-12 for
        CBC too. A model with integer variables is read from CBC's solution file, which prints 8 significant
        digits (14309.98290552 comes back as 14309.983)."""
        return 1e-10


@dataclass(frozen=True)
class SolveRecord:
    """What one solve did, for the manifest."""

    stage: str
    status: str
    solution_status: str
    objective: float | None
    seconds: float
    gap: float | None = None
    """Relative MIP gap reached, as the solver reports it (HiGHS does; CBC through PuLP does not, so None), for
    models with integer variables only."""


def solver_version(name: str) -> str:
    if name == "highs":
        return "HiGHS " + metadata.version("highspy")
    if name == "cbc":
        return "CBC bundled with PuLP " + metadata.version("pulp")
    raise ValueError(f"unknown solver '{name}' (use one of {', '.join(SOLVERS)})")


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence what native solver code prints on stdout (HiGHS prints its banner when created, before any
    option can turn it off), so that printed tables stay clean."""
    # Native code writes to descriptor 1 whatever Python's sys.stdout is (a notebook kernel's stdout reports
    # another descriptor, while it forwards descriptor 1 to the notebook).
    fd = 1
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    saved = os.dup(fd)
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, fd)
        yield
    finally:
        _flush_c_stdout()  # when stdout is a pipe (a notebook) C buffers it: flush while it still goes nowhere
        os.dup2(saved, fd)
        os.close(saved)
        os.close(sink)


def _flush_c_stdout() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to reach (not a POSIX system): nothing buffered to lose
        pass


def highspy_integer() -> int:
    import highspy

    return int(highspy.HighsVarType.kInteger.value)


def _run_interruptibly(h):
    """``h.run()``, stoppable by Ctrl-C within a fraction of a second.

    Python handles a signal only between bytecodes of the main thread, so a Ctrl-C during a plain ``h.run()``
    waits for the whole solve (a plan ran on to its 60 s limit). The solve runs in highspy's worker thread
    instead, the main thread waiting in short joins that a KeyboardInterrupt breaks; the interrupt then asks
    HiGHS to stop at its next callback (simplex, interior point and branch-and-bound all poll it), waits for
    the worker to let go of the model, and is raised again: the run ends with nothing written.
    """
    # Waited on through highspy's own lock, not the thread: a KeyboardInterrupt inside Thread.join can leave
    # is_alive() False while the thread still runs (CPython gh-90882), and a process that exits with HiGHS still
    # running in it aborts ("terminate called without an active exception").
    _ABANDONED.clear()
    try:
        h.startSolve()
        while True:
            done, status = h.wait(0.05)
            if done:
                return status
    except KeyboardInterrupt:
        if not h.is_solver_running():  # interrupted before HiGHS started, or after it ended
            raise
        h.cancelSolve()
        give_up = None if INTERRUPT_GRACE_S is None else time.monotonic() + INTERRUPT_GRACE_S
        while give_up is None or time.monotonic() < give_up:
            try:
                if h.wait(0.05)[0]:
                    break
            except KeyboardInterrupt:  # pressed again: HiGHS is already stopping
                pass
        else:
            _ABANDONED.set()
        raise


INTERRUPT_GRACE_S: float | None = None
"""After a Ctrl-C, how long to wait for HiGHS to stop before leaving it running; None: as long as it takes.

Branch and bound polls its interrupt callback between nodes and heuristics: measured on the bundled plan with
no gap allowed, it stopped 0.01–1.7 s after the interrupt. The API waits, so that a notebook's model stays whole;
the command sets a grace and, when a solve was left running, ends its process at once (``abandoned_solve``)."""
_ABANDONED = threading.Event()


def abandoned_solve() -> bool:
    """Whether a solve was left running after a Ctrl-C: the process must then end with ``os._exit``, since an
    interpreter shutting down around a running HiGHS thread aborts."""
    return _ABANDONED.is_set()


class LinearModel:
    """A linear model built with PuLP's expressions, solved in stages.

    Bounds, row activity and the objective are kept as arrays, so that stages can change
    them cheaply. With HiGHS the model is passed to highspy once and each later solve
    only pushes the changed arrays and warm-starts from the last basis; with CBC each
    solve writes the model through PuLP afresh.
    """

    def __init__(self, name: str, settings: SolverSettings | None = None,
                 progress: Callable[[SolveRecord], None] | None = None) -> None:
        self.name = name
        self.settings = settings or SolverSettings()
        self.progress = progress
        """Called with the record after every solve, for long runs to show where they are; its ``started(model
        name, stage)``, where it has one, before every solve."""
        if self.settings.name not in SOLVERS:
            raise ValueError(f"unknown solver '{self.settings.name}' (use one of {', '.join(SOLVERS)})")
        if self.settings.method not in HIGHS_METHODS:
            raise ValueError(f"unknown method '{self.settings.method}' (use one of {', '.join(HIGHS_METHODS)})")
        self.names: dict[str, str] = {}
        """ASCII id → readable name (Chinese district names, pool labels)."""
        self.records: list[SolveRecord] = []
        self._owner = pulp.LpProblem(name)  # creates the variables (PuLP 4 style); never solved
        self._vars: list[pulp.LpVariable] = []
        self._var_index: dict[str, int] = {}
        self._col_low: list[float] = []
        self._col_high: list[float] = []
        self._rows: list[pulp.LpConstraint] = []
        self._row_index: dict[str, int] = {}
        self._row_low: list[float] = []
        self._row_high: list[float] = []
        self._row_active: list[bool] = []
        self._cost: dict[int, float] = {}
        self._integers: list[int] = []
        self._synced_integers = 0
        # Arrays hold the first len(array) entries; the lists above only feed entries added since.
        self._cl = self._ch = np.zeros(0)
        self._rl = self._rh = np.zeros(0)
        self._ra = np.zeros(0, dtype=bool)
        self._highs = None
        self._synced_cols = self._synced_rows = 0
        self._values = np.zeros(0)
        self._duals = np.zeros(0)
        self._activity = np.zeros(0)
        self._gap: float | None = None
        self._stop_reason = ""
        """Why the last solve stopped without a verdict, when the solver says."""
        self._hit_limit = False
        """Whether the last solve stopped at the time limit, when the solver says (HiGHS does)."""
        self._highs_errors: list[str] = []
        """HiGHS's error messages since the last call that cleared them."""
        limit = self.settings.time_limit_s
        self._deadline = self.settings.deadline if self.settings.deadline is not None else (
            None if limit is None else time.monotonic() + float(limit))

    # -- building -------------------------------------------------------------------------------
    def variable(self, var_id: str, readable: str, low: float | None = 0.0, high: float | None = None, *,
                 integer: bool = False) -> pulp.LpVariable:
        if not var_id.isascii():
            raise ValueError(f"variable id must be ASCII: {var_id!r}")
        if var_id in self._var_index:
            raise ValueError(f"variable id used twice: {var_id}")
        var = self._owner.add_variable(var_id, low, high, cat=pulp.LpInteger if integer else pulp.LpContinuous)
        if integer:
            self._integers.append(len(self._vars))
        self.names[var_id] = readable
        self._var_index[var_id] = len(self._vars)
        self._vars.append(var)
        self._col_low.append(-np.inf if low is None else float(low))
        self._col_high.append(np.inf if high is None else float(high))
        return var

    def constrain(self, con_id: str, constraint: pulp.LpConstraint, readable: str = "") -> int:
        """Add a constraint; return its row index."""
        if not con_id.isascii():
            raise ValueError(f"constraint id must be ASCII: {con_id!r}")
        if con_id in self._row_index:
            raise ValueError(f"constraint id used twice: {con_id}")
        constraint.name = con_id
        rhs = -constraint.constant
        low, high = {
            pulp.LpConstraintLE: (-np.inf, rhs), pulp.LpConstraintGE: (rhs, np.inf), pulp.LpConstraintEQ: (rhs, rhs),
        }[constraint.sense]
        self._row_index[con_id] = len(self._rows)
        self._rows.append(constraint)
        self._row_low.append(low)
        self._row_high.append(high)
        self._row_active.append(True)
        if readable:
            self.names[con_id] = readable
        return len(self._rows) - 1

    def col(self, var: pulp.LpVariable) -> int:
        return self._var_index[var.name]

    def row(self, con_id: str) -> int:
        return self._row_index[con_id]

    # -- changing between stages ------------------------------------------------------------------
    def _materialise(self) -> None:
        if len(self._col_low) > self._cl.size:
            k = self._cl.size
            self._cl = np.concatenate([self._cl, np.asarray(self._col_low[k:], dtype=float)])
            self._ch = np.concatenate([self._ch, np.asarray(self._col_high[k:], dtype=float)])
        if len(self._row_low) > self._rl.size:
            k = self._rl.size
            self._rl = np.concatenate([self._rl, np.asarray(self._row_low[k:], dtype=float)])
            self._rh = np.concatenate([self._rh, np.asarray(self._row_high[k:], dtype=float)])
            self._ra = np.concatenate([self._ra, np.asarray(self._row_active[k:], dtype=bool)])

    def set_bounds(self, cols, low, high) -> None:
        self._materialise()
        cols = np.asarray(cols, dtype=int)
        self._cl[cols] = low
        self._ch[cols] = high

    def set_row_bounds(self, con_id: str, low: float, high: float) -> None:
        self._materialise()
        r = self._row_index[con_id]
        self._rl[r], self._rh[r] = low, high

    def drop(self, rows) -> None:
        """Take rows out of the model (they stay numbered, so indices remain valid)."""
        self.activate(rows, False)

    def activate(self, rows, active: bool = True) -> None:
        self._materialise()
        self._ra[np.asarray(rows, dtype=int)] = active

    def bounds(self, cols) -> tuple[np.ndarray, np.ndarray]:
        self._materialise()
        cols = np.asarray(cols, dtype=int)
        return self._cl[cols].copy(), self._ch[cols].copy()

    def minimise(self, expression) -> None:
        expression = pulp.LpAffineExpression(expression)
        self._cost = {self._var_index[var.name]: float(coef) for var, coef in expression.items()}

    # -- reading the last solution ----------------------------------------------------------------
    def value(self, var: pulp.LpVariable) -> float:
        return float(self._values[self._var_index[var.name]])

    def values(self, cols: np.ndarray) -> np.ndarray:
        return self._values[np.asarray(cols, dtype=int)]

    def duals(self, rows: np.ndarray) -> np.ndarray:
        """Dual prices; a dropped row has none (0)."""
        rows = np.asarray(rows, dtype=int)
        return np.where(self._ra[rows], self._duals[rows], 0.0)

    def slacks(self, rows: np.ndarray) -> np.ndarray:
        """How far each row's activity is from its nearest bound."""
        rows = np.asarray(rows, dtype=int)
        act = self._activity[rows]
        low, high = self._rl[rows], self._rh[rows]
        return np.minimum(np.where(np.isfinite(high), high - act, np.inf), np.where(np.isfinite(low), act - low, np.inf))

    # -- PuLP ------------------------------------------------------------------------------------
    def build(self) -> pulp.LpProblem:
        """The current model as a PuLP problem: active rows, current bounds and objective."""
        self._materialise()
        for var, low, high in zip(self._vars, self._cl, self._ch):
            var.lowBound = None if low == -np.inf else float(low)
            var.upBound = None if high == np.inf else float(high)
        problem = pulp.LpProblem(self.name, pulp.LpMinimize)
        problem.setObjective(pulp.LpAffineExpression([(self._vars[c], k) for c, k in self._cost.items()]))
        for r, constraint in enumerate(self._rows):
            if not self._ra[r]:
                continue
            low, high = float(self._rl[r]), float(self._rh[r])
            if constraint.sense == pulp.LpConstraintLE:
                constraint.constant = -high
            elif constraint.sense == pulp.LpConstraintGE:
                constraint.constant = -low
            else:
                constraint.constant = -low
            problem.addConstraint(constraint, constraint.name)
        return problem

    def write_lp(self, path: str | Path) -> None:
        self.build().writeLP(str(path))

    # -- solving ----------------------------------------------------------------------------------
    def solve(self, stage: str, *, retry: bool = True) -> SolveRecord:
        """Solve; return the record if optimal, raise Infeasible or SolverError otherwise.

        ``retry=False`` skips the from-scratch simplex rerun after a solve ends without a verdict, for questions
        whose answer may be "don't know".
        """
        remaining = self.remaining_s()
        if remaining is not None and remaining <= 0 and self.records:
            limit = self.limit_text()
            raise TimeLimitReached(f"{stage}: {limit}; no result is exported", zh=f"{zh_of(stage)}：{limit.zh}；不输出任何结果")
        started = getattr(self.progress, "started", None)
        if started is not None:  # a progress line shows which solve is running
            started(self.name, stage)
        start = time.perf_counter()
        if self.settings.name == "highs":
            status, sol_status, objective = self._solve_highs(stage, retry)
        else:
            status, sol_status, objective = self._solve_pulp()
        record = SolveRecord(stage=stage, status=status, solution_status=sol_status, objective=objective,
                             seconds=time.perf_counter() - start, gap=self._gap if self._integers else None)
        self.records.append(record)
        if self.progress is not None:
            self.progress(record)
        if status == "Infeasible":
            raise Infeasible(f"{stage}: the model is infeasible", record, zh=f"{zh_of(stage)}：模型无可行解")
        solved = status == "Optimal" and sol_status == "Optimal Solution Found"
        if not solved and (self._hit_limit or (self._deadline is not None and self.remaining_s() <= 0.01)):
            limit = self.limit_text()
            raise TimeLimitReached(f"{stage}: {limit} (solution status '{sol_status}'); "
                                   "no result is exported", record,
                                   zh=f"{zh_of(stage)}：{limit.zh}（解的状态“{sol_status}”）；不输出任何结果")
        if status != "Optimal" or sol_status != "Optimal Solution Found":
            reason = f" ({self._stop_reason})" if self._stop_reason else ""
            reason_zh = f"（{zh_of(self._stop_reason)}）" if self._stop_reason else ""
            raise SolverError(
                f"{stage}: solver stopped with status '{status}' and solution status '{sol_status}'{reason}; "
                "no result is exported",
                record,
                zh=f"{zh_of(stage)}：求解器中止，状态为“{word(SOLVE_STATUS, status, 'zh')}”，解的状态为“{sol_status}”"
                   f"{reason_zh}；不输出任何结果",
            )
        return record

    def remaining_s(self) -> float | None:
        """Seconds left of the run's time limit (None: no limit)."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def limit_text(self) -> Said:
        limit = self.settings.time_limit_s
        return Said("the run's time limit was reached", "已达到本次运行的时间限制") if limit is None else (
            Said(f"the run's time limit of {limit:g} s was reached", f"已达到本次运行的时间限制（{limit:g} 秒）"))

    def _solve_pulp(self) -> tuple[str, str, float | None]:
        problem = self.build()
        with tempfile.TemporaryDirectory(prefix="finmodel-cbc-") as folder:
            saved = Path(folder) / "solution.bin"
            with _quiet_stdout():
                status = problem.solve(self._pulp_solver(saved))
            exact = self._read_cbc_solution(problem, saved)
        sol_status = problem.sol_status
        self._values = np.array([v.varValue if v.varValue is not None else np.nan for v in self._vars], dtype=float)
        self._duals = np.zeros(len(self._rows))
        self._activity = np.zeros(len(self._rows))
        for r, constraint in enumerate(self._rows):
            if self._ra[r]:
                self._duals[r] = constraint.pi or 0.0
        if exact is not None:
            values, duals = exact
            self._values = np.array([values.get(v.name, np.nan) for v in self._vars], dtype=float)
            for r, constraint in enumerate(self._rows):
                if self._ra[r]:
                    self._duals[r] = duals.get(constraint.name, 0.0)
        for r, constraint in enumerate(self._rows):
            if self._ra[r]:
                activity = sum(coef * self._values[self._var_index[var.name]] for var, coef in constraint.items())
                self._activity[r] = activity
        # CBC stops at the relative gap it is given, or earlier at a limit; PuLP does not read back the gap
        # reached, so none is recorded (the gap allowed is not the gap reached).
        self._gap = None
        # Nor does PuLP say why CBC stopped short: a time limit, another limit or numerical trouble.
        self._hit_limit = False
        limit = self.settings.time_limit_s
        self._stop_reason = "" if limit is None else Said(f"CBC does not say why; the run's time limit is {limit:g} s",
                                                          f"CBC 未说明原因；本次运行的时间限制为 {limit:g} 秒")
        objective = pulp.value(problem.objective)
        if exact is not None and objective is not None:
            objective = float(sum(coef * self._values[c] for c, coef in self._cost.items()))
        return pulp.LpStatus[status], pulp.LpSolution[sol_status], objective

    def _read_cbc_solution(self, problem: pulp.LpProblem, path: Path):
        """CBC's solution in full double precision, or None: PuLP reads CBC's solution file, which prints 8
        significant digits (14309.98290552 comes back as 14309.983), so a linear model also has CBC save its
        solution in binary (two ints: rows, columns; then doubles: objective, row activities, row duals, column
        values, column reduced costs), rows and columns in the order PuLP wrote them. Variable → value, and
        constraint → dual."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) < 8:
            return None
        n_rows, n_cols = (int(k) for k in np.frombuffer(data[:8], dtype=np.int32))
        doubles = np.frombuffer(data[8:], dtype=np.float64)
        # The rows PuLP wrote are the active ones, in the order ``build`` added them.
        variables = problem.variables()
        constraints = [c.name for r, c in enumerate(self._rows) if self._ra[r]]
        if n_rows != len(constraints) or n_cols != len(variables) or doubles.size != 1 + 2 * n_rows + 2 * n_cols:
            return None
        duals = doubles[1 + n_rows:1 + 2 * n_rows]
        values = doubles[1 + 2 * n_rows:1 + 2 * n_rows + n_cols]
        return dict(zip((v.name for v in variables), values.tolist())), dict(zip(constraints, duals.tolist()))

    def _pulp_solver(self, saved: Path | None = None):
        s = self.settings
        if s.name == "highs":
            options = {"solver": self.method_used(), "random_seed": 0}
            if options["solver"] == "ipm":
                options["run_crossover"] = "on"
            return pulp.HiGHS(msg=False, timeLimit=self._time_left(), threads=s.threads, **options)
        # PuLP 3.3 bundles CBC and warns that PuLP 4 will not; the project pins PuLP < 3.4.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            # A linear model is solved, saved in binary (full precision), and solved again from that optimum
            # (no work) for PuLP's own solution file: CBC runs its commands in order, and PuLP's solve comes last.
            save = [f"initialSolve -saveSolution {saved}"] if saved is not None and not self._integers else []
            return pulp.PULP_CBC_CMD(msg=False, timeLimit=self._time_left(), threads=s.threads, gapRel=s.mip_rel_gap,
                                     options=save)

    def _solve_highs(self, stage: str, retry: bool = True) -> tuple[str, str, float | None]:
        import highspy

        if self._highs is None:
            with _quiet_stdout():
                self._highs = highspy.Highs()
            h = self._highs
            # HiGHS says why it refuses an option or a run only in its log: keep the log off the console and
            # collect its errors.
            errors = self._highs_errors
            self._highs_option("log_to_console", False)
            if hasattr(h, "cbLogging"):  # highspy 1.8 and later
                h.cbLogging.subscribe(lambda event: errors.append(event.message)
                                      if event.message.startswith("ERROR") else None)
            self._highs_option("output_flag", True)
            # Ctrl-C sets the flag that HiGHS's interrupt callbacks read (_run_interruptibly).
            h.HandleUserInterrupt = True
            method = self.method_used()
            self._highs_option("random_seed", 0)
            if not self._integers:
                self._highs_option("solver", method)
            # Stages change bounds and costs between solves; without presolve the simplex restarts from the
            # last basis instead of solving the reduced model afresh (interior point has no basis to reuse).
            if method == "simplex" and not self._integers:
                self._highs_option("presolve", "off")
            if method == "ipm":
                self._highs_option("run_crossover", "on")
            if self.settings.threads is not None:
                self._highs_option("threads", self.settings.threads)
        self._sync_highs()
        if self._deadline is not None:
            # What is left of the run's limit, not the whole limit again for every solve.
            self._highs_option("time_limit", self._time_left())
        h = self._highs
        if self._integers:
            # Branch and bound picks its own LP method, and its presolve is much of its strength.
            self._highs_option("solver", "choose")
            self._highs_option("presolve", "on")
            self._highs_option("mip_rel_gap", float(self.settings.mip_rel_gap))
        self._run_highs(stage)
        model_status = h.getModelStatus()
        kind = highspy.HighsModelStatus
        if retry and not self._integers and model_status in (kind.kUnknown, kind.kSolveError):
            # A warm start from a basis the stage made ill-conditioned, or an interior point run that stalls,
            # can end without a verdict; the simplex from scratch, with presolve, settles it.
            h.clearSolver()
            self._highs_option("solver", "simplex")
            self._highs_option("presolve", "on")
            self._run_highs(stage)
            self._highs_option("solver", self.method_used())
            self._highs_option("presolve", "off" if self.method_used() == "simplex" else "on")
            model_status = h.getModelStatus()
        self._stop_reason = ""
        self._hit_limit = model_status == kind.kTimeLimit and self._deadline is not None
        if model_status == kind.kOptimal:
            status, sol_status = "Optimal", "Optimal Solution Found"
        elif model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            status, sol_status = "Infeasible", "No Solution Exists"
        elif model_status == kind.kUnbounded:
            status, sol_status = "Unbounded", "No Solution Exists"
        else:
            status, sol_status = "Not Solved", h.modelStatusToString(model_status)
            if model_status == kind.kTimeLimit and self.settings.time_limit_s is not None:
                self._stop_reason = self.limit_text()
            elif self._highs_errors:
                reason = self._highs_reason()
                self._stop_reason = Said("HiGHS: " + reason, "HiGHS：" + reason.zh)
        solution = h.getSolution()
        self._gap = float(h.getInfo().mip_gap) if self._integers and status == "Optimal" else None
        self._values = np.asarray(solution.col_value, dtype=float)
        self._duals = np.asarray(solution.row_dual, dtype=float)
        self._activity = np.asarray(solution.row_value, dtype=float)
        return status, sol_status, h.getInfo().objective_function_value if status == "Optimal" else None

    def _time_left(self) -> float | None:
        """The time a solve may take: what is left of the run's limit. The first solve gets it as it is, so that
        a limit the solver refuses is reported with the solver's reason; a later one at least a millisecond, the
        run's end being checked before it starts."""
        remaining = self.remaining_s()
        if remaining is None or not self.records:
            return remaining
        return max(remaining, 1e-3)

    def _highs_option(self, name: str, value) -> None:
        """Set a HiGHS option; one HiGHS refuses stops here, with its reason, not later as a failed solve."""
        import highspy

        self._highs_errors.clear()
        if self._highs.setOptionValue(name, value) == highspy.HighsStatus.kError:
            reason = self._highs_reason()
            raise SolveError(f"{self.name}: HiGHS refused option {name} = {value!r}: {reason}",
                             zh=f"{self.name}：HiGHS 拒绝了选项 {name} = {value!r}：{reason.zh}")

    def _run_highs(self, stage: str) -> None:
        """Run HiGHS. Each thread has one HiGHS task scheduler, started by the first solve with that solve's
        thread count (HiGHS's default, automatic, takes the machine's), and HiGHS refuses to run with another
        count while it lives: after any other HiGHS solve, PuLP's for one, a run asking for one thread would
        not start. Then the scheduler is restarted with this model's count; if HiGHS still refuses, its reason
        is raised."""
        import highspy

        h = self._highs
        for attempt in range(2):
            self._highs_errors.clear()
            with _quiet_stdout():
                status = _run_interruptibly(h)
            refused = status == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset
            if not refused:
                return
            if attempt == 0 and self.settings.threads:
                # Older highspy has only the process-wide reset, safe while no other thread is solving; a
                # blocking reset waits for the scheduler's threads to end.
                reset = getattr(highspy.Highs, "resetThreadScheduler", None) or highspy.Highs.resetGlobalScheduler
                reset(True)
            else:
                break
        threads = f" with threads = {self.settings.threads}" if self.settings.threads is not None else ""
        threads_zh = f"（threads = {self.settings.threads}）" if self.settings.threads is not None else ""
        reason = self._highs_reason()
        raise SolveError(f"{self.name}, {stage}: HiGHS refused to run{threads}: {reason}",
                         zh=f"{self.name}，{zh_of(stage)}：HiGHS 拒绝运行{threads_zh}：{reason.zh}")

    def _highs_reason(self) -> Said:
        """HiGHS's own error messages (English, as HiGHS writes them), or that it gave none."""
        reasons = [" ".join(m.removeprefix("ERROR:").split()) for m in self._highs_errors]
        said = "; ".join(r for r in reasons if r)
        return Said(said, said) if said else Said("HiGHS gave no reason", "HiGHS 未说明原因")

    def _sync_highs(self) -> None:
        """Pass new columns and rows to highspy, then the current bounds and costs of all of them."""
        h = self._highs
        n_cols, n_rows = len(self._vars), len(self._rows)
        inf = h.getInfinity()
        if n_cols > self._synced_cols:
            k = n_cols - self._synced_cols
            h.addCols(k, np.zeros(k), np.full(k, -inf), np.full(k, inf), 0, np.array([], dtype=np.int32),
                      np.array([], dtype=np.int32), np.array([], dtype=float))
            self._synced_cols = n_cols
        if n_rows > self._synced_rows:
            starts, indices, coefs = [], [], []
            for constraint in self._rows[self._synced_rows:]:
                starts.append(len(indices))
                for var, coef in constraint.items():
                    if coef:
                        indices.append(self._var_index[var.name])
                        coefs.append(coef)
            k = n_rows - self._synced_rows
            h.addRows(k, np.full(k, -inf), np.full(k, inf), len(indices), np.array(starts, dtype=np.int32),
                      np.array(indices, dtype=np.int32), np.array(coefs, dtype=float))
            self._synced_rows = n_rows
        if len(self._integers) > self._synced_integers:
            new = np.asarray(self._integers[self._synced_integers:], dtype=np.int32)
            h.changeColsIntegrality(new.size, new, np.full(new.size, highspy_integer(), dtype=np.uint8))
            self._synced_integers = len(self._integers)
        self._materialise()
        clip = lambda a: np.clip(a, -inf, inf)  # noqa: E731
        cols = np.arange(n_cols, dtype=np.int32)
        h.changeColsBounds(n_cols, cols, clip(self._cl), clip(self._ch))
        cost = np.zeros(n_cols)
        if self._cost:
            cost[np.fromiter(self._cost.keys(), dtype=int)] = np.fromiter(self._cost.values(), dtype=float)
        h.changeColsCost(n_cols, cols, cost)
        rows = np.arange(n_rows, dtype=np.int32)
        h.changeRowsBounds(n_rows, rows, np.where(self._ra, clip(self._rl), -inf), np.where(self._ra, clip(self._rh), inf))

    def method_used(self) -> str:
        if self.settings.method != "auto":
            return self.settings.method
        return "ipm" if len(self._vars) > AUTO_IPM_COLUMNS else "simplex"

    def manifest(self) -> dict:
        return {
            "name": self.settings.name,
            "version": solver_version(self.settings.name),
            "method": "branch and bound" if self._integers else (
                self.method_used() if self.settings.name == "highs" else None),
            "time_limit_s": self.settings.time_limit_s,
            "solves": len(self.records),
            # Probes ask whether a level can be reached; their "infeasible" is an answer, not a failure.
            "statuses": sorted({f"{r.status}/{r.solution_status}" for r in self.records if "probe" not in r.stage}),
            "probes": sum("probe" in r.stage for r in self.records),
            "seconds": round(sum(r.seconds for r in self.records), 3),
            # The gap reached only as the solver reports it (HiGHS); null when it does not (CBC through PuLP).
            **({"mip_rel_gap_allowed": self.settings.mip_rel_gap,
                "mip_gaps_reached": [r.gap for r in self.records if r.gap is not None] or None}
               if self._integers else {}),
        }

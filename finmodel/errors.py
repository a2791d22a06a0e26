"""The project's errors, every one a ``FinmodelError``: bad input, rules that cannot all be met, a solve that
stopped short, and a rounding that cannot be done.

The CLI prints ``str(error)`` and exits with the error's ``exit_code``; the message must therefore say
where the problem is (file, key, row, column) and what is wrong, on its own.

``SolverError`` and its kinds are what one solve reports; the model builders catch them and raise an
``InfeasibleError`` or ``SolveError`` that says which model and why, so they should not reach the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solver import SolveRecord


class FinmodelError(Exception):
    """Base of every error finmodel raises on purpose."""

    exit_code = 1


class InputError(FinmodelError):
    """Bad input: a file, key, row or cell that is missing or wrong.

    ``file``, ``key``, ``row`` and ``column`` locate the problem; ``row`` is the
    line number in the file as a spreadsheet user sees it (header = line 1).
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        key: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.key = key
        self.row = row
        self.column = column
        super().__init__(self.location_text() + message)

    def location_text(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.key:
            parts.append(self.key)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return (": ".join(parts) + ": ") if parts else ""


class InfeasibleError(FinmodelError):
    """The requirements of a scenario cannot all be met; ``diagnosis`` says which and by how much."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: object = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)

    @classmethod
    def of_findings(cls, findings: list, lead: str) -> InfeasibleError:
        """The error for a diagnosis of coded findings, each put in words by the label catalogue."""
        from .labels import finding_text

        lines = "\n  ".join(finding_text(f, "en") for f in findings)
        return cls(f"{lead}\n  {lines}", diagnosis=findings)


class SolveError(FinmodelError):
    """The solver stopped without a proven optimum (time limit, numerical trouble); nothing is exported."""

    exit_code = 4


class SolverError(SolveError):
    """A solve ended without a proven optimum (time limit, numerical trouble, unbounded).

    A SolveError, so that one reaching the CLI still exits 4; the model builders catch it first, to say which
    model stopped. HiGHS refusing an option or refusing to start is not a verdict on the model and raises the
    broader SolveError instead, which ``except SolverError`` does not catch: callers asking whether a level can be
    reached do not take it for an answer."""

    def __init__(self, message: str, record: SolveRecord | None = None) -> None:
        self.record = record
        super().__init__(message)


class Infeasible(SolverError):
    """The solver proved the model infeasible: a verdict on one solve, which the model builder turns into a
    diagnosis (InfeasibleError) or, for a model that cannot be infeasible, into numerical trouble."""


class TimeLimitReached(SolverError):
    """The run's time limit was reached: a verdict on the run, not on the model, so nothing retries it."""


class RoundingError(FinmodelError):
    """No rounding keeps every row within its bounds; cannot happen for a feasible unrounded table."""

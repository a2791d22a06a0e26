"""The project's errors: one for bad input, one for a model that cannot be solved.

The CLI prints ``str(error)`` and exits non-zero; the message must therefore say
where the problem is (file, key, row, column) and what is wrong, on its own.
"""

from __future__ import annotations

from pathlib import Path


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


class SolveError(FinmodelError):
    """The solver stopped without a proven optimum (time limit, numerical trouble); nothing is exported."""

    exit_code = 4

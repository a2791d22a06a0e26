"""The project's errors, every one a ``FinmodelError``: bad input, rules that cannot all be met, a solve that
stopped short, and a rounding that cannot be done.

The CLI prints ``error.text(lang)`` and exits with the error's ``exit_code``; the message must therefore say
where the problem is (file, key, row, column) and what is wrong, on its own. Every message is written in English
(``str(error)``, what the API, logs and tests read) and in Chinese (``zh=``, what the command line prints in its
default language): the bureau's staff read the terminal in Chinese. Text that is pieced together from parts passes
each part as a ``Said``, an English string that carries its Chinese.

``SolverError`` and its kinds are what one solve reports; the model builders catch them and raise an
``InfeasibleError`` or ``SolveError`` that says which model and why, so they should not reach the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solver import SolveRecord


class Said(str):
    """A message part in English (the string itself) carrying its Chinese text in ``zh``.

    A ``str``, so that every caller that only wants English keeps working; the callers that build a message in
    both languages take ``zh_of(part)``."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Said:
        said = super().__new__(cls, en)
        said.zh = zh
        return said

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)

    def __getnewargs__(self) -> tuple[str, str]:  # pickled across processes (a Dask worker's error)
        return str(self), self.zh


def zh_of(part: object) -> str:
    """The Chinese of a message part: its ``zh`` if it carries one, else the part as it is (a name, a number)."""
    return getattr(part, "zh", None) or str(part)


class FinmodelError(Exception):
    """Base of every error finmodel raises on purpose; ``zh`` is the message in Chinese."""

    exit_code = 1

    def __init__(self, *args: object, zh: str | None = None) -> None:
        super().__init__(*args)
        self.zh = zh if zh is not None else (zh_of(args[0]) if args and isinstance(args[0], Said) else None)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (English where no Chinese was written)."""
        return self.zh if lang == "zh" and self.zh else str(self)


class Invalid(FinmodelError, ValueError):
    """A value refused, in both languages: raised by a schema's validator (a ValueError, which pydantic turns
    into a located message and whose Chinese the scenario reader takes), or by a check of input outside a schema
    (bad input all the same: exit 2)."""

    exit_code = 2

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message, zh=zh)

    def __reduce__(self) -> tuple:  # rebuilt with its Chinese, as an error leaving a Dask worker is
        return type(self), (str(self), self.zh)


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
        zh: str | None = None,
        file: str | Path | None = None,
        key: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = str(message)
        self.zh_message = zh if zh is not None else zh_of(message) if isinstance(message, Said) else None
        self.file = str(file) if file is not None else None
        self.key = key
        self.row = row
        self.column = column
        super().__init__(self.location_text() + self.message)
        self.zh = self.location_text("zh") + self.zh_message if self.zh_message else None

    @property
    def said(self) -> Said:
        """The message without its place, in both languages: for an error that re-raises it elsewhere."""
        return Said(self.message, self.zh_message or self.message)

    def location_text(self, lang: str = "en") -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.key:
            parts.append(self.key)
        if self.row is not None:
            parts.append(f"第 {self.row} 行" if lang == "zh" else f"row {self.row}")
        if self.column:
            parts.append(f"列“{self.column}”" if lang == "zh" else f"column '{self.column}'")
        if not parts:
            return ""
        return "，".join(parts) + "：" if lang == "zh" else ": ".join(parts) + ": "


class InfeasibleError(FinmodelError):
    """The requirements of a scenario cannot all be met; ``diagnosis`` says which and by how much."""

    exit_code = 3

    def __init__(self, message: str, diagnosis: object = None, *, zh: str | None = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message, zh=zh)

    @classmethod
    def of_findings(cls, findings: list, lead: str) -> InfeasibleError:
        """The error for a diagnosis of coded findings, each put in words by the label catalogue; ``lead`` a
        ``Said`` for a Chinese message."""
        from .labels import finding_text

        def lines(lang: str) -> str:
            return "\n  ".join(finding_text(f, lang) for f in findings)

        return cls(f"{lead}\n  {lines('en')}", diagnosis=findings, zh=f"{zh_of(lead)}\n  {lines('zh')}")


class SolveError(FinmodelError):
    """The solver stopped without a proven optimum (time limit, numerical trouble); nothing is exported."""

    exit_code = 4


class SolverError(SolveError):
    """A solve ended without a proven optimum (time limit, numerical trouble, unbounded).

    A SolveError, so that one reaching the CLI still exits 4; the model builders catch it first, to say which
    model stopped. HiGHS refusing an option or refusing to start is not a verdict on the model and raises the
    broader SolveError instead, which ``except SolverError`` does not catch: callers asking whether a level can be
    reached do not take it for an answer."""

    def __init__(self, message: str, record: SolveRecord | None = None, *, zh: str | None = None) -> None:
        self.record = record
        super().__init__(message, zh=zh)


class Infeasible(SolverError):
    """The solver proved the model infeasible: a verdict on one solve, which the model builder turns into a
    diagnosis (InfeasibleError) or, for a model that cannot be infeasible, into numerical trouble."""


class TimeLimitReached(SolverError):
    """The run's time limit was reached: a verdict on the run, not on the model, so nothing retries it."""


class RoundingError(FinmodelError):
    """No rounding keeps every row within its bounds; cannot happen for a feasible unrounded table."""

"""The scenario kinds: one registry maps ``kind`` (the first key of every scenario file) to its schema, loader and
engine, for the command line, the tests and the manifest alike.

A file without ``kind`` still loads: its kind is read from the tables it has (the nearest match, so that a
misspelt table still finds its kind and is named with "did you mean"), and a note asks to add the key.
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import InputError, Said


@dataclass(frozen=True)
class Kind:
    name: str
    signature: tuple[str, ...]
    """Tables only this kind has: they tell the kind of a file that does not say it."""
    home: tuple[str, str, str, str, str]
    """Where its parts live: the module of the schema and loader, the schema, the loader, the engine's module and
    the engine. They are imported when first used, so a run of one kind does not build the other kinds' models."""

    def _part(self, module: str, name: str) -> Any:
        return getattr(importlib.import_module(module, __package__), name)

    @property
    def schema(self) -> type:
        """The pydantic model of the file."""
        return self._part(self.home[0], self.home[1])

    @property
    def load(self) -> Callable[..., Any]:
        """``load(path, overrides)`` → the loaded scenario."""
        return self._part(self.home[0], self.home[2])

    @property
    def engine(self) -> Callable[..., Any]:
        """``engine(scenario, progress)`` → the result the reports take."""
        return self._part(self.home[3], self.home[4])


def _registry() -> dict[str, Kind]:
    return {
        "allocation": Kind("allocation", ("pools", "districts"),
                           (".allocation.scenario", "ScenarioConfig", "load_scenario", ".allocation", "allocate")),
        "projects": Kind("projects", ("projects", "project_table"),
                         (".cashflow.scenario", "ProjectScenarioConfig", "load_project_scenario", ".cashflow",
                          "evaluate")),
        "plan": Kind("plan", ("plan", "library", "budgets"),
                     (".planning.scenario", "PlanScenarioConfig", "load_plan_scenario", ".planning", "plan")),
    }


KIND_NAMES = ("allocation", "projects", "plan")


@cache
def kinds() -> dict[str, Kind]:
    return _registry()


@dataclass(frozen=True)
class KindFound:
    kind: Kind
    stated: bool
    """Whether the file says its kind; when not, ``note`` asks it to."""
    tables_of: str | None = None
    """When the file says one kind and has none of its tables but another kind's, that other kind."""

    @property
    def note(self) -> str:
        if self.tables_of is not None:
            return Said(f'the file says kind = "{self.kind.name}", but its tables are those of kind = '
                        f'"{self.tables_of}": is its kind right?',
                        f'文件写明 kind = "{self.kind.name}"，但其中的表属于 kind = "{self.tables_of}"：请核对类型是否正确')
        return "" if self.stated else Said(f'the file does not say its kind; read as kind = "{self.kind.name}": add '
                                           f'kind = "{self.kind.name}" as its first line',
                                           f'文件没有写明类型，已按 kind = "{self.kind.name}" 读取：请在第一行加上 '
                                           f'kind = "{self.kind.name}"')


def kind_of(raw: Mapping[str, Any], *, file: Path | None = None) -> KindFound:
    """The kind a parsed scenario file says it is, or, without ``kind``, the one whose tables it has (or nearly
    has: a misspelt table still points to its kind, whose schema then names it)."""
    registry = kinds()
    stated = raw.get("kind")
    if stated is not None:
        if not isinstance(stated, str):
            raise InputError(f"kind: a kind is text, one of {', '.join(registry)}, got {stated!r}",
                             zh=f"kind：类型应为文字，可选 {'、'.join(registry)}，实际为 {stated!r}", file=file)
        if stated in registry:
            own = registry[stated]
            others = [k for k in registry.values() if k is not own and any(key in raw for key in k.signature)]
            mismatch = not any(key in raw for key in own.signature) and others
            return KindFound(own, True, others[0].name if mismatch else None)
        hint = difflib.get_close_matches(str(stated), list(registry), n=1)
        raise InputError(f"kind: unknown kind {stated!r}" + (f"; did you mean '{hint[0]}'?" if hint else "")
                         + f" (kinds: {', '.join(registry)})",
                         zh=f"kind：未知的类型 {stated!r}" + (f"；是否应为“{hint[0]}”？" if hint else "")
                         + f"（可选类型：{'、'.join(registry)}）", file=file)
    keys = [str(k) for k in raw]

    def score(kind: Kind) -> tuple[int, float]:
        exact = sum(1 for key in kind.signature if key in raw)
        near = sum(max((difflib.SequenceMatcher(None, key, given).ratio() for given in keys), default=0.0)
                   for key in kind.signature) / len(kind.signature)
        return exact, near

    best = max(registry.values(), key=score)  # ties go to the first kind: allocation, as before kinds were named
    return KindFound(best, False)

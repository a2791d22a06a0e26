"""Dated policy parameters, read from ``parameters.toml`` beside this module."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    unit: str
    date: str
    source: str
    assumption: bool


@cache
def _all() -> dict[str, Parameter]:
    text = resources.files(__package__).joinpath("parameters.toml").read_text(encoding="utf-8")
    return {name: Parameter(name=name, **fields) for name, fields in tomllib.loads(text).items()}


def parameter(name: str) -> Parameter:
    try:
        return _all()[name]
    except KeyError:
        raise KeyError(f"no policy parameter '{name}' (known: {', '.join(sorted(_all()))})") from None

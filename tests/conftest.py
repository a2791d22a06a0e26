"""Shared helpers: small scenarios written to a temporary folder, as a user would write them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JINAN = ROOT / "scenarios" / "jinan-2023.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def write_table(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def toml_value(value) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return repr(value)


def write_scenario(folder: Path, rows: list[dict], pools: list[dict], *, extra: str = "", name: str = "测试") -> Path:
    """A scenario file and its table in ``folder``; ``pools`` are dicts with a ``weights`` dict."""
    write_table(folder / "districts.csv", rows)
    lines = [f"[scenario]\nname = {toml_value(name)}\nyear = 2023\n", '[districts]\ntable = "districts.csv"\n', extra]
    for pool in pools:
        lines.append("[[pools]]")
        for key, value in pool.items():
            if key != "weights":
                lines.append(f"{key} = {toml_value(value)}")
        lines.append("[pools.weights]")
        lines += [f"{k} = {toml_value(v)}" for k, v in pool["weights"].items()]
        lines.append("")
    path = folder / "scenario.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def jinan_path() -> Path:
    return JINAN

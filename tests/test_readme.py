"""The README's Python blocks marked runnable (``<!-- runnable … -->`` on the line before the fence) run as written,
in order and in one namespace, from a folder that holds the repository's scenarios: the README cannot drift from
the code without this test failing. What a block writes (``reports/x``) lands in that folder, not the checkout."""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
MARK = "<!-- runnable"


def runnable_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of every fenced block whose fence follows the marker line."""
    lines = text.splitlines()
    blocks = []
    for k, line in enumerate(lines):
        if line.startswith(MARK):
            assert lines[k + 1].startswith("```python"), f"README line {k + 1}: the marker must precede a python block"
            end = next(j for j in range(k + 2, len(lines)) if lines[j].startswith("```"))
            blocks.append((k + 3, "\n".join(lines[k + 2:end])))
    return blocks


def test_the_readme_marks_its_python_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    fences = len(re.findall(r"^```python", text, flags=re.M))
    assert len(runnable_blocks(text)) == fences == 4


def test_every_runnable_block_of_the_readme_runs(tmp_path, monkeypatch):
    matplotlib.use("Agg")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for line, code in runnable_blocks((ROOT / "README.md").read_text(encoding="utf-8")):
        try:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except Exception as exc:  # name the block, not only the statement
            pytest.fail(f"the README block at line {line} fails: {type(exc).__name__}: {exc}")
    # What the blocks leave behind is what they say they compute.
    assert namespace["result"].metrics.index.tolist() == ["zoucheng"]
    assert sorted(os.listdir(tmp_path / "reports" / "x"))[0] == "cashflow-zoucheng.png"

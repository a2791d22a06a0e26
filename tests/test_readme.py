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
    assert len(runnable_blocks(text)) == fences == 6


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


def test_the_risk_figures_the_readme_quotes_are_the_runs():
    import finmodel as fm

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    risk = fm.simulate(fm.load_project_scenario(ROOT / "scenarios/projects/zoucheng-2024-risk.toml"), workers=0)
    s = risk.summary.loc["zoucheng"]
    assert f"| {s['p_balance']:.1%}".replace("%", " %") in text
    quoted = " / ".join(f"{s[c]:.1%}".replace("%", " %") for c in ("p_npv", "p_coverage", "p_cash"))
    assert quoted in text
    assert f"{s['p_coverage_stated']:.1%}".replace("%", " %") + f" / {s['p_dscr']:.0%}".replace("%", " %") in text
    npv = " / ".join(f"{s[f'npv_wan_p{p}']:,.2f}".replace("-", "−") for p in (5, 50, 95))
    assert npv in text
    tornado = fm.sensitivity(fm.load_project_scenario(ROOT / "scenarios/projects/zoucheng-2024-risk.toml")).tornado
    rows = tornado.set_index("input")
    basic = rows.loc["projects.zoucheng.capex.items_wan.basic"]
    assert f"P95 ({basic['high_value']:,.0f} 万元) costs {-basic['margin_high_wan']:,.0f} 万元 of margin" in text
    chargers = rows.loc["projects.zoucheng.income.charging.kwh_per_pile_day"]
    assert f"P5 ({chargers['low_value']:.1f} kWh a day) {-chargers['margin_low_wan']:,.0f}" in text
    delay = rows.loc["projects.zoucheng.construction_delay_years"]
    assert delay["high_value"] == 2 and f"two years late\n{-delay['margin_high_wan']:,.0f}" in text
    parking = rows.loc["projects.zoucheng.income.parking.occupancy"]
    assert (f"breaks even at {parking['break_even']:.1%}".replace("%", " %")
            + f", below its P5 ({parking['low_value']:.1%})".replace("%", " %")) in text
    first = risk.drivers.iloc[0]
    assert first["input"].endswith("capex.items_wan.basic") and f"ρ = {first['rank_correlation']:.2f}".replace(
        "-", "−") in text


def test_the_sweep_figures_the_readme_quotes_are_the_runs():
    import finmodel as fm

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = fm.sweep(ROOT / "scenarios/jinan-2023.toml", {"pools.central.amount_wan": [28000, 30000, 32000]},
                     workers=0).table()
    assert f"历下区\ngoes from {table.at[1, '历下区']:,.2f} to {table.at[3, '历下区']:,.2f}" in text
    assert f"商河县 stays at {table.at[3, '商河县']:,.2f}" in text

"""Large allocation runs: the reports stay linear in the number of units, charts summarise above a limit, the
printed table is cut, and a long run says up front what it will cost. Behaviour only: timings are measured by
benchmarks/bench_report.py, never asserted here."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import openpyxl
import pandas as pd
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.report import (allocation_chart, comparison_chart, png_bytes, summary_csv, summary_text,
                             write_allocation_report)
from finmodel.report import scale
from finmodel.report.charts import CHART_UNITS, TOP_UNITS
from finmodel.report.summary import PRINT_UNITS
from finmodel.report.workbook import allocation_workbook

from .conftest import JINAN

POOLS = """
[[pools]]
id = "central"
label = "中央财政补助资金"
amount_wan = {central:.2f}
difficulty = "difficulty_coef"
[pools.weights]
floor_area_m2 = 0.4
households = 0.3
buildings = 0.1
communities = 0.1
performance_score = 0.1

[[pools]]
id = "city"
label = "市级财政补助资金"
amount_wan = {city:.2f}
inverse = ["fiscal_capacity_ratio"]
[pools.weights]
households = 0.5
investment_wan = 0.3
fiscal_capacity_ratio = 0.2
"""

SINGLE = """
[[pools]]
id = "city"
label = "市级财政补助资金"
amount_wan = {city:.2f}
[pools.weights]
households = 1.0
"""

LP = """
[allocation]
[allocation.need]
total = "need_wan"
"""


def write_units(folder, n: int, *, lp: bool = False, single: bool = False, seed: int = 11):
    """A scenario of ``n`` synthetic units (two pools, the coefficient derived by tercile); with ``lp``, every
    tenth unit needs less than its formula amount, so the others share the difference; ``single``: one pool of
    one factor instead."""
    rng = np.random.default_rng(seed)
    households = np.maximum(50, rng.lognormal(8.0, 1.0, n)).astype(int)
    revenue = np.round(rng.lognormal(12.5, 0.7, n))
    expenditure = np.round(revenue / rng.uniform(0.3, 2.4, n))
    table = pd.DataFrame({
        "district": [f"单元{i:05d}" for i in range(n)],
        "communities": np.maximum(1, households // 300),
        "buildings": np.maximum(1, households // 40),
        "households": households,
        "floor_area_m2": households * 75,
        "investment_wan": np.round(households * 2.25, 2),
        "performance_score": rng.integers(70, 99, n),
        "budget_revenue_wan": revenue,
        "budget_expenditure_wan": expenditure,
        "fiscal_capacity_ratio": np.round(revenue / expenditure, 4),
    })
    pools = {"central": 3.0 * n + 0.37, "city": 5.0 * n + 0.11}
    if lp:  # the formula gives each unit about its households' share of the money; a tenth get a lower need
        total = (pools["central"] + pools["city"]) * households / households.sum()
        table["need_wan"] = np.round(np.where(np.arange(n) % 10 == 0, total * 0.5, total * 3 + 1), 2)
    table.to_csv(folder / "units.csv", index=False)
    head = ('[scenario]\nname = "批量测试"\nyear = 2023\n\n[districts]\ntable = "units.csv"\nkey = "district"\n\n'
            '[difficulty]\ncolumn = "difficulty_coef"\nrevenue = "budget_revenue_wan"\n'
            'expenditure = "budget_expenditure_wan"\n')
    path = folder / "scenario.toml"
    body = SINGLE.format(**pools) if single else POOLS.format(**pools)
    path.write_text(head + body + (LP if lp else ""), encoding="utf-8")
    return path


def result_of(tmp_path_factory, n: int, *, lp: bool = False):
    folder = tmp_path_factory.mktemp(f"units{n}")
    return fm.allocate(fm.load_scenario(write_units(folder, n, lp=lp)))


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return result_of(tmp_path_factory, 5_000)


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """150 units through the LP: a tenth capped, the rest sharing the difference."""
    return result_of(tmp_path_factory, 150, lp=True)


def _texts(figure) -> str:
    return " ".join(t.get_text() for t in figure.texts)


def test_above_the_limit_the_chart_summarises_and_stays_small(big):
    figure = allocation_chart(big)
    top, histogram = figure.axes
    names = [label.get_text() for label in top.get_yticklabels()]
    totals = big.amount_units.sum(axis=1)
    largest = totals.sort_values(ascending=False, kind="stable").index[:TOP_UNITS]
    assert names == list(largest)[::-1]  # the largest amounts, the largest at the top
    assert sum(p.get_height() for p in histogram.patches) == 5_000  # every unit in the distribution
    note = _texts(figure)
    others = int(totals.sum() - totals[largest].sum())
    assert "单位数5,000个，超过50个" in note and f"其余4,970个单位合计{others / 100:,.2f}万元" in note
    assert tuple(figure.get_size_inches()) == (9, 12)  # the same picture whatever the number of units
    data = png_bytes(figure)
    assert len(data) < 1_000_000
    assert png_bytes(allocation_chart(big)) == data  # reruns give the same bytes


def test_english_summary_chart_says_so(big):
    note = _texts(allocation_chart(big, "en"))
    assert "5,000 units, more than 50, so not one bar each" in note


def test_up_to_the_limit_every_unit_has_its_bar(tmp_path_factory):
    result = result_of(tmp_path_factory, CHART_UNITS)
    figure = allocation_chart(result)
    (axes,) = figure.axes
    assert [label.get_text() for label in axes.get_yticklabels()] == result.districts[::-1]
    assert not figure.texts


def test_comparison_chart_above_the_limit_shows_the_largest_differences(moved):
    result = moved
    difference = result.amount_units.sum(axis=1) / 100 - result.formula_wan.sum(axis=1)
    moved = int((difference.round(2).abs() >= 0.01).sum())
    assert moved > TOP_UNITS
    figure = comparison_chart(result)
    top, histogram = figure.axes
    names = [label.get_text() for label in top.get_yticklabels()]
    assert names[::-1] == list(difference.round(2).abs().sort_values(ascending=False, kind="stable").index[:30])
    assert sum(p.get_height() for p in histogram.patches) == 150
    assert f"{moved:,}个单位有调整" in _texts(figure)
    assert len(png_bytes(figure)) < 1_000_000


def test_large_workbook_totals_are_the_pools_to_the_fen(tmp_path_factory):
    result = result_of(tmp_path_factory, 1_000)
    wb = openpyxl.load_workbook(io.BytesIO(allocation_workbook(result)), read_only=True)
    rows = list(wb["汇总"].iter_rows(min_row=5, max_row=5 + 1_000, max_col=6, values_only=True))
    fen = np.array([[round(v * 100) for v in row[2:5]] for row in rows])  # 合计, central, city
    pools = [p.amount_units for p in result.scenario.pools]
    assert rows[0][1] == "合计" and list(fen[0, 1:]) == pools and fen[0, 0] == sum(pools)
    assert list(fen[1:, 1:].sum(axis=0)) == pools
    assert (fen[1:, 0] == fen[1:, 1:].sum(axis=1)).all()  # every row's 合计 is the sum of its pools
    assert [row[1] for row in rows[1:]] == result.districts
    assert (fen[1:, 1:] == result.amount_units.to_numpy()).all()


def test_printed_table_is_cut_above_the_limit(big):
    lines = summary_text(big).splitlines()
    assert len(lines) == 3 + 1 + PRINT_UNITS + 1  # name, unit, header, 合计, the first units, where the rest are
    assert lines[-1] == "……其余4,950个单位见 allocation.csv 和 allocation.xlsx"
    assert lines[4].split()[0] == big.districts[0] and lines[-2].split()[0] == big.districts[PRINT_UNITS - 1]
    assert len(summary_csv(big).decode("utf-8-sig").splitlines()) == 1 + 1 + 5_000  # the CSV keeps every unit


def test_estimate_counts_the_workbook_cells(moved):
    """The cost estimate's cell count is the workbook's, within a tenth (headings and the 参数 sheet are left out;
    empty boxes, as for a unit nothing moved, are counted)."""
    result = moved
    wb = openpyxl.load_workbook(io.BytesIO(allocation_workbook(result)))
    written = sum(1 for ws in wb for row in ws.iter_rows() for cell in row if cell.value is not None)
    estimate = scale.workbook_cells(result.scenario)
    assert 0.9 * written <= estimate <= 1.1 * written


def test_a_large_run_says_what_it_will_cost_before_the_work(tmp_path, capsys, monkeypatch):
    assert not scale.allocation_cost(fm.load_scenario(JINAN)).worth_announcing
    cost = scale.allocation_cost(fm.load_scenario(write_units(tmp_path, 20_000)))
    assert cost.worth_announcing and cost.cells > 20_000 * 30
    assert "20,000 units" in cost.line("en") and "allocation.xlsx about" in cost.line("en")
    assert "20,000 个单位" in cost.line() and "allocation.xlsx 约" in cost.line()

    monkeypatch.setattr(scale, "ANNOUNCE_SECONDS", 0.0)  # announce even the small Jinan run
    assert main(["run", str(JINAN), "--out", str(tmp_path / "out"), "--set", "allocation.split=fit",
                 "--set", "allocation.fit_method=lp", "--verbose"]) == 0
    err = capsys.readouterr().err.splitlines()
    announced = next(k for k, line in enumerate(err) if line.startswith("大规模测算：10 个单位"))
    first_solve = next(k for k, line in enumerate(err) if "第 1 次求解：" in line)
    assert announced < first_solve


def test_the_writer_names_each_step_for_the_progress_line(tmp_path, moved):
    steps = []
    write_allocation_report(moved, tmp_path / "out", progress=steps.append)
    assert steps[0] == "allocation.xlsx" and "allocation.xlsx: 汇总" in steps
    assert "allocation.xlsx: 因素测算, 中央财政补助资金" in steps and steps[-1] == "allocation.csv, allocation.png"


def test_report_memory_grows_linearly(tmp_path):
    """For 4× the units, the peak memory of making the workbook and the CSV stays within a generous 6×. (One pool
    of one factor keeps the traced run short. The chart, drawn and encoded in memory tracemalloc does not see,
    is a picture of fixed size whatever the units: see the summary-chart test.)"""
    peaks = []
    for n in (250, 1_000):
        (tmp_path / str(n)).mkdir()
        result = fm.allocate(fm.load_scenario(write_units(tmp_path / str(n), n, single=True)))
        tracemalloc.start()
        try:
            allocation_workbook(result)
            summary_csv(result)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 6 * peaks[0]

"""One language per report: every zh report of every bundled scenario — its workbooks, CSV files and the text drawn
on its charts — carries no English word outside ids, units and sources, and names projects where they have names."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import matplotlib.text
import openpyxl
import pytest

from finmodel.cli import main
from finmodel.report import allocation as allocation_report, cashflow as cashflow_report, plan as plan_report
from finmodel.report.charts import png_bytes

from .conftest import ROOT

SCENARIOS = sorted(p.relative_to(ROOT / "scenarios") for p in (ROOT / "scenarios").rglob("*.toml"))
POLICY = ROOT / "finmodel" / "policy" / "parameters.toml"

TERMS = {"DSCR", "LLCR", "IRR", "NPV", "EBITDA", "HiGHS", "CBC", "kWh", "SHA", "LP", "True", "False"}
"""Abbreviations and units a Chinese finance report writes in Latin letters, and the CSV files' booleans, which
spreadsheets and pandas read as such."""
TOKEN = re.compile(r"[A-Za-z0-9_\-'.²]+")


def _keys_and_words(data, found: set[str]) -> set[str]:
    """Every key and every text value of a TOML document: the scenario's own ids, keys and names."""
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(str(key))
            _keys_and_words(value, found)
    elif isinstance(data, list):
        for value in data:
            _keys_and_words(value, found)
    elif isinstance(data, str):
        found.update(TOKEN.findall(data))
    return found


def _allowed(scenario: Path) -> set[str]:
    allowed = set(TERMS)
    _keys_and_words(tomllib.loads(scenario.read_text(encoding="utf-8")), allowed)
    policy = tomllib.loads(POLICY.read_text(encoding="utf-8"))
    allowed |= set(policy)  # a policy value is named by its key, as in the 参数 sheet
    for concept in policy.values():
        for dated in concept["values"]:
            _keys_and_words(dated["value"], allowed)
    for table in (scenario.parent / "data").glob("*.csv"):  # ids and names of the scenario's tables
        for row in csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))):
            for cell in row:
                allowed.update(TOKEN.findall(cell))
    # Capex items are named, not shown by their keys (roofs: 屋面, building: 建设工程); the catalogue's codes are
    # ids only in the 改造内容 sheet's code column, which _sheet_texts leaves out.
    return allowed - _capex_keys(scenario) - set(policy["cost_catalogue"]["values"][0]["value"]["items"])


def _capex_keys(scenario: Path) -> set[str]:
    """The capex item keys of a scenario and of its tables (capex.items_wan.<key> columns)."""
    keys: set[str] = set()

    def walk(data) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "items_wan" and isinstance(value, dict):
                    keys.update(value)
                walk(value)
        elif isinstance(data, list):
            for value in data:
                walk(value)

    walk(tomllib.loads(scenario.read_text(encoding="utf-8")))
    for table in (scenario.parent / "data").glob("*.csv"):
        header = table.read_text(encoding="utf-8-sig").splitlines()[0]
        keys.update(c.removeprefix("capex.items_wan.") for c in header.split(",") if c.startswith("capex.items_wan."))
    return keys


def english_words(text: str, allowed: set[str]) -> list[str]:
    """Words of Latin letters in ``text`` that are neither ids, keys, units nor file names."""
    words = []
    for token in TOKEN.findall(text):
        token = token.strip(".-'")
        if len(re.findall(r"[A-Za-z]", token)) < 3 or re.search(r"\d", token) or "_" in token or "." in token:
            continue  # a number, a code with digits, a key or key path (pools.priority), a file name
        if token in allowed:
            continue
        words.append(token)
    return words


def _sheet_texts(path: Path):
    """(where, text) of every text cell a reader reads as the report's own words: the 参数 sheet's keys, values and
    sources are data, and only the unit line under a value is the report's."""
    for ws in openpyxl.load_workbook(path).worksheets:
        data_columns: set[int] = set()
        for row in ws.iter_rows():
            for cell in row:
                if ws.title == "参数" and cell.value in ("参数", "取值", "来源", "原值", "新值"):
                    data_columns.add(cell.column)
        if ws.title == "改造内容":
            data_columns.add(1)  # the catalogue's codes: ids
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                text = cell.value
                if cell.column in data_columns:
                    if cell.column != 2 or "\n" not in text:
                        continue
                    text = text.split("\n", 1)[1]  # the unit and standing under a policy value
                yield f"{path.name}: {ws.title}!{cell.coordinate}", text


@pytest.fixture
def chart_texts(monkeypatch):
    """Every text the writers put on a chart (titles, axes, ticks, legends, labels), by chart."""
    drawn: list[str] = []
    real = png_bytes

    def recording(figure):
        drawn.extend(t.get_text() for t in figure.findobj(matplotlib.text.Text) if t.get_text())
        return real(figure)

    for module in (allocation_report, cashflow_report, plan_report):
        monkeypatch.setattr(module, "png_bytes", recording)
    return drawn


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_a_chinese_report_speaks_chinese(tmp_path, scenario, chart_texts):
    path = ROOT / "scenarios" / scenario
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet"]) in (0, 1)
    allowed = _allowed(path)
    found = []
    for book in sorted(tmp_path.glob("*.xlsx")):
        for where, text in _sheet_texts(book):
            found += [f"{where}: {word} in {text[:80]!r}" for word in english_words(text, allowed)]
    for table in sorted(tmp_path.glob("*.csv")):
        for number, row in enumerate(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig")))):
            for cell in row:
                found += [f"{table.name} row {number}: {word}" for word in english_words(cell, allowed)]
    assert chart_texts, "no chart drawn"
    for text in chart_texts:
        found += [f"chart: {word} in {text[:80]!r}" for word in english_words(text, allowed)]
    assert not found, "\n".join(found[:40])


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s.parts[0] == "projects"], ids=str)
def test_a_project_with_a_name_is_never_shown_by_its_id(tmp_path, scenario):
    path = ROOT / "scenarios" / scenario
    assert main(["run", str(path), "--out", str(tmp_path), "--quiet"]) == 0
    from finmodel.cashflow import load_project_scenario

    named = {p.id for p in load_project_scenario(path).projects if p.name and p.name != p.id}
    named |= {b.id for b in load_project_scenario(path).config.bundles if b.name and b.name != b.id}
    shown = []
    for book in sorted(tmp_path.glob("*.xlsx")):
        for where, text in _sheet_texts(book):
            parts = {p.strip() for p in re.split(r"[,、；;]", text)}
            shown += [f"{where}: {text[:60]!r}" for part in parts if part in named]
            # An uncertain input by its key path (projects.zoucheng.income…) names the project by its id.
            shown += [f"{where}: {text[:60]!r}" for ident in re.findall(r"projects\.([\w-]+)\.", text)
                      if ident in named]
    assert not shown, "\n".join(shown[:20])

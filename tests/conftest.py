"""Shared helpers: small scenarios written to a temporary folder, as a user would write them."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

# A submission is checked once: with CI set, property tests draw the same examples on every run, so a run that
# passed before submitting passes after. By hand the examples vary, and keep finding new cases.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


# ---------------------------------------------------------------------------------------------
# Regression cases written in TOML (tests/cases/*.toml), for finance staff to read and add to: each names a
# scenario (and --set changes), then values expected in the result's tables, each with its margin.


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".toml" and file_path.parent.name == "cases" and file_path.parent.parent == Path(
            __file__).resolve().parent:
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self):
        import tomllib

        data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        case = data["case"]
        for number, expect in enumerate(data.get("expect", []), start=1):
            label = expect.get("name") or f"{expect['table']} {expect.get('row', '')} {expect['column']}".strip()
            yield CaseItem.from_parent(self, name=f"{number}: {label}", case=case, expect=expect)


class CaseMismatch(Exception):
    pass


class CaseItem(pytest.Item):
    def __init__(self, *, case: dict, expect: dict, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.expect = expect

    def runtest(self):
        tables = case_tables(str((self.path.parent / self.case["scenario"]).resolve()),
                             tuple(self.case.get("set", [])))
        expect = self.expect
        if expect["table"] not in tables:
            raise CaseMismatch(f"no table '{expect['table']}' (tables: {', '.join(tables)})")
        frame = tables[expect["table"]]
        if "row" in expect:
            frame = frame.loc[[expect["row"]]]
        for column, wanted in expect.get("where", {}).items():
            frame = frame[frame[column] == wanted]
        if len(frame) != 1:
            raise CaseMismatch(f"row and where select {len(frame)} rows, not one")
        got = frame.iloc[0][expect["column"]]
        if "equals" in expect:
            if got != expect["equals"]:
                raise CaseMismatch(f"{expect['column']} is {got!r}, expected {expect['equals']!r}")
            return
        margin = float(expect.get("margin", 0.0))
        if not abs(float(got) - float(expect["value"])) <= margin:
            raise CaseMismatch(f"{expect['column']} is {float(got)!r}, expected {expect['value']} ± {margin}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseMismatch):
            return f"{self.case.get('name', self.path.name)}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"case {self.name}"


_CASE_RESULTS: dict = {}


def case_tables(scenario: str, overrides: tuple[str, ...]) -> dict:
    """The tables a case can look into, by the kind of scenario; each scenario is run once per session."""
    key = (scenario, overrides)
    if key not in _CASE_RESULTS:
        import finmodel as fm
        from finmodel.config import read_toml
        from finmodel.kinds import kind_of

        kind = kind_of(read_toml(Path(scenario))).kind.name
        if kind == "projects":
            result = fm.evaluate(fm.load_project_scenario(scenario, overrides))
            modes = fm.check_modes(result)
            tables = {"metrics": result.metrics, "coverage": result.coverage, "break_even": result.break_even,
                      "units": modes.units, "rewards": modes.rewards, "rule_checks": modes.rule_checks}
            if modes.bundling is not None:
                tables |= {"bundles": modes.bundling.bundles, "packages": modes.bundling.packages.set_index("package")}
        elif kind == "plan":
            result = fm.plan(fm.load_plan_scenario(scenario, overrides))
            tables = {"deadlines": result.deadlines.set_index("deadline"), "annual": result.annual,
                      "communities": result.communities}
        else:
            result = fm.allocate(fm.load_scenario(scenario, overrides))
            tables = {"allocation": result.table}
        _CASE_RESULTS[key] = tables
    return _CASE_RESULTS[key]


# ASCII words a Chinese message may hold although the input does not: formats, the program, TOML's literals.
KNOWN = {"TOML", "CSV", "XLSX", "UTF", "id", "ids", "kind", "finmodel", "KEY", "VALUE", "true", "false", "Excel", "WPS",
         "HiGHS", "set", "lang", "en", "zh", "out", "debug"}
# A word: letters not joined to a key, a path, a number or an id (amount_wan, pools.central, p1 are not words).
WORD = re.compile(r"(?<![\w./\\'\-\[])[A-Za-z]{2,}(?![\w./\\'\-\]])")


def english_words(message: str, *inputs: str) -> set[str]:
    """The English words of a message that quote nothing the user wrote (the files and arguments ``inputs``)."""
    # quoted, a path, or a list of the keys or ids there are
    quoted = re.sub(r"“[^”]*”|'[^']*'|\"[^\"]*\"|\S*[/\\]\S*|(可用的键|现有 ?id)：[^）]*", " ", message)
    given = {w for text in inputs for w in re.findall(r"[A-Za-z]+", text)}
    return {w for w in WORD.findall(quoted) if w not in given and w not in KNOWN}

"""The solver stays behind finmodel.solver: no other module imports it, its errors are finmodel's errors, and no
result keeps a solver's object (a result outlives its solve; a model kept in it keeps every variable and row)."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import finmodel as fm
from finmodel import solver
from finmodel.cli import main
from finmodel.errors import FinmodelError

PACKAGE = Path(fm.__file__).resolve().parent
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SOLVER_MODULES = {"pulp", "highspy"}


def imported_modules(path: Path) -> set[str]:
    """Top-level names of the modules a file imports, wherever in the file (a function's local import too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_solver_module_imports_a_solver():
    importers = sorted(path.relative_to(PACKAGE.parent).as_posix() for path in PACKAGE.rglob("*.py")
                       if imported_modules(path) & SOLVER_MODULES)
    assert importers == ["finmodel/solver.py"]


def test_the_import_walk_sees_imports_in_every_form(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("import os.path\nfrom pulp import lpSum\ndef f():\n    import highspy as h\nfrom . import x\n")
    assert imported_modules(source) == {"os", "pulp", "highspy"}


def finmodel_modules():
    yield fm
    for info in pkgutil.walk_packages(fm.__path__, prefix="finmodel."):
        yield importlib.import_module(info.name)


def test_every_finmodel_exception_is_a_finmodel_error():
    defined = {cls for module in finmodel_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
               if issubclass(cls, BaseException) and cls.__module__.startswith("finmodel")}
    assert {"SolverError", "Infeasible", "TimeLimitReached", "RoundingError", "InputError"} <= {
        cls.__name__ for cls in defined}
    assert sorted(cls.__qualname__ for cls in defined if not issubclass(cls, FinmodelError)) == []


STOPS = [
    # what one solve raises, scenario: exit code and the error line the command prints, in English and in Chinese
    # (the stage's own words are the fake solve's, in English, in both)
    ("SolverError", "jinan-2023.toml", 4,
     r"error: the allocation of \d+ units and \d+ pools could not be solved: a numerical problem",
     r"错误：\d+ 个单位、\d+ 项资金的分配无法求解：这是数值计算问题"),
    ("Infeasible", "jinan-2023.toml", 3, r"error: the allocation rules cannot all be met:",
     r"错误：资金分配的各项规则无法同时满足："),
    ("TimeLimitReached", "jinan-2023.toml", 4, r"error: allocation: least unallocated, pool \w+: stopped short",
     r"错误：资金分配：least unallocated, pool \w+: stopped short"),
    ("SolverError", "jinan-plan-2021.toml", 4, r"error: plan: stopped short", r"错误：plan: stopped short"),
    ("Infeasible", "jinan-plan-2021.toml", 4, r"error: plan: stopped short", r"错误：plan: stopped short"),
    ("SolverError", "projects/bundling-2024.toml", 4, r"error: bundling: households: stopped short",
     r"错误：组合优化：households: stopped short"),
    ("TimeLimitReached", "projects/bundling-2024.toml", 4, r"error: bundling: households: stopped short",
     r"错误：组合优化：households: stopped short"),
]


@pytest.mark.parametrize("kind, scenario, code, message, message_zh", STOPS)
def test_a_solve_that_stops_short_reaches_the_command_through_its_model(kind, scenario, code, message, message_zh,
                                                                       monkeypatch, tmp_path, capsys):
    """A solver error is a FinmodelError, yet the command never shows one bare: each model catches it and says
    which model stopped, as an InfeasibleError or a SolveError."""
    def stopped(self, stage, **kwargs):
        raise getattr(solver, kind)(f"{stage}: stopped short")

    monkeypatch.setattr(solver.LinearModel, "solve", stopped)
    # The bundled allocation needs no solver (its closed form applies); the fit makes it solve.
    fit = ["--set", "allocation.split=fit", "--set", "allocation.fit_method=lp"] if scenario == "jinan-2023.toml" else []
    for lang, expected in (("en", message), ("zh", message_zh)):
        assert main(["run", str(SCENARIOS / scenario), "--out", str(tmp_path / lang), "--quiet", "--lang", lang,
                     *fit]) == code
        err = capsys.readouterr().err
        assert re.search(f"^{expected}", err, re.MULTILINE) and "unexpected" not in err, err


def solver_objects(value, where: str = "result", seen: set[int] | None = None):
    """(where, type) of every object of a solver's module reachable from ``value``."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if type(value).__module__.split(".")[0] in SOLVER_MODULES:
        yield where, type(value)
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from solver_objects(getattr(value, f.name), f"{where}.{f.name}", seen)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from solver_objects(key, f"{where} key {key!r}", seen)
            yield from solver_objects(item, f"{where}[{key!r}]", seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for k, item in enumerate(value):
            yield from solver_objects(item, f"{where}[{k}]", seen)
    elif isinstance(value, np.ndarray) and value.dtype == object:
        for k, item in enumerate(value.ravel()):
            yield from solver_objects(item, f"{where}.flat[{k}]", seen)
    elif isinstance(value, pd.DataFrame):
        for column in value.columns:
            yield from solver_objects(value[column], f"{where}[{column!r}]", seen)
    elif isinstance(value, pd.Series) and value.dtype == object:
        yield from solver_objects(value.to_numpy(), where, seen)
    elif type(value).__module__.startswith("finmodel.") and hasattr(value, "__dict__"):
        # A plain finmodel object (a model wrapper) hides what it holds from the fields above.
        for name, item in vars(value).items():
            yield from solver_objects(item, f"{where}.{name}", seen)


def test_an_allocation_result_holds_no_solver_object(jinan_path):
    result = fm.allocate(fm.load_scenario(jinan_path))
    assert result.lp is not None  # the scenario solves the allocation LP
    assert list(solver_objects(result)) == []


def test_a_plan_result_holds_no_solver_object():
    result = fm.plan(fm.load_plan_scenario(SCENARIOS / "jinan-plan-2021.toml"))
    assert result.solution.solver["solves"] >= 1
    assert list(solver_objects(result)) == []


def test_a_bundling_result_holds_no_solver_object():
    modes = fm.check_modes(fm.evaluate(fm.load_project_scenario(SCENARIOS / "projects" / "bundling-2024.toml")))
    assert modes.bundling is not None and modes.bundling.solution.solver is not None
    assert list(solver_objects(modes)) == []


def test_the_walk_finds_a_solver_object_inside_a_result():
    import pulp

    @dataclasses.dataclass
    class Holder:
        table: dict

    variable = pulp.LpProblem("p").add_variable("x")
    found = list(solver_objects(Holder({"rows": [(1, variable)]})))
    assert found == [("result.table['rows'][0][1]", pulp.LpVariable)]


def test_the_walk_looks_inside_a_model_wrapper():
    import pulp

    @dataclasses.dataclass
    class Holder:
        model: object

    assert ("result.model._owner", pulp.LpProblem) in list(solver_objects(Holder(solver.LinearModel("m"))))

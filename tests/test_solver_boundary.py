"""The solver stays behind finmodel.solver: no other module imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import finmodel

PACKAGE = Path(finmodel.__file__).resolve().parent
SOLVER_MODULES = ("pulp", "highspy")


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
                       if imported_modules(path) & set(SOLVER_MODULES))
    assert importers == ["finmodel/solver.py"]


def test_the_import_walk_sees_imports_in_every_form(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("import os.path\nfrom pulp import lpSum\ndef f():\n    import highspy as h\nfrom . import x\n")
    assert imported_modules(source) == {"os", "pulp", "highspy"}

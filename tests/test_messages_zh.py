"""Error messages in the reader's language: the command line speaks Chinese by default, so every message a user
can meet is written in Chinese too; English stays what the API and ``--lang en`` give.

Two guards: a scan of the source (every message written inline carries its Chinese; a schema validator raises
``Invalid``, which carries it, not a bare ValueError), and runs of every broken fixture and bad ``--set`` in zh
mode, whose messages may hold ASCII words only where they quote the input (keys, ids, file names, values)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

import finmodel
from finmodel.cli import main
from finmodel.config import _describe, _pydantic_zh
from finmodel.errors import InputError, Invalid, Said
from finmodel.report.cells import display_width

from .conftest import FIXTURES, JINAN, english_words

PACKAGE = Path(finmodel.__file__).parent
ERRORS = {"InputError", "OutputError", "InfeasibleError", "SolveError", "SolverError", "Infeasible",
          "TimeLimitReached", "RoundingError", "FinmodelError"}
VALIDATORS = {"field_validator", "model_validator"}


def _written_inline(node: ast.AST) -> bool:
    """A message written here in English: a literal, an f-string, or pieces of them joined with +."""
    if isinstance(node, (ast.JoinedStr,)) or isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.BinOp):
        return _written_inline(node.left) or _written_inline(node.right)
    if isinstance(node, ast.IfExp):
        return _written_inline(node.body) or _written_inline(node.orelse)
    return False


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _sites() -> tuple[list[str], list[str]]:
    untranslated, bare = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in ERRORS and node.args:
                if _written_inline(node.args[0]) and not any(k.arg == "zh" for k in node.keywords):
                    untranslated.append(f"{where}:{node.lineno}")
            if isinstance(node, ast.FunctionDef) and any(
                    _name(d.func if isinstance(d, ast.Call) else d) in VALIDATORS for d in node.decorator_list):
                for inner in ast.walk(node):
                    if (isinstance(inner, ast.Raise) and isinstance(inner.exc, ast.Call)
                            and _name(inner.exc.func) == "ValueError"):
                        bare.append(f"{where}:{inner.lineno}")
    return untranslated, bare


def test_every_error_written_in_the_source_has_its_chinese():
    untranslated, bare = _sites()
    assert not untranslated, "errors without zh=: " + ", ".join(untranslated)
    assert not bare, "validators raising a bare ValueError (raise Invalid(en, zh)): " + ", ".join(bare)


def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    (tmp_path / "finmodel").mkdir()
    (tmp_path / "finmodel" / "bad.py").write_text(
        "from pydantic import field_validator\n"
        "def f(x):\n    raise InputError(f'bad {x}', file=x)\n"
        "def g(x):\n    raise InputError(f'bad {x}', zh=f'错 {x}')\n"
        "class M:\n    @field_validator('a')\n    def v(cls, a):\n        raise ValueError('no')\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "finmodel")
    untranslated, bare = _sites()
    assert untranslated == ["finmodel/bad.py:3"] and bare == ["finmodel/bad.py:9"]


def _inputs(toml: Path) -> list[str]:
    """The text of a scenario and of every table beside it: the words a message may quote."""
    return [p.read_text(encoding="utf-8", errors="replace") for p in [toml, *toml.parent.glob("*.csv")]]


BROKEN = sorted([*(FIXTURES / "broken").glob("*.toml"), *(FIXTURES / "broken-projects").glob("*.toml")])


@pytest.mark.parametrize("scenario", BROKEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_broken_fixture_is_told_in_chinese(scenario, capsys):
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "错误：" in err, err  # after a note, where the file does not say its kind
    assert not english_words(err, *_inputs(scenario), str(scenario)), err
    assert main(["validate", str(scenario), "--lang", "en"]) == 2
    assert "error: " in capsys.readouterr().err


@pytest.mark.parametrize("override", [
    "pools.nowhere.amount_wan=1", "pools.central.amount_wan", "pools.central.amount_wan=-5",
    "pools.central.weights.households=0.5", "pools.central.colour=1", "scenario.name.first=1",
    "pools.central.amount_wan=\"lots\"", "pools.central=1", "pools=1",
])
def test_a_bad_set_is_told_in_chinese(override, capsys):
    assert main(["validate", str(JINAN), "--set", override]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "--set" in err, err
    assert not english_words(err, *_inputs(JINAN), override), err


def test_an_error_on_a_terminal_fits_100_columns_and_stays_whole_in_a_log(capsys, monkeypatch):
    scenario = FIXTURES / "broken-projects" / "unknown_kind.toml"
    assert main(["validate", str(scenario)]) == 2
    logged = capsys.readouterr().err.splitlines()
    assert max(display_width(line) for line in logged) > 100  # the case is worth testing
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["validate", str(scenario)]) == 2
    shown = capsys.readouterr().err.splitlines()
    assert all(display_width(line) <= 100 for line in shown), shown
    assert "".join(line.strip() for line in shown).replace(" ", "") == \
        "".join(line.strip() for line in logged).replace(" ", "")


def test_the_readmes_example_message_is_the_commands(capsys):
    assert main(["validate", str(JINAN), "--set", "pools.central.amount_wan=-5"]) == 2
    message = capsys.readouterr().err.strip()
    assert message == "错误：--set pools.central.amount_wan=-5：应不小于 0（给出的是 -5）"
    assert f"`{message}`" in (JINAN.parents[1] / "README.md").read_text(encoding="utf-8")


def test_a_missing_file_is_told_in_chinese(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert "找不到" in err and not english_words(err), err


def test_the_location_is_put_in_chinese():
    error = InputError("empty cell", zh="空单元格", file="a.csv", key="pools.central", row=3, column="households")
    assert str(error) == "a.csv: pools.central: row 3: column 'households': empty cell"
    assert error.text("zh") == "a.csv，pools.central，第 3 行，列“households”：空单元格"
    assert error.text("en") == str(error)
    again = InputError(error.said, file="b.toml")
    assert again.text("zh") == "b.toml：空单元格" and str(again) == "b.toml: empty cell"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: float = Field(gt=0, le=1)
    count: int = Field(ge=1)
    kind: str = Field(pattern="^[a-z]+$")
    years: list[int] = Field(min_length=2)


@pytest.mark.parametrize("given", [
    {"share": 0, "count": 0, "kind": "A", "years": [1]},
    {"share": 2, "count": "many", "kind": 3, "years": 5},
    {"share": "x", "count": 1.5, "kind": "a", "years": [1, 2], "colour": 1},
    {},
])
def test_pydantics_own_messages_are_put_in_chinese(given):
    try:
        _Model.model_validate(given)
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError
        errors = exc.errors()
    for error in errors:
        said = _describe(error, given, _Model)
        assert isinstance(said, Said)
        assert "{" not in said.zh and not english_words(said.zh, str(given), *_Model.model_fields), (error, said.zh)
        if error["type"] not in ("missing", "extra_forbidden"):
            assert _pydantic_zh(error), error["type"]


def _even(value: int) -> int:
    if value % 2:
        raise Invalid("must be even", "应为偶数")
    return value


class _Even(BaseModel):
    n: Annotated[int, AfterValidator(_even)]


def test_a_validators_invalid_is_said_in_chinese():
    try:
        _Even.model_validate({"n": 3})
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError
        error = exc.errors()[0]
    said = _describe(error, {"n": 3}, _Even)
    assert said == "n: must be even" and said.zh == "n：应为偶数"

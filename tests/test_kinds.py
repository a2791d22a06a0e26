"""One scenario envelope: every bundled scenario says its kind, one registry serves the command line and the tests,
a misspelt table in any kind is named with "did you mean", and the generated reference is up to date."""

from __future__ import annotations

import shutil

import pytest

from finmodel.cli import main
from finmodel.config import read_toml
from finmodel.kinds import KIND_NAMES, kind_of, kinds
from finmodel.reference import generated

from .conftest import ROOT

BUNDLED = sorted((ROOT / "scenarios").rglob("*.toml"))
BY_KIND = {"allocation": ROOT / "scenarios" / "jinan-2023.toml",
           "projects": ROOT / "scenarios" / "projects" / "in-community-2024.toml",
           "plan": ROOT / "scenarios" / "jinan-plan-2021.toml"}
TABLES = {"allocation": ("[districts]", "[distrcts]", "districts"),
          "projects": ("[scenario]", "[senario]", "scenario"),
          "plan": ("[library]", "[libary]", "library")}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_says_its_kind(path):
    found = kind_of(read_toml(path), file=path)
    assert found.stated and found.kind.name in KIND_NAMES


def test_the_registry_knows_the_three_kinds_and_their_schemas_say_their_kind():
    assert tuple(kinds()) == KIND_NAMES
    for name, kind in kinds().items():
        assert kind.schema.model_fields["kind"].default == name


def _copy(tmp_path, kind: str, change) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = BY_KIND[kind]
    for folder in ("data",):
        if (source.parent / folder).is_dir():
            shutil.copytree(source.parent / folder, tmp_path / folder)
    text = change(source.read_text(encoding="utf-8"))
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("kind", KIND_NAMES)
@pytest.mark.parametrize("stated", [True, False], ids=["with kind", "without kind"])
def test_a_misspelt_table_gets_did_you_mean_in_every_kind(tmp_path, capsys, kind, stated):
    right, wrong, name = TABLES[kind]

    def change(text: str) -> str:
        assert right in text
        text = text.replace(right, wrong, 1)
        return text if stated else text.replace(f'kind = "{kind}"\n', "", 1)

    path = _copy(tmp_path, kind, change)
    assert main(["validate", path, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"did you mean '{name}'" in err, err
    assert ("note: " in err) is not stated  # a file without kind is told to add it


def test_an_unknown_kind_is_named(tmp_path, capsys):
    path = _copy(tmp_path, "plan", lambda text: text.replace('kind = "plan"', 'kind = "plans"'))
    assert main(["validate", path, "--lang", "en"]) == 2
    assert "did you mean 'plan'" in capsys.readouterr().err


def test_a_file_without_kind_still_runs_with_a_note(tmp_path, capsys):
    path = _copy(tmp_path, "projects", lambda text: text.replace('kind = "projects"\n', ""))
    assert main(["validate", path, "--lang", "en"]) == 0
    assert 'add kind = "projects"' in capsys.readouterr().err


def test_the_generated_reference_is_up_to_date():
    stale = [relative for relative, text in generated().items()
             if not (ROOT / relative).exists() or (ROOT / relative).read_text(encoding="utf-8") != text]
    assert not stale, f"run `finmodel schema` in the repository's root: {', '.join(stale)} are stale"


def test_finmodel_schema_writes_what_the_test_compares(tmp_path):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for relative, text in generated().items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text


def test_a_kind_that_is_not_text_and_a_missing_table_are_named(tmp_path, capsys):
    path = _copy(tmp_path, "plan", lambda text: text.replace('kind = "plan"', 'kind = ["plan"]'))
    assert main(["validate", path, "--lang", "en"]) == 2
    assert "kind: a kind is text" in capsys.readouterr().err
    path = _copy(tmp_path / "second", "plan", lambda text: text.split("[plan]")[0])
    assert main(["validate", path, "--lang", "en"]) == 2
    assert "plan: required key is missing" in capsys.readouterr().err


def test_a_file_whose_tables_are_another_kinds_is_told(tmp_path, capsys):
    path = _copy(tmp_path, "allocation", lambda text: text.replace('kind = "allocation"', 'kind = "projects"'))
    assert main(["validate", path, "--lang", "en"]) == 2
    assert 'its tables are those of kind = "allocation": is its kind right?' in capsys.readouterr().err

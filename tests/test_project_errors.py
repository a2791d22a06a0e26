"""One broken project scenario per user mistake: the message names the file, key or row and column, and what is
wrong; exit code 2; nothing written."""

from __future__ import annotations

import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import FIXTURES

BROKEN = FIXTURES / "broken-projects"

CASES = {
    "unknown_key": ["unknown key 'fee_yuan_per_mont'", "[projects.p1.income.parking]",
                    "did you mean 'fee_yuan_per_month'"],
    "unknown_kind": ["projects.p1.income.parking", "'parkng'", "'parking', 'rent', 'charging'"],
    "schedule_sum": ["projects.p1.capex.schedule", "add up to 0.9, not 1"],
    "schedule_length": ["projects.p1", "capex.schedule has 1 shares for 2 construction years"],
    "loan_term": ["projects.p1", "loans.bank", "11-year term runs past the 10 operating years"],
    "bond_maturity": ["projects.p1.bonds.bond.years", "matures in 2037", "last year 2036"],
    "repair_year": ["projects.p1.operating_costs.major_repairs[0].year", "2026 is outside", "2027–2036"],
    "occupancy_above_one": ["projects.p1.income.parking.occupancy", "less than or equal to 1", "got 1.2"],
    "grace_too_long": ["projects.p1.loans.bank", "grace_years (8) must be shorter than the term (8)"],
    "no_projects": ["no [[projects]]"],
    "bad_table_cell": ["bad_cell.csv", "row 3", "income.parking.spaces", "valid integer", "'约三百'"],
    "bad_table_column": ["bad_column.csv", "row 2", "column 'income.garage.spaces'", "no element with id 'garage'",
                         "ids: parking"],
    "duplicate_project": ["duplicate.csv", "row 2", "column 'id'", "project id 'p1' is already used"],
    "missing_template": ["project_table.template", "no project 'p9'", "projects: p1"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_project_names_the_place(name, capsys, tmp_path):
    out = tmp_path / "out"
    code = main(["run", str(BROKEN / f"{name}.toml"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    for words in CASES[name]:
        assert words in err, f"{words!r} missing from: {err}"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_project_raises_input_error_in_the_api(name):
    with pytest.raises(fm.InputError):
        fm.load_project_scenario(BROKEN / f"{name}.toml")


def test_every_fixture_is_tested():
    assert {p.stem for p in BROKEN.glob("*.toml")} == set(CASES)

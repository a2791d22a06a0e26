"""One broken project scenario per user mistake: the message names the file, key or row and column, and what is
wrong; exit code 2; nothing written."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import FIXTURES, ROOT

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
    "bad_table_cell": ["bad_cell.csv", "row 3", "column 'income.parking.spaces'", "not a number: '约三百'"],
    # A project table takes nothing from the template by leaving a cell empty, a row short or a column out.
    "blank_table_cell": ["blank_cell.csv", "row 3", "column 'grants.central.amount_wan'", "empty cell",
                         "to keep the value of the template 'p1', repeat it: 860"],
    "short_table_row": ["short_row.csv", "row 3", "column 'grants.central.amount_wan'",
                        "empty from column 'grants.central.amount_wan' to its last column 'income.parking.spaces'",
                        "shorter than the header"],
    "dropped_table_column": ["dropped_column.csv", "row 1", "column 'capex.items_wan.basic'",
                             "the header has no column capex.items_wan.basic", "project_table.columns lists it"],
    "unlisted_table_column": ["unlisted_column.csv", "row 1", "column 'loans.bank.rate'",
                              "not listed in project_table.columns"],
    # Cells hold plain decimal numbers, as every other table does: 0x1A is not 26 (row 4: a comment line is above).
    "hex_table_number": ["hex_number.csv", "row 4", "column 'income.parking.spaces'", "not a number: '0x1A'"],
    "bad_table_column": ["bad_column.csv", "row 2", "column 'income.garage.spaces'", "no element with id 'garage'",
                         "ids: parking"],
    "duplicate_project": ["duplicate.csv", "row 2", "column 'id'", "project id 'p1' is already used"],
    "missing_template": ["project_table.template", "no project 'p9'", "projects: p1"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_project_names_the_place(name, capsys, tmp_path):
    out = tmp_path / "out"
    code = main(["run", str(BROKEN / f"{name}.toml"), "--out", str(out), "--lang", "en"])
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


TEMPLATE = (BROKEN / "blank_table_cell.toml").read_text(encoding="utf-8").split("[project_table]")[0]


def _table_scenario(folder, csv_text, extra=""):
    (folder / "projects.csv").write_text(csv_text, encoding="utf-8")
    path = folder / "projects.toml"
    path.write_text(TEMPLATE + '[[project_table]]\ntable = "projects.csv"\ntemplate = "p1"\n' + extra,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("cell, words", [
    ("0x1A", "not a number: '0x1A'"),
    ("1_000", "not a number: '1_000'"),
    ("nan", "not a number: 'nan'"),
    ("inf", "not a finite number: 'inf'"),
    ("三百", "not a number: '三百'"),
    ("true", "not a number: 'true'"),
])
def test_table_numbers_are_plain_decimal_numbers(tmp_path, cell, words):
    path = _table_scenario(tmp_path, f"id,name,income.parking.spaces\nq1,甲,{cell}\n")
    with pytest.raises(fm.InputError) as caught:
        fm.load_project_scenario(path)
    assert caught.value.row == 2 and caught.value.column == "income.parking.spaces"
    assert words in caught.value.message


def test_table_number_rule_applies_where_the_template_keeps_the_default(tmp_path):
    # The template sets no growth for its parking: the cell still has to be a plain decimal number.
    path = _table_scenario(tmp_path, "id,name,income.parking.growth\nq1,甲,0x1A\n")
    with pytest.raises(fm.InputError, match="not a number: '0x1A'") as caught:
        fm.load_project_scenario(path)
    assert caught.value.column == "income.parking.growth"


def test_table_cells_take_the_type_of_the_template_value(tmp_path):
    path = _table_scenario(tmp_path, (
        "id,name,area,construction_years,capex.schedule,capex.items_wan.basic,grants.central.amount_wan\n"
        'q1,2024,7,1,[1.0],"1,685.6",860\n'
        'q2,乙,东片区,2,"[0.6, 0.4]",1e3,0\n'))
    projects = {p.id: p for p in fm.load_project_scenario(path).projects}
    assert projects["q1"].name == "2024" and projects["q1"].area == "7"  # text where the template has text
    assert projects["q1"].capex.items_wan["basic"] == 1685.6  # thousands separators, as in the other tables
    assert projects["q1"].capex.schedule == [1.0] and projects["q2"].capex.schedule == [0.6, 0.4]
    assert projects["q2"].capex.items_wan["basic"] == 1000 and projects["q2"].grants[0].amount_wan == 0


def test_two_tables_on_one_template_do_not_share_values(tmp_path):
    (tmp_path / "a.csv").write_text("id,name,loans.bank.rate\na1,甲,0.06\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,name\nb1,乙\n", encoding="utf-8")
    path = tmp_path / "two.toml"
    path.write_text(TEMPLATE + '[[project_table]]\ntable = "a.csv"\ntemplate = "p1"\n'
                    '[[project_table]]\ntable = "b.csv"\ntemplate = "p1"\n', encoding="utf-8")
    projects = {p.id: p for p in fm.load_project_scenario(path).projects}
    assert projects["a1"].loans[0].rate == 0.06
    assert projects["b1"].loans[0].rate == projects["p1"].loans[0].rate == 0.04


def test_xlsx_table_blank_cell_and_flag_in_a_number(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "capex.items_wan.basic", "income.parking.spaces"])
    sheet.append(["q1", "甲", 1100, 250])
    sheet.append(["q2", "乙", None, 250])
    book.save(tmp_path / "projects.xlsx")
    path = tmp_path / "projects.toml"
    path.write_text(TEMPLATE + '[[project_table]]\ntable = "projects.xlsx"\ntemplate = "p1"\n', encoding="utf-8")
    with pytest.raises(fm.InputError, match="empty cell") as caught:
        fm.load_project_scenario(path)
    assert (caught.value.row, caught.value.column) == (3, "capex.items_wan.basic")
    assert "repeat it: 1000" in caught.value.message
    sheet["C3"] = 1200
    sheet["D2"] = True  # a spreadsheet's TRUE is not one parking space
    book.save(tmp_path / "projects.xlsx")
    with pytest.raises(fm.InputError, match="not a number: 'True'") as caught:
        fm.load_project_scenario(path)
    assert (caught.value.row, caught.value.column) == (2, "income.parking.spaces")


def test_bundled_table_with_its_columns_listed_refuses_a_dropped_column(tmp_path):
    """The bundling example's package table, its columns listed in the scenario: it loads as bundled, and with
    capex.items_wan.basic dropped it is refused instead of giving all packages P01's 1,685.6."""
    source = ROOT / "scenarios" / "projects"
    shutil.copytree(source / "data", tmp_path / "data")
    packages = tmp_path / "data" / "bundling-packages.csv"
    header = packages.read_text(encoding="utf-8").splitlines()[0].split(",")
    listed = ", ".join(f'"{c}"' for c in header[1:])
    text = (source / "bundling-2024.toml").read_text(encoding="utf-8").replace(
        'template = "P01"\n', f'template = "P01"\ncolumns = [{listed}]\n')
    path = tmp_path / "bundling.toml"
    path.write_text(text, encoding="utf-8")
    assert len(fm.load_project_scenario(path).projects) == 28
    lines = packages.read_text(encoding="utf-8").splitlines()
    drop = header.index("capex.items_wan.basic")
    packages.write_text("\n".join(",".join(c for k, c in enumerate(line.split(",")) if k != drop)
                                  for line in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--lang", "en"]) == 2
    with pytest.raises(fm.InputError) as caught:
        fm.load_project_scenario(path)
    assert caught.value.file == str(packages.resolve())
    assert (caught.value.row, caught.value.column) == (1, "capex.items_wan.basic")

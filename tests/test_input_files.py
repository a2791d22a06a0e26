"""Files that cannot be read as they should: each is bad input (exit 2) naming the file and what is wrong, never a
defect (exit 1); validate and run say the same; a message's row is the line a spreadsheet or an editor shows."""

from __future__ import annotations

import io
import os
import shutil
import zipfile

import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.tables import read_table

from .conftest import JINAN, ROOT, write_scenario

DISTRICTS = ROOT / "scenarios" / "data" / "jinan-2023-districts.csv"
PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"
POOL = {"id": "central", "label": "中央", "amount_wan": 100.0, "weights": {"households": 1.0}}


def both(args: list[str], capsys, tmp_path) -> tuple[int, str]:
    """``validate`` and ``run`` on the same input: they must agree; the run leaves no output."""
    out = tmp_path / "out"
    checked = main(["validate", *args, "--lang", "en"])
    checked_err = capsys.readouterr().err
    ran = main(["run", *args, "--out", str(out), "--lang", "en"])
    ran_err = capsys.readouterr().err
    assert "unexpected" not in checked_err + ran_err
    assert checked == ran, (checked_err, ran_err)
    if checked == 2:
        assert checked_err.splitlines()[-1] == ran_err.splitlines()[-1]
        assert not out.exists() or not any(out.iterdir())
    return checked, checked_err


def jinan_copy(folder, table_name="jinan-2023-districts.csv", text=None):
    """The bundled Jinan scenario in ``folder``, its table at ``data/<table_name>`` (written by the caller when
    ``text`` is None)."""
    (folder / "data").mkdir(exist_ok=True)
    if text is not None:
        (folder / "data" / table_name).write_text(text, encoding="utf-8")
    scenario = JINAN.read_text(encoding="utf-8").replace("jinan-2023-districts.csv", table_name)
    path = folder / "jinan.toml"
    path.write_text(scenario, encoding="utf-8")
    return path


def test_deeply_nested_toml_is_refused_not_a_recursion_error(tmp_path, capsys):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "deep.toml: not valid TOML: tables or arrays nest too deeply" in err
    path.write_text(JINAN.read_text(encoding="utf-8") + "\n[x]\ny = " + "[" * 20 + "]" * 20 + "\n",
                    encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "x.y[0][0]" in err and "nest more than 16 levels" in err


def test_a_utf8_byte_order_mark_is_accepted_and_utf16_named(tmp_path, capsys):
    text = JINAN.read_text(encoding="utf-8").replace("data/", str(DISTRICTS.parent) + "/")
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert main(["validate", str(path), "--lang", "en"]) == 0
    path.write_bytes(text.encode("utf-16"))
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "bom.toml: the file starts with a UTF-16 or UTF-32 byte-order mark" in err


def test_gbk_text_names_the_line(tmp_path, capsys):
    path = tmp_path / "gbk.toml"
    path.write_bytes('[scenario]\nname = "济南"\n'.encode("gbk"))
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "gbk.toml: not UTF-8 text at line 2" in err


def test_a_folder_is_not_reported_as_missing(tmp_path, capsys):
    (tmp_path / "folder.toml").mkdir()
    assert main(["validate", str(tmp_path / "folder.toml"), "--lang", "en"]) == 2
    assert "folder.toml: this is a folder, not a scenario file" in capsys.readouterr().err
    # run takes a folder for the scenarios in it: this one has none
    assert main(["run", str(tmp_path / "folder.toml"), "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    assert "folder.toml: this is a folder with no scenario file (*.toml) in it" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    path = jinan_copy(tmp_path)
    (tmp_path / "data" / "jinan-2023-districts.csv").mkdir()
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.table: this is a folder, not a table file" in err


def test_symlink_loops_are_named(tmp_path, capsys):
    os.symlink("loop.toml", tmp_path / "loop.toml")
    assert main(["validate", str(tmp_path / "loop.toml"), "--lang", "en"]) == 2
    assert "loop.toml: the scenario file is a symbolic link that leads back to itself" in capsys.readouterr().err
    # A run checks its output folder, and the scenario it must not overwrite, before it reads anything.
    assert main(["run", str(tmp_path / "loop.toml"), "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    assert "loop.toml" in capsys.readouterr().err
    path = jinan_copy(tmp_path)
    os.symlink("jinan-2023-districts.csv", tmp_path / "data" / "jinan-2023-districts.csv")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "jinan.toml: districts.table: the table file is a symbolic link that leads back" in err


def test_a_device_is_not_read(tmp_path, capsys):
    path = jinan_copy(tmp_path)
    os.symlink("/dev/null", tmp_path / "data" / "jinan-2023-districts.csv")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.table: not a regular table file" in err


def test_a_nul_in_a_path_is_named(tmp_path, capsys):
    path = jinan_copy(tmp_path, "jinan\\u0000.csv")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "jinan.toml: districts.table: " in err and "'data/jinan\\x00.csv'" in err
    with pytest.raises(fm.InputError, match="contains a NUL character"):
        read_table(tmp_path / "a\0b.csv", key="district")


def _workbook(rows, change=None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if change:
        change(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DISTRICT_ROWS = [["district", "households"], ["甲", 100], ["乙", 200]]


def xlsx_scenario(tmp_path, data: bytes):
    (tmp_path / "districts.xlsx").write_bytes(data)
    path = write_scenario(tmp_path, [{"district": "甲", "households": 1}], [POOL])
    path.write_text(path.read_text(encoding="utf-8").replace("districts.csv", "districts.xlsx"), encoding="utf-8")
    return path


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[: len(data) // 2], "not a readable XLSX workbook (a zip archive)"),
    (lambda data: b"district,households\n", "not a readable XLSX workbook (a zip archive)"),
    (lambda data: data[:-30], "not a readable XLSX workbook"),
])
def test_a_damaged_xlsx_is_bad_input(tmp_path, capsys, damage, words):
    path = xlsx_scenario(tmp_path, damage(_workbook(DISTRICT_ROWS)))
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.xlsx: " in err and words in err


def _with_doctype(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                part = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' + part)
            target.writestr(item, part)
    return out.getvalue()


def test_an_xlsx_with_an_entity_declaration_is_refused(tmp_path, capsys):
    path = xlsx_scenario(tmp_path, _with_doctype(_workbook(DISTRICT_ROWS)))
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.xlsx: the workbook's part xl/worksheets/sheet1.xml declares a DOCTYPE" in err


def test_an_xlsx_formula_without_a_value_is_named_as_such(tmp_path, capsys):
    def formula(sheet):
        sheet["B3"] = "=B2*2"

    path = xlsx_scenario(tmp_path, _workbook(DISTRICT_ROWS, formula))
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.xlsx: row 3: cell B3 holds the formula '=B2*2' without a calculated value" in err


def test_an_xlsx_names_the_sheet_it_lacks(tmp_path, capsys):
    path = xlsx_scenario(tmp_path, _workbook(DISTRICT_ROWS))
    path.write_text(path.read_text(encoding="utf-8").replace('table = "districts.xlsx"',
                                                             'table = "districts.xlsx"\nsheet = "2023"'),
                    encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.xlsx: no sheet '2023' (sheets: Sheet)" in err


def test_xlsx_rows_are_the_rows_the_sheet_shows(tmp_path):
    """Blank rows above the header and between rows are skipped, and counted."""
    def move(sheet):
        sheet.insert_rows(1, 2)
        sheet.insert_rows(5)
        sheet["B6"] = "两百"

    path = xlsx_scenario(tmp_path, _workbook(DISTRICT_ROWS, move))
    with pytest.raises(fm.InputError) as caught:
        fm.load_scenario(path)
    assert (caught.value.row, caught.value.column) == (6, "households")


def test_csv_rows_count_comment_and_blank_lines(tmp_path, capsys):
    """Row numbers are the file's line numbers: comment and blank lines above the header and blank lines between
    rows count, as they do in an editor and a spreadsheet."""
    lines = DISTRICTS.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",38,121,", ",38,一百,", 1)  # 槐荫区's buildings
    text = "# a note\n\n# another\n" + "\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) + "\n"
    path = jinan_copy(tmp_path, text=text)
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "row 8: column 'buildings': not a number: '一百'" in err


def test_csv_row_of_an_inverse_factor_counts_comment_lines(tmp_path, capsys):
    path = write_scenario(tmp_path, [{"district": "甲", "x": 1}], [
        {"id": "central", "label": "中央", "amount_wan": 100.0, "inverse": ["x"], "weights": {"x": 1.0}}])
    (tmp_path / "districts.csv").write_text("# a note\n\ndistrict,x\n甲,1\n乙,0\n", encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "districts.csv: row 5: column 'x': an inverse factor (1/x) needs values above 0" in err


@pytest.mark.parametrize("change, words", [
    (lambda lines: [lines[0]] + [lines[1] + ",9"] + lines[2:], "row 2: the row has 15 cells, the header 14"),
    (lambda lines: [lines[0].replace("buildings", "households")] + lines[1:],
     "row 1: column 'households': the header names the column 'households' twice (columns C and D)"),
    (lambda lines: [lines[0].replace("buildings", "")] + lines[1:],
     "row 1: column C (column 3) holds values but has no name in the header"),
    (lambda lines: lines[:1], "factor 'floor_area_m2' is 0 for every unit"),
])
def test_csv_shapes(tmp_path, capsys, change, words):
    lines = DISTRICTS.read_text(encoding="utf-8").splitlines()
    path = jinan_copy(tmp_path, text="\n".join(change(lines)) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and words in err


def plan_copy(folder, library=None, budgets=None):
    data = ROOT / "scenarios" / "data"
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "library.csv").write_text(
        library if library is not None else (data / "jinan-library-synthetic.csv").read_text(encoding="utf-8"),
        encoding="utf-8")
    (folder / "data" / "budgets.csv").write_text(
        budgets if budgets is not None else (data / "jinan-plan-budgets.csv").read_text(encoding="utf-8"),
        encoding="utf-8")
    path = folder / "plan.toml"
    path.write_text(PLAN.read_text(encoding="utf-8").replace("jinan-library-synthetic.csv", "library.csv")
                    .replace("jinan-plan-budgets.csv", "budgets.csv"), encoding="utf-8")
    return path


def test_prior_year_inf_is_named(tmp_path, capsys):
    lines = (ROOT / "scenarios" / "data" / "jinan-library-synthetic.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[4].split(",")
    cells[8] = "inf"  # prior_year
    lines[4] = ",".join(cells)
    path = plan_copy(tmp_path, library="\n".join(lines) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "library.csv: row 5: column 'prior_year': not a year: 'inf'" in err


def test_a_budget_row_is_no_unit(tmp_path, capsys):
    budgets = (ROOT / "scenarios" / "data" / "jinan-plan-budgets.csv").read_text(encoding="utf-8").splitlines()
    budgets[31] = budgets[31].rsplit(",", 1)[0] + ",约一万"
    path = plan_copy(tmp_path, budgets="\n".join(budgets) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "budgets.csv: row 32: column 'budget_wan': not a number: '约一万'" in err
    assert "unit '" not in err


def test_no_eligible_community_is_bad_input_not_a_time_limit(tmp_path, capsys):
    lines = (ROOT / "scenarios" / "data" / "jinan-library-synthetic.csv").read_text(encoding="utf-8").splitlines()
    library = "\n".join(lines[:2] + [line.replace("state_owned", "collective") for line in lines[2:]]) + "\n"
    path = plan_copy(tmp_path, library=library)
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2
    assert "library.csv: no community of the library is eligible for the plan" in err
    assert "by state_land (一(二) 在我市国有土地上建成)" in err


def test_tables_read_as_before(tmp_path):
    """The bundled tables read to the same frames: every column, every cell as text."""
    table = read_table(DISTRICTS, key="district")
    assert list(table.index[:2]) == ["历下区", "市中区"] and table.at["历下区", "households"] == "56525"
    assert table.attrs["rows"][:3] == [2, 3, 4] and table.attrs["header_row"] == 1
    library = read_table(ROOT / "scenarios" / "data" / "jinan-library-synthetic.csv", key="id")
    assert library.attrs["header_row"] == 2 and library.attrs["rows"][0] == 3
    assert library.at["JN00001", "prior_year"] == ""
    shutil.copy(DISTRICTS, tmp_path / "short.csv")
    text = (tmp_path / "short.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "short.csv").write_text("\n".join([text[0], "甲,1"]) + "\n", encoding="utf-8")
    assert read_table(tmp_path / "short.csv", key="district").loc["甲"].tolist()[1:] == [""] * 12


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_chinese_excel_csv_reads_as_its_utf8_twin(tmp_path, encoding):
    """Chinese Excel's "CSV (逗号分隔)" is GBK: read as GB18030 (its superset), the same table and the same run
    as the UTF-8 file, and the manifest says which encoding it was."""
    text = DISTRICTS.read_text(encoding="utf-8")
    if encoding == "gbk":
        text = text.replace("²", "2")  # GBK has no ², as a file saved by Excel would not
    runs = {}
    for name, data in (("utf-8", text.encode("utf-8")), (encoding, text.encode(encoding))):
        folder = tmp_path / name
        (folder / "data").mkdir(parents=True)
        (folder / "data" / DISTRICTS.name).write_bytes(data)
        shutil.copy(JINAN, folder / JINAN.name)
        pd_table = read_table(folder / "data" / DISTRICTS.name, key="district")
        assert main(["run", str(folder / JINAN.name), "--out", str(folder / "out"), "--quiet", "--lang", "en"]) == 0
        runs[name] = (pd_table, (folder / "out" / "allocation.csv").read_bytes(),
                      (folder / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert runs["utf-8"][0].equals(runs[encoding][0])
    assert runs["utf-8"][1] == runs[encoding][1]
    import json

    inputs = {i["file"]: i.get("encoding") for i in json.loads(runs[encoding][2])["inputs"]}
    assert inputs["data/" + DISTRICTS.name] == "gb18030"
    assert {i["file"]: i.get("encoding") for i in json.loads(runs["utf-8"][2])["inputs"]}[
        "data/" + DISTRICTS.name] == "utf-8"


def test_a_latin1_csv_is_still_refused_clearly(tmp_path, capsys):
    folder = tmp_path / "latin"
    (folder / "data").mkdir(parents=True)
    text = DISTRICTS.read_text(encoding="utf-8")
    header, _, rest = text.partition("\n")
    latin = "# Großräumige Zählung, Müller & Söhne\n" + text.encode("ascii", "ignore").decode("ascii")
    (folder / "data" / DISTRICTS.name).write_bytes(latin.encode("latin-1"))
    shutil.copy(JINAN, folder / JINAN.name)
    code, err = both([str(folder / JINAN.name)], capsys, tmp_path)
    assert code == 2 and f"{DISTRICTS.name}: not UTF-8 text at line 1" in err and "GBK" in err

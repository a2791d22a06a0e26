"""Values of the wrong type are refused, not read as something else: a ``--set`` that would change nothing, "yes" as
true, a spreadsheet's TRUE as 1, a year written 12.5 or 1e5 (exit 2, naming the place)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import JINAN, ROOT, write_scenario
from .test_input_files import both, plan_copy

ZOUCHENG = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"
PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"


@pytest.mark.parametrize("override, words", [
    # Setting a pool itself wrote into a copy: nothing changed, yet 参数 and the manifest listed the change.
    ("pools.central=5", ["--set pools.central: 'pools.central' is a table, not a value",
                         "did you mean --set pools.central.amount_wan=5?"]),
    ("pools=5", ["--set pools: 'pools' is a list of tables, not a value", "pools.central.…"]),
    ("allocation.hold_harmless=1", ["'allocation.hold_harmless' is a table, not a value",
                                    "set one of its keys (last_year, floor, cap, source)"]),
    ("pools.central.weights=1", ["'pools.central.weights' is a table", "pools.central.weights.floor_area_m2"]),
    ("pools.central.amout_wan=1", ["unknown key 'amout_wan' in [pools.central]",
                                   "did you mean 'pools.central.amount_wan'?"]),
    ("scenario.yaer=2024", ["unknown key 'yaer' in [scenario]", "did you mean 'scenario.year'?"]),
    ("pools.central.weights.households.x=1", ["'pools.central.weights.households' is a value, not a table"]),
])
def test_a_set_must_name_a_value_the_scenario_has(override, words, capsys, tmp_path):
    code, err = both([str(JINAN), "--set", override], capsys, tmp_path)
    assert code == 2
    for w in words:
        assert w in err, f"{w!r} missing from: {err}"


def test_a_set_on_a_project_or_plan_names_the_value(capsys, tmp_path):
    code, err = both([str(ZOUCHENG), "--set", "projects.zoucheng.loans.bank=1"], capsys, tmp_path)
    assert code == 2 and "'projects.zoucheng.loans.bank' is a table, not a value" in err
    code, err = both([str(ZOUCHENG), "--set", "projects.zoucheng.income.parking.fee=200"], capsys, tmp_path)
    assert code == 2 and "did you mean 'projects.zoucheng.income.parking.fee_yuan_per_month'?" in err
    code, err = both([str(PLAN), "--set", "plan.carry_over=yes"], capsys, tmp_path)
    assert code == 2 and "--set plan.carry_over='yes': Input should be a valid boolean (got 'yes')" in err


def test_a_set_that_names_a_value_is_applied_and_recorded(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(JINAN), "--set", "pools.central.amount_wan=32000", "--set", "scenario.prepared_by=测试",
                 "--out", str(out), "--quiet"]) == 0
    manifest = json.dumps(json.loads((out / "manifest.json").read_text(encoding="utf-8")), ensure_ascii=False)
    assert "pools.central.amount_wan" in manifest and "scenario.prepared_by" in manifest
    # A key the file leaves out is set all the same, its table made: it is a value of the schema.
    scenario = fm.load_scenario(JINAN, {"pools.central.amount_wan": 32000, "allocation.corridor.high": 5})
    assert scenario.pool("central").amount_wan == 32000 and scenario.config.allocation.corridor.high == 5


@pytest.mark.parametrize("line, words", [
    ('carry_over = "yes"', "plan.carry_over: Input should be a valid boolean (got 'yes')"),
    ("carry_over = 1", "plan.carry_over: Input should be a valid boolean (got 1)"),
    ("first_year = 2021.0", "plan.first_year: Input should be a valid integer (got 2021.0)"),
    ('earliness = "0.05"', "plan.earliness: Input should be a valid number (got '0.05')"),
])
def test_toml_values_keep_their_type(tmp_path, capsys, line, words):
    path = plan_copy(tmp_path)
    key = line.split(" = ")[0]
    text = path.read_text(encoding="utf-8")
    text = "\n".join(line if row.startswith(key + " = ") else row for row in text.splitlines()) + "\n"
    path.write_text(text, encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and words in err


def test_flags_and_numbers_are_strict_in_every_schema(tmp_path):
    text = ZOUCHENG.read_text(encoding="utf-8").replace("growth = 0.01\n", 'growth = 0.01\n', 1)
    path = tmp_path / "z.toml"
    path.write_text(text.replace("principal_wan = 8000", 'principal_wan = "8000"'), encoding="utf-8")
    with pytest.raises(fm.InputError, match="loans.bank.principal_wan: Input should be a valid number"):
        fm.load_project_scenario(path)
    path.write_text(text.replace("years = 25", "years = true"), encoding="utf-8")
    with pytest.raises(fm.InputError, match="loans.bank.years: Input should be a valid integer"):
        fm.load_project_scenario(path)
    jinan = JINAN.read_text(encoding="utf-8").replace('objective = "formula_fit"',
                                                      'objective = "formula_fit"\n[allocation.performance]\n'
                                                      'poor_at_most_formula = "false"')
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "jinan-2023-districts.csv").write_bytes(
        (ROOT / "scenarios" / "data" / "jinan-2023-districts.csv").read_bytes())
    path = tmp_path / "j.toml"
    path.write_text(jinan, encoding="utf-8")
    with pytest.raises(fm.InputError, match="poor_at_most_formula: Input should be a valid boolean"):
        fm.load_scenario(path)


def _districts_xlsx(tmp_path, change) -> tuple:
    lines = (ROOT / "scenarios" / "data" / "jinan-2023-districts.csv").read_text(encoding="utf-8").splitlines()
    book = openpyxl.Workbook()
    for line in lines:
        book.active.append([float(c) if c.replace(".", "").isdigit() else c for c in line.split(",")[:12]])
    change(book.active)
    out = io.BytesIO()
    book.save(out)
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "d.xlsx").write_bytes(out.getvalue())
    path = tmp_path / "jinan.toml"
    path.write_text(JINAN.read_text(encoding="utf-8").replace("jinan-2023-districts.csv", "d.xlsx"),
                    encoding="utf-8")
    return path


def test_an_xlsx_true_is_no_building(tmp_path, capsys):
    path = _districts_xlsx(tmp_path, lambda sheet: None)
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()

    def flag(sheet):
        sheet["C4"] = True  # 槐荫区's buildings

    path = _districts_xlsx(tmp_path, flag)
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "d.xlsx: row 4: column 'buildings': not a number: 'True' (unit '槐荫区')" in err


@pytest.mark.parametrize("cell", ["12.5", "1e5", '"1,234"', "2021.0", "２０２１", "-2021", "21"])
def test_budget_years_are_whole_years_written_as_such(tmp_path, capsys, cell):
    budgets = (ROOT / "scenarios" / "data" / "jinan-plan-budgets.csv").read_text(encoding="utf-8").splitlines()
    budgets[5] = budgets[5].replace(",2025,", f",{cell},")
    path = plan_copy(tmp_path, budgets="\n".join(budgets) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "budgets.csv: row 6: column 'year': " in err


def test_library_counts_are_whole(tmp_path, capsys):
    library = (ROOT / "scenarios" / "data" / "jinan-library-synthetic.csv").read_text(encoding="utf-8").splitlines()
    cells = library[2].split(",")
    cells[5] = "180.5"  # households
    library[2] = ",".join(cells)
    path = plan_copy(tmp_path, library="\n".join(library) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "row 3: column 'households': a count is a whole number, not '180.5'" in err


def test_district_counts_are_whole(tmp_path):
    rows = [{"district": "甲", "households": "100.5"}, {"district": "乙", "households": "200"}]
    path = write_scenario(tmp_path, rows, [{"id": "central", "label": "中央", "amount_wan": 100.0,
                                            "weights": {"households": 1.0}}])
    with pytest.raises(fm.InputError, match="a count is a whole number, not '100.5'"):
        fm.load_scenario(path)
    rows[0]["households"] = "1,005"  # thousands separators are a count written as spreadsheets export it
    path = write_scenario(tmp_path, rows, [{"id": "central", "label": "中央", "amount_wan": 100.0,
                                            "weights": {"households": 1.0}}])
    assert fm.load_scenario(path).districts.loc["甲", "households"] == 1005

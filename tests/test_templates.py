"""Input templates: a template filled from a bundled CSV runs to the same tables as the CSV, for each kind; headers
may be Chinese, English or keys; the example row and the columns left empty are not read."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from finmodel.cli import main
from finmodel.columns import KIND_TABLES
from finmodel.tables import read_table
from finmodel.templates import template_workbook

from .conftest import ROOT

DATA = ROOT / "scenarios" / "data"
PROJECT_DATA = ROOT / "scenarios" / "projects" / "data"


def _value(text: str):
    """A CSV cell as a person types it into Excel: a number where it is one."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _fill(workbook: openpyxl.Workbook, sheet: str, csv_path) -> None:
    """The CSV's rows into the template's sheet, by the keys of its hidden second row, from row 3 (the example)."""
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, comment="#")
    ws = workbook[sheet]
    columns = {ws.cell(row=2, column=c).value: c for c in range(1, ws.max_column + 1)}
    for k in range(3, ws.max_row + 1):  # the example row goes: the data take its place
        for c in columns.values():
            ws.cell(row=k, column=c).value = None
    for r, record in enumerate(table.itertuples(index=False), start=3):
        for key, text in zip(table.columns, record):
            ws.cell(row=r, column=columns[key], value=_value(text))


def _template(kind: str, tmp_path, name="filled.xlsx"):
    path = tmp_path / name
    assert main(["template", kind, str(path)]) == 0
    return openpyxl.load_workbook(path), path


def _runs(scenario_text: str, tmp_path, csv_name: str) -> tuple[bytes, bytes]:
    (tmp_path / "filled.toml").write_text(scenario_text, encoding="utf-8")
    assert main(["run", str(tmp_path / "filled.toml"), "--out", str(tmp_path / "out"), "--quiet"]) in (0, 1)
    return (tmp_path / "out" / csv_name).read_bytes()


def test_an_allocation_template_filled_from_the_csv_runs_the_same(tmp_path):
    workbook, path = _template("allocation", tmp_path)
    _fill(workbook, "区县数据", DATA / "jinan-2023-districts.csv")
    workbook.save(path)
    scenario = (ROOT / "scenarios" / "jinan-2023.toml").read_text(encoding="utf-8")
    filled = scenario.replace('table = "data/jinan-2023-districts.csv"', 'table = "filled.xlsx"\nsheet = "区县数据"')
    assert filled != scenario
    from_template = _runs(filled, tmp_path, "allocation.csv")
    assert main(["run", str(ROOT / "scenarios" / "jinan-2023.toml"), "--out", str(tmp_path / "csv"), "--quiet"]) == 0
    assert from_template == (tmp_path / "csv" / "allocation.csv").read_bytes()


def test_a_plan_template_filled_from_the_csvs_runs_the_same(tmp_path):
    workbook, path = _template("plan", tmp_path)
    _fill(workbook, "小区库", DATA / "jinan-library-synthetic.csv")
    _fill(workbook, "年度预算", DATA / "jinan-plan-budgets.csv")
    workbook.save(path)
    scenario = (ROOT / "scenarios" / "jinan-plan-2021.toml").read_text(encoding="utf-8")
    filled = (scenario.replace('table = "data/jinan-library-synthetic.csv"', 'table = "filled.xlsx"\nsheet = "小区库"')
              .replace('table = "data/jinan-plan-budgets.csv"', 'table = "filled.xlsx"\nsheet = "年度预算"'))
    from_template = _runs(filled, tmp_path, "plan.csv")
    assert main(["run", str(ROOT / "scenarios" / "jinan-plan-2021.toml"), "--out", str(tmp_path / "csv"),
                 "--quiet"]) == 0
    assert from_template == (tmp_path / "csv" / "plan.csv").read_bytes()


def test_a_projects_template_filled_from_the_csvs_runs_the_same(tmp_path):
    for name, csv in (("packages.xlsx", "bundling-packages.csv"), ("components.xlsx", "bundling-components.csv")):
        workbook, path = _template("projects", tmp_path, name)
        _fill(workbook, "项目表", PROJECT_DATA / csv)
        workbook.save(path)
    scenario = (ROOT / "scenarios" / "projects" / "bundling-2024.toml").read_text(encoding="utf-8")
    filled = (scenario.replace('table = "data/bundling-packages.csv"', 'table = "packages.xlsx"\nsheet = "项目表"')
              .replace('table = "data/bundling-components.csv"', 'table = "components.xlsx"\nsheet = "项目表"'))
    from_template = _runs(filled, tmp_path, "cashflow.csv")
    assert main(["run", str(ROOT / "scenarios" / "projects" / "bundling-2024.toml"), "--out", str(tmp_path / "csv"),
                 "--quiet"]) == 0
    assert from_template == (tmp_path / "csv" / "cashflow.csv").read_bytes()


def test_headers_may_be_chinese_english_or_keys(tmp_path):
    keys = DATA / "jinan-plan-budgets.csv"
    expected = read_table(keys, key=None)
    text = keys.read_text(encoding="utf-8")
    for header in ("区县,年度,可用资金（万元）", "District / county,Year,Budget (10k yuan)"):
        path = tmp_path / "budgets.csv"
        path.write_text(text.replace("district,year,budget_wan", header, 1), encoding="utf-8")
        pd.testing.assert_frame_equal(read_table(path, key=None), expected, check_like=False)
    path.write_text(text.replace("district,year,budget_wan", "district,年度,budget_wan,year", 1), encoding="utf-8")
    from finmodel.errors import InputError

    with pytest.raises(InputError, match="names the column 'year' twice"):
        read_table(path, key=None)


@pytest.mark.parametrize("kind", sorted(KIND_TABLES))
def test_a_template_lays_out_its_tables(kind):
    data = template_workbook(kind)
    assert data == template_workbook(kind)  # the same bytes every time
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["说明"] + [table.name for table in KIND_TABLES[kind]]
    for table in KIND_TABLES[kind]:
        ws = workbook[table.name]
        assert [ws.cell(row=1, column=c + 1).value for c in range(len(table.columns))] == [c.zh for c in table.columns]
        assert [ws.cell(row=2, column=c + 1).value for c in range(len(table.columns))] == [c.key for c in table.columns]
        assert ws.row_dimensions[2].hidden and ws.cell(row=3, column=1).value == "示例"
        checked = {str(rule.sqref).split(":")[0][:-1]: rule for rule in ws.data_validations.dataValidation}
        for c, column in enumerate(table.columns, start=1):
            letter = openpyxl.utils.get_column_letter(c)
            if column.kind == "choice":
                assert checked[letter].type == "list" and ",".join(column.choices) in checked[letter].formula1
            elif column.kind == "share":
                assert (checked[letter].formula1, checked[letter].formula2) == ("0", "1")
            elif column.kind == "score":
                assert (checked[letter].formula1, checked[letter].formula2) == ("0", "100")
    notes = workbook["说明"]
    listed = [notes.cell(row=r, column=3).value for r in range(1, notes.max_row + 1)]
    assert all(column.key in listed for table in KIND_TABLES[kind] for column in table.columns)


def test_an_empty_template_is_a_clear_error(tmp_path, capsys):
    _, path = _template("allocation", tmp_path, "empty.xlsx")
    scenario = (ROOT / "scenarios" / "jinan-2023.toml").read_text(encoding="utf-8")
    (tmp_path / "empty.toml").write_text(scenario.replace('table = "data/jinan-2023-districts.csv"',
                                                          'table = "empty.xlsx"\nsheet = "区县数据"'), encoding="utf-8")
    assert main(["validate", str(tmp_path / "empty.toml"), "--lang", "en"]) == 2
    assert "empty.xlsx" in (err := capsys.readouterr().err) and "no rows filled in" in err

"""CSV outputs cannot carry formulas: text a spreadsheet would evaluate gets a leading ' in every CSV kind."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pandas as pd
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.report.cashflow import ANNUAL_LIMIT
from finmodel.report import files

from .conftest import JINAN as JINAN_SCENARIO, ROOT, write_scenario
from .test_project import HAND

LINK = '=HYPERLINK("http://example.com/x","点击")'
CMD = "=cmd|' /C calc'!A0"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _cells(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _assert_inert(path, *hostile: str) -> None:
    """No cell of the CSV starts like a formula unless it is a number, and each hostile text is there, quoted."""
    cells = [cell for row in _cells(path) for cell in row]
    for cell in cells:
        assert not cell.startswith(DANGEROUS) or NUMBER.fullmatch(cell), f"{path.name}: live cell {cell!r}"
    for text in hostile:
        assert "'" + text in cells, f"{path.name}: {text!r} not written as '{text!r}"


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", LINK, CMD, "-", "+"])
def test_text_starting_like_a_formula_gets_a_quote(text):
    assert files.neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["-12.34", "+5", "-1e5", ".5", "1,234", "甲区", "", "a=b", " =1", 3, -2.5, None])
def test_numbers_and_ordinary_text_stay_as_they_are(value):
    assert files.neutralised(value) == value


def test_csv_bytes_neutralises_headers_index_and_text_columns_only():
    frame = pd.DataFrame({"-名称": ["=1+1", "甲", "-0.01"], "amount": [-1.5, 2.0, -3.0],
                          "kind": pd.Categorical(["@x", "y", "@x"])},
                         index=pd.Index(["+a", "b", "c"], name="=id"))
    text = files.csv_bytes(frame, index=True, float_format="%.2f").decode("utf-8")
    assert text == ("\ufeff'=id,'-名称,amount,kind\n"
                    "'+a,'=1+1,-1.50,'@x\n"
                    "b,甲,2.00,y\n"
                    "c,-0.01,-3.00,'@x\n")
    # The frame given is not changed.
    assert frame.iloc[0, 0] == "=1+1" and frame.index[0] == "+a"


def test_allocation_csv(tmp_path):
    rows = [{"district": LINK, "households": 1}, {"district": CMD, "households": 3},
            {"district": "@丙", "households": 2}, {"district": "-丁", "households": 2}]
    pool = {"id": "central", "label": "+中央", "amount_wan": 60.0, "weights": {"households": 1.0}}
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, rows, [pool], name="=1+1")))
    fm.write_allocation_report(result, tmp_path / "out")
    _assert_inert(tmp_path / "out" / "allocation.csv", LINK, CMD, "@丙", "-丁", "+中央（万元）")
    # Amounts stay numbers.
    assert _cells(tmp_path / "out" / "allocation.csv")[2][3] == "7.50"


def test_cashflow_csvs_of_a_bulk_run(tmp_path):
    count = ANNUAL_LIMIT + 2  # beyond it, coverage.csv and break-even.csv are written too
    names = [LINK, CMD] + [f"项目{k}" for k in range(2, count)]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["id", "name", "income.shops.amount_wan_per_year"])
    writer.writerows([f"q{k}", name, 200 + 5 * k] for k, name in enumerate(names))
    (tmp_path / "projects.csv").write_text(table.getvalue(), encoding="utf-8")
    path = tmp_path / "bulk.toml"
    path.write_text(HAND + '\n[project_table]\ntable = "projects.csv"\ntemplate = "hand"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    _assert_inert(out / "cashflow.csv", LINK, CMD)
    _assert_inert(out / "coverage.csv")
    _assert_inert(out / "break-even.csv")


def test_funding_mode_csvs(tmp_path):
    """bundling.csv of the bundled bundling example, a package named in the scenario and one named in its table
    made hostile."""
    source = ROOT / "scenarios" / "projects"
    shutil.copytree(source / "data", tmp_path / "data")
    text = (source / "bundling-2024.toml").read_text(encoding="utf-8")
    assert 'name = "东片小区01"' in text
    (tmp_path / "bundling.toml").write_text(text.replace('name = "东片小区01"', f'name = "{CMD}"'), encoding="utf-8")
    packages = tmp_path / "data" / "bundling-packages.csv"
    rows = _cells(packages)
    column = rows[0].index("name")
    assert rows[1][column] == "西片小区02"
    rows[1][column] = LINK
    with open(packages, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "bundling.toml"), "--out", str(out), "--quiet"]) == 0
    _assert_inert(out / "cashflow.csv", CMD, LINK)
    _assert_inert(out / "bundling.csv", CMD, LINK)


def test_balance_csv(tmp_path):
    """balance.csv of the bundled cross-area example, its bundle made hostile."""
    text = (ROOT / "scenarios" / "projects" / "cross-area-2024.toml").read_text(encoding="utf-8")
    assert 'name = "南片区小区 + 西片区停车楼"' in text
    path = tmp_path / "cross-area.toml"
    path.write_text(text.replace('name = "南片区小区 + 西片区停车楼"', f'name = "{CMD}"'), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    _assert_inert(out / "balance.csv", CMD)
    _assert_inert(out / "cashflow.csv")


def test_plan_csv(tmp_path):
    header = ("id,name,district,year_built,land_type,households,buildings,floor_area_m2,prior_year,prior_plan,"
              "consent_share,gaps")
    rows = [[f"c{k}", CMD if k == 0 else f"小区{k}", LINK if k < 2 else "@乙区", 1990 + k, "state_owned",
             300, 5, 20000, "", "", 0.8, "roads;facades"] for k in range(3)]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    (tmp_path / "library.csv").write_text(table.getvalue(), encoding="utf-8")
    budgets = io.StringIO()
    csv.writer(budgets, lineterminator="\n").writerows(
        [["district", "year", "budget_wan"], [LINK, 2021, 5000], [LINK, 2022, 5000], ["@乙区", 2021, 5000]])
    (tmp_path / "budgets.csv").write_text(budgets.getvalue(), encoding="utf-8")
    (tmp_path / "plan.toml").write_text(
        '[scenario]\nname = "计划"\n[library]\ntable = "library.csv"\n[budgets]\ntable = "budgets.csv"\n'
        "[plan]\nfirst_year = 2021\nlast_year = 2022\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "plan.toml"), "--out", str(out), "--quiet"]) == 0
    _assert_inert(out / "plan.csv", CMD, LINK, "@乙区")


def test_plan_csv_writes_counts_and_years_as_integers_and_no_year_as_empty(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "jinan-plan-2021.toml"), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "plan.csv").read_text(encoding="utf-8-sig"))))
    for row in rows:
        for column in ("建成年份", "改造户数（户）", "楼栋数（栋）"):
            assert row[column].isdigit(), (row["编号"], column, row[column])
        for column in ("已列入年度", "计划改造年度"):
            assert row[column] == "" or (row[column].isdigit() and int(row[column]) > 1900), (row["编号"], column)
    assert any(row["计划改造年度"] == "" for row in rows) and any(row["计划改造年度"] for row in rows)
    assert "未按期：“十四五”期间完成2000年前建成老旧小区改造" in rows[0]


def test_every_csv_header_is_in_the_reports_language(tmp_path):
    """Headers in Chinese for zh (units in the names), English for en; no key of the code in either."""
    runs = {"jinan-2023.toml": "allocation.csv", "jinan-plan-2021.toml": "plan.csv",
            "projects/bundling-2024.toml": "bundling.csv", "projects/cross-area-2024.toml": "balance.csv"}
    for scenario, name in runs.items():
        for lang in ("zh", "en"):
            out = tmp_path / f"{name}-{lang}"
            assert main(["run", str(ROOT / "scenarios" / scenario), "--out", str(out), "--quiet", "--lang", lang]) == 0
            for path in out.glob("*.csv"):
                header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
                keys = [h for h in header if re.fullmatch(r"[a-z0-9_]+", h)]
                assert not keys, f"{path.name} ({lang}): code keys as headers: {keys}"
                if lang == "zh":
                    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header), (path.name, header)


def test_allocation_csv_flags_its_total_and_unallocated_rows(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(JINAN_SCENARIO), "--out", str(out), "--quiet",
                 "--set", "pools.central.amount_wan=300000", "--set", "allocation.allow_unallocated=true"]) == 0
    rows = list(csv.reader(io.StringIO((out / "allocation.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "行类别"
    kinds = [row[0] for row in rows[1:]]
    assert kinds == ["合计"] + ["单位"] * 10 + ["未分配"]
    units = [row for row in rows[1:] if row[0] == "单位"]
    total = next(row for row in rows[1:] if row[0] == "合计")
    left = next(row for row in rows[1:] if row[0] == "未分配")
    # The flagged rows are what they say: the units and the unallocated money make up the total, to the fen.
    cents = lambda text: round(float(text) * 100)
    assert sum(cents(row[3]) for row in units) + cents(left[3]) == cents(total[3]) == 350000 * 100


def test_balance_csv_leaves_a_year_that_does_not_exist_empty(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / "projects" / "cross-area-2024.toml"), "--out", str(out),
                 "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "balance.csv").read_text(encoding="utf-8-sig"))))
    years = [row["首个现金短缺年份"] for row in rows]
    assert "-1" not in years and all(y == "" or (y.isdigit() and int(y) > 2000) for y in years)
    assert "" in years

"""What validation passed and a run then failed on: control characters a workbook cannot hold, numbers so large or
so small that a solver, a rounding or a power breaks, ids too long for a file name. ``validate`` refuses them now,
naming the place, and ``run`` refuses them the same way before solving."""

from __future__ import annotations

import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import JINAN, ROOT
from .test_input_files import both, jinan_copy

DISTRICTS = ROOT / "scenarios" / "data" / "jinan-2023-districts.csv"
ZOUCHENG = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_a_control_character_in_a_table_name_is_refused_by_validate(tmp_path, capsys, char):
    text = DISTRICTS.read_text(encoding="utf-8").replace("槐荫区", f"槐荫{char}区", 1)
    path = jinan_copy(tmp_path, text=text)
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2
    assert f"row 4: column 'district': the text holds the control character U+{ord(char):04X} at position 3" in err


def test_a_control_character_in_the_scenario_is_refused_with_its_key(tmp_path, capsys):
    text = JINAN.read_text(encoding="utf-8").replace('label = "中央财政补助资金"', 'label = "中央\\u0007资金"')
    path = jinan_copy(tmp_path)
    (tmp_path / "data" / "jinan-2023-districts.csv").write_bytes(DISTRICTS.read_bytes())
    path.write_text(text, encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "jinan.toml: pools.central.label: the text holds the control character U+0007" in err
    path.write_text(JINAN.read_text(encoding="utf-8").replace("households = 0.4", '"house\\u0001holds" = 0.4', 1),
                    encoding="utf-8")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "pools.central.weights: a key: the text holds the control character U+0001" in err


def test_tabs_and_line_breaks_in_text_are_kept(tmp_path, capsys):
    text = DISTRICTS.read_text(encoding="utf-8").replace("槐荫区", '"槐荫\n区"', 1)
    path = jinan_copy(tmp_path, text=text)
    assert main(["validate", str(path)]) == 0
    assert "槐荫\n区" in fm.load_scenario(path).districts.index


@pytest.mark.parametrize("override, words", [
    ("pools.central.amount_wan=1e20", "pools.central.amount_wan: 1e20 is above the largest number finmodel takes"),
    ("pools.central.amount_wan=1e308", "pools.central.amount_wan: 1e308 is above the largest number"),
    ("allocation.hold_harmless.floor=inf", "allocation.hold_harmless.floor: not a finite number (inf)"),
    ("allocation.hold_harmless.cap=1e300", "allocation.hold_harmless.cap: 1e300 is above the largest number"),
    ("allocation.time_limit_s=1e-320", "allocation.time_limit_s: 1e-320 is closer to 0 than the smallest number"),
    ("allocation.minimum.amount_wan=100000000000000000000000000000", "1e+29 is above the largest number"),
    ("allocation.minimum.amount_wan=" + "9" * 400, "a 400-digit number is above the largest number"),
])
def test_numbers_beyond_the_limits_are_refused_by_validate(override, words, capsys, tmp_path):
    code, err = both([str(JINAN), "--set", override], capsys, tmp_path)
    assert code == 2 and words in err


@pytest.mark.parametrize("cell, words", [
    ("1e20", "1e20 is above the largest number finmodel takes, 1e+10 (unit '槐荫区')"),
    ("-1e308", "-1e308 is below the most negative number finmodel takes"),
    ("1e-320", "is closer to 0 than the smallest number finmodel takes, 1e-09"),
])
def test_table_numbers_beyond_the_limits_are_refused_by_validate(tmp_path, capsys, cell, words):
    lines = DISTRICTS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("need_wan")] = cell
    lines[3] = ",".join(cells)
    path = jinan_copy(tmp_path, text="\n".join(lines) + "\n")
    code, err = both([str(path)], capsys, tmp_path)
    assert code == 2 and "row 4: column 'need_wan'" in err and words in err


@pytest.mark.parametrize("override, words", [
    ("projects.zoucheng.loans.bank.rate=5e-324", "loans.bank.rate: 5e-324 is closer to 0"),
    ("projects.zoucheng.capex.items_wan.basic=1e20", "capex.items_wan.basic: 1e20 is above the largest"),
    ("projects.zoucheng.income.parking.spaces=100000000000000000000", "income.parking.spaces: 1e+20 is above"),
    ("projects.zoucheng.bonds.bond2024.principal_wan=nan", "bonds.bond2024.principal_wan: not a finite number"),
])
def test_project_numbers_beyond_the_limits_are_refused(override, words, capsys, tmp_path):
    code, err = both([str(ZOUCHENG), "--set", override], capsys, tmp_path)
    assert code == 2 and words in err


def test_a_project_id_too_long_for_a_file_name_is_refused_by_validate(capsys, tmp_path):
    # The id names the chart file: 300 characters passed validation and failed on writing the report.
    code, err = both([str(ZOUCHENG), "--set", "projects.zoucheng.id=" + "x" * 300], capsys, tmp_path)
    assert code == 2 and "projects[0].id: an id is 1 to 64 letters, digits, '_' or '-'" in err
    assert "(300 characters)" in err
    code, err = both([str(ZOUCHENG), "--set", "projects.zoucheng.id=" + "x" * 64], capsys, tmp_path)
    assert code == 0


@pytest.mark.parametrize("new_id", ["a b", "a.b", "a/b", "a\\\\b", "=x", ""])
def test_ids_hold_letters_digits_underscores_and_hyphens(new_id, capsys, tmp_path):
    code, err = both([str(ZOUCHENG), "--set", f'projects.zoucheng.loans.bank.id="{new_id}"'], capsys, tmp_path)
    assert code == 2 and "loans[0].id: an id is 1 to 64 letters, digits" in err


def test_ids_that_differ_only_in_capitals_are_refused(tmp_path):
    text = ZOUCHENG.read_text(encoding="utf-8")
    second = text[text.index("[[projects]]"):].replace('id = "zoucheng"', 'id = "Zoucheng"', 1)
    path = tmp_path / "two.toml"
    path.write_text(text + "\n" + second, encoding="utf-8")
    with pytest.raises(fm.InputError, match="ids that differ only in capitals name the same chart file: "
                                            "Zoucheng, zoucheng"):
        fm.load_project_scenario(path)


def test_a_pool_id_is_lowercase_ascii(capsys, tmp_path):
    code, err = both([str(JINAN), "--set", 'pools.central.id="中央"'], capsys, tmp_path)
    assert code == 2 and "pools.中央.id: a pool id is 1 to 64 lowercase ASCII letters" in err


def test_the_limits_let_the_largest_valid_inputs_run(tmp_path, capsys):
    """At the limits themselves, input is valid and runs."""
    out = tmp_path / "out"
    assert main(["run", str(ZOUCHENG), "--set", "projects.zoucheng.income.advertising.amount_wan_per_year=1e10",
                 "--set", "projects.zoucheng.loans.bank.rate=1e-9", "--out", str(out), "--quiet"]) == 0

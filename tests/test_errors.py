"""One broken scenario per user mistake: each message names the place and what is wrong, exit code 2."""

from __future__ import annotations

import pytest

import finmodel as fm
from finmodel.cli import main

from .conftest import FIXTURES, JINAN

BROKEN = FIXTURES / "broken"

CASES = {
    # fixture: words the message must contain (file, key or row/column, what is wrong)
    "unknown_key": ["unknown_key.toml", "unknown key 'amout_wan'", "pools.central", "did you mean 'amount_wan'"],
    "missing_column": ["missing_column.toml", "pools.central.weights.floor_area", "no column 'floor_area'",
                       "good.csv"],
    "non_numeric": ["non_numeric.csv", "row 3", "column 'households'", "not a number: '约一万四'"],
    "empty_cell": ["empty_cell.csv", "row 3", "column 'floor_area_m2'", "empty cell"],
    "duplicate_district": ["duplicate.csv", "column 'district'", "duplicate name '历下区'", "rows 2, 4"],
    "weights_sum": ["weights_sum.toml", "pools.central.weights", "sum to 0.9", "must sum to 1"],
    "negative_amount": ["negative_amount.toml", "pools.central.amount_wan", "greater than or equal to 0"],
    "missing_file": ["missing_file.toml", "districts.table", "not found", "nowhere.csv"],
    "three_decimals": ["three_decimals.toml", "pools.central.amount_wan", "more than two decimals"],
    "duplicate_pool": ["duplicate_pool.toml", "pool id 'central' is used twice"],
    "toml_duplicate_key": ["toml_duplicate_key.toml", "given twice", "line 14"],
    "toml_syntax": ["toml_syntax.toml", "not valid TOML", "line 11"],
    "zero_inverse": ["zero_inverse.csv", "row 4", "column 'fiscal_capacity_ratio'", "above 0"],
    "missing_difficulty": ["missing_difficulty.toml", "pools.central.difficulty", "no column 'difficulty_coef'"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_scenario_names_the_place(name, capsys):
    code = main(["validate", str(BROKEN / f"{name}.toml"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    for words in CASES[name]:
        assert words in err, f"{words!r} missing from: {err}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_scenario_raises_input_error_in_the_api(name):
    with pytest.raises(fm.InputError):
        fm.load_scenario(BROKEN / f"{name}.toml")


def test_every_fixture_is_tested():
    assert {p.stem for p in BROKEN.glob("*.toml")} == set(CASES)


def test_run_writes_nothing_on_bad_input(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(BROKEN / "weights_sum.toml"), "--out", str(out), "--lang", "en"]) == 2
    assert not out.exists() or not any(out.iterdir())


def test_debug_shows_the_traceback(capsys):
    main(["--debug", "validate", str(BROKEN / "weights_sum.toml"), "--lang", "en"])
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    "override, words",
    [
        ("pools.nowhere.amount_wan=1", ["--set pools.nowhere.amount_wan", "no element with id 'nowhere'",
                                        "central, provincial, city"]),
        ("pools.central.amount_wan", ["--set expects KEY=VALUE"]),
        ("pools.central.amount_wan=-5", ["pools.central.amount_wan", "greater than or equal to 0"]),
        ("pools.central.weights.households=0.5", ["pools.central.weights", "must sum to 1"]),
        ("pools.central.colour=1", ["unknown key 'colour'", "[pools.central]"]),
        ("scenario.name.first=1", ["'scenario.name' is a value, not a table"]),
    ],
)
def test_bad_override_names_the_key(override, words, capsys):
    assert main(["validate", str(JINAN), "--set", override, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, f"{w!r} missing from: {err}"


def test_missing_scenario_file(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "none.toml"), "--lang", "en"]) == 2
    assert "none.toml: scenario file not found" in capsys.readouterr().err

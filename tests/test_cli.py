"""The command line as a user meets it: --version, --help, --quiet, --verbose, where a --set mistake is, exit codes."""

from __future__ import annotations

import pytest

from finmodel import cli
from finmodel.cli import main

from .conftest import JINAN


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("finmodel ")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for kind, example in (("allocation", "jinan-2023.toml"), ("projects", "zoucheng-2024.toml"),
                          ("plan", "jinan-plan-2021.toml")):
        assert kind in out and example in out
    assert "130 interrupted" in out and "5 internal error" in out


def test_quiet_prints_nothing_but_errors(tmp_path, capsys):
    assert main(["run", str(JINAN), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""
    assert (tmp_path / "a" / "allocation.xlsx").exists()
    assert main(["run", str(JINAN), "--out", str(tmp_path / "b"), "--quiet", "--set", "pools.centrl.amount_wan=1"]) == 2
    assert capsys.readouterr().err.startswith("错误：--set pools.centrl.amount_wan:")


def test_solver_detail_only_with_verbose(tmp_path, capsys):
    fit = ["--set", "allocation.split=fit"]  # the LP runs (the bundled split needs no solver)
    assert main(["run", str(JINAN), "--out", str(tmp_path / "a"), *fit]) == 0
    assert "次求解：" not in capsys.readouterr().err
    assert main(["run", str(JINAN), "--out", str(tmp_path / "b"), "--verbose", *fit]) == 0
    assert "第 1 次求解：" in capsys.readouterr().err


def test_a_set_mistake_is_the_command_lines_not_the_files(tmp_path, capsys):
    assert main(["run", str(JINAN), "--out", str(tmp_path), "--set", "pools.central.amount_wam=1"]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("错误：--set pools.central.amount_wam: unknown key") and str(JINAN) not in error


def test_a_defect_is_exit_5_and_the_hint_is_left_out_with_debug(tmp_path, capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(cli, "_run", broken)
    assert main(["run", str(JINAN), "--out", str(tmp_path)]) == 5
    assert "加 --debug 重新运行" in capsys.readouterr().err
    assert main(["--debug", "run", str(JINAN), "--out", str(tmp_path)]) == 5
    err = capsys.readouterr().err
    assert "加 --debug 重新运行" not in err and "Traceback" in err


def test_long_summary_lines_break_at_their_separators_within_100_columns():
    from finmodel.report.cells import display_width

    line = "某项目: " + "；".join(f"指标{k}（万元） {k * 1000:,.2f}" for k in range(12))
    lines = cli.fit_terminal(line)
    assert len(lines) > 1 and all(display_width(part) <= 100 for part in lines)
    assert "".join(part.strip() for part in lines).replace(" ", "") == line.replace(" ", "")
    assert all(part.startswith("  ") for part in lines[1:])
    assert cli.fit_terminal("短行") == ["短行"]


def test_project_runs_print_within_100_columns(tmp_path, capsys):
    from finmodel.report.cells import display_width

    from .conftest import ROOT

    assert main(["run", str(ROOT / "scenarios" / "projects" / "bundling-2024.toml"), "--out", str(tmp_path)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("已写出 ")]
    assert printed and max(display_width(line) for line in printed) <= 100

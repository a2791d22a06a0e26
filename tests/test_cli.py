"""The command line as a user meets it: --version, --help, --quiet, --verbose, where a --set mistake is, exit codes,
Ctrl-C, progress, several scenarios in one run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from finmodel import cli
from finmodel.cli import main
from finmodel.report.cells import display_width

from .conftest import JINAN, ROOT

PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"


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
    assert max(display_width(line) for line in out.splitlines()) <= 100


def test_quiet_prints_nothing_but_errors(tmp_path, capsys):
    assert main(["run", str(JINAN), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""
    assert (tmp_path / "a" / "allocation.xlsx").exists()
    assert main(["run", str(JINAN), "--out", str(tmp_path / "b"), "--quiet", "--set", "pools.centrl.amount_wan=1"]) == 2
    assert capsys.readouterr().err.startswith("错误：--set pools.centrl.amount_wan：")


def test_solver_detail_only_with_verbose(tmp_path, capsys):
    fit = ["--set", "allocation.split=fit", "--set", "allocation.fit_method=lp"]  # the LP runs
    assert main(["run", str(JINAN), "--out", str(tmp_path / "a"), *fit]) == 0
    assert "次求解：" not in capsys.readouterr().err
    assert main(["run", str(JINAN), "--out", str(tmp_path / "b"), "--verbose", *fit]) == 0
    # the stage and the status in the run's language
    assert "第 1 次求解：未分配资金最少（central） — 最优，" in capsys.readouterr().err
    assert main(["run", str(JINAN), "--out", str(tmp_path / "c"), "--verbose", "--lang", "en", *fit]) == 0
    assert "solve 1: least unallocated, pool central — Optimal, " in capsys.readouterr().err


def test_a_set_mistake_is_the_command_lines_not_the_files(tmp_path, capsys):
    assert main(["run", str(JINAN), "--out", str(tmp_path), "--set", "pools.central.amount_wam=1"]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("错误：--set pools.central.amount_wam：[pools.central] 中没有键“amount_wam”；是否应为") \
        and str(JINAN) not in error


@pytest.mark.parametrize("setting, message", [
    ("pools.central.amount_wan=abc", "错误：--set pools.central.amount_wan='abc'：应为数字（给出的是 'abc'）"),
    ("pools.central.amount_wan=-3", "错误：--set pools.central.amount_wan=-3：应不小于 0（给出的是 -3）"),
])
def test_a_bad_set_value_is_the_command_lines_not_the_files(tmp_path, capsys, setting, message):
    assert main(["run", str(JINAN), "--out", str(tmp_path / "out"), "--set", setting]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith(message) and str(JINAN) not in error


def test_a_rule_a_set_value_breaks_names_both(tmp_path, capsys):
    plan = JINAN.parent / "jinan-plan-2021.toml"
    assert main(["run", str(plan), "--out", str(tmp_path / "out"), "--set", "plan.last_year=2020"]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert "last_year 2020 早于 first_year 2021（使用了 --set plan.last_year=2020）" in error


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
    # A colon inside a path or an address is no separator.
    path = "错误：C:\\数据\\" + "长" * 60 + ".csv：不是 UTF-8 文本；请另存为 UTF-8"
    assert [part.strip() for part in cli.fit_terminal(path)] == [
        "错误：", "C:\\数据\\" + "长" * 60 + ".csv：", "不是 UTF-8 文本；请另存为 UTF-8"]


def test_project_runs_print_within_100_columns(tmp_path, capsys):
    from finmodel.report.cells import display_width

    from .conftest import ROOT

    assert main(["run", str(ROOT / "scenarios" / "projects" / "bundling-2024.toml"), "--out", str(tmp_path)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("已写出 ")]
    assert printed and max(display_width(line) for line in printed) <= 100


def _leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT to a child process")
@pytest.mark.parametrize("after_s", [0.3, 2.5])
def test_ctrl_c_during_a_plan_solve_stops_at_once_and_writes_nothing(tmp_path, after_s):
    """With no gap allowed the bundled plan's branch and bound runs for minutes; Ctrl-C must end the command
    within 2 s, exit 130 and leave no output folder, staging folder or lock behind."""
    out = tmp_path / "reports" / "plan"
    proc = subprocess.Popen([sys.executable, "-m", "finmodel.cli", "run", str(PLAN), "--out", str(out),
                             "--set", "plan.mip_rel_gap=0", "--set", "plan.time_limit_s=120"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = bytearray()

    def read() -> None:
        while chunk := proc.stderr.read1(4096):
            seen.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        # The progress line names the solve once it has run for a second: HiGHS is at work.
        while "第 1 次求解".encode() not in seen:
            assert proc.poll() is None and time.monotonic() < deadline, seen.decode()
            time.sleep(0.02)
        time.sleep(after_s)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    reader.join(5)
    assert code == 130, seen.decode()
    assert took < 2.0, f"stopped {took:.2f} s after Ctrl-C"
    assert "已中断，未写出任何文件" in seen.decode()
    assert not out.exists() and not out.parent.exists()  # the folders it made for the run are gone too
    assert not [p for p in tmp_path.rglob("*") if ".finmodel-" in p.name]


def test_ctrl_c_in_the_api_waits_for_highs_to_stop(monkeypatch):
    """Without the command's grace the interrupt waits for HiGHS to stop: no thread is left running."""
    import highspy

    from finmodel.solver import _run_interruptibly, abandoned_solve

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.HandleUserInterrupt = True
    calls = []

    def wait(timeout):
        calls.append(timeout)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return (len(calls) > 3, None)

    import finmodel.solver

    monkeypatch.setattr(finmodel.solver, "INTERRUPT_GRACE_S", None)  # the API's own setting
    monkeypatch.setattr(highs, "startSolve", lambda: None)
    monkeypatch.setattr(highs, "is_solver_running", lambda: True)
    monkeypatch.setattr(highs, "wait", wait)
    monkeypatch.setattr(highs, "cancelSolve", lambda: calls.append("cancel"))
    with pytest.raises(KeyboardInterrupt):
        _run_interruptibly(highs)
    assert calls == [0.05, "cancel", 0.05, 0.05] and not abandoned_solve()


def test_the_commands_grace_does_not_outlive_the_command(tmp_path):
    import finmodel.solver

    assert finmodel.solver.INTERRUPT_GRACE_S is None
    assert main(["validate", str(JINAN)]) == 0
    assert finmodel.solver.INTERRUPT_GRACE_S is None  # an API solve after it still waits for HiGHS to stop


def test_a_folder_of_one_scenario_with_out_gets_a_folder_each_under_out(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios" / "data", folder / "data")
    shutil.copy(JINAN, folder / JINAN.name)
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["jinan-2023"]


def test_an_interrupt_after_some_scenarios_says_which_are_written(tmp_path, capsys, monkeypatch):
    second = tmp_path / "b.toml"
    shutil.copy(JINAN, tmp_path / "a.toml")
    shutil.copy(JINAN, second)
    shutil.copytree(ROOT / "scenarios" / "data", tmp_path / "data")
    real = cli._run_one

    def run_one(args, file, real=real):
        if file == second:
            raise KeyboardInterrupt
        return real(args, file)

    monkeypatch.setattr(cli, "_run_one", run_one)
    assert main(["run", str(tmp_path / "a.toml"), str(second), "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert f"已中断；中断前已完成并写出：{tmp_path / 'a.toml'}；其余未写出" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a"]


def test_several_scenarios_and_a_folder_run_into_folders_of_their_own(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios" / "data", folder / "data")
    shutil.copy(JINAN, folder / JINAN.name)
    (folder / "broken.toml").write_text('kind = "allocation"\n[scenario]\nname = 3\n', encoding="utf-8")
    zoucheng = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"
    out = tmp_path / "out"
    assert main(["run", str(folder), str(zoucheng), "--out", str(out)]) == 2  # the most serious of 2, 0, 0
    printed = capsys.readouterr()
    assert "共运行 3 个情景：2 个完成，1 个失败（退出码 2）" in printed.err
    assert f"错误：{folder / 'broken.toml'}" in printed.err
    assert sorted(p.name for p in out.iterdir()) == ["jinan-2023", "zoucheng-2024"]
    assert (out / "jinan-2023" / "allocation.xlsx").exists() and (out / "zoucheng-2024" / "cashflow.xlsx").exists()
    # one line each on stdout, with the folder it went to; each run's own results only with --verbose
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 — lines wrap at the terminal's width
    assert squash(printed.out) == squash(
        f"✓ jinan-2023.toml: 80,000.00 万元分给 10 个单位，合规检查 14/14 项通过 → {out / 'jinan-2023'}"
        f"✓ zoucheng-2024.toml: 1 个项目，补助后净现值合计 3,082.88 万元 → {out / 'zoucheng-2024'}")
    assert main(["run", str(folder / JINAN.name), str(zoucheng), "--out", str(out), "--verbose"]) == 0
    assert "历下区" in capsys.readouterr().out


def test_two_scenarios_of_one_name_are_refused_before_either_runs(tmp_path, capsys):
    other = tmp_path / JINAN.name
    shutil.copy(JINAN, other)
    assert main(["run", str(JINAN), str(other), "--out", str(tmp_path / "out")]) == 2
    assert "同名：每个情景的报告写入以其文件名命名的文件夹" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_an_empty_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["run", str(tmp_path)]) == 2
    assert "这个文件夹里没有情景文件（*.toml）" in capsys.readouterr().err
    assert main(["run", str(tmp_path), "--lang", "en"]) == 2
    assert "this is a folder with no scenario file (*.toml) in it" in capsys.readouterr().err


def test_the_progress_line_shows_after_a_second_and_never_with_quiet(monkeypatch):
    import io

    from finmodel import progress

    stream = io.StringIO()
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    monkeypatch.setattr(progress, "TICK_S", 0.01)
    with progress.Activity("编制计划", stream=stream) as line:
        line.describe("第 1 次求解")
        time.sleep(0.1)
    assert "编制计划 — 第 1 次求解：已用 00:00" in stream.getvalue()
    quiet = io.StringIO()
    with progress.Activity("编制计划", stream=quiet, enabled=False) as line:
        line.describe("第 1 次求解")
        line.write("solve detail")
    assert quiet.getvalue() == ""
    counted = io.StringIO()
    with progress.Activity("测算项目", 200, stream=counted) as line:
        line.advance(100)
        time.sleep(0.05)
    assert "测算项目：100/200" in counted.getvalue()

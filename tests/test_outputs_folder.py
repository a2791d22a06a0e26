"""A run replaces its output folder whole or not at all, one run at a time, and says at once when it cannot."""

from __future__ import annotations

import builtins
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.report import files
from finmodel.report.manifest import write_with_manifest

from .conftest import JINAN, ROOT, write_scenario

ZOUCHENG = ROOT / "scenarios" / "projects" / "zoucheng-2024.toml"
PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"
# What may stand beside a report folder ``x``: .x.finmodel-lock, .x.finmodel-new, .x.finmodel-old.
LOCK_SUFFIX, NEW_SUFFIX, OLD_SUFFIX = SUFFIXES = (".finmodel-lock", ".finmodel-new", ".finmodel-old")
posix_only = pytest.mark.skipif(os.name != "posix", reason="kills and forks a process")


def _sibling(folder: Path, suffix: str) -> Path:
    return folder.parent / f".{folder.name}{suffix}"


def _leftovers(folder: Path) -> list[str]:
    return sorted(s for s in SUFFIXES if os.path.lexists(_sibling(folder, s)))


def _complete(folder: Path) -> dict | None:
    """The manifest of ``folder`` if the folder holds exactly what it lists, with the listed bytes; else None."""
    try:
        record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        names = {p.name for p in folder.iterdir()}
    except (OSError, ValueError):
        return None
    listed = {o["file"]: o["sha256"] for o in record["outputs"]}
    if names != set(listed) | {"manifest.json"}:
        return None
    for name, digest in listed.items():
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            return None
    return record


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _never(*args, **kwargs):
    raise AssertionError("solved although the output folder cannot be written")


@pytest.fixture(scope="module")
def jinan_scenario():
    return fm.load_scenario(JINAN)


# ------------------------------------------------------------------------------------------------
# The folder holds what the manifest lists, nothing else


def test_files_of_an_earlier_scenario_are_gone(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(JINAN), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    assert (out / "allocation.xlsx").exists()
    assert main(["run", str(ZOUCHENG), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    record = _complete(out)
    assert record is not None and record["scenario"]["file"] == str(ZOUCHENG)
    assert not [p for p in out.iterdir() if p.name.startswith("allocation")]
    assert _leftovers(out) == []


def test_a_chart_the_new_run_does_not_make_is_gone(tmp_path):
    out = tmp_path / "out"
    fm.write_allocation_report(fm.allocate(fm.load_scenario(JINAN)), out)  # with the LP: two charts
    assert (out / "allocation-vs-formula.png").exists()
    path = write_scenario(tmp_path, [{"district": "甲", "households": 1}, {"district": "乙", "households": 3}],
                          [{"id": "p", "label": "资金", "amount_wan": 10.0, "weights": {"households": 1.0}}])
    fm.write_allocation_report(fm.allocate(fm.load_scenario(path)), out)  # formula only: one chart
    assert not (out / "allocation-vs-formula.png").exists()
    assert _complete(out) is not None


def test_english_reports_go_to_their_own_default_folder(tmp_path, monkeypatch):
    shutil.copy(JINAN, tmp_path / JINAN.name)
    shutil.copytree(JINAN.parent / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["run", JINAN.name, "--quiet"]) == 0
    chinese = tmp_path / "reports" / JINAN.stem
    before = _snapshot(chinese)
    assert main(["run", JINAN.name, "--quiet", "--lang", "en"]) == 0
    english = tmp_path / "reports" / f"{JINAN.stem}-en"
    assert _snapshot(chinese) == before
    assert json.loads((english / "manifest.json").read_text(encoding="utf-8"))["language"] == "en"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [JINAN.stem, f"{JINAN.stem}-en"]


# ------------------------------------------------------------------------------------------------
# Folders a run must not replace or cannot write: exit 2 before anything is solved


def test_out_that_is_a_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("finmodel.allocation.allocate", _never)
    monkeypatch.setattr("finmodel.planning.plan", _never)
    path = tmp_path / "report.txt"
    path.write_text("mine", encoding="utf-8")
    for scenario in (JINAN, PLAN):
        assert main(["run", str(scenario), "--out", str(path), "--lang", "en"]) == 2
        err = capsys.readouterr().err
        assert f"{path}: is a file, not a folder" in err and "unexpected" not in err
    assert main(["run", str(JINAN), "--out", str(path / "sub"), "--lang", "en"]) == 2
    assert f"{path} is a file, not a folder" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "mine"


@pytest.fixture
def unprivileged(monkeypatch):
    """Permission bits bind as they do for an ordinary user, even when the tests run as root (who may write
    anywhere): the folder checks ask os.access."""
    if os.name == "posix" and os.geteuid() == 0:
        real = os.access

        def access(path, mode, *args, **kwargs):
            try:
                read_only = not os.stat(path).st_mode & stat.S_IWUSR
            except OSError:
                read_only = False
            if mode & os.W_OK and read_only:
                return False
            return real(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)


def test_read_only_folder_is_refused_before_solving(tmp_path, capsys, monkeypatch, unprivileged):
    out = tmp_path / "out"
    assert main(["run", str(JINAN), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    before = _snapshot(out)
    monkeypatch.setattr("finmodel.allocation.allocate", _never)
    monkeypatch.setattr("finmodel.planning.plan", _never)
    out.chmod(0o555)
    try:
        for scenario in (JINAN, PLAN):
            assert main(["run", str(scenario), "--out", str(out), "--lang", "en"]) == 2
            err = capsys.readouterr().err
            assert f"{out}: is read-only" in err, err
    finally:
        out.chmod(0o755)
    assert _snapshot(out) == before


def test_read_only_parent_is_refused_before_solving(tmp_path, capsys, monkeypatch, unprivileged):
    parent = tmp_path / "shared"
    parent.mkdir()
    monkeypatch.setattr("finmodel.allocation.allocate", _never)
    parent.chmod(0o555)
    try:
        assert main(["run", str(JINAN), "--out", str(parent / "out" / "x"), "--lang", "en"]) == 2
    finally:
        parent.chmod(0o755)
    assert f"{parent} is read-only" in capsys.readouterr().err
    assert list(parent.iterdir()) == []


def test_a_folder_that_is_not_a_report_is_left_alone(tmp_path, capsys, monkeypatch):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    monkeypatch.setattr("finmodel.allocation.allocate", _never)
    assert main(["run", str(JINAN), "--out", str(out), "--lang", "en"]) == 2
    assert "holds no report (no manifest.json)" in capsys.readouterr().err
    assert _snapshot(out) == {"notes.txt": "keep me".encode("utf-8")}
    assert _leftovers(out) == []


def test_a_folder_holding_the_scenario_is_refused(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "work"
    folder.mkdir()
    path = write_scenario(folder, [{"district": "甲", "households": 1}],
                          [{"id": "p", "label": "资金", "amount_wan": 10.0, "weights": {"households": 1.0}}])
    (folder / "manifest.json").write_text('{"outputs": []}', encoding="utf-8")  # as an older version left it
    before = _snapshot(folder)
    assert main(["run", str(path), "--out", str(folder), "--lang", "en"]) == 2
    assert f"holds {path}, which a run would delete" in capsys.readouterr().err
    with pytest.raises(fm.InputError, match="scenario.toml, which a run would delete"):
        fm.write_allocation_report(fm.allocate(fm.load_scenario(path)), folder)
    assert _snapshot(folder) == before


# ------------------------------------------------------------------------------------------------
# One run at a time


def _holder(folder: Path) -> subprocess.Popen:
    """Another process holding ``folder`` until it is killed."""
    code = ("import sys, time\nfrom finmodel.report.files import output_folder\n"
            "with output_folder(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@posix_only
def test_a_second_run_fails_at_once_and_a_dead_holder_is_taken_over(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    holder = _holder(out)
    try:
        monkeypatch.setattr("finmodel.allocation.allocate", _never)
        started = time.monotonic()
        assert main(["run", str(JINAN), "--out", str(out), "--lang", "en"]) == 2
        assert time.monotonic() - started < 5
        err = capsys.readouterr().err
        assert f"{out}: another finmodel run (process {holder.pid}) is writing this folder" in err, err
        with pytest.raises(fm.InputError, match=f"process {holder.pid}"):
            fm.write_allocation_report(fm.allocate(fm.load_scenario(JINAN)), out)
    finally:
        holder.kill()  # SIGKILL: no clean-up of its own
        holder.wait()
    assert _sibling(out, LOCK_SUFFIX).exists()  # the dead run's lock file stays behind …
    monkeypatch.undo()
    assert main(["run", str(JINAN), "--out", str(out), "--quiet", "--lang", "en"]) == 0  # … and is taken over
    assert _complete(out) is not None and _leftovers(out) == []


def test_a_lock_file_naming_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _sibling(out, LOCK_SUFFIX).write_text(f"{dead.pid}\n", encoding="ascii")
    assert main(["run", str(JINAN), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    assert _complete(out) is not None and _leftovers(out) == []


@posix_only
def test_two_runs_into_one_folder(tmp_path, capsys):
    """A plan solving for seconds holds its folder; an allocation started meanwhile into it stops at once."""
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "finmodel.cli", "run", str(PLAN), "--out", str(out), "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = _sibling(out, LOCK_SUFFIX)
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text(encoding="ascii").strip()):
        assert first.poll() is None and time.monotonic() < deadline, "the plan run never locked its folder"
        time.sleep(0.01)
    assert main(["run", str(JINAN), "--out", str(out), "--lang", "en"]) == 2
    assert f"another finmodel run (process {first.pid})" in capsys.readouterr().err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    record = _complete(out)
    assert record is not None and record["scenario"]["file"] == str(PLAN)
    assert _leftovers(out) == []


def test_a_second_writer_in_the_same_process_is_refused(tmp_path, jinan_scenario):
    import threading

    out = tmp_path / "out"
    caught = []
    with files.output_folder(out):
        thread = threading.Thread(target=lambda: caught.append(_attempt(out, jinan_scenario)))
        thread.start()
        thread.join()
    assert isinstance(caught[0], fm.InputError) and f"({os.getpid()})" in str(caught[0])


def _attempt(out, scenario):
    try:
        write_with_manifest(scenario, {"a.csv": b"x"}, out, command="t", lang="zh")
    except fm.InputError as exc:
        return exc
    return None


# ------------------------------------------------------------------------------------------------
# Failures and kills during the swap: the old folder or the new one, whole


def _old_folder(out: Path, scenario) -> dict[str, bytes]:
    write_with_manifest(scenario, {"a.csv": b"old\n", "only-old.png": b"\x89PNG old"}, out, command="old",
                        lang="zh")
    return _snapshot(out)


NEW_FILES = {"a.csv": b"new\n", "b.xlsx": b"PK new", "only-new.png": b"\x89PNG new"}


def test_a_file_held_open_leaves_the_old_folder_as_it_was(tmp_path, capsys, monkeypatch):
    """Windows refuses to move a folder with a file open in Excel; the run says so and changes nothing."""
    out = tmp_path / "out"
    assert main(["run", str(JINAN), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    before = _snapshot(out)
    real = os.rename

    def rename(src, dst, *args, **kwargs):
        if Path(src) == out.resolve():
            raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                                "another process", str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    assert main(["run", str(JINAN), "--out", str(out), "--set", "pools.central.amount_wan=32000", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: cannot be replaced; it is left as it was" in err and "unexpected" not in err
    assert _snapshot(out) == before
    assert _leftovers(out) == []


@pytest.mark.parametrize("failure", [OSError(errno.EIO, "I/O error"), KeyboardInterrupt()])
def test_a_failed_second_rename_puts_the_old_folder_back(tmp_path, monkeypatch, jinan_scenario, failure):
    out = tmp_path / "out"
    before = _old_folder(out, jinan_scenario)
    real = os.rename

    def rename(src, dst, *args, **kwargs):
        if Path(src) == _sibling(out.resolve(), NEW_SUFFIX):  # the new folder into place; the old one may go back
            raise failure
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(fm.InputError if isinstance(failure, OSError) else KeyboardInterrupt):
        files.replace_folder(out, NEW_FILES)
    monkeypatch.undo()
    assert _snapshot(out) == before
    assert _leftovers(out) == []


def test_a_full_disk_while_writing_leaves_the_old_folder(tmp_path, monkeypatch, jinan_scenario):
    out = tmp_path / "out"
    before = _old_folder(out, jinan_scenario)
    real = builtins.open
    written = []

    def open_(file, mode="r", *args, **kwargs):
        if "x" in mode:
            written.append(file)
            if len(written) == 2:
                raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_)
    with pytest.raises(fm.InputError, match="No space left on device"):
        files.replace_folder(out, NEW_FILES)
    monkeypatch.undo()
    assert _snapshot(out) == before and _leftovers(out) == []


# Every call by which a run changes the file system; the child kills itself before the chosen one.
CHANGES = ("mkdir", "rename", "replace", "fsync", "unlink", "rmdir", "write", "ftruncate")


def _killed_at(step: int, out: Path, scenario) -> bool:
    """Write NEW_FILES into ``out`` in a child process that SIGKILLs itself before its ``step``-th change to the
    file system (file opens included); True if it was killed, False if it finished first."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            count = [0]

            def before(function):
                def call(*args, **kwargs):
                    if count[0] == step:
                        os.kill(os.getpid(), signal.SIGKILL)
                    count[0] += 1
                    return function(*args, **kwargs)
                return call

            for name in CHANGES:
                setattr(os, name, before(getattr(os, name)))
            real_open = builtins.open
            open_to_write = before(real_open)
            builtins.open = lambda file, mode="r", *args, **kwargs: (
                (open_to_write if set(mode) & set("wxa+") else real_open)(file, mode, *args, **kwargs))
            write_with_manifest(scenario, NEW_FILES, out, command="new", lang="zh")
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, "the child failed instead of finishing"
    return False


def _state(out: Path) -> str:
    """Which run the folder is from right after a kill: 'old' or 'new' whole, 'none' if it never existed, or
    'old aside' when the kill fell between the swap's two renames (the old folder whole beside it)."""
    allowed = {out.name} | {_sibling(out, s).name for s in SUFFIXES}
    assert set(os.listdir(out.parent)) <= allowed, os.listdir(out.parent)
    if out.exists():
        record = _complete(out)
        assert record is not None, f"{out} is half-replaced: {sorted(p.name for p in out.iterdir())}"
        return record["command"]
    aside = _sibling(out, OLD_SUFFIX)
    if aside.exists():
        record = _complete(aside)
        assert record is not None and record["command"] == "old", "the old folder set aside is not whole"
        return "old aside"
    return "none"


@posix_only
@pytest.mark.parametrize("with_old", [True, False], ids=["replacing", "first run"])
def test_a_run_killed_at_any_step(tmp_path, jinan_scenario, with_old):
    out = tmp_path / "out"
    seen = []
    for step in range(500):
        if with_old:
            before = _old_folder(out, jinan_scenario)
        elif out.exists():
            shutil.rmtree(out)
        killed = _killed_at(step, out, jinan_scenario)
        state = _state(out)
        seen.append(state)
        # The next run into the folder first repairs it: the old folder back, or the new one kept.
        with files.output_folder(out):
            pass
        assert _leftovers(out) == []
        if state in ("old", "old aside"):
            assert _snapshot(out) == before
        elif state == "none":
            assert not out.exists()
        else:
            assert _complete(out)["command"] == "new"
        if not killed:
            assert state == "new"
            break
    else:
        raise AssertionError("the run never finished")
    expected = {"old", "old aside", "new"} if with_old else {"none", "new"}
    assert set(seen) == expected, seen


@posix_only
def test_the_command_killed_when_its_new_folder_appears(tmp_path):
    """The reported reproducer: kill ``finmodel run`` the moment its new folder appears beside the old one."""
    out = tmp_path / "out"
    assert main(["run", str(ZOUCHENG), "--out", str(out), "--quiet", "--lang", "en"]) == 0
    before = _snapshot(out)
    new = _sibling(out, NEW_SUFFIX)
    proc = subprocess.Popen([sys.executable, "-m", "finmodel.cli", "run", str(JINAN), "--out", str(out), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        if new.exists():
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    whole = out if out.exists() else _sibling(out, OLD_SUFFIX)
    record = _complete(whole)
    assert record is not None, f"half-replaced: {sorted(p.name for p in whole.iterdir())}"
    with files.output_folder(out):  # what the next run does first
        pass
    assert _leftovers(out) == []
    if record["scenario"]["file"] == str(ZOUCHENG):
        assert _snapshot(out) == before
    else:
        assert _complete(out)["scenario"]["file"] == str(JINAN)

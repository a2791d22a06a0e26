"""Writing outputs so that a failed or killed run leaves nothing half-written and reruns give identical bytes.

A report folder belongs to one run. A run locks it (``output_folder``), writes every file into a new folder beside
it, then swaps the two folders by renaming (``replace_folder``), so the folder holds exactly what the run's
manifest lists. Beside ``reports/x`` live, at most:

- ``.x.finmodel-lock``  the lock; the holder's process id is its content;
- ``.x.finmodel-new``   the run's files while they are written;
- ``.x.finmodel-old``   the previous folder between the swap's two renames and until it is deleted.

A run killed at any moment leaves ``reports/x`` either as it was or as the new run made it — or, between the two
renames, missing with the complete old folder in ``.x.finmodel-old`` —; the next run into the folder puts the old
folder back or finishes the deletion before anything else. Text cells in CSV files are neutralised
(``csv_bytes``), so that a name cannot become a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import pandas as pd

from ..errors import InputError, Said, zh_of

# Zip entries carry the time they were written; a fixed stamp makes the xlsx a function of its content.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

LOCK_SUFFIX = ".finmodel-lock"
NEW_SUFFIX = ".finmodel-new"
OLD_SUFFIX = ".finmodel-old"


class OutputError(InputError):
    """The output folder cannot be written: a file, read-only, in use by another run or program, or not a report
    folder. Exit 2, like bad input: the command as given cannot succeed, and nothing was changed."""


def normalised_zip(data: bytes, rewrite: Mapping[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """The same archive with every entry's timestamp fixed, its order kept, and named entries rewritten."""
    rewrite = rewrite or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename in rewrite:
                content = rewrite[info.filename](content)
            target.writestr(entry, content)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# CSV

# A spreadsheet opening a CSV takes a cell starting with one of these as a formula (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers written as text (amounts to the fen are exact decimal text) are read as numbers, not formulas: a negative
# amount must stay a number.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralised(value):
    """``value`` with a ``'`` in front when it is text a spreadsheet would read as a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _is_text(dtype) -> bool:
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


def _neutralised_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        if not len(index):
            return index.set_names([neutralised(n) for n in index.names])
        return pd.MultiIndex.from_tuples([tuple(neutralised(v) for v in key) for key in index],
                                         names=[neutralised(n) for n in index.names])
    if _is_text(index.dtype):
        index = index.map(neutralised)
    return index.rename(neutralised(index.name))


def csv_bytes(frame: pd.DataFrame, *, index: bool = False, float_format: str | None = None,
              lineterminator: str = "\n") -> bytes:
    """``frame`` as UTF-8 CSV with a byte-order mark (so that Excel shows Chinese headers), every text cell —
    headers and index included — neutralised against formula injection; numeric columns are left untouched."""
    safe = frame.copy(deep=False)
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if _is_text(column.dtype):
            safe.isetitem(position, column.map(neutralised))
    safe.columns = _neutralised_index(safe.columns)
    if index:
        safe.index = _neutralised_index(safe.index)
    text = safe.to_csv(index=index, float_format=float_format, lineterminator=lineterminator)
    return ("\ufeff" + text).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------------
# The output folder: check, lock, recover, swap


def _sibling(folder: Path, suffix: str) -> Path:
    return folder.parent / f".{folder.name}{suffix}"


def _resolve(path: Path) -> Path:
    # Resolved, so that two spellings of one folder share one lock, and a symlinked folder is replaced where it
    # points rather than the link turned into a folder.
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL in the path
        raise OutputError(f"not a usable path: {exc}", zh=f"路径无法使用：{exc}", file=path) from exc


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _in_use(folder: Path) -> Path | None:
    """The first file in ``folder`` another program holds open, where that blocks replacing it (Windows: Excel
    locks an open workbook); None elsewhere, where an open file never stops a rename."""
    if os.name != "nt" or not folder.is_dir():
        return None
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                with open(path, "r+b"):
                    pass
            except PermissionError:
                return path
    return None


def _in_use_text(folder: Path) -> Said | str:
    busy = _in_use(folder)
    return Said(f"{busy} is open in another program or read-only; close it and run again",
                f"{busy} 已在其他程序中打开或为只读；请关闭后重新运行") if busy else ""


def _check_path(target: Path, shown: Path, keep: Iterable[Path]) -> None:
    """Refuse, before anything is written or solved, an output path that cannot become a report folder."""
    if target.parent == target:
        raise OutputError("cannot be an output folder: a run replaces its output folder whole",
                          zh="不能作为输出文件夹：每次运行会整体替换输出文件夹", file=shown)
    if target.exists() and not target.is_dir():
        raise OutputError("is a file, not a folder; choose a folder with --out",
                          zh="是文件，不是文件夹；请用 --out 指定一个文件夹", file=shown)
    for path in keep:
        path = _resolve(path)
        if _is_inside(path, target):
            raise OutputError(f"holds {path}, which a run would delete: a run replaces its output folder whole; "
                              "choose another folder with --out",
                              zh=f"其中有 {path}，运行会将其删除：每次运行会整体替换输出文件夹；请用 --out 另选文件夹",
                              file=shown)
    if _is_inside(Path.cwd().resolve(), target):
        raise OutputError("is the working folder or holds it; a run replaces its output folder whole, so choose "
                          "another folder with --out",
                          zh="是当前工作文件夹或包含当前工作文件夹；每次运行会整体替换输出文件夹，请用 --out 另选文件夹",
                          file=shown)
    ancestor = target.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"cannot be made: {ancestor} is a file, not a folder",
                          zh=f"无法创建：{ancestor} 是文件，不是文件夹", file=shown)
    # The new folder is made beside the old one and the two are renamed: that needs the parent to be writable,
    # and the old folder too, to delete it afterwards.
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"cannot be written: {ancestor} is read-only or not ours (permission denied)",
                          zh=f"无法写入：{ancestor} 为只读或不属于当前用户（权限不足）", file=shown)
    if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
        raise OutputError("is read-only (permission denied); a run replaces it whole, which needs write access",
                          zh="为只读（权限不足）；运行要整体替换该文件夹，需要写入权限", file=shown)


def _check_owned(target: Path, shown: Path) -> None:
    """A folder is replaced only if it is empty or a report folder (it has a manifest.json written by a run):
    anything else in it would be deleted with it."""
    if not target.is_dir() or not any(target.iterdir()):
        return
    try:
        record = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        owned = isinstance(record, dict) and isinstance(record.get("outputs"), list)
    except (OSError, ValueError):
        owned = False
    if not owned:
        raise OutputError("is not empty and holds no report (no manifest.json); a run replaces its output folder "
                          "whole, so choose a new or empty folder with --out",
                          zh="不是空文件夹，也不是报表文件夹（没有 manifest.json）；每次运行会整体替换输出文件夹，"
                          "请用 --out 指定新的或空的文件夹", file=shown)
    busy = _in_use_text(target)
    if busy:
        raise OutputError(f"cannot be replaced: {busy}", zh=f"无法替换：{zh_of(busy)}", file=shown)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _recover(target: Path, shown: Path) -> None:
    """Finish or undo what a run killed during its swap left beside ``target``; the caller holds the lock."""
    new, old = _sibling(target, NEW_SUFFIX), _sibling(target, OLD_SUFFIX)
    leftover = new
    try:
        # A new folder that was not renamed into place may be incomplete: it is never used.
        if os.path.lexists(new):
            _remove(new)
        leftover = old
        if os.path.lexists(old):
            if target.exists():
                _remove(old)  # the swap was done; only the old folder's deletion was cut short
            else:
                os.rename(old, target)  # cut short between the two renames: the old folder goes back
    except OSError as exc:
        raise OutputError(f"cannot clean up {leftover}, left by an interrupted run ({exc.strerror or exc}); "
                          "remove it by hand",
                          zh=f"无法清理上次运行中断时留下的 {leftover}（{exc.strerror or exc}）；请手动删除",
                          file=shown) from exc


# Folders this process holds, by resolved path, with the thread holding each: the command holds its folder for the
# whole run and the report writer enters it again to swap.
_HELD: dict[Path, int] = {}
_HELD_GUARD = threading.Lock()


def _lock_file(fd: int) -> bool:
    """Take the lock on an open lock file without waiting; False when another process holds it."""
    try:
        if os.name == "nt":
            import msvcrt

            # Windows locks are mandatory on the bytes they cover: lock a byte far past the pid written at the start,
            # so that a second run can still read who holds the folder.
            os.lseek(fd, 1 << 30, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            # flock, because the kernel drops it when the holder dies however it dies: a dead run's lock file is
            # simply taken over.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, errno.EDEADLK):
            return False
        raise
    return True


def _holder(fd: int) -> Said:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return (Said(f"process {text}", f"进程 {text}") if text.isdigit()
            else Said("a process that has not yet written its id", "一个尚未写入进程号的进程"))


class _FolderLock:
    def __init__(self, target: Path, shown: Path) -> None:
        self.path = _sibling(target, LOCK_SUFFIX)
        self.shown = shown
        self.fd: int | None = None

    def acquire(self) -> None:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                # Another run that made the parent folder removed it again on failing; make it anew.
                self.path.parent.mkdir(parents=True, exist_ok=True)
                continue
            except OSError as exc:
                raise OutputError(f"cannot make its lock file {self.path}: {exc.strerror}",
                                  zh=f"无法创建锁文件 {self.path}：{exc.strerror}", file=self.shown) from exc
            try:
                locked = _lock_file(fd)
            except OSError as exc:
                os.close(fd)
                raise OutputError(f"cannot lock {self.path}: {exc.strerror}",
                                  zh=f"无法锁定 {self.path}：{exc.strerror}", file=self.shown) from exc
            if not locked:
                holder = _holder(fd)
                os.close(fd)
                raise OutputError(f"another finmodel run ({holder}) is writing this folder; wait for it to finish "
                                  "or choose another folder with --out",
                                  zh=f"另一个 finmodel 运行（{zh_of(holder)}）正在写入该文件夹；请等它结束，"
                                  "或用 --out 另选文件夹", file=self.shown)
            # The previous holder deletes the lock file as it lets go; if it did so between our open and our lock,
            # we hold a file nobody else will open: start again on the one now at the path.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        if os.name == "nt":  # an open file cannot be deleted there
            os.close(self.fd)
            self._unlink()
        else:  # deleted while still held, so that nobody takes a lock on a file about to vanish
            self._unlink()
            os.close(self.fd)
        self.fd = None

    def _unlink(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass  # left behind it is harmless: an unheld lock file is taken over


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and the folders above it that are missing; the ones made, deepest first."""
    made = []
    probe = folder
    while not probe.exists():
        made.append(probe)
        probe = probe.parent
    for path in reversed(made):
        path.mkdir(exist_ok=True)
    return made


def _remove_if_empty(folders: list[Path]) -> None:
    for path in folders:  # deepest first
        try:
            path.rmdir()
        except OSError:
            return


@contextmanager
def output_folder(out_dir: str | Path, *, keep: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Hold ``out_dir`` for one run: refuse it at once if it cannot be written or replaced, lock it against other
    runs, and finish or undo what a killed run left. Yields the resolved folder.

    ``keep``: files the run must not delete (its scenario and tables): an output folder holding one is refused.
    Entered again by the same thread (the command holds the folder while solving, the writer while swapping),
    it checks again but locks only once.
    """
    shown = Path(out_dir)
    target = _resolve(shown)
    keep = list(keep)
    _check_path(target, shown, keep)
    me = threading.get_ident()
    with _HELD_GUARD:
        holder = _HELD.get(target)
    if holder is not None and holder != me:
        raise OutputError(f"another run in this process ({os.getpid()}) is writing this folder",
                          zh=f"本进程（{os.getpid()}）中的另一个运行正在写入该文件夹", file=shown)
    if holder == me:
        _check_owned(target, shown)  # again: the folder may have changed while the run was solving
        yield target
        return

    try:
        made = _make_parents(target.parent)
    except OSError as exc:
        raise OutputError(f"cannot make {exc.filename}: {exc.strerror}", zh=f"无法创建 {exc.filename}：{exc.strerror}",
                          file=shown) from exc
    lock = _FolderLock(target, shown)
    try:
        lock.acquire()
    except BaseException:
        _remove_if_empty(made)
        raise
    with _HELD_GUARD:
        _HELD[target] = me
    try:
        _recover(target, shown)
        _check_owned(target, shown)
        yield target
    finally:
        with _HELD_GUARD:
            del _HELD[target]
        lock.release()
        if not target.exists():  # nothing was written: leave no empty folders either
            _remove_if_empty(made)


def _fsync_folder(folder: Path) -> None:
    # Renames and new entries survive a power cut only once their folder is flushed (POSIX; Windows cannot open a
    # folder for this, and NTFS journals renames).
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(data)
        handle.flush()
        # Flushed before the swap: a folder renamed into place must not hold empty files after a power cut.
        os.fsync(handle.fileno())


def replace_folder(out_dir: str | Path, files: Mapping[str, bytes], *,
                   keep: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Make ``out_dir`` hold exactly ``files`` (name → content), replacing the whole folder at once.

    The files are written into a new folder beside ``out_dir``, which then takes the old one's place by two renames;
    the old one is deleted last. On any error ``out_dir`` is left as it was.
    """
    for name in files:
        if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
            raise ValueError(f"not a plain file name: {name!r}")
    shown = Path(out_dir)
    with output_folder(shown, keep=keep) as target:
        new, old = _sibling(target, NEW_SUFFIX), _sibling(target, OLD_SUFFIX)
        try:
            os.mkdir(new)
            if target.is_dir():  # keep the folder's permissions (a shared folder stays shared)
                shutil.copymode(target, new)
            for name, data in files.items():
                _write_file(new / name, data)
            _fsync_folder(new)
        except BaseException as exc:
            shutil.rmtree(new, ignore_errors=True)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write the new folder {new}: {exc.strerror or exc}",
                                  zh=f"无法写入新文件夹 {new}：{exc.strerror or exc}", file=shown) from exc
            raise
        _swap(target, new, old, shown)
    return {name: shown / name for name in files}


def _swap(target: Path, new: Path, old: Path, shown: Path) -> None:
    if not target.exists():
        try:
            os.rename(new, target)
        except BaseException as exc:
            shutil.rmtree(new, ignore_errors=True)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot move the new folder into place: {exc.strerror or exc}",
                                  zh=f"无法将新文件夹移到原位：{exc.strerror or exc}", file=shown) from exc
            raise
        _fsync_folder(target.parent)
        return
    try:
        os.rename(target, old)
    except BaseException as exc:
        shutil.rmtree(new, ignore_errors=True)
        if isinstance(exc, OSError):
            busy = _in_use_text(target)
            raise OutputError("cannot be replaced; it is left as it was: "
                              + (busy or f"moving it aside failed ({exc.strerror or exc})"),
                              zh="无法替换，已保持原样：" + (zh_of(busy) if busy else f"移开原文件夹失败（{exc.strerror or exc}）"),
                              file=shown) from exc
        raise
    try:
        os.rename(new, target)
    except BaseException as exc:
        try:
            os.rename(old, target)  # put the old folder back
            shutil.rmtree(new, ignore_errors=True)
            state = Said("it is left as it was", "已保持原样")
        except OSError:
            state = Said(f"the old folder is in {old} and goes back on the next run", f"原文件夹在 {old}，下次运行时会移回")
        if isinstance(exc, OSError):
            raise OutputError(f"cannot be replaced ({exc.strerror or exc}); {state}",
                              zh=f"无法替换（{exc.strerror or exc}）；{zh_of(state)}", file=shown) from exc
        raise
    _fsync_folder(target.parent)
    # The new folder is in place; a failure from here on only leaves the old one beside it for the next run to
    # delete, so it is not an error of this run.
    shutil.rmtree(old, ignore_errors=True)

"""Writing outputs so that a failed run leaves nothing half-written and reruns give identical bytes; CSV text that a
spreadsheet would take for a formula is neutralised (``csv_bytes``)."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping

import pandas as pd

# Zip entries carry the time they were written; a fixed stamp makes the xlsx a function of its content.
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[Path]:
    """A scratch folder beside ``out_dir``; on success its files replace those in ``out_dir``.

    On any error the scratch folder is removed and ``out_dir`` is left as it was.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        yield stage
        for item in sorted(stage.iterdir()):
            os.replace(item, out_dir / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)

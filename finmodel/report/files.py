"""Writing outputs so that a failed run leaves nothing half-written and reruns give identical bytes."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping

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

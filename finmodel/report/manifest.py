"""manifest.json: what produced a run (inputs' hashes, versions, overrides, solver, outputs)."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from datetime import datetime, timezone
from importlib import metadata

from ..config import plain
from ..labels import pool_label


PACKAGES = ("finmodel", "numpy", "pandas", "scipy", "pulp", "highspy", "openpyxl",
            "pydantic", "matplotlib", "dask", "distributed")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def manifest(scenario, *, command: str, outputs: dict[str, bytes], solver: dict | None = None,
             lang: str = "zh", risk: dict | None = None, sweep: dict | None = None,
             columns: dict[str, list[str]] | None = None) -> dict:
    """The run's record. ``columns``: for a CSV output, the key of each of its columns as the API names it (its
    headers are in the report's language), so that ``finmodel.runs.read_run`` reads it back."""
    columns = columns or {}
    return {
        "command": command,
        "created_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "scenario": {"file": str(scenario.path), "kind": scenario.config.kind, "name": scenario.name,
                     "year": scenario.year},
        "inputs": [_input(scenario, name, digest) for name, digest in scenario.inputs.items()],
        "overrides": [{"key": o.key, "old": o.old, "new": o.new} for o in scenario.overrides],
        **({"policy": scenario.policy.record()} if getattr(scenario, "policy", None) is not None else {}),
        **({"pools": [{"id": p.id, "label": pool_label(p, lang)} for p in scenario.pools]}
           if isinstance(getattr(scenario, "pools", None), list) else {}),
        "language": lang,
        "solver": solver or {"name": None, "status": "not used: factor formula only"},
        **({"risk": risk} if risk is not None else {}),
        **({"sweep": sweep} if sweep is not None else {}),
        "versions": versions(),
        "outputs": [{"file": name, "sha256": hashlib.sha256(data).hexdigest()}
                    | ({"columns": columns[name]} if name in columns else {}) for name, data in outputs.items()],
    }


def write_with_manifest(scenario, outputs: dict[str, bytes], out_dir, *, command: str, lang: str,
                        solver: dict | None = None, risk: dict | None = None,
                        sweep: dict | None = None, columns: dict[str, list[str]] | None = None) -> dict[str, Path]:
    """Add manifest.json to ``outputs`` and make ``out_dir`` hold exactly these files, all or none: the folder is
    replaced whole (see ``files.replace_folder``), so files of an earlier run that this one does not make are gone
    and the manifest lists everything the folder holds."""
    from .files import replace_folder

    record = manifest(scenario, command=command, outputs=outputs, lang=lang, solver=solver, risk=risk, sweep=sweep,
                      columns=columns)
    outputs = dict(outputs) | {
        "manifest.json": (json.dumps(record, ensure_ascii=False, indent=2, default=plain) + "\n").encode("utf-8")}
    # The folder is replaced whole, so it must not hold the scenario or its tables.
    scenario_path = Path(scenario.path)
    keep = [scenario_path] + [scenario_path.parent / name for name in scenario.inputs]
    return replace_folder(out_dir, outputs, keep=keep)


def _input(scenario, name: str, digest: str) -> dict:
    """An input file's record: its name and hash, and for a CSV table the encoding it was read in (a GBK file from
    Chinese Excel reads as gb18030). The encoding is that of the bytes the hash names: a file changed or moved since
    the run read it gets none, rather than the encoding of other bytes."""
    record = {"file": name, "sha256": digest}
    path = Path(scenario.path).parent / name
    if path.suffix.lower() == ".csv":
        from ..tables import table_encoding

        try:
            data = path.read_bytes()
        except OSError:
            data = None
        same = data is not None and hashlib.sha256(data).hexdigest() == digest
        record["encoding"] = table_encoding(data) if same else None
    return record

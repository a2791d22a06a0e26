"""manifest.json: what produced a run (inputs' hashes, versions, overrides, solver, outputs)."""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from datetime import datetime, timezone
from importlib import metadata


PACKAGES = ("finmodel", "numpy", "pandas", "scipy", "pulp", "highspy", "numpy-financial", "openpyxl",
            "pydantic", "matplotlib")


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def manifest(scenario, *, command: str, outputs: dict[str, bytes], solver: dict | None = None,
             lang: str = "zh") -> dict:
    return {
        "command": command,
        "created_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "scenario": {"file": str(scenario.path), "name": scenario.name, "year": scenario.year},
        "inputs": [{"file": name, "sha256": digest} for name, digest in scenario.inputs.items()],
        "overrides": [{"key": o.key, "old": o.old, "new": o.new} for o in scenario.overrides],
        "language": lang,
        "solver": solver or {"name": None, "status": "not used: factor formula only"},
        "versions": versions(),
        "outputs": [{"file": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in outputs.items()],
    }


def write_with_manifest(scenario, outputs: dict[str, bytes], out_dir, *, command: str, lang: str,
                        solver: dict | None = None) -> dict[str, Path]:
    """Add manifest.json to ``outputs`` and write them all into ``out_dir``, all or none."""
    from .files import staged_outputs

    out_dir = Path(out_dir)
    record = manifest(scenario, command=command, outputs=outputs, lang=lang, solver=solver)
    outputs = dict(outputs) | {
        "manifest.json": (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    with staged_outputs(out_dir) as stage:
        for name, data in outputs.items():
            (stage / name).write_bytes(data)
    return {name: out_dir / name for name in outputs}

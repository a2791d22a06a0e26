"""manifest.json: what produced a run (inputs' hashes, versions, overrides, solver, outputs)."""

from __future__ import annotations

import hashlib
import platform
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

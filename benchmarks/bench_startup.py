"""Start-up: `import finmodel`, and `finmodel run` on the bundled Jinan scenario against the bare import of the
libraries it is built on, each in a fresh process; prints the median CPU seconds of several runs and the ratio.

Run by hand: python benchmarks/bench_startup.py [runs]   (default 7). Nothing here is asserted.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = "import numpy, pandas, scipy, pulp, highspy, openpyxl, matplotlib, pydantic"


def cpu_seconds(command: list[str]) -> float:
    """User + system CPU of one fresh process (its children included), as the kernel counts it."""
    done = subprocess.run(["/usr/bin/time", "-f", "%U %S", *command], capture_output=True, text=True, check=True)
    user, system = (float(v) for v in done.stderr.strip().splitlines()[-1].split())
    return user + system


def import_time_ms() -> float:
    """``python -X importtime -c "import finmodel"``: the package's cumulative import time."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import finmodel"], capture_output=True,
                          text=True, check=True)
    last = [line for line in done.stderr.splitlines() if re.search(r"\|\s*finmodel$", line)][-1]
    return int(last.split("|")[1]) / 1000


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        run = [sys.executable, "-m", "finmodel.cli", "run", str(ROOT / "scenarios" / "jinan-2023.toml"),
               "--out", str(Path(out) / "jinan"), "--quiet"]
        bare = statistics.median(cpu_seconds([sys.executable, "-c", BARE]) for _ in range(runs))
        finmodel = statistics.median(cpu_seconds(run) for _ in range(runs))
    imported = statistics.median(import_time_ms() for _ in range(runs))
    print(f"median of {runs} fresh processes")
    print(f"  import finmodel (python -X importtime): {imported:7.0f} ms")
    print(f"  bare import ({BARE.removeprefix('import ')}): {bare:.2f} s CPU")
    print(f"  finmodel run scenarios/jinan-2023.toml: {finmodel:.2f} s CPU = {finmodel / bare:.2f}× the bare import")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

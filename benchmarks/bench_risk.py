"""Monte Carlo: 10,000 draws of the bundling example (20 packages and 8 components) and of 1,000 projects from
one template, each on a Dask LocalCluster of 1 and of 2 workers.

Run by hand: python benchmarks/bench_risk.py [draws]   (default 10000). Prints seconds and draws per second per
case and worker count, and checks that the worker counts give the same table. Target: 10,000 draws of the
1,000-project scenario in under a minute on 2 cores. Nothing here is asserted.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_projects import write_inputs  # noqa: E402

import finmodel as fm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

BUNDLING_RISK = """
[risk]
draws = 10000
seed = 1

[[risk.inputs]]
key = "projects.*.income.parking.occupancy"
distribution = "triangular"
low = 0.6
mode = 0.8
high = 0.9

[[risk.inputs]]
key = "projects.*.income.rent.occupancy"
distribution = "triangular"
low = 0.6
mode = 0.85
high = 0.95

[[risk.inputs]]
key = "scenario.discount_rate"
distribution = "uniform"
low = 0.02
high = 0.045
"""

PROJECTS_RISK = """
[risk]
draws = 10000
seed = 1

[[risk.inputs]]
key = "projects.*.income.parking.occupancy"
distribution = "triangular"
low = 0.6
mode = 0.8
high = 0.9

[[risk.inputs]]
key = "projects.*.loans.bank.rate"
distribution = "normal"
mean = 0.035
sd = 0.004
low = 0.025
high = 0.05

[[risk.inputs]]
key = "projects.*.capex.items_wan.improvement"
distribution = "triangular"
low = 1400
mode = 1500
high = 1800

[[risk.correlations]]
inputs = ["projects.*.income.parking.occupancy", "projects.*.loans.bank.rate"]
rank = -0.3
"""


def bundling_case(folder: Path) -> Path:
    source = ROOT / "scenarios" / "projects"
    shutil.copytree(source / "data", folder / "data")
    path = folder / "bundling-risk.toml"
    path.write_text((source / "bundling-2024.toml").read_text(encoding="utf-8") + BUNDLING_RISK, encoding="utf-8")
    return path


def projects_case(folder: Path) -> Path:
    path = write_inputs(folder, 1_000, np.random.default_rng(2024))
    path.write_text(path.read_text(encoding="utf-8") + PROJECTS_RISK, encoding="utf-8")
    return path


def main(draws: int) -> None:
    print(f"{'scenario':<28} {'projects':>8} {'workers':>7} {'seconds':>8} {'draws/s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, make in (("bundling example", bundling_case), ("1,000 projects, one template", projects_case)):
            folder = Path(tmp) / label.split()[0].strip(",")
            folder.mkdir()
            scenario = fm.load_project_scenario(make(folder))
            tables = []
            for workers in (1, 2):
                start = time.perf_counter()
                result = fm.simulate(scenario, draws, workers=workers)
                seconds = time.perf_counter() - start
                tables.append(result.summary.to_csv())
                print(f"{label:<28} {len(scenario.projects):>8,} {workers:>7} {seconds:>8.1f} {draws / seconds:>9,.0f}",
                      flush=True)
            print(f"{'':<28} same table with 1 and 2 workers: {tables[0] == tables[1]}")
    print("target: 10,000 draws of 1,000 projects in under 60 s on 2 cores")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

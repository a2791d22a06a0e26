"""Whole project scenarios: a template project repeated through a project table, with varied inputs.

Run by hand: python benchmarks/bench_projects.py [projects ...]   (default 100 1000 10000)
Prints seconds to load and validate, to evaluate (cash flows, metrics, coverage, break-evens), the two together
against the target of 1 s for 10,000 rows, and to write the reports, per size; and whether the rows were evaluated
together (a table that only sets values) or one by one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from finmodel.cashflow import evaluate, load_project_scenario
from finmodel.cashflow.scenario import TableRows
from finmodel.report import write_cashflow_report

TEMPLATE = """
[scenario]
name = "批量项目"
year = 2025
discount_rate = 0.03

[[projects]]
id = "template"
name = "模板项目"
households = 800
construction_years = 2
operating_years = 20
equity_wan = 1000

[projects.capex]
schedule = [0.6, 0.4]
items_wan = { basic = 3000, improvement = 1500, upgrade = 500 }

[[projects.income]]
id = "parking"
kind = "parking"
spaces = 400
fee_yuan_per_month = 150
occupancy = 0.8
ramp_up = [0.6, 0.85]
growth = 0.01

[[projects.income]]
id = "property"
kind = "property"
amount_wan_per_year = 120
growth = 0.01

[projects.operating_costs]
fixed_wan_per_year = 30
share_of_income = 0.2

[[projects.grants]]
id = "city"
party = "city"
amount_wan = 1000
advance_share = 0.5

[[projects.bonds]]
id = "bond"
principal_wan = 2000
coupon = 0.025
years = 20

[[projects.loans]]
id = "bank"
principal_wan = 1000
rate = 0.035
years = 15
grace_years = 2

[project_table]
table = "projects.csv"
template = "template"
"""


def write_inputs(folder: Path, projects: int, rng: np.random.Generator) -> Path:
    rows = ["id,name,income.parking.spaces,income.parking.fee_yuan_per_month,capex.items_wan.basic,"
            "loans.bank.rate"]
    for k in range(projects - 1):
        rows.append(f"p{k},项目{k},{rng.integers(100, 800)},{rng.integers(80, 300)},{rng.integers(1500, 6000)},"
                    f"{rng.uniform(0.025, 0.05):.4f}")
    (folder / "projects.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = folder / "bulk.toml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def main(sizes: list[int]) -> None:
    rng = np.random.default_rng(2024)
    print(f"{'projects':>9} {'load (s)':>9} {'evaluate (s)':>13} {'together (s)':>13} {'report (s)':>11}  rows")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = write_inputs(folder, size, rng)
            start = time.perf_counter()
            scenario = load_project_scenario(path)
            loaded = time.perf_counter()
            result = evaluate(scenario)
            evaluated = time.perf_counter()
            write_cashflow_report(result, folder / "out")
            written = time.perf_counter()
            kept = any(isinstance(part, TableRows) for part in scenario.projects.parts)
            print(f"{size:>9,} {loaded - start:>9.2f} {evaluated - loaded:>13.2f} {evaluated - start:>13.2f} "
                  f"{written - evaluated:>11.2f}  {'together' if kept else 'one by one'}", flush=True)
    print("target: load + evaluate of 10,000 rows ≤ 1 s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1_000, 10_000])

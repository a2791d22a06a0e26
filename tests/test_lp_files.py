"""Each constraint family against a small golden LP file (3 districts × 2 pools).

The files are the first formula-fit stage as PuLP writes it. When a change to the model is meant,
regenerate them explicitly and review the diff:

    FINMODEL_REGENERATE_LP=1 python -m pytest tests/test_lp_files.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from finmodel.allocation.lp import AllocationLP
from finmodel.allocation.problem import AllocationProblem, Bound
from finmodel.solver import SolverSettings

LP_FILES = Path(__file__).resolve().parent / "lp_files"
NAN = np.nan
FORMULA = np.array([[50.0, 30.0, 20.0], [25.0, 15.0, 10.0]])  # central 100, city 50
TOY = dict(districts=["A", "B", "C"], pools=["central", "city"], pool_wan=np.array([100.0, 50.0]),
           formula=FORMULA)

FAMILIES = {
    "base": {},
    "need": {"bounds": [Bound("need", np.array([60.0, NAN, 40.0]))]},
    "need_category": {
        "categories": ["basic", "improvement"],
        "need_by_category": np.array([[40.0, 30.0], [30.0, 30.0], [20.0, 20.0]]),
        "eligible": np.array([[True, False], [True, True]]),
    },
    "cofinancing": {"bounds": [Bound("cofinancing", np.array([70.0, 50.0, NAN]))]},
    "hold_harmless": {"bounds": [Bound("hold_harmless_floor", np.array([NAN, 45.0, 27.0])),
                                 Bound("hold_harmless_cap", np.array([84.0, 60.0, 36.0]))]},
    "corridor": {"bounds": [Bound("corridor_low", np.array([67.5, 40.5, 27.0])),
                            Bound("corridor_high", np.array([82.5, 49.5, 33.0]))]},
    "minimum": {"bounds": [Bound("minimum", np.array([NAN, NAN, 35.0]))]},
    "max_pool_share": {"bounds": [Bound("max_pool_share", np.array([[45.0, 45.0, 45.0], [22.5, 22.5, 22.5]]))]},
    "performance_cap": {"bounds": [Bound("performance_cap", np.array([[NAN, 30.0, NAN], [NAN, 15.0, NAN]]))]},
}


def written(name: str, tmp_path: Path) -> str:
    model = AllocationLP(AllocationProblem(**TOY, **FAMILIES[name]), SolverSettings())
    model.deviation_rows()
    path = tmp_path / f"{name}.lp"
    model.lp.write_lp(path)
    return path.read_text(encoding="ascii")


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_lp_matches_golden_file(name, tmp_path):
    text = written(name, tmp_path)
    golden = LP_FILES / f"{name}.lp"
    if os.environ.get("FINMODEL_REGENERATE_LP") == "1":
        golden.write_text(text, encoding="ascii")
    assert golden.exists(), f"no golden file {golden.name}: regenerate with FINMODEL_REGENERATE_LP=1"
    assert text == golden.read_text(encoding="ascii")


def test_every_golden_file_has_a_family():
    assert {p.stem for p in LP_FILES.glob("*.lp")} == set(FAMILIES)

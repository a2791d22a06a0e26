"""Every final amount of an allocation workbook recomputed from the workbook alone (``reproduce_workbook.py``):
the bundled Jinan run, Jinan with its illustrative hold-harmless rule and a tight co-financing cap, and random
scenarios whose caps, floors and single-pool caps bind."""

from __future__ import annotations

import numpy as np
import pytest

import finmodel as fm
from finmodel.report.workbook import allocation_workbook

from .conftest import JINAN, write_scenario
from .reproduce_workbook import recompute

RANDOM = list(range(80)) + [100, 333, 515]
"""Random scenarios tried (the last three once broke the rounding); at least 50 must be ones the printed rule
covers."""


def _run(scenario, folder):
    result = fm.allocate(scenario)
    (folder / "allocation.xlsx").write_bytes(allocation_workbook(result))  # the workbook `finmodel run` writes
    return result, folder / "allocation.xlsx"


@pytest.mark.parametrize("overrides", [
    [],
    ["allocation.hold_harmless.last_year=last_year_wan", "allocation.hold_harmless.floor=0.9",
     "allocation.hold_harmless.cap=1.3"],
    ["allocation.cofinancing.capacity_share=0.02"],
], ids=["bundled", "hold-harmless", "tight-cofinancing"])
def test_the_jinan_workbook_recomputes_by_hand(tmp_path, overrides):
    result, book = _run(fm.load_scenario(JINAN, overrides), tmp_path)
    reading, exact, problems = recompute(book)
    assert problems == []
    assert result.rule.applies and reading.units == result.districts
    # The script's amounts are its own (formula × printed ratios), yet they land within a grain of the solution's.
    for pool in result.scenario.pools:
        mine = np.array([exact[pool.label][d] for d in result.districts])
        np.testing.assert_allclose(mine, result.lp.amounts[[p.id for p in result.scenario.pools].index(pool.id)][
            [result.problem.districts.index(d) for d in result.districts]], rtol=1e-9, atol=1e-9)


def test_a_workbook_whose_table_was_changed_by_a_grain_is_caught(tmp_path):
    import openpyxl

    _, book = _run(fm.load_scenario(JINAN), tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["汇总"]
    ws["D6"].value = ws["D6"].value + 0.01
    ws["D7"].value = ws["D7"].value - 0.01  # the column still adds up
    wb.save(book)
    problems = recompute(book)[2]
    assert any("历下区" in p for p in problems) and any("市中区" in p for p in problems)


def _random_scenario(folder, seed: int):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 13))
    households = rng.integers(50, 50_000, n)
    area = households * rng.uniform(60, 95, n)
    per_household = rng.uniform(0.4, 1.2)  # 万元 the pools give per household, on average
    pools, total = [], 0.0
    for k, pool_id in enumerate(["central", "provincial", "city"][: int(rng.integers(1, 4))]):
        amount = round(float(households.sum() * per_household * rng.uniform(0.2, 0.5)), 2)
        total += amount
        w = rng.dirichlet(np.ones(3))
        w = np.round(w, 4)
        w[-1] = round(1 - w[:-1].sum(), 4)
        pools.append({"id": pool_id, "label": f"资金{k + 1}", "amount_wan": amount,
                      "weights": {"households": float(w[0]), "floor_area_m2": float(w[1]),
                                  "fiscal_capacity_ratio": float(w[2])},
                      "inverse": ["fiscal_capacity_ratio"]})
    mean = total / households.sum()
    # Need around the average money per household, so that some units are capped and the rest take more; last
    # year's amount around it too, so that some floors bind, but a floor (90 % of it) below the unit's need.
    need = households * mean * rng.uniform(0.6, 2.2, n)
    last = np.minimum(households * mean * rng.uniform(0.5, 1.4, n), need)
    # Now and then no unit may take more than a share of any pool (caps on single cells), a floor staying below it.
    biggest = float(households.max() / households.sum())
    share = round(max(biggest * rng.uniform(0.7, 0.95), 1.2 / n), 3) if rng.random() < 0.4 else None
    if share is not None:
        last = np.minimum(last, share * total)
    rows = [{"district": f"单位{i + 1:02d}", "households": int(households[i]), "floor_area_m2": round(float(area[i]), 1),
             "fiscal_capacity_ratio": round(float(rng.uniform(0.2, 2.5)), 4), "need_wan": round(float(need[i]), 2),
             "last_year_wan": round(float(last[i]), 2)} for i in range(n)]
    share = "" if share is None else f"max_pool_share = {share}\n"
    extra = (f'[allocation]\n{share}[allocation.need]\ntotal = "need_wan"\n'
             '[allocation.hold_harmless]\nlast_year = "last_year_wan"\nfloor = 0.9\n')
    return write_scenario(folder, rows, pools, extra=extra, name=f"随机{seed}")


def test_random_workbooks_recompute_by_hand(tmp_path):
    covered, held_by = 0, {"need": 0, "hold_harmless_floor": 0, "cell": 0}
    for seed in RANDOM:
        folder = tmp_path / str(seed)
        folder.mkdir()
        try:
            scenario = fm.load_scenario(_random_scenario(folder, seed))
            result, book = _run(scenario, folder)
        except fm.InfeasibleError:
            continue  # floors above caps or above the pools: nothing is written, nothing to recompute
        if not result.rule.applies:
            # Only money the units cannot take, or floors a pool cannot carry, leave the split to the LP.
            assert result.rule.reason in ("unallocated", "pools", "room"), seed
            continue
        problems = recompute(book)[2]
        assert problems == [], (seed, problems)
        covered += 1
        for unit in result.rule.held:
            if unit.family in held_by:
                held_by[unit.family] += 1
            held_by["cell"] += bool(unit.cell_caps)
    assert covered >= 50
    # Caps, floors and single-pool caps all bind somewhere among them.
    assert min(held_by.values()) >= 5, held_by

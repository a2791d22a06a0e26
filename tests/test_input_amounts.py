"""Pool amounts are read as the decimal written, into whole units of 0.01 万元: above 10⁸ 万元 valid two-decimal
amounts were refused as "more than two decimals" (cents taken from a float), and a third decimal hidden beyond a
float's precision passed. The largest amount, 10¹⁰ 万元, is stated and enforced, for one pool and all together."""

from __future__ import annotations

import random

import pytest

import finmodel as fm
from finmodel.allocation.scenario import MAX_AMOUNT_WAN, Pool

from .conftest import JINAN, write_scenario


def two_decimal_amounts(count: int, seed: int = 2024) -> list[tuple[str, int]]:
    """Amounts written with two decimals up to the limit, as text and in units of 0.01 万元."""
    rng = random.Random(seed)
    amounts = []
    for _ in range(count):
        units = rng.randrange(0, int(MAX_AMOUNT_WAN * 100) + 1)
        amounts.append((f"{units // 100}.{units % 100:02d}", units))
    return amounts + [("10000000000.00", 10**12), ("8941079958.71", 894107995871), ("316062194.84", 31606219484)]


def test_every_two_decimal_amount_up_to_the_limit_is_taken_exactly():
    for text, units in two_decimal_amounts(3000):
        pool = Pool(id="central", label="中央", amount_wan=float(text), weights={"households": 1.0})
        assert pool.amount_units == units, text


def test_amounts_in_the_file_are_read_as_written(tmp_path):
    rows = [{"district": "甲", "households": 3}, {"district": "乙", "households": 7}]
    pool = {"id": "central", "label": "中央", "amount_wan": 1.0, "weights": {"households": 1.0}}
    path = write_scenario(tmp_path, rows, [pool])
    template = path.read_text(encoding="utf-8").replace("amount_wan = 1.0", "amount_wan = {}")
    for text, units in two_decimal_amounts(200, seed=7):
        path.write_text(template.format(text), encoding="utf-8")
        assert fm.load_scenario(path).pool("central").amount_units == units, text


@pytest.mark.parametrize("written", ["30000.001", "30000.0000000000001", "0.005", "1e-5"])
def test_a_third_decimal_is_refused_even_beyond_float_precision(written, tmp_path):
    # 30000.0000000000001 is the float 30000.0: only the text shows the third decimal (and more) written.
    with pytest.raises(fm.InputError, match="more than two decimals of 万元"):
        fm.load_scenario(JINAN, [f"pools.central.amount_wan={written}"])


@pytest.mark.parametrize("written", ["1e4", "30_000.50", "3.0e4", "30000"])
def test_other_ways_of_writing_two_decimals_are_read(written):
    pool = fm.load_scenario(JINAN, [f"pools.central.amount_wan={written}"]).pool("central")
    assert pool.amount_units == round(float(written.replace("_", "")) * 100)


def test_the_largest_amount_is_enforced_for_a_pool_and_for_all_pools():
    with pytest.raises(fm.InputError, match="10000000000.01 is above the largest number finmodel takes, 1e"):
        fm.load_scenario(JINAN, ["pools.central.amount_wan=10000000000.01"])
    with pytest.raises(ValueError, match="above the largest amount finmodel takes, 10,000,000,000 万元"):
        Pool(id="central", label="中央", amount_wan=10000000000.01, weights={"households": 1.0})
    with pytest.raises(fm.InputError, match="the pools add up to 10,000,030,000.00 万元, above the largest"):
        fm.load_scenario(JINAN, ["pools.central.amount_wan=9999980000"])
    scenario = fm.load_scenario(JINAN, ["pools.central.amount_wan=9999950000.00"])
    assert sum(p.amount_units for p in scenario.pools) == 10**12


def test_a_large_pool_is_allocated_exactly(tmp_path):
    """A pool of nearly 10¹⁰ 万元 (with awkward decimals) is split and rounded to units that add up to it."""
    rows = [{"district": f"区{k}", "households": 1000 + 37 * k} for k in range(7)]
    pool = {"id": "central", "label": "中央", "amount_wan": 9876543210.99, "weights": {"households": 1.0}}
    result = fm.allocate(fm.load_scenario(write_scenario(tmp_path, rows, [pool])))
    assert int(result.amount_units.to_numpy().sum()) == 987654321099

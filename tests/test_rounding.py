"""Largest-remainder rounding: exact totals, deterministic ties, and the Alabama paradox."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.allocation import largest_remainder, rounding
from finmodel.allocation.rounding import controlled_round


def test_hand_example():
    # Quotas 3.5, 2.25, 4.25 of 10: floors 3, 2, 4 leave 1, which goes to the largest remainder (0.5).
    assert largest_remainder(np.array([0.35, 0.225, 0.425]), 10).tolist() == [4, 2, 4]


def test_ties_go_to_the_earlier_row():
    assert largest_remainder(np.array([1, 1, 1]), 4).tolist() == [2, 1, 1]
    assert largest_remainder(np.array([1, 1, 1]), 5).tolist() == [2, 2, 1]


def test_alabama_paradox_is_expected():
    """Shares 6:6:2. With 10 grains C gets 2; with 11 grains C gets 1.

    10: quotas 4.286, 4.286, 1.429 → floors 4, 4, 1, one left for C (0.429 > 0.286) → 4, 4, 2.
    11: quotas 4.714, 4.714, 1.571 → floors 4, 4, 1, two left for A and B (0.714) → 5, 5, 1.
    A larger pool gives C less: the known price of a quota method that keeps totals exact.
    """
    shares = np.array([6, 6, 2])
    assert largest_remainder(shares, 10).tolist() == [4, 4, 2]
    assert largest_remainder(shares, 11).tolist() == [5, 5, 1]


def test_zero_total_and_zero_shares():
    assert largest_remainder(np.array([0.0, 0.0]), 0).tolist() == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder(np.array([0.0, 0.0]), 5)
    with pytest.raises(ValueError):
        largest_remainder(np.array([-1.0, 2.0]), 5)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=40).filter(
        lambda xs: sum(xs) > 0
    ),
    st.integers(min_value=0, max_value=10**12),
)
def test_sum_is_exact_and_each_within_one_grain(shares, total):
    shares = np.array(shares)
    rounded = largest_remainder(shares, total)
    assert int(rounded.sum()) == total
    assert (rounded >= 0).all()
    quotas = shares / shares.sum() * total
    assert np.all(np.abs(rounded - quotas) < 1 + 1e-9 * max(total, 1))


# ------------------------------------------------------------------------------------------------
# Controlled rounding: columns exact, every cell on its floor or ceiling, every row within its bounds.


def test_a_row_over_its_cap_passes_a_grain_on():
    """Row 0 (0.6 + 0.6) rounds to 2 in both columns' largest remainders but may hold 1: it gives column 0's
    grain to row 1 (remainder 0.4, room); row 2 (0.4 but capped at 0) cannot take it."""
    values = np.array([[0.6, 0.6], [0.4, 0.4], [0.4, 0.0]])
    low, high = np.zeros(3), np.array([1.0, np.inf, 0.0])
    table = controlled_round(values, np.array([1, 1]), low, high)
    assert table.tolist() == [[0, 1], [1, 0], [0, 0]]


def test_a_grain_goes_along_a_longer_path_when_it_must():
    """Row 0 must give a grain; the only row with room (2) has no remainder where row 0 gives, so the grain passes
    through row 1: row 0 → row 1 in column 0, row 1 → row 2 in column 1."""
    values = np.array([[0.9, 0.0], [0.1, 0.5], [0.0, 0.5]])
    table = controlled_round(values, np.array([1, 1]), np.zeros(3), np.array([0.0, 1.0, 1.0]))
    assert table.tolist() == [[0, 0], [1, 0], [0, 1]]


@st.composite
def bounded_tables(draw):
    rows, columns = draw(st.integers(2, 150)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.uniform(0, 20, (rows, columns)) * (rng.random((rows, columns)) < 0.85)
    if draw(st.booleans()):
        values = np.round(values * 4) / 4  # ties
    totals = np.round(values.sum(axis=0))
    values = values * np.divide(totals, values.sum(axis=0), out=np.zeros(columns), where=values.sum(axis=0) > 0)
    sums = values.sum(axis=1)
    # Bounds a rounding can meet: each row's floor or ceiling of its own sum, at random.
    low = np.where(rng.random(rows) < 0.5, np.floor(sums + 1e-9), -np.inf)
    high = np.where(rng.random(rows) < 0.5, np.ceil(sums - 1e-9), np.inf)
    return values, totals.astype(np.int64), low, high


@settings(max_examples=300, deadline=None)
@given(bounded_tables())
def test_controlled_rounding_keeps_every_bound_and_the_one_step_moves_change_nothing(monkeypatch_free, case):
    values, totals, low, high = case
    table = controlled_round(values, totals, low, high)
    assert (table.sum(axis=0) == totals).all()
    assert ((table == np.floor(values + 1e-9)) | (table == np.ceil(values - 1e-9))).all()
    assert ((table.sum(axis=1) >= low) & (table.sum(axis=1) <= high)).all()
    # The same table when every move goes through the whole breadth-first path search, without the one-step moves
    # that settle nearly all rows in practice.
    with monkeypatch_free.context() as patch:
        patch.setattr(rounding, "_settle", _search_only)
        assert (controlled_round(values, totals, low, high) == table).all()


def _search_only(rows, up, remainder, total, low, high, giving, moves_left):
    for row in rows:
        while total[row] > high[row] if giving else total[row] < low[row]:
            rounding._move(int(row), up, remainder, total, can_end=total < high if giving else total > low,
                           giving=giving)
    return moves_left


@pytest.fixture(scope="module")
def monkeypatch_free():
    """A monkeypatch that hypothesis may reuse across examples (the function-scoped one may not be)."""
    with pytest.MonkeyPatch.context() as patch:
        yield patch

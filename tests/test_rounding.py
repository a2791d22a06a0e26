"""Largest-remainder rounding: exact totals, deterministic ties, and the Alabama paradox."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finmodel.allocation import largest_remainder


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

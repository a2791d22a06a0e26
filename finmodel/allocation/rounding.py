"""Rounding to the grain of the approval table with the total kept exact.

The largest-remainder (Hamilton) method: every unit gets the floor of its quota and
the units left over go to the largest fractional parts, ties to the earlier row.
It keeps each pool column summing exactly to the pool. Like every quota method it
shows the Alabama paradox (a larger pool can give a unit one grain less); that is
accepted here because exact totals are what an approval table must show.
"""

from __future__ import annotations

import numpy as np

from ..errors import RoundingError


def largest_remainder(shares: np.ndarray, total_units: int) -> np.ndarray:
    """Integer amounts summing exactly to ``total_units``, in proportion to ``shares`` (non-negative)."""
    shares = np.asarray(shares, dtype=float)
    if total_units < 0:
        raise ValueError(f"total_units must be non-negative, got {total_units}")
    if shares.size == 0:
        if total_units:
            raise ValueError("cannot distribute a positive total among no units")
        return np.zeros(0, dtype=np.int64)
    if (shares < 0).any() or not np.isfinite(shares).all():
        raise ValueError("shares must be finite and non-negative")
    weight = shares.sum()
    if weight <= 0:
        if total_units:
            raise ValueError("cannot distribute a positive total when every share is 0")
        return np.zeros(shares.size, dtype=np.int64)
    quotas = shares / weight * total_units
    floors = np.floor(quotas).astype(np.int64)
    left = int(total_units - floors.sum())
    # 0 <= left <= n: each remainder is below 1 and the floors cannot exceed the quotas.
    remainders = quotas - floors
    winners = np.argsort(-remainders, kind="stable")[:left]
    floors[winners] += 1
    return floors


def snap(values: np.ndarray) -> np.ndarray:
    """Grains as rounding should see them: no value below 0, a value within float error of a whole grain on that
    grain (1e-6 of a grain, or 1e-14 of the value for values too large for that), so that float error never makes
    a whole amount a remainder of 0.999999 or a fraction of a grain below zero; and every remainder on a step of
    10⁻¹² of its value (between 10⁻⁹ and 10⁻³ of a grain). Two remainders that float error alone tells apart are
    then equal and go by row order, so two exact methods that agree to the last few bits of their amounts (the LP's
    structure solve, progressive filling) round alike."""
    values = np.maximum(np.asarray(values, dtype=float), 0.0)
    whole = np.round(values)
    base = np.floor(values)
    step = np.clip(1e-12 * values, 1e-9, 1e-3)
    stepped = base + np.round((values - base) / step) * step
    return np.where(np.abs(values - whole) <= 1e-6 + 1e-14 * values, whole, stepped)


def controlled_round(
    values: np.ndarray, column_totals: np.ndarray, row_low: np.ndarray, row_high: np.ndarray
) -> np.ndarray:
    """Round a (rows, columns) table of grains to integers that keep every column total exact,
    round each cell down or up, and keep each row total within [row_low, row_high].

    Columns are first rounded on their own by largest remainder. A row that then breaches
    its bounds passes a unit along an alternating path: the row gives up a rounded-up cell
    in some column to another row whose cell there was rounded down (and had a remainder),
    and so on until a row that can take it. Such a path exists whenever the unrounded table
    meets the bounds (the rounding is a flow problem with integral solutions); the search is
    breadth-first with fixed tie-breaks, so the result is deterministic. Equal remainders go to the earlier
    row: the values are compared as given, so equal amounts must arrive as equal floats.
    """
    snapped = snap(values)
    floors = np.floor(snapped)
    remainder = snapped - floors
    up = np.zeros(snapped.shape, dtype=bool)
    for c in range(snapped.shape[1]):
        if column_totals[c] == 0:
            # Nothing to share: the column is 0, whatever noise its cells carry.
            floors[:, c] = 0
            remainder[:, c] = 0
            continue
        left = int(column_totals[c] - floors[:, c].sum())
        if left < 0 or left > snapped.shape[0]:
            raise RoundingError(f"column {c}: its cells do not add up to its total",
                                zh=f"第 {c} 列：各单元格之和与该列合计不符")
        order = np.argsort(-remainder[:, c], kind="stable")[:left]
        up[order, c] = True
    total = floors.sum(axis=1) + up.sum(axis=1)
    low, high = np.asarray(row_low, dtype=float), np.asarray(row_high, dtype=float)
    # A move changes the totals of its two end rows only, and never past a bound: rows above their cap are settled
    # first, in row order, then rows below their floor, and no row breaches a bound it kept.
    moves_left = 4 * snapped.shape[0] + 4
    for giving in (True, False):
        rows = np.flatnonzero(total > high) if giving else np.flatnonzero(total < low)
        if rows.size:
            moves_left = _settle(rows, up, remainder, total, low, high, giving, moves_left)
    return (floors + up).astype(np.int64)


def _settle(rows: np.ndarray, up: np.ndarray, remainder: np.ndarray, total: np.ndarray, low: np.ndarray,
            high: np.ndarray, giving: bool, moves_left: int) -> int:
    """Bring ``rows`` within their bounds, one grain a move, in at most ``moves_left`` moves (those left are
    returned); a move one step cannot end goes to ``_move``'s breadth-first search. Each column keeps its rows in
    the order the search prefers them (the largest remainder first when a grain is given, the smallest when one is taken back; ties to
    the earlier row) and a mark before which no row can end a move any more: in this phase a row that takes a grain
    in a column, or reaches its bound, stays so unless a longer path moves it, and then the marks start again. So a
    move that ends in one step, nearly all of them, costs a few reads instead of a pass over the table."""
    n_rows, columns = up.shape
    index = np.arange(n_rows)
    order = [np.lexsort((index, -remainder[:, c] if giving else remainder[:, c])) for c in range(columns)]
    marks = [0] * columns

    def taker(q: int, c: int) -> bool:  # a row whose cell in c can take the grain (giving) or give it back
        return (not up[q, c] and remainder[q, c] > 0) if giving else bool(up[q, c])

    def room(q: int) -> bool:
        return total[q] < high[q] if giving else total[q] > low[q]

    def one_step(start: int) -> bool:
        for c in range(columns):
            if not (up[start, c] if giving else (not up[start, c] and remainder[start, c] > 0)):
                continue
            column, k = order[c], marks[c]
            while k < n_rows and not (taker(column[k], c) and room(column[k])):
                k += 1
            marks[c] = k
            # The search would end here too: it skips the takers an earlier column reached, but a taker with room
            # there would have ended the move in that column, so none of them is one here.
            if k < n_rows:
                end = int(column[k])
                _apply(end, start, {end: (start, c)}, up, total, giving)
                return True
        return False

    for row in rows:
        while total[row] > high[row] if giving else total[row] < low[row]:
            moves_left -= 1
            if moves_left < 0:
                raise RoundingError("rounding did not settle", zh="取整调整未能收敛")
            if not one_step(int(row)):
                _move(int(row), up, remainder, total, can_end=total < high if giving else total > low, giving=giving)
                marks = [0] * columns
    return moves_left


def _move(start: int, up: np.ndarray, remainder: np.ndarray, total: np.ndarray, can_end: np.ndarray,
          giving: bool) -> None:
    """Pass one unit out of (giving) or into row ``start`` along the shortest alternating path."""
    rows, columns = up.shape
    # A row can hand a unit on in column c when its cell there is rounded up; the receiving cell
    # must be rounded down and have a remainder. Taking is the same walk with the roles swapped.
    can_give = up
    can_take = ~up & (remainder > 0)
    if not giving:
        can_give, can_take = can_take, can_give
    parent: dict[int, tuple[int, int]] = {}
    visited = np.zeros(rows, dtype=bool)
    visited[start] = True
    frontier = [start]
    used_columns = np.zeros(columns, dtype=bool)
    while frontier:
        reached: list[int] = []
        for c in range(columns):
            if used_columns[c]:
                continue
            givers = [r for r in frontier if can_give[r, c]]
            if not givers:
                continue
            used_columns[c] = True
            # The giver whose up-round is least deserved, the taker whose is most deserved.
            giver = min(givers, key=lambda r: (remainder[r, c] if giving else -remainder[r, c], r))
            takers = np.flatnonzero(can_take[:, c] & ~visited)
            if not takers.size:
                continue
            key = -remainder[takers, c] if giving else remainder[takers, c]
            takers = takers[np.lexsort((takers, key))]
            for taker in takers:
                visited[taker] = True
                parent[int(taker)] = (giver, c)
                reached.append(int(taker))
            ends = [t for t in takers if can_end[t]]
            if ends:
                _apply(int(ends[0]), start, parent, up, total, giving)
                return
        frontier = reached
    raise RoundingError(f"row {start}: no rounding keeps it within its bounds",
                        zh=f"第 {start} 行：没有一种取整能使其保持在上下限之内")


def _apply(end: int, start: int, parent: dict[int, tuple[int, int]], up: np.ndarray, total: np.ndarray,
           giving: bool) -> None:
    row = end
    while row != start:
        giver, c = parent[row]
        if giving:  # giver's cell goes down, row's cell goes up
            up[giver, c], up[row, c] = False, True
        else:  # giver (in the reversed walk) takes: its cell goes up, row's goes down
            up[giver, c], up[row, c] = True, False
        row = giver
    delta = 1 if giving else -1
    total[start] -= delta
    total[end] += delta

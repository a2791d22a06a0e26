"""The allocation as a rule a reviewer can apply with a calculator (the 复核计算 sheet).

With the pro-rata split (``waterfill.pro_rata``) every amount follows from the formula amounts and a few printed
numbers:

- a cell stopped by its share of a bound on its unit's total: formula × (bound ÷ the unit's formula total);
- a cell stopped by a cap on that pool alone: the cap;
- every other cell: formula × its pool's common scale.

The rounded table then follows by largest remainder per pool and the few grain moves listed with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .diagnose import binding_family
from .problem import TOTAL_LOWER, TOTAL_UPPER, AllocationProblem


@dataclass(frozen=True)
class HeldUnit:
    """One rule of a unit's own: a bound on its total that stops it in some pools, or caps on single pools."""

    district: str
    family: str
    """The bound family (``problem.FAMILIES``)."""
    limit_wan: float | None
    """The bound on its total, 万元 (None for caps on single pools)."""
    formula_total_wan: float | None
    """The unit's formula total, the bound's share key."""
    ratio: float | None
    """limit ÷ formula total: a held cell is its formula amount × this."""
    pools: tuple[str, ...] = ()
    """Pool ids in which the bound stops the unit."""
    cell_caps: dict[str, float] = field(default_factory=dict)
    """Pool id → the cap a cell of this unit holds, 万元."""


@dataclass(frozen=True)
class PoolScale:
    pool: str
    amount_wan: float
    unallocated_wan: float
    held_wan: float
    """What the cells stopped by a bound take from the pool."""
    free_formula_wan: float
    """Formula amounts of the other cells."""
    scale: float | None
    """(pool − unallocated − held) ÷ free formula: the common scale of the free cells (None when none is free)."""


@dataclass(frozen=True)
class SplitRule:
    applies: bool
    """Whether the pro-rata rule made the allocation (else ``reason`` says why the LP did)."""
    reason: str | None
    """Why not: split_fit (the scenario chose the fit), categories, objective, pools (a bound cannot be shared pool
    by pool), room (a pool is above its units' shares of their caps), unallocated (the units cannot take all the
    money, and the pools compete for their room)."""
    held: list[HeldUnit] = field(default_factory=list)
    pools: list[PoolScale] = field(default_factory=list)
    moves: list[tuple[str, str, int]] = field(default_factory=list)
    """(pool id, unit, grains of 0.01 万元): where the rounded table departs from each pool's largest remainder, to
    keep a unit's total within its bounds (exactly on the bound of a held unit)."""

    def amounts(self, problem: AllocationProblem) -> np.ndarray:
        """(pools, units) 万元 by the rule alone, from the formula amounts and the numbers above."""
        f = problem.formula
        x = f * np.array([np.nan if s.scale is None else s.scale for s in self.pools])[:, None]
        for unit in self.held:
            i = problem.districts.index(unit.district)
            for pool in unit.pools:
                p = problem.pools.index(pool)
                x[p, i] = f[p, i] * unit.ratio
            for pool, cap in unit.cell_caps.items():
                x[problem.pools.index(pool), i] = cap
        return x


def why_not(problem: AllocationProblem) -> str | None:
    """Why the pro-rata rule does not apply to a problem on its face, or None when it may."""
    if problem.split != "pro_rata":
        return "split_fit"
    if problem.categories:
        return "categories"
    if problem.objective != "formula_fit":
        return "objective"
    return None


def split_rule(problem: AllocationProblem, filled, moved: np.ndarray) -> SplitRule:
    """The printed rule of a pro-rata allocation ``filled`` (``waterfill.WaterFill``); ``moved`` (units + 1,
    pools) is the rounded table less each pool's plain largest remainder, in grains."""
    f = problem.formula
    totals = f.sum(axis=0)
    bounds = filled.bounds
    cell_family = bounds.cell_family
    # A cell stopped at its cap is held by the cap on the pool when that is the lower of the two.
    by_cell = filled.at_high & (cell_family != "")
    by_total_high = filled.at_high & ~by_cell
    by_total_low = filled.at_low
    held: list[HeldUnit] = []
    for i in np.flatnonzero((filled.at_high | filled.at_low).any(axis=0)):
        name = problem.districts[i]
        for cells, kind, limit in ((by_total_high[:, i], TOTAL_UPPER, bounds.total_high[i]),
                                   (by_total_low[:, i], TOTAL_LOWER, bounds.total_low[i])):
            if cells.any():
                held.append(HeldUnit(name, binding_family(problem, kind, i), float(limit), float(totals[i]),
                                     float(limit / totals[i]), tuple(problem.pools[p] for p in np.flatnonzero(cells))))
        caps = by_cell[:, i]
        if caps.any():
            families = sorted({cell_family[p, i] for p in np.flatnonzero(caps)})
            held.append(HeldUnit(name, families[0], None, None, None,
                                 cell_caps={problem.pools[p]: float(filled.amounts[p, i]) for p in np.flatnonzero(caps)}))
    own = filled.at_high | filled.at_low
    scales = [PoolScale(pool, float(problem.pool_wan[p]), float(filled.unallocated[p]),
                        float(filled.amounts[p, own[p]].sum()), float(f[p, ~own[p]].sum()),
                        float(filled.scales[p]) if np.isfinite(filled.scales[p]) and (~own[p]).any() else None)
              for p, pool in enumerate(problem.pools)]
    moves = [(problem.pools[p], problem.districts[i], int(moved[i, p])) for i, p in zip(*np.nonzero(moved[:-1]))]
    return SplitRule(True, None, held, scales, moves)

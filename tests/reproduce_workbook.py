"""Recompute every final amount of an allocation workbook from what the workbook prints, and nothing else.

    python tests/reproduce_workbook.py out/allocation.xlsx

It reads the formula amounts (测算金额) of 因素测算, the rules and numbers of the 复核计算 sheet and the signed
table 汇总, applies the printed rules by hand (no finmodel code, no result object), and reports every cell that
does not agree to the 0.01 万元 grain. It is how a reviewer checks a table with a calculator, written down.

The printed rules:
  ① a unit in table 1 gets, in each pool listed for it, formula × its ratio (its bound ÷ its formula total), and
    a cap on a single pool where one stops it;
  ② every other cell: formula × its pool's common scale (table 2);
  ③ each pool rounded to 0.01 by largest remainder, then the grains table 3 lists moved (so that no unit's total
    passes a bound).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

GRAIN = 0.01


@dataclass
class Reading:
    pools: list[str]
    """Pool labels in 汇总's order."""
    units: list[str]
    formula: dict[str, dict[str, float]]
    """Pool label → unit → formula amount (因素测算)."""
    final: dict[str, dict[str, float]]
    """Pool label → unit → final amount (汇总)."""
    pool_total: dict[str, float]
    scale: dict[str, float | None]
    ratio: dict[tuple[str, str], float] = field(default_factory=dict)
    """(pool, unit) → the ratio of the unit's bound to its formula total, where that bound stops it."""
    limit: dict[str, list[float]] = field(default_factory=dict)
    """Unit → the bounds on its total that stop it somewhere."""
    caps: dict[tuple[str, str], float] = field(default_factory=dict)
    """(pool, unit) → a cap on that pool alone that stops it."""
    moves: list[tuple[str, str, float]] = field(default_factory=list)
    """(pool, unit, 万元) rounding moves of table 3."""
    unallocated: dict[str, float] = field(default_factory=dict)
    """Pool → 未分配 (table 2)."""


def _rows(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _money(text: str) -> float:
    return float(text.replace(",", ""))


def read(path: Path) -> Reading:
    book = openpyxl.load_workbook(path, data_only=True)
    # 汇总: the header row starts 序号, 区县, 合计（万元）, then one column per pool.
    summary = _rows(book["汇总"])
    top = next(k for k, r in enumerate(summary) if r[0] == "序号" and r[1] == "区县")
    header = summary[top]
    # Columns after 合计 up to 备注 are the pools.
    columns = {k: str(v) for k, v in enumerate(header) if k >= 3 and v and v != "备注"}
    pools = list(columns.values())
    if not pools:
        raise ValueError(f"{path}: 汇总 has no pool columns")
    units, final = [], {p: {} for p in pools}
    pool_total = {}
    for row in summary[top + 1:]:
        if row[1] == "合计":
            pool_total = {name: float(row[k]) for k, name in columns.items()}
            continue
        if not isinstance(row[0], int):
            continue
        units.append(row[1])
        for k, name in columns.items():
            final[name][row[1]] = float(row[k])
    # 因素测算: a block per pool, titled "<pool>　资金总额 …", whose header row holds 区县 and 测算金额（万元）.
    sheet = _rows(book["因素测算"])
    formula: dict[str, dict[str, float]] = {}
    starts = [k for k, r in enumerate(sheet) if r[0] and "　资金总额 " in str(r[0])]
    for start in starts:
        name = str(sheet[start][0]).split("　")[0]
        head = next(k for k in range(start, len(sheet)) if sheet[k][0] == "区县")
        col = sheet[head].index("测算金额（万元）")
        formula[name] = {}
        for row in sheet[head + 2:]:
            if row[0] == "合计":
                break
            formula[name][row[0]] = float(row[col])
    # 复核计算: table 1 (units with a rule of their own) and table 2 (common scales).
    notes = _rows(book["复核计算"])
    reading = Reading(pools, units, formula, final, pool_total, scale={})
    if not any(r[0] == "表一：受自身约束的区县" for r in notes):
        said = next((r[0] for r in notes if r[0] and str(r[0]).startswith("本次分配未按比例分摊规则计算")), None)
        raise ValueError(f"{path}: 复核计算 prints no rule to recompute by" + (f": {said}" if said else ""))
    first = next(k for k, r in enumerate(notes) if r[0] == "表一：受自身约束的区县")
    for row in notes[first + 2:]:
        if not isinstance(row[0], int):
            break
        unit = row[1]
        if row[4] is not None:  # a bound on the unit's total, shared by its formula amounts in the pools listed
            reading.limit.setdefault(unit, []).append(float(row[2]))
            for pool in str(row[6]).split("、"):
                reading.ratio[(pool, unit)] = float(row[4])
        for part in (row[7] or "").split("；"):
            if part.strip():
                label, amount = part.strip().rsplit(" ", 1)
                reading.caps[(label, unit)] = _money(amount)
    third = next(k for k, r in enumerate(notes) if str(r[0]).startswith("表三：取整调整"))
    for row in notes[third + 2:]:
        if not isinstance(row[0], int):
            break
        reading.moves.append((row[1], row[2], float(row[3])))
    second = next(k for k, r in enumerate(notes) if r[0] == "表二：各项资金的共同系数")
    for row in notes[second + 2:]:
        if not isinstance(row[0], int):
            break
        reading.scale[row[1]] = None if row[6] is None else float(row[6])
        reading.unallocated[row[1]] = float(row[3])
    missing = [p for p in pools if p not in formula or p not in reading.scale]
    if missing or not units:
        raise ValueError(f"{path}: no formula amounts or common scale printed for {missing or 'any unit'}")
    return reading


def largest_remainder(values: dict[str, float], total: float, order: list[str]) -> dict[str, float]:
    """Rule ③: whole grains of ``values`` first, the grains left of ``total`` to the largest remainders (ties to
    the earlier in ``order``)."""
    grains = {u: values[u] / GRAIN for u in order}
    whole = {u: math.floor(g + 1e-6) for u, g in grains.items()}
    left = round(total / GRAIN) - sum(whole.values())
    ranked = sorted(order, key=lambda u: (-(grains[u] - whole[u]), order.index(u)))
    for u in ranked[:left]:
        whole[u] += 1
    return {u: whole[u] * GRAIN for u in order}


def recompute(path: Path) -> tuple[Reading, dict[str, dict[str, float]], list[str]]:
    """The amounts by the printed rules (unrounded), and every disagreement with the printed table."""
    r = read(path)
    exact: dict[str, dict[str, float]] = {p: {} for p in r.pools}
    for pool in r.pools:
        for unit in r.units:
            f = r.formula[pool][unit]
            if (pool, unit) in r.caps:
                exact[pool][unit] = r.caps[(pool, unit)]  # ① a cap on this pool alone
            elif (pool, unit) in r.ratio:
                exact[pool][unit] = f * r.ratio[(pool, unit)]  # ① its share of the bound on its total
            else:
                exact[pool][unit] = f * r.scale[pool]  # ② the pool's common scale
    problems = []
    for pool in r.pools:
        if abs(sum(r.final[pool].values()) - r.pool_total[pool]) > 1e-6:
            problems.append(f"{pool}: the units add up to {sum(r.final[pool].values()):.2f}, "
                            f"not {r.pool_total[pool]:.2f}")
        # ③ largest remainder on the pool, then table 3's moves.
        rounded = largest_remainder(exact[pool], r.pool_total[pool] - r.unallocated.get(pool, 0.0), r.units)
        for moved_pool, unit, amount in r.moves:
            if moved_pool == pool:
                rounded[unit] += amount
        for unit in r.units:
            printed, value = r.final[pool][unit], exact[pool][unit]
            if abs(printed - value) >= GRAIN - 1e-9:
                problems.append(f"{pool}, {unit}: printed {printed:.2f}, the rules give {value:.6f}")
            if abs(printed - rounded[unit]) > 1e-6:
                problems.append(f"{pool}, {unit}: printed {printed:.2f}, rule ③ gives {rounded[unit]:.2f}")
    for unit, limits in r.limit.items():
        held = [pool for pool in r.pools if (pool, unit) in r.ratio]
        if len(held) == len(r.pools) and len(limits) == 1:  # stopped in every pool: the total is on its bound
            total = sum(r.final[p][unit] for p in r.pools)
            # Each pool rounds on its own: the total may miss the bound by a grain per pool but one (on the
            # bound's allowed side, which 合规检查 checks).
            if abs(total - limits[0]) > GRAIN * (len(r.pools) - 1) + 1e-6:
                problems.append(f"{unit}: held on {limits[0]:.2f} in every pool but totals {total:.2f}")
    return r, exact, problems


def main(argv: list[str]) -> int:
    for name in argv:
        _, _, problems = recompute(Path(name))
        print(f"{name}: " + ("every amount recomputed" if not problems else f"{len(problems)} disagreements"))
        for line in problems:
            print("  " + line)
    return 0 if all(not recompute(Path(n))[2] for n in argv) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

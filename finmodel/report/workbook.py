"""The approval workbook (附件：……资金分配表), laid out as Chinese finance bureaus attach it."""

from __future__ import annotations

from copy import copy
from typing import Callable

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..allocation import AllocationResult, performance_grades
from ..allocation.explain import shown_price
from ..allocation.scenario import Pool, assumed_inputs, is_assumed, subsidy_need
from .book import (flatten, keep_together, parameter_sheet, print_setup, save_workbook, signature_block, text_of,
                   write_grid)
from .cells import MONEY, MONEY4, NUMBER, SHARE, fit_height, put, row_heights
from ..labels import (GRADE, check_label, column_label, explanation_remark, explanation_sentence, family_label,
                      finding_text, pool_label, t, word)
from .summary import remarks_by_unit, unallocated_reason


def allocation_workbook(result: AllocationResult, lang: str = "zh",
                        progress: Callable[[str], None] | None = None) -> bytes:
    """The workbook as bytes: same result, same bytes. ``progress`` is told of each step, for long runs."""
    say = progress or (lambda message: None)
    wb = Workbook()
    say(f"allocation.xlsx: {t('sheet_summary', lang)}")
    summary_sheet(wb.active, result, lang)
    factors_sheet(wb.create_sheet(), result, lang, say)
    say(f"allocation.xlsx: {t('sheet_adjust', lang)}")
    adjustments_sheet(wb.create_sheet(), result, lang)
    if result.rule is not None:
        rule_sheet(wb.create_sheet(), result, lang)
    checks_sheet(wb.create_sheet(), result, lang)
    need = result.scenario.config.allocation.need if result.scenario.config.allocation else None
    if need is not None and need.excluded:
        need_sheet(wb.create_sheet(), result, lang)
    parameters_sheet(wb.create_sheet(), result, lang)
    say("allocation.xlsx")
    return save_workbook(wb, result.scenario.name, lang)


def summary_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """汇总: the table that is signed."""
    ws.title = t("sheet_summary", lang)
    pools = result.scenario.pools
    headers = [t("seq", lang), t("district", lang), t("total", lang)] + [pool_label(p, lang) for p in pools]
    headers.append(t("remark", lang))
    width = len(headers)
    last = get_column_letter(width)

    put(ws, 1, 1, t("attachment", lang), lang=lang, bold=True)
    put(ws, 2, 1, result.scenario.name + t("table_suffix", lang), bold=True, size=16, align="center", lang=lang)
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = 30
    put(ws, 3, width, t("unit_wan", lang), align="right", lang=lang)
    if assumed_inputs(result.scenario):
        put(ws, 3, 1, t("draft_mark", lang), bold=True, lang=lang)

    # 6 + 18 + 16 + 3 × 17 + 28 = 119 units: the signed table of three pools prints portrait at 8 pt or more, an
    # eight-character pool name on one line.
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 16
    for col in range(4, width):
        ws.column_dimensions[get_column_letter(col)].width = 17
    ws.column_dimensions[last].width = 28

    header_row, total_row = 4, 5
    for col, text in enumerate(headers, start=1):
        put(ws, header_row, col, text, bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
    ws.row_dimensions[header_row].height = 32

    units = result.amount_units
    pool_totals = [int(units[p.id].sum()) for p in pools]
    put(ws, total_row, 1, None, box=True, lang=lang)
    put(ws, total_row, 2, t("total", lang), bold=True, box=True, align="center", lang=lang)
    if result.unallocated_units is not None:
        pool_totals = [total + int(result.unallocated_units[p.id]) for total, p in zip(pool_totals, pools)]
    put(ws, total_row, 3, sum(pool_totals) / 100, fmt=MONEY, bold=True, box=True, align="right", lang=lang)
    for offset, total in enumerate(pool_totals):
        put(ws, total_row, 4 + offset, total / 100, fmt=MONEY, bold=True, box=True, align="right", lang=lang)
    put(ws, total_row, width, None, box=True, lang=lang)

    # Whole columns at once, in report order: a label lookup per cell costs more than writing the cell.
    table = units.loc[result.districts, [p.id for p in pools]].to_numpy(dtype=np.int64)
    row_totals = (table.sum(axis=1) / 100).tolist()
    amounts = (table / 100).tolist()
    remarks = remarks_by_unit(result, lang)
    heights = row_heights(ws, width, remarks, line_height=16)
    for number, district in enumerate(result.districts, start=1):
        row = total_row + number
        put(ws, row, 1, number, box=True, align="center", lang=lang)
        put(ws, row, 2, district, box=True, align="center", lang=lang)
        put(ws, row, 3, row_totals[number - 1], fmt=MONEY, box=True, align="right", lang=lang)
        for offset, value in enumerate(amounts[number - 1]):
            put(ws, row, 4 + offset, value, fmt=MONEY, box=True, align="right", lang=lang)
        put(ws, row, width, remarks[number - 1], box=True, lang=lang, wrap=True)
        ws.row_dimensions[row].height = heights[number - 1]

    last_row = total_row + len(result.districts)
    if result.has_unallocated:
        last_row += 1
        left = [int(result.unallocated_units[p.id]) for p in pools]
        put(ws, last_row, 1, None, box=True, lang=lang)
        put(ws, last_row, 2, t("unallocated", lang), bold=True, box=True, align="center", lang=lang)
        put(ws, last_row, 3, sum(left) / 100, fmt=MONEY, box=True, align="right", lang=lang)
        for offset, value in enumerate(left):
            put(ws, last_row, 4 + offset, value / 100, fmt=MONEY, box=True, align="right", lang=lang)
        reason = unallocated_reason(result, lang)
        put(ws, last_row, width, reason, box=True, lang=lang, wrap=True)
        fit_height(ws, last_row, {width: reason}, line_height=16)

    block_end = signature_block(ws, last_row + 2, width, result.scenario.config.scenario.prepared_by, lang)
    for row in range(total_row + 1, last_row + 1):  # the remark keeps clear of the numbers before it
        cell = ws.cell(row=row, column=width)
        alignment = copy(cell.alignment)
        alignment.horizontal, alignment.indent = "left", 1  # an indent counts only with an explicit alignment
        cell.alignment = alignment

    ws.freeze_panes = ws.cell(row=total_row + 1, column=3)
    print_setup(ws, width, f"{header_row}:{total_row}")
    keep_together(ws, last_row + 2, block_end - 1)  # the signatures on one page


def factors_sheet(ws: Worksheet, result: AllocationResult, lang: str,
                  progress: Callable[[str], None] | None = None) -> None:
    """因素测算: enough figures per pool to recompute any formula amount with a calculator."""
    ws.title = t("sheet_factors", lang)
    # The last step differs: without the LP the amounts are the formula's rounded, with it the LP's.
    note = "recompute_note" if result.scenario.config.allocation is None else "recompute_note_lp"
    row = 3
    widest = 0
    # Widths first: the notes above each pool's table wrap across the first columns and take their heights from them.
    ws.column_dimensions["A"].width = 20
    for col in range(2, NOTE_SPAN + 1):
        ws.column_dimensions[get_column_letter(col)].width = 15
    _note(ws, 1, t(note, lang), lang)
    for number, pool in enumerate(result.scenario.pools):
        if progress:
            progress(f"allocation.xlsx: {t('sheet_factors', lang)}, {pool_label(pool, lang)}")
        if number:  # each pool's block starts a page of its own
            ws.row_breaks.append(Break(id=row - 1))
        row, width = _pool_block(ws, result, pool, row, lang)
        widest = max(widest, width)
        row += 2
    for col in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(col)].width = 15
    print_setup(ws, widest)


def _tiers_source(scenario, lang: str) -> str:
    """Where the difficulty tiers come from: the policy (its source, and whether it is an assumption), or the
    scenario with its own source if it states one."""
    entry = scenario.policy.in_use.get("difficulty_tiers")
    if entry is not None:  # the source itself, as published, is in the 参数 sheet's 来源 column
        where = t("tiers_in_params", lang).format(entry.key)
        return t("tiers_assumed" if entry.assumption else "tiers_sourced", lang).format(where)
    source = scenario.config.difficulty.source
    if not source:
        return t("tiers_scenario", lang)
    return t("tiers_assumed" if is_assumed(source) else "tiers_sourced", lang).format(source)


NOTE_SPAN = 11
"""Columns a note above a pool's table wraps across: the first page's width (20 + 10 × 15 units, see
``book.PAGE_CHARS``), so that a long source prints whole instead of running off the page."""


def _note(ws: Worksheet, row: int, text: str, lang: str, span: int = NOTE_SPAN) -> None:
    """A note wrapped across the first ``span`` columns, its row as high as its text."""
    put(ws, row, 1, text, lang=lang, wrap=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    fit_height(ws, row, {1: text}, span=span)


def _pool_block(ws: Worksheet, result: AllocationResult, pool: Pool, row: int, lang: str) -> tuple[int, int]:
    formula = result.formula[pool.id]
    factors = list(pool.weights)
    frame = formula.factors
    scenario = result.scenario
    tiers = scenario.config.difficulty
    derived = scenario.derives_difficulty(pool.difficulty)

    title = f"{pool_label(pool, lang)}　{t('pool_amount', lang)} {pool.amount_wan:,.2f} {t('wan', lang)}"
    put(ws, row, 1, title, bold=True, size=12, lang=lang)
    row += 1
    if derived:
        _note(ws, row, t("derived_note", lang).format(*tiers.tiers, _tiers_source(scenario, lang)), lang)
        row += 1
    performance = pool.performance
    if performance is not None:
        coefficients = "/".join(f"{g} {c:g}" for g, c in scenario.policy["performance_coefficients"].items())
        note = (t("performance_coefficient_note", lang).format(coefficients) if performance.form == "coefficient"
                else t("reward_slice_note", lang).format(performance.reward_share, coefficients,
                                                         column_label(performance.volume, lang)))
        _note(ws, row, note, lang)
        row += 1
    slice_columns = ("task_share", "reward_weight", "reward_share") if (
        performance is not None and performance.form == "reward_slice") else ()

    # Two header rows: factor name with its weight above, the four figures of the factor below.
    lead = [t("district", lang)]
    if derived:
        lead.append(t("self_sufficiency", lang))
    if pool.difficulty is not None:
        lead.append(t("difficulty_coef", lang))
    if performance is not None:
        lead += [t("performance_score_grade", lang), t("performance_coef", lang)]
    if slice_columns:
        lead.append(column_label(performance.volume, lang))
    if pool.inverse_by is not None:
        lead.append(column_label(pool.inverse_by, lang))
    col = 1
    for text in lead:
        put(ws, row, col, text, bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
        put(ws, row + 1, col, None, box=True, lang=lang)
        ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += 1
    factor_cols: dict[str, int] = {}
    for factor in factors:
        name = column_label(factor, lang)
        if factor in pool.inverse:
            name += (t("inverse_note", lang) if pool.inverse_by is None else
                     t("inverse_by_note", lang).format(column_label(pool.inverse_by, lang)))
        if pool.difficulty is not None and factor in pool.unweighted:
            name += t("unweighted_note", lang)
        put(ws, row, col, f"{name}　{t('weight', lang)} {pool.weights[factor]:.12g}", bold=True, box=True,
            align="center", fill=True, lang=lang, wrap=True)
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 3)
        for k, key in enumerate(("value", "adjusted", "factor_share", "weighted_share")):
            put(ws, row + 1, col + k, t(key, lang), bold=True, box=True, align="center", fill=True, lang=lang)
        factor_cols[factor] = col
        col += 4
    tail = {key: col + k for k, key in enumerate(slice_columns)}
    col += len(slice_columns)
    tail |= {"share": col, "formula_amount": col + 1, "final_amount": col + 2}
    for key, c in tail.items():
        put(ws, row, c, t(key, lang), bold=True, box=True, align="center", fill=True, lang=lang, wrap=True)
        put(ws, row + 1, c, None, box=True, lang=lang)
        ws.merge_cells(start_row=row, start_column=c, end_row=row + 1, end_column=c)
    ws.row_dimensions[row].height = 32
    width = col + 2
    row += 2

    by_factor = {f: frame[frame["factor"] == f].set_index("district") for f in factors}
    # Every figure as a (units, …) array in report order, taken once: a label lookup per cell costs more than
    # writing the cell, and on thousands of units it took most of the sheet's time.
    order = result.districts
    figures = ("value", "adjusted_value", "factor_share", "weighted_share")
    columns = np.stack([np.column_stack([by_factor[f][name].loc[order].to_numpy(dtype=float) for name in figures])
                        for f in factors], axis=1).tolist()  # units × factors × 4
    lead_values = []
    if derived:
        lead_values.append((scenario.self_sufficiency().loc[order].to_numpy(dtype=float).tolist(), "0.0000"))
    if pool.difficulty is not None:
        # The coefficients the formula used, as its result holds them: the sheet shows, it does not recompute.
        coef = formula.districts["difficulty_coef"]
        lead_values.append((coef.loc[order].to_numpy(dtype=float).tolist(), "0.00"))
    if performance is not None:
        score = scenario.districts[performance.score].loc[order].to_numpy(dtype=float)
        grade = pd.Series(performance_grades(scenario, pool), index=scenario.districts.index).loc[order]
        lead_values.append(([f"{s:g}（{g}）" if lang == "zh" else f"{s:g} ({word(GRADE, g, lang)})"
                             for s, g in zip(score, grade)], None))
        lead_values.append((formula.districts["performance_coef"].loc[order].to_numpy(dtype=float).tolist(), "0.00"))
    if slice_columns:
        lead_values.append((formula.districts["task_volume"].loc[order].to_numpy(dtype=float).tolist(), NUMBER))
    if pool.inverse_by is not None:
        lead_values.append((scenario.districts[pool.inverse_by].loc[order].to_numpy(dtype=float).tolist(), NUMBER))
    slices = {key: formula.districts[key].loc[order].to_numpy(dtype=float).tolist() for key in slice_columns}
    shares = formula.districts["share"].loc[order].to_numpy(dtype=float).tolist()
    formula_amounts = formula.districts["amount_wan"].loc[order].to_numpy(dtype=float).tolist()
    final_amounts = (result.amount_units[pool.id].loc[order].to_numpy(dtype=np.int64) / 100).tolist()
    factor_starts = [factor_cols[f] for f in factors]
    formats = (NUMBER, "#,##0.0000####", SHARE, SHARE)
    for k, district in enumerate(order):
        put(ws, row, 1, district, box=True, lang=lang)
        for c, (values, fmt) in enumerate(lead_values, start=2):
            put(ws, row, c, values[k], fmt=fmt, box=True, lang=lang)
        for start, figures_of_factor in zip(factor_starts, columns[k]):
            for j, (value, fmt) in enumerate(zip(figures_of_factor, formats)):
                put(ws, row, start + j, value, fmt=fmt, box=True, lang=lang)
        for key, values in slices.items():
            put(ws, row, tail[key], values[k], fmt="#,##0.0000####" if key == "reward_weight" else SHARE,
                box=True, lang=lang)
        put(ws, row, tail["share"], shares[k], fmt=SHARE, box=True, lang=lang)
        put(ws, row, tail["formula_amount"], formula_amounts[k], fmt=MONEY4, box=True, lang=lang)
        put(ws, row, tail["final_amount"], final_amounts[k], fmt=MONEY, box=True, lang=lang)
        row += 1

    put(ws, row, 1, t("total", lang), bold=True, box=True, lang=lang)
    for factor in factors:
        column = by_factor[factor]
        c = factor_cols[factor]
        put(ws, row, c + 1, float(np.sum(column["adjusted_value"])), fmt="#,##0.0000####", bold=True, box=True,
            lang=lang)
        put(ws, row, c + 2, float(np.sum(column["factor_share"])), fmt=SHARE, bold=True, box=True, lang=lang)
        put(ws, row, c + 3, float(np.sum(column["weighted_share"])), fmt=SHARE, bold=True, box=True, lang=lang)
    for key in slice_columns:
        put(ws, row, tail[key], float(formula.districts[key].sum()),
            fmt="#,##0.0000####" if key == "reward_weight" else SHARE, bold=True, box=True, lang=lang)
    put(ws, row, tail["share"], float(formula.districts["share"].sum()), fmt=SHARE, bold=True, box=True, lang=lang)
    put(ws, row, tail["formula_amount"], float(formula.districts["amount_wan"].sum()), fmt=MONEY4, bold=True,
        box=True, lang=lang)
    put(ws, row, tail["final_amount"], int(result.amount_units[pool.id].sum()) / 100, fmt=MONEY, bold=True,
        box=True, lang=lang)
    return row + 1, width


def adjustments_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """调整说明: for each unit moved off its formula amount, by how much and which rule moved it."""
    ws.title = t("sheet_adjust", lang)
    spec = result.scenario.config.allocation
    if spec is None:
        put(ws, 1, 1, t("no_lp", lang), lang=lang, wrap=True)
        ws.merge_cells("A1:H1")
        ws.row_dimensions[1].height = 36
        ws.column_dimensions["A"].width = 12
        return
    solver = result.solver or {}
    put(ws, 1, 1, f"{t('objective', lang)}：{t('objective_' + spec.objective, lang)}" if lang == "zh" else
        f"{t('objective', lang)}: {t('objective_' + spec.objective, lang)}", bold=True, lang=lang)
    if solver.get("method") == "pro_rata":
        put(ws, 2, 1, t("pro_rata_line", lang), lang=lang)
    elif spec.objective == "formula_fit":
        # The same line whichever algorithm ran: they give the same table, and the approval copy does not change
        # with the method (the manifest names it).
        put(ws, 2, 1, t("fit_line", lang), lang=lang)
    else:
        put(ws, 2, 1, t("solver_line", lang).format(solver.get("version", ""), solver.get("solves", ""),
                                                   ", ".join(solver.get("statuses", []))), lang=lang)
    headers = ["seq", "district", "formula_amount", "final_amount", "difference", "reason", "shadow_price",
               "explanation"]
    row = 4
    for col, key in enumerate(headers, start=1):
        put(ws, row, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang, wrap=True)
    objective = spec.objective
    # 178 units in all: one landscape page at 8 pt or more (book.PAGE_CHARS), each explanation beside its numbers.
    for col, width in zip("ABCDEFGH", (6, 18, 15, 15, 14, 30, 16, 64)):
        ws.column_dimensions[col].width = width
    put(ws, row, 7, f"{t('shadow_price', lang)}（{t('price_unit_' + objective, lang)}）" if lang == "zh" else
        f"{t('shadow_price', lang)} ({t('price_unit_' + objective, lang)})", bold=True, box=True, fill=True,
        align="center", lang=lang, wrap=True)
    fit_height(ws, row, {7: t("shadow_price", lang) + t("price_unit_" + objective, lang)})
    for number, item in enumerate(result.explanations, start=1):
        row += 1
        prices = "; ".join(f"{shown_price(r.shadow_price, objective):.4f}" for r in item.rules
                           if r.shadow_price is not None) or None
        values = [number, item.district, item.formula_wan, item.final_wan, item.difference_wan,
                  explanation_remark(item, lang), prices, explanation_sentence(item, lang, objective)]
        for col, value in enumerate(values, start=1):
            fmt = MONEY if col in (3, 4, 5) else None
            put(ws, row, col, value, fmt=fmt, box=True, lang=lang, wrap=col in (6, 8),
                align="right" if fmt or col == 7 else None)
        fit_height(ws, row, {6: values[5], 8: values[7]})
    if not result.explanations:
        row += 1
        put(ws, row, 1, t("no_adjustment", lang), lang=lang)
    if result.rule is not None:
        row += 2
        put(ws, row, 1, t("rule_pointer", lang), lang=lang)
    if result.findings:
        row += 2
        put(ws, row, 1, t("findings", lang), bold=True, lang=lang)
        for finding in result.findings:
            row += 1
            put(ws, row, 1, finding_text(finding, lang), lang=lang)
    if result.problem is not None:
        row += 2
        put(ws, row, 1, t("formula_share_line", lang).format(result.formula_share), lang=lang)
    if result.problem is not None and len(result.scenario.pools) > 1:
        # Which pool is placed first decides where money is left when the pools compete for the same room.
        pools = result.scenario.pools
        names = [pool_label(pools[k], lang) for k in result.problem.placing_order()]
        row += 2
        put(ws, row, 1, t("pool_order", lang).format(("、" if lang == "zh" else ", ").join(names)), lang=lang)
    ws.freeze_panes = "C5"
    print_setup(ws, len(headers), "4:4")


def rule_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """复核计算: the rule behind every amount with its numbers (``allocation.rule``), so that a reviewer, or a script
    reading only this workbook (``tests/reproduce_workbook.py``), recomputes each cell with the formula amounts of
    因素测算. A sheet of its own, after 调整说明, so that each prints without the other's headers."""
    ws.title = t("sheet_rule", lang)
    rule = result.rule
    pools = {p.id: p for p in result.scenario.pools}
    for col, width in zip("ABCDEFGH", (6, 18, 15, 17, 16, 24, 22, 30)):
        ws.column_dimensions[col].width = width
    put(ws, 1, 1, t("rule_title", lang), bold=True, lang=lang)
    print_setup(ws, 8)
    if not rule.applies:
        _note(ws, 2, t("rule_not", lang).format(t("rule_not_" + rule.reason, lang)), lang, span=8)
        return
    for row, key in enumerate(("rule_held", "rule_free", "rule_round"), start=2):
        _note(ws, row, t(key, lang), lang, span=8)

    joint, listed = ("、", "；") if lang == "zh" else (", ", "; ")
    held = [[number, unit.district, unit.limit_wan, unit.formula_total_wan, unit.ratio, family_label(unit.family, lang),
             joint.join(pool_label(pools[p], lang) for p in unit.pools),
             listed.join(f"{pool_label(pools[p], lang)} {cap:,.2f}" for p, cap in unit.cell_caps.items())]
            for number, unit in enumerate(rule.held, start=1)]
    scales = [[number, pool_label(pools[s.pool], lang), s.amount_wan, s.unallocated_wan, s.held_wan,
               s.free_formula_wan, s.scale] for number, s in enumerate(rule.pools, start=1)]
    moves = [[number, pool_label(pools[pool], lang), unit, grains / 100]
             for number, (pool, unit, grains) in enumerate(rule.moves, start=1)]
    row = 7
    for title, headers, records, formats, wrapped in (
            ("rule_table_held", ["seq", "district", "rule_limit", "rule_shared", "rule_ratio", "rule_bound",
                                 "rule_pools_held", "rule_caps"], held,
             [None, None, MONEY, MONEY4, SHARE, None, None, None], (6, 7, 8)),
            ("rule_table_pools", ["seq", "rule_pool", "rule_amount", "rule_unallocated", "rule_held_take",
                                  "rule_free_formula", "rule_scale"], scales,
             [None, None, MONEY, MONEY, MONEY4, MONEY4, SHARE], ()),
            ("rule_table_moves", ["seq", "rule_pool", "district", "rule_move"], moves, [None, None, None, MONEY], ())):
        put(ws, row - 1, 1, t(title, lang), bold=True, lang=lang)
        row = write_grid(ws, row, [t(key, lang) for key in headers], records, formats, lang, wrapped=wrapped)
        if not records:
            put(ws, row, 2, t("rule_none_held", lang), lang=lang)
            row += 1
        row += 2


def checks_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """合规检查: each check with 通过 / 未通过."""
    ws.title = t("sheet_checks", lang)
    pools = {p.id: p for p in result.scenario.pools}
    for col, key in enumerate(("seq", "check", "result", "detail"), start=1):
        put(ws, 1, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang)
    for number, check in enumerate(result.checks, start=1):
        name = check_label(check, pools, lang)
        put(ws, number + 1, 1, number, box=True, align="center", lang=lang)
        put(ws, number + 1, 2, name, box=True, lang=lang, wrap=True)  # a long check wraps, never cut by 结果
        put(ws, number + 1, 3, t("passed" if check.passed else "failed", lang), box=True, align="center",
            bold=not check.passed, lang=lang)
        put(ws, number + 1, 4, check.detail, box=True, lang=lang, wrap=True)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 28
    ws.freeze_panes = "A2"


def need_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """补助需求: each unit's need, the money in it the subsidy pools must not pay (三供一业 dormitories, special
    renovations: 三(五)), the need the pools may pay, and what the unit was allocated."""
    ws.title = t("need_sheet", lang)
    scenario = result.scenario
    need = scenario.config.allocation.need
    table = scenario.districts.loc[result.districts]
    routes = list(need.excluded)
    put(ws, 1, 1, t("need_title", lang), bold=True, size=14, lang=lang)
    headers = [t("seq", lang), t("district", lang), t("need_total", lang), *(t(f"need_{r}", lang) for r in routes),
               t("need_pools", lang), t("need_allocated", lang)]
    allocated = result.amount_units.loc[result.districts, [p.id for p in scenario.pools]].to_numpy(dtype=np.int64).sum(
        axis=1) / 100
    pools_need = pd.Series(subsidy_need(scenario), index=scenario.districts.index).loc[result.districts]
    records = [[k, unit, table.at[unit, need.total], *(table.at[unit, need.excluded[r]] for r in routes),
                pools_need[unit], allocated[k - 1]] for k, unit in enumerate(result.districts, start=1)]
    sums = [round(sum(r[c] for r in records), 2) for c in range(2, len(headers))]
    records.append(["", t("total", lang), *sums])
    write_grid(ws, 3, headers, records, [None, None] + [MONEY] * (len(headers) - 2), lang)
    put(ws, len(records) + 5, 1, t("need_note", lang), lang=lang)
    for col, width in enumerate([6, 18] + [16] * (len(headers) - 2), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C4"
    print_setup(ws, len(headers), "3:3")


def parameter_rows(result: AllocationResult, lang: str) -> list[tuple[str, str, str, str]]:
    """(key, value, unit, source) for every scenario value, in file order."""
    config = result.scenario.config
    weight = t("weight", lang)
    rows = [
        ("scenario.name", config.scenario.name, "", ""),
        ("scenario.year", str(config.scenario.year), "", ""),
        ("scenario.prepared_by", config.scenario.prepared_by, "", ""),
        ("districts.table", config.districts.table, "", result.scenario.inputs.get(config.districts.table, "")),
        ("districts.key", config.districts.key, "", ""),
    ]
    if config.districts.sheet:
        rows.append(("districts.sheet", config.districts.sheet, "", ""))
    if config.difficulty:
        d = config.difficulty
        rows += [
            ("difficulty.column", d.column, "", ""),
            ("difficulty.revenue", d.revenue, "", ""),
            ("difficulty.expenditure", d.expenditure, "", ""),
            ("difficulty.tiers", " / ".join(f"{x:g}" for x in d.tiers), "", d.source),
        ]
    for pool in config.pools:
        base = f"pools.{pool.id}"
        rows += [
            (f"{base}.label", pool.label, "", ""),
            (f"{base}.amount_wan", f"{pool.amount_wan:.2f}", t("wan", lang), pool.amount_source),
        ]
        rows += [(f"{base}.weights.{f}", f"{w:g}", weight, pool.weights_source) for f, w in pool.weights.items()]
        rows += [
            (f"{base}.difficulty", pool.difficulty or "", "", ""),
            (f"{base}.inverse", ", ".join(pool.inverse), "", ""),
            (f"{base}.unweighted", ", ".join(pool.unweighted), "", ""),
        ]
    if config.allocation is not None:
        rows += [(f"allocation.{key}", text_of(value), "", "") for key, value in flatten(
            config.allocation.model_dump(exclude_none=True))]
        for pool in config.pools:
            if pool.eligible is not None:
                rows.append((f"pools.{pool.id}.eligible", ", ".join(pool.eligible), "", ""))
    return rows


def parameters_sheet(ws: Worksheet, result: AllocationResult, lang: str) -> None:
    """参数: every scenario value, its unit and source; every override, old → new; the input files."""
    row = parameter_sheet(ws, parameter_rows(result, lang), result.scenario.overrides, result.scenario.inputs, lang,
                          result.scenario.policy)
    assumed = assumed_inputs(result.scenario)
    if assumed:
        # What makes the table a draft (测算稿): every input that is assumed or estimated, and what says so.
        row += 1
        put(ws, row, 1, t("assumed_inputs", lang), bold=True, lang=lang)
        for item in assumed:
            row += 1
            source = t("assumed_estimated", lang) if item.source == "estimated_fields" else item.source
            put(ws, row, 1, item.key, box=True, lang=lang)
            put(ws, row, 2, item.detail or None, box=True, lang=lang, wrap=True)
            put(ws, row, 4, source, box=True, lang=lang, wrap=True)
            fit_height(ws, row, {2: item.detail, 4: source})

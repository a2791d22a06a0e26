"""Sheets and chart for the funding modes: balance per unit, bundle members, cross-area transfers, the funding
stack and its rules, 以奖代补 rewards, and the bundling optimiser."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..modes import ModesResult
from ..policy.rewards import REWARD_CONCEPT
from .book import keep_together, print_setup, write_grid
from .cells import MONEY, display_width, put
from .charts import cjk_font
from ..labels import GRADE, PARTY, PAYEE, item_label, t, word

RATIO = "0.00"
PCT = "0.00%"
ACROSS_LIMIT = 10  # up to this many units the balance sheet lists tests down and units across

def _item(item: str, lang: str) -> str:
    return item_label(item, lang)


def _paid_to(pairs, lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    return sep.join(f"{word(PAYEE, payee, lang) if payee in PAYEE else word(PARTY, payee, lang)} {amount:,.2f}"
                    for payee, amount in pairs)


def add_mode_sheets(wb: Workbook, modes: ModesResult, discount_rate: float, lang: str) -> None:
    """Append the sheets that have something to show."""
    if not modes.units.empty:
        units_sheet(wb.create_sheet(), modes, discount_rate, lang)
    if not modes.members.empty:
        _table_sheet(wb.create_sheet(), t("md_sheet_members", lang), modes.members.assign(
            kind=[t(f"kind_{k}", lang) for k in modes.members["kind"]],
            bundle=[modes.name_of(b) for b in modes.members["bundle"]]).rename(columns={"name": "project_name"}),
            ["bundle", "project_name", "kind", "area", "npv_wan", "coverage_margin_wan", "cash_min_wan"], lang)
    if modes.transfers:
        transfers_sheet(wb.create_sheet(), modes, lang)
    if modes.stacks:
        stack_sheet(wb.create_sheet(), modes, lang)
    if not modes.rewards.empty:
        rewards_sheet(wb.create_sheet(), modes, lang)
    if not modes.rule_checks.empty:
        checks_sheet(wb.create_sheet(), modes, lang)
    if modes.bundling is not None:
        bundling_sheet(wb.create_sheet(), modes, lang)


def _names(modes: ModesResult, ids: list[str], lang: str) -> str:
    """Projects by name, listed the report's way."""
    return ("、" if lang == "zh" else ", ").join(modes.name_of(i) for i in ids if i)


def _label(column: str, lang: str) -> str:
    special = {"project_name": "project", "npv_wan": "npv_after_grants_wan", "unit": "md_unit"}
    return t(special.get(column, column), lang)


def _value(value, lang: str):
    if isinstance(value, (bool, np.bool_)):
        return t("yes" if value else "no", lang)
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return value


def _format(column: str) -> str | None:
    if column.endswith("_wan"):
        return MONEY
    if column in ("coverage", "income_scale_needed", "operating_years_needed", "factor"):
        return RATIO
    if column == "rate":
        return PCT
    return None


def _table(ws: Worksheet, row: int, frame: pd.DataFrame, columns: list[str], lang: str) -> int:
    """Write ``frame[columns]`` with labelled headers from ``row``; return the next free row."""
    records = [[_value(v, lang) for v in record] for record in frame[columns].itertuples(index=False)]
    row = write_grid(ws, row, [_label(c, lang) for c in columns], records, [_format(c) for c in columns], lang,
                     header_height=45) - 1
    for col, column in enumerate(columns, start=1):
        width = max([display_width(_label(column, lang)) // 2 + 2, 12] +
                    [display_width(str(_value(v, lang))) + 2 for v in frame[column].head(200)])
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(width, 40))
    return row + 1


def _table_sheet(ws: Worksheet, title: str, frame: pd.DataFrame, columns: list[str], lang: str) -> None:
    ws.title = title
    put(ws, 1, 1, title, bold=True, size=14, lang=lang)
    _table(ws, 3, frame, columns, lang)
    ws.freeze_panes = "A4"
    print_setup(ws, len(columns), "3:3")


def rule_text(modes: ModesResult, discount_rate: float, lang: str) -> str:
    """The balance rule in words: the tests that decide, each with its threshold, then the ones left out."""
    rule = modes.rule
    said = {
        "npv": t("md_rule_npv", lang).format(f"{rule.npv_at_least_wan:g}", f"{discount_rate:.2%}"),
        "coverage": t("md_rule_coverage", lang).format(
            t(f"definition_{rule.coverage_definition}", lang).split("（")[0], t(f"debt_{rule.coverage_debt}", lang),
            t(f"interest_{rule.coverage_interest}", lang), f"{rule.coverage_at_least:g}"),
        "cash": t("md_rule_cash", lang).format(f"{rule.cash_at_least_wan:g}"),
    }
    joint = "；" if lang == "zh" else "; "
    text = t("md_rule", lang) + joint.join(said[test] for test in said if test in rule.tests)
    left_out = [t(f"md_test_{test}", lang) for test in said if test not in rule.tests]
    if left_out:
        text += joint + t("md_not_tested", lang) + ("：" if lang == "zh" else ": ") + ("、" if lang == "zh" else ", ").join(left_out)
    return text + ("。" if lang == "zh" else ".")


def units_sheet(ws: Worksheet, modes: ModesResult, discount_rate: float, lang: str) -> None:
    """资金平衡: each test's margin, balanced or not, and what would close the gap — tests down and units across
    for a few units (as a feasibility study prints it), one row per unit beyond."""
    ws.title = t("md_sheet_units", lang)
    put(ws, 1, 1, t("md_sheet_units", lang), bold=True, size=14, lang=lang)
    put(ws, 2, 1, rule_text(modes, discount_rate, lang), lang=lang)
    frame = modes.units.reset_index()
    frame["mode"] = [t(f"mode_{m}", lang) for m in frame["mode"]]
    frame["first_short_year"] = [t("none", lang) if y < 0 else int(y) for y in frame["first_short_year"]]
    frame["members"] = [_names(modes, members.split(", "), lang) for members in frame["members"]]
    columns = ["unit", "name", "mode", "members", "npv_wan", "npv_margin_wan", "coverage", "coverage_margin_wan",
               "cash_min_wan", "cash_margin_wan", "first_short_year", "rules_ok", "public_excess_wan", "balanced",
               "grant_needed_wan",
               "bridge_needed_wan", "income_needed_wan", "income_scale_needed", "operating_years_needed"]
    if len(frame) > ACROSS_LIMIT:
        _table(ws, 4, frame, columns, lang)
        ws.freeze_panes = "C5"
        print_setup(ws, len(columns), "4:4")
        return
    put(ws, 4, 1, t("item", lang), bold=True, box=True, fill=True, align="center", lang=lang)
    for col, record in enumerate(frame.itertuples(index=False), start=2):
        put(ws, 4, col, record.name, bold=True, box=True, fill=True, align="center", lang=lang, wrap=True)
        ws.column_dimensions[get_column_letter(col)].width = 26
    ws.row_dimensions[4].height = 32
    for row, column in enumerate(columns[2:], start=5):
        put(ws, row, 1, _label(column, lang), box=True, lang=lang)
        for col, value in enumerate(frame[column], start=2):
            value = _value(value, lang)
            fmt = _format(column) if not isinstance(value, str) else None
            put(ws, row, col, value, fmt=fmt, box=True, align="right", lang=lang)
    ws.column_dimensions["A"].width = 40
    ws.freeze_panes = "B5"
    print_setup(ws, 3, "4:4")


def transfers_sheet(ws: Worksheet, modes: ModesResult, lang: str) -> None:
    """跨片区调剂: per cross-area bundle, what the partner gives the package each year."""
    ws.title = t("md_sheet_transfers", lang)
    row = 1
    columns = ["year", "package_net_wan", "partner_net_wan", "transfer_wan", "cumulative_transfer_wan",
               "package_cumulative_after_wan", "partner_cumulative_after_wan", "package_shortfall_wan"]
    for bundle, table in modes.transfers.items():
        put(ws, row, 1, modes.name_of(bundle), bold=True, lang=lang)
        row = _table(ws, row + 1, table, columns, lang) + 2
    print_setup(ws, len(columns))


def stack_sheet(ws: Worksheet, modes: ModesResult, lang: str) -> None:
    """多元投入: per project, money in by source and year against the uses, then the funding rules."""
    ws.title = t("md_sheet_stack", lang)
    row = 1
    for project, table in modes.stacks.items():
        name = modes.units.at[project, "name"]
        put(ws, row, 1, name, bold=True, lang=lang)
        row += 1
        years = [str(y) for y in table.index]
        headers = [t("md_source", lang), t("total", lang)] + years
        for col, text in enumerate(headers, start=1):
            put(ws, row, col, text, bold=True, box=True, fill=True, align="center", lang=lang)
        for column in table.columns:
            row += 1
            if column.startswith("grant:"):
                label = word(PARTY, column.split(":", 1)[1], lang)
            elif column in ("rewards", "equity", "bonds", "loans", "operating_cash"):
                label = t(f"src_{column}", lang)
            else:
                label = t(column, lang)
            values = table[column].to_numpy(dtype=float)
            put(ws, row, 1, label, box=True, lang=lang)
            total = None if column == "cumulative_balance_wan" else float(values.sum())
            put(ws, row, 2, total, fmt=MONEY, box=True, align="right", lang=lang)
            for col, value in enumerate(values, start=3):
                put(ws, row, col, float(value), fmt=MONEY, box=True, align="right", lang=lang)
        row += 2
        checks = _checks_shown(modes.rule_checks[modes.rule_checks["project"] == project], lang)
        end = _table(ws, row, checks, ["rule", "item", "required", "given", "excess_wan", "passed"], lang)
        keep_together(ws, row, end - 1)  # the rules under their header, not split from it by a page break
        row = end + 2
    # at least the sources' labels; wider where the rules' names need it (_table sized it to them)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 26)
    print_setup(ws, 8)


def _checks_shown(checks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rule checks with their rules and items named for the report."""
    shown = checks.copy()
    shown["item"] = [_item(i, lang) if i else (t("project_account", lang) if r == "public_within_cost" else "")
                     for r, i in zip(shown["rule"], shown["item"])]
    shown["rule"] = [t(f"rule_{r}", lang) for r in shown["rule"]]
    return shown


def checks_sheet(ws: Worksheet, modes: ModesResult, lang: str) -> None:
    """合规检查: every rule of every project tested — the funding rules of multi_source projects and, for all,
    public money within the cost it funds — with the excess over each ceiling."""
    shown = _checks_shown(modes.rule_checks, lang)
    shown["project"] = [modes.name_of(p) for p in shown["project"]]
    _table_sheet(ws, t("sheet_checks", lang), shown.rename(
        columns={"item": "capex_item"}), ["project", "rule", "capex_item", "required", "given", "excess_wan",
                                          "passed"], lang)


def rewards_sheet(ws: Worksheet, modes: ModesResult, lang: str) -> None:
    """以奖代补: each reward line with its base, rate, cap, grade, amount, the year it is paid and who receives it."""
    ws.title = t("md_sheet_rewards", lang)
    frame = modes.rewards.copy()
    frame["reward_item"] = frame["label"] if lang == "zh" else frame["item"]
    frame["cap_binds"] = [t("cap_binds_note", lang) if b else "" for b in frame["cap_binds"]]
    frame["grade"] = [word(GRADE, g, lang) for g in frame["grade"]]
    frame["items"] = [", ".join(_item(i, lang) for i in items.split(", ") if i) for items in frame["items"]]
    frame["paid_to"] = [_paid_to(pairs, lang) for pairs in frame["paid_to"]]
    frame["project"] = [modes.name_of(p) for p in frame["project"]]
    columns = ["project", "reward_item", "items", "cost_wan", "households", "rate", "cap_wan", "cap_binds", "grade",
               "factor", "accepted", "acceptance_year", "paid_year", "amount_wan", "paid_to", "to_project_wan"]
    put(ws, 1, 1, t("md_sheet_rewards", lang), bold=True, size=14, lang=lang)
    put(ws, 2, 1, t("md_reward_source", lang).format(REWARD_CONCEPT), lang=lang)
    _table(ws, 4, frame.rename(columns={"cap_binds": "remark"}), [c if c != "cap_binds" else "remark"
                                                                   for c in columns], lang)
    print_setup(ws, len(columns), "4:4")


def bundling_sheet(ws: Worksheet, modes: ModesResult, lang: str) -> None:
    """组合优化: the summary, the bundles formed, and every package's status and what it still needs."""
    ws.title = t("md_sheet_bundling", lang)
    bundling = modes.bundling
    solution = bundling.solution
    put(ws, 1, 1, t("md_sheet_bundling", lang), bold=True, size=14, lang=lang)
    put(ws, 2, 1, t("md_bundling_summary", lang).format(
        t(f"mode_{bundling.mode}", lang), len(bundling.problem.packages), len(bundling.problem.components),
        solution.households_balanced, len(solution.standalone), solution.deficit_absorbed_wan), lang=lang)
    bundles = bundling.bundles.assign(
        bundle=[modes.name_of(b) for b in bundling.bundles["bundle"]],
        packages=[_names(modes, list(p), lang) for p in bundling.bundles["packages"]])
    row = _table(ws, 4, bundles.rename(columns={"packages": "members"}),
                 ["bundle", "members", "households", "npv_wan", "npv_margin_wan", "least_margin_wan", "balanced"],
                 lang) + 2
    packages = bundling.packages.copy()
    packages["status"] = [t(f"status_{s}", lang) for s in packages["status"]]
    packages["bundle"] = [modes.name_of(b) if isinstance(b, str) and b else b for b in packages["bundle"]]
    packages = packages.rename(columns={"name": "project_name"})
    _table(ws, row, packages, ["project_name", "area", "households", "status", "bundle", "npv_wan",
                               "grant_needed_wan", "bridge_needed_wan", "income_needed_wan"], lang)
    print_setup(ws, 10)


def bundling_chart(modes: ModesResult, lang: str = "zh") -> Figure:
    """Per bundle, the component's NPV up and its packages' down, the bundle's NPV as a dot; then the packages
    left unbalanced."""
    font = cjk_font()
    bundling = modes.bundling
    problem = bundling.problem
    npv_of = dict(zip(problem.packages, problem.package_parts[:, 0])) | dict(
        zip(problem.components, problem.component_parts[:, 0]))
    labels, ups, downs, nets = [], [], [], []
    for record in bundling.bundles.itertuples(index=False):
        labels.append(modes.name_of(record.bundle))
        ups.append(npv_of[record.bundle])
        downs.append([npv_of[p] for p in record.packages])
        nets.append(record.npv_wan)
    left = bundling.packages[bundling.packages["status"] == "unbalanced"]
    fig = Figure(figsize=(max(8, 0.6 * (len(labels) + len(left)) + 3), 5.5), dpi=120)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.bar(x, ups, color="#2e7d32", label=t("md_chart_component", lang))
    for k, (parts, record) in enumerate(zip(downs, bundling.bundles.itertuples(index=False))):
        bottom = 0.0
        for package, value in zip(record.packages, parts):
            ax.bar(x[k], value, bottom=bottom, color="#c62828", edgecolor="white", linewidth=0.6,
                   label=t("md_chart_package", lang) if (k == 0 and bottom == 0.0) else None)
            ax.text(x[k], bottom + value / 2, modes.name_of(package), ha="center", va="center", fontsize=6,
                    color="white", family=font)
            bottom += value
    ax.scatter(x, nets, color="black", zorder=3, label=t("md_chart_net", lang))
    if len(left):
        xl = len(labels) + 0.5 + np.arange(len(left))
        ax.bar(xl, left["npv_wan"], color="#9e9e9e", label=t("md_chart_left", lang))
        labels += [modes.name_of(p) for p in left["package"]]
        x = np.concatenate([x, xl])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_ylabel(t("npv_after_grants_wan", lang), family=font)
    ax.set_title(t("md_chart_title", lang), family=font)
    for label in ax.get_xticklabels():
        label.set_family(font)
    ax.legend(prop={"family": font, "size": 8})
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig

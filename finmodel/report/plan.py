"""Plan reports: the annual plan (年度计划表), the community list, eligibility, deadlines; a chart; the manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..planning import PlanResult, compile_by
from ..policy.eligibility import RULES
from .book import (config_rows, keep_together, parameter_sheet, print_setup, save_workbook, signature_block,
                   write_grid)
from .cells import MONEY, display_width, put
from .charts import cjk_font, png_bytes
from ..labels import csv_header, t
from .files import csv_bytes
from .funding import catalogue_sheet, route_sheet
from .manifest import write_with_manifest

COUNT = "#,##0"


def plan_workbook(result: PlanResult, lang: str = "zh") -> bytes:
    wb = Workbook()
    annual_sheet(wb.active, result, lang)
    list_sheet(wb.create_sheet(), result, lang)
    eligibility_sheet(wb.create_sheet(), result, lang)
    deadlines_sheet(wb.create_sheet(), result, lang)
    if not result.three_supplies.empty:
        three_supplies_sheet(wb.create_sheet(), result, lang)
    funding_sheet(wb.create_sheet(), result, lang)
    catalogue_sheet(wb.create_sheet(), result.scenario.policy.entry("cost_catalogue").value, lang)
    parameter_sheet(wb.create_sheet(), config_rows(result.scenario.config, lang), result.scenario.overrides,
                    result.scenario.inputs, lang, result.scenario.policy)
    return save_workbook(wb, result.scenario.name, lang)


def annual_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """年度计划表: per district and year what is planned, against the budget."""
    ws.title = t("pl_sheet_annual", lang)
    put(ws, 1, 1, result.scenario.name + (t("pl_sheet_annual", lang) if lang == "zh" else ""), bold=True, size=15,
        lang=lang)
    solution = result.solution
    gap = f"{solution.gap:.4%}" if solution.gap is not None else "—"
    # The solve time is in the manifest and on the terminal: in the workbook it would make reruns differ.
    put(ws, 2, 1, t("pl_solver_line", lang).format(solution.solver["version"], gap,
                                                   f"{result.scenario.config.plan.mip_rel_gap:.2%}"), lang=lang)
    columns = ["district", "year", "communities", "households", "buildings", "floor_area_m2", "cost_wan",
               "budget_wan", "unspent_wan", "compile_by"]
    formats = [None, "0", COUNT, COUNT, COUNT, COUNT, MONEY, MONEY, MONEY, None]
    headers = [t(f"pl_{c}", lang) for c in columns]
    records = result.annual[columns].values.tolist()
    totals = result.annual.groupby("year")[columns[2:8]].sum().reset_index()
    records += [[t("total", lang), int(r.year)] + list(r)[1:] + [None, compile_by(int(r.year),
                                                                                result.scenario.policy)]
                for r in totals.itertuples(index=False)]
    end = write_grid(ws, 4, headers, records, formats, lang)
    last = signature_block(ws, end + 1, len(columns), result.scenario.config.scenario.prepared_by, lang)
    for col, width in enumerate([18, 8, 12, 12, 10, 16, 18, 16, 14, 16], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A5"
    print_setup(ws, len(columns), "4:4")
    keep_together(ws, end + 1, last - 1)


def list_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """项目清单: every community in the basic plan, with its priority and planned year."""
    ws.title = t("pl_sheet_list", lang)
    frame = result.communities[result.communities["eligible"]]
    frame = frame.assign(order=frame["planned_year"].replace(0, 9999)).sort_values(
        ["order", "district", "priority"], ascending=[True, True, False], kind="stable")
    columns = ["name", "district", "year_built", "households", "floor_area_m2", "cost_basic_wan", "priority",
               "planned_year"]
    headers = [t("pl_id", lang), t("pl_name", lang), t("pl_district", lang), t("pl_year_built", lang),
               t("pl_households", lang), t("pl_floor_area_m2", lang), t("pl_cost_wan", lang), t("pl_priority", lang),
               t("pl_planned_year", lang)]
    records = [[index] + [row[c] for c in columns[:-1]] + [row["planned_year"] or t("pl_not_planned", lang)]
               for index, row in frame.iterrows()]
    # The name column as wide as the longest name (up to 40 units, longer ones wrap): a name cut by the district
    # beside it is a name misread. Widths first: the wrapped rows take their heights from them.
    longest = max((display_width(str(name)) for name in frame["name"]), default=0)
    for col, width in enumerate([10, min(max(22, longest + 2), 40), 14, 10, 10, 14, 16, 12, 14], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    write_grid(ws, 1, headers, records, [None, None, None, "0", COUNT, COUNT, MONEY, "0.000", "0"], lang,
               wrapped=(2,) if longest + 2 > 40 else ())
    ws.freeze_panes = "C2"
    print_setup(ws, len(headers), "1:1")


def eligibility_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """资格审查: each rule's verdict for every community, the excluding rule and its clause."""
    ws.title = t("pl_sheet_eligibility", lang)
    codes = [rule.code for rule in RULES]
    headers = [t("pl_id", lang), t("pl_name", lang), t("pl_district", lang)] + [
        f"{t('pl_rule_' + c, lang)}（{rule.clause}）" if lang == "zh" else f"{t('pl_rule_' + c, lang)} ({rule.clause})"
        for c, rule in zip(codes, RULES)] + [t("pl_eligible", lang), t("pl_reason", lang), t("pl_clause", lang),
                                             t("pl_special_only", lang)]
    yes, no = t("yes", lang), t("no", lang)
    records = []
    for index, row in result.communities.iterrows():
        reason = t("pl_rule_" + row["reason"], lang) if row["reason"] else ""
        records.append([index, row["name"], row["district"]] + [yes if row[c] else no for c in codes] + [
            yes if row["eligible"] else no, reason, row["clause"], yes if row["special_only"] else ""])
    write_grid(ws, 1, headers, records, [None] * len(headers), lang)
    # How the policy's words are read, under the table: the reading decides who is in and who comes first.
    rules = result.scenario.policy["eligibility"]
    put(ws, len(records) + 3, 1, t("pl_reading_note", lang).format(
        built_by=rules.built_by.isoformat(), priority=rules.priority_built_by.year,
        consent=f"{rules.consent_at_least.numerator}/{rules.consent_at_least.denominator}"), lang=lang)
    ws.column_dimensions["B"].width = 22
    for col in range(4, len(headers) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    ws.freeze_panes = "D2"
    print_setup(ws, len(headers), "1:1")


def funding_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """资金来源: the plan's money by who pays it and year, with 三供一业 and special-only communities apart."""
    table = result.funding_by_route()
    labels = [*table.columns[:-2], t("fund_three_supplies", lang), t("fund_special_only", lang)]
    route_sheet(ws, t("pl_fund_title", lang).format(result.scenario.name), table, labels, t("pl_fund_note", lang),
                lang)


def three_supplies_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """三供一业: the dormitories out of the plan, and who pays their basic works (三(五))."""
    ws.title = t("pl_sheet_three_supplies", lang)
    frame = result.three_supplies
    put(ws, 1, 1, t("pl_three_title", lang), bold=True, lang=lang)
    headers = [t(k, lang) for k in ("pl_id", "pl_name", "district", "pl_households", "pl_cost_wan",
                                    "pl_owner_unit_wan", "pl_policy_funds_wan")]
    records = [[i, r.name, r.district, int(r.households), r.cost_basic_wan, r.owner_unit_wan, r.policy_funds_wan]
               for i, r in zip(frame.index, frame.itertuples(index=False))]
    records.append([t("total", lang), "", "", int(frame["households"].sum()), frame["cost_basic_wan"].sum(),
                    frame["owner_unit_wan"].sum(), frame["policy_funds_wan"].sum()])
    write_grid(ws, 3, headers, records, [None, None, None, COUNT, MONEY, MONEY, MONEY], lang)
    for letter, width in zip("ABCDEFG", (12, 24, 12, 10, 16, 16, 18)):
        ws.column_dimensions[letter].width = width
    print_setup(ws, len(headers), "3:3")


def deadlines_sheet(ws: Worksheet, result: PlanResult, lang: str) -> None:
    """期限检查: each deadline's coverage and shortfall, and the extra money by district and year that meets it."""
    ws.title = t("pl_sheet_deadlines", lang)
    headers = [t(k, lang) for k in ("pl_deadline", "pl_clause", "pl_by_year", "pl_covered_communities",
                                    "pl_covered_households", "pl_missed_communities", "pl_missed_households",
                                    "pl_extra_money_wan", "pl_missed_list")]
    names = result.communities["name"]
    records = [[r.label or r.deadline, r.clause, r.by_year, r.communities, r.households, r.communities_missed,
                r.households_missed, r.extra_money_wan if not np.isnan(r.extra_money_wan)
                else t("pl_not_plannable", lang), _missed_names(result, r.deadline, names, lang)]
               for r in result.deadlines.itertuples(index=False)]
    widths = [40, 12, 10, 12, 14, 12, 14, 18, 44]  # 176 units: one landscape page across; years' money fits B
    for col, width in enumerate(widths, start=1):  # first: the wrapped rows take their heights from them
        ws.column_dimensions[get_column_letter(col)].width = width
    row = write_grid(ws, 1, headers, records, [None, None, "0", COUNT, COUNT, COUNT, COUNT, MONEY, None], lang,
                     wrapped=(1, 9)) + 1
    for deadline in result.deadlines.itertuples(index=False):
        money = result.extra_money.get(deadline.deadline)
        if money is None or not (money.to_numpy() > 0).any():
            continue
        put(ws, row, 1, t("pl_extra_title", lang).format(deadline.label or deadline.deadline), bold=True, lang=lang)
        grid = [[district] + list(values) + [float(np.sum(values))] for district, values in
                zip(money.index, money.to_numpy())]
        row = write_grid(ws, row + 1, [t("pl_district", lang)] + [str(y) for y in money.columns] + [t("total", lang)],
                    grid, [None] + [MONEY] * (len(money.columns) + 1), lang) + 1
    print_setup(ws, len(headers))


MISSED_SHOWN = 8
"""Communities a deadline's row names; plan.csv flags every one (its 未按期 columns)."""


def _missed_names(result: PlanResult, deadline: str, names: pd.Series, lang: str) -> str:
    """The first communities that miss ``deadline``, by name, and how many more there are."""
    missed = result.communities.index[result.communities[f"misses_{deadline}"].to_numpy(dtype=bool)]
    shown = ("、" if lang == "zh" else ", ").join(names.loc[missed[:MISSED_SHOWN]])
    more = len(missed) - MISSED_SHOWN
    return shown + (t("pl_missed_more", lang).format(len(missed)) if more > 0 else "")


def plan_chart(result: PlanResult, lang: str = "zh") -> Figure:
    """Households planned per year, stacked by district."""
    font = cjk_font()
    table = result.annual.pivot(index="year", columns="district", values="households").fillna(0)
    table = table[table.sum().sort_values(ascending=False).index]
    fig = Figure(figsize=(10, 5.5), dpi=120)
    ax = fig.add_subplot()
    bottom = np.zeros(len(table))
    for district in table.columns:
        ax.bar(table.index.astype(str), table[district], bottom=bottom, label=district)
        bottom += table[district].to_numpy()
    for x, total in enumerate(bottom):
        ax.text(x, total, f"{int(total):,}", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(1.0, float(bottom.max())) * 1.1)
    ax.set_ylabel(t("pl_households", lang), family=font)
    ax.set_title(f"{result.scenario.name}\n{t('pl_chart_title', lang)}", family=font)
    ax.legend(prop={"family": font, "size": 8}, ncols=2)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


LISTS = ["gaps", "works"]
"""Columns of item lists: plan.csv counts the gaps (gap_count); the sheet 资金来源 prices every item."""
COUNTS = ("year_built", "households", "buildings")
"""Whole-number columns read as floats from the library table: written as integers."""
YEARS = ("prior_year", "planned_year")
"""0 marks "no such year" (not in a prior plan, not planned): written empty."""


def plan_columns(result: PlanResult) -> list[str]:
    """plan.csv's columns as the API names them (the index, ``id``, first)."""
    return list(result.communities.drop(columns=LISTS).reset_index().columns)


def plan_csv(result: PlanResult, lang: str = "zh") -> bytes:
    """One row per community, headers in ``lang`` with units; counts and years as integers, a year that does not
    exist left empty."""
    frame = result.communities.drop(columns=LISTS).reset_index()
    for column in COUNTS:
        frame[column] = frame[column].round().astype("Int64")
    for column in YEARS:
        frame[column] = frame[column].where(frame[column] > 0).astype("Int64")
    # Codes as the workbook words them; ids and names stay as they are.
    frame["reason"] = [t("pl_rule_" + r, lang) if r else "" for r in frame["reason"]]
    frame["land_type"] = [csv_header(f"land_{k}", lang) for k in frame["land_type"]]
    labels = dict(zip(result.deadlines["deadline"], result.deadlines["label"]))
    headers = {}
    for column in frame.columns:
        deadline = column.removeprefix("misses_")
        if deadline != column and deadline in labels:
            headers[column] = csv_header("misses", lang).format(labels[deadline] or deadline)
        else:
            headers[column] = csv_header(column, lang, ("pl_", "pl_rule_"))
    return csv_bytes(frame.rename(columns=headers), float_format="%.6f")


def write_plan_report(result: PlanResult, out_dir: str | Path, *, lang: str = "zh", command: str = "finmodel run"
                      ) -> dict[str, Path]:
    """Write plan.xlsx, plan.csv, plan.png and manifest.json into ``out_dir``, all or none."""
    out_dir = Path(out_dir)
    outputs = {"plan.xlsx": plan_workbook(result, lang), "plan.csv": plan_csv(result, lang),
               "plan.png": png_bytes(plan_chart(result, lang))}
    from .html import plan_html

    outputs["report.html"] = plan_html(result, outputs, lang)
    solver = dict(result.solution.solver) | {"plan_seconds": round(result.seconds, 3)}
    return write_with_manifest(result.scenario, outputs, out_dir, command=command, lang=lang, solver=solver,
                               columns={"plan.csv": plan_columns(result)})

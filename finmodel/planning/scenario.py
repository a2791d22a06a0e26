"""Plan scenario: the community library (项目库), district budgets by year, and the multi-year plan's settings.

The library is a table with one row per community (columns below); costs missing from it are estimated from the
policy's ``cost_catalogue`` (元 per m² for each basic item of 附件1 the community lacks, each work it lists, and
the default package of a category it lists nothing of).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..errors import InputError, Invalid, Said, zh_of
from ..config import Id, NamedScenario, Strict as _Strict
from ..policy.catalogue import CATEGORIES, CostCatalogue, category_estimates
from ..policy.eligibility import RULES, eligibility
from ..policy.params import Policy, read_config
from ..tables import (cell_number, cell_text, number_problem, numeric_column, ordered, read_table, resolve_file,
                      row_number, sha256_of, visible)

LAND_TYPES = ("state_owned", "collective", "other")
PRIOR_PLANS = ("", "provincial", "city", "district")


class PlanInfo(_Strict):
    name: str = Field(min_length=1)
    """Title of the plan (e.g. 济南市老旧小区改造2021—2025年计划（合成项目库示例）)."""
    prepared_by: str = ""


class LibrarySpec(_Strict):
    table: str = Field(min_length=1)
    """CSV or XLSX, relative to the scenario file: one row per community."""
    key: str = "id"
    sheet: str | None = None


class BudgetSpec(_Strict):
    table: str = Field(min_length=1)
    """CSV or XLSX with columns district, year, budget_wan: the money each district can spend on the basic-facility
    plan that year (its allocation plus its own money), 万元."""
    sheet: str | None = None
    """XLSX only: the sheet (default: the first)."""
    scale: Annotated[float, Field(ge=0, le=100)] = 1.0
    """Every budget of the table times this: how a plan changes with the money (``finmodel sweep … --grid
    budgets.scale=0.8,1,1.2``)."""


class DeadlineSpec(_Strict):
    id: Id
    by_year: int
    """Renovated in or before this year."""
    built_by: int
    """Covers eligible communities built in or before this year."""
    penalty: Annotated[float, Field(ge=0)] = 1.0
    """Weight per household missed, against one household of priority 1 renovated in the first year."""
    label: str = ""
    clause: str = ""


class PlanSpec(_Strict):
    first_year: int = Field(ge=2000, le=2100)
    last_year: int = Field(ge=2000, le=2100)
    carry_over: bool = True
    """Whether money a district does not spend in a year stays available in later years."""
    earliness: Annotated[float, Field(ge=0, lt=1)] = 0.05
    """Value lost per year of delay (a household renovated a year later counts 1 − earliness as much)."""
    weights: dict[Literal["pre2000", "gaps", "will"], Annotated[float, Field(ge=0)]] | None = None
    """Priority weights: built before 2000, share of basic items missing, share of residents consenting (default:
    the policy's ``priority_weights``; given here, they replace it for this run, recorded as a policy change)."""
    consent_at_least: Annotated[float, Field(ge=0, le=1)] | None = None
    """Least share of residents consenting (default: the policy's ``eligibility.consent_at_least``; given here, it
    replaces it for this run, recorded as a policy change)."""
    deadlines: list[DeadlineSpec] | None = None
    """Default: the policy's ``deadlines`` (those of 济政办字〔2020〕21号)."""
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(gt=0)] = 300.0
    mip_rel_gap: Annotated[float, Field(ge=0, lt=1)] = 0.001
    """Relative gap at which the search stops (0.001 = 0.1 %); the gap reached is reported."""

    @model_validator(mode="after")
    def _years(self) -> PlanSpec:
        if self.last_year < self.first_year:
            raise Invalid(f"last_year {self.last_year} is before first_year {self.first_year}",
                          f"last_year {self.last_year} 早于 first_year {self.first_year}")
        if self.weights is not None and sum(self.weights.values()) <= 0:
            raise Invalid("weights: at least one must be above 0", "weights：至少应有一项大于 0")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def deadline_specs(self, policy: Policy) -> list[DeadlineSpec]:
        if self.deadlines is not None:
            return list(self.deadlines)
        return [DeadlineSpec(id=key, **spec.model_dump()) for key, spec in policy["deadlines"].items()]


class PlanScenarioConfig(_Strict):
    kind: Literal["plan"] = "plan"
    """The scenario's kind, the first key of the file (``finmodel/kinds.py``); a file without it is read by its
    tables, with a note to add it."""
    scenario: PlanInfo
    library: LibrarySpec
    budgets: BudgetSpec
    plan: PlanSpec
    policy: dict[str, Any] = {}
    """Policy values for this run ([policy]): ``as_of`` (the day the policy is read on; default the last day of
    the plan's first year), ``file`` (another policy file), and any value of the policy set by its key
    (``eligibility.consent_at_least = "3/4"``). The values and their keys are those of
    finmodel/policy/parameters.toml."""


@dataclass(frozen=True)
class PlanScenario(NamedScenario):
    config: PlanScenarioConfig
    path: Path
    library: pd.DataFrame
    """One row per community, indexed by id: numbers as numbers, gaps as a count and a list, costs in 万元."""
    budgets: pd.DataFrame
    """(districts × years) 万元."""

    @property
    def year(self) -> int:
        return self.config.plan.first_year


def load_plan_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> PlanScenario:
    path = Path(path)
    _, config, policy, applied = read_config(path, overrides, PlanScenarioConfig, lambda c: c.plan.first_year,
                                             _plan_uses, own=_plan_policy)
    library_path = resolve_file(path.parent, config.library.table, file=path, key="library.table")
    budgets_path = resolve_file(path.parent, config.budgets.table, file=path, key="budgets.table")
    library = read_library(library_path, config.library, policy)
    _check_some_eligible(library, policy, library_path)
    budgets = read_budgets(budgets_path, config.plan, set(library["district"]), config.budgets.sheet) * (
        config.budgets.scale)
    inputs = {path.name: sha256_of(path), config.library.table: sha256_of(library_path),
              config.budgets.table: sha256_of(budgets_path)}
    return PlanScenario(config=config, path=path, library=library, budgets=budgets, inputs=inputs, overrides=applied,
                        policy=policy)


NUMERIC = ("year_built", "households", "buildings", "floor_area_m2", "consent_share")
WHOLE = {"year_built": "year", "households": "count", "buildings": "count"}


def _check_some_eligible(library: pd.DataFrame, policy: Policy, path: Path) -> None:
    """A plan needs at least one eligible community: with none there is nothing to plan, and a solver given an
    empty model reports a stop that reads like a time limit."""
    verdicts = eligibility(library, policy)
    if verdicts["eligible"].any():
        return
    counts = verdicts["reason"].value_counts()
    texts = {rule.code: f"{rule.code} ({rule.clause} {rule.text})" for rule in RULES}
    texts_zh = {rule.code: f"{rule.code}（{rule.clause} {rule.text}）" for rule in RULES}
    reasons = "; ".join(f"{n} by {texts.get(code, code)}" for code, n in counts.items())
    reasons_zh = "；".join(f"{n} 个不符合 {texts_zh.get(code, code)}" for code, n in counts.items())
    raise InputError(f"no community of the library is eligible for the plan, so there is nothing to plan: of "
                     f"{len(library)}, {reasons}",
                     zh=f"项目库中没有符合列入计划条件的小区，无可安排：{len(library)} 个小区中，{reasons_zh}", file=path)


def _plan_uses(config: PlanScenarioConfig) -> tuple[list[str], dict[str, str]]:
    """The policy values a plan uses: eligibility, priority, unit costs, the compile-by day and, unless [[plan.deadlines]]
    lists its own, the deadlines."""
    used = ["eligibility", "priority_weights", "cost_catalogue", "plan_compile_by"]
    if config.plan.deadlines is None:
        used.append("deadlines")
    return used, {"deadlines": "[[plan.deadlines]]"}


def _plan_policy(config: PlanScenarioConfig) -> list[tuple[str, Any]]:
    """[plan]'s weights and consent share are this run's policy values: the engines read them from the policy."""
    spec = config.plan
    return ([("priority_weights", dict(spec.weights))] if spec.weights is not None else []) + (
        [("eligibility.consent_at_least", spec.consent_at_least)] if spec.consent_at_least is not None else [])


def read_library(path: Path, spec: LibrarySpec, policy: Policy) -> pd.DataFrame:
    """The community table, checked cell by cell, with gaps parsed and missing costs estimated."""
    table = read_table(path, key=spec.key, sheet=spec.sheet, where="library.table")
    for column in ("name", "district", "land_type", "gaps"):
        if column not in table.columns:
            raise InputError(f"no column '{column}' (columns: {', '.join(table.columns)})",
                             zh=f"没有列“{column}”（现有列：{', '.join(table.columns)}）", file=path, column=column)
    out = pd.DataFrame(index=table.index)
    out["name"] = _optional_text(table, "name")
    out["district"] = _optional_text(table, "district")
    for column in NUMERIC:
        out[column] = numeric_column(table, column, whole=WHOLE.get(column))
    bad = out.index[(out["consent_share"] > 1)]
    if len(bad):
        position = list(out.index).index(bad[0])
        raise InputError(f"a share must be at most 1, got {out.at[bad[0], 'consent_share']:g}",
                         zh=f"比例不能大于 1，实际为 {out.at[bad[0], 'consent_share']:g}", file=path,
                         row=row_number(table, position), column="consent_share")
    out["land_type"] = _one_of(table, "land_type", LAND_TYPES, Said("land type", "土地类型"),
                               Said(f"use {', '.join(LAND_TYPES)}", f"请填写 {'、'.join(LAND_TYPES)} 之一"))
    out["prior_plan"] = _one_of(table, "prior_plan", PRIOR_PLANS, Said("plan", "改造计划"),
                                Said("use provincial, city, district or leave empty",
                                     "请填写 provincial、city、district 之一，或留空"))
    out["prior_year"] = _optional_number(table, "prior_year", Said("not a year", "不是年份"),
                                         year=True).fillna(0).astype(int)
    flags = _optional_number(table, "three_supplies", Said("not 1 (a 三供一业 dormitory) or 0",
                                                           "不是 1（“三供一业”宿舍区）或 0"))
    if flags.notna().any() and not flags.dropna().isin([0, 1]).all():
        bad = flags.index[flags.notna() & ~flags.isin([0, 1])][0]
        raise InputError(f"three_supplies is 1 (a 三供一业 dormitory) or 0, got {flags[bad]:g}",
                         zh=f"three_supplies 应为 1（“三供一业”宿舍区）或 0，实际为 {flags[bad]:g}", file=path,
                         row=row_number(table, list(flags.index).index(bad)), column="three_supplies")
    out["three_supplies"] = flags.fillna(0).astype(bool)
    catalogue = policy.entry("cost_catalogue").value
    out["gaps"] = _items(table, "gaps", catalogue, ("basic",), Said("basic item of 附件1", "附件1中的基础类公共设施项目"))
    out["gap_count"] = out["gaps"].map(len)
    out["works"] = _items(table, "works", catalogue, ("utilities", "improvement", "upgrade"),
                          Said("utility, improvement or upgrade item", "基础类专业设施、完善类或提升类项目"))
    estimates = category_estimates(out, catalogue)
    for category in CATEGORIES:
        column = f"cost_{category}_wan"
        values = _optional_number(table, column, Said("not a number", "不是数字"))
        out[column] = np.where(values.isna(), estimates[category].to_numpy(), values)
        out[f"estimated_{category}"] = values.isna().to_numpy()
    out.attrs["path"] = str(path)
    return out


def _items(table: pd.DataFrame, column: str, catalogue: CostCatalogue, categories: tuple[str, ...],
           what: str) -> pd.Series:
    """A column of catalogue items separated by ";" (codes or Chinese names), each of one of ``categories``, as
    lists of codes; an empty cell or a missing optional column is no item. ``what`` is a ``Said``."""
    if column not in table.columns:
        return pd.Series([[] for _ in range(len(table))], index=table.index, dtype=object)
    parsed = []
    for position, cell in enumerate(table[column]):
        codes = []
        for name in (part.strip() for part in cell_text(cell).replace("；", ";").split(";")):
            if not name:
                continue
            code = catalogue.find(name)
            item = catalogue.items.get(code) if code else None
            if item is None or item.whole_category or item.category not in categories:
                known = [c for c in catalogue.codes(categories[0])] if len(categories) == 1 else [
                    c for cat in categories for c in catalogue.codes(cat)]
                hint = difflib.get_close_matches(name, known, n=1)
                why = (f"'{name}' is not a {what}" if item is not None else f"unknown {what} '{name}'")
                why_zh = f"“{name}”不是{zh_of(what)}" if item is not None else f"未知的项目“{name}”（应为{zh_of(what)}）"
                raise InputError(why + (f"; did you mean '{hint[0]}'?" if hint else f" (items: {', '.join(known)})"),
                                 zh=why_zh + (f"；是否应为“{hint[0]}”？" if hint else f"（可用项目：{', '.join(known)}）"),
                                 file=table.attrs["path"], row=row_number(table, position), column=column)
            if code not in codes:
                codes.append(code)
        parsed.append(codes)
    return pd.Series(parsed, index=table.index, dtype=object)


def _optional_text(table: pd.DataFrame, column: str) -> pd.Series:
    """A column that may be left out of the table or left empty in a row, stripped."""
    if column not in table.columns:
        return pd.Series("", index=table.index)
    return table[column].map(lambda cell: cell_text(cell).strip())  # a spreadsheet's number is text here


def _one_of(table: pd.DataFrame, column: str, allowed: tuple[str, ...], what: str, hint: str) -> pd.Series:
    """The column's text, each value one of ``allowed``; ``what`` and ``hint`` are ``Said``s."""
    values = _optional_text(table, column)
    for position, value in enumerate(values):
        if value not in allowed:
            raise InputError(f"unknown {what} '{value}' ({hint})", zh=f"未知的{zh_of(what)}“{value}”（{zh_of(hint)}）",
                             file=table.attrs["path"],
                             row=row_number(table, position), column=column)
    return values


def _optional_number(table: pd.DataFrame, column: str, complaint: str, *, year: bool = False) -> pd.Series:
    """Numbers where given, NaN where empty; the first cell that is neither is an error. A number obeys the limits
    of every table (``number_problem``); a year is written as a whole number. ``complaint`` is a ``Said``."""
    if column not in table.columns:
        return pd.Series(np.nan, index=table.index)
    values = np.full(len(table), np.nan)
    for position, cell in enumerate(table[column]):
        if isinstance(cell, str) and not cell.strip():
            continue

        def refuse(message: str, zh: str) -> None:
            raise InputError(message, zh=zh, file=table.attrs["path"], row=row_number(table, position),
                             column=column)

        shown = visible(str(cell))
        value = cell_number(cell)
        if value is None:
            refuse(f"{complaint}: {shown}", f"{zh_of(complaint)}：{shown}")
        problem = number_problem(value)
        if problem:
            refuse(f"{complaint}: {shown} ({problem})", f"{zh_of(complaint)}：{shown}（{zh_of(problem)}）")
        if year and (not float(value).is_integer() or not 1000 <= value <= 9999 or (
                isinstance(cell, str) and not cell.strip().isdigit())):
            refuse(f"{complaint}: {shown} (a year is written as four digits, such as 2019)",
                   f"{zh_of(complaint)}：{shown}（年份应写成四位数字，如 2019）")
        values[position] = value
    return pd.Series(values, index=table.index)


def read_budgets(path: Path, plan: PlanSpec, districts: set[str], sheet: str | None = None) -> pd.DataFrame:
    # One row per district and year, so a district repeats: read as a plain table, not keyed by district.
    frame = read_table(path, key=None, sheet=sheet, where="budgets.table")
    frame.attrs["row_names"] = ("district", "year")  # an error names 历下区 / 2021, not a row number alone
    for column in ("district", "year", "budget_wan"):
        if column not in frame.columns:
            raise InputError(f"no column '{column}' (columns: {', '.join(frame.columns)})",
                             zh=f"没有列“{column}”（现有列：{', '.join(frame.columns)}）", file=path, column=column)
    years = numeric_column(frame, "year", whole="year").astype(int)
    amounts = numeric_column(frame, "budget_wan")
    names = _optional_text(frame, "district")
    grid = pd.DataFrame(0.0, index=ordered(sorted(districts)), columns=plan.years)
    seen = set()
    for position, (name, year, amount) in enumerate(zip(names, years, amounts)):
        if (name, year) in seen:
            raise InputError(f"'{name}' {year} is given twice", zh=f"“{name}”{year} 年的预算填写了两次", file=path,
                             row=row_number(frame, position),
                             column="district")
        seen.add((name, year))
        if name not in districts:
            raise InputError(f"no community of the library is in '{name}'", zh=f"项目库中没有位于“{name}”的小区",
                             file=path,
                             row=row_number(frame, position), column="district")
        if year in grid.columns:
            grid.at[name, year] = amount
    return grid

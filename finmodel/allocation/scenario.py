"""Allocation scenario (kind = "allocation"): the schema, loading and the checks against the tables; the base all
kinds share (strict models, TOML, ``--set``) is ``finmodel/config.py``.

A scenario is validated whole before anything runs: the file against the schema
(unknown keys are errors), then every column it names against its table.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, field_validator, model_validator

from ..config import (ID_MAX_LENGTH, NamedScenario, Override, Strict as _Strict, _as_tuple,
                     decimal_of, validate_model)
from ..errors import InputError, Invalid, Said
from ..policy.params import Policy, read_config
from ..tables import MAX_NUMBER, numeric_column, read_table, resolve_file, row_number, sha256_of, visible

WEIGHT_TOLERANCE = 1e-9

MAX_AMOUNT_WAN = MAX_NUMBER
"""The largest amount of money, 万元 (10¹⁰ 万元): a pool, and all pools together, so that amounts in units of 0.01 万元
(at most 10¹²) add up exactly in floats as in integers."""



_POOL_ID = re.compile(r"[a-z][a-z0-9_]*")


def _summing_to_one(weights: dict[str, float]) -> dict[str, float]:
    """Weights that add up to 1 (a pool's factors, an evaluation's indicators)."""
    total = math.fsum(weights.values())
    if not weights or abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise Invalid(f"weights sum to {total:.10g}, they must sum to 1", f"权重合计为 {total:.10g}，应合计为 1")
    return weights


def _pool_id(value: str) -> str:
    if not _POOL_ID.fullmatch(value) or len(value) > ID_MAX_LENGTH:
        raise Invalid(f"a pool id is 1 to {ID_MAX_LENGTH} lowercase ASCII letters, digits or '_', starting with a "
                      f"letter (such as central), got {visible(value)}",
                      f"资金 id 应为 1 至 {ID_MAX_LENGTH} 个小写英文字母、数字或“_”，以字母开头（如“central”），"
                      f"给出的是 {visible(value)}")
    return value


class ScenarioInfo(_Strict):
    name: str = Field(min_length=1)
    """Title of the allocation, used as the workbook title (e.g. 济南市2023年老旧小区改造补助资金分配)."""
    year: int = Field(ge=2000, le=2100)
    """Budget year."""
    order: list[str] | None = None
    """Order of the units in reports; default: the official Jinan order, then the table's order."""
    prepared_by: str = ""
    """编制单位 printed in the workbook's signature block."""


class DistrictsTable(_Strict):
    table: str = Field(min_length=1)
    """CSV or XLSX file, relative to the scenario file; one row per district or county."""
    key: str = "district"
    """Column with the unique unit names."""
    sheet: str | None = None
    """Sheet of an XLSX table (default: the first)."""
    plan: str | None = "households"
    """Column saying a unit has renovation planned (above 0). The pools are split by the renovation task (三(五)),
    so a unit without one receives nothing from any factor, its performance and fiscal capacity included, unless
    ``allow_no_plan``. Left at its default, a table without the column has no such rule; named, the column must be
    there."""
    allow_no_plan: bool = False
    """Let units without renovation planned still receive the shares of their factors; 合规检查 lists them."""


class DifficultyTiers(_Strict):
    column: str = Field(min_length=1)
    """Name under which the derived coefficient is offered to the pools' ``difficulty`` key."""
    revenue: str = "budget_revenue_wan"
    """Revenue column; self-sufficiency = revenue ÷ expenditure."""
    expenditure: str = "budget_expenditure_wan"
    """Expenditure column."""
    tiers: Annotated[tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)],
                           Annotated[float, Field(gt=0)]], BeforeValidator(_as_tuple)] | None = None
    """Coefficients for the poorest, middle and richest tercile of self-sufficiency (default: the policy's
    ``difficulty_tiers``)."""
    source: str | None = None
    """Where the tiers come from (default: the policy value's source)."""


class PerformanceEvaluation(_Strict):
    """绩效评价: each unit's total performance score from its indicator scores, offered to the pools as a column."""

    table: str = Field(min_length=1)
    """CSV or XLSX file, relative to the scenario file: one row per unit, one column per indicator scored 0–100."""
    key: str = "district"
    """Column with the unit names (the districts table's)."""
    sheet: str | None = None
    """Sheet of an XLSX table (default: the first)."""
    column: str = "performance_score"
    """Name under which the total score is offered to the pools (``[pools.performance] score``); the districts table
    must not have a column of that name."""
    weights: dict[str, Annotated[float, Field(gt=0, le=1)]] | None = None
    """Indicator column → weight in the total (summing to 1); default: the policy's ``performance_indicators``."""
    source: str = ""
    """Where the scores come from."""

    @field_validator("weights")
    @classmethod
    def _sum_to_one(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        return weights if weights is None else _summing_to_one(weights)


class PerformanceForm(_Strict):
    """How performance evaluation (三(五) 绩效评价) acts on a pool beyond a stand-alone weight of its score."""

    form: Literal["coefficient", "reward_slice"]
    """coefficient: the grade's coefficient (the policy's ``performance_coefficients``) multiplies the pool's quantity
    factors, as the difficulty coefficient does, so performance moves money in proportion to volume; reward_slice:
    ``reward_share`` of the pool is split by grade coefficient × task volume, the rest by the weights (the central
    2024 measures: 80 % by task, 20 % as a reward by a performance adjustment coefficient)."""
    score: str = "performance_score"
    """Column with each unit's performance score (0–100), graded by the grade cut-offs (优/良/合格/差)."""
    reward_share: float = Field(default=0.2, gt=0, lt=1)
    """reward_slice: the part of the pool split by performance."""
    volume: str = "households"
    """reward_slice: the task volume the coefficient multiplies (改造户数 by default)."""


class Pool(_Strict):
    id: Annotated[str, AfterValidator(_pool_id)]
    """ASCII identifier (``central``, ``provincial``, ``city`` …), used by ``--set pools.<id>.…``."""
    label: str = Field(min_length=1)
    """Chinese name of the pool, the column header in the approval table."""
    label_en: str = ""
    """English name of the pool (default: the id)."""
    amount_wan: float = Field(ge=0)
    """Amount to allocate, 万元, at most two decimals and at most ``MAX_AMOUNT_WAN``; read from the decimal text
    written, so that it is exact to 0.01 万元 at any size."""
    amount_source: str = ""
    """Where the amount comes from."""
    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(min_length=1)
    """Factor weights by district-table column; they sum to 1."""
    weights_source: str = ""
    """Where the weights come from."""
    difficulty: str | None = None
    """Column multiplied into every quantity factor before shares are taken (财政困难程度系数)."""
    inverse: list[str] = []
    """Factors where less means more: the share uses 1/x (e.g. fiscal capacity)."""
    inverse_by: str | None = None
    """A volume column (households) that weights the inverse factors: the share uses volume/x, so fiscal capacity
    moves money in proportion to what a unit renovates instead of handing every unit a slice (default: 1/x alone)."""
    unweighted: list[str] = ["performance_score"]
    """Factors the difficulty coefficient does not touch."""
    priority: Annotated[int, Field(ge=1, le=1000)] | None = None
    """When pools compete for the same units' room (their caps together below the pools), the pool with the lower
    number is placed first, so money the units cannot take is left with the pools placed later. Pools without a
    number come after those with one, in the order of [[pools]] (which also breaks ties). 调整说明 prints the order."""
    eligible: list[str] | None = None
    """Spending categories this pool may pay for (keys of ``allocation.need.by_category``); default: all."""
    performance: PerformanceForm | None = None
    """Performance acting on volume ([pools.performance]); without it, a score among the weights is a stand-alone
    share (财综〔2019〕31号's form)."""

    @field_validator("amount_wan", mode="before")
    @classmethod
    def _two_decimals(cls, value: Any) -> Any:
        # Decided on the decimal as written, not on a float: above 10⁸ 万元 a float's cents are off by more than
        # any tolerance that still tells 0.001 from 0.
        amount = decimal_of(value)
        if amount is None or not amount.is_finite() or amount < 0:
            return value  # the strict type check and ge=0 say what is wrong
        if amount > MAX_AMOUNT_WAN:
            raise Invalid(f"{value!r} 万元 is above the largest amount finmodel takes, {MAX_AMOUNT_WAN:,.0f} 万元",
                          f"{value!r} 万元超过 finmodel 可接受的最大金额 {MAX_AMOUNT_WAN:,.0f} 万元")
        if amount != amount.quantize(Decimal("0.01")):
            raise Invalid(f"{amount} has more than two decimals of 万元; amounts are allocated in 0.01 万元",
                          f"{amount} 万元的小数超过两位；金额以 0.01 万元为单位分配")
        return float(amount)

    @field_validator("weights")
    @classmethod
    def _sum_to_one(cls, weights: dict[str, float]) -> dict[str, float]:
        return _summing_to_one(weights)

    @model_validator(mode="after")
    def _factor_lists_name_weights(self) -> Pool:
        stray = [f for f in self.inverse if f not in self.weights]
        if stray:
            raise Invalid(f"inverse names {stray}, which are not weighted factors of this pool",
                          f"inverse 列出的 {stray} 不是本项资金的权重因素")
        if self.inverse_by is not None and not self.inverse:
            raise Invalid("inverse_by weights the inverse factors, and this pool has none",
                          "inverse_by 用于加权逆向因素，但本项资金没有逆向因素")
        if self.performance is not None and self.performance.score in self.weights:
            raise Invalid(f"'{self.performance.score}' is both a weight and [pools.performance]: it would count "
                          "twice; drop it from the weights",
                          f"“{self.performance.score}”既是权重因素，又用于 [pools.performance]，会重复计算；"
                          "请从 weights 中删去")
        if "unweighted" in self.model_fields_set:
            stray = [f for f in self.unweighted if f not in self.weights]
            if stray:
                raise Invalid(f"unweighted names {stray}, which are not weighted factors of this pool",
                              f"unweighted 列出的 {stray} 不是本项资金的权重因素")
        return self

    @property
    def amount_units(self) -> int:
        """The amount in units of 0.01 万元, the grain of the approval table: exact, as the float is the nearest to
        a two-decimal amount of at most 10¹⁰ 万元, whose hundredfold is below 2⁵³."""
        return round(self.amount_wan * 100)


# ---------------------------------------------------------------------------------------------
# The allocation LP: every family is off unless the scenario sets it.


class NeedSpec(_Strict):
    total: str | None = None
    """Column: what a unit can absorb from all pools together (fundable need), 万元."""
    by_category: dict[str, str] | None = None
    """Category → column of the need in that category, 万元 (e.g. basic = "need_basic_wan")."""
    excluded: dict[Literal["three_supplies", "special"], str] = {}
    """Columns of money inside the ``total`` need that the subsidy pools must not pay, 万元 (三(五)): the 三供一业
    dormitories' work (``three_supplies``, funded under that policy) and special renovations (``special``, by the
    responsible departments). Subtracted from the need, and shown apart in the workbook's 补助需求 sheet."""
    source: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> NeedSpec:
        if (self.total is None) == (self.by_category is None):
            raise Invalid("give either total (one column) or by_category (a column per category)",
                          "请给出 total（一列）或 by_category（每个类别一列），二者只能选一")
        if self.excluded and self.total is None:
            raise Invalid("excluded is taken out of total: give total, not by_category",
                          "excluded 从 total 中扣除：请给出 total，而不是 by_category")
        columns = list(self.excluded.values())
        if self.total in columns:
            raise Invalid(f"excluded names the need column '{self.total}' itself: name the columns of the money "
                          "inside it", f"excluded 列出了需求列“{self.total}”本身：请列出需求中所含资金的列")
        if len(set(columns)) < len(columns):
            raise Invalid("excluded names one column twice: it would be taken out of the need twice",
                          "excluded 中同一列出现了两次，会从需求中重复扣除")
        if self.by_category is not None and not self.by_category:
            raise Invalid("by_category names no category", "by_category 中没有任何类别")
        return self


class CofinancingSpec(_Strict):
    rates: Annotated[tuple[Annotated[float, Field(gt=0, le=10)], Annotated[float, Field(gt=0, le=10)],
                           Annotated[float, Field(gt=0, le=10)]], BeforeValidator(_as_tuple)] | None = None
    """Own money per unit of subsidy by fiscal tier (poorest, middle, richest); needs [difficulty]."""
    rate: str | None = None
    """Column with each unit's co-financing rate (instead of ``rates``)."""
    capacity: str | None = None
    """Column: the most own money a unit can put in, 万元."""
    capacity_share: float | None = Field(default=None, gt=0, le=1)
    """Capacity as a share of the expenditure column (instead of ``capacity``)."""
    expenditure: str = "budget_expenditure_wan"
    """Expenditure column used with ``capacity_share``."""
    source: str = ""

    @model_validator(mode="after")
    def _complete(self) -> CofinancingSpec:
        if (self.rates is None) == (self.rate is None):
            raise Invalid("give either rates (by fiscal tier) or rate (a column)",
                          "请给出 rates（按财政困难程度分档）或 rate（一列），二者只能选一")
        if (self.capacity is None) == (self.capacity_share is None):
            raise Invalid("give either capacity (a column) or capacity_share (of expenditure)",
                          "请给出 capacity（一列）或 capacity_share（占支出的比例），二者只能选一")
        return self


class HoldHarmless(_Strict):
    last_year: str
    """Column with last year's amount, 万元; units with none (0) are not bound."""
    floor: float | None = Field(default=None, ge=0)
    """A unit gets at least floor × last year (e.g. 0.9)."""
    cap: float | None = Field(default=None, gt=0)
    """A unit gets at most cap × last year (e.g. 1.2)."""
    source: str = ""


class Corridor(_Strict):
    low: float | None = Field(default=None, ge=0, le=1)
    """A unit gets at least low × its formula amount (all pools)."""
    high: float | None = Field(default=None, ge=1)
    """A unit gets at most high × its formula amount (all pools)."""


class Minimum(_Strict):
    amount_wan: float = Field(gt=0)
    """Least total for a unit with a plan, 万元."""
    plan: str = "households"
    """A unit has a plan when this column is above 0."""


class PerformanceRule(_Strict):
    score: str = "performance_score"
    cutoffs: Annotated[tuple[float, float, float], BeforeValidator(_as_tuple)] | None = None
    """Scores above the first are 优, from the second 良, from the third 合格, below it 差 (default: the policy's
    ``grade_cutoffs``)."""
    poor_at_most_formula: bool = True
    """A unit graded 差 gets no more than its formula amount from any pool."""


class HouseholdsSpec(_Strict):
    households: str = "households"
    """Column: households planned (the most that can be funded)."""
    need_per_household: str
    """Column: subsidy needed per household, 万元."""


class AllocationSpec(_Strict):
    objective: Literal["formula_fit", "max_households", "max_min_coverage"] = "formula_fit"
    """formula_fit: as close to the formula as the rules allow (lexicographic minimax of relative deviations);
    max_households: the most households funded; max_min_coverage: the largest least share of need covered."""
    solver: Literal["highs", "cbc"] = "highs"
    method: Literal["auto", "simplex", "ipm", "choose"] = "auto"
    """HiGHS method: auto (simplex for small models, interior point for large), simplex, ipm (with crossover)
    or choose."""
    time_limit_s: float | None = Field(default=120.0, gt=0)
    """Time limit of the whole run, seconds: every solve, retry and diagnosis share it; reaching it blocks the
    export (exit 4)."""
    need: NeedSpec | None = None
    cofinancing: CofinancingSpec | None = None
    hold_harmless: HoldHarmless | None = None
    corridor: Corridor | None = None
    minimum: Minimum | None = None
    max_pool_share: float | None = Field(default=None, gt=0, le=1)
    """No unit gets more than this share of any pool."""
    performance: PerformanceRule | None = None
    households: HouseholdsSpec | None = None
    split: Literal["pro_rata", "fit"] = "pro_rata"
    """pro_rata: a cap or floor on a unit's total is shared among the pools in proportion to its formula amounts, and
    each pool is split by one common scale with every unit stopped at its share (water-filling), computed exactly
    without a solver; a unit stopped in every pool gets its bound cut or lifted by one ratio in each, a rule a
    reviewer applies with a calculator (the 复核计算 sheet prints it). fit: the LP's formula fit couples the pools
    through the units' totals and may cut one pool and raise another for a bound unit. The LP also decides when
    pro_rata cannot apply (need by category, another objective, a pool above its units' shares of their caps,
    floors a pool cannot carry); 复核计算 then says why."""
    fit_method: Literal["auto", "lp"] = "auto"
    """How the formula fit is computed when the LP decides: auto: exactly and without a solver by progressive
    filling when every rule is a cap or floor on a unit's total or a cap on one pool's amount (need in total,
    co-financing, hold-harmless, corridor, minimum, pool share, performance, no plan), else by the LP; lp: always by
    the LP (its staged solves are the reference the filling is tested against). The manifest records which ran."""
    allow_unallocated: bool = False
    """Whether money the units cannot take under the rules may stay 未分配. Without it, any 未分配 fails 合规检查
    (exit 1); with it, the check passes and says why the money is left."""

    @model_validator(mode="after")
    def _objective_inputs(self) -> AllocationSpec:
        if self.objective == "max_households" and self.households is None:
            raise Invalid("objective max_households needs [allocation.households] (need_per_household column)",
                          "目标 max_households 需要设置 [allocation.households]（need_per_household 列）")
        if self.objective == "max_min_coverage" and self.need is None:
            raise Invalid("objective max_min_coverage needs [allocation.need]",
                          "目标 max_min_coverage 需要设置 [allocation.need]")
        return self

    def columns(self) -> dict[str, str]:
        """Every table column the LP reads → the scenario key that names it."""
        used: dict[str, str] = {}
        if self.need:
            if self.need.total:
                used[self.need.total] = "allocation.need.total"
            for category, column in (self.need.by_category or {}).items():
                used[column] = f"allocation.need.by_category.{category}"
            for route, column in self.need.excluded.items():
                used[column] = f"allocation.need.excluded.{route}"
        if self.cofinancing:
            c = self.cofinancing
            if c.rate:
                used[c.rate] = "allocation.cofinancing.rate"
            if c.capacity:
                used[c.capacity] = "allocation.cofinancing.capacity"
            else:
                used[c.expenditure] = "allocation.cofinancing.expenditure"
        if self.hold_harmless:
            used[self.hold_harmless.last_year] = "allocation.hold_harmless.last_year"
        if self.minimum:
            used[self.minimum.plan] = "allocation.minimum.plan"
        if self.performance:
            used[self.performance.score] = "allocation.performance.score"
        if self.households:
            used[self.households.households] = "allocation.households.households"
            used[self.households.need_per_household] = "allocation.households.need_per_household"
        return used


class ScenarioConfig(_Strict):
    kind: Literal["allocation"] = "allocation"
    """The scenario's kind, the first key of the file (``finmodel/kinds.py``); a file without it is read by its
    tables, with a note to add it."""
    scenario: ScenarioInfo
    districts: DistrictsTable
    difficulty: DifficultyTiers | None = None
    """Derive a difficulty coefficient by tiers of fiscal self-sufficiency, for tables without one."""
    performance: PerformanceEvaluation | None = None
    """Compute each unit's performance score from indicator scores (绩效评价), for tables without one."""
    pools: list[Pool] = Field(min_length=1)
    """Subsidy pools (central, provincial, city …), each split among the districts."""
    allocation: AllocationSpec | None = None
    """The allocation LP (needs, eligible uses, co-financing, guarantees); without it the formula is final."""
    policy: dict[str, Any] = {}
    """Policy values for this run ([policy]): ``as_of`` (the day the policy is read on; default the last day of
    the scenario's year), ``file`` (another policy file), and any value of the policy set by its key
    (``reward_in_lieu.lag_years = 2``). The values and their keys are those of
    finmodel/policy/parameters.toml."""

    @field_validator("pools")
    @classmethod
    def _unique_ids(cls, pools: list[Pool]) -> list[Pool]:
        seen: set[str] = set()
        for pool in pools:
            if pool.id in seen:
                raise Invalid(f"pool id '{pool.id}' is used twice", f"资金 id“{pool.id}”出现了两次")
            seen.add(pool.id)
        # The approval table's total row adds every pool: it obeys the same limit as one pool.
        total = sum(pool.amount_units for pool in pools)
        if total > MAX_AMOUNT_WAN * 100:
            raise Invalid(f"the pools add up to {total / 100:,.2f} 万元, above the largest amount finmodel takes, "
                          f"{MAX_AMOUNT_WAN:,.0f} 万元",
                          f"各项资金合计 {total / 100:,.2f} 万元，超过 finmodel 可接受的最大金额 {MAX_AMOUNT_WAN:,.0f} 万元")
        return pools

    @model_validator(mode="after")
    def _cross_checks(self) -> ScenarioConfig:
        categories = None
        if self.allocation and self.allocation.need and self.allocation.need.by_category:
            categories = set(self.allocation.need.by_category)
        for pool in self.pools:
            if pool.eligible is None:
                continue
            if categories is None:
                raise Invalid(f"pools.{pool.id}.eligible needs [allocation.need.by_category] to name categories",
                              f"pools.{pool.id}.eligible 需要先在 [allocation.need.by_category] 中设定类别")
            unknown = [c for c in pool.eligible if c not in categories]
            if unknown:
                raise Invalid(f"pools.{pool.id}.eligible names unknown categories {unknown} "
                              f"(categories: {', '.join(sorted(categories))})",
                              f"pools.{pool.id}.eligible 中的类别 {unknown} 不存在"
                              f"（现有类别：{', '.join(sorted(categories))}）")
        cof = self.allocation.cofinancing if self.allocation else None
        if cof and cof.rates is not None and self.difficulty is None:
            raise Invalid("allocation.cofinancing.rates are by fiscal tier, which needs [difficulty]",
                          "allocation.cofinancing.rates 按财政困难程度分档，需要设置 [difficulty]")
        return self



@dataclass(frozen=True)
class Scenario(NamedScenario):
    """A validated scenario with its tables loaded: what the engines take."""

    config: ScenarioConfig
    path: Path
    districts: pd.DataFrame
    """Numeric columns the pools use, floats, indexed by unit name in table order."""
    district_table: pd.DataFrame
    """The table as read (text), for reports that show every column."""

    @property
    def year(self) -> int:
        return self.config.scenario.year

    @property
    def pools(self) -> list[Pool]:
        return self.config.pools

    def self_sufficiency(self) -> pd.Series:
        """Revenue ÷ expenditure per unit (财政自给率), from the columns ``[difficulty]`` names."""
        tiers = self.config.difficulty
        return self.districts[tiers.revenue] / self.districts[tiers.expenditure]

    def planned(self) -> np.ndarray | None:
        """Per unit: whether it has renovation planned (``districts.plan`` above 0); None when the rule is off."""
        return planned_units(self.config, self.districts)

    def gate(self) -> np.ndarray | None:
        """The units that may receive money (those with renovation planned), or None when all may."""
        return None if self.config.districts.allow_no_plan else self.planned()

    def derives_difficulty(self, column: str | None) -> bool:
        """Whether a pool's difficulty column is derived by tiers rather than read from the table."""
        tiers = self.config.difficulty
        return column is not None and tiers is not None and column == tiers.column and (
            column not in self.districts.columns)

    def pool(self, pool_id: str) -> Pool:
        for pool in self.config.pools:
            if pool.id == pool_id:
                return pool
        raise KeyError(f"no pool '{pool_id}' (pools: {', '.join(p.id for p in self.config.pools)})")


# ---------------------------------------------------------------------------------------------
# Loading


def subsidy_need(scenario: Scenario) -> np.ndarray:
    """Each unit's need the subsidy pools may pay, 万元: the ``need.total`` column less the money it holds that the
    pools must not pay (``need.excluded``: 三供一业 dormitories, special renovations; 三(五))."""
    need = scenario.config.allocation.need
    table = scenario.districts
    total = table[need.total].to_numpy(dtype=float)
    excluded = sum((table[column].to_numpy(dtype=float) for column in need.excluded.values()), np.zeros(len(table)))
    short = np.flatnonzero(excluded > total + 1e-9)
    if len(short):
        unit = table.index[short[0]]
        raise InputError(f"{unit}: the money excluded from the need ({', '.join(need.excluded.values())}: "
                         f"{excluded[short[0]]:,.2f} 万元) is more than the need itself ({need.total}: "
                         f"{total[short[0]]:,.2f} 万元)",
                         zh=f"{unit}：从需求中扣除的资金（{', '.join(need.excluded.values())}："
                         f"{excluded[short[0]]:,.2f} 万元）超过需求本身（{need.total}：{total[short[0]]:,.2f} 万元）",
                         file=scenario.path, key="allocation.need.excluded")
    return np.maximum(total - excluded, 0.0)


def load_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> Scenario:
    """Read, override, validate and load a scenario file and its tables.

    ``overrides`` are ``"key=value"`` strings as given to ``--set`` (values in TOML
    syntax, bare text taken as a string) or a mapping of key → value.
    """
    path = Path(path)
    _, config, policy, applied = read_config(path, overrides, ScenarioConfig, lambda c: c.scenario.year,
                                             _allocation_uses)
    return _load_tables(_with_policy_defaults(config, policy), path, applied, policy)


def _allocation_uses(config: ScenarioConfig) -> tuple[list[str], dict[str, str]]:
    """The policy values an allocation uses: the difficulty tiers and the grade cut-offs, where the scenario derives a
    coefficient or grades performance without giving its own."""
    used = []
    if config.difficulty is not None and config.difficulty.tiers is None:
        used.append("difficulty_tiers")
    spec = config.allocation
    own_cutoffs = spec is not None and spec.performance is not None and spec.performance.cutoffs is not None
    graded = (spec is not None and spec.performance is not None) or any(p.performance for p in config.pools)
    if graded and not own_cutoffs:
        used.append("grade_cutoffs")
    if any(p.performance for p in config.pools):
        used.append("performance_coefficients")
    if config.performance is not None and config.performance.weights is None:
        used.append("performance_indicators")
    return used, {"difficulty_tiers": "difficulty.tiers", "grade_cutoffs": "allocation.performance.cutoffs"}


def _with_policy_defaults(config: ScenarioConfig, policy: Policy) -> ScenarioConfig:
    """The tiers and grade cut-offs the scenario leaves out, taken from its policy."""
    update = {}
    if config.difficulty is not None and config.difficulty.tiers is None:
        entry = policy.entry("difficulty_tiers")
        update["difficulty"] = config.difficulty.model_copy(update={
            "tiers": entry.value, "source": config.difficulty.source or entry.source})
    spec = config.allocation
    if spec is not None and spec.performance is not None and spec.performance.cutoffs is None:
        update["allocation"] = spec.model_copy(update={
            "performance": spec.performance.model_copy(update={"cutoffs": policy["grade_cutoffs"]})})
    return config.model_copy(update=update) if update else config



def validate_config(raw: Mapping[str, Any], *, file: Path | None = None) -> ScenarioConfig:
    return validate_model(ScenarioConfig, raw, file=file)




# ---------------------------------------------------------------------------------------------
# Tables


def _load_tables(config: ScenarioConfig, path: Path, applied: tuple[Override, ...], policy: Policy) -> Scenario:
    table_path = resolve_file(path.parent, config.districts.table, file=path, key="districts.table")
    table = read_table(table_path, key=config.districts.key, sheet=config.districts.sheet, where="districts.table")
    inputs = {path.name: sha256_of(path), config.districts.table: sha256_of(table_path)}

    numeric: dict[str, pd.Series] = {}

    def need(column: str, where: str) -> None:
        if column not in numeric:
            try:
                numeric[column] = numeric_column(table, column, where=where)
            except InputError as exc:
                if exc.file is None:  # the column itself is missing: the scenario key is the place
                    raise InputError(exc.said, file=path, key=where) from exc
                raise

    if config.performance is not None:
        table = _with_total_score(config.performance, table, table_path, path, policy, inputs)
    plan = config.districts.plan
    if plan is not None and (plan in table.columns or "plan" in config.districts.model_fields_set):
        need(plan, "districts.plan")
    derived = config.difficulty.column if config.difficulty else None
    if config.difficulty:
        if derived in table.columns:
            need(derived, "difficulty.column")
        else:
            need(config.difficulty.revenue, "difficulty.revenue")
            need(config.difficulty.expenditure, "difficulty.expenditure")
            if (numeric[config.difficulty.expenditure] <= 0).any():
                bad = numeric[config.difficulty.expenditure].index[numeric[config.difficulty.expenditure] <= 0][0]
                raise InputError(
                    f"expenditure must be above 0 to derive a difficulty coefficient (unit '{bad}')",
                    zh=f"按分档推算财政困难程度系数，支出应大于 0（单位“{bad}”）", file=table_path, column=config.difficulty.expenditure,
                )
    for pool in config.pools:
        if pool.inverse_by is not None:
            need(pool.inverse_by, f"pools.{pool.id}.inverse_by")
        if pool.performance is not None:
            need(pool.performance.score, f"pools.{pool.id}.performance.score")
            if pool.performance.form == "reward_slice":
                need(pool.performance.volume, f"pools.{pool.id}.performance.volume")
        for factor in pool.weights:
            need(factor, f"pools.{pool.id}.weights.{factor}")
            if factor in pool.inverse and (numeric[factor] <= 0).any():
                bad = numeric[factor].index[numeric[factor] <= 0][0]
                row = row_number(table, list(table.index).index(bad))
                raise InputError(
                    f"an inverse factor (1/x) needs values above 0, got {numeric[factor][bad]:g} (unit '{bad}')",
                    zh=f"逆向因素（取倒数）的值应大于 0，实际为 {numeric[factor][bad]:g}（单位“{bad}”）",
                    file=table_path, row=row, column=factor,
                )
            if numeric[factor].sum() <= 0:
                raise InputError(
                    f"factor '{factor}' is 0 for every unit, so no share can be taken of it",
                    zh=f"因素“{factor}”在所有单位都为 0，无法计算占比", file=table_path, column=factor,
                )
        if pool.difficulty is not None:
            if pool.difficulty == derived and pool.difficulty not in table.columns:
                continue
            if pool.difficulty not in table.columns:
                hint = " (or declare [difficulty] with this column to derive it by tiers)" if not derived else ""
                hint_zh = "（或设置 [difficulty]，以此列名按分档推算）" if not derived else ""
                raise InputError(
                    f"no column '{pool.difficulty}' in {table_path}{hint}",
                    zh=f"{table_path} 中没有列“{pool.difficulty}”{hint_zh}", file=path, key=f"pools.{pool.id}.difficulty",
                )
            need(pool.difficulty, f"pools.{pool.id}.difficulty")
            if (numeric[pool.difficulty] <= 0).any():
                raise InputError("difficulty coefficients must be above 0", zh="财政困难程度系数应大于 0",
                                 file=table_path, column=pool.difficulty)

    if config.allocation:
        for column, where in config.allocation.columns().items():
            need(column, where)
        if config.difficulty and config.allocation.cofinancing and config.allocation.cofinancing.rates:
            need(config.difficulty.revenue, "difficulty.revenue")
            need(config.difficulty.expenditure, "difficulty.expenditure")

    order = config.scenario.order
    if order is not None:
        unknown = [name for name in order if name not in table.index]
        if unknown:
            raise InputError(f"names not in the district table: {', '.join(unknown)}",
                             zh=f"以下名称不在区县表中：{', '.join(unknown)}", file=path, key="scenario.order")

    districts = pd.DataFrame(numeric, index=table.index)
    _check_gate(config, districts, path)
    scenario = Scenario(
        config=config, path=path, districts=districts, district_table=table, inputs=inputs, overrides=applied,
        policy=policy,
    )
    if config.allocation and config.allocation.need and config.allocation.need.excluded:
        subsidy_need(scenario)  # refused before anything is solved
    return scenario


def indicator_weights(spec: PerformanceEvaluation, policy: Policy) -> dict[str, float]:
    """Indicator column → weight in the total score: the scenario's, or the policy's ``performance_indicators``."""
    if spec.weights is not None:
        return dict(spec.weights)
    return {key: indicator.weight for key, indicator in policy["performance_indicators"].items()}


def total_scores(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """绩效评价's total: Σ weight × indicator score, each indicator scored 0–100."""
    return sum(scores[column] * weight for column, weight in weights.items())


def _with_total_score(spec: PerformanceEvaluation, table: pd.DataFrame, table_path: Path, path: Path, policy: Policy,
                      inputs: dict[str, str]) -> pd.DataFrame:
    """The districts table with the total performance score added as ``spec.column``; every unit must be scored,
    once, on every indicator, 0 to 100."""
    if spec.column in table.columns:
        raise InputError(f"the districts table already has a column '{spec.column}', which [performance] computes: "
                         "drop the column, or name the total otherwise with performance.column",
                         zh=f"区县表中已有列“{spec.column}”，而该列由 [performance] 计算：请删去该列，"
                         "或用 performance.column 为总分另取列名", file=path, key="performance.column")
    scored_path = resolve_file(path.parent, spec.table, file=path, key="performance.table")
    scored = read_table(scored_path, key=spec.key, sheet=spec.sheet, where="performance.table")
    inputs[spec.table] = sha256_of(scored_path)
    missing = [unit for unit in table.index if unit not in scored.index]
    extra = [unit for unit in scored.index if unit not in table.index]
    if missing or extra:
        parts = [Said(f"no scores for {', '.join(map(str, missing))}",
                      f"缺少以下单位的得分：{', '.join(map(str, missing))}") if missing else "",
                 Said(f"scores for units not in the districts table: {', '.join(map(str, extra))}",
                      f"以下单位有得分，但不在区县表中：{', '.join(map(str, extra))}") if extra else ""]
        said = "; ".join(part for part in parts if part)
        raise InputError(said, zh="；".join(part.zh for part in parts if part), file=scored_path, column=spec.key)
    weights = indicator_weights(spec, policy)
    columns = {}
    for column in weights:
        try:
            values = numeric_column(scored, column, where=f"performance.weights.{column}")
        except InputError as exc:
            if exc.file is None:
                raise InputError(f"{exc.message} (an indicator of the evaluation)",
                                 zh=f"{exc.zh_message or exc.message}（绩效评价指标）", file=scored_path) from exc
            raise
        outside = values[(values < 0) | (values > 100)]
        if len(outside):
            unit = outside.index[0]
            raise InputError(f"an indicator is scored 0 to 100, got {outside[unit]:g} (unit '{unit}')",
                             zh=f"指标得分应在 0 至 100 之间，实际为 {outside[unit]:g}（单位“{unit}”）",
                             file=scored_path, row=row_number(scored, list(scored.index).index(unit)), column=column)
        columns[column] = values
    total = total_scores(pd.DataFrame(columns), weights)
    return table.assign(**{spec.column: total.reindex(table.index).to_numpy()})


def planned_units(config: ScenarioConfig, districts: pd.DataFrame) -> np.ndarray | None:
    """Per unit: whether its ``districts.plan`` column is above 0; None when there is no such column."""
    plan = config.districts.plan
    if plan is None or plan not in districts.columns:
        return None
    return districts[plan].to_numpy() > 0


def is_assumed(source: str) -> bool:
    """Whether a source says its figure is assumed rather than published."""
    return source.strip().lower().startswith(ASSUMED)


def _check_gate(config: ScenarioConfig, districts: pd.DataFrame, path: Path) -> None:
    """With units left out for having no renovation planned, every factor must still have something to share, and
    so must a performance reward slice's task volume."""
    for pool in config.pools:
        form = pool.performance
        if form is not None and form.form == "reward_slice" and districts[form.volume].sum() <= 0:
            raise InputError(f"the reward slice's task volume '{form.volume}' is 0 for every unit, so it cannot be "
                             "split", zh=f"绩效奖励部分的任务量“{form.volume}”在所有单位都为 0，无法分配",
                             file=path, key=f"pools.{pool.id}.performance.volume")
    gate = None if config.districts.allow_no_plan else planned_units(config, districts)
    if gate is None:
        return
    column = config.districts.plan
    if not gate.any():
        raise InputError(f"no unit has renovation planned ('{column}' is 0 in every row), so no pool can be split; "
                         "set districts.allow_no_plan = true to split by the other factors",
                         zh=f"没有单位列入改造计划（“{column}”各行均为 0），各项资金都无法分配；"
                         "如需按其他因素分配，请设置 districts.allow_no_plan = true", file=path,
                         key="districts.plan")
    for pool in config.pools:
        for factor in pool.weights:
            if factor not in pool.inverse and districts[factor].to_numpy()[gate].sum() <= 0:
                raise InputError(f"factor '{factor}' is 0 for every unit with renovation planned ('{column}' above "
                                 "0), so no share can be taken of it",
                                 zh=f"因素“{factor}”在列入改造计划的单位（“{column}”大于 0）中都为 0，无法计算占比",
                                 file=path,
                                 key=f"pools.{pool.id}.weights.{factor}")


ASSUMED = ("assumption", "假设")
"""How a source says its figure is assumed rather than published (the bundled scenario writes "assumption: …")."""


@dataclass(frozen=True)
class Assumed:
    """An input the run uses that is assumed or estimated, not published: its key and what says so."""

    key: str
    source: str
    detail: str = ""
    """For a row of the table: the columns its ``estimated_fields`` lists."""


def assumed_inputs(scenario: Scenario) -> list[Assumed]:
    """Every assumed or estimated input of an allocation run: scenario values whose source says "assumption",
    the table's cells its ``estimated_fields`` column lists, and the assumed policy values the run uses."""
    found: list[Assumed] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                value = getattr(node, name)
                here = f"{where}.{name}" if where else name
                if (name == "source" or name.endswith("_source")) and isinstance(value, str) and is_assumed(value):
                    base = name.removesuffix("_source")
                    fields = type(node).model_fields
                    subject = where if name == "source" else (
                        f"{where}.{base}_wan" if f"{base}_wan" in fields else f"{where}.{base}")
                    found.append(Assumed(subject, value))
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for k, item in enumerate(node):
                walk(item, f"{where}.{getattr(item, 'id', k)}")

    config = scenario.config
    # The tiers' source says whether they are assumed only when the scenario gives them; else the policy's does.
    walk(config.model_copy(update={"policy": {}} | ({} if config.difficulty is None or "difficulty_tiers" not in
                                                    scenario.policy.in_use else {"difficulty": None})), "")
    table = scenario.district_table
    if "estimated_fields" in table.columns:
        for unit, cell in table["estimated_fields"].items():
            columns = [c.strip() for c in str(cell).split(";") if c.strip()]
            if columns:  # one line per unit, naming its estimated columns
                found.append(Assumed(str(unit), "estimated_fields", ", ".join(columns)))
    derived = config.difficulty is not None and any(scenario.derives_difficulty(p.difficulty) for p in config.pools)
    for key, entry in scenario.policy.in_use.items():  # the values the run took from the policy
        if entry.assumption and (key != "difficulty_tiers" or derived):
            found.append(Assumed(f"policy.{key}", entry.source))
    return found

"""Project scenario: the TOML schema of renovation projects, their income, costs and financing.

Years in the file are calendar years; ``scenario.year`` is year 0, the first construction year of every project
(design §5: annual periods, flows at year end). Money is in 万元, prices in 元 where a price is quoted in 元.
A project table (CSV/XLSX) can add many projects at once: each row is a template project with the row's
columns, named by dotted keys, put in its place (the same addressing as ``--set``).
"""

from __future__ import annotations

import difflib
import math
import operator
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticUndefined

from ..config import (Id, NamedScenario, Strict as _Strict, _kinds, _models_in, _pydantic_zh, _walk, check_values,
                      validate_model)
from ..errors import InputError, Invalid, Said, zh_of
from ..modes.scenario import BalanceRule, Bundle, Bundling
from ..policy.params import PARTIES, Policy, read_config
from ..policy.rewards import REWARD_CONCEPT
from ..risk.spec import RiskSpec
from ..tables import (
    MAX_NUMBER,
    MIN_NUMBER,
    cell_number,
    cell_numbers,
    cell_text,
    read_table,
    resolve_file,
    row_number,
    sha256_of,
    text_problem,
)

Share = Annotated[float, Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Rate = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
Growth = Annotated[float, Field(gt=-1, lt=1, allow_inf_nan=False)]
FieldValue = Callable[[str], Any]

MODES = ("in_community", "area_bundle", "cross_area", "multi_source")
KINDS = ("old_community", "old_town", "shanty", "old_factory", "urban_village", "dangerous_housing",
         "building_conversion", "city_project")


class ProjectInfo(_Strict):
    name: str = Field(min_length=1)
    """Title of the run, printed on the workbook (e.g. 邹城市2024年城镇老旧小区改造项目资金平衡测算)."""
    year: int = Field(ge=2000, le=2100)
    """Calendar year of year 0, the first construction year of every project."""
    discount_rate: Rate
    """Rate for NPV, discounted payback and the funding gap (decimal: 0.0267 for 2.67 %)."""
    flow_timing: Literal["year_end", "mid_year"] = "year_end"
    """When a year's flows fall: at its end (default), or in its middle (NPV discounts t − 0.5, payback half a
    year less)."""
    prepared_by: str = ""
    """编制单位 printed in the workbook."""


class Capex(_Strict):
    items_wan: dict[str, Money] = Field(min_length=1)
    """Construction investment by category, 万元: basic / improvement / upgrade (基础类/完善类/提升类) or finer
    items with names of your own."""
    schedule: list[Share] = Field(min_length=1)
    """Share of the investment spent in each construction year; as many shares as construction years, adding up
    to 1."""

    @field_validator("schedule")
    @classmethod
    def _adds_up(cls, schedule: list[float]) -> list[float]:
        if abs(sum(schedule) - 1) > 1e-9:
            raise Invalid(f"the shares add up to {sum(schedule):g}, not 1", f"各年份额合计为 {sum(schedule):g}，应为 1")
        return schedule

    @property
    def total_wan(self) -> float:
        return float(sum(self.items_wan.values()))


class _IncomeLine(_Strict):
    id: Id
    """Short name of the line, unique in the project (e.g. parking)."""
    name: str = ""
    """Label in reports (default: the kind's Chinese name)."""
    growth: Growth = 0.0
    """Yearly growth from the first operating year on (decimal)."""
    ramp_up: list[Share] = []
    """Factors for the first operating years while use builds up (e.g. [0.5, 0.8]); 1 after them."""
    first_year: int | None = None
    """Calendar year of the first income (default: the first operating year)."""
    last_year: int | None = None
    """Calendar year of the last income (default: the project's last year)."""

    def _own(self, name: str) -> Any:
        # Each kind's annual_wan(value) reads its fields through ``value``: the line's own, or those of every
        # row of a project table at once, as arrays.
        return getattr(self, name)


class ParkingIncome(_IncomeLine):
    kind: Literal["parking"]
    spaces: Annotated[int, Field(ge=0)]
    """Parking spaces let (车位数)."""
    fee_yuan_per_month: Money
    """Monthly fee per space, 元."""
    occupancy: Share = 1.0
    """Share of spaces let on average."""

    def annual_wan(self, value: FieldValue | None = None) -> Any:
        v = value or self._own
        return v("spaces") * v("fee_yuan_per_month") * 12 * v("occupancy") / 1e4


class RentIncome(_IncomeLine):
    kind: Literal["rent"]
    area_m2: Money
    """Floor area let (出租面积), m²."""
    rent_yuan_per_m2_month: Money
    """Monthly rent, 元 per m²."""
    occupancy: Share = 1.0
    """Share of the area let on average."""

    def annual_wan(self, value: FieldValue | None = None) -> Any:
        v = value or self._own
        return v("area_m2") * v("rent_yuan_per_m2_month") * 12 * v("occupancy") / 1e4


class ChargingIncome(_IncomeLine):
    kind: Literal["charging"]
    piles: Annotated[int, Field(ge=0)]
    """Charging piles (充电桩)."""
    kwh_per_pile_day: Money
    """Energy sold per pile and day, kWh (this is where utilisation goes)."""
    service_fee_yuan_per_kwh: Money
    """Service fee kept by the operator, 元 per kWh (electricity passed through at cost is not income)."""

    def annual_wan(self, value: FieldValue | None = None) -> Any:
        v = value or self._own
        return v("piles") * v("kwh_per_pile_day") * 365 * v("service_fee_yuan_per_kwh") / 1e4


class FlatIncome(_IncomeLine):
    kind: Literal["property", "advertising", "canteen", "elderly_care", "other"]
    amount_wan_per_year: Money
    """Income in a full year, 万元 (property-service surplus 物业服务收益, advertising, …)."""

    def annual_wan(self, value: FieldValue | None = None) -> Any:
        return (value or self._own)("amount_wan_per_year")


IncomeLine = Annotated[ParkingIncome | RentIncome | ChargingIncome | FlatIncome, Field(discriminator="kind")]


class MajorRepair(_Strict):
    year: int
    """Calendar year of the repair."""
    amount_wan: Money
    """Cost, 万元 (maintenance capex: taken off the cash available for debt service)."""


class OperatingCosts(_Strict):
    fixed_wan_per_year: Money = 0.0
    """Fixed operating cost in the first operating year, 万元."""
    growth: Growth = 0.0
    """Yearly growth of the fixed cost."""
    share_of_income: Share = 0.0
    """Variable cost as a share of the year's income."""
    major_repairs: list[MajorRepair] = []
    """Major repairs and replacements (大修) in given years."""


class Tax(_Strict):
    rate: Share
    """Simple tax rate."""
    base: Literal["income", "surplus"] = "income"
    """On income (税金及附加 on revenue) or on the operating surplus (income − operating cost, when positive)."""


class Grant(_Strict):
    id: Id
    """Short name, unique in the project."""
    party: Literal[PARTIES]  # type: ignore[valid-type]
    """Who pays: central / provincial / city / district subsidy, residents, utilities (专业经营单位), owner_units
    (原产权单位), maintenance_fund (住房维修资金), social_capital, pooled_fund, other."""
    amount_wan: Money
    """Amount, 万元 (not repaid)."""
    advance_share: Share = 1.0
    """Share paid in advance (预拨) in ``advance_year``; the rest is settled (清算) after acceptance."""
    advance_year: int | None = None
    """Calendar year of the advance (default: year 0)."""
    settlement_lag_years: Annotated[int, Field(ge=0, le=10)] = 1
    """Years from acceptance (the end of the last construction year) to the settlement payment."""
    items: list[str] = []
    """Capex items this money is earmarked for (e.g. ["roofs", "elevators"]); empty: the project in general."""
    name: str | None = None
    """Name in reports (e.g. 区级加装电梯补助); default: who pays it, with what it is earmarked for where the
    project has several grants of one party."""
    outside_pools: bool = False
    """Central or provincial money the implementing department or unit applied for itself (中央预算内投资, national
    and provincial subsidies, 六(四)), not the city's 切块 subsidy pools: it may fund a special renovation."""

    @model_validator(mode="after")
    def _outside_pools_is_central_or_provincial(self) -> Grant:
        if self.outside_pools and self.party not in OUTSIDE_POOL_PARTIES:
            raise Invalid(f"outside_pools is for central or provincial money applied for directly (六(四)), not for "
                          f"party '{self.party}'",
                          f"outside_pools 仅用于直接申请的中央或省级资金（六(四)），不适用于出资方“{self.party}”")
        return self


OUTSIDE_POOL_PARTIES = ("central", "provincial")
"""Who gives money a special renovation's entity applies for outside the pools: 六(四) names 中央预算内投资 and
national and provincial subsidies."""


class Reward(_Strict):
    id: Id
    """Short name, unique in the project."""
    item: Id
    """What is rewarded instead of subsidised (以奖代补, 六(四)): an item of the policy's ``reward_in_lieu`` —
    utilities (水电气暖), telecom (通信网络), roofs (居民出资更新屋面), drains (居民出资更新共用排水管道（含化粪池）)."""
    cost_wan: Money
    """Eligible cost, 万元 (for roofs and drains: the residents' own money)."""
    items: list[str] = []
    """Capex items whose cost the reward pays back (default: the capex item named like ``item``). The reward goes
    to whoever paid for them: a utility, the residents or another contributor for the part their earmarked money
    paid, the project account for the rest."""
    households: Annotated[int, Field(ge=1)] | None = None
    """Households the per-household cap counts (default: the project's, which must then be given)."""
    accepted: bool = True
    """Passed acceptance (验收合格); without it nothing is paid."""
    acceptance_year: int | None = None
    """Calendar year of acceptance, on or after completion (default: the last construction year)."""
    lag_years: Annotated[int, Field(ge=0, le=10)] | None = None
    """Years from acceptance to payment (default: the parameter set's)."""


class Loan(_Strict):
    id: Id
    """Short name, unique in the project."""
    name: str = ""
    """Label in reports (e.g. 国开行贷款)."""
    principal_wan: Money
    """Amount borrowed, 万元."""
    rate: Rate
    """Yearly interest rate (decimal)."""
    years: Annotated[int, Field(ge=1, le=50)]
    """Term after construction, in years; repayment starts in the first operating year."""
    grace_years: Annotated[int, Field(ge=0)] = 0
    """Interest-only years at the start of the term (宽限期)."""
    method: Literal["equal_installment", "equal_principal", "bullet"] = "equal_installment"
    """等额本息 / 等额本金 / 到期一次还本."""
    drawdown: list[Share] | None = None
    """Share drawn in each construction year (default: the capex schedule)."""
    construction_interest: Literal["capitalise", "pay"] = "pay"
    """Interest during construction added to the loan, or paid in cash (then it is part of the investment)."""
    round_to: Annotated[float, Field(gt=0)] | None = None
    """Round interest and payments each period to this step (0.0001 万元 = 1 元), as banks do."""
    payment_timing: Literal["end", "begin"] = "end"
    """Instalments at the end of each repayment year, or at its start (paid in advance, Excel's type 1)."""
    drawdown_timing: Literal["mid_year", "start"] = "mid_year"
    """A year's draw earns half a year's interest in that year (建设期利息 rule), or a whole year's (drawn on
    1 January)."""

    @model_validator(mode="after")
    def _grace_within_term(self) -> Loan:
        if self.grace_years >= self.years:
            raise Invalid(f"grace_years ({self.grace_years}) must be shorter than the term ({self.years})",
                          f"宽限期 grace_years（{self.grace_years} 年）应短于贷款期限（{self.years} 年）")
        if self.drawdown is not None and abs(sum(self.drawdown) - 1) > 1e-9:
            raise Invalid(f"drawdown shares add up to {sum(self.drawdown):g}, not 1",
                          f"提款份额 drawdown 合计为 {sum(self.drawdown):g}，应为 1")
        return self


class Bond(_Strict):
    id: Id
    """Short name, unique in the project."""
    name: str = ""
    """Label in reports (e.g. 2024年专项债)."""
    principal_wan: Money
    """Amount issued, 万元."""
    coupon: Rate
    """Yearly coupon (decimal), paid every year on the amount outstanding."""
    years: Annotated[int, Field(ge=1, le=50)]
    """Tenor, years from issue."""
    issue_year: int | None = None
    """Calendar year of issue (default: year 0); proceeds arrive that year, the first coupon is paid at its end."""
    amortisation: list[Share] | None = None
    """Share of the principal repaid in each year of the tenor (default: all at maturity, "N+0+0")."""


class Coverage(_Strict):
    planning_rate: Rate | None = None
    """Planning interest rate of 本息覆盖倍数 (simple interest over the tenor); default: the first bond's coupon."""
    stated: Annotated[float, Field(gt=0)] | None = None
    """Coverage stated by the project card, to find the planning rate each definition needs to reach it."""


class Published(_Strict):
    """Figures a bond card or feasibility study publishes, compared with the model in the report."""

    source: str = Field(min_length=1)
    """Where they come from (address or document)."""
    total_investment_wan: Money | None = None
    income_wan: Money | None = None
    operating_cost_wan: Money | None = None


class LandReturn(_Strict):
    """Land-transfer support (六(三): 探索制定土地出让支持大片区统筹改造或跨片区组合改造的政策措施): a share of the
    premium from land sold within the bundle's area returned to the project, as money not repaid."""

    id: Id
    """Short name, unique in the project."""
    name: str = "土地出让收入返还"
    """Label in reports."""
    premium_wan: Money
    """The land premium (土地出让价款), 万元."""
    returned_share: Share
    """Share of the premium returned to the project."""
    year: int
    """Calendar year the returned money arrives."""


class Investor(_Strict):
    """Social capital (社会资本, 五(五)) that puts money into the works and runs some of the project's services for a
    concession, taking a share of their income: to the public side, money in during construction and a share of
    income out during the concession."""

    name: str = "社会资本"
    """Label in reports."""
    equity_wan: Money
    """What the investor puts in, 万元, spent as the capex is (by the capex schedule)."""
    required_irr: Rate
    """The return the investor needs on its money (IRR hurdle)."""
    concession_years: Annotated[int, Field(ge=1, le=60)]
    """Operating years during which the investor takes its share (from the first operating year)."""
    revenue_share: Share
    """The investor's share of the income of ``lines`` during the concession."""
    lines: list[str] = []
    """Income lines (ids) the investor runs; default: all."""


class Project(_Strict):
    id: Id
    """Short unique name: letters, digits, '_' and '-', at most 64 (it names the chart file and ``--set`` keys)."""
    name: str = Field(min_length=1)
    """Project name as in the plan."""
    kind: Literal[KINDS] = "old_community"  # type: ignore[valid-type]
    """old_community (老旧小区), or what is bundled with one: old_town (旧城区), shanty (棚户区), old_factory (旧厂区),
    urban_village (城中村), dangerous_housing (C/D级危旧房), building_conversion (既有建筑功能转换), city_project
    (another city construction or renovation project, 城市建设或改造项目)."""
    area: str = ""
    """片区 the project lies in: projects of one area are adjacent to each other."""
    adjacent: list[str] = []
    """Ids of projects in other areas that are adjacent to this one as well."""
    mode: Literal["in_community", "multi_source"] | None = None
    """Funding mode the project is tested under on its own (bundles of several projects name theirs)."""
    performance_score: Annotated[float, Field(ge=0, le=100)] | None = None
    """绩效评价 score, for the grade that scales rewards (default grade: 合格)."""
    elevators: Annotated[int, Field(ge=0)] = 0
    """Elevators added (加装电梯), for the per-elevator subsidy cap."""
    households: Annotated[int, Field(ge=0)] = 0
    """改造户数."""
    floor_area_m2: Money = 0.0
    """改造面积, m²."""
    construction_years: Annotated[int, Field(ge=1, le=10)]
    """Years of construction; operation starts the year after."""
    operating_years: Annotated[int, Field(ge=1, le=60)]
    """Years of operation after construction (the horizon of the cash flow)."""
    construction_delay_years: Annotated[int, Field(ge=0, le=10)] = 0
    """Years the works finish late: construction takes ``construction_years`` + this, its spending (and the
    equity's and loans' draws) spread over the longer time at the schedule's pace; operation starts that much later
    and runs its ``operating_years``; bonds and loans keep their terms. An uncertain input of ``[risk]``."""
    capex: Capex
    income: list[IncomeLine] = []
    """Operating income lines, each of one ``kind``: parking, rent, charging, or a flat yearly amount (property,
    advertising, canteen, elderly_care, other)."""
    operating_costs: OperatingCosts = OperatingCosts()
    tax: Tax | None = None
    grants: list[Grant] = []
    """Subsidies and contributions, not repaid (补助与出资)."""
    equity_wan: Money = 0.0
    """Project capital (项目资本金) put in by the owner, 万元."""
    equity_schedule: list[Share] | None = None
    """Share of the equity put in each construction year (default: the capex schedule)."""
    loans: list[Loan] = []
    bonds: list[Bond] = []
    """Special bonds (专项债)."""
    rewards: list[Reward] = []
    """以奖代补 rewards, paid after acceptance by the rules of the policy parameter set."""
    land_returns: list[LandReturn] = []
    """Land-transfer premium returned to the project (六(三)), for bundles above all."""
    investor: Investor | None = None
    """Social capital running services for a concession (五(五)); the balance tests the public side after its share."""
    coverage: Coverage = Coverage()
    published: Published | None = None
    _written: Project | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        for what, items in (("income", self.income), ("grants", self.grants), ("loans", self.loans),
                            ("bonds", self.bonds), ("rewards", self.rewards), ("land_returns", self.land_returns)):
            ids = [item.id for item in items]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise Invalid(f"{what}: id given twice: {', '.join(twice)}", f"{what}：id 重复：{', '.join(twice)}")
        for grant in self.grants:
            unknown = [item for item in grant.items if item not in self.capex.items_wan]
            if unknown:
                raise Invalid(f"grants.{grant.id}.items: '{unknown[0]}' is not a capex item "
                              f"({', '.join(self.capex.items_wan)})",
                              f"grants.{grant.id}.items：“{unknown[0]}”不是建设投资（capex.items_wan）中的项目"
                              f"（现有：{', '.join(self.capex.items_wan)}）")
        for reward in self.rewards:
            unknown = [item for item in reward.items if item not in self.capex.items_wan]
            if unknown:
                raise Invalid(f"rewards.{reward.id}.items: '{unknown[0]}' is not a capex item "
                              f"({', '.join(self.capex.items_wan)})",
                              f"rewards.{reward.id}.items：“{unknown[0]}”不是建设投资（capex.items_wan）中的项目"
                              f"（现有：{', '.join(self.capex.items_wan)}）")
            if not reward.items and reward.item not in self.capex.items_wan:
                raise Invalid(f"rewards.{reward.id}: no capex item is named '{reward.item}': say which capex "
                              f"items the reward pays back with items = [...] ({', '.join(self.capex.items_wan)}), "
                              "so that it goes to whoever paid for them",
                              f"rewards.{reward.id}：建设投资（capex.items_wan）中没有名为“{reward.item}”的项目：请用 "
                              f"items = [...] 写明奖励偿付哪些投资项目（现有：{', '.join(self.capex.items_wan)}），"
                              "以便奖励拨付给为其出资的一方")
        if self.investor is not None:
            unknown = [line for line in self.investor.lines if line not in {i.id for i in self.income}]
            if unknown:
                raise Invalid(f"investor.lines: '{unknown[0]}' is not an income line "
                              f"({', '.join(i.id for i in self.income)})",
                              f"investor.lines：“{unknown[0]}”不是已有的收入项"
                              f"（现有：{', '.join(i.id for i in self.income)}）")
            if self.investor.concession_years > self.operating_years:
                raise Invalid(f"investor.concession_years ({self.investor.concession_years}) runs past the "
                              f"{self.operating_years} operating years",
                              f"investor.concession_years（{self.investor.concession_years} 年）超出了 "
                              f"{self.operating_years} 年的运营期")
        n = self.construction_years
        if len(self.capex.schedule) != n:
            raise Invalid(f"capex.schedule has {len(self.capex.schedule)} shares for {n} construction years",
                          f"capex.schedule 有 {len(self.capex.schedule)} 个份额，而建设期为 {n} 年")
        for loan in self.loans:
            if loan.drawdown is not None and len(loan.drawdown) != n:
                raise Invalid(f"loans.{loan.id}.drawdown has {len(loan.drawdown)} shares for {n} construction "
                              "years", f"loans.{loan.id}.drawdown 有 {len(loan.drawdown)} 个份额，而建设期为 {n} 年")
            if loan.years > self.operating_years:
                raise Invalid(f"loans.{loan.id}: a {loan.years}-year term runs past the {self.operating_years} "
                              "operating years",
                              f"loans.{loan.id}：{loan.years} 年的贷款期限超出了 {self.operating_years} 年的运营期")
        if self.equity_schedule is not None:
            if len(self.equity_schedule) != n or abs(sum(self.equity_schedule) - 1) > 1e-9:
                raise Invalid(f"equity_schedule needs {n} shares adding up to 1",
                              f"equity_schedule 应有 {n} 个份额，合计为 1")
        for bond in self.bonds:
            if bond.amortisation is not None and (len(bond.amortisation) != bond.years
                                                  or abs(sum(bond.amortisation) - 1) > 1e-9):
                raise Invalid(f"bonds.{bond.id}.amortisation needs {bond.years} shares adding up to 1",
                              f"bonds.{bond.id}.amortisation 应有 {bond.years} 个份额，合计为 1")
        return self

    @property
    def horizon(self) -> int:
        return self.construction_years + self.operating_years

    @property
    def latest_settlement_lag_years(self) -> int:
        """The longest a grant's settlement may wait after acceptance: until the project's last year."""
        return self.operating_years

    @property
    def planning_rate(self) -> float:
        """The planning rate of 本息覆盖倍数: as given, else the first bond's coupon, else the first loan's rate."""
        if self.coverage.planning_rate is not None:
            return self.coverage.planning_rate
        if self.bonds:
            return self.bonds[0].coupon
        return self.loans[0].rate if self.loans else 0.0


class ProjectTable(_Strict):
    table: str = Field(min_length=1)
    """CSV or XLSX file, relative to the scenario file; one row per project."""
    template: str = Field(min_length=1)
    """Id of a project in this file whose structure every row copies."""
    key: str = "id"
    """Column with the unique project ids."""
    sheet: str | None = None
    """Sheet of an XLSX table (default: the first)."""
    columns: list[str] | None = None
    """The columns every row fills, besides the key (dotted keys of the template): the table must have exactly
    these, so a column dropped from it is an error rather than the template's value for every row. Without it,
    the table's own header says which values the rows set."""

    @field_validator("columns")
    @classmethod
    def _distinct(cls, columns: list[str] | None) -> list[str] | None:
        if columns is not None:
            if any(not c.strip() for c in columns):
                raise Invalid("an empty column name", "列名为空")
            twice = sorted({c for c in columns if columns.count(c) > 1})
            if twice:
                raise Invalid(f"column listed twice: {', '.join(twice)}", f"有列列出了两次：{', '.join(twice)}")
        return columns


class ProjectScenarioConfig(_Strict):
    kind: Literal["projects"] = "projects"
    """The scenario's kind, the first key of the file (``finmodel/kinds.py``); a file without it is read by its
    tables, with a note to add it."""
    scenario: ProjectInfo
    projects: list[Project] = []
    project_table: list[ProjectTable] = []
    """Tables adding projects ([[project_table]]; a single [project_table] is read as one)."""
    balance: BalanceRule = BalanceRule()
    bundles: list[Bundle] = []
    bundling: Bundling | None = None
    risk: RiskSpec | None = None
    """Uncertain inputs for a Monte Carlo of the projects and bundles ([risk], [[risk.inputs]])."""
    policy: dict[str, Any] = {}
    """Policy values for this run ([policy]): ``as_of`` (the day the policy is read on; default the last day of
    the scenario's year), ``file`` (another policy file), and any value of the policy set by its key
    (``reward_in_lieu.lag_years = 2``). The values and their keys are those of
    finmodel/policy/parameters.toml."""

    @field_validator("project_table", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _some_projects(self) -> ProjectScenarioConfig:
        if not self.projects:
            raise Invalid("no [[projects]]: a project scenario needs at least one (a table's template too)",
                          "没有 [[projects]]：项目情景至少需要一个项目（项目表的模板也须写在 [[projects]] 中）")
        ids = [p.id for p in self.projects]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise Invalid(f"projects: id given twice: {', '.join(twice)}", f"projects：id 重复：{', '.join(twice)}")
        # An id names the project's chart file: ids that differ only in capitals name one file on Windows and macOS.
        folded = [i.casefold() for i in ids]
        twice = sorted({i for i in ids if folded.count(i.casefold()) > 1})
        if twice:
            raise Invalid(f"projects: ids that differ only in capitals name the same chart file: "
                          f"{', '.join(twice)}",
                          f"projects：以下 id 仅大小写不同，对应同一个图表文件：{', '.join(twice)}")
        for table in self.project_table:
            if table.template not in ids:
                raise Invalid(f"project_table.template: no project '{table.template}' (projects: {', '.join(ids)})",
                              f"project_table.template：没有项目“{table.template}”（现有项目：{', '.join(ids)}）")
        bundle_ids = [b.id for b in self.bundles]
        twice = sorted({i for i in bundle_ids if bundle_ids.count(i) > 1})
        if twice:
            raise Invalid(f"bundles: id given twice: {', '.join(twice)}", f"bundles：id 重复：{', '.join(twice)}")
        return self


@dataclass(frozen=True)
class ProjectScenario(NamedScenario):
    """A validated project scenario: the projects to evaluate, the table rows expanded."""

    config: ProjectScenarioConfig
    path: Path
    projects: ProjectList

    @property
    def year(self) -> int:
        return self.config.scenario.year


def load_project_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> ProjectScenario:
    """Read, override and validate a project scenario; a project table's rows become projects."""
    path = Path(path)
    raw, config, policy, applied = read_config(path, overrides, ProjectScenarioConfig, lambda c: c.scenario.year,
                                               _project_uses)
    inputs = {path.name: sha256_of(path)}
    parts: list[Project | TableRows] = [_delayed(p, path, key=f"projects.{p.id}.construction_delay_years")
                                        for p in config.projects]
    known = {p.id.casefold() for p in config.projects}
    written = {p.id for p in config.projects}
    for k, spec in enumerate(config.project_table):
        where = "project_table.table" if len(config.project_table) == 1 else f"project_table[{k}].table"
        table_path = resolve_file(path.parent, spec.table, file=path, key=where)
        table = read_table(table_path, key=spec.key, sheet=spec.sheet, where=where)
        inputs[spec.table] = sha256_of(table_path)
        if spec.columns is not None:
            _check_header(table, spec, table_path, table.attrs["header_row"],
                          where.removesuffix(".table") + ".columns")
        template = next(p for p in raw["projects"] if p.get("id") == spec.template)
        rows = TableRows(template, next(p for p in parts if isinstance(p, Project) and p.id == spec.template), table,
                         table_path)
        for position, project_id in enumerate(table.index):  # row by row: the first problem is reported first
            if project_id.casefold() in known:
                raise InputError(f"project id '{project_id}' is already used"
                                 + ("" if project_id in written else
                                    " (ids that differ only in capitals name the same chart file on Windows and "
                                    "macOS)"),
                                 zh=f"项目 id“{project_id}”已被使用"
                                 + ("" if project_id in written else
                                    "（仅大小写不同的 id 在 Windows 和 macOS 上对应同一个图表文件）"),
                                 file=table_path, row=row_number(table, position), column=spec.key)
            known.add(project_id.casefold())
            written.add(project_id)
            if rows.values is None:  # a column changes the projects' shape: every row is a project of its own
                parts.append(rows.project(position))
        if rows.values is not None:
            parts.append(rows)
    projects = ProjectList(parts)
    _check_rewards(projects.each_shape(), policy, path)
    _check_years(projects.each_shape(), config.scenario.year, path, policy)
    _check_groups(config, projects, path)
    scenario = ProjectScenario(config=config, path=path, projects=projects, inputs=inputs, overrides=applied,
                               policy=policy)
    if config.risk is not None:
        from ..risk.montecarlo import check_risk

        check_risk(config.risk, scenario, path)
    return scenario


# The fields a project table may set in thousands of rows without making each row a project of its own: values
# that change no project's shape (its years, lines, schedules, instruments) and that no check reads but their
# own field's. A table that sets only these is kept as columns and evaluated for all its rows at once
# (``TableFlows``); any other column makes every row a Project, validated on its own.
TABLE_VALUE_FIELDS: dict[type, frozenset[str]] = {
    Project: frozenset({"name", "households", "floor_area_m2", "equity_wan"}),
    Capex: frozenset({"items_wan"}),
    ParkingIncome: frozenset({"spaces", "fee_yuan_per_month", "occupancy", "growth"}),
    RentIncome: frozenset({"area_m2", "rent_yuan_per_m2_month", "occupancy", "growth"}),
    ChargingIncome: frozenset({"piles", "kwh_per_pile_day", "service_fee_yuan_per_kwh", "growth"}),
    FlatIncome: frozenset({"amount_wan_per_year", "growth"}),
    OperatingCosts: frozenset({"fixed_wan_per_year", "growth", "share_of_income"}),
    Tax: frozenset({"rate"}),
    Grant: frozenset({"amount_wan", "advance_share", "settlement_lag_years"}),
    LandReturn: frozenset({"premium_wan", "returned_share"}),
    Loan: frozenset({"principal_wan", "rate"}),
    Bond: frozenset({"principal_wan", "coupon"}),
}


class TableRows:
    """The rows of a project table as columns: the template, and per row its id and the values its cells give.

    ``values`` is None when the rows cannot be kept so: a column outside ``TABLE_VALUE_FIELDS``, a template with
    rewards or a loan rounded as a bank rounds (both worked out project by project), or a cell the checks by
    column do not pass (the row-by-row reading then says what is wrong, and where, as it always has). A row
    becomes a Project, read from its cells as any row is, only when it is asked for."""

    def __init__(self, template_raw: Mapping[str, Any], template: Project, table: pd.DataFrame, file: Path) -> None:
        self.template_raw = template_raw
        self.template = template
        self.table = table
        self.file = file
        self.ids: list[str] = list(table.index)
        self.names: list[str] | None = None
        self._rows: dict[int, Project] = {}
        self._cells: np.ndarray | None = None
        self.values: RowValues | None = self._columns()

    def __len__(self) -> int:
        return len(self.ids)

    def project(self, position: int) -> Project:
        """Row ``position`` as a Project, read from its cells as every row of a table is."""
        if position not in self._rows:
            if self._cells is None:  # one array for all rows: a row taken from the frame copies its attrs
                self._cells = self.table.to_numpy(dtype=object)
            cells = list(zip(self.table.columns, self._cells[position]))
            number = row_number(self.table, position)
            self._rows[position] = _delayed(_row_project(self.template_raw, self.ids[position], cells, self.file,
                                                         number), self.file, row=number,
                                            column="construction_delay_years")
        return self._rows[position]

    def _columns(self) -> RowValues | None:
        template = self.template
        if template.rewards or any(loan.round_to is not None for loan in template.loans):
            return None
        if any(text_problem(i) is not None for i in self.ids) or not _validated(list[Id], self.ids):
            return None
        values: dict[str, np.ndarray] = {}
        for column in self.table.columns:
            leaf = _template_leaf(self.template_raw, column)
            if leaf is None:
                return None
            owner, name, current, annotation = leaf
            if name not in TABLE_VALUE_FIELDS.get(owner, ()):
                return None
            cells = self.table[column]
            if isinstance(current, str):
                texts = [cell_text(cell).strip() for cell in cells]
                if any(_blank(cell) or text_problem(text) for cell, text in zip(cells, texts)):
                    return None
                if not _validated(list[annotation], texts):
                    return None
                if column == "name":
                    self.names = texts
                continue
            if isinstance(current, bool) or not isinstance(current, (int, float)):
                return None
            numbers = cell_numbers(cells)
            whole = _base_type(annotation) is int
            if whole and numbers.dtype.kind != "i":
                return None
            floats = numbers.to_numpy(dtype=float)
            finite = np.isfinite(floats)
            # A cell "-0" is the int 0 read alone but −0.0 in a column of floats: such a column is read row by row.
            if not finite.all() or (np.abs(floats) > MAX_NUMBER).any() or (
                    (floats != 0) & (np.abs(floats) < MIN_NUMBER)).any() or np.signbit(floats[floats == 0]).any():
                return None
            if not _validated(list[annotation], numbers.tolist()):
                return None
            values[column] = floats
        # A settlement after the template's last year is the row's own error: the row-by-row reading says so.
        if any(values.get(f"grants.{grant.id}.settlement_lag_years", np.zeros(1)).max()
               > template.latest_settlement_lag_years for grant in template.grants):
            return None
        return RowValues(len(self.ids), values)


def _base_type(annotation: Any) -> Any:
    """``int`` for Annotated[int, ...], the type itself otherwise."""
    args = getattr(annotation, "__metadata__", None)
    return annotation.__origin__ if args is not None else annotation


def _validated(annotation: Any, values: list) -> bool:
    """Whether every value passes ``annotation`` as a field of the scenario's strict models would."""
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415

    try:
        TypeAdapter(annotation, config=ConfigDict(strict=True, allow_inf_nan=False)).validate_python(values)
    except ValidationError:
        return False
    return True


def _template_leaf(template: Mapping[str, Any], column: str) -> tuple[type, str, Any, Any] | None:
    """For a table column (a dotted key of the template): the model that owns its field, the field's name, the
    template's value there (or the field's default) and the field's type with its bounds; None where the key
    is not a value inside a table the template already has. A key into a dict field (capex.items_wan.basic)
    names the dict field and one of the template's own keys."""
    models: list[type] = [Project]
    node: Any = template
    parts = column.split(".")
    k = 0
    while k < len(parts) - 1:
        owner = next((m for m in models if parts[k] in m.model_fields), None)
        if owner is None or not isinstance(node, Mapping) or parts[k] not in node:
            return None
        field = owner.model_fields[parts[k]]
        node = node[parts[k]]
        if isinstance(node, list):  # a list of tables, addressed by id: the element's kind picks its model
            models = _models_in(field.annotation)
            k += 1
            node = next((e for e in node if isinstance(e, Mapping) and e.get("id") == parts[k]), None)
            if node is None:
                return None
            kind = node.get("kind")
            models = [m for m in models if kind in _kinds(m)] or models
        elif isinstance(node, Mapping) and k == len(parts) - 2 and owner is Capex and parts[k] == "items_wan":
            if parts[-1] not in node:
                return None
            return Capex, "items_wan", node[parts[-1]], Money
        else:
            models = _models_in(field.annotation)
        k += 1
    if not isinstance(node, Mapping):
        return None
    owner = next((m for m in models if parts[-1] in m.model_fields), None)
    if owner is None:
        return None
    field = owner.model_fields[parts[-1]]
    current = node.get(parts[-1])
    if current is None:
        default = field.get_default(call_default_factory=True)
        current = None if default is PydanticUndefined else default
    annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return owner, parts[-1], current, annotation


class RowValues:
    """The values the rows of a project table give a template's fields: dotted key (as in the table's header) →
    one value per row; a key the table does not set takes the template's value in every row."""

    def __init__(self, size: int, values: Mapping[str, np.ndarray] | None = None) -> None:
        self.size = size
        self.values = dict(values or {})

    def __call__(self, key: str, current: float) -> np.ndarray:
        """(rows, 1): the rows' values of ``key``; or (1, 1), ``current`` (the template's) for every row, which
        broadcasts: what does not vary between rows is worked out once (a growth factor over the years, a
        schedule at a fixed principal), not once per row."""
        given = self.values.get(key)
        if given is None:
            return np.full((1, 1), float(current))
        return np.asarray(given, dtype=float)[:, None]

    def of(self, obj: object, prefix: str) -> Callable[[str], np.ndarray]:
        """The values of ``obj``'s fields, ``obj`` sitting at ``prefix`` in the project (``income.parking``)."""
        return lambda name: self(f"{prefix}{name}", getattr(obj, name))


class Blocks(Sequence):
    """A sequence made of consecutive blocks of given sizes, each item built from its block and its place in it
    when asked for."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self._starts = np.cumsum([0, *sizes])

    def __len__(self) -> int:
        return int(self._starts[-1])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        k = operator.index(index)
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(index)
        block = int(np.searchsorted(self._starts, k, side="right")) - 1
        return self._item(block, k - int(self._starts[block]), k)

    @abstractmethod
    def _item(self, block: int, offset: int, index: int) -> Any:
        """Item ``index``, the ``offset``-th of block ``block``."""


class ProjectList(Blocks):
    """A scenario's projects, in order: those written in the file, then each table's rows. Rows kept as columns
    (``TableRows``) become Project objects only when one is asked for; ``parts`` gives them to the cash-flow
    engine as they are."""

    def __init__(self, parts: list[Project | TableRows]) -> None:
        super().__init__(len(p) if isinstance(p, TableRows) else 1 for p in parts)
        self.parts = parts

    def _item(self, block: int, offset: int, index: int) -> Project:
        item = self.parts[block]
        return item.project(offset) if isinstance(item, TableRows) else item

    def __iter__(self):
        for item in self.parts:
            if isinstance(item, TableRows):
                yield from (item.project(k) for k in range(len(item)))
            else:
                yield item

    @property
    def ids(self) -> list[str]:
        return [i for item in self.parts for i in (item.ids if isinstance(item, TableRows) else [item.id])]

    def each_shape(self) -> list[Project]:
        """One project of each shape: every project written out or read row by row, and for rows kept as
        columns their template (the checks of years, rewards and adjacency read only what rows share)."""
        return [item.template if isinstance(item, TableRows) else item for item in self.parts]


def _project_uses(config: ProjectScenarioConfig) -> tuple[list[str], dict[str, str]]:
    """The policy values project cash flows use: the reward rules with the grades they pay by, and the funding
    rules of the modes."""
    return ["reward_in_lieu", "grade_cutoffs", "default_grade", "multi_source", "cost_catalogue"], {}


def _check_rewards(projects: list[Project], policy: Policy, path: Path) -> None:
    """Every reward names an item the policy rewards."""
    items = list(policy[REWARD_CONCEPT].items)
    for project in projects:
        for reward in project.rewards:
            if reward.item not in items:
                hint = difflib.get_close_matches(reward.item, items, n=1)
                raise InputError(f"'{reward.item}' is not rewarded by the policy's {REWARD_CONCEPT}"
                                 + (f"; did you mean '{hint[0]}'?" if hint else f" (items: {', '.join(items)})"),
                                 zh=f"“{reward.item}”不在政策参数 {REWARD_CONCEPT}（以奖代补）的奖励项目中"
                                 + (f"；是否应为“{hint[0]}”？" if hint else f"（可奖励的项目：{', '.join(items)}）"),
                                 file=path, key=f"projects.{project.id}.rewards.{reward.id}.item")


def _check_header(table: pd.DataFrame, spec: ProjectTable, file: Path, header_row: int, key: str) -> None:
    """The table has exactly the columns ``project_table.columns`` lists (besides the key)."""
    wanted = [c for c in spec.columns or [] if c != spec.key]
    present = list(table.columns)
    missing = [c for c in wanted if c not in present]
    if missing:
        them = "them" if len(missing) > 1 else "it"
        raise InputError(f"the header has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: {key} "
                         f"lists {them}, so every row must set {them} (the header has: "
                         f"{', '.join([spec.key, *present])})",
                         zh=f"表头中没有列 {', '.join(missing)}：{key} 中列出了{'这些列' if len(missing) > 1 else '该列'}，"
                         f"每一行都须填写（表头现有：{', '.join([spec.key, *present])}）",
                         file=file, row=header_row, column=missing[0])
    extra = [c for c in present if c not in wanted]
    if extra:
        raise InputError(f"the column is not listed in {key}: add it there, or remove it from the table",
                         zh=f"该列未在 {key} 中列出：请在 {key} 中加上它，或从表格中删除该列", file=file, row=header_row, column=extra[0])


def stretched(shares: Sequence[float], years: int) -> list[float]:
    """``shares`` of a phase of ``len(shares)`` years spread over ``years`` at the same pace: the share done by a
    point of the longer phase is the one done at the same fraction of the shorter, linear within each year. The
    shares add up to what they added up to."""
    done = np.concatenate([[0.0], np.cumsum(shares)])
    points = np.arange(years + 1) * (len(shares) / years)
    return np.diff(np.interp(points, np.arange(len(shares) + 1), done)).tolist()


def effective(project: Project, delay: int | None = None) -> Project:
    """The project as it runs: with ``construction_delay_years`` (or ``delay``) d > 0, construction takes
    construction_years + d years with the capex, equity and loan-drawdown schedules stretched over them
    (``stretched``), and the returned project has no delay left to apply. ``written_of`` gives back the project
    as written. A ValidationError where the delayed project does not hold together (an income line's first year
    before the works are done)."""
    d = project.construction_delay_years if delay is None else delay
    written = written_of(project)
    if d == 0 and delay is None:
        return project
    base = written if delay is not None else project
    years = base.construction_years + d
    data = base.model_dump()
    data.update(construction_years=years, construction_delay_years=0)
    data["capex"]["schedule"] = stretched(base.capex.schedule, years)
    if base.equity_schedule is not None:
        data["equity_schedule"] = stretched(base.equity_schedule, years)
    for loan in data["loans"]:
        if loan["drawdown"] is not None:
            loan["drawdown"] = stretched(loan["drawdown"], years)
    delayed = Project.model_validate(data)
    delayed._written = written
    return delayed


def written_of(project: Project) -> Project:
    """The project as written, before ``effective`` applied its construction delay."""
    return project._written if project._written is not None else project


def _delayed(project: Project, file: Path, **where: Any) -> Project:
    """``effective(project)``, its problems an InputError naming the delay (at ``where``: key, or row and column)."""
    try:
        return effective(project)
    except ValidationError as exc:
        problem = exc.errors()[0]
        place = ".".join(str(p) for p in problem["loc"])
        said = problem['msg'].removeprefix('Value error, ')
        raise InputError(f"with a construction delay of {project.construction_delay_years} years the project does not "
                         f"hold together: {place}: {said}",
                         zh=f"工程延误 {project.construction_delay_years} 年后，项目的数据不能自洽："
                         f"{place}：{_pydantic_zh(problem) or said}", file=file, **where) from None


def _row_project(template: Mapping[str, Any], project_id: str, cells: list[tuple[str, Any]], file: Path,
                 row_number: int) -> Project:
    """The template with every cell of the row put in its place. No cell may be empty: a row that means to keep
    the template's value repeats it, so that every project's figures can be read from the table itself."""
    data = {"project": _copied(template)}  # rows share nothing: one row's cells never reach the next
    data["project"]["id"] = project_id
    try:
        check_values(project_id, {"id": project_id}, file=file, loc=("id",))
    except InputError as exc:
        raise InputError(exc.said, file=file, row=row_number) from exc
    for position, (column, cell) in enumerate(cells):
        try:
            parent, last = _walk(data, f"project.{column}")
        except InputError as exc:  # the message names the --set key; here the column is the place
            message = exc.message.split(": ", 1)[-1].replace("'project.", "'")
            zh = exc.zh_message.split("：", 1)[-1].replace("“project.", "“") if exc.zh_message else message
            raise InputError(message, zh=zh, file=file, row=row_number, column=column) from exc
        current = parent.get(last)
        in_template = current is not None
        if not in_template:
            current = _model_default(column, data["project"])
        if _blank(cell):
            rest = [c for c, v in cells[position:] if _blank(v)]
            if len(rest) > 1 and len(rest) == len(cells) - position:
                message = Said(f"the row is empty from column '{column}' to its last column '{rest[-1]}' (is it "
                               "shorter than the header?); every row fills every column of the table",
                               f"该行从列“{column}”到最后一列“{rest[-1]}”都为空（是否比表头短？）；"
                               "每一行都须填写表格的每一列")
            else:
                message = Said("empty cell; every row fills every column of the table",
                               "单元格为空；每一行都须填写表格的每一列")
            if in_template:
                keep = Said(f"to keep the value of the template '{template.get('id')}', repeat it: {_shown(current)}",
                            f"如要沿用模板“{template.get('id')}”的值，请照填：{_shown(current)}")
            elif current is not None:
                keep = Said(f"to keep the default, write it: {_shown(current)}",
                            f"如要沿用默认值，请填写：{_shown(current)}")
            else:
                keep = Said("write the value", "请填写该值")
            raise InputError(f"{message} ({keep})", zh=f"{zh_of(message)}（{zh_of(keep)}）", file=file,
                             row=row_number, column=column)
        try:
            parent[last] = value = _cell_value(cell, current, column)
        except ValueError as exc:
            raise InputError(str(exc), zh=zh_of(exc), file=file, row=row_number, column=column) from exc
        try:  # the template's own values were checked with the file: only the row's are new
            check_values(value, {column: value}, file=file, loc=(column,))
        except InputError as exc:
            raise InputError(exc.said, file=file, row=row_number, column=column) from exc
    try:
        return validate_model(Project, data["project"], values_checked=True)
    except InputError as exc:
        column = next((c for c, _ in cells if exc.message.startswith(f"{c}: ")), None)
        raise InputError(exc.said, file=file, row=row_number, column=column) from exc


def _copied(value: Any) -> Any:
    """A copy of parsed TOML: its tables and lists new, its values (immutable) shared."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _model_default(column: str, project: Mapping[str, Any]) -> Any:
    """The default a key takes where the template leaves it out (None where there is none): it tells whether a
    cell for it is a number, a text or a flag."""
    models: list[type] = [Project]
    node: Any = project
    parts = column.split(".")
    k = 0
    while k < len(parts) - 1:
        owner = next((m for m in models if parts[k] in m.model_fields), None)
        if owner is None:
            return None
        models = _models_in(owner.model_fields[parts[k]].annotation)
        node = node.get(parts[k]) if isinstance(node, dict) else None
        if isinstance(node, list):  # a list of tables, addressed by id: the element's kind picks its model
            k += 1
            node = next((e for e in node if isinstance(e, dict) and e.get("id") == parts[k]), None)
            kind = node.get("kind") if isinstance(node, dict) else None
            models = [m for m in models if kind in _kinds(m)] or models
        k += 1
    owner = next((m for m in models if parts[-1] in m.model_fields), None)
    if owner is None:
        return None
    default = owner.model_fields[parts[-1]].get_default(call_default_factory=True)
    return None if default is PydanticUndefined else default


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or str(cell).strip() == ""


def _cell_value(cell: object, current: object, column: str) -> Any:
    """A table cell as the value it replaces: a number where the template has a number (a plain decimal number,
    as in every other table, never TOML's 0x1A or 1_000), text where it has text, true/false where it has a
    flag, a list in brackets where it has a list. Where the template leaves the key at its default, a plain
    decimal number is a number, true/false a flag and anything else text."""
    if isinstance(current, bool):
        return _cell_flag(cell)
    if isinstance(current, (int, float)):
        return _cell_number(cell)
    if isinstance(current, str):
        return cell_text(cell).strip()
    if isinstance(current, dict):
        first = next(iter(current), "…")
        raise Invalid(f"'{column}' is a table of values, not one value: give each its own column "
                      f"(such as '{column}.{first}')",
                      f"“{column}”是由多个值组成的表，不是单个值：请为每个值单设一列（如“{column}.{first}”）")
    if isinstance(current, list):
        if any(isinstance(item, (dict, list)) for item in current):
            raise Invalid(f"'{column}' is a list of tables; set it in the template, not in a cell",
                          f"“{column}”是一组表；请在模板中设置，不能填在单元格中")
        text = cell_text(cell).strip()
        if not (text.startswith("[") and text.endswith("]")):
            raise Invalid(f"'{column}' is a list: write it in brackets, such as {_shown(current or [1, 2])} "
                          f"(got '{text}')",
                          f"“{column}”是列表：请写在方括号中，如 {_shown(current or [1, 2])}（填写的是“{text}”）")
        inside = text[1:-1].strip()
        items = [item.strip() for item in inside.split(",")] if inside else []
        if any(not item for item in items):
            raise Invalid(f"an empty element in the list '{text}'", f"列表“{text}”中有空的元素")
        element = current[0] if current else None
        return [_cell_value(_unquoted(item), element, column) for item in items]
    text = cell_text(cell).strip()
    if cell_number(cell) is not None or _number_spelling(text):
        return _cell_number(cell)  # 0x1A, 1_000, nan and inf are refused there, not taken as text
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _cell_number(cell: object) -> int | float:
    value = cell_number(cell)
    if value is None:
        raise Invalid(f"not a number: '{cell}' (write a plain decimal number, such as 26 or 1685.6)",
                      f"不是数字：“{cell}”（请填写普通的十进制数，如 26 或 1685.6）")
    if not math.isfinite(value):
        raise Invalid(f"not a finite number: '{cell}'", f"不是有限的数：“{cell}”")
    return value


def _cell_flag(cell: object) -> bool:
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell)
    text = cell_text(cell).strip().lower()
    if text not in ("true", "false"):
        raise Invalid(f"write true or false, not '{cell}'", f"请填写 true 或 false，而不是“{cell}”")
    return text == "true"


def _unquoted(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text


def _number_spelling(text: str) -> bool:
    """Whether Python would read ``text`` as a number although it is not a plain decimal one (0x1A, 1_000, nan)."""
    for read in (float, lambda t: int(t, 0)):
        try:
            read(text)
            return True
        except ValueError:
            pass
    return False


def _shown(value: object) -> str:
    """A template value as one would type it in a cell."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    return str(value)


def _check_years(projects: list[Project], year0: int, path: Path, policy: Policy) -> None:
    """Calendar years in the projects must fall inside their horizon."""
    for project in projects:
        first_operating = year0 + project.construction_years
        last = year0 + project.horizon - 1

        late = written_of(project).construction_delay_years
        delayed = (Said(f" (with its construction delay of {late} years operation starts in {first_operating})",
                        f"（工程延误 {late} 年，运营从 {first_operating} 年开始）") if late else "")

        def inside(value: int | None, key: str, low: int = year0) -> None:
            if value is not None and not low <= value <= last:
                raise InputError(f"year {value} is outside the project's years {low}–{last}{delayed}",
                                 zh=f"年份 {value} 不在项目的年份 {low}–{last} 之内{zh_of(delayed)}",
                                 file=path, key=f"projects.{project.id}.{key}")

        for line in project.income:
            inside(line.first_year, f"income.{line.id}.first_year", first_operating)
            inside(line.last_year, f"income.{line.id}.last_year", first_operating)
        for k, repair in enumerate(project.operating_costs.major_repairs):
            inside(repair.year, f"operating_costs.major_repairs[{k}].year", first_operating)
        for land in project.land_returns:
            inside(land.year, f"land_returns.{land.id}.year")
        for grant in project.grants:
            inside(grant.advance_year, f"grants.{grant.id}.advance_year")
            if grant.settlement_lag_years > project.latest_settlement_lag_years:
                raise InputError("the settlement falls after the project's last year",
                                 zh="清算拨付的年份晚于项目的最后一年", file=path,
                                 key=f"projects.{project.id}.grants.{grant.id}.settlement_lag_years")
        accepted = year0 + project.construction_years - 1
        for reward in project.rewards:
            key = f"projects.{project.id}.rewards.{reward.id}"
            inside(reward.acceptance_year, f"rewards.{reward.id}.acceptance_year")
            if reward.acceptance_year is not None and reward.acceptance_year < accepted:
                raise InputError(f"acceptance in {reward.acceptance_year} is before the work is done: construction "
                                 f"ends in {accepted}, and a reward is paid only for work accepted on or after "
                                 "completion",
                                 zh=f"验收年份 {reward.acceptance_year} 早于完工：建设期到 {accepted} 年结束，"
                                 "只有完工当年或之后验收合格的工程才能获得奖励", file=path, key=f"{key}.acceptance_year")
            per_household = policy[REWARD_CONCEPT].items[reward.item].cap_wan_per_household
            if reward.households is None and project.households < 1 and per_household > 0:
                raise InputError(f"the reward is capped at {per_household:g} 万元 per household, and the number of "
                                 f"households is missing: set projects.{project.id}.households (改造户数), or "
                                 "the reward's own households",
                                 zh=f"奖励按每户 {per_household:g} 万元封顶，但缺少户数：请设置 projects.{project.id}."
                                 "households（改造户数），或该奖励自己的 households", file=path, key=f"{key}.households")
            lag = reward.lag_years if reward.lag_years is not None else policy[REWARD_CONCEPT].lag_years
            paid = (reward.acceptance_year if reward.acceptance_year is not None else accepted) + lag
            if paid > last:
                raise InputError(f"the reward would be paid in {paid}, after the project's last year {last}",
                                 zh=f"奖励将于 {paid} 年拨付，晚于项目的最后一年 {last} 年", file=path,
                                 key=f"projects.{project.id}.rewards.{reward.id}")
        for bond in project.bonds:
            inside(bond.issue_year, f"bonds.{bond.id}.issue_year")
            start = bond.issue_year if bond.issue_year is not None else year0
            if start + bond.years - 1 > last:
                raise InputError(f"the bond matures in {start + bond.years - 1}, after the project's last year "
                                 f"{last}", zh=f"专项债于 {start + bond.years - 1} 年到期，晚于项目的最后一年 {last} 年",
                                 file=path, key=f"projects.{project.id}.bonds.{bond.id}.years")


def adjacent(a: Project, b: Project) -> bool:
    """Whether two projects are adjacent (相邻): the same area, or one lists the other."""
    return (bool(a.area) and a.area == b.area) or b.id in a.adjacent or a.id in b.adjacent


def adjacency_groups(projects: list[Project]) -> list[list[str]]:
    """The ids of ``projects`` in groups connected by adjacency (the connected components of the adjacency
    graph: two projects are in one group when a chain of adjacent projects joins them), in the order of each
    group's first project."""
    from scipy.sparse import csr_matrix  # scipy is loaded only where bundles are checked
    from scipy.sparse.csgraph import connected_components

    pairs = [(i, j) for i, a in enumerate(projects) for j, b in enumerate(projects) if i != j and adjacent(a, b)]
    graph = csr_matrix(([1] * len(pairs), ([i for i, _ in pairs], [j for _, j in pairs])),
                       shape=(len(projects), len(projects)))
    _, labels = connected_components(graph, directed=False)
    order = list(dict.fromkeys(labels.tolist()))
    return [[p.id for p, label in zip(projects, labels) if label == group] for group in order]


def bundling_members(config: ProjectScenarioConfig, projects: list[Project]) -> tuple[list[str], list[str]]:
    """The bundling optimiser's packages and components: as listed in [bundling], else every old community and
    every other project that no [[bundles]] entry already holds."""
    spec = config.bundling
    in_bundles = {m for b in config.bundles for m in b.members}
    free = [p for p in projects if p.id not in in_bundles]
    packages = spec.packages if spec.packages is not None else [p.id for p in free if p.kind == "old_community"]
    components = spec.components if spec.components is not None else [
        p.id for p in free if p.kind != "old_community"]
    return packages, components


def _check_groups(config: ProjectScenarioConfig, projects: ProjectList, path: Path) -> None:
    """Bundles and the bundling optimiser name projects that exist and fit their mode."""
    known = set(projects.ids)
    for project in projects.each_shape():
        unknown = [other for other in project.adjacent if other not in known]
        if unknown:
            raise InputError(f"no project '{unknown[0]}'", zh=f"没有项目“{unknown[0]}”", file=path,
                             key=f"projects.{project.id}.adjacent")
    if not config.bundles and config.bundling is None:
        return
    by_id = {p.id: p for p in projects}
    for bundle in config.bundles:
        key = f"bundles.{bundle.id}.members"
        unknown = [m for m in bundle.members if m not in by_id]
        if unknown:
            raise InputError(f"no project '{unknown[0]}' (projects: {', '.join(list(by_id)[:12])})",
                             zh=f"没有项目“{unknown[0]}”（现有项目：{', '.join(list(by_id)[:12])}）", file=path,
                             key=key)
        if len(set(bundle.members)) != len(bundle.members):
            raise InputError("a project is listed twice", zh="有项目列出了两次", file=path, key=key)
        members = [by_id[m] for m in bundle.members]
        packages = [m for m in members if m.kind == "old_community"]
        others = [m for m in members if m.kind != "old_community"]
        if not packages:
            raise InputError("a bundle needs at least one old_community project",
                             zh="组合中至少要有一个老旧小区（old_community）项目", file=path, key=key)
        if not others and bundle.mode == "cross_area":
            raise InputError("a cross_area bundle needs a project that is not an old community",
                             zh="跨片区组合（cross_area）中须有一个不是老旧小区的项目", file=path, key=key)
        if bundle.mode == "area_bundle":
            groups = adjacency_groups(members)
            if len(groups) > 1:
                listed = [f"[{', '.join(group)}]" for group in groups]
                raise InputError(f"bundle '{bundle.id}' is not one area: its members form {len(groups)} separate "
                                 f"groups, {', '.join(listed[:-1])} and {listed[-1]}, that no adjacency joins; an "
                                 "area bundle is one area, its members connected by adjacency (the same area, or "
                                 "listed in adjacent)",
                                 zh=f"组合“{bundle.id}”不是一个片区：其成员分成 {len(groups)} 个组，"
                                 f"{'、'.join(listed[:-1])} 和 {listed[-1]}，彼此之间没有相邻关系；大片区统筹组合"
                                 "（area_bundle）应是一个片区，成员之间通过相邻关系相连（同一片区，或在 adjacent 中列出）",
                                 file=path, key=key)
        else:
            for a in packages:
                for b in others:
                    if adjacent(a, b):
                        raise InputError(f"'{a.id}' and '{b.id}' are adjacent: pair them as an area_bundle, "
                                         "cross_area is for projects apart",
                                         zh=f"“{a.id}”与“{b.id}”相邻：请作为大片区统筹组合（area_bundle）搭配，"
                                         "跨片区组合（cross_area）用于互不相邻的项目", file=path, key=key)
    spec = config.bundling
    if spec is not None:
        for key, ids in (("bundling.packages", spec.packages), ("bundling.components", spec.components)):
            unknown = [i for i in ids or [] if i not in by_id]
            if unknown:
                raise InputError(f"no project '{unknown[0]}'", zh=f"没有项目“{unknown[0]}”", file=path, key=key)
        packages, components = bundling_members(config, projects)
        if not packages or not components:
            raise InputError("the bundling optimiser needs packages (old_community projects) and components "
                             "(the other kinds)",
                             zh="组合优化需要老旧小区（old_community 项目）和组合项目（其他类型的项目）", file=path,
                             key="bundling")

"""Project scenario: the TOML schema of renovation projects, their income, costs and financing.

Years in the file are calendar years; ``scenario.year`` is year 0, the first construction year of every project
(design §5: annual periods, flows at year end). Money is in 万元, prices in 元 where a price is quoted in 元.
A project table (CSV/XLSX) can add many projects at once: each row is a template project with the row's
columns, named by dotted keys, put in its place (the same addressing as ``--set``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from ..errors import InputError
from ..scenario import (
    Override,
    _Strict,
    _walk,
    apply_overrides,
    parse_value,
    read_toml,
    validate_model,
)
from ..tables import read_table, sha256_of

Share = Annotated[float, Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Rate = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
Growth = Annotated[float, Field(gt=-1, lt=1, allow_inf_nan=False)]

PARTIES = ("central", "provincial", "city", "district", "residents", "utilities", "owner_units", "maintenance_fund",
           "social_capital", "pooled_fund", "other")


class ProjectInfo(_Strict):
    name: str = Field(min_length=1)
    """Title of the run, printed on the workbook (e.g. 邹城市2024年城镇老旧小区改造项目资金平衡测算)."""
    year: int = Field(ge=2000, le=2100)
    """Calendar year of year 0, the first construction year of every project."""
    discount_rate: Rate
    """Rate for NPV, discounted payback and the funding gap (decimal: 0.0267 for 2.67 %)."""
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
            raise ValueError(f"the shares add up to {sum(schedule):g}, not 1")
        return schedule

    @property
    def total_wan(self) -> float:
        return float(sum(self.items_wan.values()))


class _IncomeLine(_Strict):
    id: str = Field(min_length=1)
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


class ParkingIncome(_IncomeLine):
    kind: Literal["parking"]
    spaces: Annotated[int, Field(ge=0)]
    """Parking spaces let (车位数)."""
    fee_yuan_per_month: Money
    """Monthly fee per space, 元."""
    occupancy: Share = 1.0
    """Share of spaces let on average."""

    def annual_wan(self) -> float:
        return self.spaces * self.fee_yuan_per_month * 12 * self.occupancy / 1e4


class RentIncome(_IncomeLine):
    kind: Literal["rent"]
    area_m2: Money
    """Floor area let (出租面积), m²."""
    rent_yuan_per_m2_month: Money
    """Monthly rent, 元 per m²."""
    occupancy: Share = 1.0
    """Share of the area let on average."""

    def annual_wan(self) -> float:
        return self.area_m2 * self.rent_yuan_per_m2_month * 12 * self.occupancy / 1e4


class ChargingIncome(_IncomeLine):
    kind: Literal["charging"]
    piles: Annotated[int, Field(ge=0)]
    """Charging piles (充电桩)."""
    kwh_per_pile_day: Money
    """Energy sold per pile and day, kWh (this is where utilisation goes)."""
    service_fee_yuan_per_kwh: Money
    """Service fee kept by the operator, 元 per kWh (electricity passed through at cost is not income)."""

    def annual_wan(self) -> float:
        return self.piles * self.kwh_per_pile_day * 365 * self.service_fee_yuan_per_kwh / 1e4


class FlatIncome(_IncomeLine):
    kind: Literal["property", "advertising", "canteen", "elderly_care", "other"]
    amount_wan_per_year: Money
    """Income in a full year, 万元 (property-service surplus 物业服务收益, advertising, …)."""

    def annual_wan(self) -> float:
        return self.amount_wan_per_year


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
    id: str = Field(min_length=1)
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


class Loan(_Strict):
    id: str = Field(min_length=1)
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

    @model_validator(mode="after")
    def _grace_within_term(self) -> Loan:
        if self.grace_years >= self.years:
            raise ValueError(f"grace_years ({self.grace_years}) must be shorter than the term ({self.years})")
        if self.drawdown is not None and abs(sum(self.drawdown) - 1) > 1e-9:
            raise ValueError(f"drawdown shares add up to {sum(self.drawdown):g}, not 1")
        return self


class Bond(_Strict):
    id: str = Field(min_length=1)
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


class Project(_Strict):
    id: str = Field(min_length=1, pattern=r"^[^/\\\s.]+$")
    """Short unique name without spaces, dots or slashes (it names the chart file and ``--set`` keys)."""
    name: str = Field(min_length=1)
    """Project name as in the plan."""
    households: Annotated[int, Field(ge=0)] = 0
    """改造户数."""
    floor_area_m2: Money = 0.0
    """改造面积, m²."""
    construction_years: Annotated[int, Field(ge=1, le=10)]
    """Years of construction; operation starts the year after."""
    operating_years: Annotated[int, Field(ge=1, le=60)]
    """Years of operation after construction (the horizon of the cash flow)."""
    capex: Capex
    income: list[IncomeLine] = []
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
    coverage: Coverage = Coverage()
    published: Published | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Project:
        for what, items in (("income", self.income), ("grants", self.grants), ("loans", self.loans),
                            ("bonds", self.bonds)):
            ids = [item.id for item in items]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"{what}: id given twice: {', '.join(twice)}")
        n = self.construction_years
        if len(self.capex.schedule) != n:
            raise ValueError(f"capex.schedule has {len(self.capex.schedule)} shares for {n} construction years")
        for loan in self.loans:
            if loan.drawdown is not None and len(loan.drawdown) != n:
                raise ValueError(f"loans.{loan.id}.drawdown has {len(loan.drawdown)} shares for {n} construction "
                                 "years")
            if loan.years > self.operating_years:
                raise ValueError(f"loans.{loan.id}: a {loan.years}-year term runs past the {self.operating_years} "
                                 "operating years")
        if self.equity_schedule is not None:
            if len(self.equity_schedule) != n or abs(sum(self.equity_schedule) - 1) > 1e-9:
                raise ValueError(f"equity_schedule needs {n} shares adding up to 1")
        for bond in self.bonds:
            if bond.amortisation is not None and (len(bond.amortisation) != bond.years
                                                  or abs(sum(bond.amortisation) - 1) > 1e-9):
                raise ValueError(f"bonds.{bond.id}.amortisation needs {bond.years} shares adding up to 1")
        return self

    @property
    def horizon(self) -> int:
        return self.construction_years + self.operating_years


class ProjectTable(_Strict):
    table: str = Field(min_length=1)
    """CSV or XLSX file, relative to the scenario file; one row per project."""
    template: str = Field(min_length=1)
    """Id of a project in this file whose structure every row copies."""
    key: str = "id"
    """Column with the unique project ids."""
    sheet: str | None = None
    """Sheet of an XLSX table (default: the first)."""


class ProjectScenarioConfig(_Strict):
    scenario: ProjectInfo
    projects: list[Project] = []
    project_table: ProjectTable | None = None

    @model_validator(mode="after")
    def _some_projects(self) -> ProjectScenarioConfig:
        if not self.projects:
            raise ValueError("no [[projects]]: a project scenario needs at least one (a table's template too)")
        ids = [p.id for p in self.projects]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"projects: id given twice: {', '.join(twice)}")
        if self.project_table and self.project_table.template not in ids:
            raise ValueError(f"project_table.template: no project '{self.project_table.template}' "
                             f"(projects: {', '.join(ids)})")
        return self


@dataclass(frozen=True)
class ProjectScenario:
    """A validated project scenario: the projects to evaluate, the table rows expanded."""

    config: ProjectScenarioConfig
    path: Path
    projects: list[Project]
    inputs: dict[str, str] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()

    @property
    def name(self) -> str:
        return self.config.scenario.name

    @property
    def year(self) -> int:
        return self.config.scenario.year


def is_project_scenario(raw: Mapping[str, Any]) -> bool:
    """Whether a parsed TOML file describes projects (rather than an allocation with pools)."""
    return "projects" in raw or "project_table" in raw


def load_project_scenario(path: str | Path, overrides: Iterable[str] | Mapping[str, Any] = ()) -> ProjectScenario:
    """Read, override and validate a project scenario; a project table's rows become projects."""
    path = Path(path)
    raw = read_toml(path)
    raw, applied = apply_overrides(raw, overrides, file=path)
    config = validate_model(ProjectScenarioConfig, raw, file=path)
    inputs = {path.name: sha256_of(path)}
    projects = list(config.projects)
    if config.project_table is not None:
        spec = config.project_table
        table_path = (path.parent / spec.table).resolve()
        if not table_path.is_file():
            raise InputError(f"table file not found: {table_path}", file=path, key="project_table.table")
        table = read_table(table_path, key=spec.key, sheet=spec.sheet, where="project_table.table")
        inputs[spec.table] = sha256_of(table_path)
        template = next(p for p in raw["projects"] if p.get("id") == spec.template)
        known = {p.id for p in projects}
        for row_number, (project_id, row) in enumerate(table.iterrows(), start=2):
            if project_id in known:
                raise InputError(f"project id '{project_id}' is already used", file=table_path, row=row_number,
                                 column=spec.key)
            known.add(project_id)
            projects.append(_row_project(template, project_id, row, table_path, row_number))
    _check_years(projects, config.scenario.year, path)
    return ProjectScenario(config=config, path=path, projects=projects, inputs=inputs, overrides=applied)


def _row_project(template: Mapping[str, Any], project_id: str, row: pd.Series, file: Path, row_number: int
                 ) -> Project:
    data = {"project": dict(template)}
    data["project"]["id"] = project_id
    for column, text in row.items():
        if text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
            continue
        try:
            parent, last = _walk(data, f"project.{column}", file=file)
        except InputError as exc:  # the message names the --set key; here the column is the place
            message = exc.message.split(": ", 1)[-1].replace("'project.", "'")
            raise InputError(message, file=file, row=row_number, column=column) from exc
        parent[last] = parse_value(str(text).strip())
    try:
        return validate_model(Project, data["project"])
    except InputError as exc:
        raise InputError(exc.message, file=file, row=row_number) from exc


def _check_years(projects: list[Project], year0: int, path: Path) -> None:
    """Calendar years in the projects must fall inside their horizon."""
    for project in projects:
        first_operating = year0 + project.construction_years
        last = year0 + project.horizon - 1

        def inside(value: int | None, key: str, low: int = year0) -> None:
            if value is not None and not low <= value <= last:
                raise InputError(f"year {value} is outside the project's years {low}–{last}", file=path,
                                 key=f"projects.{project.id}.{key}")

        for line in project.income:
            inside(line.first_year, f"income.{line.id}.first_year", first_operating)
            inside(line.last_year, f"income.{line.id}.last_year", first_operating)
        for k, repair in enumerate(project.operating_costs.major_repairs):
            inside(repair.year, f"operating_costs.major_repairs[{k}].year", first_operating)
        for grant in project.grants:
            inside(grant.advance_year, f"grants.{grant.id}.advance_year")
            if year0 + project.construction_years - 1 + grant.settlement_lag_years > last:
                raise InputError("the settlement falls after the project's last year", file=path,
                                 key=f"projects.{project.id}.grants.{grant.id}.settlement_lag_years")
        for bond in project.bonds:
            inside(bond.issue_year, f"bonds.{bond.id}.issue_year")
            start = bond.issue_year if bond.issue_year is not None else year0
            if start + bond.years - 1 > last:
                raise InputError(f"the bond matures in {start + bond.years - 1}, after the project's last year "
                                 f"{last}", file=path, key=f"projects.{project.id}.bonds.{bond.id}.years")

"""The policy set: every number the engines take from a policy document, keyed by concept, with values by
effective date, a unit, the document each value comes from and whether it is an assumption of finmodel's.

``load_policy(as_of=...)`` reads a policy file (by default ``parameters.toml`` beside this module), validates every
value against its concept's type and returns the frozen ``Policy`` in force on that day; a scenario carries one
(``scenario.policy``), and the engines take their numbers from it, never from a module-level table. A scenario's
``[policy]`` table and ``--set policy.<concept>…=…`` change values for one run; each change is recorded.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Mapping

from pydantic import (AfterValidator, BeforeValidator, ConfigDict, Field, PlainSerializer, TypeAdapter,
                      ValidationError, WithJsonSchema, model_validator)

from ..config import (Override, Strict, _as_tuple, _pydantic_zh, _split, apply_overrides, check_values, plain,
                      read_toml, validate_model)
from ..tables import resolve_file
from ..errors import InputError, Invalid, Said, zh_of
from .catalogue import CostCatalogue
from .grades import GRADES

BUILTIN = "parameters.toml"
"""The policy set finmodel ships: Jinan's, under 济政办字〔2020〕21号."""

Grade = Literal["优", "良", "合格", "差"]
Share = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


def _fraction(value: Any) -> Any:
    """A share written as a fraction ("2/3") or a number: kept exact, so that "two thirds" is two thirds."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", value):
        numerator, denominator = (int(part) for part in value.split("/"))
        if denominator == 0:
            raise Invalid(f"'{value}' divides by 0", f"“{value}”的分母为 0")
        return Fraction(numerator, denominator)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fraction(str(value))  # the decimal as written: 0.6 is 3/5, not the float nearest to it
    raise Invalid(f"a share is a fraction such as \"2/3\" or a number such as 0.6, got {value!r}",
                  f"比例应写成分数（如 \"2/3\"）或数字（如 0.6），给出的是 {value!r}")


def _in_unit_interval(value: Fraction) -> Fraction:
    if not 0 <= value <= 1:
        raise Invalid(f"a share is between 0 and 1, got {value}", f"比例应在 0 至 1 之间，给出的是 {value}")
    return value


ExactShare = Annotated[Fraction, BeforeValidator(_fraction), AfterValidator(_in_unit_interval),
                       PlainSerializer(lambda f: f"{f.numerator}/{f.denominator}", when_used="json"),
                       # Stated, not left to pydantic, whose schema of a Fraction differs from one release to the next.
                       WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\s*\d+\s*/\s*\d+\s*$"},
                                                 {"type": "number"}]})]
"""A share compared exactly and inclusively: at least ⅔ admits exactly two thirds."""


def _every_grade(by_grade: dict[str, float]) -> dict[str, float]:
    missing = [g for g in GRADES if g not in by_grade]
    if missing:
        raise Invalid(f"no value for {', '.join(missing)} (every grade of {', '.join(GRADES)} needs one)",
                      f"缺少 {'、'.join(missing)} 的值（{'、'.join(GRADES)} 每个等级都要有值）")
    return by_grade


class RewardItem(Strict):
    label: str = Field(min_length=1)
    """The item's name in the policy's words (水电气暖改造 …)."""
    rate: Share
    """Share of the eligible cost rewarded (for roofs and drains, of the residents' own money)."""
    cap_wan_per_household: NonNegative
    """At most this much per household, 万元 (0: no cap)."""


class RewardRules(Strict):
    """以奖代补 (六(四), 六(五)): what is rewarded instead of subsidised, at what rate, when and after what."""

    lag_years: Annotated[int, Field(ge=0, le=50)]
    """Years from acceptance to payment."""
    requires_acceptance: bool
    """Paid only for work accepted (验收)."""
    grade_factors: Annotated[dict[Grade, NonNegative], AfterValidator(_every_grade)]
    """Multiplier by performance grade."""
    items: dict[str, RewardItem]
    """The rewarded items, by their code names."""


PARTIES = ("central", "provincial", "city", "district", "residents", "utilities", "owner_units", "maintenance_fund",
           "social_capital", "pooled_fund", "departments", "other")
"""Who may put money into a project (a grant's ``party``), and so whom the policy's party lists may name."""


def _parties(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in PARTIES]
    if unknown:
        hint = difflib.get_close_matches(unknown[0], PARTIES, n=1)
        raise Invalid(f"unknown party '{unknown[0]}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                        f" (parties: {', '.join(PARTIES)})"),
                      f"未知的出资方“{unknown[0]}”" + (f"；是否应为“{hint[0]}”？" if hint else
                                                  f"（可用的出资方：{', '.join(PARTIES)}）"))
    return names


Parties = Annotated[list[str], AfterValidator(_parties)]


class MultiSourceRules(Strict):
    """政府引导的多元化投入 (五(四)) and the rules of owners' items (三(五), 六(四)); which items are the owners' is
    the cost catalogue's (``cost_catalogue``: route ``owners``)."""

    owner_parties: Parties
    """Parties whose money counts as the owners'."""
    subsidy_parties: Parties
    """Parties whose money is public subsidy."""
    elevator_subsidy_share: Share
    """Most of an elevator's cost a subsidy may pay."""
    elevator_subsidy_cap_wan: NonNegative
    """Most a subsidy may pay per elevator, 万元."""
    resident_contribution_wan_per_household: Annotated[tuple[NonNegative, NonNegative], BeforeValidator(_as_tuple)]
    """Least and most residents' money per household, 万元."""
    cofunding_subsidy_rate: Share = 0.0
    """六(三) 引导居民出资改造共用设施的财政资金补贴: public money may add at most this share of the residents' own money
    earmarked for the owners' shared items other than elevators (roofs, shared drains)…"""
    cofunding_subsidy_cap_wan_per_household: NonNegative = 0.0
    """…and at most this much per household, 万元."""
    @model_validator(mode="after")
    def _range(self) -> MultiSourceRules:
        low, high = self.resident_contribution_wan_per_household
        if low > high:
            raise Invalid(f"resident_contribution_wan_per_household: the least, {low:g}, is above the most, {high:g}",
                          f"resident_contribution_wan_per_household：最小值 {low:g} 大于最大值 {high:g}")
        return self


class EligibilityRules(Strict):
    """Who is in (一(二)) and who comes first (三(四))."""

    built_by: dt.date
    """Built on or before this day (一(二): 2005年12月31日前)."""
    land_types: list[str]
    """Land types in scope (国有土地: state_owned)."""
    consent_at_least: ExactShare
    """Least share of residents consenting, inclusive ("2/3": exactly two thirds passes)."""
    priority_built_by: dt.date
    """"2000年前建成" read as built on or before this day: the year named is included, as 一(二) writes
    "2005年12月31日前" for "2005年前"."""
    basic_plan_excludes_provincial_by: int
    """A provincial renovation in or before this year removes a community from the basic-facility plan."""


class Deadline(Strict):
    by_year: int
    """Renovated in or before this year."""
    built_by: int
    """Covers communities built in or before this year ("X年前建成": X included)."""
    penalty: NonNegative
    """Weight per household missed, against one household of priority 1 renovated in the first year."""
    label: str = ""
    clause: str = ""


class Indicator(Strict):
    """A level-1 indicator of the performance evaluation (绩效评价): its name and its weight in the total score."""

    label: str = Field(min_length=1)
    weight: Annotated[float, Field(gt=0, le=1)]


def _weights_sum_to_one(indicators: dict[str, Indicator]) -> dict[str, Indicator]:
    total = sum(i.weight for i in indicators.values())
    if abs(total - 1) > 1e-9:
        raise Invalid(f"the indicators' weights sum to {total:.10g}, they must sum to 1",
                      f"各指标权重合计为 {total:.10g}，应合计为 1")
    return indicators


def _descending(values: tuple[float, ...]) -> tuple[float, ...]:
    if list(values) != sorted(values, reverse=True):
        raise Invalid(f"cut-offs run from the highest grade down, got {list(values)}",
                      f"分数线应从最高等级起由高到低排列，给出的是 {list(values)}")
    return values


def _month_day(text: str) -> str:
    try:
        dt.date.fromisoformat(f"2001-{text}")
    except ValueError:
        raise Invalid(f"a day of the year is written MM-DD, such as 09-30, got {text!r}",
                      f"日期应写成 MM-DD（月-日），如 09-30，给出的是 {text!r}") from None
    return text


def _weights(weights: dict[str, float]) -> dict[str, float]:
    if sum(weights.values()) <= 0:
        raise Invalid("at least one weight must be above 0", "至少应有一个权重大于 0")
    return weights


Tiers = Annotated[tuple[Positive, Positive, Positive], BeforeValidator(_as_tuple)]
Cutoffs = Annotated[tuple[float, float, float], BeforeValidator(_as_tuple), AfterValidator(_descending)]

class ThreeSupplies(Strict):
    """State-owned enterprises' dormitories handed over under 三供一业 follow their own funding policy (三(五))."""

    owner_unit_share: Share
    """Share of their renovation the former owner unit (原产权单位) pays; the rest comes from the 三供一业 policy's
    funds, outside the renovation subsidy pools."""


VALUE_TYPES: dict[str, Any] = {
    "difficulty_tiers": Tiers,
    "grade_cutoffs": Cutoffs,
    "reward_in_lieu": RewardRules,
    "multi_source": MultiSourceRules,
    "eligibility": EligibilityRules,
    "deadlines": dict[str, Deadline],
    "cost_catalogue": CostCatalogue,
    "plan_compile_by": Annotated[str, AfterValidator(_month_day)],
    "default_grade": Grade,
    "priority_weights": Annotated[dict[Literal["pre2000", "gaps", "will"], NonNegative], AfterValidator(_weights)],
    "performance_coefficients": Annotated[dict[Grade, Positive], AfterValidator(_every_grade)],
    "performance_indicators": Annotated[dict[str, Indicator], AfterValidator(_weights_sum_to_one)],
    "three_supplies": ThreeSupplies,
}
"""Every concept the engines use, with the type its value must have: a policy file defines each of them."""

_STRICT = ConfigDict(strict=True, allow_inf_nan=False)
_ADAPTERS = {key: TypeAdapter(kind, config=None if isinstance(kind, type) and issubclass(kind, Strict) else _STRICT)
             for key, kind in VALUE_TYPES.items()}


class DatedValue(Strict):
    model_config = ConfigDict(populate_by_name=True)
    effective: dt.date = Field(alias="from")
    """The day from which this value holds (until the next value's day)."""
    source: str = Field(min_length=1)
    """The document, clause and address it comes from."""
    assumption: bool
    """True when finmodel assumes the number: the document does not publish it."""
    value: Any


class Owner(Strict):
    """Who owns a rule set under 附件2 (老旧小区改造任务分工表) of 济政办字〔2020〕21号, and by when it was due."""

    department: str = Field(min_length=1)
    """责任部门, as 附件2 names it."""
    task: str = Field(min_length=1)
    """The task of 附件2 that makes the rules."""
    deadline: dt.date | None = None
    """完成时限, where 附件2 gives one (月底前: the last day of the month)."""


class Concept(Strict):
    unit: str = Field(min_length=1)
    unit_zh: str | None = Field(default=None, min_length=1)
    """The unit in Chinese, for the Chinese reports; without it they show ``unit``."""
    values: list[DatedValue] = Field(min_length=1)
    owner: Owner | None = None
    """The department that owns the rules and its deadline (附件2)."""

    @model_validator(mode="after")
    def _in_order(self) -> Concept:
        days = [v.effective for v in self.values]
        if days != sorted(set(days)):
            raise Invalid(f"values: the days must rise, each once, got {', '.join(map(str, days))}",
                          f"values：各值的生效日期应逐个递增且不重复，给出的是 {', '.join(map(str, days))}")
        return self


@dataclass(frozen=True)
class PolicyValue:
    """One concept's value in force, with where it comes from."""

    key: str
    value: Any
    unit: str
    effective: dt.date
    source: str
    assumption: bool
    changed_from: Any = None
    """The value before a scenario's [policy] table or --set changed it; None when it was not changed."""
    unit_zh: str | None = None
    """``unit`` in Chinese, where the policy file gives it."""
    owner: Owner | None = None
    """The department that owns the rules under 附件2, with its deadline."""

    def unit_in(self, lang: str) -> str:
        return self.unit_zh if lang == "zh" and self.unit_zh else self.unit

    @property
    def overridden(self) -> bool:
        return self.changed_from is not None

    def shown(self) -> Any:
        """The value as plain data (JSON types): fractions as "2/3", days as ISO text."""
        return _ADAPTERS[self.key].dump_python(self.value, mode="json")


@dataclass(frozen=True)
class Policy:
    """The policy values in force on ``as_of``: what a run's engines use."""

    as_of: dt.date
    file: str
    """The policy file, or "finmodel/policy/parameters.toml" for the one finmodel ships."""
    sha256: str
    entries: Mapping[str, PolicyValue]
    used: frozenset[str] | None = None
    """The values the run uses (its scenario's kind and settings); None: all. What is recorded; every value stays
    readable, so that an analyst who changes a loaded scenario in Python still finds the rest of the policy."""

    @property
    def in_use(self) -> dict[str, PolicyValue]:
        return {k: e for k, e in self.entries.items() if self.used is None or k in self.used}

    def __getitem__(self, key: str) -> Any:
        # A copy: a caller's change cannot reach the next caller, as the frozen models' fields cannot change.
        return copy.deepcopy(self.entry(key).value)

    def entry(self, key: str) -> PolicyValue:
        try:
            return self.entries[key]
        except KeyError:
            raise KeyError(f"no policy value '{key}' (known: {', '.join(self.entries)})") from None

    def changed(self, changes: Iterable[tuple[str, Any]], *, file: Path | None = None,
                origin: str = "--set") -> tuple[Policy, tuple[Override, ...]]:
        """The policy with each ``(dotted key, value)`` set, validated, and each change as an Override (old → new,
        the key prefixed ``policy.``). A key names a concept or a key inside its value; a table given for a table
        changes the keys it names and keeps the others. ``origin`` says where the changes come from (a ``Said``
        for words)."""
        entries = dict(self.entries)
        applied = []
        for key, new in changes:
            concept, *path = key.split(".")
            where = Said(f"{origin} policy.{key}", f"{zh_of(origin)} policy.{key}")
            if concept not in entries:
                hint = difflib.get_close_matches(concept, list(entries), n=1)
                raise InputError(f"{origin} policy.{key}: no policy value '{concept}'"
                                 + (f"; did you mean 'policy.{hint[0]}'?" if hint else
                                    f" (known: {', '.join(entries)})"),
                                 zh=f"{where.zh}：没有政策参数“{concept}”"
                                 + (f"；是否应为“policy.{hint[0]}”？" if hint else f"（现有参数：{', '.join(entries)}）"),
                                 file=file)
            entry = entries[concept]
            data = _ADAPTERS[concept].dump_python(entry.value, mode="python", by_alias=True)
            old = _get(data, path, new, concept, where, file)
            data = _set(data, path, new)
            value = _validated(concept, data, where, file)
            before = entry.changed_from if entry.overridden else entry.value
            entries[concept] = replace(entry, value=value, changed_from=before)
            # Recorded as it now stands: a table given for a table is merged, and the merge is what the run uses.
            now = _get(_ADAPTERS[concept].dump_python(value, mode="python", by_alias=True), path, None, concept,
                       where, file)
            applied.append(Override(key=f"policy.{key}", old=plain(old), new=plain(now)))
        return replace(self, entries=entries), tuple(applied)

    def only(self, keys: Iterable[str]) -> Policy:
        """The policy marked with the values a run uses, so that what it records is what it used."""
        return replace(self, used=frozenset(keys))

    def record(self) -> dict:
        """What manifest.json says of the policy: the file and its hash, the day, and every value used."""
        return {"file": self.file, "sha256": self.sha256, "as_of": self.as_of.isoformat(),
                "values": [{"key": e.key, "value": e.shown(), "unit": e.unit, "from": e.effective.isoformat(),
                            "source": e.source, "assumption": e.assumption, "overridden": e.overridden}
                           | ({"policy_value": _ADAPTERS[e.key].dump_python(e.changed_from, mode="json")}
                              if e.overridden else {})
                           | ({"owner": e.owner.model_dump(mode="json")} if e.owner is not None else {})
                           for e in self.in_use.values()]}


def _get(data: Any, path: list[str], new: Any, concept: str, where: str, file: Path | None) -> Any:
    """The value at ``path`` before a change. A key that is not there yet may be added only as a whole table (a new
    reward item, a new deadline): a single new value is a misspelt key far more often than a new one. ``where`` is
    a ``Said`` for the Chinese message."""
    node = data
    for depth, part in enumerate(path):
        here = '.'.join([concept, *path[:depth]])
        if not isinstance(node, dict):
            raise InputError(f"{where}: '{here}' is a value, not a table", zh=f"{zh_of(where)}：“{here}”是值，不是表",
                             file=file)
        if part not in node:
            if isinstance(new, dict) and depth == len(path) - 1:
                return None
            hint = difflib.get_close_matches(part, [str(k) for k in node], n=1)
            raise InputError(f"{where}: no key '{part}' in policy.{here}"
                             + (f"; did you mean '{hint[0]}'?" if hint else f" (keys: {', '.join(map(str, node))})")
                             + " (a new entry is given as a whole table)",
                             zh=f"{zh_of(where)}：policy.{here} 中没有键“{part}”"
                             + (f"；是否应为“{hint[0]}”？" if hint else f"（现有键：{', '.join(map(str, node))}）")
                             + "（新增的条目须以整张表给出）", file=file)
        node = node[part]
    return copy.deepcopy(node)


def _set(data: Any, path: list[str], value: Any) -> Any:
    if not path:
        if isinstance(data, dict) and isinstance(value, dict):
            merged = dict(data)
            for key, part in value.items():
                merged[key] = _set(merged.get(key), [], part) if isinstance(merged.get(key), dict) else part
            return merged
        return value
    node = dict(data)
    node[path[0]] = _set(node.get(path[0], {}), path[1:], value)
    return node


def _validated(concept: str, value: Any, where: str, file: Path | None) -> Any:
    try:
        return _ADAPTERS[concept].validate_python(_as_date_text(concept, value))
    except ValidationError as exc:
        problems, problems_zh = [], []
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            zh = _pydantic_zh(error) or message
            problems.append(f"{loc}: {message}" if loc else message)
            problems_zh.append(f"{loc}：{zh}" if loc else zh)
        raise InputError(f"{where}: " + "; ".join(problems), zh=f"{zh_of(where)}：" + "；".join(problems_zh),
                         file=file) from None


def _as_date_text(concept: str, value: Any) -> Any:
    # A day given on the command line arrives as text ("2000-12-31"); in TOML it is a date. Both mean the day.
    if concept == "eligibility" and isinstance(value, dict):
        return {k: dt.date.fromisoformat(v) if k in ("built_by", "priority_built_by") and isinstance(v, str)
                and re.fullmatch(r"\d{4}-\d\d-\d\d", v) else v for k, v in value.items()}
    return value


def as_of_day(value: dt.date | int | str) -> dt.date:
    """The day a policy is read on: a year means its last day (the values in force at the end of the year)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.date(value, 12, 31)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(f"a day is written YYYY-MM-DD (or a year), got {value!r}",
                  f"日期应写成 YYYY-MM-DD（或只写年份），给出的是 {value!r}")


@cache
def _builtin_text() -> str:
    return resources.files(__package__).joinpath(BUILTIN).read_text(encoding="utf-8")


def load_policy(as_of: dt.date | int | str, path: str | Path | None = None) -> Policy:
    """The policy in force on ``as_of`` (a day, or a year meaning its last day), read from ``path`` or from the
    policy set finmodel ships. Every concept of ``VALUE_TYPES`` must be defined and in force that day."""
    day = as_of_day(as_of)
    if path is None:
        text = _builtin_text()
        raw = tomllib.loads(text)
        file, where = f"finmodel/policy/{BUILTIN}", None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    else:
        where = Path(path)
        raw = read_toml(where)
        file = str(where)
        digest = hashlib.sha256(where.read_bytes()).hexdigest()
    check_values(raw, raw, file=where)
    concepts = {key: _concept(key, table, where) for key, table in raw.items()}
    missing = [key for key in VALUE_TYPES if key not in concepts]
    if missing:
        raise InputError(f"the policy file defines no {', '.join(missing)} (a policy file defines every concept: "
                         f"{', '.join(VALUE_TYPES)})",
                         zh=f"政策文件没有定义 {', '.join(missing)}（政策文件须定义全部参数：{', '.join(VALUE_TYPES)}）",
                         file=where)
    for key, concept in concepts.items():  # every dated value, not only the one in force on this day
        for k, dated in enumerate(concept.values):
            _validated(key, dated.value, f"{key}.values[{k}].value", where)
    entries = {}
    for key in VALUE_TYPES:
        concept = concepts[key]
        in_force = [v for v in concept.values if v.effective <= day]
        if not in_force:
            raise InputError(f"{key}: no value in force on {day} (the first holds from "
                             f"{concept.values[0].effective})",
                             zh=f"{key}：{day} 没有有效的值（最早的值自 {concept.values[0].effective} 起生效）",
                             file=where)
        chosen = in_force[-1]
        k = concept.values.index(chosen)
        value = _validated(key, chosen.value, f"{key}.values[{k}].value", where)
        entries[key] = PolicyValue(key=key, value=value, unit=concept.unit, effective=chosen.effective,
                                   source=chosen.source, assumption=chosen.assumption, unit_zh=concept.unit_zh,
                                   owner=concept.owner)
    return Policy(as_of=day, file=file, sha256=digest, entries=entries)


def _concept(key: str, table: Any, file: Path | None) -> Concept:
    if key not in VALUE_TYPES:
        hint = difflib.get_close_matches(key, list(VALUE_TYPES), n=1)
        raise InputError(f"unknown policy value '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                            f" (known: {', '.join(VALUE_TYPES)})"),
                         zh=f"未知的政策参数“{key}”" + (f"；是否应为“{hint[0]}”？" if hint else
                                                  f"（现有参数：{', '.join(VALUE_TYPES)}）"), file=file)
    try:
        return Concept.model_validate(table)
    except ValidationError as exc:
        problems, problems_zh = [], []
        for error in exc.errors():
            loc = ".".join([key] + [f"[{p}]" if isinstance(p, int) else str(p) for p in error["loc"]])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{loc.replace('.[', '[')}: {message}")
            problems_zh.append(f"{loc.replace('.[', '[')}：{_pydantic_zh(error) or message}")
        raise InputError("; ".join(problems), zh="；".join(problems_zh), file=file) from None


# ---------------------------------------------------------------------------------------------
# A scenario's policy


POLICY_KEYS = ("as_of", "file")
"""Keys of a scenario's [policy] table that are not policy values."""


def scenario_policy(table: Mapping[str, Any] | None, changes: Iterable[tuple[str, Any]], year: int, *,
                    file: Path, own: Iterable[tuple[str, Any]] = ()) -> tuple[Policy, tuple[Override, ...]]:
    """The policy a scenario runs under: the file its [policy] table names (default: finmodel's), in force on
    ``as_of`` (default: the last day of the scenario's ``year``), with the values the table sets and then the
    ``--set policy.…`` changes; ``own`` are policy values a kind's own keys set (a plan's weights), applied after the
    table and before --set, which has the last word. Returns the policy and the --set changes, old → new."""
    table = dict(table or {})
    changes = list(changes)
    # --set policy.as_of / policy.file choose the policy as the table's keys do, and are recorded like them.
    chosen = [(key, value) for key, value in changes if key in POLICY_KEYS]
    changes = [(key, value) for key, value in changes if key not in POLICY_KEYS]
    applied = tuple(Override(key=f"policy.{key}", old=plain(table.get(key)), new=plain(value))
                    for key, value in chosen)
    table |= dict(chosen)
    check_values(table, table, file=file)
    as_of: Any = table.pop("as_of", year)
    source = table.pop("file", None)
    try:
        day = as_of_day(as_of)
    except ValueError as exc:
        raise InputError(f"policy.as_of: {exc}", zh=f"policy.as_of：{zh_of(exc)}", file=file) from None
    if source is not None and not isinstance(source, str):
        raise InputError(f"policy.file: a path is text, got {source!r}", zh=f"policy.file：路径应为文字，给出的是 {source!r}",
                         file=file)
    path = None
    if source is not None:
        path = resolve_file(file.parent, source, file=file, key="policy.file")
    policy = load_policy(day, path)
    # The table's changes show in the policy's entries (changed_from); --set's are also the run's overrides.
    policy, _ = policy.changed(table.items(), file=file, origin="[policy]")
    policy, _ = policy.changed(own, file=file, origin=Said("the scenario", "情景文件"))
    policy, changed = policy.changed(changes, file=file, origin="--set")
    return policy, applied + changed


def split_policy_changes(overrides: Iterable[str] | Mapping[str, Any]) -> tuple[list[tuple[str, Any]],
                                                                               list[tuple[str, Any]]]:
    """``--set`` pairs split into the scenario's and the policy's (``policy.<key>``, prefix dropped)."""
    pairs = list(overrides.items()) if isinstance(overrides, Mapping) else [_split(text) for text in overrides]
    rest = [(k, v) for k, v in pairs if not k.startswith("policy.")]
    policy = [(k.removeprefix("policy."), v) for k, v in pairs if k.startswith("policy.")]
    return rest, policy


def read_config(path: Path, overrides: Iterable[str] | Mapping[str, Any], model: type[Strict], year_of, uses,
                own=None) -> tuple[dict[str, Any], Any, Policy, tuple[Override, ...]]:
    """A scenario file of any kind read, overridden and validated against ``model``: the data as overridden, the
    validated config, the policy it runs under (``scenario_policy``, dated by ``year_of(config)``) and the
    overrides applied, the scenario's first. ``own(config)`` gives the policy values the scenario's own keys set;
    ``uses(config)`` the policy values the run uses, each with why the others are not (a scenario key that sets it
    instead): the scenario carries those alone, and a change to any other is an error, not a silent no-op."""
    raw = read_toml(path)
    rest, changes = split_policy_changes(overrides)
    raw, applied = apply_overrides(raw, rest, model=model)
    config = validate_model(model, raw, file=path, overrides=applied)
    policy, changed = scenario_policy(raw.get("policy"), changes, year_of(config), file=path,
                                      own=own(config) if own is not None else ())
    used, instead = uses(config)
    for key, entry in policy.entries.items():
        if entry.overridden and key not in used:
            why = f": the scenario sets {instead[key]} itself; change that key" if key in instead else (
                f" by a scenario of this kind (it uses {', '.join(used) or 'none'})")
            why_zh = f"情景文件自己设定 {instead[key]}，不使用该参数；请修改 {instead[key]}" if key in instead else (
                f"此类情景不使用该参数（使用的参数：{', '.join(used) or '无'}）")
            raise InputError(f"policy.{key} is changed but not used{why}", zh=f"policy.{key} 已修改，但{why_zh}",
                             file=path, key=f"policy.{key}")
    return raw, config, policy.only(used), applied + changed

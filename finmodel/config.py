"""The shared base of every scenario kind: the strict schema base, reading TOML, validating with messages that
name the key, and ``--set`` overrides checked against the schema.

Each kind's schema lives beside its engine (allocation, projects, plan); this module knows none of them.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Iterable, Mapping

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from .errors import InputError, Invalid, Said, zh_of
from .tables import MAX_NUMBER, check_file, decode_text, number_problem, read_bytes, text_problem, visible

MAX_DEPTH = 16
"""How deeply tables and lists may nest in a scenario file; finmodel's own schemas need six levels."""
ID_MAX_LENGTH = 64
"""The longest id: ids name files (a project's chart) and ``--set`` keys."""


class Strict(BaseModel):
    # Strict: true is no 1, "yes" no true and "30000" no number; a TOML file says what type it means.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, strict=True,
                              allow_inf_nan=False)


def _as_tuple(value: Any) -> Any:
    # TOML has arrays, not tuples: a fixed-length array is read as a tuple before the strict check.
    return tuple(value) if isinstance(value, list) else value


_ID = re.compile(r"[\w-]+")


def _valid_id(value: str) -> str:
    if not _ID.fullmatch(value) or len(value) > ID_MAX_LENGTH:
        long = len(value) > ID_MAX_LENGTH
        raise Invalid(f"an id is 1 to {ID_MAX_LENGTH} letters, digits, '_' or '-' (no spaces, dots, slashes or "
                      f"other signs), got {visible(value)}" + (f" ({len(value)} characters)" if long else ""),
                      f"id 应为 1 至 {ID_MAX_LENGTH} 个字母、数字、“_”或“-”（不能有空格、点、斜杠或其他符号），"
                      f"给出的是 {visible(value)}" + (f"（{len(value)} 个字符）" if long else ""))
    return value


Id = Annotated[str, AfterValidator(_valid_id)]
"""An id: it names files and ``--set`` keys, so it holds only letters, digits, '_' and '-'."""


def plain(value: Any) -> Any:
    """A value as JSON holds it: TOML's dates and times as ISO text, an exact fraction as "2/3", tables and lists
    likewise throughout."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, (dt.date, dt.time)):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Override:
    """One ``--set`` change: the key, the value before (None if absent) and after."""

    key: str
    old: Any
    new: Any


@dataclass(frozen=True, kw_only=True)
class NamedScenario:
    """What every loaded scenario of any kind carries besides its own tables: the input files' hashes, the --set
    changes and the policy it runs under; and its name, from the file's [scenario] table."""

    config: Any
    inputs: dict[str, str] = field(default_factory=dict)
    """Every input file (path as given relative to the scenario's folder) → sha256."""
    overrides: tuple[Override, ...] = ()
    policy: Any = None
    """The policy values the run uses (``finmodel.policy.Policy``), dated by the scenario."""

    @property
    def name(self) -> str:
        return self.config.scenario.name



class TomlFloat(float):
    """A float read from TOML that keeps the text it was written as: money is read as the decimal written, not
    as the nearest binary fraction (``decimal_of``)."""

    __slots__ = ("text",)

    def __new__(cls, text: str) -> TomlFloat:
        value = super().__new__(cls, text)
        value.text = text
        return value


def decimal_of(value: Any) -> Decimal | None:
    """A number as the decimal it was written as (TOML text), or as the shortest decimal that gives the float
    back (the Python API); None for anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        if isinstance(value, TomlFloat):
            return Decimal(value.text)
        return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    except InvalidOperation:
        return None


def read_toml(path: Path) -> dict[str, Any]:
    check_file(path, what="scenario file")
    text = decode_text(read_bytes(path), path, Said("save the scenario as UTF-8", "请将情景文件另存为 UTF-8 编码"))
    try:
        raw = tomllib.loads(text, parse_float=TomlFloat)
    except RecursionError as exc:
        raise InputError(f"not valid TOML: tables or arrays nest too deeply (finmodel reads at most {MAX_DEPTH} "
                         "levels)", zh=f"不是有效的 TOML：表或数组嵌套过深（最多 {MAX_DEPTH} 层）", file=path) from exc
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        place = text[text.find("("):] if "(" in text else ""
        twice = text.startswith("Cannot overwrite a value") or text.startswith("Cannot declare")
        if twice:
            text = "a key or table is given twice " + place
        # tomllib says where as "(at line 3, column 7)": the Chinese keeps the numbers
        found = re.search(r"line (\d+), column (\d+)", place)
        at = f"（第 {found[1]} 行第 {found[2]} 列）" if found else ""
        # tomllib's reasons are English phrases of a parser; the Chinese gives the place and what to look at
        zh = (f"不是有效的 TOML：同一个键或表写了两次{at}" if twice else
              f"不是有效的 TOML：{at.strip('（）') or '文件中'}语法有误（请检查引号、括号、等号、逗号和换行）")
        raise InputError(f"not valid TOML: {text}", zh=zh, file=path) from exc
    check_depth(raw, file=path)
    return raw


def check_depth(value: Any, *, file: Path | None = None, where: str = "") -> None:
    """Refuse tables and arrays nested deeper than ``MAX_DEPTH``: every later step walks them recursively."""
    stack = [(value, 0, where)]
    while stack:
        node, depth, place = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{place or 'the file'}: tables or arrays nest more than {MAX_DEPTH} levels deep; a "
                             "scenario needs at most six",
                             zh=f"{place or '文件'}：表或数组嵌套超过 {MAX_DEPTH} 层；方案最多需要六层", file=file)
        if isinstance(node, dict):
            stack += [(v, depth + 1, f"{place}.{k}" if place else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, depth + 1, f"{place}[{k}]") for k, v in enumerate(node)]


def validate_model(model: type[BaseModel], raw: Mapping[str, Any], *, file: Path | None = None,
                   values_checked: bool = False, overrides: Iterable[Override] = ()) -> Any:
    """``model`` validated from ``raw``; every problem in one InputError, each named by its dotted key.

    Before the schema, every key and text is checked for control characters and every number against the
    limits (``number_problem``), whatever key holds it; ``values_checked`` when the caller has done so. A problem
    with a value ``overrides`` set is the command line's: it names its ``--set`` argument, and when every problem
    is one of those, the error does not blame the file; a rule of a table a ``--set`` changed says so."""
    if not values_checked:
        check_values(raw, raw, file=file)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        changed = {o.key: o.new for o in overrides}
        problems, ours = [], 0
        for error in exc.errors():
            text = _describe(error, raw, model)
            where = _dotted(tuple(error["loc"]), raw)
            setting = next((k for k in changed if where == k or where.startswith((k + ".", k + "["))), None)
            if setting is not None:
                given = f"--set {setting}={_shown_value(changed[setting])}"
                text = Said(f"{given}: {text.removeprefix(setting + ': ')}",
                            f"{given}：{zh_of(text).removeprefix(setting + '：')}")
                ours += 1
            else:
                inside = [k for k in changed if not where or k.startswith(where + ".")]
                if inside:
                    given = ", ".join(f"--set {k}={_shown_value(changed[k])}" for k in inside)
                    text = Said(f"{text} (with {given})", f"{zh_of(text)}（使用了 {given}）")
            problems.append(text)

        def joined(lines: list[str]) -> str:
            return lines[0] if len(lines) == 1 else "\n  " + "\n  ".join(lines)

        raise InputError(joined(problems), zh=joined([zh_of(p) for p in problems]),
                         file=None if ours == len(problems) else file) from exc



def check_values(node: Any, raw: Mapping[str, Any], *, file: Path | None = None, loc: tuple = ()) -> None:
    """Every text (keys too) free of control characters, every number finite and within the limits."""
    def where() -> str:  # named only for a problem: building the dotted key of every node made loading quadratic
        return _dotted(loc, raw)

    if isinstance(node, dict):
        for key, value in node.items():
            problem = text_problem(key) if isinstance(key, str) else None
            if problem:
                raise InputError(f"{where() + ': ' if where() else ''}a key: {problem}",
                                 zh=f"{where() + '：' if where() else ''}键名：{zh_of(problem)}", file=file)
            check_values(value, raw, file=file, loc=loc + (key,))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            check_values(value, raw, file=file, loc=loc + (k,))
    elif isinstance(node, str):
        problem = text_problem(node)
        if problem:
            raise InputError(f"{where()}: {problem}" if where() else problem,
                             zh=f"{where()}：{zh_of(problem)}" if where() else zh_of(problem), file=file)
    elif isinstance(node, int) and not isinstance(node, bool):
        if abs(node) > MAX_NUMBER:  # compared as integers: a 400-digit integer is no float
            digits = len(str(abs(node)))
            text = f"{node:.6g}" if digits < 40 else f"a {digits}-digit number"
            shown = f"{node:.6g}" if digits < 40 else f"一个 {digits} 位数"
            raise InputError(f"{where()}: {text} is above the largest number finmodel takes, {MAX_NUMBER:g}",
                             zh=f"{where()}：{shown} 超过 finmodel 可接受的最大数 {MAX_NUMBER:g}", file=file)
    elif isinstance(node, float):
        problem = number_problem(node, node.text if isinstance(node, TomlFloat) else None)
        if problem:
            value = f" ({node!r})" if problem == "not a finite number" else ""
            raise InputError(f"{where()}: {problem}{value}",
                             zh=f"{where()}：{zh_of(problem)}{value.replace(' (', '（').replace(')', '）')}", file=file)


def _describe(error: Mapping[str, Any], raw: Mapping[str, Any], root: type[BaseModel]) -> Said:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        parent, unknown = _dotted(loc[:-1], raw), loc[-1]
        allowed = _fields_at(root, loc[:-1])
        hint = difflib.get_close_matches(str(unknown), allowed, n=1)
        where, where_zh = (f" in [{parent}]", f"[{parent}] 中") if parent else ("", "")
        text, zh = f"unknown key '{unknown}'{where}", f"{where_zh}没有键“{unknown}”"
        if hint:
            text += f"; did you mean '{hint[0]}'?"
            zh += f"；是否应为“{hint[0]}”？"
        elif allowed:
            text += f" (allowed: {', '.join(allowed)})"
            zh += f"（可用的键：{', '.join(allowed)}）"
        return Said(text, zh)
    if error["type"] == "missing":
        return Said(f"{_dotted(loc, raw)}: required key is missing", f"{_dotted(loc, raw)}：缺少必填的键")
    message = error["msg"].removeprefix("Value error, ")
    zh = _pydantic_zh(error) or message
    given = error.get("input")
    if isinstance(given, (str, int, float)) and not isinstance(given, bool) and error["type"] != "value_error":
        message += f" (got {given!r})"
        zh += f"（给出的是 {given!r}）"
    where = _dotted(loc, raw)
    return Said(f"{where}: {message}", f"{where}：{zh}") if where else Said(message, zh)


# pydantic's own messages by error type, in Chinese; the context's values fill the braces. A type not listed is
# shown in pydantic's English (tests/test_messages_zh.py lists the types the schemas can raise).
_PYDANTIC_ZH = {
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "finite_number": "应为有限的数",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数字", "float_parsing": "应为数字",
    "string_type": "应为文字（用引号括起）",
    "string_too_short": "至少应有 {min_length} 个字符", "string_too_long": "最多只能有 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "literal_error": "应为 {expected} 之一", "enum": "应为 {expected} 之一",
    "list_type": "应为列表（[…]）", "tuple_type": "应为列表（[…]）", "set_type": "应为列表（[…]）",
    "dict_type": "应为表", "model_type": "应为表", "model_attributes_type": "应为表",
    "too_short": "至少应有 {min_length} 项，现有 {actual_length} 项",
    "too_long": "最多只能有 {max_length} 项，现有 {actual_length} 项",
    "date_type": "应为日期（如 2021-06-30）", "date_parsing": "应为日期（如 2021-06-30）",
    "date_from_datetime_parsing": "应为日期（如 2021-06-30）", "date_from_datetime_inexact": "应为日期，不含时刻",
    "union_tag_invalid": "{discriminator} 应为 {expected_tags} 之一，不能是 {tag}",
    "union_tag_not_found": "缺少 {discriminator}",
    "none_required": "应留空",
}


def _pydantic_zh(error: Mapping[str, Any]) -> str | None:
    """The Chinese of one pydantic error: a validator's ``Invalid`` carries its own, pydantic's types are looked
    up; None for a type not known here."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error":
        return getattr(context.get("error"), "zh", None)
    template = _PYDANTIC_ZH.get(error["type"])
    if template is None:
        return None
    values = {k: f"{v:g}" if isinstance(v, float) else str(v).replace(" or ", " 或 ") for k, v in context.items()}
    try:
        return template.format(**values)
    except KeyError:  # a context pydantic did not give for this instance: the words without the value
        return template.split("{")[0].rstrip("，（ ") or None


def _dotted(loc: tuple, raw: Mapping[str, Any]) -> str:
    """``('pools', 0, 'weights')`` → ``pools.central.weights``: lists of tables are named by id."""
    parts: list[str] = []
    node: Any = raw
    element_of_list = False  # a discriminated union's members are list elements here ([[projects.income]])
    for item in loc:
        if isinstance(item, int) and isinstance(node, list):
            element = node[item] if item < len(node) else None
            name = element.get("id") if isinstance(element, dict) else None
            # An element is named by its id, unless the id is itself what is wrong (too long, a control character).
            named = isinstance(name, str) and _ID.fullmatch(name) and len(name) <= ID_MAX_LENGTH
            parts.append(name if named else f"[{item}]")
            node = element
            element_of_list = True
            continue
        elif element_of_list and isinstance(node, dict) and item not in node and node.get("kind") == item:
            element_of_list = False
            continue  # the tag pydantic adds for a discriminated union is not a key of the file
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
        element_of_list = False
    return ".".join(parts).replace(".[", "[")


def _fields_at(root: type[BaseModel], loc: tuple) -> list[str]:
    models: list[type[BaseModel]] = [root]
    for item in loc:
        if isinstance(item, int):
            continue
        # pydantic puts a discriminated union's tag in the location: pick that member (a field of that name, such
        # as a plan scenario's [plan] beside its kind = "plan", is a field, not a tag).
        tagged = [] if any(item in m.model_fields for m in models) else [m for m in models if item in _kinds(m)]
        if tagged:
            models = tagged
            continue
        owner = next((m for m in models if item in m.model_fields), None)
        if owner is None:
            return []
        models = _models_in(owner.model_fields[item].annotation)
    return list(models[0].model_fields) if len(models) == 1 else []


def _kinds(model: type[BaseModel]) -> tuple:
    kind = model.model_fields.get("kind")
    return typing.get_args(kind.annotation) if kind is not None else ()


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or origin in (list, tuple, dict, typing.Union):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


# ---------------------------------------------------------------------------------------------
# Overrides


def apply_overrides(
    raw: Mapping[str, Any], overrides: Iterable[str | tuple[str, Any]] | Mapping[str, Any], *,
    model: type[BaseModel] | None = None,
) -> tuple[dict[str, Any], tuple[Override, ...]]:
    """Apply every override to a copy of ``raw``; nothing is validated here, the caller validates the whole.

    With ``model``, each key must name a value the schema has (a key of a table, not a table or a list of
    tables), so that no change is recorded that the run does not make. An error names the ``--set`` argument, not
    the scenario file: the mistake is on the command line."""
    pairs = list(overrides.items()) if isinstance(overrides, Mapping) else [
        _split(text) if isinstance(text, str) else text for text in overrides]
    data = copy.deepcopy(dict(raw))
    applied = []
    for key, value in pairs:
        check_depth(value, where=f"--set {key}")
        if model is not None:
            _check_leaf(model, data, key, value)
        parent, last = _walk(data, key)
        applied.append(Override(key=key, old=copy.deepcopy(parent.get(last)), new=value))
        parent[last] = value
    return data, tuple(applied)


def _split(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"--set expects KEY=VALUE, got '{text}'", zh=f"--set 应写作 KEY=VALUE，给出的是“{text}”")
    return key, parse_value(value.strip())


def parse_value(text: str) -> Any:
    """A ``--set`` value in TOML syntax (32000, 0.4, true, [1, 2], "text"); anything else is a string."""
    try:
        return tomllib.loads(f"v = {text}", parse_float=TomlFloat)["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


def _walk(data: dict[str, Any], key: str) -> tuple[dict[str, Any], str]:
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[: depth + 1])
        child = node.get(part) if isinstance(node, dict) else None
        if child is None:
            child = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(child, list):
            # A list of tables ([[pools]]) is addressed by the id of its element.
            ids = [item.get("id") for item in child if isinstance(item, dict)]
            nxt = parts[depth + 1]
            if nxt not in ids:
                raise InputError(
                    f"--set {key}: no element with id '{nxt}' in '{here}' (ids: {', '.join(map(str, ids))})",
                    zh=f"--set {key}：“{here}”中没有 id 为“{nxt}”的项（现有 id：{', '.join(map(str, ids))}）",
                )
            if depth + 1 == len(parts) - 1:
                # The element itself is a table: writing it would change a copy and nothing else.
                example = f"{key}.{_first_value_key(child[ids.index(nxt)])}"
                raise InputError(f"--set {key}: '{key}' is a table, not a value; set one of its keys, such as "
                                 f"{example}", zh=f"--set {key}：“{key}”是表，不是值；请设其中的键，如 {example}")
            node = {nxt: child[ids.index(nxt)]}
            continue
        if not isinstance(child, dict):
            raise InputError(f"--set {key}: '{here}' is a value, not a table", zh=_not_table(key, here))
        node = child
    return node, parts[-1]


def _not_table(key: str, here: str) -> str:
    return f"--set {key}：“{here}”是值，不是表"


def _first_value_key(table: Mapping[str, Any]) -> str:
    return next((k for k, v in table.items() if k != "id" and not isinstance(v, (dict, list))), "…")


def _check_leaf(model: type[BaseModel], data: Mapping[str, Any], key: str, value: Any) -> None:
    """Refuse a ``--set`` key the schema does not have as a value: an unknown key (with the closest known one),
    a table, or a list of tables."""
    parts = key.split(".")
    models: list[type[BaseModel]] = [model]
    node: Any = data
    k = 0
    while k < len(parts):
        part = parts[k]
        here = ".".join(parts[: k + 1])
        owner = next((m for m in models if part in m.model_fields), None)
        if owner is None:
            known = sorted({name for m in models for name in m.model_fields})
            hint = difflib.get_close_matches(part, known, n=1) or [k for k in known if k.startswith(part)][:1]
            parent = ".".join(parts[:k])
            where = f" in [{parent}]" if parent else ""
            guess = '.'.join([*parts[:k], hint[0]]) if hint else ""
            raise InputError(f"--set {key}: unknown key '{part}'{where}"
                             + (f"; did you mean '{guess}'?" if hint else f" (keys: {', '.join(known)})"),
                             zh=f"--set {key}：{f'[{parent}] 中' if parent else ''}没有键“{part}”"
                             + (f"；是否应为“{guess}”？" if hint else f"（可用的键：{', '.join(known)}）"))
        annotation = owner.model_fields[part].annotation
        inner = _models_in(annotation)
        node = node.get(part) if isinstance(node, dict) else None
        last = k == len(parts) - 1
        if _is_list_of_tables(annotation):
            if last:
                ids = [e.get("id") for e in node or [] if isinstance(e, dict)]
                example = f"{here}.{ids[0] if ids else '<id>'}.…"
                raise InputError(f"--set {key}: '{here}' is a list of tables, not a value; set a key of one of them, "
                                 f"such as {example}",
                                 zh=f"--set {key}：“{here}”是一组表，不是值；请设其中一项的键，如 {example}")
            element = next((e for e in node or [] if isinstance(e, dict) and e.get("id") == parts[k + 1]), None)
            if element is None:
                return  # _walk names the missing element and the ids there are
            kind = element.get("kind")
            models = [m for m in inner if kind in _kinds(m)] or inner
            node = element
            k += 2
            if k == len(parts):
                guess = _guess(models, element, value, key)
                raise InputError(f"--set {key}: '{key}' is a table, not a value; set one of its keys" + guess,
                                 zh=f"--set {key}：“{key}”是表，不是值；请设其中的键" + zh_of(guess))
            continue
        if inner:
            if last:
                guess = _guess(inner, node if isinstance(node, dict) else {}, value, key)
                raise InputError(f"--set {key}: '{here}' is a table, not a value; set one of its keys" + guess,
                                 zh=f"--set {key}：“{here}”是表，不是值；请设其中的键" + zh_of(guess))
            models = inner
            k += 1
            continue
        if _is_mapping(annotation):
            if last:
                first = next(iter(node), "…") if isinstance(node, dict) and node else "…"
                raise InputError(f"--set {key}: '{here}' is a table, not a value; set one of its keys, such as "
                                 f"{here}.{first}", zh=f"--set {key}：“{here}”是表，不是值；请设其中的键，如 {here}.{first}")
            if k + 1 != len(parts) - 1:
                raise InputError(f"--set {key}: '{'.'.join(parts[:k + 2])}' is a value, not a table",
                                 zh=_not_table(key, '.'.join(parts[:k + 2])))
            return
        if not last:
            raise InputError(f"--set {key}: '{here}' is a value, not a table", zh=_not_table(key, here))
        return


def _is_list_of_tables(annotation: Any) -> bool:
    for arg in _unwrapped(annotation):
        if typing.get_origin(arg) is list and _models_in(typing.get_args(arg)[0]):
            return True
    return False


def _is_mapping(annotation: Any) -> bool:
    return any(typing.get_origin(arg) is dict for arg in _unwrapped(annotation))


def _unwrapped(annotation: Any) -> list[Any]:
    """The types an annotation allows, Annotated and Optional taken apart."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrapped(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or origin is typing.Union:
        return [t for arg in typing.get_args(annotation) for t in _unwrapped(arg)]
    return [annotation]


def _guess(models: list[type[BaseModel]], table: Mapping[str, Any], value: Any, key: str) -> Said:
    """'; did you mean …' naming the one key of the table that holds a value of the type given, if one does."""
    def same_type(a: Any, b: Any) -> bool:
        if isinstance(a, bool) or isinstance(b, bool):
            return isinstance(a, bool) and isinstance(b, bool)
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) or type(a) is type(b)

    fits = [k for k, v in table.items() if k not in ("id", "kind") and same_type(v, value)]
    if len(fits) == 1:
        meant = f"--set {key}.{fits[0]}={_shown_value(value)}"
        return Said(f"; did you mean {meant}?", f"；是否应为 {meant}？")
    known = ", ".join(dict.fromkeys(k for m in models for k in m.model_fields if k not in ("id", "kind")))
    return Said(f" ({known})", f"（{known}）")


def _shown_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)

"""The scenario reference, generated from the schemas: ``docs/scenario-reference.md`` (every key with its type,
unit, default, allowed values and description, in Chinese and English) and one JSON Schema per kind in
``docs/schema/`` (for editors that complete and check TOML against a schema, such as Taplo or VS Code's Even Better
TOML).

The English descriptions are the schemas' own; the Chinese ones are in ``finmodel/reference_zh.py``, by kind and
key. A key without a Chinese description stops the generation, so that no field reaches the reference in one
language only. ``finmodel schema`` writes the files; a test fails when the files in the repository differ from what
the schemas give.
"""

from __future__ import annotations

import json
from pathlib import Path

from .kinds import kinds
from .policy.params import _ADAPTERS, load_policy
from .reference_zh import ZH

_REFERENCE_DAY = "2020-12-31"
"""The day whose policy values describe the concepts that have no schema description of their own."""

UNITS = (("_yuan_per_m2", "元/平方米", "yuan per m²"), ("_wan_per_household", "万元/户", "10k yuan per household"),
         ("_wan_per_year", "万元/年", "10k yuan per year"), ("_wan", "万元", "10k yuan"), ("_m2", "平方米", "m²"),
         ("_yuan", "元", "yuan"), ("_years", "年", "years"), ("_s", "秒", "seconds"))
"""Units by the key's name, the longest marker first."""
TITLES = {"allocation": ("补助资金分配", "subsidy allocation"), "projects": ("项目资金平衡测算", "project cash flows"),
          "plan": ("年度改造计划", "multi-year plan")}


def json_schemas() -> dict[str, str]:
    """File name → text: one JSON Schema per scenario kind."""
    out = {}
    for name, kind in kinds().items():
        schema = kind.schema.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"finmodel {name} scenario"
        out[f"{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def _unit(key: str) -> tuple[str, str]:
    last = key.rsplit(".", 1)[-1]
    for marker, zh, en in UNITS:
        if last.endswith(marker) or (marker != "_s" and f"{marker}_" in last):
            return zh, en
    return "", ""


def _resolve(node: dict, defs: dict) -> dict:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


def _type(node: dict, defs: dict) -> str:
    node = _resolve(node, defs)
    if "const" in node:
        return f"`{json.dumps(node['const'], ensure_ascii=False)}`"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in node["enum"])
    if "anyOf" in node:
        return " or ".join(_type(part, defs) for part in node["anyOf"] if part.get("type") != "null")
    if "oneOf" in node:  # a table of one of several forms, told apart by its ``kind``
        return "table by `kind`"
    kind = node.get("type")
    if kind == "array":
        if "prefixItems" in node:
            return "[" + ", ".join(_type(p, defs) for p in node["prefixItems"]) + "]"
        return f"list of {_type(node.get('items', {}), defs)}"
    if kind == "object":
        if "properties" in node:
            return "table"
        values = node.get("additionalProperties")
        return f"table of {_type(values, defs)}" if isinstance(values, dict) and values else "table"
    return {"integer": "integer", "number": "number", "string": "text", "boolean": "true/false"}.get(kind, kind or "any")


def _limits(node: dict, defs: dict) -> str:
    node = _resolve(node, defs)
    parts = []
    for part in node.get("anyOf", [node]):
        part = _resolve(part, defs)
        for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
            if key in part:
                parts.append(f"{sign} {part[key]:g}")
        if "minLength" in part:
            parts.append(f"at least {part['minLength']} character(s)")
        if "minItems" in part and "prefixItems" not in part:
            parts.append(f"at least {part['minItems']} item(s)")
    return ", ".join(parts)


def _default(spec: dict) -> str:
    if "default" not in spec:
        return "required"
    value = spec["default"]
    if value is None:
        return "—"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _rows(schema: dict, defs: dict, prefix: str = "") -> list[list[str]]:
    rows = []
    required = set(schema.get("required", []))
    for name, spec in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        inner = _resolve(spec, defs)
        options = [_resolve(p, defs) for p in inner.get("anyOf", [inner])]
        table = next((p for p in options if "properties" in p), None)
        items = next((_resolve(p.get("items", {}), defs) for p in options if p.get("type") == "array"), None)
        mapped = next((p["additionalProperties"] for p in options
                       if isinstance(p.get("additionalProperties"), dict) and "$ref" in p["additionalProperties"]),
                      None)
        zh, en = _unit(key)
        described = spec.get("description") or inner.get("description") or (table or {}).get("description") or (
            (items or {}).get("description"))
        description = " ".join((described or "").split())
        default = "required" if name in required else _default(spec)
        rows.append([key, _type(spec, defs), zh and f"{zh} ({en})", default, _limits(spec, defs),
                     description.replace("|", "\\|")])
        if table is not None:
            rows += _rows(table, defs, f"{key}.")
        elif items is not None and "properties" in items:
            rows += _rows(items, defs, f"{key}[].")
        elif items is not None and "oneOf" in items:
            for member in (_resolve(m, defs) for m in items["oneOf"]):
                kind = member["properties"]["kind"]
                names = [kind["const"]] if "const" in kind else kind.get("enum", [])
                rows += _rows(member, defs, f"{key}[kind={'/'.join(names)}].")
        elif mapped is not None:
            rows += _rows(_resolve(mapped, defs), defs, f"{key}.<name>.")
    return rows


def _policy_rows() -> list[list[str]]:
    rows = [
        ["policy.as_of", "date, year or text", "", "31 December of the scenario's year (a plan's first)", "",
         "The day the policy is read on: a TOML date (2024-06-30), a year (2024: its last day) or ISO text."],
        ["policy.file", "text", "", "finmodel's own policy set", "",
         "Another policy file of the same form, relative to the scenario (a new document, another city)."],
    ]
    policy = load_policy(_REFERENCE_DAY)
    for key, adapter in _ADAPTERS.items():
        schema = adapter.json_schema()
        defs = schema.get("$defs", {})
        described = _resolve(schema, defs)
        text = described.get("description") or policy.entry(key).unit
        rows.append([f"policy.{key}", _type(schema, defs), "", "the policy set's", _limits(schema, defs),
                     " ".join(text.split()).replace("|", "\\|")])
        mapped = described.get("additionalProperties")
        inner = None
        if "properties" in described:
            inner = _rows(described, defs, f"policy.{key}.")
        elif isinstance(mapped, dict) and "$ref" in mapped:  # a table of tables, such as the deadlines by id
            inner = _rows(_resolve(mapped, defs), defs, f"policy.{key}.<name>.")
        for row in inner or []:
            row[3] = "the policy set's"
            rows.append(row)
    return rows


def _sections() -> dict[str, list[list[str]]]:
    """Each kind, then "policy" for the policy values → the rows of its table, without the Chinese description."""
    out = {}
    for name, kind in kinds().items():
        schema = kind.schema.model_json_schema()
        out[name] = _rows(schema, schema.get("$defs", {}))
    out["policy"] = _policy_rows()
    return out


def keys() -> dict[str, list[str]]:
    """Each kind, then "policy" → the dotted keys its table shows, in order: the keys ``ZH`` describes."""
    return {section: [row[0] for row in rows] for section, rows in _sections().items()}


def _described(sections: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """The rows with the Chinese description put before the English; every missing one is named at once, so that
    a new schema is described in one pass rather than one failure at a time."""
    missing = [f"({section!r}, {row[0]!r})" for section, rows in sections.items() for row in rows
               if not ZH.get((section, row[0]), "").strip()]
    if missing:
        raise KeyError(f"no Chinese description in finmodel/reference_zh.py for {len(missing)} key(s): "
                       + ", ".join(missing))
    return {section: [row[:5] + [ZH[(section, row[0])].replace("|", "\\|")] + row[5:] for row in rows]
            for section, rows in sections.items()}


HEADER = ["键 key", "类型 type", "单位 unit", "默认 default", "取值范围 allowed", "中文说明", "说明 description"]


def _table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in [f"`{row[0]}`", *row[1:]]) + " |"
              for row in rows]
    return "\n".join(lines)


def markdown() -> str:
    sections = _described(_sections())
    parts = ["<!-- Generated by `finmodel schema` from the schemas in finmodel/ and the Chinese descriptions in "
             "finmodel/reference_zh.py: edit those, not this file. -->",
             "", "# 情景文件参考 Scenario file reference", "",
             "情景文件的每个键按情景类型列出：类型、单位、默认值、取值范围及中英文说明。",
             "Every key of a scenario file, by kind: its type, unit, default, allowed values and description in "
             "Chinese and English. A file starts with `kind = \"allocation\"`, `\"projects\"` or `\"plan\"`; "
             "unknown keys are errors, with the nearest known key suggested. Any value can be changed for one run "
             "with `--set KEY=VALUE` (TOML syntax). JSON Schemas of the three kinds are in `docs/schema/`.", "",
             "单位来自键名（`_wan` 万元，`_m2` 平方米，`_yuan` 元，`_years` 年）。",
             "Units follow the key's name (`_wan` 10k yuan, `_m2` m², `_yuan` yuan, `_years` years).", ""]
    for name in kinds():
        zh, en = TITLES[name]
        parts += [f"## `kind = \"{name}\"` — {zh} {en}", "", _table(sections[name]), ""]
    parts += ["## `[policy]` — 政策参数 policy values", "",
              "各类情景均可带 `[policy]` 表：`as_of`（读取政策的日期，默认为情景年度最后一天）、`file`（另一份与 "
              "`finmodel/policy/parameters.toml` 格式相同的政策文件），以及按下表键名设置的任一政策值，仅在本次运行中"
              "替换政策集的取值。各值的单位、来源和日期见该文件，某次运行所用的值见其“参数”工作表和 `manifest.json`。",
              "Every scenario kind takes a `[policy]` table: `as_of` (the day the policy is read on, default the "
              "last day of the scenario's year), `file` (another policy file of the same form as "
              "`finmodel/policy/parameters.toml`), and any policy value below by its key, which replaces the "
              "policy set's for this run (`--set policy.reward_in_lieu.lag_years=2` alike). Each value's unit, "
              "source and date are in that file and, for a run, on its 参数 sheet and in "
              "`manifest.json`.", "", _table(sections["policy"]), ""]
    return "\n".join(parts)


def generated() -> dict[str, str]:
    """Path relative to the repository → text, for every generated reference file."""
    return {"docs/scenario-reference.md": markdown()} | {
        f"docs/schema/{name}": text for name, text in json_schemas().items()}


def write(root: Path) -> list[Path]:
    written = []
    for relative, text in generated().items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
        written.append(path)
    return written


__all__ = ["generated", "json_schemas", "keys", "markdown", "write"]

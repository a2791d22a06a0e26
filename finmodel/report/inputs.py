"""The uncertain inputs of a risk or sensitivity run by name: a scenario names an input by its key path, as
``--set`` does (``projects.zoucheng.income.parking.occupancy``); a report reads "邹城市…项目：停车收入·车位平均出租率".

The Chinese field names are the reference's (``reference_zh``), cut to their first phrase, so that one text says
what a key means in the scenario reference and in the reports. English readers get the project's name and the
field's key path, which the reference explains."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..labels import INCOME_KIND, item_label, t, word
from ..reference_zh import ZH

_FIRST_PHRASE = re.compile(r"[，（：(,]")
_INCOME_FORMS = {kind: form for (scope, key) in ZH if scope == "projects" and key.startswith("projects[].income[kind=")
                 for form in [key.split("=", 1)[1].split("]", 1)[0]] for kind in form.split("/")}
"""An income line's kind → the form the reference describes its fields under (property/advertising/… share one)."""


def _field_zh(path: str) -> str | None:
    """The reference's Chinese for a key of a project, cut to its first phrase ("年利率（小数）" → "年利率")."""
    text = ZH.get(("projects", path))
    return _FIRST_PHRASE.split(text, 1)[0] if text else None


def _by_id(elements: Any, ident: str) -> Any:
    return next((e for e in elements or () if getattr(e, "id", None) == ident), None)


def input_names(keys: Iterable[str], projects: Any, lang: str) -> dict[str, str]:
    """Each key's ``input_label``."""
    return {key: input_label(key, projects, lang) for key in dict.fromkeys(keys)}


def name_of(key: str, names: Mapping[str, str] | None) -> str:
    """An input's name from ``input_names``' mapping, or its key where there is none (an API call without names)."""
    return names.get(key, key) if names else key


def field_of(label: str) -> str:
    """A label without its project: a chart of one project names the field only."""
    for sep in ("：", ": "):
        if sep in label:
            return label.split(sep, 1)[1]
    return label


def input_label(key: str, projects: Any, lang: str) -> str:
    """``key``'s name in reports: the project's name (各项目 for ``*``) and the field's, in ``lang``; a key the
    reference does not describe keeps its path after the project. ``projects`` is the scenario's ``ProjectList``."""
    if key == "scenario.discount_rate":  # the one input of the scenario table
        return t("risk_discount_rate", lang)
    _, ident, rest = (key.split(".", 2) + ["", ""])[:3]
    ids = projects.ids
    if ident == "*":
        project = projects.each_shape()[0] if len(ids) else None
        whose = t("risk_each_project", lang)
    else:
        project = projects[ids.index(ident)] if ident in ids else None
        whose = project.name if project is not None else ident
    if lang != "zh":
        return f"{whose}: {rest}"
    return f"{whose}：{_field_label(rest, project) or rest}"


def _field_label(rest: str, project: Any) -> str | None:
    parts = rest.split(".")
    head = parts[0]
    if head == "capex" and len(parts) == 3 and parts[1] == "items_wan":
        return f"{_field_zh('projects[].capex')}·{item_label(parts[2], 'zh')}"
    if head == "income" and len(parts) == 3:
        lines = list(getattr(project, "income", ()) or ())
        line = _by_id(lines, parts[1])
        kind = getattr(line, "kind", parts[1])
        form = _INCOME_FORMS.get(kind, kind)
        field = _field_zh(f"projects[].income[kind={form}].{parts[2]}") or parts[2]
        name = getattr(line, "name", None) or word(INCOME_KIND, kind, "zh")
        if not getattr(line, "name", None) and sum(getattr(other, "kind", None) == kind for other in lines) > 1:
            name += f"（{parts[1]}）"  # two unnamed lines of one kind: told apart by id
        return f"{name}·{field}"
    if head == "grants" and len(parts) == 3:
        grants = list(getattr(project, "grants", ()) or ())
        ids = [grant.id for grant in grants]
        field = _field_zh(f"projects[].grants[].{parts[2]}") or parts[2]
        if parts[1] not in ids:
            return f"{_field_zh('projects[].grants')}（{parts[1]}）·{field}"
        from .cashflow import grant_labels  # the 现金流量表's names of the grants, told apart the same way

        return f"{grant_labels(grants, 'zh')[ids.index(parts[1])]}·{field}"
    if head in ("loans", "bonds", "land_returns") and len(parts) == 3:
        element = _by_id(getattr(project, head, ()), parts[1])
        field = _field_zh(f"projects[].{head}[].{parts[2]}") or parts[2]
        name = getattr(element, "name", None)
        if not name:  # the kind of instrument, and its id where the project has several of that kind
            several = len(getattr(project, head, ()) or ()) > 1
            name = (_field_zh(f"projects[].{head}") or head) + (f"（{parts[1]}）" if several else "")
        return f"{name}·{field}"
    if len(parts) == 2:  # a field of a table: operating_costs.growth, investor.equity_wan, tax.rate
        group, field = _field_zh(f"projects[].{head}"), _field_zh(f"projects[].{rest}")
        return f"{group}·{field}" if group and field else None
    return _field_zh(f"projects[].{rest}")

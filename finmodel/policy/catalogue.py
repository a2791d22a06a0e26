"""The cost catalogue (改造内容): every item of 济政办字〔2020〕21号 二(一) and 附件1 with who implements it (三(三)) and
who pays for it (三(五)), as policy data (``cost_catalogue`` in the policy file).

A funding route (``ROUTES``) says whose money an item is:

- ``public``: basic public facilities, 原则上由各级财政负担，各区县政府统筹 — the district's budget and the central,
  provincial and city subsidy pools (切块分配); the only route that counts in an allocation's need;
- ``department``: special renovations (专项改造: 雨污分流, 建筑节能, 公共停车场, 民生服务设施, 智慧社区, …), 由相关部门
  （单位）按照专项改造工作方案筹集 — kept out of the subsidy pools;
- ``utility``: utilities' own work (供水, 供电, 通信网络: the companies 附件2 names) — kept out of the pools;
- ``owners``: 更新屋面、共用排水管道（含化粪池）及加装电梯，由相关房屋所有人自筹资金，可按规定使用住房维修资金;
- ``project``: a line the catalogue does not name item by item (a whole category, a bundle's building work): paid
  from the project's own funding.

Projects name capex items, and plan libraries name missing and planned works, by catalogue code or by a Chinese
alias; ``CostCatalogue.find`` resolves both.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..config import Strict
from ..errors import Invalid

CATEGORIES = ("basic", "utilities", "improvement", "upgrade")
"""基础类公共设施, 基础类专业设施, 完善类, 提升类 (二(一))."""
ROUTES = ("public", "department", "utility", "owners", "project")
"""Funding routes, in the order reports list them."""
IMPLEMENTERS = ("district", "department", "utility", "owners")

Category = Literal["basic", "utilities", "improvement", "upgrade"]
Route = Literal["public", "department", "utility", "owners", "project"]


class CostItem(Strict):
    """One item of the catalogue."""

    name: str = Field(min_length=1)
    """The policy's name for it (整修小区道路 …)."""
    name_en: str = Field(min_length=1)
    category: Category
    whole_category: bool = False
    """The line stands for its whole category (a project's "basic" line), not one item."""
    implementer: Literal["district", "department", "utility", "owners"]
    """Who implements it (三(三)): the district's chosen entity, a city department's, a utility, the owners."""
    implementer_name: str = Field(min_length=1)
    """The implementing entity as the policy names it (市水务局, 国网济南供电公司 …)."""
    route: Route
    """Whose money pays for it (三(五))."""
    payer: str = Field(min_length=1)
    """The paying department, company or party as the policy names it."""
    clause: str = Field(min_length=1)
    yuan_per_m2: Annotated[float, Field(ge=0)] | None = None
    """Unit cost, 元 per m² of floor area; None: not estimated per m² (give the cost in 万元)."""
    in_default_package: bool = False
    """Part of what a community is estimated to get in its category when its library row names no item of it."""
    reward: str | None = None
    """The 以奖代补 item of ``reward_in_lieu`` that rewards it (六(四)), if any."""
    aliases: list[str] = []
    """Other names (Chinese) a table may use for it."""


class CostCatalogue(Strict):
    items: dict[str, CostItem]

    @model_validator(mode="after")
    def _unique_names(self) -> CostCatalogue:
        seen: dict[str, str] = {}
        for code, item in self.items.items():
            for name in (code, item.name, *item.aliases):
                if seen.setdefault(name, code) != code:
                    raise Invalid(f"items: '{name}' names both '{seen[name]}' and '{code}'",
                                  f"items：名称“{name}”同时指“{seen[name]}”和“{code}”")
        if not any(i.category == "basic" and not i.whole_category for i in self.items.values()):
            raise Invalid("items: no basic item (附件1's items are the basic category's)",
                          "items：没有基础类项目（附件1所列项目属于基础类）")
        return self

    def find(self, name: str) -> str | None:
        """The code of the item ``name`` is (its code, its policy name or an alias), or None."""
        if name in self.items:
            return name
        return self._names().get(name)

    def _names(self) -> dict[str, str]:
        # Built per call: the catalogue is small, and a frozen model keeps no cache.
        return {n: code for code, item in self.items.items() for n in (item.name, *item.aliases)}

    def resolve(self, name: str) -> str:
        """The code of ``name``, or a ValueError naming the nearest known name."""
        code = self.find(name)
        if code is None:
            known = [*self.items, *self._names()]
            hint = difflib.get_close_matches(name, known, n=1)
            raise Invalid(f"unknown item '{name}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                      " (the items are those of policy.cost_catalogue)"),
                          f"未知的项目“{name}”" + (f"；是否应为“{hint[0]}”？" if hint else
                                               "（可用项目见 policy.cost_catalogue）"))
        return code

    def codes(self, category: str, *, default_only: bool = False) -> tuple[str, ...]:
        """The single items of a category (not its whole-category line), in catalogue order."""
        return tuple(code for code, item in self.items.items() if item.category == category
                     and not item.whole_category and (item.in_default_package or not default_only))

    def route_of(self, name: str) -> str:
        """The funding route of a capex line: its item's, or ``project`` for a name the catalogue does not know."""
        code = self.find(name)
        return self.items[code].route if code is not None else "project"

    def owner_item(self, name: str) -> str | None:
        """The code of an owners' item (roofs, drains, elevators) ``name`` is, or None."""
        code = self.find(name)
        return code if code is not None and self.items[code].route == "owners" else None


def priced_items(library: pd.DataFrame, catalogue: CostCatalogue) -> pd.DataFrame:
    """The items each community of a library gets, one row per (community, item), with the item's category and
    unit cost (元/m², 0 when the catalogue prices it by amount): its missing basic items (``gaps``), the works it
    lists (``works``) and, for improvement and upgrade work it lists nothing of, that category's default package.
    Utilities are never assumed: a library states which a community needs."""
    items = catalogue.items
    empty = pd.Series([[]] * len(library), index=library.index, dtype=object)
    parts = []
    for column in ("gaps", "works"):
        lists = library[column] if column in library else empty
        counts = np.fromiter((len(row) for row in lists), dtype=int, count=len(lists))  # an empty map is "object"
        parts.append(pd.DataFrame({"community": np.repeat(library.index.to_numpy(), counts),
                                   "item": [code for row in lists for code in row]}))
    listed = pd.concat(parts, ignore_index=True)
    listed["category"] = listed["item"].map(lambda code: items[code].category)
    rows = [listed]
    for category in ("improvement", "upgrade"):
        # Only a priced item stands for the category: an elevator (priced by amount) leaves the package estimated.
        priced = listed["item"].map(lambda code: items[code].yuan_per_m2 is not None)
        named = set(listed.loc[(listed["category"] == category) & priced, "community"])
        missing = [c for c in library.index if c not in named]
        package = catalogue.codes(category, default_only=True)
        rows.append(pd.DataFrame({"community": np.repeat(missing, len(package)),
                                  "item": list(package) * len(missing), "category": category}))
    frame = pd.concat(rows, ignore_index=True)
    frame["yuan_per_m2"] = frame["item"].map(lambda code: items[code].yuan_per_m2 or 0.0).astype(float)
    return frame


def category_estimates(library: pd.DataFrame, catalogue: CostCatalogue) -> pd.DataFrame:
    """(communities × categories) cost estimated from the catalogue's unit costs, 万元: floor area × the sum of
    the unit costs of the items ``priced_items`` gives it."""
    rates = priced_items(library, catalogue).groupby(["community", "category"])["yuan_per_m2"].sum().unstack(
        fill_value=0.0).reindex(index=library.index, columns=list(CATEGORIES), fill_value=0.0)
    return rates.mul(library["floor_area_m2"].to_numpy(dtype=float), axis=0) / 1e4


def item_costs(library: pd.DataFrame, catalogue: CostCatalogue) -> pd.DataFrame:
    """Each community's cost by catalogue item, 万元: one row per (community, item) with its category, route and
    payer. The items are ``priced_items``'; each category's are scaled to the community's cost of that category
    (``cost_<category>_wan``), so that the rows add up to the library's costs; a cost no priced item can carry is
    its category's whole-category line. 三供一业 dormitories' basic items take the route ``three_supplies``
    (三(五): 按照相关政策筹集改造资金)."""
    items = catalogue.items
    frame = priced_items(library, catalogue)
    position = pd.Series(np.arange(len(library)), index=library.index)
    area = library["floor_area_m2"].to_numpy(dtype=float)
    frame["estimate_wan"] = area[position[frame["community"]].to_numpy()] * frame.pop("yuan_per_m2").to_numpy() / 1e4
    totals = library.reindex(columns=[f"cost_{c}_wan" for c in CATEGORIES]).set_axis(list(CATEGORIES), axis=1)
    wanted = pd.Series(totals.to_numpy(dtype=float).ravel(),
                       index=pd.MultiIndex.from_product([library.index, CATEGORIES], names=["community", "category"]))
    wanted = wanted[wanted.notna()]  # NaN: no cost given, the estimate stands
    estimated = frame.groupby(["community", "category"])["estimate_wan"].sum().reindex(wanted.index, fill_value=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = pd.Series(np.where(estimated > 0, wanted / estimated.where(estimated > 0, 1.0), np.nan),
                          index=wanted.index)
    key = pd.MultiIndex.from_frame(frame[["community", "category"]])
    frame["cost_wan"] = frame["estimate_wan"].to_numpy() * scale.reindex(key).fillna(1.0).where(
        ~key.isin(scale.index[scale.isna()]), 0.0).to_numpy()
    unpriced = scale.index[scale.isna() & (wanted != 0)]
    whole = {item.category: code for code, item in items.items() if item.whole_category}
    if len(unpriced):
        frame = pd.concat([frame, pd.DataFrame({
            "community": unpriced.get_level_values(0), "category": unpriced.get_level_values(1),
            "item": [whole.get(c, "") for c in unpriced.get_level_values(1)], "estimate_wan": 0.0,
            "cost_wan": wanted[unpriced].to_numpy()})], ignore_index=True)
    missing_line = frame["item"] == ""
    if missing_line.any():
        category = frame.loc[missing_line, "category"].iloc[0]
        raise Invalid(f"the catalogue has no whole-category line for '{category}' to carry a cost no item prices",
                      f"改造内容目录中没有“{category}”类的整类条目，无法计入没有项目单价可对应的费用")
    frame = frame[frame["cost_wan"] != 0].drop(columns="estimate_wan")
    frame["route"] = frame["item"].map(lambda code: items[code].route)
    frame["payer"] = frame["item"].map(lambda code: items[code].payer)
    if "three_supplies" in library:
        dormitory = library["three_supplies"].reindex(frame["community"]).to_numpy(dtype=bool)
        basic = (frame["category"] == "basic").to_numpy()
        frame.loc[dormitory & basic, "route"] = "three_supplies"
        frame.loc[dormitory & basic, "payer"] = "原产权单位及“三供一业”政策资金"
    order = {code: k for k, code in enumerate(items)}
    frame = frame.assign(_c=position[frame["community"]].to_numpy(), _i=frame["item"].map(order))
    return frame.sort_values(["_c", "_i"], kind="stable").drop(columns=["_c", "_i"]).reset_index(drop=True)

"""Who implements and who pays each item (济政办字〔2020〕21号 二(一), 三(三), 三(五), 附件1): the cost catalogue as
policy data, the library's costs split by funding route, the plan's 资金来源, and special renovations in projects
paid by their departments and kept out of the subsidy pools. Every figure is worked by hand from the catalogue's
unit costs."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

import finmodel as fm
from finmodel.cli import main
from finmodel.errors import InputError
from finmodel.modes.routes import investment_by_route, sources_by_year
from finmodel.planning import funding
from finmodel.planning.scenario import LibrarySpec, read_library
from finmodel.policy.catalogue import item_costs
from finmodel.policy.eligibility import eligibility
from finmodel.policy.params import load_policy

from .conftest import ROOT

PLAN = ROOT / "scenarios" / "jinan-plan-2021.toml"
SPECIAL = ROOT / "scenarios" / "projects" / "special-renovation-2024.toml"
HEADER = ("id,name,district,year_built,land_type,households,buildings,floor_area_m2,prior_year,prior_plan,"
          "consent_share,gaps,works,cost_basic_wan,three_supplies\n")


@pytest.fixture(scope="module")
def policy():
    return load_policy(2021)


@pytest.fixture(scope="module")
def catalogue(policy):
    return policy.entry("cost_catalogue").value


def _library(tmp_path, policy, rows: str):
    path = tmp_path / "library.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return read_library(path, LibrarySpec(table=path.name), policy)


def test_the_catalogue_holds_every_item_of_the_policy(catalogue):
    assert len(catalogue.codes("basic")) == 16  # 附件1
    assert set(catalogue.codes("utilities")) == {"water", "power", "gas", "heating", "telecom", "rain_sewage"}
    assert catalogue.find("整修小区道路") == catalogue.find("小区道路") == "roads"
    routes = {name: catalogue.route_of(name) for name in ("roads", "雨污分流", "供水", "屋面", "化粪池", "电梯", "建筑节能",
                                                          "basic", "完善类", "building")}
    assert routes == {"roads": "public", "雨污分流": "department", "供水": "utility", "屋面": "owners", "化粪池": "owners",
                      "电梯": "owners", "建筑节能": "department", "basic": "public", "完善类": "project",
                      "building": "project"}
    # 六(四): 水电气暖、通信网络 and the owners' roofs and drains are rewarded instead of subsidised.
    assert {c for c, i in catalogue.items.items() if i.reward} == {"water", "power", "gas", "heating", "telecom",
                                                                   "roofs", "drains"}


def test_a_communitys_costs_go_to_who_pays_them(tmp_path, policy):
    # 10,000 m²; roads 60 + greening 20 元/m² of basic work; water 30 (the water group) and rain-sewage 45 (the water
    # bureau); no improvement or upgrade item named, so each category's default package:
    #   improvement 150 元/m²: departments 60 + 20 + 15 + 10 + 5 = 110, district 5 (barrier-free), owners 25 + 10 = 35;
    #   upgrade 80 元/m²: departments 25 + 10 + 10 + 5 + 10 + 10 = 70, district 5 (emergency), utility 5 (lockers).
    library = _library(tmp_path, policy, "A,甲小区,历下区,1995,state_owned,100,4,10000,,,0.9,"
                                         "整修小区道路;greening,供水;雨污分流,,\n")
    assert library.loc["A", ["cost_basic_wan", "cost_utilities_wan", "cost_improvement_wan", "cost_upgrade_wan"]
                       ].tolist() == [80, 75, 150, 80]
    costs = item_costs(library, policy.entry("cost_catalogue").value)
    by_route = costs.groupby("route")["cost_wan"].sum()
    assert by_route.to_dict() == pytest.approx({"public": 80 + 5 + 5, "department": 45 + 110 + 70,
                                                "utility": 30 + 5, "owners": 35})
    assert costs.set_index("item").at["rain_sewage", "payer"] == "雨污分流专项资金（市水务局）"


def test_a_given_cost_is_spread_over_its_items_and_a_dormitory_pays_its_own(tmp_path, policy):
    # B: facades (90 元/m²) and walls (12) on 5,000 m² estimate 51; the library says 68, so each item gets 68 × its
    # share: facades 60, walls 8. B is a 三供一业 dormitory: its basic work is that policy's, not the budgets'.
    library = _library(tmp_path, policy, "B,乙宿舍,市中区,1990,state_owned,60,2,5000,,,0.9,facades;walls,,68,1\n")
    costs = item_costs(library, policy.entry("cost_catalogue").value).set_index("item")
    assert costs.at["facades", "cost_wan"] == pytest.approx(60) and costs.at["walls", "cost_wan"] == pytest.approx(8)
    assert set(costs.loc[["facades", "walls"], "route"]) == {"three_supplies"}
    assert costs.at["energy_saving", "route"] == "department"  # its other work keeps its route


def test_an_item_of_the_wrong_category_is_named(tmp_path, policy):
    with pytest.raises(InputError, match="'供水' is not a basic item of 附件1") as info:
        _library(tmp_path, policy, "C,丙小区,历下区,1995,state_owned,100,4,10000,,,0.9,roads;供水,,,\n")
    assert "row 2" in str(info.value) or "第 2 行" in str(info.value) or ":2" in str(info.value)


def test_the_librarys_costs_split_by_payer_add_up_to_its_totals():
    scenario = fm.load_plan_scenario(PLAN)
    library = scenario.library
    costs = item_costs(library, scenario.policy.entry("cost_catalogue").value)
    totals = library[["cost_basic_wan", "cost_utilities_wan", "cost_improvement_wan", "cost_upgrade_wan"]]
    assert costs["cost_wan"].sum() == pytest.approx(totals.to_numpy().sum(), rel=1e-12)
    per_community = costs.groupby("community")["cost_wan"].sum().reindex(library.index, fill_value=0.0)
    assert (per_community - totals.sum(axis=1)).abs().max() < 1e-9
    assert set(costs["route"]) == {"public", "department", "utility", "owners"}


def test_the_jinan_plan_reports_money_by_payer(tmp_path):
    result = fm.plan(fm.load_plan_scenario(PLAN))
    table = result.funding_by_route()
    basic = result.funding[(result.funding["category"] == "basic") & (result.funding["group"] == "plan")]
    # Basic public facilities are what the plan spends its budgets on: equal, year by year, to 年度计划表's cost.
    planned = result.annual.groupby("year")["cost_wan"].sum()
    assert (basic.groupby("year")["cost_wan"].sum() - planned).abs().max() < 1e-6
    assert (basic["route"] == "public").all()
    chosen = result.communities[result.communities["planned_year"] > 0]
    assert table[[str(y) for y in result.scenario.config.plan.years]].to_numpy().sum() == pytest.approx(
        chosen[["cost_basic_wan", "cost_utilities_wan", "cost_improvement_wan", "cost_upgrade_wan"]].to_numpy().sum())
    out = tmp_path / "out"
    assert main(["run", str(PLAN), "--out", str(out), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(out / "plan.xlsx")["资金来源"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row[0]}
    printed = rows["合计"][-1]
    assert printed == pytest.approx(table.round(2).to_numpy().sum(), abs=0.005)


def test_special_only_and_three_supplies_communities_stand_apart(tmp_path, policy):
    # D: renovated under the provincial plan in 2018, so special renovation only (三(四)): its utilities and other
    # work are costed and routed, its basic work is not. E: a 三供一业 dormitory, out of the plan.
    library = _library(tmp_path, policy,
                       "D,丁小区,历下区,1995,state_owned,100,4,10000,2018,provincial,0.9,roads,供热,,\n"
                       "E,戊宿舍,历下区,1990,state_owned,80,3,8000,,,0.9,roads,,,1\n")
    verdicts = eligibility(library, policy)
    communities = library.assign(planned_year=0).join(verdicts[["eligible", "special_only"]])
    assert bool(communities.at["D", "special_only"]) and not communities.at["E", "eligible"]
    money = funding(communities, policy)
    special = money[money["group"] == "special_only"]
    assert "basic" not in set(special["category"])
    assert special.set_index("item").at["heating", "cost_wan"] == pytest.approx(40)  # 40 元/m² × 10,000 m²
    assert special["cost_wan"].sum() == pytest.approx(40 + 150 + 80)
    dormitory = money[money["group"] == "three_supplies"].set_index("item")
    assert dormitory.at["roads", "route"] == "three_supplies" and dormitory.at["roads", "cost_wan"] == pytest.approx(48)


def test_a_special_renovation_is_its_departments_and_never_the_pools():
    scenario = fm.load_project_scenario(SPECIAL)
    result = fm.evaluate(scenario)
    checks = fm.check_modes(result).rule_checks.set_index(["rule", "item"])
    assert checks.loc[("special_funded", "雨污分流"), "given"] == pytest.approx(135)
    assert checks.loc[("special_funded", "供水"), "given"] == pytest.approx(90)
    assert checks["passed"].all()
    routes = investment_by_route(result, scenario.policy.entry("cost_catalogue").value).sum(axis=1)
    assert routes.groupby(level="route").sum().to_dict() == pytest.approx(
        {"public": 870, "department": 135, "utility": 90, "owners": 120})
    sources = sources_by_year(result).sum(axis=1)
    assert sources["grant:departments"] == pytest.approx(135) and sources["grant:utilities"] == pytest.approx(90)


def test_pool_money_on_a_special_renovation_fails(tmp_path):
    text = SPECIAL.read_text(encoding="utf-8").replace('party = "departments"', 'party = "city"')
    path = tmp_path / "special.toml"
    path.write_text(text, encoding="utf-8")
    modes = fm.check_modes(fm.evaluate(fm.load_project_scenario(path)))
    checks = modes.rule_checks.set_index(["rule", "item"])
    assert checks.loc[("special_not_from_pools", "雨污分流"), "excess_wan"] == pytest.approx(135)
    assert not checks.loc[("special_funded", "雨污分流"), "passed"]
    assert not bool(modes.units.iloc[0]["rules_ok"])


@pytest.mark.parametrize("applied, passes", [(True, True), (False, False)])
def test_central_money_the_entity_applied_for_may_fund_a_special_renovation(tmp_path, applied, passes):
    # 六(四): the special renovations' entities apply for 中央预算内投资 themselves. The water bureau's 135 for 雨污分流
    # split into its own 60 and 75 of central investment it applied for: funded in full and no pool money, passed;
    # the same 75 of central money without the flag is the pools', and fails by 75.
    text = SPECIAL.read_text(encoding="utf-8").replace(
        'party = "departments"\namount_wan = 135 ',
        'party = "departments"\namount_wan = 60 ').replace(
        '[[projects.grants]]\nid = "water-group"',
        '[[projects.grants]]\nid = "central-investment"\nparty = "central"\namount_wan = 75\nitems = ["雨污分流"]\n'
        f'outside_pools = {str(applied).lower()}\n[[projects.grants]]\nid = "water-group"')
    path = tmp_path / "special.toml"
    path.write_text(text, encoding="utf-8")
    checks = fm.check_modes(fm.evaluate(fm.load_project_scenario(path))).rule_checks.set_index(["rule", "item"])
    assert checks.loc[("special_funded", "雨污分流"), "given"] == pytest.approx(135 if applied else 60)
    assert checks.loc[("special_not_from_pools", "雨污分流"), "excess_wan"] == pytest.approx(0 if applied else 75)
    assert bool(checks.loc[("special_funded", "雨污分流"), "passed"]) is passes
    assert bool(checks.loc[("special_not_from_pools", "雨污分流"), "passed"]) is passes


def test_only_central_or_provincial_money_is_applied_for_outside_the_pools(tmp_path):
    text = SPECIAL.read_text(encoding="utf-8").replace('party = "departments"\n', 'party = "departments"\noutside_pools = true\n')
    path = tmp_path / "special.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(fm.InputError, match="outside_pools is for central or provincial money"):
        fm.load_project_scenario(path)


def test_the_project_workbook_shows_who_pays(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(SPECIAL), "--out", str(out), "--quiet"]) == 0
    book = openpyxl.load_workbook(out / "cashflow.xlsx")
    rows = [row for row in book["资金来源"].iter_rows(values_only=True)]
    payers = {row[1]: row[-1] for row in rows if row[1]}
    assert payers["雨污分流专项资金（市水务局）"] == pytest.approx(135)
    assert payers["市水务集团"] == pytest.approx(90)
    assert {row[0] for row in book["改造内容"].iter_rows(min_row=4, values_only=True)} == {
        "basic", "rain_sewage", "water", "roofs"}
    assert pd.notna(rows[0][0])


def _roof_subsidy(tmp_path, city: float, fund: float):
    """The special-renovation example with the city adding ``city`` to the residents' 84 for the roof (六(三)) and
    the maintenance fund giving ``fund`` instead of 36."""
    text = SPECIAL.read_text(encoding="utf-8").replace("amount_wan = 36", f"amount_wan = {fund}")
    text += f'[[projects.grants]]\nid = "roof-subsidy"\nparty = "city"\namount_wan = {city}\nitems = ["屋面"]\n'
    path = tmp_path / "roof.toml"
    path.write_text(text, encoding="utf-8")
    return fm.check_modes(fm.evaluate(fm.load_project_scenario(path))).rule_checks.set_index(["rule", "item"])


def test_residents_money_on_a_roof_draws_a_capped_subsidy(tmp_path):
    # 六(三): at most 30 % of the residents' 84 (25.2) and 0.1 万元 × 420 households (42): 25.2. The city's 20 is
    # within it and, with the residents' 84 and the fund's 16, pays the roof's 120.
    checks = _roof_subsidy(tmp_path, city=20, fund=16)
    row = checks.loc[("cofunding_subsidy_cap", "屋面")]
    assert (row["required"], row["given"], bool(row["passed"])) == (pytest.approx(25.2), 20, True)
    assert checks.loc[("owners_pay", "屋面"), "given"] == pytest.approx(120) and checks["passed"].all()


def test_a_subsidy_above_the_cap_fails_and_counts_only_to_the_cap(tmp_path):
    checks = _roof_subsidy(tmp_path, city=30, fund=6)  # 84 + 6 + min(30, 25.2) = 115.2 < 120
    row = checks.loc[("cofunding_subsidy_cap", "屋面")]
    assert row["excess_wan"] == pytest.approx(4.8) and not row["passed"]
    owners = checks.loc[("owners_pay", "屋面")]
    assert owners["given"] == pytest.approx(115.2) and not owners["passed"]


def test_the_catalogue_is_a_sheet_of_its_own_not_a_cell_of_parameters(tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(SPECIAL), "--out", str(out), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(out / "cashflow.xlsx")["参数"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "cost_catalogue")
    assert row[1].startswith("共 43 项，逐项见“改造内容”工作表")
    assert max(d.height or 0 for d in sheet.row_dimensions.values()) <= 409  # Excel's highest row


def _jinan_with_exclusions(tmp_path, three_supplies: dict[str, float], special: dict[str, float]):
    """The bundled Jinan allocation with columns of 三供一业 and special-renovation money inside the need."""
    import csv
    import io
    import shutil

    folder = tmp_path / "jinan"
    shutil.copytree(ROOT / "scenarios" / "data", folder / "data")
    source = (ROOT / "scenarios" / "data" / "jinan-2023-districts.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(source)))
    rows[0] += ["three_supplies_wan", "special_wan"]
    for row in rows[1:]:
        row += [f"{three_supplies.get(row[0], 0):.2f}", f"{special.get(row[0], 0):.2f}"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / "data" / "jinan-2023-districts.csv").write_text(out.getvalue(), encoding="utf-8")
    text = (ROOT / "scenarios" / "jinan-2023.toml").read_text(encoding="utf-8").replace(
        'total = "need_wan"\n',
        'total = "need_wan"\nexcluded = { three_supplies = "three_supplies_wan", special = "special_wan" }\n', 1)
    (folder / "jinan-2023.toml").write_text(text, encoding="utf-8")
    return folder / "jinan-2023.toml"


def test_an_allocation_keeps_dormitories_and_special_renovations_out_of_the_need(tmp_path):
    # 商河县's need, 8,079.75 万元, binds; 1,200 of it is 三供一业 dormitories' and 300 special renovation: the
    # pools may pay 8,079.75 − 1,200 − 300 = 6,579.75, and the 1,500 goes to the others, the total kept.
    path = _jinan_with_exclusions(tmp_path, {"商河县": 1200}, {"商河县": 300, "历下区": 300})
    result = fm.allocate(fm.load_scenario(path))
    totals = result.amount_units.loc[result.districts].sum(axis=1)
    assert totals["商河县"] == 657_975
    assert int(totals.sum()) == 8_000_000
    plain = fm.allocate(fm.load_scenario(ROOT / "scenarios" / "jinan-2023.toml")).amount_units
    assert int(plain.loc["商河县"].sum()) == 807_975
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(out / "allocation.xlsx")["补助需求"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "商河县")
    assert row[2:] == (8079.75, 1200, 300, 6579.75, 6579.75)


def test_more_excluded_than_needed_is_refused_before_solving(tmp_path, capsys):
    path = _jinan_with_exclusions(tmp_path, {"章丘区": 500}, {"章丘区": 100})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "章丘区" in err and "600.00" in err and "538.65" in err
    assert not (tmp_path / "out").exists()


def test_an_item_priced_by_amount_leaves_its_category_estimated(tmp_path, policy):
    # 加装电梯 has no 元/m² (an elevator is priced by amount): naming it keeps the improvement default package, 150.
    library = _library(tmp_path, policy, "F,己小区,历下区,1995,state_owned,100,4,10000,,,0.9,roads,供水;加装电梯,,\n")
    assert library.at["F", "cost_improvement_wan"] == pytest.approx(150)


def test_excluding_the_need_column_itself_or_one_column_twice_is_refused(tmp_path):
    path = _jinan_with_exclusions(tmp_path, {}, {})
    for excluded, message in (('{ three_supplies = "need_wan" }', "names the need column 'need_wan' itself"),
                              ('{ three_supplies = "special_wan", special = "special_wan" }', "one column twice")):
        text = path.read_text(encoding="utf-8").replace(
            '{ three_supplies = "three_supplies_wan", special = "special_wan" }', excluded)
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            fm.load_scenario(path)
        path.write_text(text.replace(excluded, '{ three_supplies = "three_supplies_wan", special = "special_wan" }'),
                        encoding="utf-8")


def test_the_money_in_counts_social_capital_and_land_returns():
    social = fm.evaluate(fm.load_project_scenario(ROOT / "scenarios" / "projects" / "social-capital-2024.toml"))
    assert sources_by_year(social).sum(axis=1)["investor"] == pytest.approx(1200)
    land = fm.evaluate(fm.load_project_scenario(ROOT / "scenarios" / "projects" / "land-return-2024.toml"))
    assert sources_by_year(land).sum(axis=1)["land_returns"] == pytest.approx(1800)

"""The columns of the tables a scenario reads, as the input templates (``finmodel template``) lay them out: each
column's key, its headers in Chinese and English with the unit, what it means, the values it takes and an example.

A table may name a column by its key or by either header: ``read_table`` reads the headers to keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    """Chinese header, with the unit (as the bureau's tables write it)."""
    en: str
    meaning: str
    """What the column holds (Chinese, for the 说明 sheet)."""
    kind: str = "number"
    """text, whole (a count or a year), number (≥ 0), share (0 to 1), score (0 to 100), rate (a decimal), choice
    (``choices``)."""
    example: object = None
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    """Sheet name in the template (Chinese)."""
    name_en: str
    scenario_key: str
    """Where the scenario names the table (``districts.table``)."""
    columns: tuple[Column, ...]


LAND = ("state_owned", "collective", "other")
PRIOR = ("provincial", "city", "district")
KINDS = ("old_community", "old_town", "shanty", "old_factory", "urban_village", "dangerous_housing",
         "building_conversion", "city_project")

DISTRICTS = Table("区县数据", "Districts", "districts.table", (
    Column("district", "区县", "District / county", "区县名称（每个区县一行）", "text", "历下区", required=True),
    Column("communities", "改造小区数（个）", "Communities", "计划改造的小区个数", "whole", 226),
    Column("buildings", "改造楼栋数（栋）", "Buildings", "计划改造的楼栋数", "whole", 1276),
    Column("households", "改造户数（户）", "Households", "计划改造户数", "whole", 56525),
    Column("floor_area_m2", "改造面积（平方米）", "Floor area (m²)", "计划改造建筑面积", "number", 4025900),
    Column("investment_wan", "改造投资（万元）", "Investment (10k yuan)", "计划改造投资", "number", 120777),
    Column("performance_score", "绩效评价得分（分）", "Performance score", "上年度绩效评价得分，0—100", "score", 92),
    Column("budget_revenue_wan", "一般公共预算收入（万元）", "Budget revenue (10k yuan)",
           "一般公共预算收入，用于财政困难系数", "number", 1305958),
    Column("budget_expenditure_wan", "一般公共预算支出（万元）", "Budget expenditure (10k yuan)",
           "一般公共预算支出，用于财政困难系数和配套能力", "number", 562324),
    Column("fiscal_capacity_ratio", "财力系数（倍）", "Fiscal capacity ratio", "收入÷支出；给出时不再由收支计算", "number",
           2.3224),
    Column("need_wan", "资金需求（万元）", "Need (10k yuan)", "基础类设施改造由财政承担的资金需求，分配上限", "number",
           54349.65),
    Column("last_year_wan", "上年分配额（万元）", "Last year's allocation (10k yuan)", "上年分配额，用于保底规则", "number",
           30000),
    Column("estimated_fields", "估算字段", "Estimated fields", "哪些列为估算值（以分号分隔的键）", "text",
           "investment_wan;need_wan"),
    Column("source", "资料来源", "Source", "数据来源说明", "text", "2023年计划"),
))

LIBRARY = Table("小区库", "Community library", "library.table", (
    Column("id", "小区编号", "Id", "小区编号（字母、数字、_ 或 -）", "text", "JN00001", required=True),
    Column("name", "小区名称", "Name", "小区名称", "text", "历下老旧小区00001", required=True),
    Column("district", "区县", "District / county", "所在区县，与预算表一致", "text", "历下区", required=True),
    Column("year_built", "建成年份", "Year built", "建成年份（2005年及以前可纳入）", "whole", 1985, required=True),
    Column("land_type", "土地性质", "Land type", "state_owned 国有土地、collective 集体土地、other 其他", "choice",
           "state_owned", LAND, required=True),
    Column("households", "户数（户）", "Households", "小区户数", "whole", 180, required=True),
    Column("buildings", "楼栋数（栋）", "Buildings", "楼栋数", "whole", 4, required=True),
    Column("floor_area_m2", "建筑面积（平方米）", "Floor area (m²)", "建筑面积", "number", 11690, required=True),
    Column("prior_year", "已列入年度", "Prior year", "已列入改造计划的年度，未列入留空", "whole", None),
    Column("prior_plan", "已列入的计划", "Prior plan", "provincial 省级、city 市级、district 区级，未列入留空", "choice",
           None, PRIOR),
    Column("consent_share", "居民同意比例", "Consent share", "同意改造的居民比例，0—1", "share", 0.81, required=True),
    Column("gaps", "设施欠账", "Gaps", "缺少的基础类设施，以分号分隔，代码或名称均可（roads 或 整修小区道路 等，见 README）",
           "text", "public_space;signage;greening", required=True),
    Column("works", "专项及完善、提升类改造内容", "Other works",
           "需要的专业设施改造及完善类、提升类内容，以分号分隔，代码或名称均可（如 供水;雨污分流;加装电梯）；"
           "未列完善类、提升类内容的按政策默认内容估算，专业设施须列明", "text", "water;rain_sewage"),
    Column("cost_basic_wan", "基础类改造投资（万元）", "Basic-works cost (10k yuan)", "留空则按政策单位造价估算",
           "number", None),
    Column("cost_utilities_wan", "专业设施改造投资（万元）", "Utilities cost (10k yuan)", "留空则按政策单位造价估算",
           "number", None),
    Column("cost_improvement_wan", "完善类改造投资（万元）", "Improvement cost (10k yuan)", "留空则按政策单位造价估算",
           "number", None),
    Column("cost_upgrade_wan", "提升类改造投资（万元）", "Upgrade cost (10k yuan)", "留空则按政策单位造价估算", "number",
           None),
    Column("three_supplies", "“三供一业”宿舍区", "三供一业 dormitory",
           "1 为已纳入“三供一业”改造的国有企业宿舍区（不列入计划，按该政策筹资），否则留空", "whole", None),
    Column("plan_2023", "列入2023年计划", "In the 2023 plan", "是否列入2023年计划（1 是、0 否），仅作说明", "whole", 1),
))

BUDGETS = Table("年度预算", "Budgets", "budgets.table", (
    Column("district", "区县", "District / county", "区县名称", "text", "历下区", required=True),
    Column("year", "年度", "Year", "预算年度", "whole", 2021, required=True),
    Column("budget_wan", "可用资金（万元）", "Budget (10k yuan)", "当年可用于基础类设施改造计划的资金（分配额加自有资金）",
           "number", 15177.64, required=True),
))

PROJECTS = Table("项目表", "Projects", "project_table.table", (
    Column("id", "项目编号", "Id", "项目编号（字母、数字、_ 或 -）", "text", "P02", required=True),
    Column("name", "项目名称", "Name", "项目名称", "text", "西片小区02"),
    Column("kind", "项目类型", "Kind", "old_community 老旧小区、old_town 旧城区、shanty 棚户区等", "choice", None, KINDS),
    Column("area", "所在片区", "Area", "所在片区（同一片区的项目相邻）", "text", "西片区"),
    Column("mode", "资金平衡模式", "Funding mode",
           "单独检验的模式：in_community 小区内自求平衡、multi_source 政府引导的多元化投入；留空则不单独检验", "choice", None,
           ("in_community", "multi_source")),
    Column("performance_score", "绩效评价得分（分）", "Performance score", "绩效评价得分，0—100，决定以奖代补的等级",
           "score", None),
    Column("households", "改造户数（户）", "Households", "改造户数", "whole", 900),
    Column("floor_area_m2", "改造面积（平方米）", "Floor area (m²)", "改造面积", "number", 60300),
    Column("construction_delay_years", "工程延误（年）", "Construction delay (years)", "工程延误年数，0 为按期",
           "whole", None),
    Column("capex.items_wan.basic", "基础类投资（万元）", "Basic works (10k yuan)", "基础类改造投资", "number", 1688.4),
    Column("capex.items_wan.improvement", "完善类投资（万元）", "Improvement (10k yuan)", "完善类改造投资", "number",
           723.6),
    Column("capex.items_wan.upgrade", "提升类投资（万元）", "Upgrade (10k yuan)", "提升类改造投资", "number", None),
    Column("capex.items_wan.building", "建设投资（万元）", "Building works (10k yuan)", "片区项目的建设投资", "number",
           None),
    Column("equity_wan", "项目资本金（万元）", "Equity (10k yuan)", "项目资本金", "number", 1200),
    Column("grants.central.amount_wan", "中央补助（万元）", "Central subsidy (10k yuan)", "中央财政补助", "number", 796),
    Column("grants.city.amount_wan", "市级补助（万元）", "City subsidy (10k yuan)", "市级财政补助", "number", 416),
    Column("loans.bank.principal_wan", "银行贷款（万元）", "Bank loan (10k yuan)", "银行贷款本金", "number", None),
    Column("loans.bank.rate", "贷款利率", "Loan rate", "银行贷款年利率（小数，如 0.0345）", "rate", None),
    Column("income.parking.spaces", "停车位（个）", "Parking spaces", "停车位数", "whole", 226),
    Column("income.parking.fee_yuan_per_month", "停车月租金（元/个·月）", "Parking fee (yuan a month)", "停车月租金",
           "number", None),
    Column("income.parking.occupancy", "停车位使用率", "Parking occupancy", "停车位使用率，0—1", "share", None),
    Column("income.rent.area_m2", "出租面积（平方米）", "Rented area (m²)", "出租面积", "number", None),
    Column("income.rent.rent_yuan_per_m2_month", "租金（元/平方米·月）", "Rent (yuan per m² a month)", "月租金",
           "number", None),
    Column("income.rent.occupancy", "出租率", "Rent occupancy", "出租率，0—1", "share", None),
))

KIND_TABLES = {"allocation": (DISTRICTS,), "projects": (PROJECTS,), "plan": (LIBRARY, BUDGETS)}


@cache
def header_keys() -> dict[str, str]:
    """Every header a template writes (Chinese and English) → the column's key, for reading tables back."""
    keys: dict[str, str] = {}
    for tables in KIND_TABLES.values():
        for table in tables:
            for column in table.columns:
                keys.setdefault(column.zh, column.key)
                keys.setdefault(column.en, column.key)
    return keys


EXAMPLE_MARKS = ("示例", "Example")
"""The first cell of a template's example row: the row is not read."""

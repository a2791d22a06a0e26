"""The Chinese descriptions of the scenario reference (``docs/scenario-reference.md``), by kind and dotted key.

The reference is read by a municipal finance bureau's staff in Chinese and by analysts in English. The English
descriptions are the schemas' docstrings; these say the same in the bureau's terms, with the policy's clause
numbers (一(二) …) and units kept. ``finmodel schema`` stops with the missing keys named when a field has no entry
here, and a test fails on an entry whose key the reference no longer shows.
"""

from __future__ import annotations

_KIND = "情景类型，文件的第一个键（见 `finmodel/kinds.py`）；缺少时按文件中的表识别类型，并提示补上"
_SHEET = "XLSX 文件的工作表（默认第一个）"
_SHORT_ID = "简称，在本项目内唯一"
_SOLVER = "求解器：highs 或 cbc"
_TIME_LIMIT = "求解时限，秒"


def _policy(default_day: str, example: str) -> str:
    return (f"本次运行的政策参数（[policy]）：`as_of`（读取政策的日期，默认{default_day}）、`file`（另一政策文件），"
            f"以及按键名设置的任一政策值（{example}）。详见 docs/scenario-reference.md")


_ALLOCATION = {
    "kind": _KIND,
    "scenario": "分配方案基本信息：名称、年度、排列顺序、编制单位",
    "scenario.name": "分配方案名称，用作工作簿标题（如：济南市2023年老旧小区改造补助资金分配）",
    "scenario.year": "预算年度",
    "scenario.order": "报表中各单位的排列顺序；默认按济南市官方顺序，其余按表中顺序",
    "scenario.prepared_by": "编制单位，印在工作簿落款处",
    "districts": "区县数据表",
    "districts.table": "CSV 或 XLSX 文件，路径相对于情景文件；每个区县一行",
    "districts.key": "单位名称所在列（名称不得重复）",
    "districts.sheet": _SHEET,
    "districts.plan": ("表示单位有改造任务的列（大于0即有）。各项资金按改造任务切块（三(五)），无任务的单位从任何因素"
                       "（含绩效和财政能力）均不得资金，除非设 `allow_no_plan`。取 None 时不适用此规则；取默认值而"
                       "表中无此列时亦不适用"),
    "districts.allow_no_plan": "允许无改造任务的单位仍按其各因素取得份额；合规检查列出这些单位",
    "difficulty": "按财政自给率分档推算财政困难程度系数，用于未提供该系数的数据表",
    "difficulty.column": "推算所得系数的名称，供各项资金的 `difficulty` 键引用",
    "difficulty.revenue": "财政收入列；财政自给率 = 收入 ÷ 支出",
    "difficulty.expenditure": "财政支出列",
    "difficulty.tiers": "自给率最低、中间、最高三分之一的系数（默认取政策 `difficulty_tiers`）",
    "difficulty.source": "分档系数的来源（默认取该政策值的来源）",
    "performance": "由各项指标得分计算各单位绩效评价总分（绩效评价），用于数据表中没有总分的情形",
    "performance.table": "指标得分表（CSV 或 XLSX，相对情景文件）：每个单位一行，每项指标一列，各为0–100分",
    "performance.key": "单位名称列（与区县表一致）",
    "performance.sheet": "XLSX 表的工作表名（默认第一张）",
    "performance.column": "总分提供给各项资金时的列名（供 `[pools.performance] score` 引用）；区县表中不得已有同名列",
    "performance.weights": "指标列 → 在总分中的权重（合计为1）；默认取政策 `performance_indicators`",
    "performance.source": "指标得分的来源",
    "pools": "各项补助资金（中央、省级、市级……），各自在区县间切块分配",
    "pools[].id": "ASCII 标识（`central`、`provincial`、`city`……），供 `--set pools.<id>.…` 使用",
    "pools[].label": "资金的中文名称，用作审批表的列标题",
    "pools[].label_en": "资金的英文名称（默认用 id）",
    "pools[].amount_wan": ("待分配金额，万元，至多两位小数且不超过 `MAX_AMOUNT_WAN`；按所写十进制文本读取，"
                           "任何规模均精确到0.01万元"),
    "pools[].amount_source": "金额来源",
    "pools[].weights": "各因素权重，按区县表的列名；合计为1",
    "pools[].weights_source": "权重来源",
    "pools[].difficulty": "计算份额前乘入每个数量因素的列（财政困难程度系数）",
    "pools[].inverse": "越小得越多的因素：份额按 1/x 计算（如财政能力）",
    "pools[].unweighted": "不乘财政困难程度系数的因素",
    "pools[].priority": ("多项资金争用相同单位的可接受额度（其上限合计低于资金额）时，编号小的先安排，未能安排的差额"
                         "落在后安排的资金上（默认按 [[pools]] 顺序，编号相同时保持该顺序）；调整说明列出该顺序"),
    "pools[].eligible": "该项资金可支付的支出类别（`allocation.need.by_category` 的键）；默认全部",
    "pools[].inverse_by": "加权逆向因素的任务量列（如改造户数）：调整值 = 任务量 ÷ 原值，使财政能力因素按任务量发挥作用",
    "pools[].performance": "绩效作用于任务量的方式；不设时，权重中的绩效得分为独立因素（财综〔2019〕31号的做法）",
    "pools[].performance.form": "coefficient：绩效等级系数乘入各数量因素；reward_slice：按比例划出奖励部分，按绩效系数 × 任务量分配",
    "pools[].performance.score": "各单位绩效评价得分所在列（0–100），按分数线评定优/良/合格/差",
    "pools[].performance.reward_share": "reward_slice：按绩效分配的资金比例（中央2024年办法为20%）",
    "pools[].performance.volume": "reward_slice：与绩效系数相乘的任务量列（默认改造户数）",
    "allocation": "分配线性规划（需求、可用类别、地方配套、保障约束）；不设时以因素法测算结果为准",
    "allocation.objective": ("formula_fit：在规则允许范围内最贴近因素法测算金额（相对偏离字典序最小最大）；"
                             "max_households：资助户数最多；max_min_coverage：最低需求保障率最高"),
    "allocation.solver": _SOLVER,
    "allocation.method": "HiGHS 求解方法：auto（小模型用单纯形法，大模型用内点法）、simplex、ipm（内点法加交叉）或 choose",
    "allocation.time_limit_s": "每次求解的时限，秒；因超时停止的求解将阻止导出",
    "allocation.need": "各单位的资金需求：总需求或分类别需求",
    "allocation.need.total": "列名：单位可从全部资金中吸收的额度（可资助需求），万元",
    "allocation.need.by_category": "类别 → 该类别需求所在列，万元（如 basic = \"need_basic_wan\"）",
    "allocation.need.excluded": ("总需求中不得由补助资金承担的部分所在列，万元（三(五)）：“三供一业”宿舍区（three_supplies）、"
                                 "专项改造（special）；从需求中扣除，并在“补助需求”表中单列"),
    "allocation.need.source": "需求数据的来源",
    "allocation.cofinancing": "地方配套：配套比例与配套能力",
    "allocation.cofinancing.rates": "按财政分档（最困难、中间、最宽裕）每单位补助须配套的自有资金；需设置 [difficulty]",
    "allocation.cofinancing.rate": "各单位配套比例所在列（代替 `rates`）",
    "allocation.cofinancing.capacity": "列名：单位最多可投入的自有资金（配套能力），万元",
    "allocation.cofinancing.capacity_share": "配套能力占支出列的比例（代替 `capacity`）",
    "allocation.cofinancing.expenditure": "与 `capacity_share` 配合使用的支出列",
    "allocation.cofinancing.source": "配套参数的来源",
    "allocation.hold_harmless": "以上年分配额为基准的保底与封顶",
    "allocation.hold_harmless.last_year": "上年分配额所在列，万元；上年为0的单位不受此约束",
    "allocation.hold_harmless.floor": "单位所得不低于 floor × 上年额（如0.9）",
    "allocation.hold_harmless.cap": "单位所得不高于 cap × 上年额（如1.2）",
    "allocation.hold_harmless.source": "保底与封顶参数的来源",
    "allocation.corridor": "以因素法测算金额为基准的上下限",
    "allocation.corridor.low": "单位所得（全部资金）不低于 low × 其因素法测算金额",
    "allocation.corridor.high": "单位所得（全部资金）不高于 high × 其因素法测算金额",
    "allocation.minimum": "有改造计划单位的最低分配额",
    "allocation.minimum.amount_wan": "有改造计划的单位合计所得下限，万元",
    "allocation.minimum.plan": "该列大于0的单位视为有改造计划",
    "allocation.max_pool_share": "任一单位所得不超过任何一项资金的该比例",
    "allocation.performance": "按绩效评价等级限制分配",
    "allocation.performance.score": "绩效评价得分所在列",
    "allocation.performance.cutoffs": ("得分高于第一个值为优，自第二个值起为良，自第三个值起为合格，低于第三个值为差"
                                       "（默认取政策 `grade_cutoffs`）"),
    "allocation.performance.poor_at_most_formula": "绩效等级为差的单位从任一项资金所得不超过其因素法测算金额",
    "allocation.households": "计划改造户数与户均补助需求（max_households 目标所需）",
    "allocation.households.households": "列名：计划改造户数（可资助户数上限）",
    "allocation.households.need_per_household": "列名：每户所需补助，万元",
    "allocation.split": ("pro_rata：区县合计的上限或下限按其各项资金测算金额的比例分到各项资金，每项资金按同一系数分配，"
                         "受约束的区县停在其分得的约束值（水位法），不用求解器精确计算；复核人员可按“复核计算”表手算。"
                         "fit：由优化模型贴近测算，各项资金通过区县合计相互关联，可能一项资金调减、另一项调增。需求分类、"
                         "其他目标、有未分配资金或某项资金保底不足时由优化模型决定，“复核计算”表说明原因。"),
    "allocation.fit_method": ("优化贴近测算的计算方式。auto：约束均为区县合计的上限或下限、或某项资金金额的上限（总需求、"
                              "地方配套、保底封顶、上下限、最低额、资金占比、绩效、无计划）时，用逐级填充法精确计算，"
                              "不用求解器；否则用线性规划。lp：一律用线性规划分阶段求解（逐级填充法据以检验的参照）。"
                              "运行记录注明所用方法"),
    "allocation.allow_unallocated": ("是否允许各单位按规则无法接受的资金保留为未分配。不允许时，出现未分配即合规检查"
                                     "不通过（退出码1）；允许时检查通过，并说明资金未分配的原因"),
    "policy": _policy("为情景年度最后一天", "`reward_in_lieu.lag_years = 2`"),
}

_PROJECTS = {
    "kind": _KIND,
    "scenario": "测算基本信息：名称、基准年、折现率、现金流时点、编制单位",
    "scenario.name": "测算名称，印在工作簿上（如：邹城市2024年城镇老旧小区改造项目资金平衡测算）",
    "scenario.year": "第0年对应的公历年份，即各项目的建设首年",
    "scenario.discount_rate": "计算净现值、动态回收期和资金缺口的折现率（小数：2.67% 写作 0.0267）",
    "scenario.flow_timing": "年度现金流发生时点：年末（默认）或年中（净现值按 t − 0.5 折现，回收期少半年）",
    "scenario.prepared_by": "编制单位，印在工作簿上",
    "projects": "参与测算的项目",
    "projects[].id": "唯一简称：字母、数字、'_' 和 '-'，至多64个字符（用于图表文件名和 `--set` 键）",
    "projects[].name": "项目名称，与计划一致",
    "projects[].kind": ("old_community 老旧小区，或与之组合的：old_town 旧城区、shanty 棚户区、old_factory 旧厂区、"
                        "urban_village 城中村、dangerous_housing C/D级危旧房、building_conversion 既有建筑功能转换、"
                        "city_project 其他城市建设或改造项目"),
    "projects[].area": "项目所在片区：同一片区的项目相互相邻",
    "projects[].adjacent": "其他片区中也与本项目相邻的项目的 id",
    "projects[].mode": ("项目单独测算时采用的资金平衡模式：in_community 小区内自求平衡，multi_source 政府引导的"
                        "多元化投入（多项目组合由组合自行指定）"),
    "projects[].performance_score": "绩效评价得分，据以确定调整奖补的等级（默认等级：合格）",
    "projects[].elevators": "加装电梯数量，用于计算每部电梯的补助上限",
    "projects[].households": "改造户数",
    "projects[].floor_area_m2": "改造面积，平方米",
    "projects[].construction_years": "建设期年数；次年起进入运营期",
    "projects[].operating_years": "建设期后的运营年数（现金流测算期限）",
    "projects[].construction_delay_years": ("工程延误的年数：建设期为 construction_years 加此数，建设投资（及资本金、贷款提款）按原进度"
                                            "摊入更长的建设期，运营推迟同样年数并运营 operating_years 年，专项债和贷款期限不变；"
                                            "可作为 [risk] 的不确定输入"),
    "projects[].land_returns": "土地出让收入返还（六(三)）：片区内地块出让价款按比例返还项目，不需偿还",
    "projects[].land_returns[].id": "简称，在项目内唯一",
    "projects[].land_returns[].name": "报告中的名称",
    "projects[].land_returns[].premium_wan": "土地出让价款，万元",
    "projects[].land_returns[].returned_share": "返还项目的比例",
    "projects[].land_returns[].year": "返还资金到账的年份",
    "projects[].investor": "社会资本（五(五)）：随建设投入资金，在特许期内按比例分享其运营收入线的收入；资金平衡检验公共方扣除其分成后的结果",
    "projects[].investor.name": "报告中的名称",
    "projects[].investor.equity_wan": "社会资本投入，万元；按建设投资进度投入",
    "projects[].investor.required_irr": "社会资本要求的收益率（内部收益率门槛）",
    "projects[].investor.concession_years": "自运营首年起、社会资本分享收入的年数",
    "projects[].investor.revenue_share": "特许期内社会资本分享其运营收入线收入的比例",
    "projects[].investor.lines": "社会资本运营的收入线（编号）；默认全部",
    "projects[].capex": "建设投资",
    "projects[].capex.items_wan": "分类别建设投资，万元：基础类/完善类/提升类（basic/improvement/upgrade），或自定名称的细项",
    "projects[].capex.schedule": "各建设年度投资支出比例；个数与建设期年数相同，合计为1",
    "projects[].income": ("经营收入明细：parking 停车、rent 租金、charging 充电、property 物业服务、advertising 广告、"
                          "canteen 食堂、elderly_care 养老服务、other 其他"),
    "projects[].operating_costs": "运营成本",
    "projects[].operating_costs.fixed_wan_per_year": "运营首年的固定运营成本，万元",
    "projects[].operating_costs.growth": "固定成本年增长率",
    "projects[].operating_costs.share_of_income": "变动成本占当年收入的比例",
    "projects[].operating_costs.major_repairs": "指定年份的大修及更新",
    "projects[].operating_costs.major_repairs[].year": "大修的公历年份",
    "projects[].operating_costs.major_repairs[].amount_wan": "费用，万元（维护性资本支出：从可用于偿债的现金中扣除）",
    "projects[].tax": "税费",
    "projects[].tax.rate": "简化税率",
    "projects[].tax.base": "计税基础：收入（按营业收入计税金及附加），或经营盈余（收入 − 运营成本，为正时）",
    "projects[].grants": "无需偿还的补助与出资",
    "projects[].grants[].id": _SHORT_ID,
    "projects[].grants[].party": ("出资方：central/provincial/city/district 中央/省级/市级/区县补助，residents 居民，"
                                  "utilities 专业经营单位，owner_units 原产权单位，maintenance_fund 住房维修资金，"
                                  "social_capital 社会资本，pooled_fund 统筹资金，other 其他"),
    "projects[].grants[].amount_wan": "金额，万元（无需偿还）",
    "projects[].grants[].advance_share": "在 `advance_year` 预拨的比例；其余于验收后清算",
    "projects[].grants[].advance_year": "预拨的公历年份（默认第0年）",
    "projects[].grants[].settlement_lag_years": "自验收（建设期最后一年年末）至清算拨付的年数",
    "projects[].grants[].items": "该资金专项用于的建设投资细项（如 [\"roofs\", \"elevators\"]）；为空则用于整个项目",
    "projects[].grants[].name": "报表中的名称（如：区级加装电梯补助）；默认为出资方，同一出资方有多笔时附其专项用途",
    "projects[].grants[].outside_pools": ("实施主体自行申请的中央或省级资金（中央预算内投资、国家和省级财政补助，六(四)），"
                                          "不属于市级切块分配的补助资金：可用于专项改造"),
    "projects[].equity_wan": "业主投入的项目资本金，万元",
    "projects[].equity_schedule": "各建设年度资本金投入比例（默认同投资计划）",
    "projects[].loans": "贷款",
    "projects[].loans[].id": _SHORT_ID,
    "projects[].loans[].name": "报表中的名称（如：国开行贷款）",
    "projects[].loans[].principal_wan": "借款金额，万元",
    "projects[].loans[].rate": "年利率（小数）",
    "projects[].loans[].years": "建设期后的贷款期限，年；运营首年开始还款",
    "projects[].loans[].grace_years": "期限开始时只付息不还本的年数（宽限期）",
    "projects[].loans[].method": "还款方式：等额本息 / 等额本金 / 到期一次还本",
    "projects[].loans[].drawdown": "各建设年度提款比例（默认同投资计划）",
    "projects[].loans[].construction_interest": "建设期利息计入贷款本金（capitalise），或以现金支付（pay，计入投资）",
    "projects[].loans[].round_to": "每期利息和还款额按此步长取整（0.0001万元 = 1元），与银行做法一致",
    "projects[].loans[].payment_timing": "每个还款年度年末还款（end），或年初还款（begin，先付，即 Excel 的 type 1）",
    "projects[].loans[].drawdown_timing": "当年提款在当年计半年利息（mid_year，建设期利息惯例），或计全年利息（start，1月1日提款）",
    "projects[].bonds": "专项债券",
    "projects[].bonds[].id": _SHORT_ID,
    "projects[].bonds[].name": "报表中的名称（如：2024年专项债）",
    "projects[].bonds[].principal_wan": "发行金额，万元",
    "projects[].bonds[].coupon": "票面年利率（小数），每年按未偿本金付息",
    "projects[].bonds[].years": "期限，自发行起的年数",
    "projects[].bonds[].issue_year": "发行的公历年份（默认第0年）；募集资金当年到位，当年末付首期利息",
    "projects[].bonds[].amortisation": "期限内各年偿还本金的比例（默认到期一次还本，即“N+0+0”）",
    "projects[].rewards": "以奖代补资金，验收后按政策参数集的规则拨付",
    "projects[].rewards[].id": _SHORT_ID,
    "projects[].rewards[].item": ("以奖代补事项（六(四)），取政策 `reward_in_lieu` 中的一项：utilities 水电气暖、"
                                  "telecom 通信网络、roofs 居民出资更新屋面、drains 居民出资更新共用排水管道（含化粪池）"),
    "projects[].rewards[].cost_wan": "符合条件的费用，万元（屋面和排水管道为居民出资额）",
    "projects[].rewards[].items": ("奖补所补偿的建设投资细项（默认与 `item` 同名的细项）。奖补归出资方：专业经营单位、"
                                   "居民或其他出资方得其专项资金所付部分，其余归项目账户"),
    "projects[].rewards[].households": "按户封顶所计户数（默认取项目户数，此时项目须填写户数）",
    "projects[].rewards[].accepted": "是否验收合格；未验收合格不予拨付",
    "projects[].rewards[].acceptance_year": "验收的公历年份，不早于竣工（默认建设期最后一年）",
    "projects[].rewards[].lag_years": "自验收至拨付的年数（默认取参数集的值）",
    "projects[].coverage": "本息覆盖倍数的计算参数",
    "projects[].coverage.planning_rate": "本息覆盖倍数的规划利率（按期限单利计息）；默认取第一笔债券的票面利率",
    "projects[].coverage.stated": "项目信息卡公布的本息覆盖倍数，用于反推各口径达到该倍数所需的规划利率",
    "projects[].published": "专项债券项目信息卡或可行性研究报告公布的数据，在报告中与模型对照",
    "projects[].published.source": "数据来源（网址或文件）",
    "projects[].published.total_investment_wan": "公布的总投资，万元",
    "projects[].published.income_wan": "公布的收入，万元",
    "projects[].published.operating_cost_wan": "公布的运营成本，万元",
    "project_table": "批量添加项目的表（[[project_table]]；单个 [project_table] 视为一个）",
    "project_table[].table": "CSV 或 XLSX 文件，路径相对于情景文件；每个项目一行",
    "project_table[].template": "本文件中一个项目的 id，每行复制其结构",
    "project_table[].key": "项目 id 所在列（id 不得重复）",
    "project_table[].sheet": _SHEET,
    "project_table[].columns": ("除键列外每行须填的列（模板的点分键）：表中须恰好是这些列，缺列即报错而不沿用模板值；"
                                "不设时以表头为准"),
    "balance": "项目或组合视为资金平衡的条件：`tests` 中各项检验均通过",
    "balance.tests": ("参与判定的检验，每项列一次、至少一项：npv 净现值、coverage 本息覆盖倍数、cash 累计现金；"
                      "未列出的检验不参与判定，也不列差额"),
    "balance.npv_at_least_wan": "按折现率计算的补助及奖补后净现值下限，万元",
    "balance.coverage_at_least": ("按下述口径的本息覆盖倍数下限：收入 − 本值 × 本息 ≥ 0（有债务时覆盖倍数 ≥ 本值；"
                                  "无债务时净收入不为负）"),
    "balance.coverage_definition": "收入口径：毛收入（gross），或扣除运营成本、大修和税金后的净收入（net）",
    "balance.coverage_debt": "债务范围：仅专项债券（bonds）或全部债务（all_debt）",
    "balance.coverage_interest": "本息计算：本金加按规划利率计的单利（planning_rate），或模型排定的还本付息（schedule）",
    "balance.cash_at_least_wan": "各年融资后累计现金的下限，万元",
    "bundles": "声明的项目组合",
    "bundles[].id": "唯一简称",
    "bundles[].name": "报表中的名称",
    "bundles[].mode": "大片区统筹平衡（area_bundle：老旧小区与相邻项目）或跨片区组合平衡（cross_area：与不相邻项目组合）",
    "bundles[].members": "组成项目的 id",
    "bundling": "组合优化（肥瘦搭配）：亏损的老旧小区项目包与哪些盈利项目搭配",
    "bundling.mode": "area_bundle 只与相邻的搭配项目组合；cross_area 只与不相邻的组合",
    "bundling.packages": "老旧小区项目包的 id（默认：未列入 [[bundles]] 的全部 old_community 项目）",
    "bundling.components": "搭配项目的 id（默认：未列入 [[bundles]] 的其他全部项目）",
    "bundling.solver": _SOLVER,
    "bundling.time_limit_s": _TIME_LIMIT,
    "bundling.mip_rel_gap": "允许停止搜索的相对间隙（0：证明最优）",
    "risk": "风险分析（蒙特卡洛）：不确定的输入、其分布与相关性、抽样次数",
    "risk.draws": "抽样次数（整体测算的次数）",
    "risk.seed": "随机种子：种子相同则抽样相同，与任务如何拆分无关",
    "risk.chunk": "每个任务一并测算的抽样数",
    "risk.dscr_at_least": "各有还本付息年度的偿债覆盖率（DSCR）应达到的值，用于计算各年均达标的概率",
    "risk.inputs": "不确定的输入（[[risk.inputs]]）",
    "risk.inputs[].key": ("输入的键路径，与 `--set` 相同：projects.<项目 id 或 *>.<字段>（如 "
                          "projects.zoucheng.income.parking.occupancy；* 为具有该字段的全部项目，含项目表各行），"
                          "或 scenario.discount_rate；只能是不改变项目结构的数值（价格、数量、利用率、增长率、金额、"
                          "比例与利率）"),
    "risk.inputs[].distribution": ("分布：uniform 均匀（low、high）、triangular 三角（low、mode、high）、normal 正态"
                                   "（mean、sd，可用 low/high 截断）、lognormal 对数正态（median、sigma，可截断）、"
                                   "choice 离散取值（values、weights）"),
    "risk.inputs[].low": "最小值（均匀、三角分布；正态、对数正态分布的截断下限）",
    "risk.inputs[].high": "最大值（均匀、三角分布；正态、对数正态分布的截断上限）",
    "risk.inputs[].mode": "最可能值（三角分布）",
    "risk.inputs[].mean": "均值（正态分布）",
    "risk.inputs[].sd": "标准差（正态分布）",
    "risk.inputs[].median": "中位数（对数正态分布）",
    "risk.inputs[].sigma": "对数的标准差（对数正态分布）",
    "risk.inputs[].values": "可能的取值（离散分布）",
    "risk.inputs[].weights": "各取值的权重（离散分布；默认相等；无须合计为1）",
    "risk.sensitivity_units": "龙卷风图和蛛网图所针对的项目或组合（编号）；默认全部（图中画出前三个）",
    "risk.correlations": "输入两两之间的秩相关（[[risk.correlations]]）；未列出的输入相互独立",
    "risk.correlations[].inputs": "两个输入的键，与 [[risk.inputs]] 中相同",
    "risk.correlations[].rank": "二者的秩相关系数（Spearman）",
    "policy": _policy("为情景年度最后一天", "`reward_in_lieu.lag_years = 2`"),
}

_PLAN = {
    "kind": _KIND,
    "scenario": "计划基本信息：名称、编制单位",
    "scenario.name": "计划名称（如：济南市老旧小区改造2021—2025年计划（合成项目库示例））",
    "scenario.prepared_by": "编制单位",
    "library": "小区项目库",
    "library.table": "CSV 或 XLSX，路径相对于情景文件：每个小区一行",
    "library.key": "小区 id 所在列",
    "library.sheet": _SHEET,
    "budgets": "区县年度预算",
    "budgets.table": ("CSV 或 XLSX，含 district、year、budget_wan 列：各区县当年可用于基础类设施改造计划的资金"
                      "（分配额加自有资金），万元"),
    "budgets.sheet": "仅 XLSX：工作表名称（默认第一个）",
    "budgets.scale": "表中各预算乘以此数：考察计划随资金的变化（finmodel sweep … --grid budgets.scale=0.8,1,1.2）",
    "plan": "计划设置",
    "plan.first_year": "计划首年",
    "plan.last_year": "计划末年",
    "plan.carry_over": "区县当年未用完的资金是否结转以后年度使用",
    "plan.earliness": "每推迟一年损失的价值（晚一年改造的一户按 1 − earliness 计）",
    "plan.weights": ("优先级权重：2000年前建成、基础类设施缺项比例、居民同意比例（默认取政策 `priority_weights`；"
                     "在此设置则替换本次运行的政策值，并记为政策变更）"),
    "plan.consent_at_least": ("居民同意比例下限（默认取政策 `eligibility.consent_at_least`；在此设置则替换本次运行的"
                              "政策值，并记为政策变更）"),
    "plan.deadlines": "改造期限；默认取政策 `deadlines`（济政办字〔2020〕21号所定期限）",
    "plan.deadlines[].id": "期限的简称",
    "plan.deadlines[].by_year": "须在该年（含）前完成改造",
    "plan.deadlines[].built_by": "适用于该年（含）前建成的符合条件小区",
    "plan.deadlines[].penalty": "每少改造一户的权重，以首年改造一户优先级为1的住户为基准",
    "plan.deadlines[].label": "期限的文字表述",
    "plan.deadlines[].clause": "期限所依据的政策条款（如 三(四)）",
    "plan.solver": _SOLVER,
    "plan.time_limit_s": _TIME_LIMIT,
    "plan.mip_rel_gap": "搜索停止的相对间隙（0.001 = 0.1%）；报告实际达到的间隙",
    "policy": _policy("为计划首年最后一天", "`eligibility.consent_at_least = \"3/4\"`"),
}

_POLICY = {
    "policy.as_of": "读取政策的日期：TOML 日期（2024-06-30）、年份（2024 即该年12月31日）或 ISO 文本",
    "policy.file": "另一份同格式的政策文件（相对于情景文件），用于新文件或其他城市",
    "policy.deadlines.<name>.by_year": "须在该年（含）前完成改造",
    "policy.deadlines.<name>.built_by": "适用于该年（含）前建成的小区（“X年前建成”含X年）",
    "policy.deadlines.<name>.penalty": "每少改造一户的权重，以首年改造一户优先级为1的住户为基准",
    "policy.deadlines.<name>.label": "期限的中文表述（用于报表）",
    "policy.deadlines.<name>.clause": "所依据的政策条款，如 三(四)",
    "policy.difficulty_tiers": "财政困难程度系数（财政自给率最低三分之一、中间、最高三分之一）",
    "policy.grade_cutoffs": "绩效评价分数线：高于第一个为优，自第二个起为良，自第三个起为合格，低于第三个为差",
    "policy.reward_in_lieu": "以奖代补（六(四)、六(五)）：奖补哪些事项、比例多少、何时拨付、以什么为前提",
    "policy.reward_in_lieu.lag_years": "自验收至拨付的年数",
    "policy.reward_in_lieu.requires_acceptance": "仅对验收合格的工程拨付",
    "policy.reward_in_lieu.grade_factors": "按绩效等级的奖补系数",
    "policy.reward_in_lieu.items": "奖补事项，按代码名",
    "policy.reward_in_lieu.items.<name>.label": "事项在政策原文中的名称（水电气暖改造……）",
    "policy.reward_in_lieu.items.<name>.rate": "符合条件费用的奖补比例（屋面和排水管道按居民出资额计）",
    "policy.reward_in_lieu.items.<name>.cap_wan_per_household": "每户奖补上限，万元（0 为不封顶）",
    "policy.multi_source": "政府引导的多元化投入（五(四)）及业主承担事项的规则（三(五)、六(四)）；哪些事项由业主承担见改造内容目录",
    "policy.multi_source.owner_parties": "其资金计为业主出资的出资方",
    "policy.multi_source.subsidy_parties": "其资金属于财政补助的出资方",
    "policy.multi_source.elevator_subsidy_share": "补助可承担的电梯费用最高比例",
    "policy.multi_source.elevator_subsidy_cap_wan": "每部电梯补助上限，万元",
    "policy.multi_source.resident_contribution_wan_per_household": "每户居民出资的下限和上限，万元",
    "policy.multi_source.cofunding_subsidy_rate": "六(三)引导居民出资改造共用设施的财政补贴：财政资金至多为居民对屋面、共用排水管道出资的该比例……",
    "policy.multi_source.cofunding_subsidy_cap_wan_per_household": "……且每户至多该金额，万元",
    "policy.eligibility": "纳入改造范围（一(二)）与优先顺序（三(四)）",
    "policy.eligibility.built_by": "建成日期不晚于该日（一(二)：2005年12月31日前）",
    "policy.eligibility.land_types": "纳入范围的土地类型（国有土地：state_owned）",
    "policy.eligibility.consent_at_least": "居民同意比例下限，含本数（\"2/3\"：恰好三分之二即通过）",
    "policy.eligibility.priority_built_by": ("“2000年前建成”按不晚于该日建成理解：含所称年份，与一(二)以"
                                             "“2005年12月31日前”表述“2005年前”一致"),
    "policy.eligibility.basic_plan_excludes_provincial_by": "该年（含）前已按省级计划改造的小区不列入基础类公共设施改造规划",
    "policy.deadlines": ("改造期限：built_by 年（含）前建成（X年前建成：含X年）的小区须在 by_year 年（含）前完成改造；"
                         "penalty：每少改造一户的权重，以首年改造一户优先级为1的住户为基准"),
    "policy.cost_catalogue": "改造内容目录（二(一)、附件1）：各项内容的类别、实施主体（三(三)）、资金渠道和出资方（三(五)）、单位造价",
    "policy.cost_catalogue.items": "各项改造内容，键为代码",
    "policy.cost_catalogue.items.<name>.name": "政策原文中的名称（整修小区道路……）",
    "policy.cost_catalogue.items.<name>.name_en": "英文名称",
    "policy.cost_catalogue.items.<name>.category": "类别：basic 基础类公共设施、utilities 专业设施、improvement 完善类、upgrade 提升类",
    "policy.cost_catalogue.items.<name>.whole_category": "代表整个类别（如项目的 basic 投资），而非单项内容",
    "policy.cost_catalogue.items.<name>.implementer": "实施主体：district 区县、department 市有关部门、utility 专业经营单位、owners 房屋所有人",
    "policy.cost_catalogue.items.<name>.implementer_name": "政策所称实施主体（市水务局、国网济南供电公司……）",
    "policy.cost_catalogue.items.<name>.route": "资金渠道：public 财政资金、department 专项改造资金、utility 专业经营单位、owners 房屋所有人、project 项目统筹",
    "policy.cost_catalogue.items.<name>.payer": "政策所称出资部门、单位或出资方",
    "policy.cost_catalogue.items.<name>.clause": "条款",
    "policy.cost_catalogue.items.<name>.yuan_per_m2": "单位造价，元/平方米建筑面积；不填：不按面积估算（须给出万元数）",
    "policy.cost_catalogue.items.<name>.in_default_package": "项目库某小区未列该类任何内容时，按默认内容估算",
    "policy.cost_catalogue.items.<name>.reward": "对其以奖代补的事项（reward_in_lieu 的事项代码，六(四)）",
    "policy.cost_catalogue.items.<name>.aliases": "表格中可使用的其他（中文）名称",
    "policy.plan_compile_by": "年度计划须在计划年度前一年的该月日前完成编制",
    "policy.default_grade": "项目无绩效评价得分时奖补采用的绩效等级（优、良、合格或差）",
    "policy.performance_coefficients": "各绩效等级的系数（优、良、合格、差），在绩效作用于任务量时使用（测算假设）",
    "policy.performance_indicators": "绩效评价的一级指标（各0–100分）及其在总分中的权重（合计为1；借用江西办法的五项指标，等权为测算假设）",
    "policy.performance_indicators.<name>.label": "指标名称",
    "policy.performance_indicators.<name>.weight": "该指标在总分中的权重",
    "policy.three_supplies": "已纳入“三供一业”改造的国有企业宿舍区按相关政策筹资（三(五)）：不列入基础类改造计划",
    "policy.three_supplies.owner_unit_share": "原产权单位承担的比例（其余由“三供一业”政策资金承担；测算假设）",
    "policy.priority_weights": "优先级得分的权重：2000年前建成（pre2000）、基础类设施缺项比例（gaps）、居民同意比例（will）",
}

# A project's income lines take one of four forms, told apart by ``kind``; the fields all forms share are described
# once.
_INCOME_COMMON = {
    "id": "收入项简称，项目内唯一（如 parking）",
    "name": "报表中的名称（默认：该类收入的中文名）",
    "growth": "自首个运营年起的年增长率（小数）",
    "ramp_up": "运营初期各年的爬坡系数（如 [0.5, 0.8]），其后为1",
    "first_year": "首笔收入的日历年（默认：首个运营年）",
    "last_year": "最后一笔收入的日历年（默认：项目最后一年）",
    "kind": "收入类型（决定本行的其余字段）",
}
_INCOME_FORMS = {
    "parking": {"spaces": "出租车位数", "fee_yuan_per_month": "每个车位的月租金，元", "occupancy": "车位平均出租率"},
    "rent": {"area_m2": "出租面积，平方米", "rent_yuan_per_m2_month": "月租金，元/平方米", "occupancy": "面积平均出租率"},
    "charging": {"piles": "充电桩数", "kwh_per_pile_day": "每桩每日售电量，千瓦时（体现利用率）",
                 "service_fee_yuan_per_kwh": "运营方留存的服务费，元/千瓦时（按成本转付的电费不计收入）"},
    "property/advertising/canteen/elderly_care/other": {
        "amount_wan_per_year": "满年收入，万元（物业服务收益、广告收入等）"},
}
for _kinds, _own in _INCOME_FORMS.items():
    for _field, _text in (_INCOME_COMMON | _own).items():
        _PROJECTS[f"projects[].income[kind={_kinds}].{_field}"] = _text

ZH: dict[tuple[str, str], str] = {
    (kind, key): text
    for kind, table in (("allocation", _ALLOCATION), ("projects", _PROJECTS), ("plan", _PLAN), ("policy", _POLICY))
    for key, text in table.items()
}
"""(kind, dotted key as the reference shows it) → the key's description in Chinese; kind "policy" holds the
policy values (``policy.<concept>…``)."""

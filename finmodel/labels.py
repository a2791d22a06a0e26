"""Every word the reports show, in Chinese (default) and English."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "sheet_summary": ("汇总", "Summary"),
    "sheet_factors": ("因素测算", "Factors"),
    "sheet_checks": ("合规检查", "Checks"),
    "sheet_params": ("参数", "Parameters"),
    "attachment": ("附件", "Attachment"),
    "table_suffix": ("表", " — allocation table"),
    "unit_wan": ("单位：万元", "Unit: 10,000 yuan"),
    "seq": ("序号", "No."),
    "district": ("区县", "District / county"),
    "total": ("合计", "Total"),
    "remark": ("备注", "Remarks"),
    "prepared_by": ("编制单位：", "Prepared by:"),
    "reviewed_by": ("审核：", "Reviewed by:"),
    "head": ("负责人：", "Head:"),
    "clerk": ("经办人：", "Handled by:"),
    "sign_date": ("日期：　　年　　月　　日", "Date:"),
    "seal": ("（单位盖章）", "(seal)"),
    "wan": ("万元", "10k yuan"),
    # 因素测算
    "pool_amount": ("资金总额", "Pool amount"),
    "difficulty_coef": ("财政困难程度系数", "Fiscal difficulty coefficient"),
    "self_sufficiency": ("财政自给率（收入÷支出）", "Self-sufficiency (revenue ÷ expenditure)"),
    "weight": ("权重", "weight"),
    "value": ("原值", "Value"),
    "adjusted": ("调整值", "Adjusted value"),
    "factor_share": ("因素占比", "Factor share"),
    "weighted_share": ("加权占比", "Weighted share"),
    "share": ("综合占比", "Share"),
    "formula_amount": ("测算金额（万元）", "Formula amount (10k yuan)"),
    "final_amount": ("分配金额（万元）", "Allocated (10k yuan)"),
    "inverse_note": ("（逆向因素，取倒数）", " (inverse factor, 1/x)"),
    "inverse_by_note": ("（逆向因素，调整值 = {0} ÷ 原值 × 系数）", " (inverse factor, adjusted = {0} ÷ value × coefficient)"),
    "unweighted_note": ("（不乘系数）", " (no coefficient)"),
    "recompute_note": (
        "调整值 = 原值（逆向因素取倒数）× 系数；因素占比 = 调整值 ÷ 调整值合计；加权占比 = 因素占比 × 权重；"
        "综合占比 = 各加权占比之和；测算金额 = 资金总额 × 综合占比；分配金额按最大余数法取至0.01万元，合计与资金总额相等。",
        "Adjusted = value (1/value for an inverse factor) × coefficient; factor share = adjusted ÷ column total; "
        "weighted share = factor share × weight; share = sum of weighted shares; formula amount = pool × share; "
        "allocated = formula amount rounded to 0.01 (10k yuan) by largest remainder, summing exactly to the pool.",
    ),
    "recompute_note_lp": (
        "调整值 = 原值（逆向因素取倒数）× 系数；因素占比 = 调整值 ÷ 调整值合计；加权占比 = 因素占比 × 权重；"
        "综合占比 = 各加权占比之和；测算金额 = 资金总额 × 综合占比。分配金额由分配优化模型在各项约束下确定，"
        "与测算金额不同的单位及其原因见“调整说明”；分配金额取至0.01万元，合计与资金总额相等。",
        "Adjusted = value (1/value for an inverse factor) × coefficient; factor share = adjusted ÷ column total; "
        "weighted share = factor share × weight; share = sum of weighted shares; formula amount = pool × share. "
        "The allocated amounts are the allocation LP's under the scenario's rules: each unit that differs from its "
        "formula amount, and why, is on Adjustments; they are in 0.01 (10k yuan) and sum exactly to the pool.",
    ),
    "derived_note": (
        "系数按财政自给率三分位确定：最低三分之一 {0}，中间 {1}，最高三分之一 {2}（{3}）",
        "Coefficient by tercile of self-sufficiency: poorest third {0}, middle {1}, richest third {2} ({3})",
    ),
    "tiers_assumed": ("假设，来源：{0}", "assumption; source: {0}"),
    "tiers_sourced": ("来源：{0}", "source: {0}"),
    "tiers_in_params": ("见“参数”表政策参数 {0}", "see policy value {0} on the Parameters sheet"),
    "tiers_scenario": ("情景文件给定，未注明来源", "given by the scenario, no source stated"),
    # 合规检查
    "check": ("检查项", "Check"),
    "result": ("结果", "Result"),
    "detail": ("说明", "Detail"),
    "passed": ("通过", "passed"),
    "failed": ("未通过", "FAILED"),
    "check_pool_spent": ("资金合计相符（已分配 + 未分配 / 资金总额，万元）",
                         "Pool accounted for exactly (allocated + unallocated / pool, 10k yuan)"),
    "formula_share_line": ("由因素法决定的资金占比：{0:.2%}（不受自身约束的单位所得 ÷ 已分配资金）",
                           "Money decided by the formula: {0:.2%} (what units no bound holds receive ÷ money placed)"),
    "performance_coefficient_note": (
        "绩效作用于任务量：绩效等级系数（{0}）与困难程度系数一并乘入各数量因素：调整值 = 原值 × 困难程度系数 × 绩效系数。",
        "Performance acts on volume: the grade coefficient ({0}) multiplies the quantity factors with the difficulty "
        "coefficient: adjusted = value × difficulty coefficient × performance coefficient."),
    "reward_slice_note": (
        "绩效奖励部分：{0:.0%}按奖励占比分配，其余按各因素；奖励权重 = 绩效系数（{1}）× {2}，奖励占比 = 奖励权重 ÷ 合计；"
        "综合占比 = (1 − {0:.0%}) × 任务占比 + {0:.0%} × 奖励占比。",
        "Performance reward: {0:.0%} is split by the reward share, the rest by the factors; reward weight = performance "
        "coefficient ({1}) × {2}, reward share = reward weight ÷ total; share = (1 − {0:.0%}) × task share + {0:.0%} × "
        "reward share."),
    "performance_score_grade": ("绩效得分（等级）", "Performance score (grade)"),
    "performance_coef": ("绩效系数", "Performance coefficient"),
    "task_share": ("任务占比", "Task share"),
    "reward_weight": ("奖励权重", "Reward weight"),
    "reward_share": ("奖励占比", "Reward share"),
    "pool_order": ("各项资金争用同一可接受额度时，依次安排：{0}（按情景文件 pools.priority 设定的次序，未设时按列出顺序）。",
                   "When the pools compete for the same room, they are placed in this order: {0} (by [[pools]] "
                   "priority, else as listed)."),
    "check_no_plan_no_money": ("未列入改造计划的单位不分配资金（此类单位数 / 分得金额，万元）",
                               "No money to units without renovation planned (such units / amount, 10k yuan)"),
    "check_no_plan_allowed": ("未列入改造计划的单位分得资金，情景允许（allow_no_plan；单位数 / 金额，万元）",
                              "Units without renovation planned receive money, as the scenario allows "
                              "(allow_no_plan; units / amount, 10k yuan)"),
    "draft_mark": ("测算稿（含假设数据，见“参数”表）", "Draft: includes assumed data (see Parameters)"),
    "assumed_inputs": ("假设或估算的输入（测算稿）", "Assumed or estimated inputs (draft)"),
    "assumed_estimated": ("区县表 estimated_fields 列标明为估算值", "marked as an estimate in the table's estimated_fields"),
    "check_pool_placed": ("资金全部分配到区县（未分配，万元）", "Pool placed in full with the units (unallocated, 10k yuan)"),
    "check_pool_placed_allowed": ("有未分配资金，情景允许（allow_unallocated；未分配，万元）",
                                  "Money left unallocated, as the scenario allows (allow_unallocated; 10k yuan)"),
    "check_shares_sum_to_one": ("因素法综合占比合计为1", "Formula shares sum to 1"),
    "check_rounding_within_grain": (
        "取整调整小于0.01万元（最大调整，万元）", "Rounding moves no amount by 0.01 or more (largest, 10k yuan)"
    ),
    "check_no_negative": ("无负数金额（负数个数）", "No negative amount (count of negatives)"),
    "check_grand_total": ("总计等于各项资金之和（万元）", "Grand total equals the pools (10k yuan)"),
    "check_bound": ("取整后仍满足：{0}（违反个数）", "Still met after rounding: {0} (count broken)"),
    # 调整说明
    "sheet_adjust": ("调整说明", "Adjustments"),
    "difference": ("差额（万元）", "Difference (10k yuan)"),
    "reason": ("调整原因", "Reason"),
    "shadow_price": ("影子价格", "Shadow price"),
    "explanation": ("说明", "Explanation"),
    "price_unit_formula_fit": ("百分点/万元", "points per 10k yuan"),
    "price_unit_max_households": ("户/万元", "households per 10k yuan"),
    "price_unit_max_min_coverage": ("百分点/万元", "points per 10k yuan"),
    "unallocated": ("未分配", "Unallocated"),
    "no_lp": (
        "本情景未启用分配优化模型（[allocation]），分配金额即因素法测算金额，按最大余数法取整至0.01万元。",
        "This scenario runs no allocation LP ([allocation]): the final amounts are the formula amounts, rounded to "
        "0.01 (10k yuan) by largest remainder.",
    ),
    "sheet_rule": ("复核计算", "Recompute"),
    "page_of": ("第 &P 页 共 &N 页", "Page &P of &N"),
    "rule_pointer": ("各项分配金额的计算规则和所需数字见“复核计算”表。", "The rule behind every amount, with its numbers, is on the "
                     "Recompute sheet."),
    "rule_title": ("复核计算：按以下规则，由本表和“因素测算”表的测算金额可算出每项分配金额",
                   "Recomputing: with these rules every amount follows from this sheet and the formula amounts on the "
                   "factor sheet"),
    "rule_held": ("① 区县合计的上限或下限按其各项资金测算金额的比例分到各项资金；在下表一“适用资金”所列资金中，该区县分配金额 = "
                  "测算金额 × 分摊系数，分摊系数 = 约束值 ÷ 测算合计；受单项资金上限的，取该上限。",
                  "1. A cap or floor on a unit's total is shared among the pools in proportion to its formula amounts: "
                  "in the pools table 1 lists for it, the unit's amount = formula amount × ratio, ratio = bound ÷ "
                  "formula total; a cap on a single pool holds that cap."),
    "rule_free": ("② 其余各项：分配金额 = 测算金额 × 该项资金的共同系数（下表二），共同系数 = （资金总额 − 未分配 − "
                  "①所定金额）÷ 其余测算金额合计，使该项资金正好分完。",
                  "2. Every other cell: amount = formula amount × its pool's common scale (table 2), the scale being "
                  "(pool − unallocated − the amounts set by 1) ÷ the other cells' formula amounts, so that the pool "
                  "is spent exactly."),
    "rule_round": ("③ 取整：各项资金按最大余额法取至0.01万元（先取各区县金额的整数部分，余下的0.01万元依次给小数部分最大的"
                   "区县，相同时给排在前面的），合计等于资金总额；再按表三移动（通常没有），使各区县合计不越过其约束。"
                   "受约束区县的合计因此不越过约束值，与其相差最多为（资金项数 − 1）× 0.01万元。",
                   "3. Rounding: each pool to 0.01 by largest remainder (whole grains first, the grains left to the "
                   "largest remainders, ties to the earlier unit), summing exactly to the pool; then the moves of "
                   "table 3 (usually none), so that no unit's total passes a bound. A held unit's total therefore "
                   "keeps to its bound, short of it by at most 0.01 per pool but one."),
    "rule_table_held": ("表一：受自身约束的区县", "Table 1: units stopped by a bound of their own"),
    "rule_table_pools": ("表二：各项资金的共同系数", "Table 2: each pool's common scale"),
    "rule_limit": ("约束值（万元）", "Bound (10k yuan)"),
    "rule_shared": ("测算合计（万元）", "Formula total (10k yuan)"),
    "rule_ratio": ("分摊系数", "Ratio"),
    "rule_bound": ("约束", "Bound"),
    "rule_caps": ("单项上限（万元）", "Caps on single pools (10k yuan)"),
    "rule_pool": ("资金", "Pool"),
    "rule_amount": ("资金总额（万元）", "Pool (10k yuan)"),
    "rule_unallocated": ("未分配（万元）", "Unallocated (10k yuan)"),
    "rule_held_take": ("①所定金额（万元）", "Set by 1 (10k yuan)"),
    "rule_free_formula": ("其余测算金额合计（万元）", "Other cells' formula (10k yuan)"),
    "rule_pools_held": ("适用资金", "In pools"),
    "rule_scale": ("共同系数", "Common scale"),
    "rule_none_held": ("（无）", "(none)"),
    "rule_table_moves": ("表三：取整调整（为使区县合计不越过其约束，在上述取整结果上移动的金额）",
                         "Table 3: rounding moves (grains moved from the rounding above to keep units' totals "
                         "within their bounds)"),
    "rule_move": ("调整（万元）", "Moved (10k yuan)"),
    "rule_not": ("本次分配未按比例分摊规则计算：{0}。各区县金额由分配优化模型确定，调整原因见“调整说明”表。",
                 "This allocation is not made by the pro-rata rule: {0}. The amounts are the optimisation's; the "
                 "Adjustments sheet says why each unit moved."),
    "rule_not_split_fit": ("情景设定受约束区县的差额由优化结果分摊（allocation.split = \"fit\"）",
                           "the scenario lets the fit share a held unit's bound (allocation.split = \"fit\")"),
    "rule_not_categories": ("需求按类别设定，由各项资金可用范围决定分摊", "need is set by category, so eligibility decides"),
    "rule_not_objective": ("分配目标不是贴近测算", "the objective is not the formula fit"),
    "rule_not_unallocated": ("有资金列为未分配，各项资金按安排顺序争用可接受额度",
                             "money stays unallocated and the pools compete for the units' room in their order"),
    "rule_not_room": ("按测算金额比例分到某项资金的可接受额度低于该项资金，需由各项资金通过区县合计统筹安排",
                      "a pool is above its units' shares of their caps, so the pools must be placed together through "
                      "the units' totals"),
    "rule_not_pools": ("受约束区县的约束值无法按测算金额比例分到各项资金（某项资金的保底合计超过该项资金，或无测算金额的区县有下限）",
                       "a unit's bound cannot be shared among the pools by its formula amounts (a pool's floors "
                       "exceed it, or a unit with no formula amount has a floor)"),
    "no_adjustment": ("各区县分配金额与测算金额之差均不足0.01万元。", "No unit differs from its formula amount by 0.01 or more."),
    "objective": ("分配目标", "Objective"),
    "objective_formula_fit": ("贴近因素法测算金额（相对偏离字典序最小最大）", "closest to the formula (lexicographic minimax of relative deviations)"),
    "objective_max_households": ("资助户数最多", "most households funded"),
    "objective_max_min_coverage": ("最低需求保障率最高", "largest least share of need covered"),
    "pro_rata_line": ("计算方法：约束按测算金额比例分到各项资金，每项资金按比例分配（水位法），精确计算，未使用求解器；规则见下方“复核计算”",
                      "Method: bounds shared among the pools by formula amounts, each pool split pro rata (water-"
                      "filling), computed exactly without a solver; the rule is under 'Recomputing' below"),
    "fit_line": ("计算方法：在规则允许范围内逐级求最大相对偏离的最小值（字典序最小最大），金额精确计算；所用算法"
                 "（逐级填充法或线性规划）及其记录见 manifest.json",
                 "Method: the least largest relative deviation the rules allow, level by level (lexicographic "
                 "minimax), amounts computed exactly; the algorithm that ran (progressive filling or the LP) and its "
                 "record are in manifest.json"),
    "solver_line": ("求解器：{0}；求解次数 {1}；状态 {2}", "Solver: {0}; solves {1}; status {2}"),
    "findings": ("求解前检查与未分配说明", "Checks before solving and unallocated money"),
    "unallocated_reason": ("未分配原因", "Why unallocated"),
    "chart_formula": ("测算金额", "Formula amount"),
    "chart_final": ("分配金额", "Allocated"),
    "chart_compare_title": ("测算金额与分配金额对比", "Formula and allocated amounts"),
    "chart_units_count": ("单位数", "Units"),
    "print_more": ("……其余{0:,}个单位见 allocation.csv 和 allocation.xlsx",
                   "… {0:,} more units in allocation.csv and allocation.xlsx"),
    "chart_top_title": ("分配金额最多的{top}个单位（共{n:,}个）", "the {top} largest of {n:,} units"),
    "chart_distribution_title": ("全部{n:,}个单位的分配金额分布", "Allocated amounts of all {n:,} units"),
    "chart_summary_note": (
        "单位数{n:,}个，超过{limit}个，图中不逐一列示：上图为分配金额最多的{top}个单位，其余{others:,}个单位合计"
        "{amount:,.2f}万元（占{share:.1%}）；下图为全部单位的金额分布。逐单位金额见 allocation.xlsx 汇总表和 allocation.csv。",
        "{n:,} units, more than {limit}, so not one bar each: above, the {top} largest amounts; the other {others:,} "
        "units get {amount:,.2f} (10k yuan, {share:.1%}) together; below, how the amounts of all units are "
        "distributed. Every unit's amount is in allocation.xlsx (Summary) and allocation.csv.",
    ),
    "chart_top_moved": ("差额最大的{top}个单位（共{n:,}个）", "the {top} largest differences of {n:,} units"),
    "chart_difference": ("分配金额 − 测算金额", "Allocated − formula"),
    "chart_difference_title": ("全部{n:,}个单位的差额分布", "Differences of all {n:,} units"),
    "chart_compare_note": (
        "单位数{n:,}个，超过{limit}个，图中不逐一列示：上图为差额最大的{top}个单位，下图为全部单位的差额分布；"
        "{moved:,}个单位有调整（增加{up:,}个，减少{down:,}个）。逐单位说明见 allocation.xlsx 调整说明表。",
        "{n:,} units, more than {limit}, so not one pair of bars each: above, the {top} largest differences; below, "
        "how the differences of all units are distributed; {moved:,} units moved ({up:,} up, {down:,} down). Every "
        "unit's reason is in allocation.xlsx (Adjustments).",
    ),
    # 参数
    "key": ("参数", "Key"),
    "param_value": ("取值", "Value"),
    "unit": ("单位", "Unit"),
    "source": ("来源", "Source"),
    "overrides": ("调整的参数（--set）", "Overridden values (--set)"),
    "old": ("原值", "Old"),
    "new": ("新值", "New"),
    "no_overrides": ("无", "none"),
    "input_files": ("输入文件（SHA-256）", "Input files (SHA-256)"),
    # The public-money rule and who receives a reward (资金平衡 sheets)
    "public_excess_wan": ("超出所补成本的公共资金（万元）", "Public money above the cost it funds (10k yuan)"),
    "rule_public_within_cost": ("公共资金不超过所补成本（万元）", "Public money within the cost it funds (10k yuan)"),
    "excess_wan": ("超出（万元）", "Excess (10k yuan)"),
    "items": ("奖补对应投资项目", "Capex items paid back"),
    "paid_to": ("拨付对象（万元）", "Paid to (10k yuan)"),
    "to_project_wan": ("计入项目资金（万元）", "To the project account (10k yuan)"),
    "project_account": ("项目账户（全部投资）", "project account (all the investment)"),
    "capex_item": ("涉及投资内容", "Capex item"),
    "policy_values": ("政策参数（{0}，{1}有效）", "Policy values ({0}, in force on {1})"),
    "policy_from": ("生效日期", "In force from"),
    "policy_assumed": ("测算假设（政策未公布具体数值）", "finmodel's assumption (the document publishes no number)"),
    "policy_published": ("政策规定", "published rule"),
    "policy_changed": ("；本次运行调整，原值 {0}", "; changed for this run, was {0}"),
    # 项目资金平衡测算 (cash flow)
    "cf_title_suffix": ("表", " — cash-flow statement"),
    "cf_sheet_summary": ("汇总", "Summary"),
    "cf_sheet_annual": ("现金流量表", "Annual cash flow"),
    "cf_sheet_debt": ("还本付息计划", "Debt schedules"),
    "cf_sheet_coverage": ("覆盖倍数", "Coverage"),
    "cf_sheet_break_even": ("盈亏平衡", "Break-even"),
    "project": ("项目", "Project"),
    "item": ("项目", "Item"),
    "year": ("年份", "Year"),
    "phase": ("阶段", "Phase"),
    "phase_construction": ("建设期", "construction"),
    "phase_grace": ("宽限期", "grace"),
    "phase_repayment": ("还款期", "repayment"),
    "households": ("改造户数（户）", "Households"),
    "total_investment_wan": ("总投资（万元）", "Total investment (10k yuan)"),
    "capex_wan": ("建设投资（万元）", "Construction investment (10k yuan)"),
    "construction_interest_wan": ("建设期利息（万元）", "Interest during construction (10k yuan)"),
    "income_wan": ("营业收入（万元）", "Income (10k yuan)"),
    "operating_cost_wan": ("经营成本（万元）", "Operating cost (10k yuan)"),
    "operating_cost_total_wan": ("经营成本合计（万元，含大修）", "Operating cost incl. major repairs (10k yuan)"),
    "ebitda_wan": ("息税折旧摊销前利润（万元）", "EBITDA (10k yuan)"),
    "tax_wan": ("税金（万元）", "Tax (10k yuan)"),
    "major_repairs_wan": ("大修支出（万元）", "Major repairs (10k yuan)"),
    "cfads_wan": ("可用于偿债的现金流（万元）", "Cash available for debt service (10k yuan)"),
    "project_flow_wan": ("项目投资净现金流量（万元）", "Project cash flow before grants and financing (10k yuan)"),
    "grants_wan": ("补助与出资（万元）", "Grants and contributions (10k yuan)"),
    "equity_wan": ("项目资本金（万元）", "Equity (10k yuan)"),
    "bonds_wan": ("专项债（万元）", "Special bonds (10k yuan)"),
    "loans_wan": ("银行贷款（万元）", "Bank loans (10k yuan)"),
    "bond_proceeds_wan": ("专项债发行收入（万元）", "Bond proceeds (10k yuan)"),
    "loan_drawdown_wan": ("借款提款（万元）", "Loan drawdowns (10k yuan)"),
    "interest_wan": ("付息（万元）", "Interest paid (10k yuan)"),
    "principal_wan": ("还本（万元）", "Principal repaid (10k yuan)"),
    "debt_service_wan": ("还本付息（万元）", "Debt service (10k yuan)"),
    "net_cash_wan": ("融资后净现金流（万元）", "Net cash after financing (10k yuan)"),
    "cumulative_cash_wan": ("融资后累计现金（万元）", "Cumulative cash after financing (10k yuan)"),
    "dscr": ("偿债备付率DSCR（倍）", "DSCR (×)"),
    "llcr": ("贷款期覆盖率LLCR（倍）", "LLCR (×)"),
    "npv_wan": ("项目净现值（万元，补助前）", "NPV before grants (10k yuan)"),
    "npv_after_grants_wan": ("补助及奖补后净现值（万元）", "NPV after grants and rewards (10k yuan)"),
    "rewards_wan": ("以奖代补奖励（万元）", "Rewards in lieu of subsidies (10k yuan)"),
    "irr_project": ("项目内部收益率（%）", "Project IRR (%)"),
    "irr_equity": ("资本金内部收益率（%）", "Equity IRR (%)"),
    "payback_static_years": ("静态投资回收期（年，含建设期）", "Payback (years from start of construction)"),
    "payback_discounted_years": ("动态投资回收期（年，含建设期）", "Discounted payback (years from start)"),
    "peak_funding_need_wan": ("最大资金占用（万元）", "Peak funding need (10k yuan)"),
    "funding_gap_wan": ("资金缺口（万元，使补助及奖补后净现值为0）", "Funding gap: grant for NPV 0 (10k yuan)"),
    "dscr_min": ("最低偿债备付率DSCR（倍）", "Lowest DSCR (×)"),
    "dscr_min_year": ("最低偿债备付率年份", "Year of lowest DSCR"),
    "llcr_first": ("运营首年贷款期覆盖率LLCR（倍）", "LLCR, first operating year (×)"),
    "cumulative_cash_min_wan": ("融资后累计现金最低值（万元）", "Lowest cumulative cash after financing (10k yuan)"),
    "first_year_cash_negative": ("累计现金首次为负年份", "First year cumulative cash < 0"),
    "irr_status_no_sign_change": ("现金流无正负变化，无内部收益率", "no sign change: no IRR"),
    "irr_status_multiple_roots": ("存在多个内部收益率：{0}", "several IRRs: {0}"),
    "irr_status_not_converged": ("无使净现值为0的收益率", "no rate gives NPV 0"),
    "irr_kind_borrowing": ("借款型现金流（先收后支）：{0} 是资金成本，不是收益率",
                           "borrowing-type flows (money in before out): {0} is a cost of funds, not a return"),
    "irr_kind_mixed": ("混合型现金流：{0} 既非收益率也非资金成本", "mixed flows: {0} is neither a return nor a cost"),
    "irr_project_note": ("项目内部收益率说明", "Project IRR note"),
    "irr_equity_note": ("资本金内部收益率说明", "Equity IRR note"),
    "none": ("无", "none"),
    "cf_notes": ("说明", "Notes"),
    "cf_note_npv": (
        "现金流按年末发生；净现值以第一个建设年度（{0}年）为基准折现，该年现金流不折现，折现率{1}。",
        "Flows fall at year end; NPV is discounted to the first construction year ({0}), whose flow is not "
        "discounted, at {1}.",
    ),
    "cf_note_npv_mid": (
        "现金流按年中发生；净现值以第一个建设年度（{0}年）年初为基准，各年现金流折现（年序 − 0.5）年，折现率{1}。",
        "Flows fall mid-year; NPV is discounted to the start of the first construction year ({0}), each year's flow "
        "by (year number − 0.5) years, at {1}.",
    ),
    "cf_note_dscr": (
        "DSCR =（息税折旧摊销前利润 − 税金 − 大修支出）÷ 当年还本付息（国家发展改革委口径），只计运营期；"
        "建设期利息由筹集的资金支付。到期一次还本的债券使到期年份DSCR偏低，须看累计现金能否覆盖。",
        "DSCR = (EBITDA − tax − major repairs) ÷ that year's debt service (NDRC definition), operating years only; "
        "interest during construction is paid from the money raised. A bullet bond makes the maturity year's DSCR "
        "low: look at whether the cumulative cash covers it.",
    ),
    "cf_note_payback": (
        "回收期从建设开始起算：（累计净现金流量首次非负的年份序号 − 1）+ 上年累计净现金流量绝对值 ÷ 当年净现金流量。",
        "Payback counts from the start of construction: (number of the first year with cumulative flow ≥ 0 − 1) + "
        "|previous cumulative flow| ÷ that year's flow.",
    ),
    "cf_note_llcr": (
        "LLCR = 自当年至最后还款年可用于偿债现金流的现值 ÷ 尚需偿还本息的现值，按债务加权利率{0}折现。",
        "LLCR = PV of cash available for debt service to the last repayment year ÷ PV of the debt service still due, "
        "at the debt's weighted rate {0}.",
    ),
    "basis": ("数据来源", "Figures from"),
    "basis_model": ("模型测算", "the model"),
    "basis_published": ("公布数据", "published card"),
    "definition": ("收入口径", "Income"),
    "definition_gross": ("毛收入", "gross"),
    "definition_net": ("净收入（扣除经营成本、大修、税金）", "net of operating cost, repairs, tax"),
    "debt": ("债务范围", "Debt"),
    "debt_bonds": ("专项债", "special bonds"),
    "debt_all_debt": ("全部债务", "all debt"),
    "interest_basis": ("本息计算", "Principal and interest"),
    "interest_planning_rate": ("规划利率单利", "simple interest at planning rate"),
    "interest_schedule": ("实际还本付息计划", "scheduled debt service"),
    "planning_rate": ("规划利率（%）", "Planning rate (%)"),
    "numerator_wan": ("收入（万元）", "Income (10k yuan)"),
    "denominator_wan": ("本息（万元）", "Principal and interest (10k yuan)"),
    "coverage": ("本息覆盖倍数（倍）", "Coverage (×)"),
    "stated": ("公布倍数（倍）", "Stated coverage (×)"),
    "planning_rate_for_stated": ("达到公布倍数所需规划利率（%）", "Planning rate giving the stated coverage (%)"),
    "coverage_note": (
        "本息覆盖倍数 = 收入 ÷ 本息；规划利率口径：本息 = Σ 本金 ×（1 + 规划利率 × 期限）。"
        "公布倍数未说明口径时，比较“所需规划利率”与当时的发行利率，可判断公布数据采用的口径。",
        "Coverage = income ÷ principal and interest; at a planning rate the denominator is Σ principal × (1 + rate × "
        "tenor). Where a card does not say which definition it used, compare each 'planning rate giving the stated "
        "coverage' with the rates of the time to see which one it was.",
    ),
    "coverage_sentence": (
        "公布倍数{0}：{1}",
        "Stated coverage {0}: {1}",
    ),
    "coverage_clause": (
        "按{0}/{1}口径需规划利率{2}",
        "{0} income over {1} needs a planning rate of {2}",
    ),
    "coverage_none": ("按{0}/{1}口径在0–100%利率内达不到", "{0} income over {1} cannot reach it at 0–100 %"),
    "published_check": ("与公布数据对照", "Model against the published figures"),
    "published_value": ("公布值", "Published"),
    "model_value": ("模型值", "Model"),
    "difference_wan": ("差额（万元）", "Difference (10k yuan)"),
    "published_source": ("来源：{0}", "Source: {0}"),
    "variable": ("变量", "Input"),
    "current": ("当前值", "Current value"),
    "break_even_value": ("盈亏平衡值", "Break-even value"),
    "change_pct": ("变动（%）", "Change (%)"),
    "be_target": (
        "盈亏平衡值：其他条件不变，使补助后净现值为0（折现率{0}）的取值。",
        "Break-even: the value that makes the NPV after grants 0 (at {0}), everything else unchanged.",
    ),
    "be_found": ("", ""),
    "be_investor_share": ("社会资本收益分成比例（公共方可承受的最大值）", "Social capital's revenue share (the most the public side affords)"),
    "be_outside": ("在0至1之间无解：公共方在任何分成下均不平衡，或分成全部让出仍平衡", "No share from 0 to 1: the public side balances at none, or at all"),
    "outcome_outside": ("0至1之间无解", "none from 0 to 1"),
    "be_without": ("该项为0时补助后净现值仍不小于0", "NPV after grants stays ≥ 0 even without it"),
    "be_not_needed": ("补助后净现值已不小于0，无需追加补助", "NPV after grants is already ≥ 0: no extra grant needed"),
    "be_beyond": ("增至当前1000倍仍不能使净现值为0", "even 1,000 times today's value does not reach NPV 0"),
    "be_above_one": ("超过100%，不可实现", "above 100 %: not attainable"),
    "be_income_scale": ("全部营业收入（倍数）", "All income (multiple)"),
    "be_grant": ("第一年追加补助（万元）", "Extra grant in year 0 (10k yuan)"),
    "be_occupancy": ("出租（使用）率", "occupancy"),
    "be_fee_yuan_per_month": ("月租金", "monthly fee"),
    "be_rent_yuan_per_m2_month": ("月租金", "monthly rent"),
    "be_service_fee_yuan_per_kwh": ("充电服务费", "service fee"),
    "be_amount_wan_per_year": ("年收入", "yearly income"),
    "cf_chart_income": ("营业收入", "Income"),
    "cf_chart_cost": ("经营成本、税金及大修", "Operating cost, tax, repairs"),
    "cf_chart_service": ("还本付息", "Debt service"),
    "cf_chart_no_debt": ("无债务，不计偿债备付率", "No debt: no debt service coverage ratio"),
    "cf_chart_cumulative": ("融资后累计现金", "Cumulative cash after financing"),
    "cf_chart_dscr": ("DSCR（右轴）", "DSCR (right axis)"),
    "risk_sheet": ("风险分析", "Risk"),
    "risk_title": ("{0} — 风险分析（蒙特卡洛模拟 {1:,} 次）", "{0} — risk (Monte Carlo, {1:,} draws)"),
    "risk_basis": ("随机种子 {0}；资金平衡条件：{1}；DSCR 门槛 {2:g}；概率为满足条件的抽样所占比例，P5/P50/P95 为第 5/50/95 "
                   "百分位数", "Seed {0}; balance rule: {1}; DSCR threshold {2:g}; a probability is the share of draws "
                   "that meet it, P5/P50/P95 the 5th/50th/95th percentiles"),
    "risk_rule_npv": ("净现值 ≥ {0:,.2f} 万元", "NPV ≥ {0:,.2f} (10k yuan)"),
    "risk_rule_coverage": ("本息覆盖倍数 ≥ {0:g}", "coverage ≥ {0:g}"),
    "risk_rule_cash": ("各年累计现金 ≥ {0:,.2f} 万元", "cumulative cash ≥ {0:,.2f} every year (10k yuan)"),
    "risk_unit": ("项目或组合", "Project or bundle"),
    "risk_kind": ("类型", "Kind"),
    "risk_kind_project": ("项目", "project"),
    "risk_kind_bundle": ("组合", "bundle"),
    "p_balance": ("资金平衡概率（%）", "P(balance) (%)"),
    "p_npv": ("净现值达标概率（%）", "P(NPV test) (%)"),
    "p_coverage": ("覆盖倍数达标概率（%）", "P(coverage test) (%)"),
    "p_cash": ("累计现金达标概率（%）", "P(cash test) (%)"),
    "p_dscr": ("各年DSCR达标概率（%）", "P(DSCR ≥ threshold every year) (%)"),
    "p_coverage_stated": ("覆盖倍数达到信息卡所述的概率（%）", "P(coverage ≥ stated) (%)"),
    "irr_share": ("有内部收益率的抽样占比（%）", "Draws with an IRR (%)"),
    "risk_percentile": ("{0} {1}", "{0} {1}"),
    "risk_drivers": ("影响资金平衡的输入（与平衡裕度的秩相关系数，按绝对值由大到小）",
                     "Inputs that move the balance (rank correlation with the balance margin, strongest first)"),
    "risk_input": ("不确定的输入", "Uncertain input"),
    "risk_input_key": ("输入的键", "Input key"),
    "risk_each_project": ("各项目", "Each project"),
    "risk_discount_rate": ("折现率", "Discount rate"),
    "rank_correlation": ("秩相关系数", "Rank correlation"),
    "risk_chart_npv": ("补助及奖补后净现值的分布（万元）", "NPV after grants and rewards (10k yuan)"),
    "risk_chart_balance": ("资金平衡概率", "Probability of balance"),
    "risk_chart_tests": ("各项检验达标的概率", "Probability that each test holds"),
    "risk_chart_line": ("平衡线", "balance line"),
    "cli_risk_line": ("风险分析（蒙特卡洛）", "risk (Monte Carlo)"),
    "cli_risk": ("风险分析：{0:,} 次抽样，{1}", "Risk: {0:,} draws, {1}"),
    "cli_risk_here": ("在本进程中计算", "computed in this process"),
    "cli_risk_workers": ("{0} 个 Dask 工作进程", "{0} Dask workers"),
    "cli_risk_unit": ("{0}：资金平衡概率 {1:.1%}；补助后净现值 P5/P50/P95 {2:,.2f} / {3:,.2f} / {4:,.2f} 万元{5}",
                      "{0}: P(balance) {1:.1%}; NPV after grants P5/P50/P95 {2:,.2f} / {3:,.2f} / {4:,.2f}{5}"),
    "cli_risk_driver": ("；最影响平衡的输入：{0}（ρ = {1:+.2f}）", "; the input that moves it most: {0} (ρ = {1:+.2f})"),
    "sens_sheet": ("敏感性分析", "Sensitivity"),
    "sens_title": ("{0} — 敏感性分析（逐项变动，其余输入取方案值）", "{0} — sensitivity (one input at a time, the others as in the scenario)"),
    "sens_basis": ("每个不确定的输入分别取其分布的第 5 和第 95 百分位数（低值、高值），其余输入取方案中的值；平衡余量为资金平衡条件（{0}）"
                   "各项检验余量中的最小值，≥ 0 即平衡；盈亏平衡值为补助后净现值为 0 时该输入的取值（仅项目的收入单价、使用率等）；"
                   "方案值下的平衡余量和净现值见各项目或组合的首行。",
                   "Each uncertain input in turn at the 5th and the 95th percentile of its distribution (low, high), the "
                   "others as in the scenario; the balance margin is the least margin of the balance rule's tests ({0}), "
                   "≥ 0 where it balances; the break-even is the input's value at which NPV after grants is 0 (projects' "
                   "prices, occupancy and the like only); each project's or bundle's first line gives its margin and NPV "
                   "at the scenario's values."),
    "sens_unit_line": ("{0}（{1}）：方案值下补助后净现值 {2:,.2f} 万元，平衡余量 {3:,.2f} 万元",
                       "{0} ({1}): at the scenario's values NPV after grants {2:,.2f}, balance margin {3:,.2f} (10k yuan)"),
    "sens_low_value": ("低值（P5）", "Low (P5)"),
    "sens_high_value": ("高值（P95）", "High (P95)"),
    "sens_npv_low": ("低值时补助后净现值（万元）", "NPV after grants at low (10k yuan)"),
    "sens_npv_high": ("高值时补助后净现值（万元）", "NPV after grants at high (10k yuan)"),
    "sens_margin_low": ("低值时平衡余量（万元）", "Balance margin at low (10k yuan)"),
    "sens_margin_high": ("高值时平衡余量（万元）", "Balance margin at high (10k yuan)"),
    "sens_swing": ("平衡余量变幅（万元）", "Swing of the margin (10k yuan)"),
    "sens_break_even": ("盈亏平衡值", "Break-even value"),
    "sens_npv": ("补助后净现值（万元）", "NPV after grants (10k yuan)"),
    "sens_margin": ("平衡余量（万元）", "Balance margin (10k yuan)"),
    "sens_percentile": ("输入的百分位数", "Percentile of the input"),
    "sens_value": ("输入的取值", "Value of the input"),
    "sens_chart_tornado": ("{0}：各输入取 P5 与 P95 时的补助后净现值（万元）", "{0}: NPV after grants with each input at P5 and P95"),
    "sens_chart_spider": ("各输入在其分布各百分位的补助后净现值（万元）", "NPV after grants over each input's percentiles"),
    "sens_chart_low": ("低值（P5）", "low (P5)"),
    "sens_chart_high": ("高值（P95）", "high (P95)"),
    "sens_chart_base": ("方案值", "scenario"),
    "sens_chart_break_even": ("盈亏平衡 {0}", "break-even {0}"),
    "sens_chart_more": ("另有 {0} 个项目或组合未画出，见 sensitivity.csv", "{0} more projects or bundles in sensitivity.csv"),
    "sens_omitted": ("共 {0} 个项目或组合，超过 {1} 个，表格见 sensitivity.csv", "{0} projects and bundles, more than {1}: the table is in sensitivity.csv"),
    "sweep_sheet": ("参数扫描", "Sweep"),
    "sweep_title": ("{0} — 参数扫描（{1} 种组合）", "{0} — sweep ({1} combinations)"),
    "sweep_basis": ("逐一取下列参数值的每种组合运行情景，其余取情景中的值：{0}", "The scenario run at every combination of these values, the rest as in the scenario: {0}"),
    "sweep_point": ("组合", "Combination"),
    "sweep_ok": ("检查通过", "Checks passed"),
    "sweep_note": ("说明", "Note"),
    "sweep_yes": ("是", "yes"),
    "sweep_no": ("否", "no"),
    "sweep_m_amount_wan": ("分配额合计（万元）", "Amount, all pools (10k yuan)"),
    "sweep_m_npv_after_grants_wan": ("补助及奖补后净现值（万元）", "NPV after grants and rewards (10k yuan)"),
    "sweep_m_funding_gap_wan": ("资金缺口（万元）", "Funding gap (10k yuan)"),
    "sweep_m_balanced": ("资金平衡（1 是，0 否）", "Balanced (1 yes, 0 no)"),
    "sweep_m_grant_needed_wan": ("平衡所需补助（万元）", "Grant needed to balance (10k yuan)"),
    "sweep_m_households_met": ("按期完成户数（户）", "Households renovated by the deadline"),
    "sweep_m_households_missed": ("未按期户数（户）", "Households missed"),
    "sweep_m_extra_money_wan": ("按期完成所需追加资金（万元）", "Extra money to meet the deadline (10k yuan)"),
    "sweep_m_households": ("当年改造户数（户）", "Households renovated in the year"),
    "sweep_m_cost_wan": ("当年改造投资（万元）", "Cost of the year's renovation (10k yuan)"),
    "sweep_chart_change": ("{0}\n较 {1} = {2} 时的变化", "{0}\nchange from {1} = {2}"),
    "sweep_block": ("{0}（第 {1} 部分，共 {2} 部分）", "{0} (part {1} of {2})"),
    "sweep_chart_more": ("图中画出变动最大的 {0} 个，共 {1} 个；全部数值见 sweep.csv", "The {0} that move most of {1} are drawn; sweep.csv has them all"),
    "sweep_chart_panels": ("另有 {0} 种其他参数组合未画出，见 sweep.csv", "{0} more combinations of the other keys in sweep.csv"),
    "cli_sweep_line": ("参数扫描", "sweep"),
    "cli_sweeping": ("参数扫描：{0} 种组合（{1}）", "Sweep: {0} combinations ({1})"),
    "cli_sweep_done": ("参数扫描完成：{0} 种组合，{1}；{2} 种通过检查", "Sweep done: {0} combinations, {1}; {2} passed their checks"),
    "cli_sweep_point": ("组合 {0}（{1}）：未通过——{2}", "combination {0} ({1}): did not pass — {2}"),
    "cli_sweep_moves": ("{0} 变动最大：{1}", "{0}, moving most: {1}"),
    "cmp_sheet": ("方案对比", "Comparison"),
    "cmp_inputs_sheet": ("输入差异", "Inputs that differ"),
    "cmp_title": ("方案对比：{0}", "Comparison: {0}"),
    "cmp_runs": ("方案一：{0}（{1}）；方案二：{2}（{3}）", "A: {0} ({1}); B: {2} ({3})"),
    "cmp_inputs_none": ("两次运行的输入（文件、--set 修改、政策参数）完全相同", "The two runs have the same inputs (files, --set changes, policy values)"),
    "cmp_what": ("类别", "What"),
    "cmp_key": ("键或文件", "Key or file"),
    "cmp_a": ("方案一", "A"),
    "cmp_b": ("方案二", "B"),
    "cmp_a_wan": ("方案一（万元）", "A (10k yuan)"),
    "cmp_b_wan": ("方案二（万元）", "B (10k yuan)"),
    "cmp_diff": ("差额", "Difference"),
    "cmp_diff_wan": ("差额（万元）", "Difference (10k yuan)"),
    "cmp_change": ("变动（%）", "Change (%)"),
    "cmp_what_scenario": ("情景文件", "scenario file"),
    "cmp_what_file": ("输入文件", "input file"),
    "cmp_what_set": ("--set 修改", "--set change"),
    "cmp_what_policy": ("政策参数", "policy value"),
    "cmp_what_language": ("报告语言", "report language"),
    "cmp_pool_total": ("各项资金合计", "All pools"),
    "cmp_metric": ("指标", "Measure"),
    "cmp_households": ("改造户数（户）", "Households"),
    "cmp_cost_wan": ("基础类改造投资（万元）", "Basic-works cost (10k yuan)"),
    "cmp_chart_allocation": ("各单位分配额之差（方案二 − 方案一，万元）", "Difference by unit (B − A, 10k yuan)"),
    "cmp_chart_projects": ("各项目补助后净现值（万元）", "NPV after grants by project (10k yuan)"),
    "cmp_chart_plan": ("各年改造户数", "Households renovated by year"),
    "cmp_chart_more": ("另有 {0} 个单位变动较小，未画出；全部见 compare.csv", "{0} more units with smaller changes in compare.csv"),
    "cli_compare": ("方案对比：{0}；输入差异 {1} 项", "Comparison: {0}; {1} inputs differ"),
    "cli_compare_input": ("  {0} {1}：{2} → {3}", "  {0} {1}: {2} → {3}"),
    "cli_compare_allocation": ("分配额变动最大：{0}", "Moving most: {0}"),
    "cli_running_for_compare": ("运行情景 {0}", "running {0}"),
    "html_made": ("由 {0} 生成；与同一文件夹中的工作簿和 CSV 数值一致，运行记录见 manifest.json", "Made by {0}; the same figures as the workbook and the CSV beside it; manifest.json records the run"),
    "html_charts": ("图表", "Charts"),
    "html_chart_allocation": ("各单位分配额", "Amounts by unit"),
    "html_chart_formula": ("分配额与因素法测算额对比", "Amounts against the factor formula"),
    "html_check": ("检查项", "Check"),
    "html_result": ("结果", "Result"),
    "html_detail": ("说明", "Detail"),
    "html_pass": ("通过", "passed"),
    "html_fail": ("未通过", "failed"),
    "html_component": ("片区项目", "Component"),
    "html_packages": ("搭配的老旧小区", "Packages bundled with it"),
    "html_measure": ("指标", "Measure"),
    "html_balanced": ("资金平衡", "Balanced"),
    "html_projects": ("{0} 个项目", "{0} projects"),
    "html_households_by_year": ("各区县各年改造户数（户）", "Households renovated by district and year"),
    "html_by_year": ("各年合计", "By year"),
    "html_communities": ("小区数（个）", "Communities"),
    "html_households": ("户数（户）", "Households"),
    "html_cost_wan": ("改造投资（万元）", "Cost (10k yuan)"),
    "html_budget_wan": ("可用资金（万元）", "Budget (10k yuan)"),
    "html_deadline": ("完成期限", "Deadline"),
    "html_clause": ("条款", "Clause"),
    "html_missed": ("未按期户数（户）", "Households missed"),
    "html_extra_wan": ("按期所需追加资金（万元）", "Extra money to meet it (10k yuan)"),
    "html_plan": ("项目库 {0:,} 个小区，{1}—{2} 年", "{0:,} communities in the library, {1}–{2}"),
    "policy_owner": ("责任部门（附件2）：{0}——{1}{2}", "Owner (附件2): {0} — {1}{2}"),
    "policy_owner_due": ("；完成时限 {0}", "; due by {0}"),
    "land_returns_wan": ("土地出让收入返还（万元）", "Land premium returned (10k yuan)"),
    "land_return": ("土地出让收入返还", "land premium returned"),
    "investor_share_wan": ("社会资本收益分成（万元）", "Paid to social capital (10k yuan)"),
    "investor_equity_wan": ("社会资本投入（万元）", "Social capital put in (10k yuan)"),
    "cli_investor": ("{0}：{1} 投入 {2:,.2f} 万元，分成 {3:.0%}（{4} 年）；其内部收益率 {5}，要求 {6:.2%}；"
                     "达到要求至少需分成 {7:.1%}，公共方最多可让出 {8:.1%}",
                     "{0}: {1} puts in {2:,.2f}, takes {3:.0%} for {4} years; its IRR {5}, required {6:.2%}; it needs "
                     "at least {7:.1%}, the public side affords at most {8:.1%}"),
    "cf_chart_bulk": ("各项目补助后净现值与最低DSCR", "NPV after grants and lowest DSCR by project"),
    "cf_chart_bulk_note": ("共 {0} 个项目；其中 {1} 个无债务，不计偿债备付率，未画出；各项目名称和数值见 cashflow.csv",
                           "{0} projects; {1} without debt have no DSCR and are not plotted; every project's "
                           "name and figures are in cashflow.csv"),
    "no_debt_short": ("无债务", "no debt"),
    # 资金平衡模式 (funding modes)
    "md_sheet_units": ("资金平衡", "Balance"),
    "md_sheet_members": ("片区构成", "Bundle members"),
    "md_sheet_transfers": ("跨片区调剂", "Cross-area transfers"),
    "md_sheet_stack": ("多元投入", "Funding stack"),
    "md_sheet_rewards": ("以奖代补", "Rewards"),
    "md_sheet_bundling": ("组合优化", "Bundling"),
    "mode_in_community": ("小区内自求平衡", "in-community"),
    "mode_area_bundle": ("大片区统筹平衡", "area bundle"),
    "mode_cross_area": ("跨片区组合平衡", "cross-area"),
    "mode_multi_source": ("政府引导的多元化投入", "multi-source"),
    "md_unit": ("测算单元", "Unit"),
    "name": ("名称", "Name"),
    "mode": ("模式", "Mode"),
    "members": ("组成项目", "Members"),
    "npv_margin_wan": ("净现值余量（万元）", "NPV margin (10k yuan)"),
    "coverage_margin_wan": ("覆盖余量（万元，收入 − 倍数 × 本息）", "Coverage margin (10k yuan)"),
    "cash_min_wan": ("累计现金最低值（万元）", "Lowest cumulative cash (10k yuan)"),
    "cash_margin_wan": ("现金余量（万元）", "Cash margin (10k yuan)"),
    "first_short_year": ("首个现金短缺年份", "First year short of cash"),
    "rules_ok": ("出资规则", "Funding rules"),
    "balanced": ("是否平衡", "Balanced"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "grant_needed_wan": ("需追加补助（万元）", "Grant needed (10k yuan)"),
    "bridge_needed_wan": ("需过桥资金（万元）", "Bridge financing needed (10k yuan)"),
    "income_needed_wan": ("需增加收入（万元，覆盖倍数）", "Income needed for coverage (10k yuan)"),
    "income_scale_needed": ("收入需达到当前的倍数", "Income needed, × today's"),
    "operating_years_needed": ("需运营年数（年）", "Operating years needed"),
    "md_rule": ("平衡标准（以下各项均须满足）：", "Balanced when each of these holds: "),
    "md_rule_npv": ("补助及奖补后净现值 ≥ {0} 万元（折现率{1}）", "NPV after grants and rewards ≥ {0} (at {1})"),
    "md_rule_cash": ("融资后累计现金每年 ≥ {0} 万元", "cumulative cash after financing ≥ {0} in every year"),
    "md_test_npv": ("净现值", "NPV"),
    "md_test_coverage": ("本息覆盖倍数", "coverage"),
    "md_test_cash": ("累计现金", "cumulative cash"),
    "md_rule_coverage": ("本息覆盖倍数（{0}/{1}/{2}）≥ {3}", "coverage ({0}/{1}/{2}) ≥ {3}"),
    "md_not_tested": ("不检验", "not tested"),
    "kind": ("类型", "Kind"),
    "area": ("片区", "Area"),
    "kind_old_community": ("老旧小区", "old community"),
    "kind_old_town": ("旧城区", "old town"),
    "kind_shanty": ("棚户区", "shanty area"),
    "kind_old_factory": ("旧厂区", "old factory"),
    "kind_urban_village": ("城中村", "urban village"),
    "kind_dangerous_housing": ("危旧房", "dangerous housing"),
    "kind_building_conversion": ("既有建筑功能转换", "building conversion"),
    "kind_city_project": ("城市建设或改造项目", "city project"),
    "package_net_wan": ("老旧小区净现金流（万元）", "Package net cash (10k yuan)"),
    "partner_net_wan": ("组合项目净现金流（万元）", "Partner net cash (10k yuan)"),
    "transfer_wan": ("当年调剂（万元）", "Transfer (10k yuan)"),
    "cumulative_transfer_wan": ("累计调剂（万元）", "Cumulative transfer (10k yuan)"),
    "package_cumulative_after_wan": ("调剂后老旧小区累计现金（万元）", "Package cumulative after (10k yuan)"),
    "partner_cumulative_after_wan": ("调剂后组合项目累计现金（万元）", "Partner cumulative after (10k yuan)"),
    "package_shortfall_wan": ("仍短缺（万元）", "Still short (10k yuan)"),
    "md_source": ("资金来源", "Source"),
    "src_rewards": ("以奖代补奖励", "Rewards"),
    "src_investor": ("社会资本投入", "Social capital"),
    "src_land_returns": ("土地出让收入返还", "Land premium returned"),
    "src_equity": ("项目资本金", "Equity"),
    "src_bonds": ("专项债", "Special bonds"),
    "src_loans": ("贷款", "Loans"),
    "src_operating_cash": ("经营现金流", "Operating cash"),
    "sources_wan": ("资金来源合计（万元）", "Sources (10k yuan)"),
    "uses_wan": ("资金运用合计（万元）", "Uses (10k yuan)"),
    "cumulative_balance_wan": ("累计余额（万元）", "Cumulative balance (10k yuan)"),
    "rule": ("规则", "Rule"),
    "required": ("要求", "Required"),
    "given": ("实际", "Given"),
    "rule_elevator_subsidy_cap": ("加装电梯政府补助不超过上限（万元）", "Elevator subsidy within its cap (10k yuan)"),
    "rule_owners_pay": ("业主承担（万元）", "Owners pay (10k yuan)"),
    "rule_cofunding_subsidy_cap": ("居民出资改造共用设施财政补贴不超过上限（万元）",
                                   "Subsidy of residents' money on shared facilities within its cap (10k yuan)"),
    "rule_special_funded": ("专项改造由相关部门（单位）筹资（万元）", "Special renovation paid by its department (10k yuan)"),
    "rule_special_not_from_pools": ("专项改造不使用切块补助资金（万元）",
                                    "No pooled subsidy for special renovation (10k yuan)"),
    "rule_resident_contribution": ("居民出资（万元/户）", "Residents' money (10k yuan per household)"),
    "item_roofs": ("屋面", "roofs"),
    "item_drains": ("共用排水管道（含化粪池）", "shared drains"),
    "item_elevators": ("加装电梯", "elevators"),
    "item_pipes": ("管网改造", "pipes"),
    "item_building": ("建设工程", "building works"),
    "item_conversion": ("改建工程", "conversion works"),
    "item_parking_deck": ("停车楼", "parking deck"),
    "reward_item": ("奖补事项", "Item"),
    "cost_wan": ("奖补基数（万元）", "Eligible cost (10k yuan)"),
    "rate": ("奖补比例", "Rate"),
    "cap_wan": ("上限（万元）", "Cap (10k yuan)"),
    "grade": ("绩效等级", "Grade"),
    "factor": ("等级系数", "Grade factor"),
    "accepted": ("验收合格", "Accepted"),
    "acceptance_year": ("验收年份", "Accepted in"),
    "paid_year": ("拨付年份", "Paid in"),
    "amount_wan": ("奖补金额（万元）", "Reward (10k yuan)"),
    "cap_binds_note": ("按户封顶", "capped per household"),
    "md_reward_source": ("奖补规则为假设参数（{0}），来源见“参数”表政策参数 {0}",
                         "Reward rules are assumed parameters ({0}); the source is on the Parameters sheet"),
    "bundle": ("组合", "Bundle"),
    "package": ("老旧小区", "Package"),
    "status": ("状态", "Status"),
    "status_standalone": ("自身平衡", "balances alone"),
    "status_bundled": ("组合后平衡", "balanced in a bundle"),
    "status_unbalanced": ("未平衡", "unbalanced"),
    "least_margin_wan": ("各项检验最小余量（万元）", "Least margin over the tests (10k yuan)"),
    "md_bundling_summary": (
        "{0}：{1}个老旧小区、{2}个组合项目；平衡户数 {3:,} 户（其中自身平衡 {4} 个小区），组合吸收亏损 {5:,.2f} 万元。",
        "{0}: {1} packages, {2} components; {3:,} households balanced ({4} packages on their own); "
        "deficit absorbed {5:,.2f} (10k yuan).",
    ),
    "md_chart_title": ("组合优化结果：各组合净现值构成", "Bundles: what each member adds to the NPV"),
    "md_chart_component": ("组合项目（肥）", "Component (profit)"),
    "md_chart_package": ("老旧小区（瘦）", "Package (loss)"),
    "md_chart_net": ("组合净现值", "Bundle NPV"),
    "md_chart_left": ("未平衡的老旧小区", "Unbalanced packages"),
    # The terminal (finmodel run / validate)
    "cli_reading": ("读取情景 {0}", "reading {0}"),
    "cli_allocating": ("测算分配：{0:,.2f} 万元，{1} 个资金池，{2} 个单位", "allocating {0:,.2f} 10k yuan in {1} pools "
                       "among {2} units"),
    "cli_allocating_line": ("测算分配", "allocating"),
    "cli_evaluating": ("测算现金流：{0} 个项目", "evaluating {0} project(s)"),
    "cli_evaluating_line": ("测算项目", "projects"),
    "cli_modes_line": ("检查资金平衡模式", "checking the funding modes"),
    "cli_planning": ("编制计划：{0} 个小区，{1}—{2} 年", "planning {0} communities over {1}–{2}"),
    "cli_planning_line": ("编制计划", "planning"),
    "cli_solve": ("第 {0} 次求解", "solve {0}"),
    "cli_solve_record": ("  第 {0} 次求解：{1} — {2}{3}，{4:.2f} 秒", "  solve {0}: {1} — {2}{3}, {4:.2f} s"),
    "cli_gap": ("，相对差距 {0:.4%}", ", gap {0:.4%}"),
    "cli_wrote": ("已写出 {0}", "wrote {0}"),
    "cli_note": ("注：{0}", "note: {0}"),
    "cli_checks": ("合规检查：{0} 项通过，{1} 项未通过", "checks: {0} passed, {1} failed"),
    "cli_check_failed": ("  未通过：{0}：{1}", "  failed: {0}: {1}"),
    "cli_unallocated": ("未分配：{0}", "unallocated: {0}"),
    "cli_plan_solved": ("计划求解用时 {0:.2f} 秒（{1}，允许 {2:.2%}）：{4} 个符合条件的小区中 {3} 个列入计划",
                        "plan solved in {0:.2f} s ({1}, allowed {2:.2%}): {3} of {4} eligible communities planned"),
    "cli_plan_gap": ("相对差距 {0:.4%}", "relative gap {0:.4%}"),
    "cli_plan_no_gap": ("求解器未报告差距", "gap not reported by the solver"),
    "cli_deadline": ("  {0}：{2:,} 户中 {1:,} 户未能按期完成", "  {0}: {1:,} of {2:,} households miss it"),
    "cli_deadline_money": ("；再增加 {0:,.2f} 万元可按期完成", "; {0:,.2f} 10k yuan more would meet it"),
    "cli_error": ("错误：{0}", "error: {0}"),
    "cli_unexpected": ("错误：程序内部错误 {0}：{1}", "error: unexpected {0}: {1}"),
    "cli_debug_hint": ("（加 --debug 重新运行可查看详情）", " (rerun with --debug for details)"),
    "cli_interrupted": ("已中断，未写出任何文件", "interrupted; nothing was written"),
    "cli_interrupted_after": ("已中断；中断前已完成并写出：{0}；其余未写出", "interrupted; written before it: {0}; nothing else"),
    "cli_scenario_header": ("== {0} ==", "== {0} =="),
    "cli_brief_allocation": ("{0:,.2f} 万元分给 {1} 个单位，合规检查 {2}/{3} 项通过", "{0:,.2f} (10k yuan) to {1} units, {2}/{3} checks passed"),
    "cli_brief_projects": ("{0} 个项目，补助后净现值合计 {1:,.2f} 万元{2}", "{0} projects, NPV after grants {1:,.2f} (10k yuan) in all{2}"),
    "cli_brief_balanced": ("，{0}/{1} 个单位资金平衡", ", {0}/{1} units balance"),
    "cli_brief_risk": ("，最低资金平衡概率 {0:.1%}", ", least P(balance) {0:.1%}"),
    "cli_brief_plan": ("{0:,}/{1:,} 个符合条件的小区列入计划，各期限未按期户数 {2}", "{0:,} of {1:,} eligible communities planned; households missing each deadline: {2}"),
    "cli_runs": ("共运行 {0} 个情景：{1} 个完成，{2} 个失败（退出码 {3}）",
                 "{0} scenarios run: {1} done, {2} failed (exit code {3})"),
    "cli_valid_plan": ("{0}：有效 — {1} 个小区，{2} 个区县", "{0}: valid — {1} communities, {2} districts"),
    "cli_valid_projects": ("{0}：有效 — {1} 个项目：{2}", "{0}: valid — {1} project(s): {2}"),
    "cli_valid_allocation": ("{0}：有效 — {1} 个单位；资金池：{2}", "{0}: valid — {1} units; pools: {2}"),
    "cli_large_run": ("大规模测算：{0:,} 个单位；预计约 {1}（{2}），内存峰值约 {3}，allocation.xlsx 约 {4}（{5:,} 个单元格）；"
                      "按实测速率估算，仅供参考",
                      "large run: {0:,} units; expect about {1} ({2}), peak memory about {3}, allocation.xlsx about "
                      "{4} ({5:,} cells); approximate, from measured rates"),
    "cli_phase_lp": ("分配计算", "allocation fit"),
    "cli_phase_workbook": ("工作簿", "workbook"),
    "cli_phase_other": ("其他", "the rest"),
    "projects_more_line": ("… 共 {0} 个项目：补助及奖补后净现值不小于0的 {1} 个；资金缺口合计 {2:,.2f} 万元",
                           "… {0} projects: {1} with NPV after grants ≥ 0; funding gap in total {2:,.2f} 10k yuan"),
    "cli_writing": ("写入报表", "writing the reports"),
    # 年度计划 (multi-year plan)
    "pl_sheet_annual": ("年度计划表", "Annual plan"),
    "pl_sheet_list": ("项目清单", "Communities planned"),
    "pl_sheet_eligibility": ("资格审查", "Eligibility"),
    "pl_sheet_deadlines": ("期限检查", "Deadlines"),
    "pl_district": ("区县", "District"),
    "pl_year": ("年度", "Year"),
    "pl_communities": ("小区个数（个）", "Communities"),
    "pl_households": ("改造户数（户）", "Households"),
    "pl_buildings": ("楼栋数（栋）", "Buildings"),
    "pl_floor_area_m2": ("改造面积（平方米）", "Floor area (m²)"),
    "pl_cost_wan": ("基础类改造投资（万元）", "Basic-facility cost (10k yuan)"),
    "pl_budget_wan": ("预算（万元）", "Budget (10k yuan)"),
    "pl_unspent_wan": ("结余（万元）", "Unspent (10k yuan)"),
    "pl_compile_by": ("计划编制截止（三(四)）", "Plan compiled by (三(四))"),
    "pl_id": ("编号", "Id"),
    "pl_name": ("小区名称", "Community"),
    "pl_year_built": ("建成年份", "Built"),
    "pl_priority": ("优先级得分", "Priority score"),
    "pl_planned_year": ("计划改造年度", "Planned year"),
    "pl_not_planned": ("未安排", "not planned"),
    "pl_eligible": ("纳入基础类改造", "In the basic plan"),
    "pl_reason": ("排除原因", "Excluded because"),
    "pl_clause": ("条款", "Clause"),
    "pl_special_only": ("可实施专项改造", "Special renovation only"),
    "pl_reading_note": (
        "口径：“X年前建成”指X年12月31日前建成（含X年，与一(二)“2005年12月31日前建成”一致），"
        "故“2000年前建成”含{priority}年建成的小区；改造范围为{built_by}（含当日）前建成的小区；居民改造意愿以同意比例不低于{consent}"
        "（含{consent}）计。",
        "Reading: \"built before year X\" (X年前建成) means built by 31 December of X, X included, as 一(二) writes "
        "2005年12月31日前, so \"built before 2000\" includes communities built in {priority}; in scope: built on or before {built_by}; "
        "strong resident will as at least {consent} of residents consenting ({consent} included)."),
    "pl_rule_built_by_2005": ("2005年底前建成", "Built by 2005"),
    "pl_rule_state_land": ("国有土地", "State-owned land"),
    "pl_rule_resident_will": ("居民意愿强烈", "Strong resident will"),
    "pl_rule_needs_work": ("设施有欠账", "Facilities missing"),
    "pl_rule_not_done_provincially": ("未按省级计划改造", "Not done under the provincial plan"),
    "pl_rule_not_three_supplies": ("未纳入“三供一业”改造", "Not a 三供一业 dormitory"),
    "pl_three_supplies": ("“三供一业”宿舍区", "三供一业 dormitory"),
    "pl_sheet_three_supplies": ("三供一业", "三供一业 dormitories"),
    "fund_sheet": ("资金来源", "Funding"),
    "need_sheet": ("补助需求", "Need"),
    "need_title": ("补助资金需求及不列入补助的资金（万元）", "Need, and money the subsidy pools do not pay (10k yuan)"),
    "need_total": ("资金需求（万元）", "Need (10k yuan)"),
    "need_three_supplies": ("其中：“三供一业”宿舍区（万元）", "of which 三供一业 dormitories (10k yuan)"),
    "need_special": ("其中：专项改造（万元）", "of which special renovations (10k yuan)"),
    "need_pools": ("可由补助资金承担的需求（万元）", "Need the pools may pay (10k yuan)"),
    "need_allocated": ("分配合计（万元）", "Allocated (10k yuan)"),
    "need_note": ("三(五)：已纳入“三供一业”改造的国有企业宿舍区按照相关政策筹集改造资金，专项改造资金由相关部门（单位）筹集；"
                  "两者不由中央、省、市补助资金承担，故从需求中扣除。",
                  "三(五): 三供一业 dormitories are funded under that policy and special renovations by the responsible "
                  "departments; the central, provincial and city pools pay neither, so both come out of the need."),
    "fund_route": ("资金渠道", "Funding route"),
    "fund_payer": ("出资方", "Payer"),
    "subtotal": ("小计", "Subtotal"),
    "fund_project_payer": ("项目自身资金", "the project's own money"),
    "fund_sources_title": ("资金到位（按来源，万元）", "Money in by source (10k yuan)"),
    "cf_fund_title": ("{0}改造投资资金渠道（万元）", "{0}: investment by funding route (10k yuan)"),
    "cf_fund_note": ("按改造内容目录（二(一)、三(三)、三(五)、附件1）确定各项投资的资金渠道；目录未列的内容及整体列支的完善类、"
                     "提升类投资由项目自身资金承担。下表为各来源实际到位资金。",
                     "Each investment line's route by the cost catalogue (二(一), 三(三), 三(五), 附件1); a line the "
                     "catalogue does not name, and improvement or upgrade work as a whole, is the project's own. "
                     "Below: the money each source puts in."),
    "fund_three_supplies": ("“三供一业”宿舍区（不列入计划）", "三供一业 dormitories (not planned)"),
    "fund_special_only": ("仅可专项改造（不列入基础类计划）", "Special renovation only (not in the basic plan)"),
    "pl_fund_title": ("{0}资金来源（万元）", "{0}: funding by payer (10k yuan)"),
    "pl_fund_note": ("按改造内容目录（二(一)、三(三)、三(五)、附件1）归集：计划内小区按计划年度列示全部改造内容；基础类公共设施"
                     "由各级财政负担、区县统筹，与年度计划表的基础类投资一致；专项改造由相关部门（单位）筹集，不列入补助资金"
                     "需求；屋面、共用排水管道、加装电梯由房屋所有人自筹。",
                     "By the cost catalogue (二(一), 三(三), 三(五), 附件1): planned communities in their plan year with "
                     "all their work; basic public facilities from public budgets pooled by the district, equal to "
                     "the annual plan's basic cost; special renovations from the responsible departments, outside "
                     "the subsidy need; roofs, shared drains and elevators from the owners."),
    "cat_sheet": ("改造内容", "Cost catalogue"),
    "policy_catalogue_value": ("共 {0} 项，逐项见“改造内容”工作表", "{0} items, listed in the sheet Cost catalogue"),
    "cat_title": ("改造内容、实施主体及资金渠道（二(一)、三(三)、三(五)、附件1）",
                  "Items, implementers and funding routes (二(一), 三(三), 三(五), 附件1)"),
    "cat_code": ("代码", "Code"),
    "cat_name": ("改造内容", "Item"),
    "cat_category": ("类别", "Category"),
    "cat_implementer": ("实施主体", "Implementer"),
    "cat_clause": ("条款", "Clause"),
    "cat_rate": ("单位造价（元/平方米）", "Unit cost (yuan/m²)"),
    "cat_default": ("默认内容", "Default"),
    "cat_aliases": ("别名", "Other names"),
    "pl_three_title": ("已纳入“三供一业”改造的国有企业宿舍区（按相关政策筹集资金，不列入基础类改造计划，济政办字〔2020〕21号 三(五)）",
                       "State-owned enterprises' dormitories under 三供一业 (funded by that policy, outside the basic-facility plan: 济政办字〔2020〕21号 三(五))"),
    "pl_owner_unit_wan": ("原产权单位承担（万元）", "Former owner unit (10k yuan)"),
    "pl_policy_funds_wan": ("“三供一业”政策资金（万元）", "三供一业 policy funds (10k yuan)"),
    "cli_three_supplies": ("“三供一业”宿舍区 {0} 个（{1:,} 户）不列入计划：基础类改造投资 {2:,.2f} 万元，其中原产权单位承担 {3:,.2f} 万元",
                           "{0} 三供一业 dormitories ({1:,} households) outside the plan: basic works {2:,.2f} (10k yuan), of which the former owner units pay {3:,.2f}"),
    "pl_deadline": ("期限", "Deadline"),
    "pl_by_year": ("完成年度", "By year"),
    "pl_covered_communities": ("涉及小区（个）", "Communities covered"),
    "pl_covered_households": ("涉及户数（户）", "Households covered"),
    "pl_missed_communities": ("未按期小区（个）", "Communities missed"),
    "pl_missed_households": ("未按期户数（户）", "Households missed"),
    "pl_missed_list": ("未按期小区", "Missed communities"),
    "pl_missed_more": ("等 {0} 个（全部见 plan.csv 的“未按期”列）", " and others, {0} in all (every one is flagged in plan.csv)"),
    "pl_extra_money_wan": ("按期完成需追加资金（万元）", "Extra money to meet it (10k yuan)"),
    "pl_extra_title": ("{0}：按期完成需各区县逐年追加的资金（万元）", "{0}: extra money by district and year (10k yuan)"),
    "pl_not_plannable": ("期限早于计划首年，本计划无法安排", "before the plan's first year: this plan cannot meet it"),
    "pl_solver_line": ("求解：{0}；相对间隙 {1}（允许 {2}）", "Solved by {0}; relative gap {1} (allowed {2})"),
    "pl_chart_title": ("各区县逐年计划改造户数", "Households planned by district and year"),
    "cf_bulk_omitted": (
        "项目数超过{0}个，本表从略，完整数据见 {1}。",
        "More than {0} projects: this sheet is left out; the full table is in {1}.",
    ),
    "cf_annual_omitted": (
        "项目数超过{0}个，逐年现金流量表从略；各项目指标见汇总表和 cashflow.csv。",
        "More than {0} projects: the annual tables are left out; every project's figures are in the summary and "
        "cashflow.csv.",
    ),
}


CSV_HEADERS: dict[str, tuple[str, str]] = {
    # Columns of the CSV files that no sheet labels the same way.
    "id": ("编号", "Id"),
    "consent_share": ("居民同意比例", "Residents' consent share"),
    "land_type": ("土地性质", "Land type"),
    "prior_plan": ("已列入的计划", "Earlier plan"),
    "prior_year": ("已列入年度", "Earlier plan year"),
    "gap_count": ("设施欠账项数（项）", "Facility gaps"),
    "cost_basic_wan": ("基础类改造投资（万元）", "Basic-facility cost (10k yuan)"),
    "cost_utilities_wan": ("专业设施改造投资（万元）", "Utilities cost (10k yuan)"),
    "cost_improvement_wan": ("完善类改造投资（万元）", "Improvement cost (10k yuan)"),
    "cost_upgrade_wan": ("提升类改造投资（万元）", "Upgrade cost (10k yuan)"),
    "estimated_basic": ("基础类投资为估算", "Basic cost estimated"),
    "estimated_utilities": ("专业设施投资为估算", "Utilities cost estimated"),
    "estimated_improvement": ("完善类投资为估算", "Improvement cost estimated"),
    "estimated_upgrade": ("提升类投资为估算", "Upgrade cost estimated"),
    "misses": ("未按期：{0}", "Misses: {0}"),
    "npv_ok": ("净现值检验通过", "NPV test passed"),
    "coverage_numerator_wan": ("覆盖倍数分子（万元，可用于还本付息的收入）", "Coverage numerator (10k yuan)"),
    "coverage_denominator_wan": ("覆盖倍数分母（万元，本息）", "Coverage denominator (10k yuan)"),
    "coverage_ok": ("覆盖倍数检验通过", "Coverage test passed"),
    "cash_ok": ("现金检验通过", "Cash test passed"),
    "income_scale_outcome": ("收入倍数测算结果", "Income scale outcome"),
    "outcome_found": ("已求得", "found"),
    "outcome_without": ("无需增加收入", "needs no more income"),
    "outcome_beyond": ("超过1000倍仍不平衡", "does not balance even at 1,000×"),
    "outcome_no_income": ("无经营收入", "no operating income"),
    "land_state_owned": ("国有土地", "state-owned land"),
    "land_collective": ("集体土地", "collective land"),
    "land_other": ("其他", "other"),
    "csv_row_kind": ("行类别", "Row kind"),
    "csv_row_unit": ("单位", "unit"),
    "csv_row_total": ("合计", "total"),
    "csv_row_unallocated": ("未分配", "unallocated"),
}


def csv_header(key: str, lang: str, prefixes: tuple[str, ...] = ()) -> str:
    """The header of a CSV column in ``lang``: the CSV's own label, else a sheet's (tried with each of
    ``prefixes`` first, e.g. "pl_" for the plan's), else the key itself, which the report tests refuse in zh."""
    for name in [prefix + key for prefix in prefixes] + [key]:
        if name in CSV_HEADERS:
            return CSV_HEADERS[name][LANGS.index(lang)]
        if name in TEXT:
            return t(name, lang)
    return key


def t(key: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGS)})")
    return TEXT[key][LANGS.index(lang)]


CATEGORY = {"basic": ("基础类", "basic"), "utilities": ("专业设施", "utilities"), "improvement": ("完善类", "improvement"),
            "upgrade": ("提升类", "upgrade")}
ROUTE = {"public": ("财政资金", "public budgets"), "department": ("专项改造资金", "departments' special funds"),
         "utility": ("专业经营单位", "utility companies"), "owners": ("房屋所有人", "owners"),
         "project": ("项目统筹", "the project's own funding"), "three_supplies": ("“三供一业”资金", "三供一业 funding")}
"""Funding routes of the cost catalogue (三(五)), and the 三供一业 dormitories' own (``policy/catalogue.py``)."""
IMPLEMENTER = {"district": ("区县政府确定的实施主体", "the district's entity"),
               "department": ("市有关部门确定的实施主体", "a city department's entity"),
               "utility": ("专业经营单位", "a utility company"), "owners": ("房屋所有人", "the owners")}
SOLVE_STATUS = {"Optimal": ("最优", "Optimal"), "Infeasible": ("无可行解", "Infeasible"),
                "Unbounded": ("无界", "Unbounded"), "Not Solved": ("未求解完成", "Not Solved"),
                "Undefined": ("未确定", "Undefined")}
"""A solve's status as PuLP names it (the solver's records keep PuLP's words)."""

INCOME_KIND = {"parking": ("停车收入", "parking"), "rent": ("租金收入", "rent"), "charging": ("充电收入", "charging"),
               "property": ("物业服务收入", "property services"), "advertising": ("广告收入", "advertising"),
               "canteen": ("食堂收入", "canteen"), "elderly_care": ("养老服务收入", "elderly care"),
               "other": ("其他收入", "other income")}
PARTY = {"central": ("中央补助", "central subsidy"), "provincial": ("省级补助", "provincial subsidy"),
         "city": ("市级补助", "city subsidy"), "district": ("区县补助", "district subsidy"),
         "residents": ("居民出资", "residents"), "utilities": ("专业经营单位出资", "utilities"),
         "owner_units": ("原产权单位出资", "former owner units"), "maintenance_fund": ("住房维修资金", "maintenance fund"),
         "social_capital": ("社会资本", "social capital"), "pooled_fund": ("统筹资金", "pooled fund"),
         "departments": ("专项改造资金", "departments' special funds"), "other": ("其他资金", "other")}
GRADE = {"优": ("优", "excellent"), "良": ("良", "good"), "合格": ("合格", "pass"), "差": ("差", "poor")}
UNIT = {"元/个·月": ("元/个·月", "yuan per space a month"), "元/m²·月": ("元/m²·月", "yuan per m² a month"),
        "元/kWh": ("元/kWh", "yuan per kWh"), "万元/年": ("万元/年", "10k yuan a year"), "万元": ("万元", "10k yuan"),
        "×": ("×", "×")}
METHOD = {"equal_installment": ("等额本息", "equal instalments"), "equal_principal": ("等额本金", "equal principal"),
          "bullet": ("到期一次还本", "bullet")}


PAYEE = {"project": ("项目账户", "project account"), "residents": ("居民", "residents"),
         "utilities": ("专业经营单位", "utilities"), "owner_units": ("原产权单位", "former owner units"),
         "maintenance_fund": ("住房维修资金", "maintenance fund"), "social_capital": ("社会资本", "social capital"),
         "pooled_fund": ("统筹资金", "pooled fund"), "departments": ("责任部门", "responsible departments"),
         "other": ("其他出资方", "other contributors")}
"""Who receives (part of) a reward: the project account, or the party that bore the cost."""


def item_label(item: str, lang: str) -> str:
    """A capex item's name in reports: a category (基础类 …) or a known item (屋面, 管网改造 …) by its label, any
    other as the scenario writes it (a Chinese name such as 雨污分流 stays as it is)."""
    if item in CATEGORY:
        return word(CATEGORY, item, lang)
    pair = TEXT.get(f"item_{item}")
    return pair[LANGS.index(lang)] if pair else item


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """A code word's label from one of the tables above; an unknown word shows as itself."""
    pair = table.get(key)
    return pair[LANGS.index(lang)] if pair else key


def pool_label(pool, lang: str) -> str:
    return pool.label if lang == "zh" else (pool.label_en or pool.id)


# ---------------------------------------------------------------------------------------------
# The allocation engine's codes in words: bound families, findings, shadow prices, explanations.

FAMILY = {
    "need": ("需求上限", "need cap"),
    "need_category": ("分类需求上限", "need cap by category"),
    "cofinancing": ("配套能力上限", "co-financing capacity cap"),
    "hold_harmless_floor": ("较上年保底", "hold-harmless floor"),
    "hold_harmless_cap": ("较上年增幅上限", "hold-harmless cap"),
    "corridor_low": ("不低于测算金额下限", "formula corridor floor"),
    "corridor_high": ("不高于测算金额上限", "formula corridor cap"),
    "minimum": ("最低分配额", "minimum amount"),
    "max_pool_share": ("单项资金占比上限", "maximum share of a pool"),
    "performance_cap": ("绩效差不高于测算金额", "poor performance: no more than formula"),
    "no_plan": ("未列入改造计划不分配", "no renovation planned: nothing"),
}
"""Bound family code → its name."""


def family_label(code: str, lang: str) -> str:
    return word(FAMILY, code, lang)


def _pool(name, lang: str) -> str:
    """A pool as findings and explanations carry it: its (Chinese, English) names, or an id from older data."""
    if isinstance(name, (tuple, list)):
        return name[0] if lang == "zh" else name[1]
    return str(name)


def finding_text(finding, lang: str) -> str:
    """A finding of the allocation's diagnosis (``allocation.diagnose.Finding``: a code and its numbers) in words."""
    p = dict(finding.values)
    code = finding.code
    zh = lang == "zh"
    if code == "floor_above_cap":
        low, high = p["low_wan"], p["high_wan"]
        lo, hi = family_label(p["low_family"], lang), family_label(p["high_family"], lang)
        return (f"{p['unit']}：下限 {low:,.2f} 万元（{lo}）高于上限 {high:,.2f} 万元（{hi}），相差 {low - high:,.2f} 万元"
                if zh else f"{p['unit']}: floor {low:,.2f} (10k yuan, {lo}) is above its cap {high:,.2f} ({hi}) by "
                           f"{low - high:,.2f}")
    if code == "floors_above_pools":
        floors, budget = p["floors_wan"], p["budget_wan"]
        return (f"各区县下限合计 {floors:,.2f} 万元，超过资金总额 {budget:,.2f} 万元 {floors - budget:,.2f} 万元" if zh else
                f"the units' floors add up to {floors:,.2f}, above the pools' {budget:,.2f} by {floors - budget:,.2f}")
    if code == "caps_below_pools":
        room, budget = p["room_wan"], p["budget_wan"]
        return (f"各区县上限合计 {room:,.2f} 万元，低于资金总额 {budget:,.2f} 万元：至少 {budget - room:,.2f} 万元将列为未分配"
                if zh else f"the units' caps add up to {room:,.2f}, below the pools' {budget:,.2f}: at least "
                           f"{budget - room:,.2f} will stay unallocated")
    if code == "pool_caps_below_pool":
        pool = _pool(p["pool"], lang)
        return (f"{pool}：可接受额度合计 {p['room_wan']:,.2f} 万元，低于资金额 {p['pool_wan']:,.2f} 万元" if zh else
                f"pool {pool}: the units can take at most {p['room_wan']:,.2f} of its {p['pool_wan']:,.2f}")
    if code == "pool_no_eligible_need":
        listed = [word(CATEGORY, c, lang) for c in p["categories"]]
        pool = _pool(p["pool"], lang)
        return (f"{pool}只能用于{'、'.join(listed) or '（无）'}，但没有区县在这些类别有需求：全部列为未分配"
                if zh else f"pool {pool} may pay only for {', '.join(listed) or '(nothing)'}, and no unit has "
                           f"need there: all of it stays unallocated")
    if code == "coupled_caps":
        return (f"各区县在各项约束下可接受额度不足，{p['unallocated_wan']:,.2f} 万元列为未分配" if zh else
                f"under all the rules together the units can take no more: {p['unallocated_wan']:,.2f} stays "
                "unallocated")
    if code == "elastic_failed":
        return f"弹性模型求解失败：{p['message']}" if zh else f"elastic solve failed: {p['message']}"
    if code == "proportional_factors":
        first, second = column_label(p["first"], lang), column_label(p["second"], lang)
        pools = [f"{zh_name}（{wa:g} + {wb:g}）" if zh else f"{en_name} ({wa:g} + {wb:g})"
                 for zh_name, en_name, wa, wb in p["pools"]]
        return (f"因素“{second}”与“{first}”在各单位成比例（前者 = 后者 × {p['ratio']:.6g}），两者只代表一项数据："
                f"{'、'.join(pools)}中两者的权重实际都计在“{first}”上" if zh else
                f"factors '{second}' and '{first}' are proportional in every unit ({p['second']} = {p['first']} × "
                f"{p['ratio']:.6g}): they are one quantity, and in {', '.join(pools)} both weights go to it")
    if code.startswith("missed_"):
        family = family_label(p["family"], lang)
        pool = None if p["pool"] is None else _pool(p["pool"], lang)
        where = p["unit"] + ("" if pool is None else (f"（{pool}）" if zh else f" ({pool})"))
        return (f"{where}：{family}无法满足，至少差 {finding.amount_wan:,.2f} 万元" if zh else
                f"{where}: {family} cannot be met, short by at least {finding.amount_wan:,.2f}")
    raise KeyError(f"no words for the finding '{code}'")


PRICE = {
    "max_households": ("影子价格：每放宽1万元，可多资助{:.4f}户",
                       "shadow price: {:.4f} more households per 10k yuan of relaxation"),
    "max_min_coverage": ("影子价格：每放宽1万元，最低需求保障率提高{:.4f}个百分点",
                         "shadow price: least coverage up {:.4f} points per 10k yuan"),
    "formula_fit": ("影子价格：每放宽1万元，最大偏离率降低{:.4f}个百分点",
                    "shadow price: largest deviation down {:.4f} points per 10k yuan"),
}
"""Shadow-price wording by objective; the number is ``allocation.explain.shown_price``."""

OBJECTIVE_MOVE = {"max_households": "按资助户数最大化目标调整", "max_min_coverage": "按最低需求保障率最大化目标调整"}


def price_text(price: float, objective: str, lang: str) -> str:
    from .allocation.explain import shown_price

    return word(PRICE, objective, lang).format(shown_price(price, objective))


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def explanation_remark(explanation, lang: str) -> str:
    """The short remark on why a unit moved (汇总's 备注)."""
    names = _unique(family_label(r.family, lang) for r in explanation.rules)
    if explanation.cause == "rules":
        return ("受" + "、".join(names) + "约束") if lang == "zh" else "held by " + ", ".join(names)
    if explanation.cause == "objective":
        return "按分配目标调整" if lang == "zh" else "moved by the objective"
    if names:
        return ("分摊差额，受" + "、".join(names) + "约束") if lang == "zh" else (
            "pro rata share, stopped by " + ", ".join(names))
    return "按测算比例分摊差额" if lang == "zh" else "pro rata share of the difference"


def explanation_sentence(explanation, lang: str, objective: str = "formula_fit") -> str:
    """Why a unit's final amount differs from its formula amount, in one plain sentence."""
    e = explanation
    diff = e.difference_wan
    if lang == "zh":
        rules = [f"{family_label(r.family, 'zh')}（{_pool(r.pool, 'zh') + '，' if r.pool else ''}"
                 f"{r.limit_wan:,.2f}万元" + ("" if r.shadow_price is None else
                                            f"；{price_text(r.shadow_price, objective, 'zh')}") + "）" for r in e.rules]
        move = "增加" if diff > 0 else "减少"
        head = f"{e.district}测算金额{e.formula_wan:,.2f}万元，最终分配{e.final_wan:,.2f}万元，{move}{abs(diff):,.2f}万元："
        if e.cause == "rules":
            return head + "受" + "；".join(rules) + "约束。"
        if e.cause == "objective":
            return head + OBJECTIVE_MOVE.get(objective, "按分配目标调整") + "。"
        if e.rules:
            return head + ("分摊受约束区县形成的差额，" + ("上调" if diff > 0 else "下调") + "至" + "；".join(rules) + "为止。")
        return head + (f"未受自身约束，与其他未受约束区县按各项资金测算金额同比例{'上调' if diff > 0 else '下调'}"
                       f"（合计{abs(e.level or 0) * 100:.2f}%），分摊受约束区县形成的差额。")
    move = "up" if diff > 0 else "down"
    head = f"{e.district}: formula {e.formula_wan:,.2f}, final {e.final_wan:,.2f} ({move} {abs(diff):,.2f}, 10k yuan): "
    parts = [f"{family_label(r.family, 'en')}{' (' + _pool(r.pool, 'en') + ')' if r.pool else ''} at {r.limit_wan:,.2f}"
             + ("" if r.shadow_price is None else f" ({price_text(r.shadow_price, objective, 'en')})") for r in e.rules]
    if e.cause == "rules":
        return head + "held by " + "; ".join(parts) + "."
    if e.cause == "objective":
        return head + f"moved by the objective {objective}."
    if parts:
        return head + "sharing what the bound units could not take or needed, until stopped by " + "; ".join(parts) + "."
    return head + (f"bound by nothing of its own, it moves {move} pro rata with the other free units in each pool "
                   f"({abs(e.level or 0) * 100:.2f} % in total), sharing what the bound units could not take or needed.")


COLUMN = {
    "communities": ("改造小区个数", "Communities renovated", "个", "count"),
    "buildings": ("改造楼栋数", "Buildings renovated", "栋", "count"),
    "households": ("改造户数", "Households renovated", "户", "households"),
    "floor_area_m2": ("改造面积", "Floor area renovated", "平方米", "m²"),
    "investment_wan": ("投资额", "Investment", "万元", "10k yuan"),
    "performance_score": ("绩效评价得分", "Performance score", "分", "points"),
    "fiscal_capacity_ratio": ("财政自给率", "Fiscal self-sufficiency", "收入÷支出", "revenue ÷ expenditure"),
    "budget_revenue_wan": ("一般公共预算收入", "General budget revenue", "万元", "10k yuan"),
    "budget_expenditure_wan": ("一般公共预算支出", "General budget expenditure", "万元", "10k yuan"),
    "difficulty_coef": ("财政困难程度系数", "Fiscal difficulty coefficient", "", ""),
}
"""District-table columns finmodel knows: Chinese and English name, Chinese and English unit."""


def column_label(name: str, lang: str) -> str:
    """A district-table column's name with its unit; a column finmodel does not know shows as itself."""
    if name not in COLUMN:
        return name
    zh, en, unit_zh, unit_en = COLUMN[name]
    text, unit = (zh, unit_zh) if lang == "zh" else (en, unit_en)
    if not unit:
        return text
    return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"


def check_label(check, pools: dict, lang: str) -> str:
    """A compliance check's name (合规检查), prefixed with its pool's name when it is about one pool."""
    if check.code.startswith("bound_"):
        name = t("check_bound", lang).format(family_label(check.code.removeprefix("bound_"), lang))
    else:
        name = t(f"check_{check.code}", lang)
    if check.pool:
        label = pool_label(pools[check.pool], lang)
        name = f"{label}：{name}" if lang == "zh" else f"{label}: {name}"
    return name

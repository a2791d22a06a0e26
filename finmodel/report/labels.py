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
    "date": ("日期：", "Date:"),
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
    "unweighted_note": ("（不乘系数）", " (no coefficient)"),
    "recompute_note": (
        "调整值 = 原值（逆向因素取倒数）× 系数；因素占比 = 调整值 ÷ 调整值合计；加权占比 = 因素占比 × 权重；"
        "综合占比 = 各加权占比之和；测算金额 = 资金总额 × 综合占比；分配金额按最大余数法取至0.01万元，合计与资金总额相等。",
        "Adjusted = value (1/value for an inverse factor) × coefficient; factor share = adjusted ÷ column total; "
        "weighted share = factor share × weight; share = sum of weighted shares; formula amount = pool × share; "
        "allocated = formula amount rounded to 0.01 (10k yuan) by largest remainder, summing exactly to the pool.",
    ),
    "derived_note": (
        "系数按财政自给率三分位确定：最低三分之一 {0}，中间 {1}，最高三分之一 {2}（假设，来源：{3}）",
        "Coefficient by tercile of self-sufficiency: poorest third {0}, middle {1}, richest third {2} (assumption; source: {3})",
    ),
    # 合规检查
    "check": ("检查项", "Check"),
    "result": ("结果", "Result"),
    "detail": ("说明", "Detail"),
    "passed": ("通过", "passed"),
    "failed": ("未通过", "FAILED"),
    "check_pool_spent": ("资金全部分配（已分配 / 资金总额，万元）", "Pool spent exactly (allocated / pool, 10k yuan)"),
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
    "no_adjustment": ("各区县分配金额与测算金额之差均不足0.01万元。", "No unit differs from its formula amount by 0.01 or more."),
    "objective": ("分配目标", "Objective"),
    "objective_formula_fit": ("贴近因素法测算金额（相对偏离字典序最小最大）", "closest to the formula (lexicographic minimax of relative deviations)"),
    "objective_max_households": ("资助户数最多", "most households funded"),
    "objective_max_min_coverage": ("最低需求保障率最高", "largest least share of need covered"),
    "solver_line": ("求解器：{0}；求解次数 {1}；状态 {2}", "Solver: {0}; solves {1}; status {2}"),
    "findings": ("求解前检查与未分配说明", "Checks before solving and unallocated money"),
    "unallocated_reason": ("未分配原因", "Why unallocated"),
    "chart_formula": ("测算金额", "Formula amount"),
    "chart_final": ("分配金额", "Allocated"),
    "chart_compare_title": ("测算金额与分配金额对比", "Formula and allocated amounts"),
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
    "npv_after_grants_wan": ("补助后净现值（万元）", "NPV after grants (10k yuan)"),
    "irr_project": ("项目内部收益率（%）", "Project IRR (%)"),
    "irr_equity": ("资本金内部收益率（%）", "Equity IRR (%)"),
    "payback_static_years": ("静态投资回收期（年，含建设期）", "Payback (years from start of construction)"),
    "payback_discounted_years": ("动态投资回收期（年，含建设期）", "Discounted payback (years from start)"),
    "peak_funding_need_wan": ("最大资金占用（万元）", "Peak funding need (10k yuan)"),
    "funding_gap_wan": ("资金缺口（万元，使补助后净现值为0）", "Funding gap: grant for NPV 0 (10k yuan)"),
    "dscr_min": ("最低DSCR（倍）", "Lowest DSCR (×)"),
    "dscr_min_year": ("最低DSCR年份", "Year of lowest DSCR"),
    "llcr_first": ("运营首年LLCR（倍）", "LLCR, first operating year (×)"),
    "cumulative_cash_min_wan": ("融资后累计现金最低值（万元）", "Lowest cumulative cash after financing (10k yuan)"),
    "first_year_cash_negative": ("累计现金首次为负年份", "First year cumulative cash < 0"),
    "irr_status_no_sign_change": ("现金流无正负变化，无内部收益率", "no sign change: no IRR"),
    "irr_status_multiple_roots": ("存在多个内部收益率：{0}", "several IRRs: {0}"),
    "irr_status_not_converged": ("无使净现值为0的收益率", "no rate gives NPV 0"),
    "none": ("无", "none"),
    "cf_notes": ("说明", "Notes"),
    "cf_note_npv": (
        "现金流按年末发生；净现值以第一个建设年度（{0}年）为基准折现，该年现金流不折现，折现率{1}。",
        "Flows fall at year end; NPV is discounted to the first construction year ({0}), whose flow is not "
        "discounted, at {1}.",
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
    "cf_chart_cumulative": ("融资后累计现金", "Cumulative cash after financing"),
    "cf_chart_dscr": ("DSCR（右轴）", "DSCR (right axis)"),
    "cf_chart_bulk": ("各项目补助后净现值与最低DSCR", "NPV after grants and lowest DSCR by project"),
    "cf_annual_omitted": (
        "项目数超过{0}个，逐年现金流量表从略；各项目指标见汇总表和 cashflow.csv。",
        "More than {0} projects: the annual tables are left out; every project's figures are in the summary and "
        "cashflow.csv.",
    ),
}


def t(key: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGS)})")
    return TEXT[key][LANGS.index(lang)]


CATEGORY = {"basic": ("基础类", "basic"), "improvement": ("完善类", "improvement"), "upgrade": ("提升类", "upgrade")}
INCOME_KIND = {"parking": ("停车收入", "parking"), "rent": ("租金收入", "rent"), "charging": ("充电收入", "charging"),
               "property": ("物业服务收入", "property services"), "advertising": ("广告收入", "advertising"),
               "canteen": ("食堂收入", "canteen"), "elderly_care": ("养老服务收入", "elderly care"),
               "other": ("其他收入", "other income")}
PARTY = {"central": ("中央补助", "central subsidy"), "provincial": ("省级补助", "provincial subsidy"),
         "city": ("市级补助", "city subsidy"), "district": ("区县补助", "district subsidy"),
         "residents": ("居民出资", "residents"), "utilities": ("专业经营单位出资", "utilities"),
         "owner_units": ("原产权单位出资", "former owner units"), "maintenance_fund": ("住房维修资金", "maintenance fund"),
         "social_capital": ("社会资本", "social capital"), "pooled_fund": ("统筹资金", "pooled fund"),
         "other": ("其他资金", "other")}
METHOD = {"equal_installment": ("等额本息", "equal instalments"), "equal_principal": ("等额本金", "equal principal"),
          "bullet": ("到期一次还本", "bullet")}


def word(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """A code word's label from one of the tables above; an unknown word shows as itself."""
    pair = table.get(key)
    return pair[LANGS.index(lang)] if pair else key


def pool_label(pool, lang: str) -> str:
    return pool.label if lang == "zh" else (pool.label_en or pool.id)

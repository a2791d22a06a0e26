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
}


def t(key: str, lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGS)})")
    return TEXT[key][LANGS.index(lang)]


def pool_label(pool, lang: str) -> str:
    return pool.label if lang == "zh" else (pool.label_en or pool.id)

"""Why each unit's final amount differs from its formula amount, in one plain sentence."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .lp import LPSolution
from .problem import FAMILIES, TOTAL_LOWER, AllocationProblem, family_label

LOWER_KINDS = (TOTAL_LOWER,)


@dataclass(frozen=True)
class Rule:
    """A constraint that holds a unit where it is."""

    family: str
    pool: str | None
    limit_wan: float
    shadow_price: float
    """Change of the stage's objective per 万元 of relaxation: for formula fit, of the largest relative
    deviation (a fraction); for max_households, households; for max_min_coverage, the covered share."""


@dataclass(frozen=True)
class Explanation:
    district: str
    formula_wan: float
    final_wan: float
    rules: list[Rule] = field(default_factory=list)
    cause: str = "rules"
    """rules: its own constraints moved it; share: moved pro rata with the free units (``rules`` then lists a
    cap or floor that stopped it short of the common change); objective: moved by the objective."""
    level: float | None = None
    """For ``share``: the unit's relative change of its total (each pool moves by its own common rate)."""

    @property
    def difference_wan(self) -> float:
        return round(self.final_wan - self.formula_wan, 2)

    def remark(self, lang: str) -> str:
        names = _unique(family_label(r.family, lang) for r in self.rules)
        if self.cause == "rules":
            return ("受" + "、".join(names) + "约束") if lang == "zh" else "held by " + ", ".join(names)
        if self.cause == "objective":
            return "按分配目标调整" if lang == "zh" else "moved by the objective"
        if names:
            return ("分摊差额，受" + "、".join(names) + "约束") if lang == "zh" else (
                "pro rata share, stopped by " + ", ".join(names))
        return "按测算比例分摊差额" if lang == "zh" else "pro rata share of the difference"

    def sentence(self, lang: str, objective: str = "formula_fit") -> str:
        diff = self.difference_wan
        if lang == "zh":
            move = "增加" if diff > 0 else "减少"
            head = (f"{self.district}测算金额{self.formula_wan:,.2f}万元，最终分配{self.final_wan:,.2f}万元，"
                    f"{move}{abs(diff):,.2f}万元：")
            if self.cause == "rules":
                return head + "受" + "；".join(self._rules_zh(objective)) + "约束。"
            if self.cause == "objective":
                return head + _objective_zh(objective) + "。"
            if self.rules:
                return head + ("分摊受约束区县形成的差额，" + ("上调" if diff > 0 else "下调") + "至"
                               + "；".join(self._rules_zh(objective)) + "为止。")
            return head + (f"未受自身约束，与其他未受约束区县按各项资金测算金额同比例{'上调' if diff > 0 else '下调'}"
                           f"（合计{abs(self.level or 0) * 100:.2f}%），分摊受约束区县形成的差额。")
        move = "up" if diff > 0 else "down"
        head = (f"{self.district}: formula {self.formula_wan:,.2f}, final {self.final_wan:,.2f} "
                f"({move} {abs(diff):,.2f}, 10k yuan): ")
        parts = [f"{family_label(r.family, 'en')}{' (' + r.pool + ')' if r.pool else ''} at {r.limit_wan:,.2f} "
                 f"({_price(r.shadow_price, objective, 'en')})" for r in self.rules]
        if self.cause == "rules":
            return head + "held by " + "; ".join(parts) + "."
        if self.cause == "objective":
            return head + f"moved by the objective {objective}."
        if parts:
            return head + "sharing what the bound units could not take or needed, until stopped by " + "; ".join(
                parts) + "."
        return head + (f"bound by nothing of its own, it moves {move} pro rata with the other free units in "
                       f"each pool ({abs(self.level or 0) * 100:.2f} % in total), sharing what the bound units "
                       f"could not take or needed.")


    def _rules_zh(self, objective: str) -> list[str]:
        return [f"{family_label(r.family, 'zh')}（{r.pool + '，' if r.pool else ''}"
                f"{r.limit_wan:,.2f}万元；{_price(r.shadow_price, objective, 'zh')}）" for r in self.rules]


def _unique(items) -> list:
    return list(dict.fromkeys(items))


# Shadow-price wording by objective; households are counted, deviations and coverage shown in points.
_PRICE = {
    ("max_households", "zh"): ("影子价格：每放宽1万元，可多资助{:.4f}户", 1),
    ("max_households", "en"): ("shadow price: {:.4f} more households per 10k yuan of relaxation", 1),
    ("max_min_coverage", "zh"): ("影子价格：每放宽1万元，最低需求保障率提高{:.4f}个百分点", 100),
    ("max_min_coverage", "en"): ("shadow price: least coverage up {:.4f} points per 10k yuan", 100),
    ("formula_fit", "zh"): ("影子价格：每放宽1万元，最大偏离率降低{:.4f}个百分点", 100),
    ("formula_fit", "en"): ("shadow price: largest deviation down {:.4f} points per 10k yuan", 100),
}


def shown_price(price: float, objective: str) -> float:
    """A shadow price as reports show it: households per 万元, or points (of deviation or coverage) per 万元."""
    return abs(price) * _PRICE[(objective, "en")][1]


def _price(price: float, objective: str, lang: str) -> str:
    return _PRICE[(objective, lang)][0].format(shown_price(price, objective))


def _objective_zh(objective: str) -> str:
    return {"max_households": "按资助户数最大化目标调整",
            "max_min_coverage": "按最低需求保障率最大化目标调整"}.get(objective, "按分配目标调整")


def explain(problem: AllocationProblem, solution: LPSolution, final_units: np.ndarray) -> list[Explanation]:
    """One explanation per unit whose final total differs from its formula total by 0.01 万元 or more."""
    formula_total = problem.formula.sum(axis=0)
    final_total = final_units.sum(axis=0) / 100
    by_unit: dict[int, list] = {}
    for row in solution.bound_rows:
        by_unit.setdefault(row.unit, []).append(row)
    out = []
    for i, name in enumerate(problem.districts):
        diff = final_total[i] - formula_total[i]
        if abs(diff) < 0.01 - 1e-9:
            continue
        # A bound's price is the largest it took at any formula-fit stage: a cap can bind the stage that settles
        # other units' cells and carry no price at the stage that settles this unit's own.
        stage_duals = [solution.objective_duals] if problem.objective != "formula_fit" else solution.duals
        moving, stopping = [], []  # bounds that pushed it the way it moved; bounds that stopped it moving further
        for row in by_unit.get(i, []):
            if abs(solution.slack.get(row.cid, np.inf)) > 1e-6 * max(1.0, abs(row.limit)):
                continue
            pool = None if row.pool is None else problem.pools[row.pool]
            price = max((d.get(row.cid, 0.0) for d in stage_duals), key=abs, default=0.0)
            rule = Rule(row.family, pool, row.limit, float(price))
            pushes_up = FAMILIES[row.family][0] in LOWER_KINDS
            (moving if pushes_up == (diff > 0) else stopping).append(rule)
        if moving:
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2), moving))
        elif problem.objective != "formula_fit":
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2),
                                   stopping, cause="objective"))
        else:
            level = diff / formula_total[i] if formula_total[i] > 0 else None
            out.append(Explanation(name, round(float(formula_total[i]), 2), round(float(final_total[i]), 2),
                                   stopping, cause="share", level=level))
    return out

"""Funding modes: for each, a hand-built case balanced, not balanced and exactly at break-even, computed in the
test; the cross-area transfers and the multi-source rules by hand; rewards in the cash flow; the bundling
optimiser against brute-force enumeration."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from finmodel.cashflow import evaluate, load_project_scenario
from finmodel.errors import InputError
from finmodel.modes import BundlingProblem, check_modes, solve_bundling, transfer_schedule

RATE = 0.05
ANNUITY = sum(1.05 ** -t for t in range(1, 6))  # year-end flows in years 1–5, year 0 undiscounted

HEAD = """
[scenario]
name = "模式测试"
year = 2025
discount_rate = 0.05
"""


def run(tmp_path, text, overrides=()):
    path = tmp_path / "modes.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    result = evaluate(load_project_scenario(path, overrides))
    return result, check_modes(result)


IN_COMMUNITY = """
[[projects]]
id = "own"
name = "自求平衡"
mode = "in_community"
households = 400
construction_years = 1
operating_years = 5
equity_wan = 600
[projects.capex]
schedule = [1.0]
items_wan = { basic = 1000 }
[[projects.income]]
id = "rooms"
kind = "elderly_care"
amount_wan_per_year = {income}
[[projects.grants]]
id = "city"
party = "city"
amount_wan = 400
"""

# NPV after grants = −1000 + 400 + A × annuity; it is 0 at A* = 600 ÷ annuity.
BREAK_EVEN = 600 / ANNUITY


@pytest.mark.parametrize("income, balanced", [(150.0, True), (120.0, False), (BREAK_EVEN, True)])
def test_in_community(tmp_path, income, balanced):
    _, modes = run(tmp_path, IN_COMMUNITY.replace("{income}", repr(income)))
    row = modes.units.loc["own"]
    assert row["npv_wan"] == pytest.approx(-600 + income * ANNUITY, abs=1e-9)
    assert bool(row["balanced"]) is balanced
    assert row["grant_needed_wan"] == pytest.approx(max(0.0, 600 - income * ANNUITY), abs=1e-9)
    # The income the operating facilities would need: A* ÷ A times today's.
    assert row["income_scale_needed"] == pytest.approx(BREAK_EVEN / income, rel=1e-9)
    assert row["cash_min_wan"] == pytest.approx(0.0, abs=1e-9)  # equity 600 + grant 400 pay the 1,000


def test_in_community_operating_years_needed(tmp_path):
    # A = 150: discounted cumulative −600 + 150 × Σ 1.05^−t reaches 0 during the 5th operating year:
    # 4 + (600 − 150 × annuity₄) ÷ (150 × 1.05^−5).
    _, modes = run(tmp_path, IN_COMMUNITY.replace("{income}", "150.0"))
    annuity4 = sum(1.05 ** -t for t in range(1, 5))
    assert modes.units.loc["own", "operating_years_needed"] == pytest.approx(
        4 + (600 - 150 * annuity4) / (150 * 1.05 ** -5), rel=1e-9)


AREA = """
[[bundles]]
id = "b"
mode = "area_bundle"
members = ["pkg", "comp"]

[[projects]]
id = "pkg"
name = "小区"
area = "甲"
households = 500
construction_years = 1
operating_years = 5
equity_wan = 300
[projects.capex]
schedule = [1.0]
items_wan = { basic = 500 }
[[projects.grants]]
id = "central"
party = "central"
amount_wan = 200

[[projects]]
id = "comp"
name = "旧厂区"
kind = "old_factory"
area = "{area}"
construction_years = 1
operating_years = 5
equity_wan = 1000
[projects.capex]
schedule = [1.0]
items_wan = { building = 1000 }
[[projects.income]]
id = "rent"
kind = "other"
amount_wan_per_year = {income}
"""

# Bundle NPV = (−500 + 200) + (−1000 + B × annuity): 0 at B* = 1,300 ÷ annuity.
AREA_BREAK_EVEN = 1300 / ANNUITY


@pytest.mark.parametrize("income, balanced", [(350.0, True), (250.0, False), (AREA_BREAK_EVEN, True)])
def test_area_bundle(tmp_path, income, balanced):
    _, modes = run(tmp_path, AREA.replace("{income}", repr(income)).replace("{area}", "甲"))
    row = modes.units.loc["b"]
    assert row["npv_wan"] == pytest.approx(-1300 + income * ANNUITY, abs=1e-9)
    assert bool(row["balanced"]) is balanced
    assert row["grant_needed_wan"] == pytest.approx(max(0.0, 1300 - income * ANNUITY), abs=1e-9)
    members = modes.members.set_index("project")
    assert members.loc["pkg", "npv_wan"] == pytest.approx(-300)  # the 瘦 and the 肥, member by member
    assert members.loc["comp", "npv_wan"] == pytest.approx(-1000 + income * ANNUITY)


def test_area_bundle_needs_adjacent_members(tmp_path):
    with pytest.raises(InputError, match=r"bundle .b. is not one area: .*\[pkg\] and \[comp\]"):
        run(tmp_path, AREA.replace("{income}", "350.0").replace("{area}", "乙"))
    # Declared adjacency across areas is enough.
    text = AREA.replace("{income}", "350.0").replace('area = "{area}"', 'area = "乙"\nadjacent = ["pkg"]')
    _, modes = run(tmp_path, text)
    assert modes.units.loc["b", "balanced"]


def area_copy(text: str, suffix: str, area: str) -> str:
    """The two projects of AREA again, with ids ending in ``suffix`` and both in ``area``."""
    body = text.split("[[projects]]", 1)[1]
    return "\n[[projects]]" + body.replace('id = "pkg"', f'id = "pkg{suffix}"').replace(
        'id = "comp"', f'id = "comp{suffix}"').replace('area = "甲"', f'area = "{area}"')


def test_area_bundle_must_be_one_connected_area(tmp_path):
    # Two pairs far apart: pkg–comp in 甲, pkg2–comp2 in 乙. Each member touches another (its partner), but
    # nothing joins the two pairs, so the four are two areas, not one: the error names the bundle and both groups.
    pair = AREA.replace("{income}", "350.0").replace("{area}", "甲")
    text = pair.replace('members = ["pkg", "comp"]', 'members = ["pkg", "comp", "pkg2", "comp2"]') + area_copy(
        pair, "2", "乙")
    with pytest.raises(InputError, match=r"bundles\.b\.members: .*2 separate groups.*"
                                         r"\[pkg, comp\].*\[pkg2, comp2\]"):
        run(tmp_path, text)
    # comp2 listing comp as adjacent joins the pairs into a chain pkg–comp–comp2–pkg2: one area, although pkg
    # and pkg2 do not touch. Both packages (NPV −300 each) and both components (−1,000 + 350 × annuity each).
    joined = text.replace('id = "comp2"', 'id = "comp2"\nadjacent = ["comp"]')
    _, modes = run(tmp_path, joined)
    assert modes.units.loc["b", "npv_wan"] == pytest.approx(2 * (-1300 + 350 * ANNUITY))


CROSS = AREA.replace('mode = "area_bundle"', 'mode = "cross_area"')


@pytest.mark.parametrize("income, balanced", [(350.0, True), (250.0, False), (AREA_BREAK_EVEN, True)])
def test_cross_area(tmp_path, income, balanced):
    _, modes = run(tmp_path, CROSS.replace("{income}", repr(income)).replace("{area}", "乙"))
    row = modes.units.loc["b"]
    assert row["npv_wan"] == pytest.approx(-1300 + income * ANNUITY, abs=1e-9)
    assert bool(row["balanced"]) is balanced
    schedule = modes.transfers["b"]
    # The package has no income: it never needs cash after construction (equity and grant paid for it), so
    # nothing is transferred; the partner keeps its surplus.
    assert schedule["transfer_wan"].sum() == pytest.approx(0.0)


def test_cross_area_refuses_adjacent_projects(tmp_path):
    with pytest.raises(InputError, match="are adjacent: pair them as an area_bundle"):
        run(tmp_path, CROSS.replace("{income}", "350.0").replace("{area}", "甲"))


def test_transfer_schedule_by_hand():
    # Package net −100, −50, 20, −30 → cumulative −100, −150, −130, −160: it needs 100, 150, 130, 160 by each
    # year. Partner net 40, 80, 30, 10 → cumulative 40, 120, 150, 160: it gives 40 and 80 as they come (still 60
    # and 30 short), then 10 of its 30 (the package's need fell to 130), then 30.
    table = transfer_schedule(np.arange(2025, 2029), np.array([-100.0, -50, 20, -30]), np.array([40.0, 80, 30, 10]))
    np.testing.assert_allclose(table["transfer_wan"], [40, 80, 10, 30])
    np.testing.assert_allclose(table["package_shortfall_wan"], [60, 30, 0, 0])
    np.testing.assert_allclose(table["partner_cumulative_after_wan"], [0, 0, 20, 0])
    np.testing.assert_allclose(table["package_cumulative_after_wan"], [-60, -30, 0, 0])
    # A partner that dips later keeps back what it will need: cumulative 100, 50, 80 → it can give 50 at most.
    table = transfer_schedule(np.arange(3), np.array([-70.0, 0, 0]), np.array([100.0, -50, 30]))
    np.testing.assert_allclose(table["cumulative_transfer_wan"], [50, 50, 70])
    np.testing.assert_allclose(table["package_shortfall_wan"], [20, 20, 0])


MULTI = """
[[projects]]
id = "ms"
name = "多元投入"
mode = "multi_source"
households = 300
elevators = 10
construction_years = 1
operating_years = 1
[projects.capex]
schedule = [1.0]
items_wan = { basic = 600, roofs = 100, drains = 50, elevators = 400 }
[[projects.grants]]
id = "central"
party = "central"
amount_wan = 600
items = ["basic"]
[[projects.grants]]
id = "residents"
party = "residents"
amount_wan = 150
items = ["roofs", "drains"]
[[projects.grants]]
id = "lift-owners"
party = "residents"
amount_wan = {owners}
items = ["elevators"]
[[projects.grants]]
id = "district"
party = "district"
amount_wan = {subsidy}
items = ["elevators"]
"""


def test_multi_source_exactly_balanced(tmp_path):
    """Grants equal the cost (1,150), so NPV = 0 and cash never dips: at break-even. Rules: residents' 150 split
    100 / 50 over roofs and drains by cost; elevators: 240 from owners + the subsidy 160, which is within
    min(40 % × 400, 25 × 10) = 160; residents pay (150 + 240) ÷ 300 = 1.3 万元 per household, within 0–2."""
    _, modes = run(tmp_path, MULTI.replace("{owners}", "240").replace("{subsidy}", "160"))
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(0, abs=1e-9) and row["balanced"] and row["rules_ok"]
    checks = modes.rule_checks.set_index(["rule", "item"])
    assert checks.loc[("elevator_subsidy_cap", "elevators"), "required"] == pytest.approx(160)
    assert checks.loc[("owners_pay", "roofs"), "given"] == pytest.approx(100)
    assert checks.loc[("owners_pay", "drains"), "given"] == pytest.approx(50)
    assert checks.loc[("owners_pay", "elevators"), "given"] == pytest.approx(400)
    assert checks.loc[("resident_contribution", ""), "given"] == pytest.approx(1.3)
    stack = modes.stacks["ms"]
    assert stack.loc[2025, "sources_wan"] == pytest.approx(1150) and stack.loc[2025, "uses_wan"] == pytest.approx(1150)


def test_multi_source_subsidy_above_its_cap_is_not_balanced(tmp_path):
    # The district pays 200 of the elevators: more than the 160 allowed, though the money adds up.
    _, modes = run(tmp_path, MULTI.replace("{owners}", "200").replace("{subsidy}", "200"))
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(0, abs=1e-9) and not row["rules_ok"] and not row["balanced"]
    checks = modes.rule_checks.set_index(["rule", "item"])
    assert not checks.loc[("elevator_subsidy_cap", "elevators"), "passed"]
    # Owners then cover 200 + 160 allowed = 360 of the 400.
    assert checks.loc[("owners_pay", "elevators"), "given"] == pytest.approx(360)


def test_multi_source_short_of_money_needs_a_grant_and_a_bridge(tmp_path):
    _, modes = run(tmp_path, MULTI.replace("{owners}", "200").replace("{subsidy}", "160"))
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(-40) and row["grant_needed_wan"] == pytest.approx(40)
    assert row["bridge_needed_wan"] == pytest.approx(40) and row["first_short_year"] == 2025
    assert not row["balanced"]


def with_rewards(text: str, rewards: str) -> str:
    """MULTI for three operating years with grade 良 (score 90), and the reward lines ``rewards``."""
    return text.replace("elevators = 10\n", "elevators = 10\nperformance_score = 90\noperating_years = 3\n").replace(
        "operating_years = 1\n", "") + rewards


def test_rewards_arrive_after_acceptance_and_count_towards_the_balance(tmp_path):
    """A reward for work the project account paid for is the project's money, a year after acceptance. Utilities
    reward on the basic work (central money, paid to the project account): 30 % × 100 = 30, under the cap
    0.3 × 300 = 90, grade 良 × 0.9 = 27, accepted 2025, paid 2026; with lag 2 → 2027; without acceptance, nothing."""
    text = with_rewards(MULTI.replace("{owners}", "200").replace("{subsidy}", "160"), """
[[projects.rewards]]
id = "pipes"
item = "utilities"
items = ["basic"]
cost_wan = 100
""")
    _, modes = run(tmp_path, text)
    line = modes.rewards.iloc[0]
    assert line["paid_year"] == 2026 and line["grade"] == "良" and line["amount_wan"] == pytest.approx(27)
    assert line["to_project_wan"] == pytest.approx(27) and line["paid_to"] == (("project", pytest.approx(27)),)
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(-40 + 27 / 1.05)
    assert row["bridge_needed_wan"] == pytest.approx(40)  # the reward comes too late for 2025
    _, later = run(tmp_path, text + "lag_years = 2\n")
    assert later.rewards.iloc[0]["paid_year"] == 2027
    assert later.units.loc["ms", "npv_wan"] == pytest.approx(-40 + 27 / 1.05 ** 2)
    _, refused = run(tmp_path, text + "accepted = false\n")
    assert refused.rewards.iloc[0]["amount_wan"] == 0 and refused.units.loc["ms", "npv_wan"] == pytest.approx(-40)


PIPES = """
[[projects.grants]]
id = "utilities"
party = "utilities"
amount_wan = {pipes_paid}
items = ["pipes"]
[[projects.rewards]]
id = "pipes"
item = "utilities"
items = ["pipes"]
cost_wan = 200
[[projects.rewards]]
id = "roofs"
item = "roofs"
cost_wan = 100
"""


def test_a_reward_goes_to_whoever_paid_for_the_work(tmp_path):
    """MULTI exactly balanced, plus 200 of pipes. The utilities pay for their pipes; the residents' 150 for roofs
    and drains goes 100 / 50 (what each still needs), so the residents paid all of the roofs. Rewards (grade 良):
    utilities 30 % × 200 = 60 (cap 0.3 × 300 = 90) × 0.9 = 54, all to the utilities; roofs 50 % × 100 = 50 (cap
    0.2 × 300 = 60) × 0.9 = 45, all to the residents. Neither is the project's money: its NPV stays 0."""
    base = MULTI.replace("{owners}", "240").replace("{subsidy}", "160").replace(
        "elevators = 400 }", "elevators = 400, pipes = 200 }")
    cash, modes = run(tmp_path, with_rewards(base, PIPES.replace("{pipes_paid}", "200")))
    # The cash-flow engine counts them where the modes do: the project's own cash flow gets none of it.
    assert cash.metrics["rewards_wan"].tolist() == [0.0]
    assert cash.metrics["npv_after_grants_wan"].iloc[0] == pytest.approx(0, abs=1e-9)
    rewards = modes.rewards.set_index("reward")
    assert rewards.loc["pipes", "paid_to"] == (("utilities", pytest.approx(54)),)
    assert rewards.loc["roofs", "paid_to"] == (("residents", pytest.approx(45)),)
    assert rewards["to_project_wan"].tolist() == [0, 0]
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(0, abs=1e-9) and row["cash_min_wan"] == pytest.approx(0, abs=1e-9)
    assert row["balanced"]
    # The utilities pay 150 of the 200 and the owner 50 (equity): the reward is split 75 / 25, so 0.25 × 54 = 13.5
    # reaches the project in 2026 and 40.5 the utilities. Equity is financing, not a grant: NPV −50 + 13.5 ÷ 1.05.
    partly = with_rewards(base.replace("operating_years = 1\n", "operating_years = 1\nequity_wan = 50\n"),
                          PIPES.replace("{pipes_paid}", "150"))
    cash, modes = run(tmp_path, partly)
    assert cash.metrics["rewards_wan"].iloc[0] == pytest.approx(13.5)
    pipes = modes.rewards.set_index("reward").loc["pipes"]
    assert dict(pipes["paid_to"]) == {"project": pytest.approx(13.5), "utilities": pytest.approx(40.5)}
    assert pipes["to_project_wan"] == pytest.approx(13.5)
    assert modes.units.loc["ms", "npv_wan"] == pytest.approx(-50 + 13.5 / 1.05)


def test_public_money_above_the_cost_fails_with_the_amount(tmp_path):
    """MULTI exactly balanced (cost 1,150; residents 150 + 240 = 390; public: central 600 + district 160 = 760)
    with 50 more from the city: public money 810 against the 1,150 − 390 = 760 it has to fund, 50 too much."""
    text = MULTI.replace("{owners}", "240").replace("{subsidy}", "160") + """
[[projects.grants]]
id = "city"
party = "city"
amount_wan = 50
"""
    _, modes = run(tmp_path, text)
    row = modes.units.loc["ms"]
    assert row["public_excess_wan"] == pytest.approx(50) and not row["rules_ok"] and not row["balanced"]
    checks = modes.rule_checks.set_index(["rule", "item"])
    account = checks.loc[("public_within_cost", "")]
    assert (account["required"], account["given"]) == (pytest.approx(760), pytest.approx(810))
    assert account["excess_wan"] == pytest.approx(50) and not account["passed"]
    # Item by item the earmarked subsidies stay within the cost: basic 600 of 600, elevators 160 of 400.
    assert checks.loc[("public_within_cost", "basic"), "excess_wan"] == 0
    assert checks.loc[("public_within_cost", "elevators"), "given"] == pytest.approx(160)


def test_a_reward_on_work_the_government_already_paid_for_is_over_subsidy(tmp_path):
    """MULTI exactly balanced: central's 600 pays all of the basic work. A utilities reward on it (grade 合格, no
    score: 30 % × 100 = 30, cap 90, × 0.8 = 24) goes to the project account, which the central money paid: public
    money on the basic work is 600 + 24 = 624 of 600, and in the account 760 + 24 = 784 of 760; 24 too much."""
    text = MULTI.replace("{owners}", "240").replace("{subsidy}", "160").replace(
        "operating_years = 1\n", "operating_years = 2\n") + """
[[projects.rewards]]
id = "pipes"
item = "utilities"
items = ["basic"]
cost_wan = 100
"""
    _, modes = run(tmp_path, text)
    checks = modes.rule_checks.set_index(["rule", "item"])
    assert checks.loc[("public_within_cost", "basic"), "given"] == pytest.approx(624)
    assert checks.loc[("public_within_cost", "basic"), "excess_wan"] == pytest.approx(24)
    assert checks.loc[("public_within_cost", ""), "excess_wan"] == pytest.approx(24)
    row = modes.units.loc["ms"]
    assert row["public_excess_wan"] == pytest.approx(24) and not row["rules_ok"]
    # A bundle's rules are its members': the area bundle of AREA gets the same rule for each member.
    _, bundle = run(tmp_path, AREA.replace("{income}", "350.0").replace("{area}", "甲"))
    assert set(bundle.rule_checks["project"]) == {"pkg", "comp"} and bundle.units.loc["b", "rules_ok"]


REWARD_TIMING = """
[[projects]]
id = "late"
name = "两年施工"
households = {households}
construction_years = 2
operating_years = 3
equity_wan = 1000
[projects.capex]
schedule = [0.5, 0.5]
items_wan = { roofs = 1000 }
[[projects.rewards]]
id = "roofs"
item = "roofs"
cost_wan = 100
"""


def test_acceptance_before_the_work_is_done_is_an_input_error(tmp_path):
    # Construction 2025–2026: acceptance in 2025 would pay a reward for unfinished work.
    text = REWARD_TIMING.replace("{households}", "300") + "acceptance_year = 2025\n"
    with pytest.raises(InputError, match=r"modes\.toml: projects\.late\.rewards\.roofs\.acceptance_year: "
                                         r"acceptance in 2025 is before the work is done: construction ends in 2026"):
        run(tmp_path, text)
    # finmodel validate says it too, as bad input.
    from finmodel.cli import main

    assert main(["validate", str(tmp_path / "modes.toml")]) == 2
    # Accepted when the work ends: roofs 50 % × 100 = 50 (cap 0.2 × 300 = 60) × 0.8 (合格) = 40, paid in 2027.
    _, modes = run(tmp_path, REWARD_TIMING.replace("{households}", "300") + "acceptance_year = 2026\n")
    assert modes.rewards.iloc[0]["paid_year"] == 2027 and modes.rewards.iloc[0]["amount_wan"] == pytest.approx(40)


def test_a_reward_without_households_is_an_input_error(tmp_path):
    # The per-household cap needs the households: none given is an error, not a reward of 0.
    text = REWARD_TIMING.replace("households = {households}\n", "")
    with pytest.raises(InputError, match=r"projects\.late\.rewards\.roofs\.households: .*number of households is "
                                         r"missing"):
        run(tmp_path, text)
    # The reward's own count is enough: cap 0.2 × 200 = 40 binds on 50, × 0.8 = 32.
    _, modes = run(tmp_path, text + "households = 200\n")
    assert modes.rewards.iloc[0]["amount_wan"] == pytest.approx(32) and modes.rewards.iloc[0]["cap_binds"]
    with pytest.raises(InputError, match=r"rewards\.roofs\.households"):
        run(tmp_path, text + "households = 0\n")


def test_a_reward_names_the_work_it_pays_back(tmp_path):
    # No capex item is called "telecom": which work the reward pays back, and so who paid for it, must be said.
    text = REWARD_TIMING.replace("{households}", "300").replace('item = "roofs"', 'item = "telecom"')
    with pytest.raises(InputError, match=r"rewards\.roofs: no capex item is named 'telecom'"):
        run(tmp_path, text)
    with pytest.raises(InputError, match=r"rewards\.roofs\.items: 'wires' is not a capex item"):
        run(tmp_path, text + 'items = ["wires"]\n')


# ---------------------------------------------------------------------------------------------
# Bundling optimiser against enumeration


def brute_force(problem: BundlingProblem) -> tuple[float, float]:
    """Best (households, deficit absorbed) over every assignment of the packages that cannot balance alone."""
    alone = problem.standalone()
    free = np.flatnonzero(~alone)
    n_c = len(problem.components)
    best = (-1.0, -np.inf)
    for choice in itertools.product(range(-1, n_c), repeat=free.size):
        choice = np.array(choice, dtype=int)
        if any(c >= 0 and not problem.allowed[p, c] for p, c in zip(free, choice)):
            continue
        ok = True
        for c in range(n_c):
            members = free[choice == c]
            if members.size and not (problem.component_parts[c] + problem.package_parts[members].sum(axis=0)
                                     >= problem.thresholds - 1e-9).all():
                ok = False
                break
        if not ok:
            continue
        chosen = free[choice >= 0]
        value = (problem.households[chosen].sum(), -problem.package_parts[chosen, 0].sum())
        if value[0] > best[0] + 1e-9 or (abs(value[0] - best[0]) <= 1e-9 and value[1] > best[1] + 1e-6):
            best = value
    return best[0] + problem.households[alone].sum(), best[1]


def random_problem(rng: np.random.Generator, n_p: int, n_c: int) -> BundlingProblem:
    tests = 3  # NPV, a coverage margin, cash in one year
    package_parts = np.column_stack([rng.uniform(-900, 100, n_p), rng.uniform(-300, 200, n_p),
                                     rng.uniform(-200, 100, n_p)])
    component_parts = np.column_stack([rng.uniform(0, 1_500, n_c), rng.uniform(-50, 500, n_c),
                                       rng.uniform(-50, 300, n_c)])
    return BundlingProblem(
        packages=[f"p{k}" for k in range(n_p)], components=[f"c{k}" for k in range(n_c)],
        households=rng.integers(100, 1_500, n_p).astype(float), package_parts=package_parts,
        component_parts=component_parts, thresholds=np.array([0.0, 0.0, 0.0]),
        allowed=rng.random((n_p, n_c)) < 0.6, tests=["npv", "coverage", "cash_0"][:tests])


@pytest.mark.parametrize("seed", range(12))
def test_bundling_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    n_p, n_c = (8, 4) if seed % 3 == 0 else (int(rng.integers(2, 8)), int(rng.integers(1, 5)))
    problem = random_problem(rng, n_p, n_c)
    solution = solve_bundling(problem)
    households, deficit = brute_force(problem)
    assert solution.households_balanced == pytest.approx(households)
    assert solution.deficit_absorbed_wan == pytest.approx(deficit, abs=1e-6)
    for p, package in enumerate(problem.packages):
        component = solution.assignment[package]
        if component is not None:
            assert problem.allowed[p, problem.components.index(component)]  # only allowed pairs
    for c, component in enumerate(problem.components):
        members = [p for p, package in enumerate(problem.packages) if solution.assignment[package] == component]
        if members:
            total = problem.component_parts[c] + problem.package_parts[members].sum(axis=0)
            assert (total >= problem.thresholds - 1e-6).all()


def test_bundling_is_repeatable_and_the_same_with_cbc():
    from finmodel.solver import SolverSettings

    problem = random_problem(np.random.default_rng(99), 8, 4)
    first, again = solve_bundling(problem), solve_bundling(problem)
    assert first.assignment == again.assignment
    cbc = solve_bundling(problem, SolverSettings(name="cbc"))
    assert (cbc.households_balanced, round(cbc.deficit_absorbed_wan, 4)) == (
        first.households_balanced, round(first.deficit_absorbed_wan, 4))


def test_tests_left_out_do_not_decide(tmp_path):
    # Residents pay half of their 150 a year late: 2025 is 75 short, NPV = −75 + 75 ÷ 1.05. With the default tests
    # the cash decides (not balanced); with the NPV test alone and a threshold of −5 it balances.
    text = MULTI.replace("{owners}", "240").replace("{subsidy}", "160").replace(
        'amount_wan = 150\nitems = ["roofs", "drains"]', 'amount_wan = 150\nitems = ["roofs", "drains"]\nadvance_share = 0.5')
    _, modes = run(tmp_path, text)
    row = modes.units.loc["ms"]
    assert row["npv_wan"] == pytest.approx(-75 + 75 / 1.05) and row["bridge_needed_wan"] == pytest.approx(75)
    assert not row["balanced"]
    _, modes = run(tmp_path, text, ["balance.tests=['npv']", "balance.npv_at_least_wan=-5"])
    row = modes.units.loc["ms"]
    assert row["balanced"] and np.isnan(row["cash_margin_wan"]) and row["bridge_needed_wan"] == 0


def test_the_cash_test_alone_decides_when_it_is_the_only_one_listed(tmp_path):
    """[balance] tests = ["cash"]: the in-community project with income 120 has NPV −600 + 120 × annuity < 0 but its
    cumulative cash never falls below 0 (equity 600 and the grant 400 pay the 1,000; income after): balanced, with
    no NPV margin and no grant needed. With the default tests the NPV decides: not balanced."""
    text = IN_COMMUNITY.replace("{income}", "120.0")
    _, default = run(tmp_path, text)
    assert not default.units.loc["own", "balanced"]
    _, cash_only = run(tmp_path, text, ["balance.tests=['cash']"])
    row = cash_only.units.loc["own"]
    assert row["npv_wan"] == pytest.approx(-600 + 120 * ANNUITY) and row["npv_wan"] < 0
    assert row["balanced"] and row["cash_min_wan"] == pytest.approx(0.0, abs=1e-9)
    assert np.isnan(row["npv_margin_wan"]) and row["grant_needed_wan"] == 0
    # The 资金平衡 sheet states the rule as applied.
    from finmodel.report.modes import rule_text
    said = rule_text(cash_only, 0.05, "zh")
    assert "融资后累计现金每年 ≥ 0 万元" in said and "不检验：净现值、本息覆盖倍数" in said and "折现率" not in said


@pytest.mark.parametrize("tests, message", [("[]", "at least 1 item"), ("['cash', 'cash']", "each test once")])
def test_the_tests_list_is_checked(tmp_path, tests, message):
    with pytest.raises(InputError, match=message):
        run(tmp_path, IN_COMMUNITY.replace("{income}", "120.0"), [f"balance.tests={tests}"])


def test_the_bundling_optimiser_applies_the_listed_tests_only():
    """The bundled optimiser scenario: with the cash test alone more households balance (18,740) than with all three
    (16,330), and every bundle it forms keeps its cumulative cash at or above 0 in every year."""
    scenario = Path(__file__).parents[1] / "scenarios" / "projects" / "bundling-2024.toml"
    every = check_modes(evaluate(load_project_scenario(scenario))).bundling
    cash = check_modes(evaluate(load_project_scenario(scenario, ["balance.tests=['cash']"]))).bundling
    assert (every.solution.households_balanced, cash.solution.households_balanced) == (16_330, 18_740)
    problem = cash.problem
    assert not problem.deciding[0] and problem.deciding[1:].all()
    for component, members in cash.bundles.set_index("bundle")["packages"].items():
        c = problem.components.index(component)
        rows = [problem.packages.index(p) for p in members]
        total = problem.component_parts[c] + problem.package_parts[rows].sum(axis=0)
        assert (total[1:] >= problem.thresholds[1:] - 1e-6).all()

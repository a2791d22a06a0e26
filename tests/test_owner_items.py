"""Owners pay for roofs, shared drains and elevators (济政办字〔2020〕21号 三(五)) whatever the project's mode, the
items named by code, by the policy's name or by a Chinese alias of the policy's ``cost_catalogue``."""

from __future__ import annotations

import pytest

import finmodel as fm

from .conftest import ROOT

CROSS = ROOT / "scenarios" / "projects" / "cross-area-2024.toml"
ROOF = 'items_wan = { basic = 3300, improvement = 1180, "屋面" = 240 }'


def _scenario(tmp_path, owners_money: str = ""):
    text = CROSS.read_text(encoding="utf-8").replace("items_wan = { basic = 3300, improvement = 1180 }", ROOF, 1)
    assert ROOF in text
    if owners_money:
        text = text.replace('[[projects.grants]]\nid = "central"', owners_money + '\n[[projects.grants]]\nid = "central"',
                            1)
    path = tmp_path / "cross.toml"
    path.write_text(text, encoding="utf-8")
    return fm.load_project_scenario(path)


def test_a_roof_named_in_chinese_in_a_cross_area_project_is_the_owners(tmp_path):
    modes = fm.check_modes(fm.evaluate(_scenario(tmp_path)))
    checks = modes.rule_checks.set_index(["project", "rule", "item"])
    row = checks.loc[("south", "owners_pay", "屋面")]
    assert (row["required"], row["given"], bool(row["passed"])) == (240, 0.0, False)
    assert not bool(modes.units.loc["south-west", "rules_ok"]) and not bool(modes.units.loc["south-west", "balanced"])


def test_the_owners_money_earmarked_for_it_passes(tmp_path):
    money = '[[projects.grants]]\nid = "residents"\nparty = "residents"\namount_wan = 240\nitems = ["屋面"]'
    modes = fm.check_modes(fm.evaluate(_scenario(tmp_path, money)))
    checks = modes.rule_checks.set_index(["project", "rule", "item"])
    row = checks.loc[("south", "owners_pay", "屋面")]
    assert row["given"] == pytest.approx(240) and bool(row["passed"])


def test_a_name_given_to_two_items_is_refused():
    from finmodel.policy.catalogue import CostCatalogue

    catalogue = fm.load_project_scenario(CROSS).policy["cost_catalogue"].model_dump()
    catalogue["items"]["walls"]["aliases"] = ["屋面"]
    with pytest.raises(ValueError, match="'屋面' names both 'walls' and 'roofs'"):
        CostCatalogue.model_validate(catalogue)

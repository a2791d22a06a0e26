"""The scenario reference describes every key in Chinese as well as English: the bureau's staff read the Chinese,
so a key described in English only, or a Chinese entry left behind by a renamed key, is a defect."""

from __future__ import annotations

import re

import pytest

from finmodel.reference import keys, markdown
from finmodel.reference_zh import ZH

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
SECTIONS = ("allocation", "projects", "plan", "policy")


def test_the_reference_has_the_three_kinds_and_the_policy():
    assert tuple(keys()) == SECTIONS


@pytest.mark.parametrize("section", SECTIONS)
def test_every_key_has_a_chinese_description(section):
    shown = keys()[section]
    assert shown
    undescribed = [key for key in shown if not CJK.search(ZH.get((section, key), ""))]
    assert not undescribed, f"no Chinese description (with Chinese characters) for {section}: {undescribed}"


def test_no_chinese_description_is_stale():
    shown = {(section, key) for section, names in keys().items() for key in names}
    stale = sorted(set(ZH) - shown)
    assert not stale, f"described in finmodel/reference_zh.py but not in the reference: {stale}"


def test_each_row_shows_the_chinese_before_the_english():
    text = markdown()
    tables = [[line.split(" | ") for line in part.splitlines() if line.startswith("| `")]
              for part in text.split("\n## ")[1:]]
    assert len(tables) == len(SECTIONS)
    for section, rows in zip(SECTIONS, tables):
        assert [row[0].removeprefix("| `").removesuffix("`") for row in rows] == keys()[section]
        for row in rows:
            key = row[0].removeprefix("| `").removesuffix("`")
            assert row[5] == ZH[(section, key)].replace("|", "\\|"), (section, key)
    assert "| 中文说明 | 说明 description |" in text


def test_a_key_without_a_chinese_description_stops_the_generation(monkeypatch):
    monkeypatch.delitem(ZH, ("projects", "projects[].households"))
    monkeypatch.setitem(ZH, ("plan", "plan.first_year"), " ")
    with pytest.raises(KeyError) as raised:
        markdown()
    message = str(raised.value)
    assert "('projects', 'projects[].households')" in message
    assert "('plan', 'plan.first_year')" in message

"""The funding modes' part of a projects scenario: the balance rule ([balance]), declared bundles ([[bundles]]) and the
bundling optimiser ([bundling]), beside the engine that applies them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from ..config import Id, Strict as _Strict
from ..errors import Invalid


class BalanceRule(_Strict):
    """When a project or bundle counts as balanced (资金平衡): every test in ``tests`` holds."""

    tests: list[Literal["npv", "coverage", "cash"]] = Field(default=["npv", "coverage", "cash"], min_length=1)
    """Which tests decide, each listed once: npv, coverage, cash. A test left out is not applied and has no margin."""
    npv_at_least_wan: float = 0.0
    """NPV after grants and rewards at the discount rate, 万元."""
    coverage_at_least: Annotated[float, Field(gt=0)] = 1.0
    """本息覆盖倍数 on the definition below: numerator − this × denominator ≥ 0 (coverage ≥ this where there is
    debt; a net income that is not negative where there is none)."""
    coverage_definition: Literal["gross", "net"] = "net"
    """Income gross, or net of operating cost, repairs and tax."""
    coverage_debt: Literal["bonds", "all_debt"] = "all_debt"
    coverage_interest: Literal["planning_rate", "schedule"] = "schedule"
    """Principal plus simple interest at the planning rate, or the debt service the model schedules."""
    cash_at_least_wan: float = 0.0
    """Cumulative cash after financing in every year, 万元."""

    @field_validator("tests")
    @classmethod
    def _each_once(cls, tests: list[str]) -> list[str]:
        if len(set(tests)) < len(tests):
            raise Invalid(f"each test once: {tests}", f"每项检验只能列出一次：{tests}")
        return tests

    @property
    def tests_npv(self) -> bool:
        return "npv" in self.tests

    @property
    def tests_coverage(self) -> bool:
        return "coverage" in self.tests

    @property
    def tests_cash(self) -> bool:
        return "cash" in self.tests


class Bundle(_Strict):
    id: Id
    """Short unique name."""
    name: str = ""
    """Label in reports."""
    mode: Literal["area_bundle", "cross_area"]
    """大片区统筹平衡 (old communities with adjacent components) or 跨片区组合平衡 (with a non-adjacent project)."""
    members: list[str] = Field(min_length=2)
    """Project ids."""


class Bundling(_Strict):
    """The bundling optimiser (肥瘦搭配): which loss-making packages to pair with which profitable components."""

    mode: Literal["area_bundle", "cross_area"]
    """area_bundle pairs a package only with components adjacent to it; cross_area only with non-adjacent ones."""
    packages: list[str] | None = None
    """Project ids of the old-community packages (default: every old_community project not in [[bundles]])."""
    components: list[str] | None = None
    """Project ids of the components (default: every other project not in [[bundles]])."""
    solver: Literal["highs", "cbc"] = "highs"
    time_limit_s: Annotated[float, Field(gt=0)] = 60.0
    mip_rel_gap: Annotated[float, Field(ge=0, lt=1)] = 0.0
    """Relative gap at which the search may stop (0: proven optimal)."""

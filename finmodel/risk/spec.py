"""The ``[risk]`` table of a project scenario: which inputs are uncertain, how each is distributed, how they move
together, and how many draws to take.

An input is named by its key path, as ``--set`` names it: ``projects.zoucheng.income.parking.occupancy``,
``projects.*.capex.items_wan.basic`` (every project that has it), or ``scenario.discount_rate``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..config import Strict
from ..errors import Invalid

DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal", "choice")


class RiskInput(Strict):
    key: str = Field(min_length=1)
    """The input's key path: ``projects.<id or *>.<field>`` or ``scenario.discount_rate``."""
    distribution: Literal[DISTRIBUTIONS]  # type: ignore[valid-type]
    """uniform (low, high); triangular (low, mode, high); normal (mean, sd; low/high cut it); lognormal (median,
    sigma of the logarithm; low/high cut it); choice (values, with weights)."""
    low: float | None = None
    """Least value (uniform, triangular; a cut of normal and lognormal)."""
    high: float | None = None
    """Largest value (uniform, triangular; a cut of normal and lognormal)."""
    mode: float | None = None
    """Most likely value (triangular)."""
    mean: float | None = None
    """Mean (normal)."""
    sd: Annotated[float, Field(ge=0)] | None = None
    """Standard deviation (normal)."""
    median: Annotated[float, Field(gt=0)] | None = None
    """Median (lognormal)."""
    sigma: Annotated[float, Field(ge=0)] | None = None
    """Standard deviation of the logarithm (lognormal)."""
    values: list[float] | None = None
    """The possible values (choice)."""
    weights: list[Annotated[float, Field(ge=0)]] | None = None
    """Their weights (choice; default: equal); they need not add up to 1."""

    @model_validator(mode="after")
    def _parameters(self) -> RiskInput:
        needed = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"), "normal": ("mean", "sd"),
                  "lognormal": ("median", "sigma"), "choice": ("values",)}[self.distribution]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise Invalid(f"a {self.distribution} distribution needs {', '.join(needed)}: "
                          f"{', '.join(missing)} missing",
                          f"{self.distribution} 分布需要 {'、'.join(needed)}：缺少 {'、'.join(missing)}")
        allowed = set(needed) | ({"low", "high"} if self.distribution in ("normal", "lognormal") else set()) | (
            {"weights"} if self.distribution == "choice" else set())
        extra = [name for name in ("low", "high", "mode", "mean", "sd", "median", "sigma", "values", "weights")
                 if getattr(self, name) is not None and name not in allowed]
        if extra:
            raise Invalid(f"a {self.distribution} distribution takes {', '.join(sorted(allowed))}, not "
                          f"{', '.join(extra)}",
                          f"{self.distribution} 分布只接受 {'、'.join(sorted(allowed))}，不接受 {'、'.join(extra)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise Invalid(f"low ({self.low:g}) is above high ({self.high:g})",
                          f"low（{self.low:g}）大于 high（{self.high:g}）")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:
            raise Invalid(f"the mode ({self.mode:g}) must lie from low to high ({self.low:g}–{self.high:g})",
                          f"mode（{self.mode:g}）应在 low 与 high 之间（{self.low:g}–{self.high:g}）")
        if self.distribution == "choice":
            if not self.values:
                raise Invalid("values: at least one", "values：至少要有一个取值")
            if self.weights is not None and (len(self.weights) != len(self.values) or sum(self.weights) <= 0):
                raise Invalid(f"weights: one for each of the {len(self.values)} values, not all 0",
                              f"weights：{len(self.values)} 个取值应各有一个权重，且不能全为 0")
        if self.distribution in ("normal", "lognormal"):
            centre = self.mean if self.distribution == "normal" else self.median
            if (self.low is not None and centre < self.low) or (self.high is not None and centre > self.high):
                name = "mean" if self.distribution == "normal" else "median"
                raise Invalid("the cut (low, high) must hold the " + name, f"截断范围（low、high）应包含 {name}")
        return self

    @property
    def support(self) -> tuple[float, float]:
        """The least and largest value a draw can take (±inf where unbounded)."""
        if self.distribution == "choice":
            return min(self.values), max(self.values)
        low = self.low if self.low is not None else (-float("inf") if self.distribution == "normal" else 0.0)
        high = self.high if self.high is not None else float("inf")
        if self.distribution == "normal" and self.sd == 0:
            return self.mean, self.mean
        if self.distribution == "lognormal" and self.sigma == 0:
            return self.median, self.median
        return low, high


class Correlation(Strict):
    inputs: list[str] = Field(min_length=2, max_length=2)
    """The two inputs' keys, as in [[risk.inputs]]."""
    rank: Annotated[float, Field(gt=-1, lt=1)]
    """Their rank (Spearman) correlation."""


class RiskSpec(Strict):
    draws: Annotated[int, Field(ge=2, le=1_000_000)] = 1000
    """Draws of the whole evaluation."""
    seed: Annotated[int, Field(ge=0)] = 20201
    """Seed of the draws: the same seed gives the same draws, however the work is split."""
    chunk: Annotated[int, Field(ge=1)] = 250
    """Draws evaluated together in one task."""
    dscr_at_least: Annotated[float, Field(gt=0)] = 1.0
    """The DSCR every operating year with debt service should reach (P(DSCR ≥ this in every year))."""
    inputs: list[RiskInput] = Field(min_length=1)
    """The uncertain inputs ([[risk.inputs]])."""
    sensitivity_units: list[str] = []
    """Projects and bundles (ids) the tornado and spider cover; default: all (the chart draws the first three)."""
    correlations: list[Correlation] = []
    """Rank correlations between pairs of inputs ([[risk.correlations]]); pairs not listed are independent."""

    @model_validator(mode="after")
    def _distinct(self) -> RiskSpec:
        keys = [i.key for i in self.inputs]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise Invalid(f"inputs: key given twice: {', '.join(twice)}", f"inputs：同一个键给出了两次：{'、'.join(twice)}")
        pairs = set()
        for k, c in enumerate(self.correlations):
            unknown = [key for key in c.inputs if key not in keys]
            if unknown:
                raise Invalid(f"correlations[{k}]: '{unknown[0]}' is not one of the inputs",
                              f"correlations[{k}]：“{unknown[0]}”不是 inputs 中列出的输入")
            if c.inputs[0] == c.inputs[1]:
                raise Invalid(f"correlations[{k}]: an input with itself", f"correlations[{k}]：一个输入与它自己配成了一对")
            pair = frozenset(c.inputs)
            if pair in pairs:
                raise Invalid(f"correlations[{k}]: the pair is given twice", f"correlations[{k}]：这一对输入给出了两次")
            pairs.add(pair)
        return self

"""Monte Carlo of a project scenario: every draw of the uncertain inputs evaluated as the deterministic run is,
vectorised across draws as the cash-flow engine is across the rows of a project table (a project with N draws is
a table of N rows), in chunks that run as Dask tasks.

For every project and every bundle: the probability that it balances under the scenario's ``[balance]`` rule
(and that each of the rule's tests holds), that its DSCR reaches ``[risk] dscr_at_least`` in every year with debt
service, that its coverage reaches the card's stated one; percentiles of NPV after grants, IRR, funding gap, peak
funding need and payback; and which inputs move its balance margin most, by rank correlation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..cashflow.metrics import dscr, funding_gap, irr, npv, payback, peak_funding_need
from ..cashflow.project import table_cashflows
from ..cashflow.scenario import (
    MAX_NUMBER,
    Project,
    TABLE_VALUE_FIELDS,
    ProjectInfo,
    ProjectScenario,
    RowValues,
    TableRows,
    _base_type,
    _template_leaf,
    _validated,
    effective,
    written_of,
)
from ..config import Strict
from ..errors import InputError, Said, zh_of
from ..modes.balance import TOLERANCE_WAN, coverage_parts
from .cluster import run_tasks
from .draws import draw_inputs
from .spec import RiskSpec

PERCENTILES = (5, 50, 95)
METRICS = ("npv_wan", "irr", "funding_gap_wan", "peak_funding_need_wan", "payback_years")


@dataclass(frozen=True)
class Targets:
    """Where the draws go: per part of the scenario's projects, field key → input index; and the input of the
    discount rate (None where it is certain)."""

    parts: list[dict[str, int]]
    whole: dict[str, bool]
    """Per field key, whether its values are counts (drawn values are rounded to whole numbers)."""
    rate: int | None
    phases: list[int | None] = field(default_factory=list)
    """Per part, the input of its construction delay (None where it is certain): a delay changes the project's
    phases, so the draws are evaluated in groups of one delay each."""
    base: list[dict[str, float]] = field(default_factory=list)
    """Per part, field key → the template's value: what a draw left as NaN keeps (a table's own column, if it
    sets the field, comes first)."""


def resolve(spec: RiskSpec, scenario: ProjectScenario, file: Any = None) -> Targets:
    """Each uncertain input's place in the projects; a clear error for a key that names nothing, a field that
    shapes a project (only values can be drawn: ``TABLE_VALUE_FIELDS``), or a distribution that can leave the
    field's bounds."""
    parts: list[dict[str, int]] = [{} for _ in scenario.projects.parts]
    base: list[dict[str, float]] = [{} for _ in scenario.projects.parts]
    phases: list[int | None] = [None for _ in scenario.projects.parts]
    whole: dict[str, bool] = {}
    rate = None
    for k, item in enumerate(spec.inputs):
        where = f"risk.inputs[{k}].key"
        if item.key == "scenario.discount_rate":
            _check_support(item, ProjectInfo.model_fields["discount_rate"], file, where)
            rate = k
            continue
        head, _, rest = item.key.partition(".")
        target, _, path = rest.partition(".")
        if head != "projects" or not target or not path:
            raise InputError(f"'{item.key}' is not an input: name projects.<id or *>.<field> or "
                             "scenario.discount_rate",
                             zh=f"“{item.key}”不是可设为不确定的输入：请写成 projects.<id 或 *>.<字段> 或 "
                             "scenario.discount_rate", file=file, key=where)
        found = 0
        for n, part in enumerate(scenario.projects.parts):
            shape = part.template if isinstance(part, TableRows) else part
            if target != "*" and (isinstance(part, TableRows) or part.id != target):
                continue
            leaf = _template_leaf(shape.model_dump(), path)
            if leaf is None:
                if target == "*":
                    continue
                raise InputError(f"project '{target}' has no '{path}'", zh=f"项目“{target}”没有“{path}”", file=file,
                                 key=where)
            owner, name, current, annotation = leaf
            if owner is Project and name == "construction_delay_years":
                _check_support(item, annotation, file, where)
                _check_delays(item, shape, scenario, file, where.removesuffix(".key"))
                phases[n] = k
                whole[path] = True
                base[n][path] = float(written_of(shape).construction_delay_years)
                found += 1
                continue
            if name == "name" or name not in TABLE_VALUE_FIELDS.get(owner, ()) or isinstance(current, bool) or (
                    not isinstance(current, (int, float))):
                raise InputError(f"'{path}' cannot be drawn: only values that leave a project's shape as it is "
                                 "(prices, quantities, occupancy, growth, amounts, shares and rates) can be uncertain",
                                 zh=f"“{path}”不能抽样：只有不改变项目构成的数值（单价、数量、使用率、增长率、金额、"
                                 "比例和比率）可以设为不确定", file=file, key=where)
            _check_support(item, annotation, file, where)
            if name == "settlement_lag_years" and round(item.support[1]) > shape.latest_settlement_lag_years:
                raise InputError(f"its draws can reach a settlement lag of {round(item.support[1])} years, after the "
                                 f"project's last year (at most {shape.latest_settlement_lag_years})",
                                 zh=f"其抽样值可使清算拨付滞后 {round(item.support[1])} 年，晚于项目的最后一年"
                                 f"（最多 {shape.latest_settlement_lag_years} 年）",
                                 file=file, key=where.removesuffix(".key"))
            parts[n][path] = k
            base[n][path] = float(current)
            whole[path] = _base_type(annotation) is int
            found += 1
        if not found:
            raise InputError(f"no project has '{path}'" if target == "*" else
                             f"no project '{target}' written in the scenario (a row of a project table is reached "
                             "by projects.*)",
                             zh=f"没有项目有“{path}”" if target == "*" else
                             f"情景中没有写出项目“{target}”（项目表中的行要用 projects.* 指定）", file=file, key=where)
    return Targets(parts=parts, whole=whole, rate=rate, phases=phases, base=base)


def _check_delays(item, shape: Project, scenario: ProjectScenario, file: Any, where: str) -> None:
    """Every delay the draws can take leaves a project that holds together, its years inside its horizon."""
    from pydantic import ValidationError

    from ..cashflow.scenario import _check_years

    low, high = (int(round(v)) for v in item.support)
    for delay in range(low, high + 1):
        try:
            delayed = effective(written_of(shape), delay)
            _check_years([delayed], scenario.year, file, scenario.policy)
        except (ValidationError, InputError) as exc:
            if isinstance(exc, InputError):
                detail, detail_zh = exc.message, exc.zh_message or exc.message
            else:
                error = exc.errors()[0]
                detail = error["msg"]
                detail_zh = getattr((error.get("ctx") or {}).get("error"), "zh", None) or detail
            raise InputError(f"with a construction delay of {delay} years, a value its draws can take, project "
                             f"'{shape.id}' does not hold together: {detail}",
                             zh=f"工程延误 {delay} 年（抽样可取到的值）时，项目“{shape.id}”前后不能衔接：{detail_zh}",
                             file=file, key=where) from None


def whole_inputs(targets: Targets, count: int) -> np.ndarray:
    """Per input, whether its values are counts (a settlement lag, a delay, a number of spaces): its draws are
    rounded to whole numbers before use, and shown so."""
    return np.array([any(targets.whole[path] for part in targets.parts for path, k in part.items() if k == n)
                     or n in targets.phases for n in range(count)], dtype=bool)


def check_risk(spec: RiskSpec, scenario: ProjectScenario, file: Any = None) -> Targets:
    """``spec``'s inputs placed in ``scenario`` and its correlations shown to hold together; a clear error naming
    the key otherwise."""
    from .draws import correlation_matrix

    targets = resolve(spec, scenario, file)
    try:
        correlation_matrix(spec)
    except ValueError as exc:
        raise InputError(Said(str(exc), zh_of(exc)), file=file, key="risk.correlations") from exc
    ids = set(scenario.projects.ids)
    known = ids | {b.id for b in scenario.config.bundles}
    for unit in spec.sensitivity_units:
        formed = scenario.config.bundling is not None and unit.startswith("bundle-") and unit[7:] in ids
        if unit not in known and not formed:
            raise InputError(f"'{unit}' is neither a project nor a bundle of the scenario (a bundle the optimiser "
                             "forms is bundle-<component id>)",
                             zh=f"“{unit}”既不是情景中的项目，也不是组合（优化形成的组合为 bundle-<组合编号>）",
                             file=file, key="risk.sensitivity_units")
    return targets


def with_risk(scenario: ProjectScenario, risk: RiskSpec | Mapping[str, Any] | None) -> ProjectScenario:
    """``scenario`` with ``risk`` (a RiskSpec, or the [risk] table as a dict: ``{"draws": 1000, "inputs": [{"key":
    …, "distribution": "uniform", "low": …, "high": …}]}``) in place of its own [risk]; itself for None. What an
    analyst tries without editing the scenario file, checked as the file's table is."""
    if risk is None:
        return scenario
    if not isinstance(risk, RiskSpec):
        from ..config import validate_model

        risk = validate_model(_RiskTable, {"risk": dict(risk)}).risk
    check_risk(risk, scenario)
    return replace(scenario, config=scenario.config.model_copy(update={"risk": risk}))


def with_formed_bundles(scenario: ProjectScenario, modes: Any) -> ProjectScenario:
    """``scenario`` with the bundles its bundling optimiser formed (``check_modes(...).bundling``) written in as
    declared bundles (id ``bundle-<component>``, the component's name): the question for approval is how likely
    the bundles as formed are to balance when their inputs move, not what bundles each draw would form."""
    bundling = getattr(modes, "bundling", None)
    if bundling is None or bundling.bundles.empty:
        return scenario
    from ..modes.scenario import Bundle

    names = _names(scenario)
    formed = [Bundle(id=f"bundle-{row.bundle}", name=names.get(row.bundle, row.bundle), mode=scenario.config.bundling.mode,
                     members=[row.bundle, *row.packages]) for row in bundling.bundles.itertuples(index=False)]
    config = scenario.config.model_copy(update={"bundles": [*scenario.config.bundles, *formed], "bundling": None})
    return replace(scenario, config=config)


def with_spec(scenario: ProjectScenario, risk: RiskSpec | Mapping[str, Any] | None) -> tuple[ProjectScenario,
                                                                                              RiskSpec]:
    """``scenario`` with ``risk`` in place of its [risk] (``with_risk``) and the table that holds; an error when
    there is none, neither in the file nor given."""
    scenario = with_risk(scenario, risk)
    if scenario.config.risk is None:
        raise InputError("the scenario has no [risk] table: name the uncertain inputs there, or give risk=",
                         zh="情景中没有 [risk] 表：请在其中列出不确定的输入，或给出 risk=", file=scenario.path)
    return scenario, scenario.config.risk


class _RiskTable(Strict):
    """[risk] as the scenario holds it, so that a problem is named risk.inputs[0].low as in a file."""

    risk: RiskSpec


def _check_support(item, annotation, file, where) -> None:
    if hasattr(annotation, "annotation"):  # a FieldInfo
        annotation = _annotated(annotation)
    low, high = (max(min(v, MAX_NUMBER), -MAX_NUMBER) for v in item.support)
    if _base_type(annotation) is int:  # a count's draws are rounded to whole numbers before use
        low, high = round(low), round(high)
    if not _validated(list[annotation], [low, high]):
        raise InputError(f"its draws can reach {item.support[0]:g} to {item.support[1]:g}, outside what the field "
                         "takes: give low and high within its bounds",
                         zh=f"其抽样值可取 {item.support[0]:g} 至 {item.support[1]:g}，超出该字段可取的范围："
                         "请把 low 和 high 设在其范围之内", file=file, key=where.removesuffix(".key"))


def _annotated(field_info) -> Any:
    from typing import Annotated

    return Annotated[(field_info.annotation, *field_info.metadata)] if field_info.metadata else field_info.annotation


@dataclass(frozen=True)
class RiskResult:
    spec: RiskSpec
    draws: pd.DataFrame
    """The inputs' values, one row per draw."""
    summary: pd.DataFrame
    """One row per project and bundle: probabilities and percentiles."""
    drivers: pd.DataFrame
    """Per unit and input: the rank correlation of the input with the unit's balance margin, strongest first."""
    samples: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Per metric (and ``margin_wan``, ``balanced``), one row per draw and one column per unit."""
    workers: int = 0
    """Dask workers the draws ran on (0: in this process)."""


def simulate(scenario: ProjectScenario, draws: int | None = None, *, seed: int | None = None,
             workers: int | None = None, scheduler: str | None = None,
             progress: Callable[[int, int], None] | None = None,
             risk: RiskSpec | Mapping[str, Any] | None = None) -> RiskResult:
    """Monte Carlo of ``scenario`` under its ``[risk]`` table, or under ``risk`` given here (``with_risk``);
    ``draws`` and ``seed`` override the table's.

    The chunks run on a Dask cluster: ``scheduler`` (an address such as tcp://host:8786, else the
    DASK_SCHEDULER_ADDRESS variable), else a local cluster of ``workers`` processes (default: one per core);
    ``workers=0`` runs them in this process. The draws are made before the work is split, so the result is the
    same to the bit whatever runs it. ``progress(done, total)`` is called as chunks finish."""
    scenario, spec = with_spec(scenario, risk)
    targets = resolve(spec, scenario, scenario.path)
    n = draws if draws is not None else spec.draws
    values = draw_inputs(spec, n, seed)
    whole = whole_inputs(targets, values.shape[1])
    values[:, whole] = np.round(values[:, whole])  # the values used are the values shown
    bounds = list(range(0, n, spec.chunk)) + [n]
    chunks = [values[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    results, used = run_tasks(evaluate_draws, [(chunk,) for chunk in chunks], shared=(scenario, targets),
                              workers=workers, scheduler=scheduler, progress=progress)
    return _assemble(scenario, spec, targets, values, results, used)


def evaluate_draws(scenario: ProjectScenario, targets: Targets, values: np.ndarray) -> dict[str, np.ndarray]:
    """Every project's and bundle's figures for the draws ``values`` (draws, inputs): each (draws, units). A NaN
    leaves the input at the scenario's value (the sensitivity runs move one input at a time)."""
    config = scenario.config
    n = values.shape[0]
    rates = np.full(n, config.scenario.discount_rate)
    if targets.rate is not None:
        rates = np.where(np.isnan(values[:, targets.rate]), rates, values[:, targets.rate])
    threshold = config.risk.dscr_at_least
    out: dict[str, list[np.ndarray]] = {name: [] for name in (*METRICS, "npv_margin_wan", "coverage_margin_wan",
                                                              "cash_min_wan", "dscr_ok", "coverage_stated_ok")}
    members = {m for b in config.bundles for m in b.members}
    cash: dict[str, np.ndarray] = {}  # cumulative cash by year of the projects bundles add up
    for part, placed, bases, phase in zip(scenario.projects.parts, targets.parts, targets.base, targets.phases):
        table = isinstance(part, TableRows)
        template = part.template if table else part
        size = len(part) if table else 1
        given = {key: np.tile(column, n) for key, column in (part.values.values.items() if table else ())}
        for path, k in placed.items():
            drawn = np.round(values[:, k]) if targets.whole[path] else values[:, k]
            rows = np.repeat(drawn, size)  # draw by draw, the rows of a table side by side
            if np.isnan(drawn).any():
                rows = np.where(np.isnan(rows), given.get(path, bases[path]), rows)
            given[path] = rows
        row_rates = np.repeat(rates, size)
        if phase is None:
            figures, cumulative = _part_figures(scenario, template, RowValues(size * n, given), row_rates, threshold)
        else:  # one group of draws per delay: each delay is a project of its own phases
            written = written_of(template)
            delays = np.round(values[:, phase])
            delays = np.repeat(np.where(np.isnan(delays), written.construction_delay_years, delays), size)
            figures, pieces = {}, []
            for delay in np.unique(delays):
                rows = delays == delay
                found, cash_d = _part_figures(scenario, effective(written, int(delay)),
                                              RowValues(int(rows.sum()), {key: v[rows] for key, v in given.items()}),
                                              row_rates[rows], threshold)
                for name, column in found.items():
                    figures.setdefault(name, np.empty(size * n))[rows] = column
                pieces.append((rows, cash_d))
            width = max(c.shape[1] for _, c in pieces)
            cumulative = np.empty((size * n, width))
            for rows, cash_d in pieces:
                cumulative[rows] = _held(cash_d, width)
        for name, column in figures.items():
            out[name].append(np.asarray(column, dtype=float).reshape(n, size))
        for j, pid in enumerate(part.ids if table else [part.id]):
            if pid in members:
                cash[pid] = cumulative.reshape(n, size, -1)[:, j]
    result = {name: np.hstack(columns) for name, columns in out.items()}
    index = {pid: k for k, pid in enumerate(scenario.projects.ids)}
    bundles: dict[str, list[np.ndarray]] = {"npv_wan": [], "coverage_margin_wan": [], "cash_min_wan": []}
    for bundle in config.bundles:
        columns = [index[m] for m in bundle.members]
        bundles["npv_wan"].append(result["npv_wan"][:, columns].sum(axis=1))
        bundles["coverage_margin_wan"].append(result["coverage_margin_wan"][:, columns].sum(axis=1))
        width = max(cash[m].shape[1] for m in bundle.members)
        total = sum(_held(cash[m], width) for m in bundle.members)
        bundles["cash_min_wan"].append(total.min(axis=1))
    result["bundles"] = {name: np.column_stack(columns) if columns else np.zeros((n, 0))
                         for name, columns in bundles.items()}
    return result


def _held(cumulative: np.ndarray, width: int) -> np.ndarray:
    """Cumulative cash (rows, years) carried on to ``width`` years: after its horizon a project's cash stays where it
    ended, as in the deterministic test of a bundle (its members', or one project's under a shorter delay)."""
    return np.hstack([cumulative, np.repeat(cumulative[:, -1:], width - cumulative.shape[1], axis=1)])


def _part_figures(scenario: ProjectScenario, template: Project, values: RowValues, rates: np.ndarray,
                  threshold: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The figures of the rows ``values`` of ``template`` (each (rows,)) and their cumulative cash (rows, years)."""
    rule = scenario.config.balance
    mid = scenario.config.scenario.flow_timing == "mid_year"
    g = table_cashflows(template, scenario.year, scenario.policy, values)
    after = g.project_flow + g.support
    npv_after = np.atleast_1d(npv(rates, after, mid_year=mid))
    found = irr(g.project_flow)
    numerator, denominator = coverage_parts(g, rule)
    ratio, _ = dscr(g.operations.cfads, g.operating_debt_service)
    has_service = (g.operating_debt_service > 0).any(axis=1)
    stated = template.coverage.stated
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)
    cumulative = np.cumsum(g.net_cash, axis=1)
    return {
        "npv_wan": npv_after,
        "irr": np.where((found.status == "ok") & (found.kind == "investment"), found.value, np.nan),
        "funding_gap_wan": funding_gap(rates, after),
        "peak_funding_need_wan": peak_funding_need(g.project_flow),
        "payback_years": payback(g.project_flow, mid_year=mid) + 1,
        "npv_margin_wan": npv_after - rule.npv_at_least_wan,
        "coverage_margin_wan": numerator - rule.coverage_at_least * denominator,
        "cash_min_wan": cumulative.min(axis=1),
        "dscr_ok": np.where(has_service, np.all(np.isnan(ratio) | (ratio >= threshold - 1e-12), axis=1), np.nan),
        "coverage_stated_ok": (np.full(values.size, np.nan) if stated is None
                               else np.where(np.isnan(coverage), np.nan, coverage >= stated - 1e-12)),
    }, cumulative


def _assemble(scenario, spec, targets, values, results, workers) -> RiskResult:
    config = scenario.config
    rule = config.balance
    ids = scenario.projects.ids
    names = _names(scenario)
    bundle_ids = [b.id for b in config.bundles]
    units = ids + bundle_ids
    joined = {name: np.vstack([r[name] for r in results]) for name in results[0] if name != "bundles"}
    joined_b = {name: np.vstack([r["bundles"][name] for r in results]) for name in results[0]["bundles"]}
    npv_all, tests, margin = unit_margins(rule, joined, joined_b)
    balanced = margin >= -TOLERANCE_WAN
    n = values.shape[0]
    nan_b = np.full((n, len(bundle_ids)), np.nan)

    def padded(name: str) -> np.ndarray:
        return np.hstack([joined[name], nan_b])

    summary = pd.DataFrame({
        "unit": units,
        "kind": ["project"] * len(ids) + ["bundle"] * len(bundle_ids),
        "name": [names[i] for i in ids] + [b.name or b.id for b in config.bundles],
        "p_balance": balanced.mean(axis=0),
        "p_npv": _share(tests["npv"], len(units)),
        "p_coverage": _share(tests["coverage"], len(units)),
        "p_cash": _share(tests["cash"], len(units)),
        "p_dscr": _nanmean(padded("dscr_ok")),
        "p_coverage_stated": _nanmean(padded("coverage_stated_ok")),
    })
    for name, figures in (("npv_wan", npv_all), ("irr", padded("irr")), ("funding_gap_wan", padded("funding_gap_wan")),
                          ("peak_funding_need_wan", padded("peak_funding_need_wan")),
                          ("payback_years", padded("payback_years"))):
        with np.errstate(all="ignore"):
            for p in PERCENTILES:
                summary[f"{name}_p{p}"] = _nanpercentile(figures, p)
    summary["irr_share"] = np.hstack([np.isfinite(joined["irr"]).mean(axis=0), np.full(len(bundle_ids), np.nan)])
    summary = summary.set_index("unit")
    keys = [i.key for i in spec.inputs]
    drivers = _drivers(values, margin, keys, units)
    samples = {"npv_wan": pd.DataFrame(npv_all, columns=units), "margin_wan": pd.DataFrame(margin, columns=units),
               "balanced": pd.DataFrame(balanced, columns=units)}
    for name in ("irr", "funding_gap_wan", "peak_funding_need_wan", "payback_years"):
        samples[name] = pd.DataFrame(joined[name], columns=ids)
    return RiskResult(spec=spec, draws=pd.DataFrame(values, columns=keys), summary=summary, drivers=drivers,
                      samples=samples, workers=workers)


def unit_margins(rule, joined: dict, joined_b: dict) -> tuple[np.ndarray, dict, np.ndarray]:
    """For the figures of ``evaluate_draws`` (projects' ``joined``, bundles' ``joined_b``): NPV after grants, the
    margin of each test of the ``[balance]`` rule (None where not tested) and the balance margin (the least of
    them, 万元), each (draws, projects + bundles). A unit balances where its margin is ≥ 0."""
    npv_all = np.hstack([joined["npv_wan"], joined_b["npv_wan"]])
    tests = {
        "npv": npv_all - rule.npv_at_least_wan if rule.tests_npv else None,
        "coverage": (np.hstack([joined["coverage_margin_wan"], joined_b["coverage_margin_wan"]])
                     if rule.tests_coverage else None),
        "cash": (np.hstack([joined["cash_min_wan"], joined_b["cash_min_wan"]]) - rule.cash_at_least_wan
                 if rule.tests_cash else None),
    }
    return npv_all, tests, np.minimum.reduce([m for m in tests.values() if m is not None])


def _names(scenario) -> dict[str, str]:
    names = {}
    for part in scenario.projects.parts:
        if isinstance(part, TableRows):
            names.update(zip(part.ids, part.names if part.names is not None else [part.template.name] * len(part)))
        else:
            names[part.id] = part.name
    return names


def _share(margins: np.ndarray | None, units: int) -> np.ndarray:
    if margins is None:
        return np.full(units, np.nan)
    return (margins >= -TOLERANCE_WAN).mean(axis=0)


def _nanmean(values: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        counts = np.isfinite(values).sum(axis=0)
        return np.where(counts > 0, np.nansum(values, axis=0) / np.maximum(counts, 1), np.nan)


def _nanpercentile(values: np.ndarray, p: float) -> np.ndarray:
    if values.shape[1] == 0:
        return np.zeros(0)
    out = np.full(values.shape[1], np.nan)
    some = np.isfinite(values).any(axis=0)
    if some.any():
        out[some] = np.nanpercentile(values[:, some], p, axis=0)
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks down each column (ties averaged), centred and scaled to unit length: their products are Spearman's ρ."""
    from scipy.stats import rankdata

    ranks = rankdata(values, axis=0)
    ranks = ranks - ranks.mean(axis=0)
    norm = np.sqrt((ranks ** 2).sum(axis=0))
    return np.where(norm > 0, ranks / np.where(norm > 0, norm, 1.0), 0.0)


def _drivers(values: np.ndarray, margin: np.ndarray, keys: list[str], units: list[str]) -> pd.DataFrame:
    """Spearman's ρ of every input with every unit's balance margin, strongest first within each unit."""
    rho = _ranks(values).T @ _ranks(margin)  # (inputs, units)
    frame = pd.DataFrame({"unit": np.repeat(units, len(keys)), "input": keys * len(units),
                          "rank_correlation": rho.T.ravel()})
    frame["strength"] = frame["rank_correlation"].abs()
    frame = frame.sort_values(["unit", "strength"], ascending=[True, False], kind="stable")
    order = {u: k for k, u in enumerate(units)}
    frame = frame.sort_values("unit", key=lambda s: s.map(order), kind="stable").drop(columns="strength")
    return frame.reset_index(drop=True)

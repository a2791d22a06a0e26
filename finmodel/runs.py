"""Runs read back, and two runs compared.

``read_run`` loads a report folder into the frames the API returns — an allocation's amounts by unit and pool, a
project run's metrics, a plan's communities — from its CSV files, whose columns ``manifest.json`` names as the API
does. Every file is first checked against the hash the manifest holds: a file changed after the run is refused.

``compare`` sets two runs of one kind side by side: the inputs that differ (files by hash, ``--set`` changes, the
policy), then per unit and pool the two amounts, the difference and the percentage (allocations), the main metrics
of each project (project runs), or households and money by year (plans).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .labels import LANGS

MAIN_CSV = {"allocation": "allocation.csv", "projects": "cashflow.csv", "plan": "plan.csv"}
PROJECT_METRICS = ("total_investment_wan", "npv_after_grants_wan", "irr_project", "funding_gap_wan",
                   "peak_funding_need_wan", "dscr_min", "payback_static_years", "cumulative_cash_min_wan")
"""The metrics a comparison of project runs sets side by side."""


@dataclass(frozen=True)
class Run:
    """A report folder read back."""

    path: Path
    manifest: dict
    kind: str
    lang: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The main CSV with the API's column names: ``allocation`` (units; amounts in 万元), ``metrics`` (projects;
    IRRs as decimals), ``communities`` (plans; 0 for no year, as the API has it)."""

    @property
    def amount_wan(self) -> pd.DataFrame:
        """Allocation: unit × pool id, 万元, as ``AllocationResult.amount_wan``."""
        frame = self.frames["allocation"]
        return frame[[c for c in frame.columns if c.startswith("amount_wan.")]].rename(
            columns=lambda c: c.removeprefix("amount_wan.")).rename_axis(index=None, columns=None)

    @property
    def metrics(self) -> pd.DataFrame:
        """Project run: one row per project, as ``CashflowResult.metrics`` for the columns cashflow.csv has."""
        return self.frames["metrics"]

    @property
    def communities(self) -> pd.DataFrame:
        """Plan: one row per community, as ``PlanResult.communities`` for the columns plan.csv has."""
        return self.frames["communities"]

    @property
    def name(self) -> str:
        return str(self.manifest.get("scenario", {}).get("name", self.path.name))


def read_run(folder: str | Path) -> Run:
    """The run in ``folder`` (a report folder written by ``finmodel run``), every file checked against its hash."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("is not a report folder: it has no manifest.json (run a scenario into it first)",
                         zh="不是报表文件夹：其中没有 manifest.json（请先运行情景，输出到该文件夹）", file=folder) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot be read: {exc}", zh=f"无法读取：{exc}", file=manifest_path) from exc
    if not _as_written(manifest):  # edited by hand or written by another program: nothing in it can be relied on
        raise InputError("is not a manifest finmodel wrote (a table whose outputs each name a file and its "
                         "sha256, and a scenario table); run the scenario again",
                         zh="不是 finmodel 写出的清单（应为一个表，其 outputs 各项写明文件名和 sha256，并有 scenario 表）；"
                         "请重新运行情景", file=manifest_path)
    outputs = {entry["file"]: entry for entry in manifest.get("outputs", [])}
    contents = {}
    for name, entry in outputs.items():
        path = folder / name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"is listed in manifest.json but cannot be read ({exc.strerror}): the folder is not as "
                             "the run left it",
                             zh=f"已列在 manifest.json 中，但无法读取（{exc.strerror}）：文件夹已不是运行结束时的样子",
                             file=path) from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise InputError("has changed since the run wrote it (its hash is not the one manifest.json records): "
                             "the run cannot be read back as it was; run the scenario again",
                             zh="运行写出后已被修改（其哈希值与 manifest.json 记录的不同）：无法按原样读回这次运行；"
                             "请重新运行情景", file=path)
        contents[name] = data
    kind = manifest.get("scenario", {}).get("kind")
    lang = manifest.get("language", "zh")
    main = MAIN_CSV.get(kind)
    if main is None or main not in contents:
        raise InputError(f"holds no {main or 'result'} to read back (a run of kind '{kind}')",
                         zh=f"没有可读回的{f' {main}' if main else '结果'}（这次运行的类型为“{kind}”）", file=folder)
    columns = outputs[main].get("columns")
    if not columns:
        raise InputError(f"manifest.json does not name the columns of {main}: the folder was written by an older "
                         "finmodel; run the scenario again",
                         zh=f"manifest.json 中没有写明 {main} 的各列：该文件夹由旧版 finmodel 写出；请重新运行情景",
                         file=manifest_path)
    frame = pd.read_csv(io.BytesIO(contents[main]), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if len(frame.columns) != len(columns):
        raise InputError(f"has {len(frame.columns)} columns, manifest.json names {len(columns)}",
                         zh=f"有 {len(frame.columns)} 列，而 manifest.json 写明的是 {len(columns)} 列", file=folder / main)
    frame.columns = columns
    frames = {"allocation": _allocation, "projects": _metrics, "plan": _communities}[kind](frame, lang)
    return Run(path=folder, manifest=manifest, kind=kind, lang=lang, frames=frames)


def _as_written(manifest: object) -> bool:
    """Whether ``manifest`` has the shape ``finmodel run`` writes, as far as reading a run back and comparing it
    rely on it: outputs and inputs each a file with its hash, overrides each a key with its old and new value, a
    scenario table whose kind is text, a language finmodel writes, tables where tables are."""
    if not isinstance(manifest, dict):
        return False
    scenario = manifest.get("scenario", {})
    if not isinstance(scenario, dict) or not isinstance(scenario.get("kind", ""), str):
        return False
    if manifest.get("language", "zh") not in LANGS or not isinstance(manifest.get("policy", {}), dict):
        return False

    def entries(key: str, fields: dict[str, type | tuple]) -> bool:
        listed = manifest.get(key, [])
        return isinstance(listed, list) and all(
            isinstance(entry, dict) and all(name in entry and isinstance(entry[name], kinds)
                                            for name, kinds in fields.items()) for entry in listed)

    return (entries("outputs", {"file": str, "sha256": str}) and entries("inputs", {"file": str, "sha256": str})
            and entries("overrides", {"key": str, "old": object, "new": object})
            and entries("pools", {"id": str})
            and all(isinstance(e.get("columns", []), list) for e in manifest.get("outputs", [])))


def _numbers(column: pd.Series) -> pd.Series:
    """Text cells as numbers: empty for none; a leading ' (put before text a spreadsheet could take for a formula)
    is dropped first."""
    return pd.to_numeric(column.str.removeprefix("'").replace("", np.nan), errors="raise")


def _allocation(frame: pd.DataFrame, lang: str) -> dict[str, pd.DataFrame]:
    from .labels import csv_header

    units = frame[frame["row_kind"] == csv_header("csv_row_unit", lang)].set_index("unit")
    units.index.name = None
    for column in [c for c in units.columns if c == "total_wan" or c.startswith("amount_wan.")]:
        units[column] = _numbers(units[column])
    return {"allocation": units.drop(columns=["row_kind", "seq"])}


def _metrics(frame: pd.DataFrame, lang: str) -> dict[str, pd.DataFrame]:
    metrics = frame.set_index("id")
    metrics.index.name = None
    for column in metrics.columns:
        if column in ("name",) or column.endswith("_note"):
            continue
        metrics[column] = _numbers(metrics[column])
    for column in ("irr_project", "irr_equity"):  # in percent in the CSV
        metrics[column] = metrics[column] / 100
    for column in ("dscr_min_year", "first_year_cash_negative"):  # empty in the CSV, −1 in the API
        metrics[column] = metrics[column].fillna(-1).astype(int)
    return {"metrics": metrics}


def _communities(frame: pd.DataFrame, lang: str) -> dict[str, pd.DataFrame]:
    communities = frame.set_index("id")
    for column in communities.columns:
        if column.endswith("_wan") or column in ("year_built", "households", "buildings", "floor_area_m2",
                                                  "consent_share", "prior_year", "gap_count", "priority",
                                                  "planned_year"):
            communities[column] = _numbers(communities[column])
    for column in ("prior_year", "planned_year"):  # empty in the CSV, 0 in the API
        communities[column] = communities[column].fillna(0).astype(int)
    return {"communities": communities}


# ---------------------------------------------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Comparison:
    a: Run
    b: Run
    inputs: pd.DataFrame
    """What differs between the runs' inputs: what (file, --set, policy, scenario), key, value in A, value in B."""
    table: pd.DataFrame
    """Allocation: unit, pool, a_wan, b_wan, difference_wan, change (a share; NaN where A is 0). Projects: project,
    name, metric, a, b, difference, change. Plan: year, measure (households, cost_wan), a, b, difference, change."""

    @property
    def kind(self) -> str:
        return self.a.kind


def compare(a: str | Path | Run, b: str | Path | Run) -> Comparison:
    """Runs ``a`` and ``b`` (report folders, or runs read back) side by side; both must be of one kind."""
    a = a if isinstance(a, Run) else read_run(a)
    b = b if isinstance(b, Run) else read_run(b)
    if a.kind != b.kind:
        raise InputError(f"cannot compare a run of kind '{a.kind}' ({a.path}) with one of kind '{b.kind}' ({b.path})",
                         zh=f"无法比较类型为“{a.kind}”的运行（{a.path}）和类型为“{b.kind}”的运行（{b.path}）")
    table = {"allocation": _compare_allocation, "projects": _compare_projects, "plan": _compare_plan}[a.kind](a, b)
    return Comparison(a=a, b=b, inputs=input_differences(a.manifest, b.manifest), table=table)


def change(a, b):
    """(b − a) ÷ |a|: the change from run A to run B as a share of A; NaN where A is 0. Numbers or arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a != 0, (b - a) / np.abs(a), np.nan)


def _compare_allocation(a: Run, b: Run) -> pd.DataFrame:
    # A unit or pool one run lacks got nothing there; amounts are exact at 0.01 万元, so differences are worked in
    # those units and add up exactly.
    amounts_a, amounts_b = a.amount_wan, b.amount_wan
    units = list(dict.fromkeys([*amounts_a.index, *amounts_b.index]))
    pools = list(dict.fromkeys([*amounts_a.columns, *amounts_b.columns]))
    grain_a = (amounts_a.reindex(index=units, columns=pools).fillna(0) * 100).round().astype(np.int64)
    grain_b = (amounts_b.reindex(index=units, columns=pools).fillna(0) * 100).round().astype(np.int64)
    long = pd.DataFrame({"unit": np.repeat(units, len(pools)), "pool": pools * len(units),
                         "a_wan": grain_a.to_numpy().ravel() / 100, "b_wan": grain_b.to_numpy().ravel() / 100,
                         "difference_wan": (grain_b - grain_a).to_numpy().ravel() / 100})
    long["change"] = change(long["a_wan"], long["b_wan"])
    return long


def _compare_projects(a: Run, b: Run) -> pd.DataFrame:
    ma, mb = a.metrics, b.metrics
    projects = list(dict.fromkeys([*ma.index, *mb.index]))
    rows = []
    for metric in PROJECT_METRICS:
        va = ma[metric].reindex(projects) if metric in ma else pd.Series(np.nan, index=projects)
        vb = mb[metric].reindex(projects) if metric in mb else pd.Series(np.nan, index=projects)
        names = ma["name"].reindex(projects).fillna(mb["name"].reindex(projects))
        rows.append(pd.DataFrame({"project": projects, "name": names.to_numpy(), "metric": metric,
                                  "a": va.to_numpy(dtype=float), "b": vb.to_numpy(dtype=float)}))
    long = pd.concat(rows, ignore_index=True)
    long["difference"] = long["b"] - long["a"]
    long["change"] = change(long["a"], long["b"])
    order = {p: k for k, p in enumerate(projects)}
    return long.sort_values("project", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def _plan_by_year(run: Run) -> pd.DataFrame:
    c = run.communities
    planned = c[c["planned_year"] > 0]
    cost = planned[[col for col in ("cost_basic_wan",) if col in planned]].sum(axis=1)
    return pd.DataFrame({"households": planned["households"], "cost_wan": cost,
                         "year": planned["planned_year"]}).groupby("year").sum()


def _compare_plan(a: Run, b: Run) -> pd.DataFrame:
    ya, yb = _plan_by_year(a), _plan_by_year(b)
    years = sorted(set(ya.index) | set(yb.index))
    ya, yb = ya.reindex(years).fillna(0), yb.reindex(years).fillna(0)
    rows = [pd.DataFrame({"year": years, "measure": measure, "a": ya[measure].to_numpy(dtype=float),
                          "b": yb[measure].to_numpy(dtype=float)}) for measure in ("households", "cost_wan")]
    long = pd.concat(rows, ignore_index=True)
    long["difference"] = long["b"] - long["a"]
    long["change"] = change(long["a"], long["b"])
    return long


def input_differences(a: dict, b: dict) -> pd.DataFrame:
    """What differs between two runs' inputs, from their manifests: the scenario file and tables (by hash), the
    ``--set`` changes, the policy values, the language."""
    rows: list[dict[str, Any]] = []

    def differ(what: str, key: str, va: Any, vb: Any) -> None:
        if va != vb:
            rows.append({"what": what, "key": key, "a": _shown(va), "b": _shown(vb)})

    differ("scenario", "scenario.file", a.get("scenario", {}).get("file"), b.get("scenario", {}).get("file"))
    files_a = {i["file"]: i["sha256"] for i in a.get("inputs", [])}
    files_b = {i["file"]: i["sha256"] for i in b.get("inputs", [])}
    for name in dict.fromkeys([*files_a, *files_b]):
        differ("file", name, _short(files_a.get(name)), _short(files_b.get(name)))
    set_a = {o["key"]: o["new"] for o in a.get("overrides", [])}
    set_b = {o["key"]: o["new"] for o in b.get("overrides", [])}
    old = {o["key"]: o["old"] for o in [*a.get("overrides", []), *b.get("overrides", [])]}
    for key in dict.fromkeys([*set_a, *set_b]):
        differ("set", key, set_a.get(key, old.get(key)), set_b.get(key, old.get(key)))
    policy_a, policy_b = _flat(a.get("policy", {})), _flat(b.get("policy", {}))
    for key in dict.fromkeys([*policy_a, *policy_b]):
        differ("policy", key, policy_a.get(key), policy_b.get(key))
    differ("language", "language", a.get("language"), b.get("language"))
    return pd.DataFrame(rows, columns=["what", "key", "a", "b"])


def _short(digest: str | None) -> str | None:
    return None if digest is None else f"sha256 {digest[:12]}…"


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _flat(record: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(record, dict):
        out: dict[str, Any] = {}
        for key, value in record.items():
            out |= _flat(value, f"{prefix}{key}.")
        return out
    return {prefix.rstrip("."): record}

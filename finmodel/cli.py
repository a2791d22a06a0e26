"""The ``finmodel`` command.

    finmodel [--debug] run FILE|FOLDER [FILE ...] [--out DIR] [--set KEY=VALUE ...] [--lang zh|en]
             [--draws N] [--workers N] [--scheduler ADDRESS] [--quiet | --verbose]
    finmodel [--debug] sweep FILE --grid KEY=V1,V2,... [--grid ...] [--set KEY=VALUE ...] [--out DIR]
             [--lang zh|en] [--workers N] [--scheduler ADDRESS] [--quiet]
    finmodel [--debug] compare RUN_A RUN_B [--out DIR] [--lang zh|en] [--quiet]
    finmodel [--debug] template allocation|projects|plan FILE.xlsx [--lang zh|en]
    finmodel [--debug] validate FILE [--set KEY=VALUE ...] [--lang zh|en]
    finmodel schema [--out DIR]
    finmodel --version

FILE is a scenario of one of the kinds of ``finmodel/kinds.py``: its first key, ``kind = "allocation"``,
``"projects"`` or ``"plan"``, says which (a file without it is read by its tables, with a note to add it).
A folder stands for the scenario files directly in it; several scenarios run one after another, each into a
folder of its own named after its file (under ``--out`` when given), and the command ends with the most serious
exit code of the runs. ``sweep`` runs one scenario at every combination of the values given for some of its keys
(as Dask tasks) and writes one table with a row per combination. ``schema`` writes docs/scenario-reference.md and
the JSON Schemas of docs/schema/ under DIR (default: here).

Exit codes (``EXIT_CODES``): 0 done; 1 a compliance check failed (the reports are written and say which); 2 bad
input, or an output folder that cannot be written or is in use; 3 the rules cannot all be met; 4 a solver stopped
(time limit, numerical trouble); 5 an internal error (a defect: ``--debug`` shows its traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap
import traceback
from pathlib import Path

from . import solver
from .config import read_toml
from .errors import FinmodelError, InputError, zh_of
from .kinds import KindFound, kind_of
from .labels import LANGS, SOLVE_STATUS, check_label, finding_text, pool_label, t, word
from .progress import TERMINAL, Activity
from .report.cells import display_width
from .report.files import output_folder
from .solver import abandoned_solve

# Each kind's engine and writers load in the function that runs it: a run of one kind does not pay for building
# the others' models (their pydantic classes, scipy, matplotlib where it draws nothing).

EXIT_CODES = {0: "done", 1: "a compliance check failed", 2: "bad input or an output folder that cannot be written",
              3: "the rules cannot all be met", 4: "a solver stopped", 5: "internal error", 130: "interrupted"}

INTERRUPT_GRACE_S = 0.5
"""Ctrl-C stops the command within about this long however long HiGHS takes to notice (``solver``)."""

EPILOG = """scenario kinds (the file's first key, kind = "…"):
  allocation  split subsidy pools among districts (切块分配) and write the approval workbook
              finmodel run scenarios/jinan-2023.toml
  projects    test whether renovation projects balance under the funding modes (项目资金平衡测算)
              finmodel run scenarios/projects/zoucheng-2024.toml
  plan        choose which communities to renovate in which year (年度改造计划)
              finmodel run scenarios/jinan-plan-2021.toml

  finmodel sweep FILE --grid KEY=V1,V2,...   every combination of values, one table (any kind)
  finmodel compare RUN_A RUN_B               two runs side by side (report folders or scenarios)
  finmodel template plan FILE.xlsx           an Excel workbook to fill in for a kind's tables

""" + "\n".join(textwrap.wrap("exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items()),
                            width=96, subsequent_indent="  "))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"finmodel {version('finmodel')}"
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "finmodel (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finmodel",
        description="Allocate old-community renovation subsidies (老旧小区改造补助资金) and write the approval\n"
                    "tables; test whether renovation projects pay their way (项目资金平衡测算); plan which\n"
                    "communities are renovated when (年度改造计划).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its reports")
    run.add_argument("files", type=Path, nargs="+", metavar="FILE",
                     help="scenario file (TOML), or a folder standing for the scenarios in it; several may be given, "
                          "each then writing to a folder of its own under --out")
    run.add_argument("--out", type=Path, help="output folder, replaced whole by the run (default: "
                     "reports/<scenario file stem>, with -en appended for --lang en); with several scenarios, "
                     "the folder their report folders go under")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario value, e.g. pools.central.amount_wan=32000 (repeatable)")
    run.add_argument("--lang", choices=LANGS, default="zh", help="language of the reports and messages (default: zh)")
    risk = run.add_argument_group("Monte Carlo (project scenarios with a [risk] table)")
    risk.add_argument("--draws", type=int, metavar="N", help="draws instead of [risk] draws")
    _cluster_arguments(risk, "the draws")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only errors")
    loudness.add_argument("--verbose", action="store_true", help="also print each solver run (stage, status, time)")

    sweep = commands.add_parser("sweep", help="run a scenario at every combination of values of some of its keys")
    sweep.add_argument("file", type=Path, metavar="FILE", help="scenario file (TOML) of any kind")
    sweep.add_argument("--grid", action="append", default=[], required=True, metavar="KEY=V1,V2,...",
                       help="a key and its values, e.g. pools.central.amount_wan=28000,30000,32000 or "
                            "budgets.scale=0.8,1,1.2 (repeatable: every combination runs)")
    sweep.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="override a scenario value at every point (repeatable)")
    sweep.add_argument("--out", type=Path, help="output folder, replaced whole (default: reports/<stem>-sweep, "
                                                "with -en appended for --lang en)")
    sweep.add_argument("--lang", choices=LANGS, default="zh", help="language of the reports and messages (default: zh)")
    _cluster_arguments(sweep, "the points")
    sweep.add_argument("--quiet", action="store_true", help="print only errors")

    compare = commands.add_parser("compare", help="set two runs side by side: report folders, or scenarios to run")
    compare.add_argument("runs", type=Path, nargs=2, metavar="RUN",
                         help="a report folder written by finmodel run, or a scenario file (run first, quietly)")
    compare.add_argument("--out", type=Path, help="output folder, replaced whole (default: reports/compare-<A>-<B>, "
                                                  "with -en appended for --lang en)")
    compare.add_argument("--lang", choices=LANGS, default="zh", help="language of the reports and messages (default: zh)")
    compare.add_argument("--quiet", action="store_true", help="print only errors")

    template = commands.add_parser("template", help="write an Excel template to fill in for a kind's tables")
    template.add_argument("kind", choices=("allocation", "projects", "plan"), help="the kind of scenario")
    template.add_argument("file", type=Path, metavar="FILE.xlsx", help="the workbook to write")
    template.add_argument("--lang", choices=LANGS, default="zh", help="language of the headers (default: zh)")

    validate = commands.add_parser("validate", help="check a scenario and its tables without running it")
    validate.add_argument("file", type=Path, help="scenario file (TOML)")
    validate.add_argument("--lang", choices=LANGS, default="zh", help="language of the messages (default: zh)")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                          help="override a scenario value before checking (repeatable)")
    schema = commands.add_parser("schema", help="write the scenario reference and the JSON Schemas of every kind")
    schema.add_argument("--out", type=Path, default=Path("."),
                        help="folder to write docs/scenario-reference.md and docs/schema/ under (default: here)")
    for sub in (run, sweep, compare, template, validate, schema):
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _cluster_arguments(group, what: str) -> None:
    """--workers and --scheduler: where Dask runs ``what`` (the Monte Carlo's draws, a sweep's points)."""
    group.add_argument("--workers", type=int, metavar="N",
                       help="Dask workers of the local cluster (default: one per core; 0: in this process)")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help=f"a Dask scheduler to run {what} on, e.g. tcp://host:8786 (default: the "
                            "DASK_SCHEDULER_ADDRESS variable, else a local cluster)")


def _checked_workers(args: argparse.Namespace) -> int | None:
    if args.workers is not None and args.workers < 0:
        raise InputError(f"--workers {args.workers}: 0 (in this process) or more",
                         zh=f"--workers {args.workers}：应为 0（在本进程中计算）或更多")
    return args.workers


def _out_dir(args: argparse.Namespace, file: Path, suffix: str = "") -> Path:
    if args.out and not getattr(args, "several", False):
        return args.out
    # A run replaces its folder whole, so each language gets its own default folder: an English run never
    # replaces the Chinese reports of the same scenario. Several scenarios get a folder each, under --out.
    return _default_out(args, file.stem + suffix)


def _default_out(args: argparse.Namespace, name: str) -> Path:
    return (args.out or Path("reports")) / (name + ("" if args.lang == "zh" else f"-{args.lang}"))


def _command(args: argparse.Namespace) -> str:
    return "finmodel " + " ".join(args.argv)


class SolveReporter:
    """The solvers' progress callback: names the running solve on the progress line as it starts, and with
    --verbose prints each solve's record (stage, status, its gap for integer programs, time) as it ends."""

    def __init__(self, args: argparse.Namespace, line: Activity | None = None) -> None:
        self.verbose = bool(getattr(args, "verbose", False))
        self.lang = getattr(args, "lang", "zh")
        self.line = line
        self.solves = 0

    def started(self, model: str, stage: str) -> None:
        if self.line is not None:
            self.line.describe(t("cli_solve", self.lang).format(self.solves + 1))

    def __call__(self, record) -> None:
        self.solves += 1
        if self.verbose:
            gap = t("cli_gap", self.lang).format(record.gap) if record.gap is not None else ""
            stage = zh_of(record.stage) if self.lang == "zh" else record.stage
            status = word(SOLVE_STATUS, record.status, self.lang)
            message = t("cli_solve_record", self.lang).format(self.solves, stage, status, gap,
                                                              record.seconds)
            self.line.write(message) if self.line is not None else _status(message)


def fit_terminal(line: str, width: int = TERMINAL) -> list[str]:
    """A long summary or error line broken at its separators (；：，、, or ; : , before a space) into lines of at
    most ``width`` columns, the continuations indented; a part longer than a line stays whole rather than cut inside
    a figure or a path (C:\\…, https://…)."""
    if display_width(line) <= width:
        return [line]
    parts = re.split(r"(?<=[；：，、])|(?<=[;:,])(?= )", line)
    lines, current = [], ""
    for part in parts:
        if current.strip() and display_width(current) + display_width(part) > width:
            lines.append(current.rstrip())
            current = "  "
            part = part.lstrip()
        current += part
    lines.append(current.rstrip())
    return lines


QUIET = False
"""--quiet: only errors reach the terminal."""
BRIEF = False
"""Several scenarios run at once: one line each instead of each one's results (--verbose gives them all)."""


def _status(message: str) -> None:
    if not (QUIET or BRIEF):
        _stderr(message)


def _say(line: str) -> None:
    """A line of the run's results on stdout, within the terminal's width; nothing with --quiet, nor for each of
    several scenarios (they get a line each)."""
    if not (QUIET or BRIEF):
        print("\n".join(fit_terminal(line)))


def _kind_note(file: Path, found: KindFound, lang: str) -> None:
    """The note of a scenario whose kind was worked out rather than stated (``kind_of``), in ``lang``."""
    if found.note:
        _status(t("cli_note", lang).format(f"{file}：{zh_of(found.note)}" if lang == "zh" else f"{file}: {found.note}"))


def _stderr(message: str) -> None:
    """An error or a note on stderr; on a terminal, each of its lines within its width (in a log or a pipe a
    message stays on its lines, whole, to be searched and quoted)."""
    if sys.stderr.isatty():
        message = "\n".join(part for line in message.splitlines() for part in fit_terminal(line))
    print(message, file=sys.stderr, flush=True)


def _activity(args: argparse.Namespace, key: str, total: int | None = None) -> Activity:
    return Activity(t(key, args.lang), total, enabled=not QUIET)


def _run(args: argparse.Namespace) -> int:
    files = _scenario_files(args.files)
    # One file named: --out is its folder. Several, or a folder of them (even of one): a folder each under --out.
    args.several = len(files) > 1 or any(path.is_dir() for path in args.files)
    if len(files) == 1 and not args.several:
        return _run_one(args, files[0])
    global BRIEF
    codes = []
    BRIEF = not args.verbose
    try:
        for file in files:
            if not BRIEF:
                _status(t("cli_scenario_header", args.lang).format(file))
            args.brief_line = None
            try:
                codes.append(_run_one(args, file))
                args.finished.append(file)
                if BRIEF and not QUIET and args.brief_line:
                    mark = "✓" if codes[-1] == 0 else f"✗ ({codes[-1]})"
                    print("\n".join(fit_terminal(f"{mark} {file.name}: {args.brief_line} → {_out_dir(args, file)}")),
                          flush=True)
            except FinmodelError as exc:  # one bad scenario does not stop the others
                _stderr(t("cli_error", args.lang).format(exc.text(args.lang)))
                codes.append(exc.exit_code)
            _say("")
    finally:
        BRIEF = False
    worst = max(codes)  # the codes rise with seriousness: 1 a failed check … 5 an internal error
    _status(t("cli_runs", args.lang).format(len(codes), codes.count(0), len(codes) - codes.count(0), worst))
    return worst


def _scenario_files(given: list[Path]) -> list[Path]:
    """The scenario files named, a folder standing for the TOML files directly in it, in name order; two files
    with one name would share a report folder, which is refused before anything runs."""
    files: list[Path] = []
    for path in given:
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            if not found:
                raise InputError("this is a folder with no scenario file (*.toml) in it",
                                 zh="这个文件夹里没有情景文件（*.toml）", file=path)
            files += found
        else:
            files.append(path)
    stems: dict[str, Path] = {}
    for file in files:
        if file.stem in stems and stems[file.stem] != file:
            raise InputError(f"has the same name as {stems[file.stem]}: each scenario's reports go to a folder "
                             "named after its file, so run them separately with --out",
                             zh=f"与 {stems[file.stem]} 同名：每个情景的报告写入以其文件名命名的文件夹，"
                             "请用 --out 分别运行", file=file)
        stems[file.stem] = file
    return list(dict.fromkeys(files))


def _run_one(args: argparse.Namespace, file: Path) -> int:
    # Checked and locked before anything is read or solved: an output folder that cannot be written, or that
    # another run is writing, must fail at once rather than after a long solve.
    out = _out_dir(args, file)
    with output_folder(out, keep=[file]):
        _status(t("cli_reading", args.lang).format(file))
        found = kind_of(read_toml(file), file=file)
        _kind_note(file, found, args.lang)
        run = {"allocation": _run_allocation, "projects": _run_projects, "plan": _run_plan}[found.kind.name]
        return run(args, file, out)


def _run_allocation(args: argparse.Namespace, file: Path, out: Path) -> int:
    from .allocation import allocate
    from .allocation.scenario import load_scenario
    from .report import summary_text, write_allocation_report
    from .report.scale import allocation_cost
    from .report.summary import unallocated_reason

    lang = args.lang
    scenario = load_scenario(file, args.overrides)
    _status(t("cli_allocating", lang).format(sum(p.amount_wan for p in scenario.pools), len(scenario.pools),
                                              len(scenario.districts)))
    cost = allocation_cost(scenario)
    if cost.worth_announcing:  # a long run says what it will take before it starts
        _status(cost.line(lang))
    with _activity(args, "cli_allocating_line") as line:
        result = allocate(scenario, SolveReporter(args, line))
        written = write_allocation_report(result, out, lang=lang, command=_command(args), progress=line.describe)
    failed = [c for c in result.checks if not c.passed]
    total = sum(p.amount_wan for p in scenario.pools)
    args.brief_line = t("cli_brief_allocation", lang).format(total, len(result.districts),
                                                           len(result.checks) - len(failed), len(result.checks))
    if not (QUIET or BRIEF):
        print(summary_text(result, lang))
        for finding in result.findings:
            if finding.severity == "note":
                _say(t("cli_note", lang).format(finding_text(finding, lang)))
        print()
        _say(t("cli_checks", lang).format(len(result.checks) - len(failed), len(failed)))
        _say(t("formula_share_line", lang).format(result.formula_share))
        pools = {p.id: p for p in scenario.pools}
        for check in failed:
            _say(t("cli_check_failed", lang).format(check_label(check, pools, lang), check.detail))
        if result.has_unallocated:
            _say(t("cli_unallocated", lang).format(unallocated_reason(result, lang)))
    _wrote(written, lang)
    return 0 if all(c.passed for c in result.checks) else 1


def _run_projects(args: argparse.Namespace, file: Path, out: Path) -> int:
    from .cashflow import evaluate, load_project_scenario
    from .modes import check_modes
    from .report.cashflow import mode_lines, summary_lines, write_cashflow_report
    from .report.inputs import input_names
    from .report.risk import risk_lines

    lang = args.lang
    scenario = load_project_scenario(file, args.overrides)
    _status(t("cli_evaluating", lang).format(len(scenario.projects)))
    with _activity(args, "cli_evaluating_line", len(scenario.projects)) as line:
        result = evaluate(scenario, lambda done, total: line.advance(done))
    with _activity(args, "cli_modes_line") as line:
        modes = check_modes(result, SolveReporter(args, line))
    risk = sensitivity = None
    if scenario.config.risk is not None:
        from .risk import sensitivity as tornado
        from .risk import with_formed_bundles

        scenario = with_formed_bundles(scenario, modes)  # the bundles as formed: how likely is each to balance
        risk = _simulate(args, scenario)
        sensitivity = tornado(scenario, evaluated=result)
    with _activity(args, "cli_modes_line") as line:
        line.describe(t("cli_writing", lang))
        written = write_cashflow_report(result, out, lang=lang, command=_command(args), modes=modes, risk=risk,
                                        sensitivity=sensitivity)
    balanced = ("" if modes is None or modes.units.empty else t("cli_brief_balanced", lang).format(
        int(modes.units["balanced"].sum()), len(modes.units)))
    chance = "" if risk is None else t("cli_brief_risk", lang).format(risk.summary["p_balance"].min())
    args.brief_line = t("cli_brief_projects", lang).format(len(result.metrics),
                                                         float(result.metrics["npv_after_grants_wan"].sum()),
                                                         balanced + chance)
    names = input_names(risk.drivers["input"], scenario.projects, lang) if risk else {}
    for text in summary_lines(result, lang) + mode_lines(modes, lang) + (risk_lines(risk, lang, names=names) if risk else []):
        _say(text)
    _say("")
    _wrote(written, lang)
    return 0


def _simulate(args: argparse.Namespace, scenario):
    """The Monte Carlo of ``scenario``'s [risk], with a progress line counting chunks and the time left."""
    from .risk import simulate

    spec = scenario.config.risk
    draws = args.draws if args.draws is not None else spec.draws
    if draws < 2:
        raise InputError(f"--draws {draws}: at least 2 draws", zh=f"--draws {draws}：至少需要 2 次抽样")
    workers = _checked_workers(args)
    chunks = -(-draws // spec.chunk)
    with _activity(args, "cli_risk_line", chunks) as line:
        return simulate(scenario, draws, workers=workers, scheduler=args.scheduler,
                        progress=lambda done, total: line.advance(done))


def _run_plan(args: argparse.Namespace, file: Path, out: Path) -> int:
    from .planning import load_plan_scenario, plan
    from .report.plan import write_plan_report

    lang = args.lang
    scenario = load_plan_scenario(file, args.overrides)
    spec = scenario.config.plan
    _status(t("cli_planning", lang).format(len(scenario.library), spec.first_year, spec.last_year))
    with _activity(args, "cli_planning_line") as line:
        result = plan(scenario, SolveReporter(args, line))
        line.describe(t("cli_writing", lang))
        written = write_plan_report(result, out, lang=lang, command=_command(args))
    eligible = int(result.communities["eligible"].sum())
    planned = int((result.communities["planned_year"] > 0).sum())
    gap = result.solution.gap
    reached = t("cli_plan_gap", lang).format(gap) if gap is not None else t("cli_plan_no_gap", lang)
    args.brief_line = t("cli_brief_plan", lang).format(planned, eligible, ("、" if lang == "zh" else ", ").join(
        f"{int(m):,}" for m in result.deadlines["households_missed"]))
    _say(t("cli_plan_solved", lang).format(result.seconds, reached, spec.mip_rel_gap, planned, eligible))
    three = result.three_supplies
    if not three.empty:
        _say(t("cli_three_supplies", lang).format(len(three), int(three["households"].sum()),
                                                  three["cost_basic_wan"].sum(), three["owner_unit_wan"].sum()))
    for row in result.deadlines.itertuples(index=False):
        money = t("cli_deadline_money", lang).format(row.extra_money_wan) if row.extra_money_wan > 0 else ""
        _say(t("cli_deadline", lang).format(row.label or row.deadline, row.households_missed, row.households)
             + money)
    _wrote(written, lang)
    return 0


def _wrote(written: dict, lang: str) -> None:
    for path in written.values():
        _say(t("cli_wrote", lang).format(path))


def _sweep(args: argparse.Namespace) -> int:
    from .report.sweep import measure_label, number_text, write_sweep_report
    from .risk.grid import MEASURES, parse_grid, sweep

    lang = args.lang
    workers = _checked_workers(args)
    grid = parse_grid(args.grid)
    out = _out_dir(args, args.file, "-sweep")
    with output_folder(out, keep=[args.file]):
        count = math.prod(len(v) for v in grid.values())
        given = ("；" if lang == "zh" else "; ").join(f"{k} = {', '.join(v)}" for k, v in grid.items())
        _status(t("cli_sweeping", lang).format(count, given))
        with _activity(args, "cli_sweep_line", count) as line:
            result = sweep(args.file, grid, overrides=args.overrides, workers=workers, scheduler=args.scheduler,
                           progress=lambda done, total: line.advance(done))
            line.describe(t("cli_writing", lang))
            written = write_sweep_report(result, out, lang=lang, command=_command(args))
    where = t("cli_risk_workers", lang).format(result.workers) if result.workers else t("cli_risk_here", lang)
    points = result.points
    _say(t("cli_sweep_done", lang).format(len(points), where, int(points["ok"].sum())))
    for n, row in points[~points["ok"]].head(10).iterrows():
        given = ", ".join(f"{k}={row[k]}" for k in result.keys)
        _say(t("cli_sweep_point", lang).format(n, given, row["note"]))
    if not result.figures.empty:
        measure = MEASURES[result.kind][0]
        table = result.table(measure).drop(columns=result.keys)
        spread = (table.max() - table.min()).sort_values(ascending=False, kind="stable").head(3)
        moves = ("；" if lang == "zh" else "; ").join(
            f"{result.names[u]} {number_text(measure, table[u].min())} – {number_text(measure, table[u].max())}"
            for u in spread.index)
        _say(t("cli_sweep_moves", lang).format(measure_label(measure, lang), moves))
    _wrote(written, lang)
    return 0 if points["ok"].all() else 1


def _compare(args: argparse.Namespace) -> int:
    import tempfile

    from .report.compare import write_compare_report
    from .runs import compare

    lang = args.lang
    a, b = args.runs
    out = args.out or _default_out(args, f"compare-{a.stem if a.is_file() else a.name}-"
                                         f"{b.stem if b.is_file() else b.name}")
    with output_folder(out, keep=[a, b]), tempfile.TemporaryDirectory(prefix="finmodel-compare-") as scratch:
        folders = []
        for k, given in enumerate((a, b)):
            if given.is_file():  # a scenario: run it first, into a folder of its own that goes with the comparison
                _status(t("cli_running_for_compare", lang).format(given))
                folders.append(_run_quietly(args, given, Path(scratch) / f"run-{k + 1}"))
            else:
                folders.append(given)
        result = compare(*folders)
        written = write_compare_report(result, out, lang=lang, command=_command(args))
    inputs = result.inputs
    _say(t("cli_compare", lang).format(result.a.name, len(inputs)))
    for row in inputs.head(10).itertuples(index=False):
        _say(t("cli_compare_input", lang).format(t(f"cmp_what_{row.what}", lang), row.key, row.a, row.b))
    if result.kind == "allocation":
        diff = result.table.groupby("unit", sort=False)["difference_wan"].sum()
        top = diff.reindex(diff.abs().sort_values(ascending=False, kind="stable").index[:3])
        _say(t("cli_compare_allocation", lang).format(
            ("；" if lang == "zh" else "; ").join(f"{unit} {value:+,.2f}" for unit, value in top.items())))
    _wrote(written, lang)
    return 0


def _run_quietly(args: argparse.Namespace, file: Path, out: Path) -> Path:
    """Run the scenario ``file`` into ``out`` as ``finmodel run`` would, printing nothing; the folder."""
    global QUIET
    quiet, QUIET = QUIET, True
    try:
        run_args = argparse.Namespace(**vars(args))
        run_args.__dict__.update(out=out, overrides=[], draws=None, workers=0, scheduler=None, verbose=False,
                                 several=False)
        _run_one(run_args, file)
    finally:
        QUIET = quiet
    return out


def _template(args: argparse.Namespace) -> int:
    from .templates import write_template

    _wrote({0: write_template(args.kind, args.file, args.lang)}, args.lang)
    return 0


def _validate(args: argparse.Namespace) -> int:
    lang = args.lang
    found = kind_of(read_toml(args.file), file=args.file)
    _kind_note(args.file, found, lang)
    kind = found.kind.name
    if kind == "plan":
        from .planning import load_plan_scenario

        scenario = load_plan_scenario(args.file, args.overrides)
        _say(t("cli_valid_plan", lang).format(args.file, len(scenario.library), len(scenario.budgets)))
    elif kind == "projects":
        from .cashflow import load_project_scenario

        projects = load_project_scenario(args.file, args.overrides).projects
        names = "、".join(p.name for p in projects[:10]) + (" …" if len(projects) > 10 else "")
        _say(t("cli_valid_projects", lang).format(args.file, len(projects), names))
    else:
        from .allocation.scenario import load_scenario

        scenario = load_scenario(args.file, args.overrides)
        pools = ("；" if lang == "zh" else "; ").join(
            f"{pool_label(p, lang)} {p.amount_wan:,.2f} {t('wan', lang)}" for p in scenario.pools)
        _say(t("cli_valid_allocation", lang).format(args.file, len(scenario.districts), pools))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .reference import write

    _wrote(dict(enumerate(write(args.out))), args.lang)
    return 0


def main(argv: list[str] | None = None) -> int:
    global QUIET
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    args.finished = []
    lang = args.lang = getattr(args, "lang", "zh")
    # The command's grace, for its own solves only: an API caller in the same process (a notebook, a test) keeps
    # waiting for HiGHS to stop.
    grace, solver.INTERRUPT_GRACE_S = solver.INTERRUPT_GRACE_S, INTERRUPT_GRACE_S
    QUIET = bool(getattr(args, "quiet", False))
    try:
        return {"run": _run, "sweep": _sweep, "compare": _compare, "template": _template, "validate": _validate,
                "schema": _schema}[args.command](args)
    except FinmodelError as exc:
        if args.debug:
            traceback.print_exc()
        _stderr(t("cli_error", lang).format(exc.text(lang)))
        return exc.exit_code
    except KeyboardInterrupt:
        if args.finished:  # several scenarios: the ones run before the interrupt are written
            done = ("、" if lang == "zh" else ", ").join(str(path) for path in args.finished)
            print(t("cli_interrupted_after", lang).format(done), file=sys.stderr, flush=True)
        else:
            print(t("cli_interrupted", lang), file=sys.stderr, flush=True)
        if abandoned_solve():  # HiGHS did not stop within its grace: leave now, before the interpreter shuts down
            sys.stdout.flush()
            os._exit(130)
        return 130
    except Exception as exc:  # a defect, not bad input: say so plainly, keep the traceback behind --debug
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else t("cli_debug_hint", lang)
        print(t("cli_unexpected", lang).format(type(exc).__name__, exc) + hint, file=sys.stderr)
        return 5
    finally:
        solver.INTERRUPT_GRACE_S = grace


if __name__ == "__main__":
    sys.exit(main())

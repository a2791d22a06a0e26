"""The ``finmodel`` command.

    finmodel run FILE [--out DIR] [--set KEY=VALUE ...] [--lang zh|en] [--quiet | --verbose]
    finmodel validate FILE [--set KEY=VALUE ...]
    finmodel schema [--out DIR]
    finmodel --version

FILE is a scenario of one of the kinds of ``finmodel/kinds.py``: its first key, ``kind = "allocation"``,
``"projects"`` or ``"plan"``, says which (a file without it is read by its tables, with a note to add it).
``schema`` writes docs/scenario-reference.md and the JSON Schemas of docs/schema/ under DIR (default: here).

Exit codes (``EXIT_CODES``): 0 done; 1 a compliance check failed (the reports are written and say which); 2 bad
input, or an output folder that cannot be written or is in use; 3 the rules cannot all be met; 4 a solver stopped
(time limit, numerical trouble); 5 an internal error (a defect: ``--debug`` shows its traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from pathlib import Path

from .allocation import allocate
from .cashflow import evaluate, load_project_scenario
from .errors import FinmodelError
from .kinds import kind_of
from .labels import check_label, finding_text, t
from .report import LANGS, summary_text, write_allocation_report, write_cashflow_report
from .report.summary import unallocated_reason
from .modes import check_modes
from .planning import load_plan_scenario, plan
from .report.cells import display_width
from .report.files import output_folder
from .report.plan import write_plan_report
from .report.scale import allocation_cost
from .report.cashflow import mode_lines, summary_lines
from .config import read_toml
from .allocation.scenario import load_scenario


EXIT_CODES = {0: "done", 1: "a compliance check failed", 2: "bad input or an output folder that cannot be written",
              3: "the rules cannot all be met", 4: "a solver stopped", 5: "internal error", 130: "interrupted"}

EPILOG = """scenario kinds (the file's first key, kind = "…"):
  allocation  split subsidy pools among districts (切块分配) and write the approval workbook
              finmodel run scenarios/jinan-2023.toml
  projects    test whether renovation projects balance under the funding modes (项目资金平衡测算)
              finmodel run scenarios/projects/zoucheng-2024.toml
  plan        choose which communities to renovate in which year (年度改造计划)
              finmodel run scenarios/jinan-plan-2021.toml

exit codes: """ + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"finmodel {version('finmodel')}"
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "finmodel (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finmodel",
        description="Allocate old-community renovation subsidies (老旧小区改造补助资金) and write the approval tables; "
                    "test whether renovation projects pay their way (项目资金平衡测算); plan which communities are "
                    "renovated when (年度改造计划).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its reports")
    run.add_argument("file", type=Path, help="scenario file (TOML)")
    run.add_argument("--out", type=Path, help="output folder, replaced whole by the run (default: "
                     "reports/<scenario file stem>, with -en appended for --lang en)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario value, e.g. pools.central.amount_wan=32000 (repeatable)")
    run.add_argument("--lang", choices=LANGS, default="zh", help="language of the reports (default: zh)")
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only errors")
    loudness.add_argument("--verbose", action="store_true", help="also print each solver run (stage, status, time)")

    validate = commands.add_parser("validate", help="check a scenario and its tables without running it")
    validate.add_argument("file", type=Path, help="scenario file (TOML)")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                          help="override a scenario value before checking (repeatable)")
    schema = commands.add_parser("schema", help="write the scenario reference and the JSON Schemas of every kind")
    schema.add_argument("--out", type=Path, default=Path("."),
                        help="folder to write docs/scenario-reference.md and docs/schema/ under (default: here)")
    for sub in (run, validate, schema):
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _out_dir(args: argparse.Namespace) -> Path:
    if args.out:
        return args.out
    # A run replaces its folder whole, so each language gets its own default folder: an English run never
    # replaces the Chinese reports of the same scenario.
    return Path("reports") / (args.file.stem + ("" if args.lang == "zh" else f"-{args.lang}"))


def _command(args: argparse.Namespace) -> str:
    return "finmodel " + " ".join(args.argv)


def _solve_reporter(args: argparse.Namespace):
    """A progress callback that prints each solve as it ends (its gap for integer programs), with --verbose."""
    solves = 0

    def report(record) -> None:
        nonlocal solves
        solves += 1
        if getattr(args, "verbose", False):
            gap = f", gap {record.gap:.4%}" if record.gap is not None else ""
            _status(f"  求解 solve {solves}: {record.stage} — {record.status}{gap}, {record.seconds:.2f} s")

    return report


TERMINAL = 100
"""Columns a printed line may take (a Chinese character takes two)."""


def fit_terminal(line: str, width: int = TERMINAL) -> list[str]:
    """A long summary line broken at its separators (；, ; or ：) into lines of at most ``width`` columns, the
    continuations indented; a part longer than a line stays whole rather than cut inside a figure."""
    if display_width(line) <= width:
        return [line]
    parts = re.split(r"(?<=[；;：:])", line)
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


def _status(message: str) -> None:
    if not QUIET:
        print(message, file=sys.stderr, flush=True)


def _wrote(path) -> None:
    if not QUIET:
        print(f"wrote {path}")


def _run(args: argparse.Namespace) -> int:
    # Checked and locked before anything is read or solved: an output folder that cannot be written, or that
    # another run is writing, must fail at once rather than after a long solve.
    with output_folder(_out_dir(args), keep=[args.file]):
        return _run_locked(args)


def _kind(args: argparse.Namespace) -> str:
    found = kind_of(read_toml(args.file), file=args.file)
    if found.note:
        _status(f"note: {args.file}: {found.note}")
    return found.kind.name


def _run_locked(args: argparse.Namespace) -> int:
    _status(f"读取情景 reading {args.file}")
    return {"allocation": _run_allocation, "projects": _run_projects, "plan": _run_plan}[_kind(args)](args)


def _run_allocation(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.file, args.overrides)
    _status(f"测算分配 allocating {sum(p.amount_wan for p in scenario.pools):,.2f} 万元 "
            f"in {len(scenario.pools)} pools among {len(scenario.districts)} units")
    cost = allocation_cost(scenario)
    if cost.worth_announcing:  # a long run says what it will take before it starts, then how far it is
        _status(cost.line())
    progress = _status if cost.worth_announcing else None
    result = allocate(scenario, _solve_reporter(args))
    written = write_allocation_report(result, _out_dir(args), lang=args.lang, command=_command(args),
                                      progress=progress)
    if not args.quiet:
        print(summary_text(result, args.lang))
        for finding in result.findings:
            if finding.severity == "note":
                print(f"note: {finding_text(finding, args.lang)}")
        print()
        failed = [c for c in result.checks if not c.passed]
        print(f"checks: {len(result.checks) - len(failed)} passed, {len(failed)} failed")
        print(t("formula_share_line", args.lang).format(result.formula_share))
        pools = {p.id: p for p in scenario.pools}
        for check in failed:
            print(f"  failed: {check_label(check, pools, args.lang)}: {check.detail}")
        if result.has_unallocated:
            print(f"unallocated: {unallocated_reason(result, args.lang)}")
    for path in written.values():
        _wrote(path)
    return 0 if all(c.passed for c in result.checks) else 1


def _run_projects(args: argparse.Namespace) -> int:
    scenario = load_project_scenario(args.file, args.overrides)
    _status(f"测算现金流 evaluating {len(scenario.projects)} project(s)")

    def progress(done: int, total: int) -> None:
        _status(f"  项目 projects {done}/{total}")

    result = evaluate(scenario, progress)
    modes = check_modes(result, _solve_reporter(args))
    written = write_cashflow_report(result, _out_dir(args), lang=args.lang, command=_command(args), modes=modes)
    if not args.quiet:
        for line in summary_lines(result, args.lang) + mode_lines(modes, args.lang):
            print("\n".join(fit_terminal(line)))
        print()
    for path in written.values():
        _wrote(path)
    return 0


def _run_plan(args: argparse.Namespace) -> int:
    scenario = load_plan_scenario(args.file, args.overrides)
    spec = scenario.config.plan
    _status(f"编制计划 planning {len(scenario.library)} communities over {spec.first_year}–{spec.last_year}")
    result = plan(scenario, _solve_reporter(args))
    written = write_plan_report(result, _out_dir(args), lang=args.lang, command=_command(args))
    counts = result.communities["eligible"].sum()
    planned = int((result.communities["planned_year"] > 0).sum())
    gap = result.solution.gap
    reached = f"relative gap {gap:.4%}" if gap is not None else "gap not reported by the solver"
    if not args.quiet:
        print(f"plan solved in {result.seconds:.2f} s ({reached}, allowed {spec.mip_rel_gap:.2%}): "
              f"{planned} of {counts} eligible communities planned")
        for row in result.deadlines.itertuples(index=False):
            print(f"  {row.label or row.deadline}: {row.households_missed:,} of {row.households:,} households miss it"
                  + (f"; {row.extra_money_wan:,.2f} 万元 more would meet it" if row.extra_money_wan > 0 else ""))
    for path in written.values():
        _wrote(path)
    return 0


def _validate(args: argparse.Namespace) -> int:
    kind = _kind(args)
    if kind == "plan":
        scenario = load_plan_scenario(args.file, args.overrides)
        print(f"{args.file}: valid — {len(scenario.library)} communities, {len(scenario.budgets)} districts")
        return 0
    if kind == "projects":
        projects = load_project_scenario(args.file, args.overrides).projects
        print(f"{args.file}: valid — {len(projects)} project(s): {', '.join(p.id for p in projects[:10])}"
              + (" …" if len(projects) > 10 else ""))
        return 0
    scenario = load_scenario(args.file, args.overrides)
    pools = ", ".join(f"{p.id} {p.amount_wan:,.2f} 万元" for p in scenario.pools)
    print(f"{args.file}: valid — {len(scenario.districts)} units; pools: {pools}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .reference import write

    for path in write(args.out):
        _wrote(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    global QUIET
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    QUIET = bool(getattr(args, "quiet", False))
    try:
        return {"run": _run, "validate": _validate, "schema": _schema}[args.command](args)
    except FinmodelError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect, not bad input: say so plainly, keep the traceback behind --debug
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (rerun with --debug for details)"
        print(f"error: unexpected {type(exc).__name__}: {exc}{hint}", file=sys.stderr)
        return 5


if __name__ == "__main__":
    sys.exit(main())

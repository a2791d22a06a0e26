"""Hostile input, generated: the bundled scenarios of all three kinds and their tables, mutated by a seeded
generator, each case validated and run.

The families: a leaf value changed, a value of another type, huge, subnormal and non-finite numbers, control
characters in text and keys, keys misspelt or removed, tables and arrays nested deeply, the file's encoding
(UTF-16, GBK, a byte-order mark, a cut in the middle), table cells emptied or rewritten, columns and cells dropped,
rows too long, headers repeated, the table as XLSX (as is, a TRUE, a formula without its value, a DOCTYPE,
truncated, no zip at all), paths that are folders, missing, loops or devices, and ``--set`` keys of every kind.

For every case: ``validate`` exits 0 or 2 and ``run`` agrees — 2 with the same message where validate refuses,
0 (or 3, a model that cannot meet its rules) where it accepts —; a refusal names the file and the place (key, or
row and column); nothing is reported as unexpected; and a run that stops leaves no output. A mutation that is still
valid input must run: the generator does not say which cases are valid, the program must.

The plan's community library is cut to its first communities per district, so that a valid plan solves at once.
A failure names the case's seed: ``FINMODEL_FUZZ_SEED=<seed> python -m pytest tests/test_fuzz_inputs.py`` reruns
it alone, and ``FINMODEL_FUZZ_CASES=<n>`` runs more cases than the default.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import csv
import functools
import io
import math
import multiprocessing
import os
import random
import shutil
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from finmodel.cli import main

from .conftest import ROOT

CASES = 200
"""Cases in a run: every family many times over, in well under a minute. ``FINMODEL_FUZZ_CASES=2000`` runs more."""

SCENARIOS = ROOT / "scenarios"
LIBRARY_ROWS_PER_DISTRICT = 6

CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe"]
NUMBERS = [1e308, -1e308, 1e20, 1.5e10, 5e-324, -1e-320, 1e-12, math.nan, math.inf, -math.inf, 2**64, 10**400,
           -0.0, 0, -1, 1e10, 0.01]
CELLS = ["", " ", "abc", "约三百", "1e308", "-1", "nan", "inf", "-inf", "0x1A", "1_000", "TRUE", "false", "1e-320",
         "12.5", "1,234", "2021.0", "1e5", "0", "9" * 400, "=1+1", "\x01", "a\x00b", "\x85", "ok\tvalue"]


# ---------------------------------------------------------------------------------------------
# The bundled scenarios, as files in memory


@dataclass
class Base:
    name: str
    scenario: str
    files: dict[str, bytes]


def _bases() -> list[Base]:
    def read(*parts: str) -> bytes:
        return SCENARIOS.joinpath(*parts).read_bytes()

    library = read("data", "jinan-library-synthetic.csv").decode("utf-8").splitlines(keepends=True)
    header = next(k for k, line in enumerate(library) if not line.startswith("#"))
    district = library[header].rstrip().split(",").index("district")
    kept, per_district = [], {}
    for line in library[header + 1:]:
        name = line.split(",")[district]
        per_district[name] = per_district.get(name, 0) + 1
        if per_district[name] <= LIBRARY_ROWS_PER_DISTRICT:
            kept.append(line)
    small_library = "".join(library[: header + 1] + kept).encode("utf-8")
    return [
        Base("allocation", "jinan-2023.toml", {
            "jinan-2023.toml": read("jinan-2023.toml"),
            "data/jinan-2023-districts.csv": read("data", "jinan-2023-districts.csv")}),
        Base("projects", "zoucheng-2024.toml", {"zoucheng-2024.toml": read("projects", "zoucheng-2024.toml")}),
        Base("bundling", "bundling-2024.toml", {
            "bundling-2024.toml": read("projects", "bundling-2024.toml"),
            "data/bundling-packages.csv": read("projects", "data", "bundling-packages.csv"),
            "data/bundling-components.csv": read("projects", "data", "bundling-components.csv")}),
        Base("plan", "jinan-plan-2021.toml", {
            "jinan-plan-2021.toml": read("jinan-plan-2021.toml"),
            "data/jinan-library-synthetic.csv": small_library,
            "data/jinan-plan-budgets.csv": read("data", "jinan-plan-budgets.csv")}),
    ]


@dataclass
class Case:
    seed: str
    base: str
    family: str
    what: str
    scenario: str
    files: dict[str, bytes]
    sets: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    """Words of which a refusal must name at least one, beside a file of the case (the key, row or column)."""
    links: dict[str, str] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# TOML written back (inline tables: one line per top-level key)


def toml_text(raw: dict) -> str:
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in raw.items())


def _key(key: str) -> str:
    return key if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key) else _string(key)


def _string(text: str) -> str:
    out = []
    for c in text:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c in "\ufffe\uffff":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return _string(str(value))


def _leaves(node, path=()):
    """Every value of a parsed TOML file that is not a table: (path, value)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        for k, value in enumerate(node):
            yield from _leaves(value, path + (k,))
    else:
        yield path, node
        if isinstance(node, list):
            for k, value in enumerate(node):
                if not isinstance(value, (dict, list)):
                    yield path + (k,), value


def _get(node, path):
    for part in path:
        node = node[part]
    return node


def _set(node, path, value):
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _names(raw, path) -> list[str]:
    """The words a message may use for the place: each key of the path, each element's id."""
    words, node = [], raw
    for part in path:
        if isinstance(part, int):
            element = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(element, dict) and isinstance(element.get("id"), str):
                words.append(element["id"])
            node = element
        else:
            words.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return [w for w in words if isinstance(w, str) and w]


def _set_key(raw, path) -> str:
    """A leaf's ``--set`` key: elements of a list of tables named by id."""
    parts, node = [], raw
    for part in path:
        if isinstance(part, int):
            node = node[part]
            parts.append(node["id"])
        else:
            parts.append(part)
            node = node[part]
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------
# Tables


def _split_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    comments = []
    while lines and lines[0].startswith("#"):
        comments.append(lines.pop(0))
    return comments, list(csv.reader(io.StringIO("".join(lines))))


def _join_csv(comments: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return ("".join(comments) + out.getvalue()).encode("utf-8")


def _xlsx(data: bytes, change=None) -> bytes:
    comments, rows = _split_csv(data)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([_spreadsheet_value(c) for c in row])
    if change:
        change(sheet, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _spreadsheet_value(text: str):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
        return value if math.isfinite(value) else text
    except ValueError:
        return text


def _rezip(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, change(item.filename, source.read(item)))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The families


def leaf_value(rng, base, case, raw):
    """A leaf changed to another value of its type: often still valid."""
    path, value = rng.choice(list(_leaves(raw)))
    if isinstance(value, bool):
        new = not value
    elif isinstance(value, (int, float)):
        new = type(value)(value * rng.choice([0, 0.5, 0.9, 1.1, 2, 3, 10, -1])) if value else rng.choice([1, 2])
    elif isinstance(value, str):
        new = rng.choice([value + "x", value.upper(), "", "其他", value[: len(value) // 2]])
    elif isinstance(value, list):
        new = value[:-1] if value else [1]
    else:
        new = value
    _set(raw, path, new)
    case.what = f"{'.'.join(map(str, path))} = {new!r}"
    case.places += _names(raw, path)


def leaf_type(rng, base, case, raw):
    path, value = rng.choice(list(_leaves(raw)))
    others = [v for v in ["30000", True, 3, 2.5, [1, 2], {"a": 1}, "", "true"]
              if type(v) is not type(value)]
    new = rng.choice(others)
    _set(raw, path, new)
    case.what = f"{'.'.join(map(str, path))} = {new!r} (was {value!r})"
    case.places += _names(raw, path)


def leaf_number(rng, base, case, raw):
    numeric = [(p, v) for p, v in _leaves(raw) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    path, value = rng.choice(numeric)
    new = rng.choice(NUMBERS)
    _set(raw, path, new)
    case.what = f"{'.'.join(map(str, path))} = {new!r} (was {value!r})"
    case.places += _names(raw, path)


def leaf_control(rng, base, case, raw):
    texts = [(p, v) for p, v in _leaves(raw) if isinstance(v, str)]
    char = rng.choice(CONTROL)
    if rng.random() < 0.8 and texts:
        path, value = rng.choice(texts)
        at = rng.randint(0, len(value))
        _set(raw, path, value[:at] + char + value[at:])
        case.what = f"{'.'.join(map(str, path))} gets U+{ord(char):04X}"
        case.places += _names(raw, path)
    else:  # in a key
        path, _ = rng.choice(list(_leaves(raw)))
        parent = _get(raw, path[:-1]) if len(path) > 1 else raw
        if not isinstance(path[-1], str):
            path = path[:-1]
            parent = _get(raw, path[:-1]) if len(path) > 1 else raw
        key = path[-1]
        parent[key + char] = parent.pop(key)
        case.what = f"key {'.'.join(map(str, path))} gets U+{ord(char):04X}"
        case.places += _names(raw, path[:-1]) + ["key"]


def leaf_key(rng, base, case, raw):
    """A key misspelt or removed."""
    path, _ = rng.choice(list(_leaves(raw)))
    while path and not isinstance(path[-1], str):
        path = path[:-1]
    parent = _get(raw, path[:-1]) if len(path) > 1 else raw
    key = path[-1]
    if rng.random() < 0.5 and len(key) > 2:
        at = rng.randrange(len(key))
        typo = key[:at] + key[at + 1:]
        parent[typo] = parent.pop(key)
        case.what = f"key {'.'.join(map(str, path))} misspelt {typo}"
        case.places += [typo] + _names(raw, path[:-1])
    else:
        del parent[key]
        case.what = f"key {'.'.join(map(str, path))} removed"
        case.places += [key] + _names(raw, path[:-1])


def leaf_id(rng, base, case, raw):
    ids = [(p, v) for p, v in _leaves(raw) if p and p[-1] == "id"]
    if not ids:  # the plan names nothing by id
        return leaf_control(rng, base, case, raw)
    path, value = rng.choice(ids)
    new = rng.choice(["x" * rng.choice([65, 200, 300]), "a b", "a.b", "a/b", "名字-1", "ok_id", "", "=cmd"])
    _set(raw, path, new)
    case.what = f"{'.'.join(map(str, path))} = {new!r}"
    case.places += _names(raw, path[:-1]) + ["id"]


def nested(rng, base, case, raw):
    depth = rng.choice([17, 40, 400, 3000])
    if rng.random() < 0.5:
        value = "[" * depth + "1" + "]" * depth
    else:
        value = "{a = " * depth + "1" + "}" * depth
    text = case.files[case.scenario].decode("utf-8")
    case.files[case.scenario] = (f"deep = {value}\n" + text).encode("utf-8")
    case.what = f"a value nested {depth} deep"
    case.places += ["nest"]
    return "text"


def encoding(rng, base, case, raw):
    target = rng.choice([case.scenario] + [f for f in case.files if f.endswith(".csv")])
    data = case.files[target]
    text = data.decode("utf-8")
    how = rng.choice(["utf-8-sig", "utf-16", "gbk", "cut", "nul", "crlf", "latin-1"])
    if how == "cut":
        cut = rng.randrange(1, len(data))
        while cut < len(data) and (data[cut] & 0xC0) != 0x80:  # cut inside a character
            cut += 1
        new = data[:cut]
    elif how == "nul":
        at = rng.randrange(len(data))
        new = data[:at] + b"\0" + data[at:]
    elif how == "crlf":
        new = text.replace("\n", "\r\n").encode("utf-8")
    elif how == "latin-1":
        new = text.encode("utf-8").decode("latin-1").encode("utf-8", "surrogateescape")  # mojibake, valid UTF-8
    else:
        new = text.encode(how, "replace")
    case.files[target] = new
    case.what = f"{target} as {how}"
    case.places += [Path(target).name, "line"]
    return "text" if target == case.scenario else "files"


def table_cell(rng, base, case, raw):
    target = rng.choice([f for f in case.files if f.endswith(".csv")])
    comments, rows = _split_csv(case.files[target])
    r = rng.randrange(1, len(rows))
    c = rng.randrange(len(rows[0]))
    new = rng.choice(CELLS)
    rows[r][c] = new
    case.files[target] = _join_csv(comments, rows)
    line = len(comments) + r + 1
    case.what = f"{target} row {line} column {rows[0][c]} = {new!r}"
    case.places += [f"row {line}", f"'{rows[0][c]}'"]
    return "files"


def table_shape(rng, base, case, raw):
    target = rng.choice([f for f in case.files if f.endswith(".csv")])
    comments, rows = _split_csv(case.files[target])
    how = rng.choice(["drop column", "short row", "long row", "header twice", "unnamed column", "row twice",
                      "comments above", "blank line", "swap columns", "no rows"])
    r = rng.randrange(1, len(rows))
    c = rng.randrange(len(rows[0]))
    line = len(comments) + r + 1
    name = rows[0][c]
    if how == "drop column":
        rows = [row[:c] + row[c + 1:] for row in rows]
        case.places += [f"'{name}'", name]
    elif how == "short row":
        rows[r] = rows[r][: rng.randrange(1, len(rows[r]))]
        case.places += [f"row {line}"]
    elif how == "long row":
        rows[r] = rows[r] + ["extra"]
        case.places += [f"row {line}"]
    elif how == "header twice":
        other = rng.randrange(len(rows[0]))
        rows[0][other] = name
        case.places += [f"'{name}'", "row"]
    elif how == "unnamed column":
        rows[0][c] = ""
        case.places += ["row", f"'{name}'", name]
    elif how == "row twice":
        rows.insert(r, list(rows[r]))
        case.places += ["row", "rows", "twice", "already used"]
    elif how == "comments above":
        comments = ["# a note\n", "\n", "# another\n"] + comments
        case.places += ["row"]
    elif how == "blank line":
        rows.insert(r, [])
        case.places += ["row"]
    elif how == "swap columns":
        other = rng.randrange(len(rows[0]))
        rows = [[row[other] if k == c else row[c] if k == other else v for k, v in enumerate(row)]
                for row in rows]
    else:
        rows = rows[:1]
        case.places += ["row", "column", "nothing"]
    case.files[target] = _join_csv(comments, rows)
    case.what = f"{target}: {how} ({name}, row {line})"
    return "files"


def xlsx(rng, base, case, raw):
    tables = [f for f in case.files if f.endswith(".csv")]
    target = rng.choice(tables)
    comments, rows = _split_csv(case.files[target])
    how = rng.choice(["as is", "TRUE", "formula", "date", "doctype", "truncated", "not zip", "utf-16 part",
                      "no sheet"])
    r = rng.randrange(1, len(rows))
    c = rng.randrange(len(rows[0]))
    line = r + 1  # an XLSX holds no comment lines: the header is row 1

    def cell(sheet, value):
        sheet.cell(row=line, column=c + 1, value=value)

    if how == "TRUE":
        data = _xlsx(case.files[target], lambda sheet, _: cell(sheet, True))
        case.places += [f"row {line}"]
    elif how == "formula":
        data = _xlsx(case.files[target], lambda sheet, _: cell(sheet, "=1+1"))
        case.places += [f"row {line}"]
    elif how == "date":
        import datetime
        data = _xlsx(case.files[target], lambda sheet, _: cell(sheet, datetime.datetime(2021, 1, 1)))
        case.places += [f"row {line}"]
    else:
        data = _xlsx(case.files[target])
    if how == "doctype":
        data = _rezip(data, lambda name, part: (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">'
                                                b'<!ENTITY b "&a;&a;&a;&a;">]>' + part.split(b"?>", 1)[-1])
                      if name.endswith("sheet1.xml") else part)
        case.places += ["DOCTYPE"]
    elif how == "truncated":
        data = data[: rng.randrange(10, len(data) - 10)]
        case.places += ["XLSX", "zip"]
    elif how == "not zip":
        data = b"id,name\n" + bytes(rng.randrange(256) for _ in range(200))
        case.places += ["XLSX", "zip"]
    elif how == "utf-16 part":
        data = _rezip(data, lambda name, part: part.decode("utf-8").encode("utf-16")
                      if name.endswith("sheet1.xml") else part)
        case.places += ["UTF-8"]
    new = target.removesuffix(".csv") + ".xlsx"
    del case.files[target]
    case.files[new] = data
    text = case.files[case.scenario].decode("utf-8").replace(Path(target).name, Path(new).name)
    if how == "no sheet":
        text = text.replace(f'"{Path(target).parent.name}/{Path(new).name}"',
                            f'"{Path(target).parent.name}/{Path(new).name}"\nsheet = "Nope"', 1)
        case.places += ["Nope", "sheet"]
    case.files[case.scenario] = text.encode("utf-8")
    case.what = f"{new}: {how} (row {line}, column {rows[0][c]})"
    return "files"


def path(rng, base, case, raw):
    tables = [f for f in case.files if f.endswith(".csv")]
    if not tables:
        return leaf_control(rng, base, case, raw)
    target = rng.choice(tables)
    how = rng.choice(["folder", "missing", "loop", "device", "nul"])
    if how == "folder":
        del case.files[target]
        case.folders.append(target)
    elif how == "missing":
        del case.files[target]
    elif how == "loop":
        del case.files[target]
        case.links[target] = Path(target).name
    elif how == "device":
        del case.files[target]
        case.links[target] = "/dev/null"
    else:
        text = case.files[case.scenario].decode("utf-8").replace(Path(target).name,
                                                                 "\\u0000" + Path(target).name)
        case.files[case.scenario] = text.encode("utf-8")
    case.what = f"{target}: {how}"
    case.places += [Path(target).name, "table"]
    return "files"


def set_option(rng, base, case, raw):
    leaves = [(p, v) for p, v in _leaves(raw) if all(
        not isinstance(part, int) or isinstance(_get(raw, p[:k]), list) and isinstance(_get(raw, p[:k + 1]), dict)
        and "id" in _get(raw, p[:k + 1]) for k, part in enumerate(p))]
    path, value = rng.choice(leaves)
    key = _set_key(raw, path)
    how = rng.choice(["same type", "other type", "table", "unknown", "below a value", "huge"])
    if how == "same type":
        text = _value(value if not isinstance(value, (int, float)) or isinstance(value, bool) else value * 2)
    elif how == "other type":
        text = rng.choice(['"x"', "true", "[1]", "{a = 1}", "yes"])
    elif how == "table":
        key = key.rsplit(".", 1)[0] if "." in key else key
        text = "5"
    elif how == "unknown":
        key = key[:-1] if len(key) > 3 else key + "x"
        text = "1"
    elif how == "below a value":
        key = key + ".x"
        text = "1"
    else:
        text = rng.choice(["1e308", "nan", "5e-324", "1e20", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"])
    case.sets = [f"{key}={text}"]
    case.what = f"--set {key}={text} ({how})"
    case.places += [key.split(".")[0], "--set"] + key.split(".")
    return "sets"


FAMILIES = [leaf_value, leaf_type, leaf_number, leaf_control, leaf_key, leaf_id, nested, encoding, table_cell,
            table_shape, xlsx, path, set_option]


def make_case(seed: str, bases: list[Base]) -> Case:
    rng = random.Random(seed)
    base = rng.choice(bases)
    family = rng.choice(FAMILIES)
    if family in (table_cell, table_shape, xlsx) and not any(f.endswith(".csv") for f in base.files):
        base = rng.choice([b for b in bases if any(f.endswith(".csv") for f in b.files)])
    case = Case(seed=seed, base=base.name, family=family.__name__, what="", scenario=base.scenario,
                files=dict(base.files), places=[])
    raw = tomllib.loads(base.files[base.scenario].decode("utf-8"))
    changed = family(rng, base, case, raw)
    if changed is None:  # the family changed the parsed file: write it back
        case.files[case.scenario] = toml_text(raw).encode("utf-8")
    return case


# ---------------------------------------------------------------------------------------------
# Running a case


def _call(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def _error(stderr: str) -> str:
    return "\n".join(line for line in stderr.splitlines() if line.startswith(("error", "错误")) or line.startswith("  "))


def run_case(case: Case, folder: Path) -> tuple[int, int]:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in case.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    for name in case.folders:
        (folder / name).mkdir(parents=True)
    for name, target in case.links.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, folder / name)
    scenario = str(folder / case.scenario)
    sets = [arg for text in case.sets for arg in ("--set", text)]
    out = folder / "out"
    # The places are checked in English words (row 3, nest); the Chinese message of the same mistake is checked to
    # be one, in its own words.
    checked, checked_err = _call(["validate", scenario, *sets, "--lang", "en"])
    ran, ran_err = _call(["run", scenario, *sets, "--out", str(out), "--quiet", "--lang", "en"])
    checked_zh, checked_zh_err = _call(["validate", scenario, *sets])
    about = f"case {case.seed} ({case.base}, {case.family}: {case.what!r})"
    for code, err in ((checked, checked_err), (ran, ran_err), (checked_zh, checked_zh_err)):
        assert "error: unexpected " not in err and "程序内部错误" not in err and "Traceback" not in err, (
            f"{about}: a defect, not a message:\n{err}")
    assert checked_zh == checked and (checked == 0 or "错误：" in checked_zh_err), f"{about}:\n{checked_zh_err}"
    assert checked in (0, 2), f"{about}: validate exited {checked}:\n{checked_err}"
    if checked == 2:
        assert ran == 2, f"{about}: validate refused it, run exited {ran}:\n{checked_err}\n{ran_err}"
        assert _error(checked_err) == _error(ran_err), f"{about}: validate and run say different things:\n" \
                                                       f"{checked_err}\n{ran_err}"
        message = _error(checked_err)
        files = [Path(name).name for name in [*case.files, *case.folders, *case.links]] + [
            Path(name).stem for name in case.files]
        # A --set mistake is the command line's: the message names the argument; any other names its file.
        named = [f"--set {text.partition('=')[0]}" for text in sets[1::2]] + files
        assert any(name in message for name in named), f"{about}: the message names no file:\n{message}"
        assert any(word in message for word in case.places), (
            f"{about}: the message names no place ({case.places}):\n{message}")
    else:
        assert ran in (0, 3), f"{about}: validate accepted it, run exited {ran}:\n{ran_err}"
    if ran != 0:
        assert not out.exists() or not any(out.iterdir()), f"{about}: a failed run left files in {out}"
    shutil.rmtree(folder)
    return checked, ran


def _seeds() -> list[str]:
    only = os.environ.get("FINMODEL_FUZZ_SEED")
    if only:
        return [only]
    return [f"fuzz-{k}" for k in range(int(os.environ.get("FINMODEL_FUZZ_CASES", CASES)))]


@functools.cache
def _cached_bases() -> tuple[Base, ...]:
    return tuple(_bases())


def check_seed(seed: str) -> tuple[str, str, str | None]:
    """One case, in a folder of its own: (seed, family, the failure or None)."""
    case = make_case(seed, list(_cached_bases()))
    folder = Path(tempfile.mkdtemp(prefix="finmodel-fuzz-"))
    try:
        run_case(case, folder / "case")
        return seed, case.family, None
    except AssertionError as exc:
        return seed, case.family, str(exc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_bundled_scenarios_are_valid_before_mutation(tmp_path):
    for base in _cached_bases():
        case = Case(seed="base", base=base.name, family="none", what="as bundled", scenario=base.scenario,
                    files=dict(base.files))
        assert run_case(case, tmp_path / base.name) == (0, 0)


def test_mutated_inputs():
    seeds = _seeds()
    workers = min(4, os.cpu_count() or 1, len(seeds))
    if workers > 1:
        # A valid case writes a whole report (a second or two); cases run side by side in fresh processes (not
        # forked: the solver's threads in this process would not survive a fork).
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(check_seed, seeds, chunksize=4))
    else:
        results = [check_seed(seed) for seed in seeds]
    failures = [failure for _, _, failure in results if failure]
    assert not failures, f"{len(failures)} of {len(seeds)} cases failed:\n\n" + "\n\n".join(failures[:10])
    if len(seeds) >= CASES:
        drawn = {family for _, family, _ in results}
        missing = {f.__name__ for f in FAMILIES} - drawn
        assert not missing, f"families never drawn: {', '.join(sorted(missing))}"

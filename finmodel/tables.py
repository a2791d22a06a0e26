"""District tables: what each column means, loading from CSV/XLSX, and the checks on them.

Tables are read as text first and converted column by column, so that a bad cell
is reported with its file, row (as a spreadsheet shows it, header = row 1) and
column instead of surfacing later as a NaN in a sum.
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import math
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from .errors import InputError, Said, zh_of


@dataclass(frozen=True)
class ColumnSpec:
    """What a district-table column holds: its valid range (its name and unit are in ``finmodel.labels.COLUMN``)."""

    name: str
    minimum: float | None = 0.0
    maximum: float | None = None
    strictly_positive: bool = False
    whole: Literal["count", "year"] | None = None
    """Counts take whole numbers only, years digits only."""


# Columns finmodel knows by name. A table may carry others; a numeric column used as
# a factor needs no spec, it is then labelled by its own name.
COLUMN_SPECS: dict[str, ColumnSpec] = {
    spec.name: spec
    for spec in [
        ColumnSpec("communities", whole="count"),
        ColumnSpec("buildings", whole="count"),
        ColumnSpec("households", whole="count"),
        ColumnSpec("floor_area_m2"),
        ColumnSpec("investment_wan"),
        ColumnSpec("performance_score", 0.0, 100.0),
        ColumnSpec("fiscal_capacity_ratio", strictly_positive=True),
        ColumnSpec("budget_revenue_wan"),
        ColumnSpec("budget_expenditure_wan", strictly_positive=True),
        ColumnSpec("difficulty_coef", strictly_positive=True),
    ]
}


# Official order of Jinan's districts and counties in published allocation notices.
JINAN_DISTRICT_ORDER: tuple[str, ...] = (
    "历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区",
    "莱芜区", "钢城区", "平阴县", "商河县",
    "济南高新区", "市南部山区", "济南新旧动能转换起步区", "济南新旧动能转换先行区", "莱芜高新区",
)


def ordered(names: list[str], order: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """``names`` in the given (default: official Jinan) order; names not in it follow in their own order."""
    rank = {name: i for i, name in enumerate(order or JINAN_DISTRICT_ORDER)}
    # sorted is stable, so names outside the order keep their own; looking each one up with names.index made
    # this quadratic (4.8 s for 20,000 units).
    return sorted(names, key=lambda n: rank.get(n, len(rank)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path, *, key: str | None, sheet: str | None = None, where: str = "") -> pd.DataFrame:
    """Read a CSV or XLSX table as text, one row per unit, indexed by ``key`` (``None``: rows as they are, for
    tables where a name repeats, such as budgets by district and year).

    ``where`` names the scenario key that pointed at the file, for error messages. The frame's ``attrs`` keep
    the file (``path``), the line of the header (``header_row``) and the line of each data row (``rows``) as a
    spreadsheet numbers them, so that every message names the line a user finds the cell on.
    """
    check_file(path, key=where or None)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        header, records, header_row, lines = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        header, records, header_row, lines = _read_xlsx(path, sheet)
    else:
        raise InputError("unsupported table type (use .csv or .xlsx)", zh="不支持的表格类型（请使用 .csv 或 .xlsx 文件）",
                         file=path, key=where or None)
    header, records = _named_columns(header, records, path, header_row)
    header, records, lines = _template_layout(header, records, lines, path, header_row)
    for line, record in zip(lines, records):
        for name, cell in zip(header, record):
            if isinstance(cell, str):
                check_text(cell, file=path, row=line, column=name)
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(
        columns=header, dtype=object)
    attrs = {"path": str(path), "header_row": header_row, "rows": lines, "key": key}
    frame.attrs.update(attrs)
    if key is None:
        return frame
    if key not in frame.columns:
        raise InputError(
            f"key column '{key}' not found (columns: {', '.join(frame.columns)})",
            zh=f"找不到键列“{key}”（现有列：{', '.join(frame.columns)}）", file=path, column=key
        )
    names = frame[key].map(lambda v: cell_text(v).strip())
    for position, name in enumerate(names):
        if not name:
            raise InputError("empty name in the key column", zh="键列中的名称为空", file=path, row=lines[position],
                             column=key)
    duplicated = names[names.duplicated(keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        rows = [lines[i] for i, n in enumerate(names) if n == first]
        raise InputError(
            f"duplicate name '{first}' in rows {', '.join(map(str, rows))}; each unit must appear once",
            zh=f"名称“{first}”重复，见第 {'、'.join(map(str, rows))} 行；每个单位只能出现一次", file=path, column=key,
        )
    frame = frame.assign(**{key: names}).set_index(key)
    frame.attrs.update(attrs)
    return frame


def row_number(frame: pd.DataFrame, position: int) -> int:
    """The row a spreadsheet shows for the ``position``-th data row (its line in a CSV file)."""
    rows = frame.attrs.get("rows")
    return rows[position] if rows is not None else position + 2


# ---------------------------------------------------------------------------------------------
# Files: every way a path can fail to be a readable file is said as such, naming the path.


_WHAT_ZH = {"file": "文件", "table file": "表格文件", "scenario file": "情景文件"}
"""``check_file``'s ``what`` in Chinese."""


def check_file(path: Path, *, file: str | Path | None = None, key: str | None = None,
               what: Literal["file", "table file", "scenario file"] = "file") -> None:
    """Refuse ``path`` unless it is a regular file that exists; the message says why (missing, a folder, a link
    that loops, a NUL in the name). ``file`` and ``key`` name the place that gave the path (a scenario's key);
    without them the path itself is the place."""
    where = {"file": file, "key": key} if file is not None else {"file": path, "key": key}
    shown = f": {_printable(path)}" if file is not None else ""
    shown_zh = f"：{_printable(path)}" if file is not None else ""
    what_zh = _WHAT_ZH[what]
    if "\0" in str(path):
        raise InputError(f"the path of the {what} contains a NUL character{shown}",
                         zh=f"{what_zh}的路径中含有空字符{shown_zh}", **where)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{what} not found{shown}", zh=f"找不到{what_zh}{shown_zh}", **where) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"the {what} is a symbolic link that leads back to itself (a loop){shown}",
                             zh=f"{what_zh}是指回自身的符号链接（循环）{shown_zh}", **where) from None
        raise InputError(f"cannot open the {what} ({exc.strerror}){shown}",
                         zh=f"无法打开{what_zh}（{exc.strerror}）{shown_zh}", **where) from None
    except ValueError as exc:  # a path the operating system cannot represent
        raise InputError(f"not a usable path for the {what} ({exc}){shown}",
                         zh=f"{what_zh}的路径无法使用（{exc}）{shown_zh}", **where) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"this is a folder, not a {what}{shown}", zh=f"这是文件夹，不是{what_zh}{shown_zh}", **where)
    if not stat.S_ISREG(info.st_mode):  # reading a pipe or a device could block or never end
        raise InputError(f"not a regular {what} (a pipe, socket or device){shown}",
                         zh=f"不是普通{what_zh}（而是管道、套接字或设备）{shown_zh}", **where)


def resolve_file(base: Path, given: str, *, file: Path, key: str) -> Path:
    """The table a scenario's ``key`` names, relative to the scenario's folder, checked as ``check_file`` does."""
    if "\0" in given:
        raise InputError(f"the path of the table file contains a NUL character: {visible(given)}",
                         zh=f"表格文件的路径中含有空字符：{visible(given)}", file=file, key=key)
    try:
        path = (base / given).resolve()
    except (OSError, RuntimeError) as exc:  # Python 3.11 raises RuntimeError for a symbolic link loop
        raise InputError(f"the table file is a symbolic link that leads back to itself (a loop): "
                         f"{_printable(base / given)}",
                         zh=f"表格文件是指回自身的符号链接（循环）：{_printable(base / given)}", file=file,
                         key=key) from exc
    check_file(path, file=file, key=key, what="table file")
    return path


def _printable(path: Path) -> str:
    return visible(str(path), limit=400)[1:-1]


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", zh=f"无法读取文件（{exc.strerror}）",
                         file=path) from exc


def decode_text(data: bytes, path: Path, hint: str) -> str:
    """UTF-8 text, a UTF-8 byte-order mark dropped (spreadsheet programs and Notepad write one); anything else is
    refused with the line it fails on. ``hint`` says what to do, a ``Said`` for the Chinese message."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"the file starts with a UTF-16 or UTF-32 byte-order mark: it is not UTF-8 text; {hint}",
                         zh=f"文件以 UTF-16 或 UTF-32 的字节顺序标记开头，不是 UTF-8 文本；{zh_of(hint)}",
                         file=path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text at line {line} ({exc.reason}); {hint}",
                         zh=f"第 {line} 行不是 UTF-8 文本（{exc.reason}）；{zh_of(hint)}", file=path) from exc


def table_encoding(data: bytes) -> str | None:
    """The encoding a CSV table is in: "utf-8" (with or without a byte-order mark) or "gb18030" (what Chinese
    Excel's "CSV (逗号分隔)" writes: GBK, of which GB18030 is the superset); None for anything else.

    UTF-8 is tried first: its rules are strict enough that text in another encoding almost never passes them. GB18030
    decodes most byte strings, so text it decodes must also read as Chinese: every character not ASCII is a CJK
    character, punctuation or a symbol, and at least 90 % of its ideographs are among GB2312's 6,763 common ones.
    A Latin-1 file fails that: its accented letters become rare ideographs, or no characters at all."""
    try:
        data.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide or not all(_chinese(c) for c in wide):
        return None
    ideographs = [c for c in wide if 0x3400 <= ord(c) <= 0x9FFF]
    common = sum(1 for c in ideographs if _in_gb2312(c))
    return "gb18030" if common >= 0.9 * len(ideographs) else None


def _chinese(char: str) -> bool:
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x2000 <= code <= 0x206F or 0x2100 <= code <= 0x22FF
            or 0x2460 <= code <= 0x24FF or 0x2500 <= code <= 0x257F or 0x25A0 <= code <= 0x26FF
            or code in (0xB0, 0xB1, 0xB2, 0xB3, 0xB5, 0xB7, 0xD7, 0xF7))


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def decode_table(data: bytes, path: Path) -> tuple[str, str]:
    """A CSV table's text and its encoding (``table_encoding``); a clear error naming the file and the first line
    that is not UTF-8 otherwise."""
    found = None if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
                                     codecs.BOM_UTF16_BE)) else table_encoding(data)
    hint = Said("save the CSV as UTF-8 (CSV UTF-8 in Excel) or as Chinese Excel's CSV (GBK)",
                "请将 CSV 另存为 UTF-8 编码（Excel 中的“CSV UTF-8(逗号分隔)”），或中文 Excel 的“CSV (逗号分隔)”（GBK 编码）")
    if found is None:
        decode_text(data, path, hint)  # names the line that is not UTF-8
        raise InputError(f"not UTF-8 text, nor Chinese text in GBK or GB18030; {hint}",
                         zh=f"既不是 UTF-8 文本，也不是 GBK 或 GB18030 编码的中文文本；{zh_of(hint)}", file=path)
    return (data.decode("utf-8-sig") if found == "utf-8" else data.decode("gb18030")), found


# ---------------------------------------------------------------------------------------------
# Text: characters a workbook cannot hold, and that nobody can see, are refused where they are written.

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; and the two noncharacters XML
# forbids. openpyxl refuses the C0 ones in a cell, and none of them can be seen or typed in a name.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def text_problem(text: str) -> Said | None:
    """Why ``text`` is refused (the control character it holds and where), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    code, position = f"U+{ord(found.group()):04X}", found.start() + 1
    return Said(f"the text holds the control character {code} at position {position}: "
                f"{visible(text)}; remove it (text may hold any character but control characters; tabs and line "
                "breaks are allowed)",
                f"文字的第 {position} 个字符是控制字符 {code}：{visible(text)}；请删除（文字中可以有任何字符，但不能有"
                "控制字符；制表符和换行可以保留）")


def check_text(text: str, **where: Any) -> None:
    """Refuse text holding a control character, naming the place (``InputError``'s keywords)."""
    problem = text_problem(text)
    if problem:
        raise InputError(problem, **where)


def visible(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, control characters shown as escapes, cut at ``limit`` characters."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                         else f"\\u{ord(m.group()):04x}", text[:limit])
    return "'" + shown + ("…" if len(text) > limit else "") + "'"


# ---------------------------------------------------------------------------------------------
# CSV


def _read_csv(path: Path) -> tuple[list[Any], list[list[Any]], int, list[int]]:
    text, _ = decode_table(read_bytes(path), path)
    # Lines as the CSV reader counts them (\n, \r\n or \r), not every Unicode line boundary str.splitlines knows.
    lines = io.StringIO(text, newline="").readlines()
    # Lines starting with '#' above the header say what the file is (a synthetic table says so there); they
    # and blank lines are skipped but counted, so that row numbers stay the file's own line numbers.
    skipped = 0
    while skipped < len(lines) and (lines[skipped].startswith("#") or not lines[skipped].strip()):
        skipped += 1
    reader = csv.reader(io.StringIO("".join(lines[skipped:]), newline=""))
    records: list[tuple[int, list[str]]] = []
    end = skipped
    try:
        for record in reader:
            start, end = end + 1, skipped + reader.line_num
            if record:  # a blank line holds no row
                records.append((start, record))
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV: {exc}", zh=f"无法读取 CSV：{exc}", file=path, row=end + 1) from exc
    if not records:
        raise InputError("the table is empty: it has no header row", zh="表格为空：没有表头行", file=path)
    header_row, header = records[0]
    width = len(header)
    rows, numbers = [], []
    for line, record in records[1:]:
        if len(record) > width:
            raise InputError(f"the row has {len(record)} cells, the header {width}: a cell too many (a comma in a "
                             "text that is not in quotes?)",
                             zh=f"该行有 {len(record)} 个单元格，表头只有 {width} 个：多出了单元格（是否有文字含逗号"
                             "却没有加引号？）", file=path, row=line)
        rows.append(record + [""] * (width - len(record)))  # a short row: its last cells are empty
        numbers.append(line)
    return list(header), rows, header_row, numbers


# ---------------------------------------------------------------------------------------------
# XLSX

MAX_XLSX_UNPACKED = 256 * 2**20
"""The most an XLSX table may unpack to, in bytes (a sheet of 20,000 rows unpacks to a few tens of MB)."""


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[Any], list[list[Any]], int, list[int]]:
    _check_archive(path)
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            names = values.sheetnames
            if sheet is not None and sheet not in names:
                raise InputError(f"no sheet '{sheet}' (sheets: {', '.join(names)})",
                                 zh=f"没有工作表“{sheet}”（现有工作表：{', '.join(names)}）", file=path)
            name = sheet if sheet is not None else names[0]
            value_sheet, formula_sheet = values[name], formulas[name]
            # Every row the sheet holds, not the size the file declares: some programs declare it wrong.
            value_sheet.reset_dimensions()
            formula_sheet.reset_dimensions()
            grid = [list(row) for row in value_sheet.iter_rows(values_only=True)]
            written = [list(row) for row in formula_sheet.iter_rows(values_only=True)]
        finally:
            values.close()
            formulas.close()
    except InputError:
        raise
    except Exception as exc:  # whatever openpyxl meets in a damaged workbook, the workbook is its cause
        raise InputError(f"cannot read the XLSX workbook ({type(exc).__name__}: {exc}); save it again from a "
                         "spreadsheet program",
                         zh=f"无法读取 XLSX 工作簿（{type(exc).__name__}: {exc}）；请用电子表格软件重新保存",
                         file=path) from exc
    records: list[tuple[int, list[Any]]] = []
    for number, row in enumerate(grid, start=1):
        formula_row = written[number - 1] if number - 1 < len(written) else []
        for column, cell in enumerate(row):
            formula = formula_row[column] if column < len(formula_row) else None
            if cell is None and formula is not None:
                # A file written by a program that does not calculate (a script) has formulas without values.
                raise InputError(f"cell {get_column_letter(column + 1)}{number} holds the formula "
                                 f"{visible(str(formula))} without a calculated value; open and save the workbook "
                                 "in a spreadsheet program, or paste the values in place of the formulas",
                                 zh=f"单元格 {get_column_letter(column + 1)}{number} 中的公式 {visible(str(formula))} "
                                 "没有计算结果；请在电子表格软件中打开并保存工作簿，或将公式替换为数值",
                                 file=path, row=number)
        cells = ["" if cell is None else cell for cell in row]
        if any(not (isinstance(c, str) and not c.strip()) for c in cells):  # an empty row holds no row
            records.append((number, cells))
    if not records:
        raise InputError(f"the sheet '{name}' is empty: it has no header row", zh=f"工作表“{name}”为空：没有表头行",
                         file=path)
    width = max(len(cells) for _, cells in records)
    records = [(n, cells + [""] * (width - len(cells))) for n, cells in records]
    header_row, header = records[0]
    return header, [cells for _, cells in records[1:]], header_row, [n for n, _ in records[1:]]


def _check_archive(path: Path) -> None:
    """Refuse an XLSX that is no zip archive, unpacks to too much, or declares a DOCTYPE: workbooks never need
    one, and a DOCTYPE is how an XML file defines entities that expand a few bytes into gigabytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > MAX_XLSX_UNPACKED:
                raise InputError(f"the workbook unpacks to more than {MAX_XLSX_UNPACKED // 2**20} MB, more than an "
                                 "XLSX table needs",
                                 zh=f"工作簿解压后超过 {MAX_XLSX_UNPACKED // 2**20} MB，远超 XLSX 表格所需", file=path)
            for member in members:
                with archive.open(member) as part:
                    _check_xml_part(part, member.filename, path)
    except InputError:
        raise
    # zipfile raises NotImplementedError for a compression method it cannot read (e.g. deflate64): the file is
    # unreadable input like the others, not a missing feature of finmodel.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
            zlib.error) as exc:
        raise InputError(f"not a readable XLSX workbook (a zip archive): {exc}; save it again from a spreadsheet "
                         "program, or use a CSV file",
                         zh=f"不是可读取的 XLSX 工作簿（XLSX 文件应为压缩包）：{exc}；请用电子表格软件重新保存，或改用 CSV 文件",
                         file=path) from exc


def _check_xml_part(part: Any, name: str, path: Path) -> None:
    head = part.read(4)
    if not name.lower().endswith((".xml", ".rels", ".vml")):
        return  # pictures and other binary parts are not parsed as XML
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in head:
        # Searched as bytes below, a DOCTYPE in UTF-16 would pass unseen: spreadsheet programs write UTF-8.
        raise InputError(f"the workbook's part {name} is not UTF-8 XML; save the workbook again from a "
                         "spreadsheet program",
                         zh=f"工作簿的组成部分 {name} 不是 UTF-8 编码的 XML；请用电子表格软件重新保存工作簿", file=path)
    window = head
    while True:
        if b"<!DOCTYPE" in window:
            raise InputError(f"the workbook's part {name} declares a DOCTYPE, which workbooks never need and which "
                             "can define entities that expand without end; save the workbook again from a "
                             "spreadsheet program",
                             zh=f"工作簿的组成部分 {name} 声明了 DOCTYPE：工作簿从不需要它，而它可以定义无限展开的实体；"
                             "请用电子表格软件重新保存工作簿", file=path)
        block = part.read(1 << 20)
        if not block:
            return
        window = window[-8:] + block


def _named_columns(header: list[Any], records: list[list[Any]], path: Path,
                   header_row: int) -> tuple[list[str], list[list[Any]]]:
    """Header names stripped. A column without a name is dropped when it is empty and refused when it holds
    values; a name given twice is refused (a reader would otherwise rename one of them and read the other)."""
    from .columns import header_keys

    aliases = header_keys()
    names = [cell_text(h).strip() for h in header]
    for name in names:
        check_text(name, file=path, row=header_row)
    # A template's header (改造户数（户）, Households) names its column's key: as a key, a column named twice is refused.
    names = [aliases.get(name, name) for name in names]
    keep = []
    for k, name in enumerate(names):
        if name:
            keep.append(k)
        elif any(not (isinstance(record[k], str) and not record[k].strip()) for record in records):
            raise InputError(f"column {get_column_letter(k + 1)} (column {k + 1}) holds values but has no name in "
                             "the header; name it",
                             zh=f"{get_column_letter(k + 1)} 列（第 {k + 1} 列）有内容，但表头中没有列名；请填写列名",
                             file=path, row=header_row)
    seen: dict[str, int] = {}
    for k in keep:
        if names[k] in seen:
            raise InputError(f"the header names the column '{names[k]}' twice (columns "
                             f"{get_column_letter(seen[names[k]] + 1)} and {get_column_letter(k + 1)})",
                             zh=f"表头中列名“{names[k]}”出现了两次（{get_column_letter(seen[names[k]] + 1)} 列和 "
                             f"{get_column_letter(k + 1)} 列）", file=path, row=header_row, column=names[k])
        seen[names[k]] = k
    return [names[k] for k in keep], [[record[k] for k in keep] for record in records]


def _template_layout(header: list[str], records: list[list[Any]], lines: list[int], path: Path,
                     header_row: int) -> tuple[list[str], list[list[Any]], list[int]]:
    """What a filled template adds to a table (``header``: the keys), left out: its row of keys under the headers,
    its example row (first cell 示例), and the columns it offers that were left empty in every row."""
    from .columns import EXAMPLE_MARKS

    keys = header
    is_template = bool(records) and [cell_text(c).strip() for c in records[0]] == keys
    if is_template:
        records, lines = records[1:], lines[1:]
    kept = [(line, record) for line, record in zip(lines, records)
            if not (record and cell_text(record[0]).strip() in EXAMPLE_MARKS)]
    lines, records = [line for line, _ in kept], [record for _, record in kept]
    if is_template and not records:
        raise InputError("the template's table has no rows filled in: one row per unit from row 3 (the example "
                         "row may be overwritten)",
                         zh="模板的表格中没有填写任何行：请从第 3 行起每个单位填一行（示例行可以直接改写）",
                         file=path, row=header_row)
    if is_template:  # a column the template offers and nobody filled is not part of the table
        filled = [k for k in range(len(keys)) if any(cell_text(r[k]).strip() for r in records)]
        keys = [keys[k] for k in filled]
        records = [[r[k] for k in filled] for r in records]
    return keys, records, lines


def cell_text(cell: object) -> str:
    """A cell as text: a spreadsheet's 2024 is the text 2024, not 2024.0."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a spreadsheet's 2024 is the name 2024, not 2024.0
    return str(cell)


# ---------------------------------------------------------------------------------------------
# Numbers: the limits every number of a scenario or a table obeys, stated in the README.

MAX_NUMBER = 1e10
"""The largest number finmodel takes anywhere, in absolute value: 10¹⁰ 万元 (100 万亿元, about China's GDP of a
year) as an amount, and the same bound for areas, counts, prices and factors. Amounts kept in units of 0.01 万元
then stay below 10¹², far inside the 2⁵³ up to which floats count every unit."""
MIN_NUMBER = 1e-9
"""The smallest number other than 0 finmodel takes, in absolute value: below it a rate, a factor or a share
means nothing any more, and its reciprocal or powers overflow or vanish."""


def number_problem(value: float, shown: str | None = None) -> Said | None:
    """Why ``value`` is refused as a number of a scenario or a table, or None; ``shown`` is the number as written."""
    shown = shown if shown is not None else f"{value:g}"
    if not math.isfinite(value):
        return Said("not a finite number", "不是有限的数")
    if value > MAX_NUMBER:
        return Said(f"{shown} is above the largest number finmodel takes, {MAX_NUMBER:g}",
                    f"{shown} 超过 finmodel 可接受的最大数 {MAX_NUMBER:g}")
    if value < -MAX_NUMBER:
        return Said(f"{shown} is below the most negative number finmodel takes, {-MAX_NUMBER:g}",
                    f"{shown} 低于 finmodel 可接受的最小负数 {-MAX_NUMBER:g}")
    if value != 0 and abs(value) < MIN_NUMBER:
        return Said(f"{shown} is closer to 0 than the smallest number finmodel takes, {MIN_NUMBER:g} (write 0 or more)",
                    f"{shown} 比 finmodel 可接受的最小非零数 {MIN_NUMBER:g} 更接近 0（请填写 0 或更大的数）")
    return None


_WHOLE_TEXT = re.compile(r"\d+")


def numeric_column(frame: pd.DataFrame, column: str, *, where: str = "",
                   whole: Literal["count", "year"] | None = None) -> pd.Series:
    """One column as floats, with every empty, non-numeric or out-of-range cell reported by row.

    ``whole="count"`` takes whole numbers only (a spreadsheet's 56,525.0 is one; 12.5 is not); ``whole="year"``
    takes a year written as digits only (2021, not "2021.0", "2e3" or "2,021"), as a year is written.
    """
    path = frame.attrs.get("path")
    if column not in frame.columns:
        # Named by the scenario key that wants the column, if there is one (the caller adds the scenario file).
        raise InputError(
            f"no column '{column}' in {path} (columns: {', '.join(frame.columns)})",
            zh=f"{path} 中没有列“{column}”（现有列：{', '.join(frame.columns)}）",
            key=where or None, column=column, file=None if where else path,
        )
    raw = frame[column]
    spec = COLUMN_SPECS.get(column)
    whole = whole or (spec.whole if spec else None)
    keyed = frame.attrs.get("key") is not None  # a budget table's rows are no units: its index is no name
    # A table without a key names its rows by the columns its reader says identify one (a budget: district, year).
    naming = [c for c in frame.attrs.get("row_names", ()) if c in frame.columns and c != column]
    values = np.empty(len(raw), dtype=float)
    for position, (name, cell) in enumerate(raw.items()):
        if keyed:
            about, about_zh = f" (unit '{name}')", f"（单位“{name}”）"
        elif naming:
            named = " / ".join(visible(cell_text(frame[c].iloc[position]))[1:-1] for c in naming)
            about, about_zh = " (" + named + ")", "（" + named + "）"
        else:
            about = about_zh = ""

        def refuse(message: str, zh: str) -> None:
            raise InputError(message + about, zh=zh + about_zh, file=path, row=row_number(frame, position),
                             column=column)

        value = cell_number(cell)
        if value is None:
            blank = isinstance(cell, str) and not cell.strip()
            if blank:
                refuse("empty cell", "单元格为空")
            refuse(f"not a number: {visible(str(cell))}", f"不是数字：{visible(str(cell))}")
        problem = number_problem(value, cell.strip() if isinstance(cell, str) else None)
        if problem:
            if problem == "not a finite number":
                refuse(f"{problem}: {visible(str(cell))}", f"{zh_of(problem)}：{visible(str(cell))}")
            refuse(problem, zh_of(problem))
        if whole == "year" and (not float(value).is_integer() or not 1000 <= value <= 9999 or (
                isinstance(cell, str) and not _WHOLE_TEXT.fullmatch(cell.strip()))):
            refuse(f"a year is written as four digits, such as 2021, not {visible(str(cell))}",
                   f"年份应写成四位数字，如 2021，而不是 {visible(str(cell))}")
        if whole == "count" and not float(value).is_integer():
            refuse(f"a count is a whole number, not {visible(str(cell))}", f"个数应为整数，而不是 {visible(str(cell))}")
        low = spec.minimum if spec else 0.0
        if low is not None and value < low:
            refuse(f"{value:g} is below {low:g}", f"{value:g} 小于 {low:g}")
        if spec and spec.maximum is not None and value > spec.maximum:
            refuse(f"{value:g} is above {spec.maximum:g}", f"{value:g} 大于 {spec.maximum:g}")
        if spec and spec.strictly_positive and value <= 0:
            refuse(f"must be above 0, got {value:g}", f"应大于 0，实际为 {value:g}")
        values[position] = value
    return pd.Series(values, index=raw.index, name=column)


def cell_number(cell: object) -> int | float | None:
    """One cell as a number by the rule of ``numeric_column``: a plain decimal number ("1685.6", "-3", "1e5",
    thousands separators "56,525"), or a spreadsheet's number; ``None`` for anything else (hexadecimal "0x1A",
    "1_000", "nan", words, a spreadsheet's TRUE). "inf" comes back as inf: the caller says it is not finite."""
    if isinstance(cell, (bool, np.bool_)) or not isinstance(cell, (str, int, float, np.integer, np.floating)):
        return None
    value = pd.to_numeric(_as_number_text(cell), errors="coerce")
    if pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def cell_numbers(cells: pd.Series) -> pd.Series:
    """``cell_number`` for a whole column at once: NaN where it gives None. All integers come back as an integer
    column, as each cell alone would come back as an int."""
    refused = cells.map(lambda c: isinstance(c, (bool, np.bool_))
                        or not isinstance(c, (str, int, float, np.integer, np.floating)))
    texts = cells.map(_as_number_text).where(~refused.astype(bool), None)
    return pd.to_numeric(texts, errors="coerce")


def _as_number_text(cell: object) -> object:
    # Spreadsheet exports carry thousands separators ("56,525"); accept them, nothing looser.
    if isinstance(cell, str):
        return cell.strip().replace(",", "")
    return cell

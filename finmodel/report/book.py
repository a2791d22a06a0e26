"""Workbook plumbing shared by every report: saving with fixed stamps, print setup, the 参数 sheet."""

from __future__ import annotations

import io
import math
from copy import copy
import re
import weakref
from dataclasses import replace
from collections.abc import Iterable
from datetime import datetime

import numpy as np
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .cells import columns_width, display_width, fit_height, put, wrapped_lines
from .files import normalised_zip
from ..labels import t

_FIXED_TIME = datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save_workbook(wb: Workbook, title: str, lang: str = "zh") -> bytes:
    """The workbook as bytes: same content, same bytes; every sheet set up to print (``page_numbers``).

    The run's real time is in the manifest; the workbook carries a fixed one so reruns are identical.
    openpyxl stamps "modified" with the clock while saving, so it is replaced in the saved file.
    """
    for ws in wb.worksheets:
        if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
            print_setup(ws, ws.max_column)  # A4, fit to width only: a sheet its writer left unset
        fit_numbers(ws)
        contain_overflow(ws)
        first_page_notes(ws)
        fit_wrapped_rows(ws)
        readable_width(ws)
        _signatures_on_first_page(ws)
        _break_before_kept_blocks(ws)
        page_numbers(ws, lang)
    wb.properties.created = _FIXED_TIME
    wb.properties.creator = wb.properties.lastModifiedBy = "finmodel"
    wb.properties.title = title
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalised_zip(buffer.getvalue(), rewrite={"docProps/core.xml": _fixed_modified})


def _fixed_modified(xml: bytes) -> bytes:
    return _MODIFIED.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", xml)


DIGIT_WIDTH = 1.15
"""Column units a digit takes in the cells' font: 宋体's, and Noto CJK's standing in for it, are wider than the
Calibri digit a unit is measured in; at 1.0, 4,428,490.0000 in a 15-unit column printed as ### in LibreOffice.
Bold digits (the 合计 rows) are wider again."""
DIGIT_WIDTH_BOLD = 1.3
NUMBER_WIDTH_MAX = 30.0


def shown_number(value: float, number_format: str) -> str:
    """About the text a spreadsheet shows for ``value`` in ``number_format`` (its decimals, thousands separators and
    percent sign; optional decimals counted as shown), to size the column that holds it."""
    fmt = number_format.split(";")[0]
    if fmt == "General":
        return f"{value:.10g}"
    percent = fmt.endswith("%")
    shown = value * 100 if percent else value
    decimals = re.search(r"\.([0#]*)", fmt)
    places = len(decimals.group(1)) if decimals else 0
    text = f"{shown:,.{places}f}" if "," in fmt else f"{shown:.{places}f}"
    return text + ("%" if percent else "")


def fit_numbers(ws: Worksheet) -> None:
    """Widen a column to the widest number it holds as shown, never narrow it: a number wider than its column
    prints as ###. The widest in absolute value is measured per column and format (so a sheet of many rows is
    read once), up to NUMBER_WIDTH_MAX units."""
    # Keyed by the style's indices, not by its format and font, which openpyxl looks up anew at every read (2.4 s
    # for the 1.5 million cells of a 20,000-unit workbook, 0.9 s so): one cell per key is read for them.
    largest: dict[tuple[int, int, int], float] = {}
    negative: set[tuple[int, int, int]] = set()
    sample = {}
    for (_, col), cell in ws._cells.items():
        value = cell.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            style = cell._style  # None for a cell written without any style
            key = (col, style.numFmtId, style.fontId) if style is not None else (col, 0, 0)
            if key not in sample:
                sample[key] = cell
            largest[key] = max(largest.get(key, 0.0), abs(value))
            if value < 0:
                negative.add(key)
    need: dict[int, float] = {}
    for key, value in largest.items():
        cell = sample[key]
        shown = shown_number(-value if key in negative else value, cell.number_format)
        digit = DIGIT_WIDTH_BOLD if cell.font.b else DIGIT_WIDTH
        need[key[0]] = max(need.get(key[0], 0.0), min(digit * len(shown) + 2, NUMBER_WIDTH_MAX))
    for col, width in need.items():
        dimension = ws.column_dimensions[get_column_letter(col)]
        if (dimension.width or 8.43) < width:
            dimension.width = round(width, 1)


def contain_overflow(ws: Worksheet) -> None:
    """Wrap, within the sheet's columns, every text that would run on past its last column.

    A spreadsheet prints the text a cell spills into empty cells to its right, and fitting to the page width then
    shrinks the whole sheet to hold it: a 200-character rule line above a 66-column-unit balance sheet printed it
    at 6.6 pt (LibreOffice 7.4, measured from the PDF). Such a text is the last of its row; it is merged across
    the empty cells to its right, wrapped, and its row made as high as the lines need.
    """
    last = ws.max_column
    widths = [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, last + 1)]
    room = np.cumsum(widths[::-1])[::-1]  # room[c - 1]: width from column c to the last
    row_last: dict[int, int] = {}
    for (row, col), cell in ws._cells.items():
        if cell.value is not None and col > row_last.get(row, 0):
            row_last[row] = col
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    for row, col in row_last.items():
        cell = ws.cell(row=row, column=col)
        text = cell.value
        if not isinstance(text, str) or (row, col) in merged or cell.alignment.wrap_text:
            continue
        space = float(room[col - 1])
        if 2 * len(text) <= space or max(display_width(line) for line in text.split("\n")) <= space:
            continue
        if col < last:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=last)
        alignment = copy(cell.alignment)
        alignment.wrap_text, alignment.vertical = True, "top"
        cell.alignment = alignment
        fit_height(ws, row, {col: text}, line_height=_line_height(cell), span=last - col + 1)


def first_page_notes(ws: Worksheet) -> None:
    """Narrow every note merged across a row from the first column (a source, a rule, a table's notes) to the
    columns the first printed page holds, so that it wraps there instead of running off the page: a sheet fitted
    to several pages across prints at the scale that spreads its columns over them, which can leave the first page
    fewer columns than the note spans (因素测算's notes printed cut at the page edge, LibreOffice 7.4). Such a
    sheet repeats its first column on every page, so the note moves to start in the second. The rows are raised
    to the new lines by ``fit_wrapped_rows``."""
    readable_width(ws)
    last = ws.max_column
    first_page = _first_page_columns(ws)
    if first_page >= last:
        return
    repeated = _repeated_columns(ws)
    if repeated:
        _notes_spilling_from_repeated_columns(ws)
    for merged in list(ws.merged_cells.ranges):
        # A note within the first page is left as it is, unless it starts in a column repeated on every page.
        within = merged.max_col <= first_page and not (repeated and merged.max_col > repeated)
        if merged.min_col != 1 or merged.min_row != merged.max_row or within:
            continue
        cell = ws.cell(row=merged.min_row, column=1)
        if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
            continue
        ws.unmerge_cells(str(merged))
        start = 1
        if repeated and first_page > repeated + 1:
            # The first columns are repeated on every page across; a note written in them would print there again,
            # cut at their width (覆盖倍数's second page). Written after them, its row there is empty on every page.
            start = repeated + 1
            moved = ws.cell(row=merged.min_row, column=start, value=cell.value)
            moved._style = copy(cell._style)
            cell.value = None
        end = min(first_page, merged.max_col) if start == 1 else max(min(first_page, merged.max_col), start + 1)
        ws.merge_cells(start_row=merged.min_row, start_column=start, end_row=merged.min_row, end_column=end)


def _notes_spilling_from_repeated_columns(ws: Worksheet) -> None:
    """Make a note of every plain text alone in its row in column A that spills past the repeated columns (以奖代补's
    rule line): merged across the row and wrapped, so that ``first_page_notes`` moves it after them. Left spilling, it
    printed on every page across, cut at their width."""
    room = _title_cols_width(ws)
    filled: dict[int, int] = {}
    for (row, _), cell in ws._cells.items():
        if cell.value is not None:
            filled[row] = filled.get(row, 0) + 1
    merged = {r.min_row for r in ws.merged_cells.ranges if r.min_col == 1}
    for row, count in filled.items():
        cell = ws.cell(row=row, column=1)
        text = cell.value
        if count != 1 or row in merged or not isinstance(text, str) or cell.alignment.wrap_text or cell.font.b:
            continue  # a bold line is a title (a pool's block in 因素测算): readers and scripts find it in A
        if max(display_width(line) for line in text.split("\n")) <= room:
            continue
        alignment = copy(cell.alignment)
        alignment.wrap_text, alignment.vertical = True, "top"
        cell.alignment = alignment
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ws.max_column)


def _print_scale(ws: Worksheet) -> float:
    """The scale a sheet fitted to ``fitToWidth`` pages across prints at (at most full size): its columns spread
    over the pages, the repeated title columns on each."""
    full = PAGE_CHARS[ws.page_setup.orientation or "portrait"] * 8 / 11  # units a page holds at full size (11 pt)
    pages = ws.page_setup.fitToWidth or 1
    total = columns_width(ws, 1, ws.max_column)
    repeated = _title_cols_width(ws)
    return min(1.0, full / max((total - repeated) / pages + repeated, 1.0))


def _title_cols(ws: Worksheet) -> tuple[int, int] | None:
    """The first and last of the columns printed on every page across (``print_title_cols``), or None."""
    if not ws.print_title_cols:
        return None
    from openpyxl.utils.cell import column_index_from_string

    first, _, last = ws.print_title_cols.replace("$", "").partition(":")
    return column_index_from_string(first), column_index_from_string(last or first)


def _repeated_columns(ws: Worksheet) -> int:
    """How many leading columns print on every page across (0 when none, or when they do not start at A)."""
    titles = _title_cols(ws)
    return titles[1] if titles and titles[0] == 1 else 0


def _first_page_columns(ws: Worksheet) -> int:
    """How many leading columns the first printed page holds, estimated: the page's width at the sheet's print
    scale, filled with whole columns."""
    room = PAGE_CHARS[ws.page_setup.orientation or "portrait"] * 8 / 11 / _print_scale(ws)
    used, count = 0.0, 0
    for col in range(1, ws.max_column + 1):
        used += ws.column_dimensions[get_column_letter(col)].width or 8.43
        if used > room:
            break
        count = col
    return max(count, 1)


def fit_wrapped_rows(ws: Worksheet) -> None:
    """Make every row as high as its wrapped cells need, now that the widths are final: spreadsheets do not grow a
    row a program wrote, and a wrapped header cut to two of its three lines hides words (a header 32 pt high for
    three lines also made LibreOffice print a blank last page). Rows are only ever raised, a row left at the
    default height included."""
    spans = {(r.min_row, r.min_col): (r.max_col, r.max_row > r.min_row) for r in ws.merged_cells.ranges}
    inside = {(row, col) for r in ws.merged_cells.ranges for row, col in r.cells} - set(spans)
    widths: dict[tuple[int, int], float] = {}
    lines: dict[tuple[str, float], int] = {}
    need: dict[int, float] = {}
    for (row, col), cell in ws._cells.items():
        text = cell.value
        if not isinstance(text, str) or not cell.alignment.wrap_text or (row, col) in inside:
            continue
        last, tall = spans.get((row, col), (col, False))
        if tall:  # a cell merged over several rows has their heights together: left as written
            continue
        width = widths.get((col, last))
        if width is None:
            width = widths[col, last] = columns_width(ws, col, last)
        count = lines.get((text, width))
        if count is None:
            count = lines[text, width] = wrapped_lines(text, width)
        if count > 1 or ws.row_dimensions[row].height is not None:  # one line fits a row left at the default
            need[row] = max(need.get(row, 0.0), count * _line_height(cell))
    for row, height in need.items():
        current = ws.row_dimensions[row].height
        if (current if current is not None else DEFAULT_ROW_HEIGHT) < height:
            ws.row_dimensions[row].height = height


DEFAULT_ROW_HEIGHT = 15.0
"""Points a row of 11 pt text takes; also one line of wrapped text."""


def _line_height(cell) -> float:
    return max(DEFAULT_ROW_HEIGHT, 1.4 * (cell.font.sz or 11))


def page_numbers(ws: Worksheet, lang: str) -> None:
    """The sheet's name and 第 X 页 共 Y 页 in the footer of every printed page: workbooks run to dozens of pages."""
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = t("page_of", lang)
    # At the body's size: a footer scales with the sheet (LibreOffice ignores scaleWithDoc="0"), and the body is
    # kept at 8 pt or more.
    for part in (ws.oddFooter.left, ws.oddFooter.center):
        part.size = 11


PAGE_CHARS = {"portrait": 119, "landscape": 179}
"""Column-width units (characters of the default 11 pt font) an A4 page holds at the scale 8/11, at which the
default font prints at 8 pt. Measured, not derived: LibreOffice 7.4 with Carlito (Calibri's metrics) printed a
124-unit portrait sheet at 7.7 pt and a 178-unit landscape one at 8.1 pt."""


def readable_width(ws: Worksheet) -> None:
    """Fit a sheet to as many pages across as keep its text at 8 pt or more: landscape when it is wider than a
    portrait page holds, then a page more for every page width of columns, with the first column (the names)
    repeated on each, rather than one page of 4 pt type. The repeated columns take their room on every page, and
    a page breaks between whole columns."""
    chars = columns_width(ws, 1, ws.max_column)
    if chars > PAGE_CHARS["portrait"]:
        ws.page_setup.orientation = "landscape"
    page = PAGE_CHARS[ws.page_setup.orientation or "portrait"]
    pages = math.ceil(chars / page)
    if pages > 1 or (ws.page_setup.fitToWidth or 1) > 1:
        if not ws.print_title_cols:
            ws.print_title_cols = "A:A"
        # A page breaks between whole columns: allow a column's width of room unused on each page.
        repeated = _title_cols_width(ws)
        widest = max(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1))
        pages = max(pages, math.ceil((chars - repeated) / max(page - repeated - widest, 1.0)))
    if pages > (ws.page_setup.fitToWidth or 1):
        ws.page_setup.fitToWidth = pages


def _title_cols_width(ws: Worksheet) -> float:
    titles = _title_cols(ws)
    return columns_width(ws, *titles) if titles else 0.0


ROWS_PER_PAGE = {"landscape": 30, "portrait": 45}
"""About how many rows of the default height an A4 page holds at the scale a sheet fitted to its width prints at."""


def break_between_blocks(ws: Worksheet, starts: list[int], end: int) -> None:
    """Page breaks before the blocks (a project's cash flows, a loan's schedule) that would not fit on the page
    they start on, so that a block that fits on a page is never split across two and its own header row stays with
    it; ``starts`` are the blocks' first rows, ``end`` the last row written. The sheet's widths must be set: they
    decide the orientation, and so how many rows a page holds."""
    readable_width(ws)
    capacity = ROWS_PER_PAGE[ws.page_setup.orientation or "portrait"]
    used = 0
    for k, start in enumerate(starts):
        size = (starts[k + 1] if k + 1 < len(starts) else end + 1) - start
        if used and used + size > capacity:
            ws.row_breaks.append(Break(id=start - 1))
            used = 0
        used += size


PAGE_POINTS = {"portrait": 842 - 2 * 72, "landscape": 595 - 2 * 72}
"""Points of rows an A4 page holds at full scale: its height less the default top and bottom margins of an inch
(the footer sits inside the bottom one). Measured: LibreOffice 7.4 printed 覆盖倍数's rows to 439 pt of a landscape
page and broke before the row that would have reached 454."""


_KEPT: weakref.WeakKeyDictionary[Worksheet, list[tuple[int, int]]] = weakref.WeakKeyDictionary()


def keep_together(ws: Worksheet, first: int, last: int) -> None:
    """Print rows ``first``–``last`` (notes and the signature block under a table) on one page: ``save_workbook``
    puts a page break before them if the page they start on would split them. Decided there, once every row has
    its final height (wrapped notes are raised only at save) and the sheet its final scale."""
    _KEPT.setdefault(ws, []).append((first, last))


def _break_before_kept_blocks(ws: Worksheet) -> None:
    """The page breaks ``keep_together`` asked for: the pages are laid out from the rows' heights at the scale the
    sheet prints at (fitted to its width), each page after the first less the header rows it repeats and a break
    already there starting a page; a block must fit with two rows to spare, since spreadsheets measure text a little
    differently."""
    blocks = _KEPT.pop(ws, [])
    if not blocks:
        return
    capacity = PAGE_POINTS[ws.page_setup.orientation or "portrait"] / _print_scale(ws)
    spare = 2 * DEFAULT_ROW_HEIGHT  # in the test only: a page laid out shorter than it is drifts page by page

    def height(row: int) -> float:  # looked up, not indexed: indexing would add an empty row to the sheet
        dimension = ws.row_dimensions.get(row)
        return float(dimension.height) if dimension is not None and dimension.height is not None else DEFAULT_ROW_HEIGHT

    titles = ws.print_title_rows
    title_rows = range(0)
    if titles:
        top, _, bottom = titles.replace("$", "").partition(":")
        title_rows = range(int(top), int(bottom or top) + 1)
    repeated = sum(height(row) for row in title_rows)
    for first, last in sorted(blocks):
        breaks = {b.id for b in ws.row_breaks.brk}
        used = 0.0
        for row in range(1, first):
            if row - 1 in breaks or (used and used + height(row) > capacity):  # the row starts a page
                used = 0.0 if row in title_rows else repeated
            used += height(row)
        block = sum(height(row) for row in range(first, last + 1))
        fresh_page = (0.0 if first in title_rows else repeated) + block
        if used + block > capacity - spare and fresh_page <= capacity - spare and first - 1 not in breaks:
            ws.row_breaks.append(Break(id=first - 1))


def signature_block(ws: Worksheet, row: int, width: int, prepared_by: str, lang: str) -> int:
    """The block under a table an official signs: the preparing unit and its seal, the head, the reviewer, the clerk
    and the date, each with room to sign by hand, spread over the table's ``width`` columns. Returns the next free
    row."""
    lines = [[t("prepared_by", lang) + (prepared_by or ""), t("head", lang), t("reviewed_by", lang)],
             [t("clerk", lang), t("sign_date", lang), t("seal", lang)]]
    step, seal = 2, 48.0
    if width >= 5:
        columns = [1, max(3, width // 2), width - 1]
    else:  # a narrow table (a single project's summary, a full page): two columns beside its number column,
        # three lines without blank ones between, so that the block is less likely to be split by a page break
        columns = [2, min(width, 3)]
        lines = [[lines[0][0], lines[0][1]], [lines[0][2], lines[1][0]], [lines[1][1], lines[1][2]]]
        step, seal = 1, 36.0
    for k, texts in enumerate(lines):
        for column, text in zip(columns, texts):
            put(ws, row + step * k, column, text, lang=lang)
    last = row + step * (len(lines) - 1)
    ws.row_dimensions[last].height = seal  # room for the seal
    if len(columns) == 3:
        _SIGNED[ws] = ([row + step * k for k in range(len(lines))], columns)
    return last + 1


_SIGNED: weakref.WeakKeyDictionary[Worksheet, tuple[list[int], list[int]]] = weakref.WeakKeyDictionary()


def _signatures_on_first_page(ws: Worksheet) -> None:
    """Spread a signature block over the columns the first printed page holds: under a table printed several pages
    across, signatures spread over the whole width landed on three pages (bundling's 汇总)."""
    placed = _SIGNED.pop(ws, None)
    if placed is None:
        return
    rows, columns = placed
    first_page = _first_page_columns(ws)
    start = _repeated_columns(ws) + 1 if (ws.page_setup.fitToWidth or 1) > 1 else 1  # not in a repeated column
    if (columns[-1] <= first_page and columns[0] >= start) or first_page - start < 4:
        return
    new = [start, max(start + 2, (start + first_page) // 2), first_page - 1]
    taken = {(row, old): (ws.cell(row=row, column=old).value, copy(ws.cell(row=row, column=old)._style))
             for row in rows for old in columns}  # all read before any is written: a new place may be an old one
    for row, old in taken:
        ws.cell(row=row, column=old).value = None
    for (row, old), (value, style) in taken.items():
        cell = ws.cell(row=row, column=new[columns.index(old)], value=value)
        cell._style = style


def print_setup(ws: Worksheet, width: int, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > 7 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def write_grid(ws: Worksheet, row: int, headers: list[str], records: list[list], formats: list[str | None],
               lang: str, header_height: float = 32, wrapped: tuple[int, ...] = ()) -> int:
    """A boxed table from ``row``: wrapped headers, then one line per record, numbers in their column's format and
    right-aligned, NaN as an empty cell; the ``wrapped`` columns (1-based) wrap their text, each row as high as it
    needs; without ``headers`` the records go on below ``row`` (a table in parts). Returns the next free row."""
    for col, text in enumerate(headers, start=1):
        put(ws, row, col, text, bold=True, box=True, fill=True, align="center", lang=lang, wrap=True)
    if headers:
        ws.row_dimensions[row].height = header_height
    for record in records:
        row += 1
        for col, (value, fmt) in enumerate(zip(record, formats), start=1):
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, float) and np.isnan(value):
                value = None
            put(ws, row, col, value, fmt=fmt if not isinstance(value, str) else None, box=True,
                align="right" if fmt else None, lang=lang, wrap=col in wrapped)
        if wrapped:
            fit_height(ws, row, {col: record[col - 1] for col in wrapped})
    return row + 1


def flatten(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Nested tables as (dotted key, value) pairs, in order; a list of tables is keyed by each element's id (as
    ``--set`` addresses it), or by its position when the elements have none."""
    items: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            items += flatten(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for k, element in enumerate(value):
                name = f"{key}.{element['id']}" if isinstance(element.get("id"), str) else f"{key}[{k}]"
                items += flatten(element, f"{prefix}{name}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items


def unit_of(key: str, lang: str) -> str:
    """The unit a scenario key's name declares (…_wan, …_m2, …_yuan_…), for the 参数 sheet."""
    last = key.rsplit(".", 1)[-1]
    for marker, unit in (("_wan", ("万元", "10k yuan")), ("_m2", ("平方米", "m²")), ("_yuan", ("元", "yuan")),
                         ("_years", ("年", "years"))):
        if marker in last:
            return unit[0] if lang == "zh" else unit[1]
    return ""


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(text_of(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} = {text_of(v)}" for k, v in value.items())
    return str(value)


def config_rows(config, lang: str) -> list[tuple[str, str, str, str]]:
    """Every value of a scenario's configuration as 参数 lists it: dotted key, value, unit, and no source."""
    return [(key, text_of(value), unit_of(key, lang), "") for key, value in flatten(config.model_dump(exclude_none=True))]


def parameter_sheet(ws: Worksheet, rows: Iterable[tuple[str, str, str, str]], overrides, inputs: dict[str, str],
                    lang: str, policy=None) -> int:
    """参数: every scenario value with unit and source; every override, old → new; every policy value the run used,
    with the day it holds from, its source and whether it is assumed or was changed; the input files' hashes."""
    ws.title = t("sheet_params", lang)
    # Widths first: the rows with wrapped text take their heights from them.
    for letter, width in zip("ABCD", (42, 40, 12, 80)):  # C holds a date (the policy table) as well as a unit
        ws.column_dimensions[letter].width = width
    for col, key in enumerate(("key", "param_value", "unit", "source"), start=1):
        put(ws, 1, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang)
    ws.print_title_rows = "1:1"  # the table runs over several pages
    row = 2
    for values in rows:
        for col, value in enumerate(values, start=1):
            put(ws, row, col, value, box=True, lang=lang, wrap=col in (2, 4))  # a value may be a text too
        fit_height(ws, row, {2: values[1], 4: values[3]})
        row += 1

    row += 1
    put(ws, row, 1, t("overrides", lang), bold=True, lang=lang)
    row += 1
    for col, key in enumerate(("key", "old", "new"), start=1):
        put(ws, row, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang)
    row += 1
    if not overrides:
        put(ws, row, 1, t("no_overrides", lang), box=True, lang=lang)
        row += 1
    for override in overrides:
        for col, value in enumerate((override.key, text_of(override.old), text_of(override.new)), start=1):
            put(ws, row, col, value, box=True, lang=lang)
        row += 1

    if policy is not None:
        row = _policy_rows(ws, row + 1, policy, lang)

    row += 1
    put(ws, row, 1, t("input_files", lang), bold=True, lang=lang)
    row += 1
    for name, digest in inputs.items():
        put(ws, row, 1, name, box=True, lang=lang)
        put(ws, row, 2, digest, box=True, lang=lang)
        row += 1

    ws.freeze_panes = "A2"
    return row


def _policy_rows(ws: Worksheet, row: int, policy, lang: str) -> int:
    """The policy values of the run, one row each: key, value, the day it holds from, and unit, standing, source."""
    put(ws, row, 1, t("policy_values", lang).format(policy.file, policy.as_of.isoformat()), bold=True, lang=lang)
    row += 1
    for col, key in enumerate(("key", "param_value", "policy_from", "source"), start=1):
        put(ws, row, col, t(key, lang), bold=True, box=True, fill=True, align="center", lang=lang)
    row += 1
    for entry in policy.in_use.values():
        standing = t("policy_assumed" if entry.assumption else "policy_published", lang)
        if entry.overridden:
            shown = type(entry).shown(replace(entry, value=entry.changed_from, changed_from=None))
            standing += t("policy_changed", lang).format(text_of(shown))
        # The value with its unit and standing in the report's language; the 来源 column holds the source alone,
        # as published.
        about = (f"{t('unit', lang)}: {entry.unit_in(lang)}. {standing}." if lang == "en" else
                 f"{t('unit', lang)}：{entry.unit_in(lang)}。{standing}。")
        if entry.owner is not None:  # who makes these rules under 附件2, and by when (names as the policy writes them)
            due = (t("policy_owner_due", lang).format(entry.owner.deadline.isoformat())
                   if entry.owner.deadline is not None else "")
            about += "\n" + t("policy_owner", lang).format(entry.owner.department, entry.owner.task, due)
        # The catalogue is a table of its own (改造内容): in one cell it would be a row thousands of points high.
        shown = (t("policy_catalogue_value", lang).format(len(entry.value.items)) if entry.key == "cost_catalogue"
                 else text_of(entry.shown()))
        value = f"{shown}\n{about}"
        for col, text in enumerate((entry.key, value, entry.effective.isoformat(), entry.source), start=1):
            put(ws, row, col, text, box=True, lang=lang, wrap=col in (2, 4))
        fit_height(ws, row, {2: value, 4: entry.source})
        row += 1
    return row

"""Small openpyxl helpers shared by the workbook sheets."""

from __future__ import annotations

import math
import weakref
from copy import copy

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

FORMULA_STARTS = ("=", "+", "-", "@")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
MONEY = "#,##0.00"
MONEY4 = "#,##0.0000"
SHARE = "0.0000000000"
NUMBER = "#,##0.####"


def font_name(lang: str) -> str:
    return "宋体" if lang == "zh" else "Calibri"


def put(ws, row: int, col: int, value, *, fmt: str | None = None, bold: bool = False, box: bool = False,
        align: str | None = None, size: float | None = None, fill: bool = False, lang: str = "zh", wrap: bool = False):
    """Write one cell; text that a spreadsheet would run as a formula is kept as text."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    quoted = isinstance(value, str) and value.startswith(FORMULA_STARTS)
    if quoted:
        cell.data_type = "s"
    # openpyxl hashes every style object on assignment, which dominates writing large sheets; a cell given the
    # same look as an earlier one takes a copy of that cell's style indices instead (what openpyxl's own
    # copy of a cell does). The indices belong to one workbook, hence one cache per workbook.
    key = (fmt, bold, box, align, size, fill, lang, wrap, quoted)
    styles = _STYLE_CACHE.setdefault(ws.parent, {})
    if key in styles:
        cell._style = copy(styles[key])
        return cell
    if quoted:
        cell.quotePrefix = True
    if fmt:
        cell.number_format = fmt
    cell.font = Font(name=font_name(lang), bold=bold, size=size or 11)
    if box:
        cell.border = BOX
    if fill:
        cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap)
    styles[key] = copy(cell._style)
    return cell


_STYLE_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def display_width(text: str) -> int:
    """Width in Excel character units: a Chinese character takes two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def row_heights(ws, col: int, texts: list[str | None], line_height: float = 15.0) -> list[float]:
    """``fit_height`` for many rows wrapped in one column: each text's height, each distinct text measured once."""
    from openpyxl.utils import get_column_letter

    width = ws.column_dimensions[get_column_letter(col)].width or 8.43
    lines = {text: wrapped_lines(text, width) for text in dict.fromkeys(texts)}
    return [line_height * lines[text] for text in texts]


def columns_width(ws, first: int, last: int) -> float:
    """The widths of columns ``first`` to ``last`` (1-based, inclusive) added up, in character units (8.43 unset)."""
    from openpyxl.utils import get_column_letter

    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(first, last + 1))


def fit_height(ws, row: int, wrapped: dict[int, str], line_height: float = 15.0, span: int = 1) -> None:
    """Set a row's height for its wrapped cells; spreadsheets do not grow rows written by a program. ``span``: the
    cells are merged across that many columns, whose widths add up."""
    lines = 1
    for col, text in wrapped.items():
        width = columns_width(ws, col, col + span - 1)
        lines = max(lines, wrapped_lines(text, width))
    ws.row_dimensions[row].height = line_height * lines


def wrapped_lines(text: str | None, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide, each of its own lines wrapped apart.

    Text of words wraps between words, so its lines hold less than the width: a text of three lines or more,
    mostly of Latin letters, gets a line more. Measured in LibreOffice: the 293-character source of a weight in the 参数 sheet,
    counted at four lines, printed on five and ran over the next row."""
    per_line = max(1, int(width) - 1)
    lines = 0
    for part in (text or "").split("\n"):
        wide = sum(1 for ch in part if ord(ch) >= 0x2E80)
        latin = wide < len(part) / 2
        # Latin text breaks between words, and its letters average wider than the digit a column's width counts:
        # a line of it holds about 90 % of the width (measured: a 51-character key wrapped in a 52-unit column, and
        # "存在多个内部收益率：-0.66%, 8.01%, 198.14%", counted at two lines in 24 units, printed on three).
        room = per_line * 0.9 if latin else per_line
        count = max(1, math.ceil((len(part) + wide) / room))  # a Chinese character takes two units
        lines += count + (count > 2 and latin)  # the loss adds up over three lines or more
    return lines

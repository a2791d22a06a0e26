"""Every workbook of every bundled scenario, in both languages, set up to print: A4, fitted to the width only (never
squeezed onto one page of height) and to as many pages across as keep the text at 8 pt or more, page numbers and the
sheet's name in the footer, and a long sheet either repeats its header rows or breaks between its blocks."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from openpyxl.utils import get_column_letter

from finmodel.cli import main
from finmodel.report.book import PAGE_CHARS

from .conftest import ROOT

SCENARIOS = sorted(p.relative_to(ROOT / "scenarios") for p in (ROOT / "scenarios").rglob("*.toml"))
LONG = 50
"""Rows past which a sheet prints on more than one A4 page."""


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_every_sheet_prints_with_page_numbers_and_headers(tmp_path, scenario, lang):
    assert main(["run", str(ROOT / "scenarios" / scenario), "--out", str(tmp_path), "--lang", lang, "--quiet"]) in (0, 1)
    books = sorted(tmp_path.glob("*.xlsx"))
    assert books
    for book in books:
        for ws in openpyxl.load_workbook(book).worksheets:
            where = f"{book.name}: {ws.title}"
            assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, where
            # Wider than a page only where columns of years run on, with the item columns repeated on each page.
            assert ws.page_setup.fitToWidth == 1 or ws.print_title_cols, where
            footer = ws.oddFooter.center.text or ""
            assert "&P" in footer and "&N" in footer and ws.oddFooter.left.text == "&A", where
            assert footer.startswith("第") == (lang == "zh"), where
            # At least 8 pt: the columns a page carries fit it at the scale 8/11 of the default 11 pt font.
            chars = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1))
            assert chars / ws.page_setup.fitToWidth <= PAGE_CHARS[ws.page_setup.orientation or "portrait"], where
            if ws.page_setup.fitToWidth > 1:
                assert ws.print_title_cols, f"{where}: several pages across, no name column repeated"
            if ws.max_row > LONG:
                assert ws.print_title_rows or ws.row_breaks.brk, f"{where}: {ws.max_row} rows, no repeated header"


def _libreoffice_with_calibri_metrics() -> str | None:
    """Why the LibreOffice check cannot run here, or None. The widths are Excel's, in characters of Calibri: a
    substitute of other metrics (DejaVu Sans is a third wider) would print every sheet smaller than Excel does."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if importlib.util.find_spec("pymupdf") is None:
        return "pymupdf, which reads the PDF's font sizes, is not installed"
    matched = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    if not re.search(r"Calibri|Carlito", matched):
        return f"no font with Calibri's metrics (fc-match Calibri: {matched.strip()}); install fonts-crosextra-carlito"
    return None


SMALLEST_PT = 7.95
"""8 pt, less what the PDF's rounding of a scaled size takes off."""


@pytest.mark.slow
@pytest.mark.skipif(_libreoffice_with_calibri_metrics() is not None,
                    reason=str(_libreoffice_with_calibri_metrics()))
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_libreoffice_prints_every_page_at_8_pt_or_more(tmp_path, scenario, lang):
    """What a user sees: each workbook converted to PDF by LibreOffice, every piece of text on every page read back
    with its printed size."""
    import pymupdf

    out = tmp_path / "out"
    assert main(["run", str(ROOT / "scenarios" / scenario), "--out", str(out), "--lang", lang, "--quiet"]) in (0, 1)
    for book in sorted(out.glob("*.xlsx")):
        done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                              capture_output=True, text=True, timeout=600)
        pdf = tmp_path / f"{book.stem}.pdf"
        assert pdf.exists(), done.stderr
        small, hidden = [], []
        with pymupdf.open(pdf) as document:
            for number, page in enumerate(document, start=1):
                for block in page.get_text("dict")["blocks"]:
                    for line in block.get("lines", []):
                        small += [(number, round(span["size"], 2), span["text"][:40]) for span in line["spans"]
                                  if span["text"].strip() and span["size"] < SMALLEST_PT]
                        # A number wider than its column prints as ###.
                        hidden += [number for span in line["spans"] if "###" in span["text"]]
            pages = len(document)
        assert not small, f"{book.name} ({pages} pages): text below 8 pt: {small[:10]}"
        assert not hidden, f"{book.name}: numbers printed as ### on pages {sorted(set(hidden))}"


def _sheet(widths):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    return wb, ws


def test_a_text_running_past_the_last_column_is_wrapped_within_the_sheet():
    from finmodel.report.book import save_workbook

    wb, ws = _sheet([10, 10, 10])
    ws["A1"], ws["C1"] = "标题", "单位：万元"
    ws["A2"] = "说明" * 40  # 160 units of text over 30 units of columns
    ws["A3"], ws["B3"] = "一段不短的文字" * 5, 1.0  # stopped by B3: it never runs past the sheet
    saved = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t")))
    out = saved.active
    assert [str(r) for r in out.merged_cells.ranges] == ["A2:C2"]
    assert out["A2"].alignment.wrap_text and out.row_dimensions[2].height >= 15 * 6  # 160 ÷ 29 a line
    assert not out["A3"].alignment.wrap_text and out.row_dimensions[3].height is None


def test_a_wrapped_header_is_made_as_high_as_its_lines():
    from finmodel.report.book import save_workbook
    from finmodel.report.cells import put

    wb, ws = _sheet([14, 14])
    put(ws, 1, 1, "Not done under the provincial plan (三(四))", bold=True, wrap=True, lang="en")
    ws.row_dimensions[1].height = 32  # two lines, as written before the widths were known
    saved = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t", "en")))
    assert saved.active.row_dimensions[1].height >= 3 * 15


@pytest.mark.parametrize("widths", [[6, 34] + [12] * 23, [20] + [15] * 30, [40] + [9] * 50])
def test_pages_across_leave_room_for_the_repeated_columns_and_whole_columns(widths):
    from finmodel.report.book import readable_width
    from finmodel.report.cells import columns_width

    _, ws = _sheet(widths)
    ws.cell(row=1, column=len(widths), value=1)
    ws.print_title_cols = "A:B" if widths[0] == 6 else None
    readable_width(ws)
    pages = ws.page_setup.fitToWidth
    repeated = columns_width(ws, 1, 2 if widths[0] == 6 else 1)
    per_page = (sum(widths) - repeated) / pages + repeated + max(widths)
    assert per_page <= PAGE_CHARS[ws.page_setup.orientation], (pages, per_page)
    assert pages == 1 or (sum(widths) - repeated) / (pages - 1) + repeated + max(widths) > PAGE_CHARS["landscape"]


def test_a_wrapped_source_of_words_gets_the_line_its_word_breaks_take():
    """Measured in LibreOffice (宋体 11 pt as Noto CJK, an 80-unit column): this source printed on five lines, where
    counting its characters gave four and its row overlapped the next."""
    from finmodel.report.cells import wrapped_lines

    source = ("财综〔2019〕31号 central weights: area 40 %, households 40 %, buildings 10 %, communities 10 % (its "
              "first-year set); performance acts on volume as a coefficient (济政办字〔2020〕21号 三(五), 六(五)) "
              "instead of the later years' stand-alone 10 % share, which gave every unit the same slice whatever it "
              "renovates")
    assert wrapped_lines(source, 80) >= 5
    assert wrapped_lines("按测算比例分摊差额", 30) == 1 and wrapped_lines("一行\n两行", 30) == 2


def test_a_column_is_widened_to_the_widest_number_it_shows():
    from openpyxl import Workbook

    from finmodel.report.book import save_workbook
    from finmodel.report.cells import MONEY4, put

    wb = Workbook()
    ws = wb.active
    ws.column_dimensions["A"].width = ws.column_dimensions["B"].width = 15
    put(ws, 1, 1, 4_428_490.0, fmt=MONEY4)  # 4,428,490.0000: 14 characters, ### in 15 units of 宋体 digits
    put(ws, 2, 1, -12.5, fmt=MONEY4)
    put(ws, 1, 2, 0.5, fmt="0.00%")
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t"))).active
    assert out.column_dimensions["A"].width >= 1.15 * len("4,428,490.0000") + 2
    assert out.column_dimensions["B"].width == 15  # 50.00% fits: never narrowed, never widened for nothing


SIGNATURES = ("负责人：", "审核：", "经办人：", "日期：　　年　　月　　日", "（单位盖章）")


@pytest.mark.parametrize("scenario, book, sheet", [("jinan-plan-2021.toml", "plan.xlsx", "年度计划表"),
                                                   ("projects/zoucheng-2024.toml", "cashflow.xlsx", "汇总"),
                                                   ("projects/bundling-2024.toml", "cashflow.xlsx", "汇总")])
def test_every_signed_sheet_has_the_whole_signature_block_on_one_page(tmp_path, scenario, book, sheet):
    assert main(["run", str(ROOT / "scenarios" / scenario), "--out", str(tmp_path), "--quiet"]) == 0
    ws = openpyxl.load_workbook(tmp_path / book)[sheet]
    texts = {(cell.row, cell.value) for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    rows = {text: row for row, text in texts}
    assert any(text.startswith("编制单位：") for text in rows) and all(s in rows for s in SIGNATURES)
    first = min(row for text, row in rows.items() if text.startswith("编制单位：") or text in SIGNATURES)
    last = max(rows[s] for s in SIGNATURES)
    assert ws.row_dimensions[rows["（单位盖章）"]].height >= 36  # room for the seal
    assert not any(first <= b.id < last for b in ws.row_breaks.brk)  # no break inside the block


def _wide_sheet_with_note(note: str | None = None, span: str = "A1:A1"):
    """30 columns, A 20 units wide and the others 15, numbered in row 3; ``note`` wrapped and merged over ``span``."""
    wb, ws = _sheet([20] + [15] * 29)
    if note is not None:
        ws["A1"] = note
        ws["A1"].alignment = openpyxl.styles.Alignment(wrap_text=True)
        ws.merge_cells(span)
    for col in range(1, 31):
        ws.cell(row=3, column=col, value=col)
    return wb


def test_a_note_is_narrowed_to_the_columns_the_first_page_prints():
    from finmodel.report.book import save_workbook

    # 30 columns, A 20 units and the others 15: 455 units, landscape on 4 pages across with A repeated (the 8 pt
    # rule: (455 − 20) ÷ (179 − 20 − 15) → 4). Spread over 4 pages they print at full size, 179 × 8/11 = 130.2
    # units a page: A and seven 15-unit columns (125). A note merged over 11 columns is narrowed to the first page;
    # A is repeated on every page, so the note starts in B, and A's cell is empty (it would print cut on page 2).
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(_wide_sheet_with_note("说明" * 60, "A1:K1"), "t"))).active
    assert out.page_setup.fitToWidth == 4 and out.page_setup.orientation == "landscape"
    assert [str(r) for r in out.merged_cells.ranges] == ["B1:H1"]
    assert out["A1"].value is None and out["B1"].value == "说明" * 60 and out["B1"].alignment.wrap_text
    assert out.row_dimensions[1].height >= 15 * 2  # 240 units of text over 125


def _notes_then_block(raised_notes: bool):
    """A portrait sheet: rows 1–35 of one line, the rows 10–12 wrapped notes of three lines when ``raised_notes``,
    and a five-row block at 36–40 to keep together. An A4 portrait page holds 842 − 144 = 698 pt at full scale,
    less two rows to spare: 668 pt. Rows 1–35 take 525 pt and the block 75: 600, it fits, unless the notes are
    raised (3 × 3 lines × 15.4 pt = 138.6 pt instead of 45: 693.6)."""
    from finmodel.report.book import keep_together, print_setup

    wb, ws = _sheet([30, 15, 15])
    print_setup(ws, 3)
    for row in range(1, 41):
        ws.cell(row=row, column=1, value=f"第 {row} 行")
    for row in (10, 11, 12):
        cell = ws.cell(row=row, column=1, value="很长的说明文字" * (10 if raised_notes else 1))
        cell.alignment = openpyxl.styles.Alignment(wrap_text=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    keep_together(ws, 36, 40)
    return wb


@pytest.mark.parametrize("raised, breaks", [(False, []), (True, [35])])
def test_a_kept_block_moves_to_the_next_page_when_rows_raised_at_save_push_it(raised, breaks):
    from finmodel.report.book import save_workbook

    # The notes (70 characters in 60 units: 3 lines) are raised to 46.2 pt only while saving, after the writer called
    # keep_together: a decision taken there would have missed them.
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(_notes_then_block(raised), "t"))).active
    assert [b.id for b in out.row_breaks.brk] == breaks
    if raised:
        assert out.row_dimensions[10].height == pytest.approx(46.2)


def test_a_kept_block_counts_the_header_rows_repeated_on_its_page():
    from finmodel.report.book import keep_together, save_workbook

    # One-line rows, header rows 1–5 (75 pt) repeated: page 1 holds rows 1–46 (690 pt of 698), page 2 the header
    # and rows 47–… A block at 82–86 starts at 75 + 35 × 15 = 600 pt of page 2 and needs 75 more: 675 > 668 (two
    # rows to spare), a break. Without the repeated header it would start at 525 and fit (600).
    wb, ws = _sheet([30, 15, 15])
    from finmodel.report.book import print_setup

    print_setup(ws, 3, "1:5")
    for row in range(1, 87):
        ws.cell(row=row, column=1, value=row)
    keep_together(ws, 82, 86)
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t"))).active
    assert [b.id for b in out.row_breaks.brk] == [81]


def test_a_signature_block_under_a_wide_table_stays_on_its_first_page():
    from finmodel.report.book import save_workbook, signature_block

    # The sheet of test_a_note_is_narrowed…: 30 columns print 4 pages across, the first holding A:H, A repeated on
    # each. Spread over the table's 30 columns the signatures fell on pages 1, 2 and 4; they are spread over B:H
    # instead (in A they would print on every page).
    wb = _wide_sheet_with_note()
    signature_block(wb.active, 5, 30, "济南市财政局", "zh")
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t"))).active
    placed = {cell.value: cell.column for row in out.iter_rows(min_row=5) for cell in row if cell.value}
    assert placed == {"编制单位：济南市财政局": 2, "负责人：": 5, "审核：": 7, "经办人：": 2,
                      "日期：　　年　　月　　日": 5, "（单位盖章）": 7}


def test_a_kept_block_far_down_is_placed_by_pages_of_their_full_height():
    from finmodel.report.book import keep_together, print_setup, save_workbook

    # 89 one-line rows then a block at 90–93: a portrait page holds 698 pt, 46 rows, so rows 90–93 start at row 44 of
    # page 2 (43 × 15 = 645 pt used) and need 60 more: 705 > 668, a break. Pages laid out two rows short (668 pt, 44
    # rows) would have put row 90 at the top of page 3 and seen no need for one.
    wb, ws = _sheet([30, 15, 15])
    print_setup(ws, 3)
    for row in range(1, 94):
        ws.cell(row=row, column=1, value=row)
    keep_together(ws, 90, 93)
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t"))).active
    assert [b.id for b in out.row_breaks.brk] == [89]


def test_a_narrow_note_in_a_repeated_column_moves_out_of_it():
    from finmodel.report.book import save_workbook

    # The same 30-column sheet; a note over A:F fits the first page but starts in A, which prints on every page.
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(_wide_sheet_with_note("说明" * 20, "A1:F1"), "t"))).active
    assert [str(r) for r in out.merged_cells.ranges] == ["B1:F1"] and out["A1"].value is None


def test_a_note_spilling_from_a_repeated_column_moves_out_of_it():
    from finmodel.report.book import save_workbook

    # A rule line alone in its row, written in A and spilling over B…: A prints on every page across, the line cut
    # at A's width on each. It becomes a note, merged and wrapped after A; a short title that fits A stays there.
    wb = _wide_sheet_with_note()
    ws = wb.active
    ws["A1"] = "以奖代补"
    ws["A2"] = "奖补规则为假设参数（reward_in_lieu），来源见“参数”表政策参数 reward_in_lieu"
    out = openpyxl.load_workbook(io.BytesIO(save_workbook(wb, "t"))).active
    assert out["A1"].value == "以奖代补" and out["A2"].value is None
    assert [str(r) for r in out.merged_cells.ranges] == ["B2:H2"] and out["B2"].alignment.wrap_text

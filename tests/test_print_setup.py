"""Every workbook of every bundled scenario, in both languages, set up to print: A4, fitted to the width only (never
squeezed onto one page of height) and to as many pages across as keep the text at 8 pt or more, page numbers and the
sheet's name in the footer, and a long sheet either repeats its header rows or breaks between its blocks."""

from __future__ import annotations

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

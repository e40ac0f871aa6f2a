"""Downloads of what a dashboard shows: every data table of the page, with the same suppression (a
suppressed value is the text "för få svar", never a number). CSV for Swedish spreadsheets (semicolons,
decimal comma, one decimal) and XLSX (full precision, displayed with one decimal)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dimios_web.spreadsheets import csv_writer, make_workbook_safe
from maturity.read_model import is_hidden

from . import charts

EXCEL_FORMATS = {"percent": "0.0", "pp": "+0.0;-0.0;0.0", "sd": "0.00", "share": "0.0", "number": "0"}


def _heading(dashboard: dict) -> list[list[str]]:
    round_ = dashboard["round"]
    rows = [
        [_("Organisation"), dashboard["organisation"].name],
        [_("Round"), str(round_.period)],
        [_("Showing"), dashboard["focus"]["name"]],
    ]
    if dashboard["group"] is not None:
        rows.append([_("Respondent group"), dashboard["group"].name])
    rows.append(
        [
            _("Anonymity"),
            _("No figure from fewer than %(k)s responses: shown as “too few responses”.")
            % {"k": dashboard["k"]},
        ]
    )
    return rows


def _cell(value, kind: str):
    """(value, kind) for one cell; percents of a share are given in percent."""
    if kind == "mixed" and isinstance(value, tuple | list):
        kind, value = value
    if is_hidden(value):
        return _("too few responses"), "text"
    if value is None:
        return "", "text"
    if kind == "share":
        return value * 100, "percent"
    return value, kind


def _tables(dashboard: dict):
    for table_id in dashboard["table_order"]:
        table = dashboard["tables"][table_id]
        columns = list(table.columns)
        kinds = list(table.kinds)
        if table.kinds and "share" in table.kinds:
            columns = [f"{c} (%)" if k == "share" else c for c, k in zip(columns, kinds, strict=True)]
        yield table, columns, kinds


def dashboard_csv(dashboard: dict) -> str:
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n")  # formula-safe cells
    for row in _heading(dashboard):
        writer.writerow(row)
    for table, columns, kinds in _tables(dashboard):
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(columns + ([_("Note")] if any(table.marks) else []))
        for i, row in enumerate(table.rows):
            cells = []
            for value, kind in zip(row, kinds, strict=True):
                shown, shown_kind = _cell(value, kind)
                if isinstance(shown, float):
                    decimals = 2 if shown_kind == "sd" else 1
                    shown = charts.format_number(shown, decimals)
                cells.append(shown)
            if any(table.marks):
                cells.append(table.marks[i])
            writer.writerow(cells)
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 correctly


def dashboard_xlsx(dashboard: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Overview")[:31]
    bold = Font(bold=True)
    for row in _heading(dashboard):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 60
    for table, columns, kinds in _tables(dashboard):
        ws = workbook.create_sheet(title=_sheet_title(table.title, workbook))
        ws.append(columns + ([_("Note")] if any(table.marks) else []))
        for c in ws[1]:
            c.font = bold
        for i, row in enumerate(table.rows):
            cells = [_cell(value, kind) for value, kind in zip(row, kinds, strict=True)]
            ws.append([v for v, _k in cells] + ([table.marks[i]] if any(table.marks) else []))
            for col, (value, kind) in enumerate(cells, start=1):
                if isinstance(value, float | int) and kind in EXCEL_FORMATS:
                    ws.cell(row=i + 2, column=col).number_format = EXCEL_FORMATS[kind]
        ws.column_dimensions["A"].width = 50
        for col in range(2, len(columns) + 2):
            ws.column_dimensions[get_column_letter(col)].width = 18
        ws.freeze_panes = "B2"
    make_workbook_safe(workbook)  # no name becomes a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str, workbook: Workbook) -> str:
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Data"
    name, n = clean, 2
    while name in workbook.sheetnames:
        suffix = f" {n}"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    return name

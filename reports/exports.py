"""Downloads of what a dashboard shows: every data table of the page, with the same suppression (a
suppressed value is the text "för få svar", never a number). CSV for Swedish spreadsheets (semicolons,
decimal comma, one decimal) and XLSX (full precision, displayed with one decimal)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from dimios_web import formatting
from dimios_web.spreadsheets import add_sheet, csv_writer, new_workbook, sheet_title, workbook_bytes
from maturity.read_model import is_hidden

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
                    shown = formatting.plain_number(shown, decimals)
                cells.append(shown)
            if any(table.marks):
                cells.append(table.marks[i])
            writer.writerow(cells)
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 correctly


def dashboard_xlsx(dashboard: dict) -> bytes:
    workbook = new_workbook()
    add_sheet(workbook, _("Overview"), _heading(dashboard), widths={1: 28, 2: 60})
    for table, columns, kinds in _tables(dashboard):
        notes = any(table.marks)
        formats = {col: EXCEL_FORMATS[kind] for col, kind in enumerate(kinds) if kind in EXCEL_FORMATS}
        rows = []
        for i, row in enumerate(table.rows):
            cells = [_cell(value, kind) for value, kind in zip(row, kinds, strict=True)]
            rows.append([v for v, _k in cells] + ([table.marks[i]] if notes else []))
        add_sheet(
            workbook,
            sheet_title(table.title, workbook),
            rows,
            header=columns + ([_("Note")] if notes else []),
            number_formats=formats,
            widths={1: 50, **{col: 18 for col in range(2, len(columns) + 2)}},
            freeze="B2",
        )
    return workbook_bytes(workbook)  # made safe: no name becomes a formula


def national_overview_xlsx(page: dict) -> bytes:
    """The national overview as a workbook: what it is made of, then each data table of the page as a
    sheet and the matrix's points (unnamed, ordered by their values). Numbers are numbers: percents with
    one decimal shown, counts and the year as integers."""
    overview = page["overview"]
    workbook = new_workbook()
    heading: list[list] = [
        [_("National overview"), str(overview.period)],
        [_("Year"), int(overview.period.year)],
        [_("Term"), str(overview.period.term)],
        [_("Organisations"), int(overview.n_organisations)],
        [_("Respondents"), int(overview.respondents)],
        [
            _("Anonymity"),
            _(
                "Only organisations that share their figures; no organisation is named; a set of fewer than "
                "%(n)s organisations is not shown (“too few organisations”)."
            )
            % {"n": overview.min_organisations},
        ],
    ]
    if page["panel"]:
        heading.append(
            [
                _("Change"),
                _("%(earlier)s → %(later)s")
                % {"earlier": page["panel"]["from"], "later": page["panel"]["to"]},
            ]
        )
    add_sheet(workbook, _("Overview"), heading, widths={1: 28, 2: 60})
    tables = [section["table"] for section in page["sections"]] + [page["points"]]
    for table in tables:
        formats = {col: EXCEL_FORMATS[kind] for col, kind in enumerate(table.kinds) if kind in EXCEL_FORMATS}
        rows = []
        for row in table.rows:
            cells = [_cell(value, kind) for value, kind in zip(row, table.kinds, strict=True)]
            rows.append([value for value, _kind in cells])
        for col, kind in enumerate(table.kinds):
            if kind == "mixed":  # the format of the column's numbers (percent or percentage points)
                kinds = {value[0] for row in table.rows for value in [row[col]] if isinstance(value, tuple)}
                number = kinds & set(EXCEL_FORMATS)
                if number:
                    formats[col] = EXCEL_FORMATS[sorted(number)[0]]
        columns = [f"{c} (%)" if k == "share" else c for c, k in zip(table.columns, table.kinds, strict=True)]
        add_sheet(
            workbook,
            sheet_title(table.title, workbook),
            rows,
            header=columns,
            number_formats=formats,
            widths={1: 44, **{col: 16 for col in range(2, len(columns) + 2)}},
            freeze="B2",
        )
    return workbook_bytes(workbook)

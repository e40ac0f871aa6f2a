"""Respondent import from CSV and Excel, with a preview of every bad row, and single respondents."""

import io
import time

import pytest
from openpyxl import Workbook

from dimios_web.exceptions import DomainError
from maturity.services.closing import close_round
from surveys.models import AuditEvent, Invitation, RespondentImport
from surveys.services import respondents as services


def csv_bytes(lines, *, delimiter=",", encoding="utf-8") -> bytes:
    return "\n".join(delimiter.join(cells) for cells in lines).encode(encoding)


HEADER = ["namn", "e-post", "förvaltning", "grupp"]


def good_lines():
    return [
        HEADER,
        ["Åsa Öberg", "asa@example.se", "Socialförvaltningen", "Chefer"],
        ["", "bo@example.se", "Äldreomsorg", "Strateger"],
        ["Cilla", "cilla@example.se", "utbildningsförvaltningen", "chefer"],
    ]


def preview(round_, content, filename="respondenter.csv"):
    return services.preview_respondent_file(round=round_, filename=filename, content=content)


def upload_and_import(round_, content, *, only_good_rows=False, filename="respondenter.csv"):
    upload = services.store_upload(round=round_, filename=filename, content=content)
    return services.import_respondents(upload=upload, only_good_rows=only_good_rows)


def test_a_clean_csv_file_is_previewed_and_imported(draft_round, org_admin):
    result = preview(draft_round, csv_bytes(good_lines()))
    assert result.is_clean and len(result.good) == 3
    upload = services.store_upload(round=draft_round, filename="r.csv", content=csv_bytes(good_lines()))
    count, outcome = services.import_respondents(upload=upload, actor=org_admin)
    assert count == 3 and outcome is None  # a draft round sends nothing yet
    asa = Invitation.objects.get(email="asa@example.se")
    assert (asa.name, asa.department.name, asa.group.name) == ("Åsa Öberg", "Socialförvaltningen", "Chefer")
    assert not RespondentImport.objects.exists()  # the file (with addresses) is not kept
    assert AuditEvent.objects.get(action="respondents.imported").details["imported"] == 3


def test_semicolons_and_a_byte_order_mark_are_understood(draft_round):
    content = "\ufeff".encode() + csv_bytes(good_lines(), delimiter=";")
    assert preview(draft_round, content).is_clean


def test_a_windows_1252_file_is_read_with_a_warning(draft_round):
    result = preview(draft_round, csv_bytes(good_lines(), delimiter=";", encoding="cp1252"))
    assert result.is_clean
    assert result.good[0].name == "Åsa Öberg"
    assert "Windows-1252" in result.notices[0]


def test_a_file_that_is_not_text_is_refused_clearly(draft_round):
    result = preview(draft_round, b"\x81\x8d\x8f\x90\x9d" * 20)
    assert result.file_errors and "CSV UTF-8" in result.file_errors[0]
    assert not result.good


@pytest.mark.parametrize("content", [b"", b"   \n\n", b";;;\r\n;;;\r\n"])
def test_an_empty_file_is_refused(draft_round, content):
    result = preview(draft_round, content)
    assert result.file_errors == ["Filen är tom."]
    with pytest.raises(DomainError, match="tom"):
        upload_and_import(draft_round, content or b" ")
    assert not Invitation.objects.exists()


def test_a_file_without_the_needed_columns_names_what_is_missing(draft_round):
    result = preview(draft_round, csv_bytes([["namn", "mejl"], ["A", "a@example.se"]]))
    assert "e-post" in result.file_errors[0] and "förvaltning" in result.file_errors[0]


def test_every_bad_row_is_listed_by_line_and_nothing_is_imported(draft_round):
    lines = good_lines() + [
        ["Dora", "not-an-address", "Socialförvaltningen", "Chefer"],
        ["Eva", "ASA@example.se", "Socialförvaltningen", "Chefer"],
        ["Fia", "fia@example.se", "Hemliga förvaltningen", "Chefer"],
        ["Gun", "gun@example.se", "Socialförvaltningen", "Astronauter"],
    ]
    result = preview(draft_round, csv_bytes(lines))
    problems = {row.line: " ".join(row.messages) for row in result.bad}
    assert set(problems) == {5, 6, 7, 8}
    assert "inte en giltig e-postadress" in problems[5]
    assert "redan på rad 2" in problems[6]
    assert "Okänd förvaltning ”Hemliga förvaltningen”" in problems[7]
    assert "Okänd respondentgrupp ”Astronauter”" in problems[8]
    with pytest.raises(DomainError, match="4 rader har problem"):
        upload_and_import(draft_round, csv_bytes(lines))
    assert not Invitation.objects.exists()


def test_the_admin_may_import_only_the_good_rows(draft_round):
    lines = good_lines() + [["Dora", "not-an-address", "Socialförvaltningen", "Chefer"]]
    count, _outcome = upload_and_import(draft_round, csv_bytes(lines), only_good_rows=True)
    assert count == 3
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "asa@example.se",
        "bo@example.se",
        "cilla@example.se",
    ]


def test_people_already_in_the_round_are_bad_rows(draft_round):
    upload_and_import(draft_round, csv_bytes(good_lines()))
    result = preview(draft_round, csv_bytes(good_lines()))
    assert len(result.bad) == 3 and "redan respondent" in result.bad[0].messages[0]


def test_a_department_outside_the_round_is_a_bad_row(draft_round, social_department):
    draft_round.departments.set([social_department])
    result = preview(draft_round, csv_bytes(good_lines()))
    assert [row.line for row in result.bad] == [4]  # Äldreomsorg is a unit of Socialförvaltningen: fine
    assert "deltar inte" in result.bad[0].messages[0]


def xlsx_bytes(rows, formula_at=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet[formula_at] = '=CONCAT("x","@example.se")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_is_imported(draft_round):
    count, _ = upload_and_import(draft_round, xlsx_bytes(good_lines()), filename="r.xlsx")
    assert count == 3


def test_an_excel_cell_with_a_formula_is_a_bad_row_naming_the_cell(draft_round):
    result = preview(draft_round, xlsx_bytes(good_lines(), formula_at="B3"), filename="r.xlsx")
    assert [row.line for row in result.bad] == [3]
    assert "B3" in result.bad[0].messages[0] and "formel" in result.bad[0].messages[0]


def test_an_old_excel_file_is_refused_with_advice(draft_round):
    result = preview(draft_round, b"\xd0\xcf\x11\xe0 old binary excel", filename="r.xls")
    assert result.file_errors and ".xlsx" in result.file_errors[0]


def test_ten_thousand_rows_are_checked_and_imported_quickly(draft_round):
    lines = [HEADER] + [
        [f"Person {i}", f"p{i}@example.se", "Socialförvaltningen", "Chefer"] for i in range(10_000)
    ]
    started = time.monotonic()
    count, _ = upload_and_import(draft_round, csv_bytes(lines))
    elapsed = time.monotonic() - started
    assert count == 10_000 == Invitation.objects.count()
    assert elapsed < 20, f"importing 10 000 rows took {elapsed:.1f} s"


def test_nothing_is_imported_into_a_closed_round(open_round):
    close_round(round=open_round)
    with pytest.raises(DomainError, match="stängd"):
        upload_and_import(open_round, csv_bytes(good_lines()))


def test_an_admin_adds_and_removes_a_single_respondent(draft_round, social_department, groups, org_admin):
    invitation, _ = services.add_respondent(
        round=draft_round,
        email=" New@Example.se ",
        department=social_department,
        group=groups[0],
        actor=org_admin,
    )
    assert invitation.email == "new@example.se"
    with pytest.raises(DomainError, match="redan respondent"):
        services.add_respondent(
            round=draft_round, email="new@example.se", department=social_department, group=groups[0]
        )
    assert services.remove_respondent(invitation=invitation, actor=org_admin) == "deleted"
    assert not Invitation.objects.exists()


def test_removing_someone_already_mailed_withdraws_the_link(open_round):
    invitation = Invitation.objects.first()
    Invitation.objects.filter(pk=invitation.pk).update(send_status="sent")
    assert services.remove_respondent(invitation=invitation) == "withdrawn"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and not invitation.tokens.exists()


def test_someone_who_has_submitted_cannot_be_removed(open_round):
    invitation = Invitation.objects.first()
    Invitation.objects.filter(pk=invitation.pk).update(submitted=True)
    with pytest.raises(DomainError):
        services.remove_respondent(invitation=invitation)
    assert Invitation.objects.filter(pk=invitation.pk).exists()

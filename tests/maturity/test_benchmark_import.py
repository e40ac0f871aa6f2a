"""Importing benchmark records of organisations that are not on this instance (issue 15,
docs/benchmark-format.md): CSV with either delimiter and JSON, every rejection with its line and nothing
imported, re-import replacing a source, the comparison aggregates refreshed, the command and the platform
admin's page."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from maturity import benchmark_format
from maturity.benchmark_format import BenchmarkFileRejected
from maturity.models import BenchmarkSource, ComparisonAggregate, OrganisationFigure
from maturity.services import benchmarks
from maturity.services.benchmarks import delete_benchmark_source, import_benchmarks
from surveys.models import Capability, MeasurementPeriod

pytestmark = pytest.mark.django_db

HEADER = ",".join(benchmark_format.REQUIRED_COLUMNS)
SOURCE = "SKR öppna data 2026"


@pytest.fixture
def reference(db, questionnaire):
    from surveys.services.organisations import load_reference_data

    load_reference_data()
    return questionnaire


@pytest.fixture
def capability_code(reference):
    return Capability.objects.order_by("code").values_list("code", flat=True).first()


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8")


def good_csv(capability_code: str) -> bytes:
    return csv_bytes(
        f"{HEADER},capability:{capability_code}",
        f"0114,Upplands Väsby kommun,municipality,01,2026-HT,54,{SOURCE},61.2,58.0,44.1,70",
        f"1480,Göteborgs kommun,municipality,14,2026-HT,120,{SOURCE},50,,40.5,",
        f"REG-SKANE,Region Skåne,region,12,2026-HT,300,{SOURCE},,,,",
    )


def rejected(content: bytes, file_name: str = "jamforelse.csv") -> list[str]:
    with translation.override("en"):
        with pytest.raises(BenchmarkFileRejected) as caught:
            import_benchmarks(file=content, file_name=file_name)
        messages = caught.value.messages
    assert not OrganisationFigure.objects.exists(), "nothing may be imported from a rejected file"
    assert not BenchmarkSource.objects.exists()
    return messages


def national(figure: str = "overall", period: MeasurementPeriod | None = None) -> ComparisonAggregate | None:
    rows = ComparisonAggregate.objects.filter(basis="national", basis_key="", figure=figure)
    if period is not None:
        rows = rows.filter(period=period)
    return rows.first()


# --- Good files -------------------------------------------------------------------------------------------


def test_a_comma_separated_file_writes_one_row_per_given_figure(reference, capability_code):
    summary = import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")

    assert (summary.sources, summary.records, summary.periods) == ([SOURCE], 3, ["2026-HT"])
    source = BenchmarkSource.objects.get()
    assert (source.name, source.file_name, source.n_records) == (SOURCE, "skr.csv", 3)
    vasby = {f.figure: f for f in OrganisationFigure.objects.filter(organisation_code="0114")}
    assert {name: f.percent for name, f in vasby.items()} == {
        "overall": 61.2,
        "capability": 58.0,
        "legacy": 44.1,
        f"capability:{capability_code}": 70.0,
    }
    row = vasby["overall"]
    assert (row.round, row.organisation, row.source, row.shared) == (None, None, source, True)
    assert (row.organisation_name, row.kind, row.county_id, row.n_respondents) == (
        "Upplands Väsby kommun",
        "municipality",
        "01",
        54,
    )
    assert row.skr_group == "A2"  # from the municipality's SKR group
    # An empty cell is no row; "overall" always has one, a percent or not.
    gothenburg = dict(
        OrganisationFigure.objects.filter(organisation_code="1480").values_list("figure", "percent")
    )
    assert gothenburg == {"overall": 50.0, "legacy": 40.5}
    region = list(
        OrganisationFigure.objects.filter(organisation_code="REG-SKANE").values_list(
            "figure", "percent", "skr_group"
        )
    )
    assert region == [("overall", None, "")]
    period = MeasurementPeriod.objects.get(year=2026, term="HT")
    assert (period.starts_on, period.ends_on) == (datetime.date(2026, 8, 1), datetime.date(2026, 12, 1))


def test_a_semicolon_file_with_decimal_commas_and_a_bom_is_imported(reference):
    content = csv_bytes(
        HEADER.replace(",", ";"),
        f"0114;Upplands Väsby kommun;municipality;01;2026-VT;54;{SOURCE};61,5;58;44,25",
        bom=True,
    )
    import_benchmarks(file=content, file_name="skr.csv")

    assert dict(OrganisationFigure.objects.values_list("figure", "percent")) == {
        "overall": 61.5,
        "capability": 58.0,
        "legacy": 44.25,
    }
    assert OrganisationFigure.objects.get(figure="overall").period.code == "2026-VT"


def test_a_json_file_is_imported_with_the_top_level_source_as_default(reference, capability_code):
    document = {
        "format": "dimios-benchmarks",
        "version": 1,
        "source": "Annan instans 2026",
        "records": [
            {
                "organisation_code": "2584",
                "organisation_name": "Kiruna kommun",
                "kind": "municipality",
                "county_code": "25",
                "period": "2025-HT",
                "n_respondents": 31,
                "figures": {"overall": 61.2, "capability": None, f"capability:{capability_code}": 12},
            },
            {
                "organisation_code": "MYND-1",
                "organisation_name": "En myndighet",
                "kind": "agency",
                "county_code": None,
                "period": "2025-HT",
                "n_respondents": 12,
                "source": "Myndighetsdata",
                "figures": {"overall": 40},
            },
        ],
    }
    summary = import_benchmarks(file=json.dumps(document).encode(), file_name="export.json")

    assert summary.sources == ["Annan instans 2026", "Myndighetsdata"]
    kiruna = dict(
        OrganisationFigure.objects.filter(organisation_code="2584").values_list("figure", "percent")
    )
    assert kiruna == {"overall": 61.2, f"capability:{capability_code}": 12.0}
    agency = OrganisationFigure.objects.get(organisation_code="MYND-1")
    assert (agency.county_id, agency.kind, agency.source.name) == (None, "agency", "Myndighetsdata")


def test_formula_like_cells_are_kept_as_plain_text(reference):
    content = csv_bytes(
        HEADER,
        '0114,"=HYPERLINK(""http://evil.example"",""klick"")",municipality,01,2026-HT,54,@SUM(A1),61,,',
    )
    import_benchmarks(file=content, file_name="skr.csv")

    row = OrganisationFigure.objects.get(figure="overall")
    assert row.organisation_name == '=HYPERLINK("http://evil.example","klick")'
    assert row.source.name == "@SUM(A1)"


# --- The comparisons --------------------------------------------------------------------------------------


def test_the_import_refreshes_the_comparison_aggregates(reference, capability_code):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")

    overall = national("overall")
    assert (overall.n_rows, overall.n_values, overall.total) == (3, 2, pytest.approx(111.2))
    legacy = national("legacy")
    assert (legacy.n_rows, legacy.total) == (2, pytest.approx(84.6))
    county = ComparisonAggregate.objects.get(basis="county", basis_key="01", figure="overall")
    assert (county.n_rows, county.total) == (1, pytest.approx(61.2))
    kind = ComparisonAggregate.objects.get(basis="kind", basis_key="region", figure="overall")
    assert (kind.n_rows, kind.n_values) == (1, 0)


def test_a_local_organisations_national_comparison_counts_the_imported_organisations(reference):
    """Five imported municipalities make a national set of five for an organisation of this instance.
    The comparison service is being reworked on main: asserted through the stored aggregate's count and
    mean, which ``maturity.selectors.get_comparisons`` subtracts the organisation's own row from."""
    codes = ["0114", "1480", "2584", "0180", "0181"]
    lines = [HEADER] + [
        f"{code},Kommun {code},municipality,{code[:2]},2026-HT,20,{SOURCE},{50 + i},,"
        for i, code in enumerate(codes)
    ]
    import_benchmarks(file=csv_bytes(*lines), file_name="skr.csv")

    overall = national("overall")
    assert overall.n_rows == 5
    assert overall.total / overall.n_values == pytest.approx(52.0)


def test_importing_a_source_again_replaces_its_records_and_their_periods_aggregates(
    reference, capability_code
):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")
    first_period = MeasurementPeriod.objects.get(year=2026, term="HT")

    again = csv_bytes(HEADER, f"0114,Upplands Väsby kommun,municipality,01,2027-VT,60,{SOURCE},70,,")
    summary = import_benchmarks(file=again, file_name="skr-2.csv")

    assert summary.replaced == [SOURCE]
    assert list(OrganisationFigure.objects.values_list("organisation_code", "period__year", "figure")) == [
        ("0114", 2027, "overall")
    ]
    assert BenchmarkSource.objects.get().n_records == 1
    assert national("overall", first_period) is None  # the old period has nobody left
    assert national("overall", MeasurementPeriod.objects.get(year=2027, term="VT")).n_rows == 1


def test_another_source_is_kept_when_one_source_is_imported(reference, capability_code):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")
    other = csv_bytes(HEADER, "2584,Kiruna kommun,municipality,25,2026-HT,9,Annan källa,10,,")
    import_benchmarks(file=other, file_name="annan.csv")

    assert BenchmarkSource.objects.count() == 2
    assert national("overall").n_rows == 4


def test_deleting_a_source_removes_its_records_and_refreshes_the_comparisons(reference, capability_code):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")
    deleted = delete_benchmark_source(source=BenchmarkSource.objects.get())

    assert deleted == 3
    assert not OrganisationFigure.objects.exists()
    assert not ComparisonAggregate.objects.exists()


# --- Rejections, each with its line, nothing imported -----------------------------------------------------

ROW = "0114,Upplands Väsby kommun,municipality,01,2026-HT,54,SKR,61.2,58.0,44.1"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([HEADER + ",colour", ROW + ",red"], "Line 1: “colour” is not a column"),
        ([HEADER + ",capability:NOPE.1", ROW + ",1"], "Line 1: “NOPE.1” is not a capability code"),
        (
            [HEADER.replace(",legacy", ""), ROW.rsplit(",", 1)[0]],
            "Line 1: Required columns are missing: legacy",
        ),
        ([HEADER + ",overall", ROW + ",1"], "Line 1: The column “overall” appears twice"),
        ([HEADER, ROW.replace("Upplands Väsby kommun", "")], "Line 2: The organisation name is missing"),
        ([HEADER, ROW.replace("0114,", ",", 1)], "Line 2: The organisation code is missing"),
        ([HEADER, ROW.replace("municipality", "kommun")], "Line 2: The kind “kommun” is not one of"),
        ([HEADER, ROW.replace(",01,", ",99,")], "Line 2: 99 is not a Swedish county code"),
        ([HEADER, ROW.replace(",01,", ",1,")], "Line 2: The county code “1” is not a two-digit SCB code"),
        ([HEADER, ROW.replace(",01,", ",,")], "Line 2: The county code is missing"),
        ([HEADER, ROW.replace(",01,", ",05,")], "Line 2: The municipality 0114 is in county 01, not 05"),
        ([HEADER, ROW.replace("2026-HT", "2026-H1")], "Line 2: The period “2026-H1” is not a period code"),
        ([HEADER, ROW.replace("2026-HT", "HT 2026")], "Line 2: The period “HT 2026” is not a period code"),
        ([HEADER, ROW.replace(",54,", ",0,")], "Line 2: The number of respondents “0” is not a positive"),
        ([HEADER, ROW.replace(",54,", ",5.5,")], "Line 2: The number of respondents “5.5”"),
        ([HEADER, ROW.replace(",54,", ",,")], "Line 2: The number of respondents “” is not"),
        ([HEADER, ROW.replace(",SKR,", ",,")], "Line 2: The source is missing"),
        ([HEADER, ROW.replace("61.2", "abc")], "Line 2: overall: “abc” is not a number"),
        ([HEADER, ROW.replace("61.2", "=1+1")], "Line 2: overall: “=1+1” is not a number"),
        ([HEADER, ROW.replace("61.2", '"61,2"')], "Line 2: overall: “61,2” is not a number"),
        ([HEADER, ROW.replace("61.2", "100.5")], "Line 2: overall: 100.5 is not a percent between 0 and 100"),
        ([HEADER, ROW.replace("61.2", "-1")], "Line 2: overall: -1 is not a percent between 0 and 100"),
        ([HEADER, ROW.replace("61.2", "NaN")], "Line 2: overall: “NaN” is not a number"),
        (
            [HEADER, ROW, ROW.replace("61.2", "50")],
            "Line 3: 0114 2026-HT from “SKR” is already in the file (line 2)",
        ),
        ([HEADER, ROW.replace("0114", "9999")], "Line 2: 9999 is not a Swedish municipality code"),
        ([HEADER, ROW + ",extra"], "Line 2: The line has 11 cells but the header has 10 columns"),
        ([HEADER], "Line 1: The file has a header but no records"),
    ],
)
def test_a_bad_line_is_rejected_with_its_line_number_and_nothing_is_imported(reference, lines, expected):
    messages = rejected(csv_bytes(*lines))
    assert any(message.startswith(expected) for message in messages), messages


def test_an_organisation_of_this_instance_cannot_be_imported(reference, organisation):
    messages = rejected(csv_bytes(HEADER, ROW.replace("0114", "0580").replace(",01,", ",05,")))
    assert messages[0].startswith("Line 2: 0580 is an organisation on this instance")


def test_every_problem_of_the_file_is_reported_with_its_line(reference):
    content = csv_bytes(
        HEADER,
        "",  # an empty line is skipped but counted
        ROW.replace("municipality", "kommun"),
        ROW.replace("0114", "1480").replace(",01,", ",14,"),
        ROW.replace("0114", "2584").replace(",01,", ",25,").replace("2026-HT", "2026"),
    )
    messages = rejected(content)
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 5"]


def test_a_file_with_many_bad_lines_reports_a_bounded_number_of_problems(reference, monkeypatch):
    monkeypatch.setattr(benchmark_format, "MAX_PROBLEMS", 3)
    messages = rejected(csv_bytes(HEADER, *[ROW.replace("0114", f"{9000 + i}") for i in range(10)]))
    assert len(messages) == 4
    assert messages[-1] == "… and 7 more problem(s)."


@pytest.mark.parametrize(
    ("content", "file_name", "expected"),
    [
        ((HEADER + "\n" + ROW).encode("latin-1"), "skr.csv", "The file is not UTF-8 text"),
        (b"", "skr.csv", "The file is empty"),
        ((HEADER + "\n" + ROW).encode("utf-16"), "skr.csv", "The file is not UTF-8 text"),
        (b"%PDF-1.4\n", "skr.pdf", "The file must be a CSV file (.csv) or a JSON file (.json)"),
        (b"a,b\x00,c\n", "skr.csv", "The file contains binary data"),
        ((HEADER.replace(",", "\t") + "\n").encode(), "skr.csv", "The file is separated by tabs"),
        (b'a,"b\n', "skr.csv", "The file is not valid CSV near line"),
    ],
)
def test_a_file_that_is_not_utf8_csv_or_json_is_rejected(reference, content, file_name, expected):
    messages = rejected(content, file_name)
    assert messages[0].startswith(expected), messages


def test_an_excel_workbook_is_rejected(reference):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    messages = rejected(buffer.getvalue(), "skr.xlsx")
    assert messages[0].startswith("The file must be a CSV file")
    messages = rejected(buffer.getvalue(), "skr.csv")
    assert messages[0].startswith("This looks like an Excel workbook")


def test_a_file_over_the_size_limit_is_rejected_without_reading_it_all(reference, monkeypatch):
    monkeypatch.setattr(benchmark_format, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(benchmarks, "MAX_FILE_BYTES", 1000)
    handle = io.BytesIO(csv_bytes(HEADER, *[ROW] * 100))
    messages = rejected(handle.read(), "skr.csv")
    assert messages[0].startswith("The file is larger than")
    handle.seek(0)
    assert len(benchmarks.read_upload(handle)) == 1001  # never more than one byte beyond the limit


def test_a_file_over_the_record_limit_is_rejected(reference, monkeypatch):
    monkeypatch.setattr(benchmark_format, "MAX_RECORDS", 2)
    rows = [ROW.replace("2026-HT", f"{2020 + i}-HT") for i in range(3)]
    assert rejected(csv_bytes(HEADER, *rows))[0].startswith("The file has more than 2 records")


def test_a_json_file_over_the_figure_limit_is_rejected(reference, monkeypatch):
    monkeypatch.setattr(benchmark_format, "MAX_FIGURES", 5)
    records = [{**GOOD_RECORD, "period": f"{2020 + i}-HT"} for i in range(3)]
    assert rejected(json_document(*records), "export.json")[0].startswith("The file has more than 5 figures")


def test_a_spreadsheet_bomb_of_separators_is_refused_by_its_line_length(reference):
    content = (HEADER + "\n" + "," * 2_000_000 + "\n").encode()
    assert rejected(content)[0].startswith("Line 2 is longer than")


def test_a_spreadsheet_bomb_of_empty_lines_is_refused_by_its_number_of_lines(reference):
    content = (HEADER + "\n" + "\n" * 300_000 + ROW + "\n").encode()
    assert rejected(content)[0].startswith("The file has more than 201000 lines")


def test_a_spreadsheet_bomb_of_a_huge_quoted_cell_is_refused(reference):
    content = (HEADER + "\n" + '0114,"' + "x\n" * 100_000 + '",municipality\n').encode()
    assert rejected(content)[0].startswith("The file is not valid CSV near line")


def test_a_spreadsheet_bomb_of_columns_is_refused(reference):
    content = (HEADER + "," + ",".join(f"x{i}" for i in range(1000)) + "\n").encode()
    assert rejected(content)[0].startswith("Line 1 has more than 400 columns")


# --- JSON rejections --------------------------------------------------------------------------------------


def json_document(*records: dict, **top) -> bytes:
    return json.dumps(
        {"format": "dimios-benchmarks", "version": 1, "source": SOURCE, **top, "records": list(records)}
    ).encode()


GOOD_RECORD = {
    "organisation_code": "0114",
    "organisation_name": "Upplands Väsby kommun",
    "kind": "municipality",
    "county_code": "01",
    "period": "2026-HT",
    "n_respondents": 54,
    "figures": {"overall": 61.2},
}


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({**GOOD_RECORD, "kind": "stad"}, "records[1]: The kind “stad” is not one of"),
        ({**GOOD_RECORD, "n_respondents": "54"}, "records[1]: The number of respondents “54”"),
        ({**GOOD_RECORD, "n_respondents": True}, "records[1]: The number of respondents"),
        ({**GOOD_RECORD, "figures": {"overall": "61"}}, "records[1]: overall: the percent must be a number"),
        ({**GOOD_RECORD, "figures": {"overall": 101}}, "records[1]: overall: 101 is not a percent"),
        ({**GOOD_RECORD, "figures": {"shoe_size": 1}}, "records[1]: “shoe_size” is not a column"),
        ({**GOOD_RECORD, "colour": "red"}, "records[1]: Unknown keys: colour"),
        ({**GOOD_RECORD, "period": 2026}, "records[1]: “period” must be text"),
        ({**GOOD_RECORD, "organisation_code": "0180", "county_code": "01"}, "records[1]: 0114 2026-HT"),
    ],
)
def test_a_bad_json_record_is_rejected_with_its_index(reference, record, expected):
    if expected.startswith("records[1]: 0114"):
        record, expected = (
            GOOD_RECORD,
            "records[1]: 0114 2026-HT from “SKR öppna data 2026” is already in the file (records[0])",
        )
    messages = rejected(json_document(GOOD_RECORD, record), "export.json")
    assert any(message.startswith(expected) for message in messages), messages


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'{"format": "dimios-benchmarks",\n "version": 1, "records": [}',
            "The file is not valid JSON (line 2",
        ),
        (b"[" * 200_000 + b"]" * 200_000, "The file is not valid JSON"),
        (b"[1, 2]", "The file must be a JSON object"),
        (
            json.dumps({"format": "other", "version": 1, "records": []}).encode(),
            "The file's “format” must be",
        ),
        (
            json.dumps({"format": "dimios-benchmarks", "version": 2, "records": []}).encode(),
            "The file's format version is 2; this instance reads version 1",
        ),
        (
            json.dumps({"format": "dimios-benchmarks", "version": 1, "records": []}).encode(),
            "The file has no records",
        ),
        (
            b'{"format": "dimios-benchmarks", "version": 1, "records": [{"figures": {"overall": NaN}}]}',
            "The file is not valid JSON",
        ),
    ],
)
def test_a_bad_json_file_is_rejected(reference, content, expected):
    messages = rejected(content, "export.json")
    assert messages[0].startswith(expected), messages


def test_a_json_record_without_a_source_anywhere_is_rejected(reference):
    content = json.dumps({"format": "dimios-benchmarks", "version": 1, "records": [GOOD_RECORD]}).encode()
    assert rejected(content, "export.json") == ["records[0]: The source is missing."]


def test_the_problems_are_in_swedish_by_default(reference):
    with pytest.raises(BenchmarkFileRejected) as caught:
        import_benchmarks(file=csv_bytes(HEADER, ROW.replace("municipality", "kommun")), file_name="skr.csv")
    assert caught.value.messages[0].startswith("Rad 2: ")


# --- The command -------------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_summary(reference, capability_code, tmp_path, english):
    path = tmp_path / "skr.csv"
    path.write_bytes(good_csv(capability_code))
    out = io.StringIO()
    call_command("import_benchmarks", str(path), stdout=out)

    assert "Imported 3 records" in out.getvalue() and SOURCE in out.getvalue()
    assert "2026-HT" in out.getvalue()
    assert OrganisationFigure.objects.filter(figure="overall").count() == 3


def test_the_command_prints_every_problem_and_exits_non_zero(reference, tmp_path, english):
    path = tmp_path / "skr.csv"
    path.write_bytes(csv_bytes(HEADER, ROW.replace("municipality", "kommun"), ROW.replace("61.2", "x")))
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_benchmarks", str(path), stderr=err)
    assert "Line 2: The kind “kommun”" in err.getvalue()
    assert "Line 3: overall: “x” is not a number" in err.getvalue()
    # From the command line a CommandError is its exit status (manage.py would close the test's database
    # connection on the way out, so the status is read from the error, not from a run of run_from_argv).
    assert raised.value.returncode != 0
    assert not OrganisationFigure.objects.exists()


def test_the_command_refuses_a_missing_file(reference, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_benchmarks", str(tmp_path / "nope.csv"))


# --- The platform admin's page ------------------------------------------------------------------------------


def upload(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_platform_admin_imports_a_file_and_sees_the_source(
    client, platform_admin, reference, capability_code
):
    client.force_login(platform_admin)
    url = reverse("maturity:benchmark_sources")
    response = client.post(url, {"file": upload(good_csv(capability_code), "skr.csv")}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "3 poster" in page and SOURCE in page and "skr.csv" in page
    assert BenchmarkSource.objects.get().n_records == 3


def test_a_bad_file_shows_every_problem_with_its_line_and_saves_nothing(client, platform_admin, reference):
    client.force_login(platform_admin)
    content = csv_bytes(HEADER, ROW.replace("municipality", "kommun"), ROW.replace("2026-HT", "2026"))
    response = client.post(reverse("maturity:benchmark_sources"), {"file": upload(content, "skr.csv")})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Rad 2: " in page and "Rad 3: " in page
    assert "Inget sparades" in page
    assert not OrganisationFigure.objects.exists() and not BenchmarkSource.objects.exists()


def test_the_platform_admin_deletes_a_source_after_confirming(
    client, platform_admin, reference, capability_code
):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")
    source = BenchmarkSource.objects.get()
    client.force_login(platform_admin)
    url = reverse("maturity:benchmark_source_delete", args=[source.pk])

    assert SOURCE in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200  # not confirmed: nothing deleted
    assert BenchmarkSource.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not BenchmarkSource.objects.exists() and not OrganisationFigure.objects.exists()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["org_admin", "management", "dept_rep", "outsider", "no_role_user"])
def test_only_the_platform_admin_reaches_the_benchmark_pages(
    client, request, persona, reference, capability_code
):
    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv")
    source = BenchmarkSource.objects.get()
    client.force_login(request.getfixturevalue(persona))
    for url in (
        reverse("maturity:benchmark_sources"),
        reverse("maturity:benchmark_source_delete", args=[source.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"confirm": "on", "file": upload(b"x", "x.csv")}).status_code == 403, url
    assert BenchmarkSource.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in_to_the_benchmark_pages(client):
    response = client.get(reverse("maturity:benchmark_sources"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


# --- The audit log ------------------------------------------------------------------------------------------


def test_an_import_and_a_deletion_are_audited_with_who_and_what(reference, capability_code, platform_admin):
    from surveys.audit_texts import describe
    from surveys.models import AuditAction, AuditEvent

    import_benchmarks(file=good_csv(capability_code), file_name="skr.csv", actor=platform_admin)
    imported = AuditEvent.objects.get(action=AuditAction.BENCHMARKS_IMPORTED)
    assert (imported.actor, imported.target, imported.organisation) == (platform_admin, "skr.csv", None)
    assert imported.details["records"] == 3 and imported.details["sources"] == [SOURCE]
    with translation.override("sv"):
        assert describe(imported) == (
            "Importerade jämförelsefilen skr.csv: 3 poster från SKR öppna data 2026 (perioderna 2026-HT)"
        )

    delete_benchmark_source(source=BenchmarkSource.objects.get(), actor=platform_admin)
    deleted = AuditEvent.objects.get(action=AuditAction.BENCHMARK_SOURCE_DELETED)
    assert (deleted.actor, deleted.target, deleted.details) == (platform_admin, SOURCE, {"records": 3})


def test_a_rejected_file_leaves_no_audit_event(reference):
    from surveys.models import AuditAction, AuditEvent

    rejected(csv_bytes(HEADER, ROW.replace("municipality", "kommun")))
    assert not AuditEvent.objects.filter(action=AuditAction.BENCHMARKS_IMPORTED).exists()


def _local_closed_round(organisation, period, questionnaire, overall: float):
    from tests.maturity.stored_rounds import close_round_with_results

    close_round_with_results(organisation, period, questionnaire, overall, capability=None, legacy=None)


def test_get_comparisons_of_a_local_organisation_includes_the_imported_organisations(reference, organisation):
    from maturity.selectors import get_comparisons
    from tests.factories import MeasurementPeriodFactory

    period = MeasurementPeriodFactory(year=2026, term="HT")
    _local_closed_round(organisation, period, reference, overall=90.0)
    codes = ["0114", "1480", "2584", "0180", "0181"]
    lines = [HEADER] + [
        f"{code},Kommun {code},municipality,{code[:2]},2026-HT,20,{SOURCE},{50 + i},,"
        for i, code in enumerate(codes)
    ]
    import_benchmarks(file=csv_bytes(*lines), file_name="skr.csv")

    assert national("overall", period).n_rows == 6  # the aggregate has them (and the organisation itself)
    comparison = get_comparisons(organisation=organisation, period=period, bases=["national"])["national"]
    assert comparison is not None
    assert comparison["n_organisations"] == 5
    assert comparison["overall_percent"] == pytest.approx(52.0)


@pytest.mark.parametrize("pk", ["0", "99999", "2147483648", "99999999999999999999"])
def test_an_unknown_or_out_of_range_source_is_not_found(client, platform_admin, pk):
    client.force_login(platform_admin)
    assert client.get(f"/jamforelsedata/{pk}/ta-bort/").status_code == 404
    assert client.post(f"/jamforelsedata/{pk}/ta-bort/", {"confirm": "on"}).status_code == 404


def test_the_sources_page_reads_a_constant_number_of_queries(
    client, platform_admin, reference, django_assert_max_num_queries
):
    client.force_login(platform_admin)
    url = reverse("maturity:benchmark_sources")
    for n in (1, 30):
        for i in range(n):
            BenchmarkSource.objects.get_or_create(name=f"Källa {i}", defaults={"n_records": i})
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200

"""The instance's open data (issue 15, docs/open-data.md): only sharing organisations' published rows of
this instance, in benchmark format v1 as CSV, JSON and XLSX, by the command, the download page, the JSON
API (pagination, filters, ETags, its OpenAPI document and responses that match it) and the DCAT-AP-SE
catalogue."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from openpyxl import load_workbook
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from maturity.models import BenchmarkSource, OrganisationFigure, RoundResult
from maturity.open_data import list_open_data_records, records_as_csv
from maturity.services.comparisons import record_round_figures
from surveys.models import Organisation
from tests.factories import (
    MeasurementPeriodFactory,
    OrganisationFactory,
    QuestionnaireVersionFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db

SOURCE = "dimios: test.example"
COLUMNS = [
    "organisation_code",
    "organisation_name",
    "kind",
    "county_code",
    "period",
    "n_respondents",
    "source",
    "overall",
    "capability",
    "legacy",
    "dimension:A",
    "dimension:F",
    "category:F.EFF",
    "category:F.INN",
    "capability:F.EFF.1",
]
# The hand-built expectation: the published records, by period and organisation code.
RECORDS = [
    {
        "organisation_code": "0180",
        "organisation_name": "Stockholms kommun",
        "kind": "municipality",
        "county_code": "01",
        "period": "2025-HT",
        "n_respondents": 8,
        "figures": {"overall": 55.0, "capability": 60.0, "legacy": None, "dimension:F": 60.0},
    },
    {
        "organisation_code": "0580",
        "organisation_name": "Linköpings kommun",
        "kind": "municipality",
        "county_code": "05",
        "period": "2025-HT",
        "n_respondents": 12,
        "figures": {
            "overall": 61.25,
            "capability": 70.0,
            "legacy": 52.5,
            "dimension:A": 52.5,
            "dimension:F": 70.0,
            "category:F.EFF": 65.0,
            "category:F.INN": None,  # hidden (fewer than k respondents answered it)
            "capability:F.EFF.1": 64.0,
        },
    },
    {
        "organisation_code": "0580",
        "organisation_name": "Linköpings kommun",
        "kind": "municipality",
        "county_code": "05",
        "period": "2026-VT",
        "n_respondents": 15,
        "figures": {"overall": 63.0, "capability": 71.0, "legacy": 55.0},
    },
    {
        "organisation_code": "R01",
        "organisation_name": "Region Test",
        "kind": "region",
        "county_code": None,
        "period": "2026-VT",
        "n_respondents": 30,
        "figures": {"overall": 48.5, "capability": 50.0, "legacy": 47.0},
    },
]
CSV_TEXT = (
    ",".join(COLUMNS) + "\r\n"
    "0180,Stockholms kommun,municipality,01,2025-HT,8,dimios: test.example,55.0,60.0,,,60.0,,,\r\n"
    "0580,Linköpings kommun,municipality,05,2025-HT,12,dimios: test.example,"
    "61.25,70.0,52.5,52.5,70.0,65.0,,64.0\r\n"
    "0580,Linköpings kommun,municipality,05,2026-VT,15,dimios: test.example,63.0,71.0,55.0,,,,,\r\n"
    "R01,Region Test,region,,2026-VT,30,dimios: test.example,48.5,50.0,47.0,,,,,\r\n"
)


def _rows(round_, n: int, values: dict, *, shared: bool = True) -> None:
    organisation = round_.organisation
    OrganisationFigure.objects.bulk_create(
        OrganisationFigure(
            period=round_.period,
            round=round_,
            organisation=organisation,
            organisation_code=organisation.code,
            kind=organisation.kind,
            county=organisation.county,
            shared=shared,
            figure=figure,
            percent=percent,
            n_respondents=n,
        )
        for figure, percent in values.items()
    )


@pytest.fixture
def world(settings, organisation, other_organisation):
    return build_world(settings, organisation, other_organisation)


def build_world(settings, organisation, other_organisation):
    """Published rows of three sharing organisations in two periods, and rows that must not appear: an
    organisation that does not share, one that withdrew its consent after its rows were written, a round
    that is open again, and an imported benchmark record."""
    settings.DIMIOS_OPEN_DATA_SOURCE = SOURCE
    settings.SITE_URL = "https://dimios.test.example"
    settings.DIMIOS_OPEN_DATA_PUBLISHER = "Testkommunernas DiMiOS"
    settings.DIMIOS_OPEN_DATA_CONTACT_EMAIL = "oppna-data@test.example"
    autumn = MeasurementPeriodFactory(year=2025, term="HT")
    spring = MeasurementPeriodFactory(year=2026, term="VT")
    questionnaire = QuestionnaireVersionFactory()

    def closed(org, period, status="closed"):
        return RoundFactory(organisation=org, period=period, questionnaire=questionnaire, status=status)

    # Linköping's autumn round through the service that writes the rows: a hidden part has no percent.
    linkoping_autumn = closed(organisation, autumn)
    result = RoundResult.objects.create(
        round=linkoping_autumn,
        questionnaire=questionnaire,
        scope="organisation",
        scope_key="organisation",
        n_respondents=12,
        published={
            "hidden": False,
            "n": 12,
            "overall_percent": 61.25,
            "capability_percent": 70.0,
            "legacy_percent": 52.5,
            "type": "D",
        },
        published_figures={
            "dimensions": {"F": {"percent": 70.0, "n": 12}, "A": {"percent": 52.5, "n": 12}},
            "categories": {"F.EFF": {"percent": 65.0, "n": 12}, "F.INN": "suppressed"},
            "capabilities": {"F.EFF.1": {"percent": 64.0, "n": 12}},
        },
    )
    assert record_round_figures(round_=linkoping_autumn, organisation_result=result) == 8
    _rows(closed(organisation, spring), 15, {"overall": 63.0, "capability": 71.0, "legacy": 55.0})
    _rows(
        closed(other_organisation, autumn),
        8,
        {"overall": 55.0, "capability": 60.0, "legacy": None, "dimension:F": 60.0},
    )
    region = OrganisationFactory(code="R01", name="Region Test", kind="region", county=None)
    _rows(closed(region, spring), 30, {"overall": 48.5, "capability": 50.0, "legacy": 47.0})

    # Not published:
    private = OrganisationFactory(code="T900", name="Hemliga kommunen", shares_comparisons=False)
    _rows(closed(private, autumn), 20, {"overall": 99.0}, shared=False)
    withdrawn = OrganisationFactory(code="T901", name="Ångrade kommunen")
    _rows(closed(withdrawn, spring), 20, {"overall": 98.0})
    Organisation.objects.filter(pk=withdrawn.pk).update(shares_comparisons=False)
    reopened = OrganisationFactory(code="T902", name="Öppnade kommunen")
    _rows(closed(reopened, spring, status="open"), 20, {"overall": 97.0})
    source = BenchmarkSource.objects.create(name="Nationella siffror 2025")
    OrganisationFigure.objects.create(
        period=autumn,
        organisation_code="2480",
        organisation_name="Umeå kommun",
        kind="municipality",
        source=source,
        figure="overall",
        percent=96.0,
        n_respondents=40,
    )
    return {"autumn": autumn, "spring": spring, "questionnaire": questionnaire, "region": region}


def _records_of(content: dict) -> list[dict]:
    return content["records"] if "records" in content else content["results"]


# --- The records and the three formats -------------------------------------------------------------------


def test_only_the_sharing_organisations_published_rows_of_this_instance_are_records(world):
    records = [record.as_dict() for record in list_open_data_records()]
    assert records == RECORDS
    codes = {record["organisation_code"] for record in records}
    assert not codes & {"T900", "T901", "T902", "2480"}


def test_a_hidden_part_is_empty_in_csv_and_null_in_json(world):
    linkoping = next(r for r in list_open_data_records(period="2025-HT") if r.organisation_code == "0580")
    assert "category:F.INN" in linkoping.figures and linkoping.figures["category:F.INN"] is None
    row = next(csv.DictReader(io.StringIO(records_as_csv([linkoping], source=SOURCE))))
    assert row["category:F.INN"] == "" and row["category:F.EFF"] == "65.0"


def test_the_csv_is_format_v1(world):
    out = io.StringIO()
    call_command("export_open_data", "--format", "csv", stdout=out)
    assert out.getvalue() == CSV_TEXT


def test_the_json_is_format_v1(world):
    out = io.StringIO()
    call_command("export_open_data", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "format": "dimios-benchmarks",
        "version": 1,
        "source": SOURCE,
        "records": RECORDS,
    }


def test_the_xlsx_has_the_csvs_columns_with_numbers_as_numbers_and_a_note(world, tmp_path, english):
    target = tmp_path / "open.xlsx"
    call_command("export_open_data", "--format", "xlsx", "--output", str(target), stderr=io.StringIO())
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["data", "about"]
    rows = [list(row) for row in workbook["data"].iter_rows(values_only=True)]
    assert rows[0] == COLUMNS
    expected = [
        [
            None if cell == "" else (float(cell) if i >= 7 else int(cell) if i == 5 else cell)
            for i, cell in enumerate(line)
        ]
        for line in list(csv.reader(io.StringIO(CSV_TEXT)))[1:]
    ]
    assert rows[1:] == expected
    assert isinstance(rows[1][5], int) and isinstance(rows[2][7], float) and rows[1][4] == "2025-HT"
    about = {row[0]: row[1] for row in workbook["about"].iter_rows(min_row=2, values_only=True)}
    assert about["Source"] == SOURCE
    assert "CC0 1.0" in about["Licence"] and about["Records"] == 4


def test_the_command_exports_one_period_to_a_file_and_refuses_a_malformed_period(world, tmp_path, english):
    target = tmp_path / "spring.json"
    err = io.StringIO()
    call_command(
        "export_open_data", "--format", "json", "--period", "2026-VT", "--output", target, stderr=err
    )
    assert json.loads(target.read_text(encoding="utf-8"))["records"] == RECORDS[2:]
    assert "2 records written" in err.getvalue()
    with pytest.raises(CommandError, match="2026-HT"):
        call_command("export_open_data", "--period", "HT 2026", stdout=io.StringIO())


def test_an_empty_instance_exports_the_header_and_no_record(db, settings):
    settings.DIMIOS_OPEN_DATA_SOURCE = SOURCE
    out = io.StringIO()
    call_command("export_open_data", stdout=out)
    assert out.getvalue() == ",".join(COLUMNS[:10]) + "\r\n"


# --- The download page and its files ---------------------------------------------------------------------


def test_the_download_page_is_public_and_in_swedish(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("maturity:open_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="sv-SE">' in page
    assert "Öppna data" in page and "Licens" in page and "CC0 1.0" in page
    for fmt in ("csv", "json", "xlsx"):
        assert reverse("maturity:open_data_download", args=[fmt]) in page
    for name in ("maturity:api_open_data", "maturity:api_schema", "maturity:open_data_dcat"):
        assert reverse(name) in page
    assert "HT 2025" in page and "VT 2026" in page


def test_the_downloads_use_the_same_writers(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(reverse("maturity:open_data_download", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == CSV_TEXT
    assert 'filename="dimios-oppna-data.csv"' in response["Content-Disposition"]
    response = client.get(reverse("maturity:open_data_download", args=["json"]), {"period": "2025-HT"})
    assert response.json()["records"] == RECORDS[:2]
    response = client.get(reverse("maturity:open_data_download", args=["xlsx"]))
    assert load_workbook(io.BytesIO(response.content))["data"].max_row == 5
    assert client.get(reverse("maturity:open_data_download", args=["pdf"])).status_code == 404
    assert client.post(reverse("maturity:open_data_download", args=["csv"])).status_code == 405


# --- The API ---------------------------------------------------------------------------------------------

API = "/api/v1/open-data/"


def test_the_api_is_anonymous_paginated_and_filtered(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(API)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body == {
        "format": "dimios-benchmarks",
        "version": 1,
        "source": SOURCE,
        "count": 4,
        "next": None,
        "previous": None,
        "results": RECORDS,
    }
    first = client.get(API, {"page_size": 3}).json()
    assert first["count"] == 4 and first["results"] == RECORDS[:3]
    assert first["next"].endswith("/api/v1/open-data/?page=2&page_size=3")
    second = client.get(API, {"page_size": 3, "page": 2}).json()
    assert second["results"] == RECORDS[3:] and second["next"] is None and second["previous"]
    assert client.get(API, {"period": "2026-VT"}).json()["results"] == RECORDS[2:]
    assert client.get(API, {"kind": "region"}).json()["results"] == RECORDS[3:]
    assert client.get(API, {"period": "2026-VT", "kind": "agency"}).json()["count"] == 0
    assert client.get(API, {"period": "2019-HT"}).json()["count"] == 0
    assert client.get(API, {"period": "HT2026"}).status_code == 400
    assert client.get(API, {"period": "2026-HTX"}).status_code == 400
    assert client.get(API, {"kind": "kommun"}).status_code == 400
    assert client.get(API, {"page": 9}).status_code == 404


def test_the_page_size_is_100_by_default(client, world, monkeypatch):
    from maturity import api

    assert api.OpenDataPagination.page_size == 100
    monkeypatch.setattr(api.OpenDataPagination, "page_size", 2)
    body = client.get(API).json()
    assert len(body["results"]) == 2 and body["next"].endswith("?page=2")


def test_a_conditional_get_with_the_etag_gets_304_until_the_data_changes(client, world):
    response = client.get(API)
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    not_modified = client.get(API, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.head(API, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(API, {"kind": "region"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    OrganisationFigure.objects.filter(organisation_code="R01", figure="overall").update(percent=49.0)
    changed = client.get(API, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    periods = client.get("/api/v1/periods/")
    assert client.get("/api/v1/periods/", HTTP_IF_NONE_MATCH=periods["ETag"]).status_code == 304


def test_the_api_is_read_only(client, world):
    for url in (API, "/api/v1/periods/", "/api/v1/schema/"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, data="{}", content_type="application/json")
            assert response.status_code == 405, (method, url)
        assert client.head(url).status_code == 200
    assert OrganisationFigure.objects.filter(round__isnull=False).count() == 8 + 3 + 4 + 3 + 3


def test_the_api_needs_no_login_and_a_logged_in_session_changes_nothing(client, world, org_admin):
    anonymous = client.get(API).json()
    client.force_login(org_admin)
    assert client.get(API).json() == anonymous


def test_the_periods_with_data(client, world):
    assert client.get("/api/v1/periods/").json() == [
        {
            "code": "2025-HT",
            "year": 2025,
            "term": "HT",
            "starts_on": "2025-08-01",
            "ends_on": "2025-12-01",
            "n_records": 2,
        },
        {
            "code": "2026-VT",
            "year": 2026,
            "term": "VT",
            "starts_on": "2026-02-01",
            "ends_on": "2026-06-01",
            "n_records": 2,
        },
    ]


def _response_schema(document: dict, path: str) -> dict:
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": document["components"]}


def test_the_openapi_document_is_valid_and_every_response_matches_it(client, world):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    validate_schema(document)
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/api/v1/open-data/", "/api/v1/periods/"}
    parameters = {p["name"] for p in document["paths"][API]["get"]["parameters"]}
    assert parameters == {"period", "kind", "page", "page_size"}
    validator = jsonschema.Draft202012Validator
    records_schema = _response_schema(document, API)
    for query in ({}, {"page_size": 1}, {"page_size": 1, "page": 2}, {"kind": "region"}):
        validator(records_schema).validate(client.get(API, query).json())
    validator(_response_schema(document, "/api/v1/periods/")).validate(client.get("/api/v1/periods/").json())
    record = document["components"]["schemas"]["Record"]
    assert set(record["required"]) == set(RECORDS[0])
    # The schema would refuse a record with a wrong type: it is a real check.
    page = client.get(API).json()
    for broken in (
        {**page, "results": [{**RECORDS[0], "n_respondents": "8"}]},
        {**page, "results": [{**RECORDS[0], "figures": {"overall": "61,2"}}]},
        {**page, "results": [{k: v for k, v in RECORDS[0].items() if k != "kind"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validator(records_schema).validate(broken)
    assert client.get("/api/v1/schema/").status_code == 200  # YAML by default
    # English whatever the browser's language (Swedish on request), so the document has one ETag.
    swedish_browser = client.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert swedish_browser.content == response.content and b"The page, from 1." in response.content
    assert (
        "Sidan, från 1." in client.get("/api/v1/schema/", {"format": "json", "lang": "sv"}).content.decode()
    )


# --- The DCAT-AP-SE catalogue ----------------------------------------------------------------------------


def test_the_dcat_catalogue_describes_the_dataset_and_one_distribution_per_format(
    client, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("maturity:open_data_dcat"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=response.content, format="xml")
    site = "https://dimios.test.example"
    catalogue = URIRef(site + "/oppna-data/dcat.rdf")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    titles = {(t.language, str(t)) for t in graph.objects(catalogue, DCTERMS.title)}
    assert {language for language, _ in titles} == {"sv", "en"}
    assert {d.language for d in graph.objects(catalogue, DCTERMS.description)} == {"sv", "en"}
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(graph.value(publisher, FOAF.name)) == "Testkommunernas DiMiOS"
    licence = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert graph.value(catalogue, DCTERMS.license) == licence
    [dataset] = list(graph.objects(catalogue, DCAT.dataset))
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCAT.theme) == URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/GOVE"
    )
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:oppna-data@test.example"
    )
    assert graph.value(dataset, DCTERMS.accrualPeriodicity) is not None
    assert len(list(graph.objects(dataset, DCAT.keyword))) >= 4
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.startDate)) == "2025-08-01"
    assert str(graph.value(temporal, DCAT.endDate)) == "2026-06-01"
    assert graph.value(dataset, DCTERMS.issued) is not None

    downloads = {}
    for distribution in graph.objects(dataset, DCAT.distribution):
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert graph.value(distribution, DCTERMS.license) == licence
        assert str(graph.value(distribution, DCAT.accessURL)).startswith(site + "/")
        media_type = str(graph.value(distribution, DCAT.mediaType))
        assert media_type.startswith("http://www.iana.org/assignments/media-types/")
        download = graph.value(distribution, DCAT.downloadURL)
        if download is not None:
            downloads[media_type.rsplit("/", 1)[1]] = str(download)
        else:
            api = distribution
    assert set(downloads) == {"csv", "json", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for url in downloads.values():
        assert url.startswith(site + "/oppna-data/")
        assert client.get(url.removeprefix(site)).status_code == 200
    schema_url = str(graph.value(api, DCTERMS.conformsTo))
    assert schema_url == site + "/api/v1/schema/"
    assert client.get(schema_url.removeprefix(site)).status_code == 200
    service = graph.value(api, DCAT.accessService)
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.servesDataset) == dataset
    assert client.get(str(graph.value(api, DCAT.accessURL)).removeprefix(site)).status_code == 200


def test_the_api_is_throttled_per_client_address(client, world, settings):
    settings.DIMIOS_API_THROTTLE = "2/minute"
    assert client.get(API).status_code == 200
    assert client.get("/api/v1/periods/").status_code == 200
    refused = client.get(API)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(API, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_source_publisher_and_contact_default_from_the_site_address_and_the_sender():
    from tests.core.test_settings import start_django

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DIMIOS_OPEN_DATA_SOURCE, s.DIMIOS_OPEN_DATA_PUBLISHER, s.DIMIOS_OPEN_DATA_CONTACT_EMAIL, "
        "sep='|')"
    )
    site = {"DJANGO_DEBUG": "1", "DJANGO_SITE_URL": "https://dimios.kommun.example/"}
    result = start_django(code, **site, DEFAULT_FROM_EMAIL="DiMiOS <dimios@kommun.example>")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == "dimios: dimios.kommun.example|DiMiOS (dimios.kommun.example)|dimios@kommun.example"
    )
    result = start_django(code, **site, DIMIOS_OPEN_DATA_CONTACT_EMAIL="ingen adress")
    assert result.returncode != 0 and "DIMIOS_OPEN_DATA_CONTACT_EMAIL" in result.stderr

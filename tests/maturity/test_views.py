"""The browser import (upload, preview, confirm) and the results downloads: who may use them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import AuditEvent, Response, Round

pytestmark = pytest.mark.django_db

GOOD = (
    "respondent;department;group;F.EFF.1.1;A.ORG.1.1\n"
    + "".join(f"r{i};Socialförvaltningen;Chefer;{1 + i % 6};vet ej\n" for i in range(6))
    + "".join(f"s{i};Utbildningsförvaltningen;Strateger;5;{1 + i % 6}\n" for i in range(6))
)


def _upload(client, organisation, period, questionnaire, content: str, **extra):
    return client.post(
        reverse("maturity:response_import", args=[organisation.code]),
        {
            "step": "preview",
            "period": period.pk,
            "version": questionnaire.pk,
            "file": SimpleUploadedFile("svar.csv", content.encode("utf-8"), content_type="text/csv"),
            **extra,
        },
    )


def test_org_admin_uploads_previews_and_confirms_an_import(
    client, org_admin, organisation, questionnaire, period_2025
):
    client.force_login(org_admin)
    page = _upload(client, organisation, period_2025, questionnaire, GOOD)
    assert page.status_code == 200
    assert page.context["preview"]["n_responses"] == 12
    assert not Round.objects.exists()  # nothing saved before the confirmation

    done = client.post(
        reverse("maturity:response_import", args=[organisation.code]), {"step": "confirm", "confirm": "on"}
    )

    assert done.status_code == 302
    round_ = Round.objects.get(organisation=organisation, period=period_2025)
    assert round_.source == Round.Source.IMPORT and round_.status == Round.Status.CLOSED
    assert Response.objects.filter(round=round_).count() == 12
    assert AuditEvent.objects.filter(action="responses_imported", actor=org_admin).exists()


def test_a_bad_upload_shows_every_problem_with_its_line_and_saves_nothing(
    client, org_admin, organisation, questionnaire, period_2025
):
    client.force_login(org_admin)
    page = _upload(
        client,
        organisation,
        period_2025,
        questionnaire,
        "respondent,department,group,F.EFF.1.1\n1,A,B,9\n1,A,B,2\n",
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rad 2, F.EFF.1.1" in text and "Rad 3" in text
    assert not Round.objects.exists()


def test_confirming_without_an_upload_asks_for_the_file_again(client, org_admin, organisation, questionnaire):
    client.force_login(org_admin)
    response = client.post(
        reverse("maturity:response_import", args=[organisation.code]), {"step": "confirm", "confirm": "on"}
    )
    assert response.status_code == 302
    assert not Round.objects.exists()


@pytest.fixture
def imported(client, org_admin, organisation, questionnaire, period_2025):
    client.force_login(org_admin)
    _upload(client, organisation, period_2025, questionnaire, GOOD)
    client.post(
        reverse("maturity:response_import", args=[organisation.code]), {"step": "confirm", "confirm": "on"}
    )
    client.logout()
    return Round.objects.get(organisation=organisation)


@pytest.mark.parametrize("persona", ["org_admin", "management"])
def test_org_admin_and_management_download_csv_and_json(client, request, imported, organisation, persona):
    client.force_login(request.getfixturevalue(persona))
    listing = client.get(reverse("maturity:results_list", args=[organisation.code]))
    assert listing.status_code == 200 and "2025-HT" in listing.content.decode()
    as_json = client.get(reverse("maturity:results_download", args=[organisation.code, "2025-HT", "json"]))
    assert as_json.status_code == 200
    assert as_json["Content-Disposition"].startswith("attachment")
    assert json.loads(as_json.content)["organisation"]["n_respondents"] == 12
    as_csv = client.get(reverse("maturity:results_download", args=[organisation.code, "2025-HT", "csv"]))
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert any(r["scope"] == "organisation" and r["level"] == "overall" for r in rows)
    assert AuditEvent.objects.filter(action="results_downloaded").count() == 2


def test_management_cannot_import(client, management, organisation):
    client.force_login(management)
    assert client.get(reverse("maturity:response_import", args=[organisation.code])).status_code == 403


@pytest.mark.parametrize(
    "name", ["maturity:results_list", "maturity:response_import", "maturity:results_download"]
)
def test_department_reps_get_403_and_outsiders_404(client, dept_rep, outsider, imported, organisation, name):
    args = (
        [organisation.code, "2025-HT", "csv"] if name == "maturity:results_download" else [organisation.code]
    )
    client.force_login(dept_rep)
    assert client.get(reverse(name, args=args)).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, organisation):
    response = client.get(reverse("maturity:results_list", args=[organisation.code]))
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_an_unknown_period_or_format_is_404(client, org_admin, imported, organisation):
    client.force_login(org_admin)
    assert (
        client.get(
            reverse("maturity:results_download", args=[organisation.code, "2019-VT", "csv"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("maturity:results_download", args=[organisation.code, "2025-HT", "xml"])
        ).status_code
        == 404
    )


def test_the_role_cards_link_to_the_results_files(client, org_admin, organisation):
    client.force_login(org_admin)
    page = client.get(reverse("home")).content.decode()
    assert reverse("maturity:results_list", args=[organisation.code]) in page
    assert reverse("maturity:response_import", args=[organisation.code]) in page


def test_the_import_offers_only_windows_that_have_ended(
    client, org_admin, organisation, questionnaire, period_2025
):
    """Issue 17: the responses of an earlier round belong to a window that has ended; a running or coming one
    is not offered, and a forged choice of one gets the form's translated message and saves nothing."""
    import datetime

    from surveys.models import MeasurementPeriod
    from surveys.services import periods

    running, _ = MeasurementPeriod.objects.get_or_create(
        year=periods.today().year + 1,
        term="VT",
        defaults={
            "starts_on": datetime.date(periods.today().year + 1, 2, 1),
            "ends_on": datetime.date(periods.today().year + 1, 6, 1),
        },
    )
    client.force_login(org_admin)
    page = client.get(reverse("maturity:response_import", args=[organisation.code]))
    choices = [p for p, _label in page.context["form"].fields["period"].choices if p]
    assert period_2025.pk in [int(str(p)) for p in choices]
    assert running.pk not in [int(str(p)) for p in choices]
    response = _upload(client, organisation, running, questionnaire, GOOD)
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Round.objects.exists() and not Response.objects.exists()

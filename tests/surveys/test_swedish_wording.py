"""Issue 17, "Swedish that reads right", on the organisation admin's and platform admin's pages: a
confirmation asks a Swedish question, a count of none is not spelled out, language names in running text are
lower case, a maturity type is named once, and the Django admin's labels are Swedish."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.models import Statement, TypeDescription, type_heading
from surveys.services.questionnaires import ensure_default_questionnaire
from tests.surveys.test_views import url


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


def test_closing_a_round_asks_a_swedish_question(admin_client, open_round):
    html = admin_client.get(url("round_close", open_round)).content.decode()
    assert f"Vill du stänga mätomgången {open_round.period}?" in html


def test_sending_again_with_nothing_failed_does_not_say_zero(
    admin_client, open_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        html = admin_client.post(url("round_send", open_round), follow=True).content.decode()
    assert "Skickar de inbjudningar som inte har gått iväg." in html
    assert "(0 " not in html and "försöks igen" not in html


def test_sending_again_says_how_many_failed_before(
    admin_client, open_round, django_capture_on_commit_callbacks
):
    open_round.invitations.filter(pk=open_round.invitations.first().pk).update(send_status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        html = admin_client.post(url("round_send", open_round), follow=True).content.decode()
    assert "(1 misslyckades tidigare och skickas om)" in html


def test_language_names_are_lower_case_in_the_text_labels(admin_client, open_round):
    html = admin_client.get(url("round_texts", open_round)).content.decode()
    assert "Inbjudan på svenska: ämne" in html and "Påminnelse på engelska: text" in html
    assert "på Svenska" not in html and "på Engelska" not in html
    assert "<code>{duration}</code>" in html


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        ("Typ D – Digitalt mogen", "Typ D – Digitalt mogen"),
        ("Digitalt mogen", "Typ D: Digitalt mogen"),
        ("", "Typ D"),
    ],
)
def test_a_maturity_type_is_named_once(title, heading):
    with translation.override("sv"):
        assert type_heading("D", title) == heading


def test_the_default_questionnaires_types_read_once(db):
    version = ensure_default_questionnaire()
    with translation.override("sv"):
        headings = [t.heading for t in TypeDescription.objects.filter(version=version)]
    assert len(headings) == 4 and all(h.count("Typ") == 1 for h in headings), headings


def test_the_django_admin_labels_are_swedish(client, platform_admin):
    questionnaire = ensure_default_questionnaire()
    client.force_login(platform_admin)
    statement = Statement.objects.filter(version=questionnaire).first()
    page = client.get(reverse("admin:surveys_statement_change", args=[statement.pk])).content.decode()
    for label in ("Version", "Förmåga", "Plats"):
        assert f">{label}:<" in page or f">{label}<" in page, label
    version = client.get(
        reverse("admin:surveys_questionnaireversion_change", args=[questionnaire.pk])
    ).content.decode()
    assert "Typbeskrivningar" in version and "Rubrik (svenska)" in version

"""The error pages (issue 17, docs/error-pages.md): 400, 403 (a role missing, a form refused by the CSRF
check), 404 and 500 are the product's pages, in the reader's language, saying what happened with a way back;
make run's demo (DEBUG on) shows the product's 404, not Django's technical one."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def heading(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match is not None
    return match.group(1).strip()


def test_an_unknown_address_gets_the_products_page_in_swedish_with_a_way_back(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert heading(response) == "Sidan finns inte"
    assert "Kontrollera att hela länken kom med" in text_of(response)
    assert f'href="{reverse("home")}">Till startsidan' in response.content.decode()
    assert 'href="/konto/logga-in/?next=/finns-inte/"' in response.content.decode()  # anonymous: log in


def test_make_runs_demo_with_debug_on_shows_the_same_page_not_djangos_technical_one(
    client, settings, org_admin, organisation
):
    settings.DEBUG = True
    client.force_login(org_admin)
    action = reverse("maturity:action_detail", args=[organisation.code, 99999])
    for address in ("/finns-inte/", action):  # no URL pattern; a view's Http404
        response = client.get(address)
        assert response.status_code == 404, address
        assert heading(response) == "Sidan finns inte", address
        assert "URLconf" not in response.content.decode() and "DEBUG = True" not in response.content.decode()


def test_a_developer_can_have_the_technical_404_back(client, settings):
    settings.DEBUG = True
    settings.DIMIOS_TECHNICAL_404 = True
    response = client.get("/finns-inte/")
    assert response.status_code == 404 and b"DEBUG = True" in response.content


def test_an_english_reader_gets_the_page_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.get("/finns-inte/")
    assert response.status_code == 404 and heading(response) == "The page does not exist"
    assert ">Go to the start page<" in response.content.decode()


def test_a_missing_role_gets_a_page_that_names_the_account_and_says_whom_to_ask(
    client, dept_rep, organisation
):
    client.force_login(dept_rep)
    response = client.get(reverse("surveys:department_list", args=[organisation.code]))
    assert response.status_code == 403
    assert heading(response) == "Du har inte behörighet till den här sidan"
    text = text_of(response)
    assert f"Du är inloggad som {dept_rep.get_full_name()}" in text
    assert "be organisationens administratör om rollen" in text
    assert "Till startsidan" in text and "Forbidden" not in text


def test_a_form_refused_by_the_csrf_check_says_what_to_do_and_that_nothing_was_saved(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 403
    assert heading(response) == "Formuläret kunde inte skickas"
    assert "Ingenting sparades" in text_of(response) and "CSRF" not in text_of(response)


def test_a_server_error_gets_the_products_page_without_touching_the_database(settings):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    client = Client(raise_request_exception=False)
    response = client.get("/test-serverfel/")
    assert response.status_code == 500
    assert heading(response) == "Något gick fel"
    assert "Det du redan hade sparat finns kvar" in text_of(response)
    assert 'href="/">Till startsidan' in response.content.decode()
    # the page renders when the database is what failed: it reads nothing
    with translation.override("sv"):
        queries_before = len(connection.queries_log)
        html = render_to_string("500.html")
        assert len(connection.queries_log) == queries_before and "Något gick fel" in html


def test_a_server_error_page_renders_with_the_database_gone(settings, monkeypatch):
    def no_database(*args, **kwargs):
        raise AssertionError("the server error page touched the database")

    monkeypatch.setattr(connection, "cursor", no_database)
    monkeypatch.setattr(connection, "ensure_connection", no_database)
    with translation.override("sv"):
        assert "Något gick fel" in render_to_string("500.html")


def test_a_bad_request_gets_the_products_page(client):
    response = client.get("/o/05%0180/")  # a control character: no address of this site
    assert response.status_code == 400
    assert heading(response) == "Begäran kunde inte hanteras"
    assert "Ingenting sparades" in text_of(response)
    client.cookies["django_language"] = "en"
    assert heading(client.get("/o/05%0180/")) == "The request could not be handled"

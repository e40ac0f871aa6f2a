"""Headers that pass the checklist (issue 11): no-store on every page and download, the security headers,
HttpOnly cookies; the unknown-link rate limit reads the client address through the trusted proxies."""

from __future__ import annotations

import pytest
from csp.constants import NONCE
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from dimios_web.middleware import ContentSecurityPolicyMiddleware
from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token

pytestmark = pytest.mark.django_db


def _assert_not_stored(response, what: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), f"{what}: {response.get('Cache-Control')}"
    assert "private" in response["Cache-Control"], what


@pytest.fixture
def closed(organisation, settings, tmp_path):
    from tests.reports.conftest import make_closed_round

    settings.MEDIA_ROOT = tmp_path / "media"
    return make_closed_round(organisation)


def test_staff_pages_and_every_download_are_not_stored(client, closed, organisation, management, org_admin):
    client.force_login(org_admin)
    code = organisation.code
    for what, url in {
        "organisation page": reverse("surveys:organisation_detail", args=[code]),
        "round list": reverse("surveys:round_list", args=[code]),
        "dashboard": reverse("reports:dashboard", args=[code]),
        "dashboard csv": reverse("reports:dashboard_export", args=[code, "csv"]),
        "dashboard xlsx": reverse("reports:dashboard_export", args=[code, "xlsx"]),
        "results csv": reverse("maturity:results_download", args=[code, closed.period.code, "csv"]),
        "results json": reverse("maturity:results_download", args=[code, closed.period.code, "json"]),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, what
        _assert_not_stored(response, what)
    client.logout()
    _assert_not_stored(client.get(reverse("account_login")), "login page")


def test_the_annual_report_download_is_not_stored(client, closed, organisation, management):
    from reports.models import ReportJob
    from reports.services import building, jobs

    job = ReportJob.objects.create(organisation=organisation, year=closed.period.year, ordered_by=management)
    token = jobs.claim_job(job_id=job.pk)
    original = building.pdf_engine.print_pdf
    building.pdf_engine.print_pdf = lambda render, **kwargs: b"%PDF-1.7 stand-in"
    try:
        building.build_report(job_id=job.pk, token=token)
    finally:
        building.pdf_engine.print_pdf = original
    client.force_login(management)
    for fmt in ("pdf", "xlsx"):
        response = client.get(
            reverse("reports:annual_report_download", args=[organisation.code, job.pk, fmt])
        )
        assert response.status_code == 200
        _assert_not_stored(response, fmt)
        assert b"".join(response.streaming_content)  # read to the end: the test client closes the file
    _assert_not_stored(
        client.get(reverse("reports:annual_report_page", args=[organisation.code, job.pk])), "page"
    )


def test_survey_pages_are_not_stored(client, db):
    invitation = InvitationFactory(round=RoundFactory(questionnaire=build_questionnaire(), status="open"))
    response = client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    _assert_not_stored(response, "link")
    _assert_not_stored(client.get(response["Location"]), "welcome page")
    _assert_not_stored(client.get(reverse("surveys:respond_page", args=[1])), "a page of statements")


def test_security_headers_and_http_only_cookies(client, org_admin):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in policy
    assert (
        "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies["csrftoken"]["httponly"]
    client.post(
        reverse("account_login"), {"login": org_admin.username, "password": "correct horse battery staple"}
    )
    assert client.cookies["sessionid"]["httponly"]


def test_static_files_keep_their_long_caching(client):
    response = client.get("/static/css/dimios.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert b"".join(response.streaming_content)


def test_a_path_with_a_nul_character_is_a_bad_request(client):
    assert client.get("/o/05%0080/").status_code == 400


# --- The client address behind proxies --------------------------------------------------------------


@pytest.fixture
def limited(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xff"}
    }
    settings.DIMIOS_UNKNOWN_TOKEN_LIMIT = 2
    from django.core.cache import caches

    caches["default"].clear()


def _unknown(client, forwarded: str, remote: str = "10.0.0.2"):
    return client.get(f"/s/{'q' * 43}/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote).status_code


def test_behind_one_proxy_the_limit_counts_the_address_the_proxy_saw(client, settings, limited):
    settings.DIMIOS_TRUSTED_PROXIES = 1
    # The client writes whatever it likes in front; the proxy appends the real address (203.0.113.5).
    assert _unknown(client, "198.51.100.1, 203.0.113.5") == 404
    assert _unknown(client, "198.51.100.2, 203.0.113.5") == 404
    assert _unknown(client, "198.51.100.3, 203.0.113.5") == 429, "a spoofed prefix must not evade the limit"
    assert _unknown(client, "203.0.113.9") == 404, "another client behind the same proxy is not refused"


def test_behind_two_proxies_the_outer_proxys_entry_is_the_client(client, settings, limited):
    settings.DIMIOS_TRUSTED_PROXIES = 2
    for _ in range(2):
        assert _unknown(client, "6.6.6.6, 203.0.113.5, 10.0.0.1") == 404
    assert _unknown(client, "7.7.7.7, 203.0.113.5, 10.0.0.1") == 429
    assert _unknown(client, "203.0.113.6, 10.0.0.1") == 404


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, settings, limited):
    settings.DIMIOS_TRUSTED_PROXIES = 0
    assert _unknown(client, "1.1.1.1") == 404
    assert _unknown(client, "2.2.2.2") == 404
    assert _unknown(client, "3.3.3.3") == 429, "the header must not let a client pick its own address"


# --- The Content-Security-Policy header built once (dimios_web.middleware.ContentSecurityPolicyMiddleware) --


def _through(middleware_class, response, request=None):
    request = request or RequestFactory().get("/enkat/")
    middleware = middleware_class(lambda r: response)
    return middleware(request)


def test_the_policy_built_once_is_django_csps_own_header():
    ours = _through(ContentSecurityPolicyMiddleware, HttpResponse("x"))
    theirs = _through(CSPMiddleware, HttpResponse("x"))
    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in ours["Content-Security-Policy"]


def test_the_policy_follows_a_change_of_the_settings(settings):
    middleware = ContentSecurityPolicyMiddleware(lambda r: HttpResponse("x"))
    request = RequestFactory().get("/")
    assert "img-src 'self' data: blob:" in middleware(request)["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert middleware(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"script-src": ["'self'"]}}
    response = middleware(RequestFactory().get("/"))
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_a_nonce_or_a_views_own_policy_goes_through_django_csp(settings):
    """What the fixed header cannot say (a nonce a template asked for, a view's @csp_update, @csp_exempt)
    is django-csp's own code: without that, a page using a nonce would be refused its own script."""
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}

    def asks_for_a_nonce(request):
        str(request.csp_nonce)  # what {{ request.csp_nonce }} in a template does
        return HttpResponse("x")

    request = RequestFactory().get("/")
    response = ContentSecurityPolicyMiddleware(asks_for_a_nonce)(request)
    assert f"'nonce-{request._csp_nonce}'" in response["Content-Security-Policy"]

    updated = HttpResponse("x")
    updated._csp_update = {"img-src": ["https://kartor.example"]}
    assert (
        "https://kartor.example"
        in _through(ContentSecurityPolicyMiddleware, updated)["Content-Security-Policy"]
    )

    exempt = HttpResponse("x")
    exempt._csp_exempt = True
    assert "Content-Security-Policy" not in _through(ContentSecurityPolicyMiddleware, exempt)


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(lambda r: HttpResponse("x"))(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)

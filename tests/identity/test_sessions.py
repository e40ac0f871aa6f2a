"""Staff sessions: idle and absolute timeouts, a deactivated user or a revoked role on the next request, and
respondents' survey sessions left alone."""

import time

import pytest
from django.urls import reverse

from dimios_web.identity import sessions
from surveys.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = time.time()

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(sessions, "now", lambda: clock.now)
    return clock


def _login(client, user):
    response = client.post("/konto/logga-in/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_staff_session_ends_after_the_idle_timeout(client, org_admin, organisation, clock, settings):
    settings.DIMIOS_SESSION_IDLE_MINUTES = 30
    _login(client, org_admin)
    url = reverse("surveys:organisation_detail", args=[organisation.code])
    clock.advance(29 * 60)
    assert client.get(url).status_code == 200
    clock.advance(29 * 60)  # active 29 minutes ago: still in
    assert client.get(url).status_code == 200
    clock.advance(31 * 60)
    response = client.get(url, follow=True)
    assert response.redirect_chain[0][0].startswith("/konto/logga-in/?next=")
    assert "Du loggades ut efter 30 minuter utan aktivitet" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(action="session.expired").details["reason"] == "idle"


def test_a_staff_session_ends_after_the_absolute_timeout_however_active(
    client, org_admin, organisation, clock, settings
):
    settings.DIMIOS_SESSION_ABSOLUTE_HOURS = 10
    _login(client, org_admin)
    url = reverse("surveys:organisation_detail", args=[organisation.code])
    for _ in range(20):  # ten hours of activity every half hour
        clock.advance(29 * 60)
        assert client.get(url).status_code == 200
    clock.advance(29 * 60)
    response = client.get(url, follow=True)
    assert "eftersom du hade varit inloggad i 10 timmar" in response.content.decode()
    assert AuditEvent.objects.get(action="session.expired").details["reason"] == "absolute"


def test_the_idle_timeout_can_be_configured_by_environment(monkeypatch):
    import importlib

    import dimios_web.settings as settings_module

    monkeypatch.setenv("DIMIOS_SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.DIMIOS_SESSION_IDLE_MINUTES == 5
    finally:
        monkeypatch.delenv("DIMIOS_SESSION_IDLE_MINUTES")
        importlib.reload(settings_module)


def test_a_deactivated_user_is_out_on_the_next_request(client, org_admin, organisation):
    _login(client, org_admin)
    url = reverse("surveys:organisation_detail", args=[organisation.code])
    assert client.get(url).status_code == 200
    org_admin.is_active = False
    org_admin.save()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_a_revoked_role_takes_effect_on_the_next_request(client, org_admin, organisation):
    _login(client, org_admin)
    url = reverse("surveys:department_list", args=[organisation.code])
    assert client.get(url).status_code == 200
    org_admin.role_assignments.all().delete()
    assert client.get(url).status_code == 404


def test_a_respondents_survey_session_is_not_touched_by_staff_timeouts(client, clock, settings):
    """An anonymous respondent's session holds the survey keys only; hours of pause do not end it here
    (the survey pages decide themselves)."""
    settings.DIMIOS_SESSION_IDLE_MINUTES = 1
    session = client.session
    session["dimios_respondent"] = {"round": 1, "draft": 2}
    session.save()
    clock.advance(10 * 3600)
    client.get("/enkat/")
    assert client.session.get("dimios_respondent") == {"round": 1, "draft": 2}
    assert sessions.STARTED_KEY not in client.session


def test_survey_keys_survive_a_staff_timeout_in_the_same_browser(client, org_admin, organisation, clock):
    _login(client, org_admin)
    session = client.session
    session["dimios_respondent"] = {"round": 1, "draft": 2}
    session.save()
    clock.advance(31 * 60)
    client.get(reverse("surveys:organisation_detail", args=[organisation.code]))
    assert "_auth_user_id" not in client.session
    assert client.session.get("dimios_respondent") == {"round": 1, "draft": 2}


def test_logging_out_is_audited(client, org_admin):
    _login(client, org_admin)
    client.post("/konto/logga-ut/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="logout", actor=org_admin).exists()

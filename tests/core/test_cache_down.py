"""A cache that can fail (issue 11): with Redis unreachable (the cache and the Celery broker point at a
closed port) the respondent's flow and every staff page still work; values are computed instead of read
from the cache. /readyz reports the database, the migrations and Redis separately, Redis as degraded."""

from __future__ import annotations

import json
import re
import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.core.walk import answer_whole_survey, crawl
from tests.demo_window import ensure_open_demo_round

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def redis_down(settings):
    """The production cache backend and the Celery broker, both at an address where nothing listens."""
    from dimios_web.celery import app
    from tests.conftest import _reset_celery_connections

    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "dimios_web.cache.DegradingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CACHE_URL = url
    previous = {k: app.conf.get(k) for k in ("broker_url", "task_always_eager")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _reset_celery_connections(app)
    caches["default"].clear()  # harmless: the degrading backend skips it
    yield url
    _reset_celery_connections(app)
    app.conf.update(previous)


@pytest.fixture
def demo_world(db, settings, tmp_path):
    from dimios_web.demo.load import load_demo_data

    settings.MEDIA_ROOT = tmp_path / "media"
    summary = load_demo_data()
    ensure_open_demo_round(summary)  # also between the national windows
    return summary


def test_every_staff_page_works_with_redis_down(client, demo_world, redis_down):
    logins = [username for username, _description in demo_world["logins"]]
    from django.contrib.auth import get_user_model

    visited = {}
    for username in logins:
        client.force_login(get_user_model().objects.get(username=username))
        pages = crawl(client, "/")
        errors = {path: status for path, status in pages.items() if status >= 500}
        assert not errors, f"{username}: {errors}"
        visited[username] = pages
        client.logout()
    dashboards = [p for pages in visited.values() for p in pages if "/resultat/" in p]
    downloads = [p for pages in visited.values() for p in pages if "export." in p or "download." in p]
    assert dashboards and downloads, "the walk must reach the dashboards and the downloads"
    not_shown = {
        (u, p, status)
        for u, pages in visited.items()
        for p, status in pages.items()
        if p in dashboards + downloads and status not in (200, 302)
    }
    assert not not_shown


def test_the_respondent_flow_works_with_redis_down(client, demo_world, redis_down):
    link = re.search(r"(/s/[\w-]+/)", " ".join(demo_world["notes"]))
    assert link, demo_world["notes"]
    steps = answer_whole_survey(client, link.group(1))
    assert all(status < 500 for _step, status in steps), steps
    assert steps[-1] == ("receipt", 200), steps
    # an unknown link: the rate limit cannot be counted, the visitor still gets the plain 404
    assert client.get(f"/s/{'z' * 43}/").status_code == 404


def test_the_closed_round_page_of_a_respondent_shows_results_with_redis_down(
    client, organisation, redis_down
):
    from tests.factories import InvitationFactory, issue_link_token
    from tests.reports.conftest import make_closed_round

    round_ = make_closed_round(organisation)
    invitation = InvitationFactory(round=round_, department=organisation.departments.first())
    response = client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]), follow=True)
    assert response.status_code == 200
    # The summary of the stored results is on the page (maturity's round_results tag since issue 13).
    assert 'id="results-title"' in response.content.decode()


def test_staff_log_in_with_redis_down_also_with_a_second_factor(client, demo_world, redis_down):
    """The login form (allauth's rate-limit lock and the used-code marker of TOTP live in the cache)."""
    from dimios_web.demo.identity import current_code
    from dimios_web.demo.load import DEMO_PASSWORD

    response = client.post(
        reverse("account_login"), {"login": "digistab@linkoping.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    client.logout()
    response = client.post(reverse("account_login"), {"login": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": current_code()})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/admin/").status_code == 200


def test_sending_reminders_with_redis_down_saves_the_sending_and_answers(
    client, demo_world, redis_down, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from surveys.models import ReminderRun, Round

    admin = get_user_model().objects.get(username="digistab@linkoping.example")
    client.force_login(admin)
    open_round = Round.objects.filter(status=Round.Status.OPEN).first()
    assert open_round is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("surveys:round_remind", args=[open_round.organisation.code, open_round.pk])
        )
    assert response.status_code == 302
    assert callbacks, "the sending is handed to the broker after the commit"
    run = ReminderRun.objects.get(round=open_round, requested_by=admin)
    assert run.status == ReminderRun.Status.QUEUED  # the periodic job sends it when the broker is back
    assert client.get(response["Location"]).status_code == 200


def test_readyz_reports_each_part_and_redis_as_degraded(client, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ready", "database": "ok", "migrations": "ok", "redis": "degraded"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.redis
def test_readyz_says_redis_is_ok_when_it_answers(client, settings, redis_url):
    settings.CACHE_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    body = json.loads(client.get("/readyz").content)
    assert body["redis"] == "ok"


def test_readyz_without_redis_configured_says_so(client, settings):
    settings.CACHE_URL = None
    settings.CELERY_BROKER_URL = None
    body = json.loads(client.get("/readyz/").content)
    assert body["redis"] == "not configured" and body["status"] == "ready"


def test_readyz_is_not_ready_with_migrations_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("pending", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["migrations"] == "pending"


def test_the_degrading_cache_does_not_retry_an_unreachable_redis_on_every_call(settings, redis_down):
    from dimios_web import cache as degrading

    backend = caches["default"]
    assert isinstance(backend, degrading.DegradingRedisCache)
    degrading._down_until.clear()
    calls = []
    real = backend._cache.get_client

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    backend._cache.get_client = counting
    assert backend.get("x", "computed") == "computed"
    backend.set("x", 1)
    assert backend.get("x") is None
    assert len(calls) == 1, "after one failure the cache is left alone for a while"
    assert backend.add("y", 1) is True  # a lock or marker in an unreachable cache guards nothing
    with pytest.raises(degrading.CacheUnavailable):
        backend.incr("y")

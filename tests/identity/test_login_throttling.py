"""Password logins: the product's own login page, throttling per account and per client address on a real
Redis (delay, then a lock that runs out), audited failures, Django admin's login through the same page, and
password reset rate-limited."""

import time
import uuid

import pytest
from django.core import mail

from dimios_web.identity import throttle
from surveys.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"


@pytest.fixture
def redis_cache(settings, redis_url):
    """The site's cache on the real Redis server, under a key prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    from django.core.cache import cache

    yield cache
    # Only this test's keys: ``cache.clear()`` is FLUSHDB, which would also wipe the keys of another test
    # run using the same Redis database at the same moment (seen: two suites on one machine).
    import redis as redis_lib

    raw = redis_lib.Redis.from_url(redis_url)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by the test instead of sleeping."""

    class Clock:
        now = time.time()

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(throttle, "now", lambda: clock.now)
    return clock


def _try(client, login, password, address="192.0.2.10"):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_is_the_products_own_in_swedish(client):
    response = client.get(LOGIN)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Logga in med din organisations konto" in text and "Glömt lösenordet?" in text
    assert "E-postadress eller användarnamn" in text
    assert "Django" not in text


def test_a_staff_user_logs_in_with_e_mail_and_password_and_the_login_is_audited(client, org_admin):
    response = _try(client, "Alice.Admin@kommun.example", PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    event = AuditEvent.objects.get(action="login.succeeded")
    assert (
        event.actor == org_admin and event.organisation_id == org_admin.role_assignments.get().organisation_id
    )
    assert event.details == {"method": "password", "address": "192.0.2.10"}


def test_the_session_key_is_renewed_at_login(client, org_admin):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    _try(client, org_admin.email, PASSWORD)
    assert client.session.session_key != before


def test_a_wrong_password_is_refused_with_a_swedish_message_and_audited(client, org_admin):
    response = _try(client, org_admin.email, "fel lösenord")
    assert response.status_code == 200 and not _logged_in(client)
    assert "E-postadressen eller användarnamnet och lösenordet stämmer inte." in response.content.decode()
    event = AuditEvent.objects.get(action="login.failed")
    assert event.actor == org_admin and event.details["reason"] == "password"
    assert event.target == org_admin.email


def test_repeated_failures_bring_a_delay_then_a_lock_that_runs_out(
    client, org_admin, redis_cache, clock, settings
):
    settings.DIMIOS_LOGIN_DELAY_AFTER = 2
    settings.DIMIOS_LOGIN_LOCK_AFTER = 4
    settings.DIMIOS_LOGIN_LOCK_SECONDS = 300
    for _ in range(2):
        _try(client, org_admin.email, "fel")
        clock.advance(1)
    # After two failures: a delay. Even the right password is not checked during it.
    response = _try(client, org_admin.email, PASSWORD)
    assert not _logged_in(client)
    assert "Vänta 1 sekund innan du försöker igen." in response.content.decode(), response.content.decode()[
        2000:5000
    ]
    clock.advance(5)
    _try(client, org_admin.email, "fel")
    clock.advance(10)
    response = _try(client, org_admin.email, "fel")  # the fourth failure locks the account
    assert "Kontot är spärrat i 5 minuter" in response.content.decode()
    assert AuditEvent.objects.filter(action="login.locked", actor=org_admin).count() == 1
    clock.advance(120)
    response = _try(client, org_admin.email, PASSWORD)
    assert not _logged_in(client) and "Kontot är spärrat i 3 minuter" in response.content.decode()
    clock.advance(181)  # the lock has run out
    response = _try(client, org_admin.email, PASSWORD)
    assert _logged_in(client), response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="login.failed", actor=org_admin).count() == 4


def test_the_lock_is_kept_in_redis_and_expires_there_by_itself(client, org_admin, redis_cache, settings):
    settings.DIMIOS_LOGIN_DELAY_AFTER = 5
    settings.DIMIOS_LOGIN_LOCK_AFTER = 2
    settings.DIMIOS_LOGIN_LOCK_SECONDS = 3
    settings.DIMIOS_LOGIN_WINDOW = 3
    _try(client, org_admin.email, "fel")
    _try(client, org_admin.email, "fel")
    import redis as redis_lib

    raw = redis_lib.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = raw.keys(f"{settings.CACHES['default']['KEY_PREFIX']}*dimios:login:account:*")
    assert len(keys) == 1 and 0 < raw.pttl(keys[0]) <= 3000
    assert "spärrat" in _try(client, org_admin.email, PASSWORD).content.decode()
    time.sleep(3.2)
    assert raw.exists(keys[0]) == 0
    _try(client, org_admin.email, PASSWORD)
    assert _logged_in(client)


def test_one_client_address_meets_a_ceiling_across_accounts(client, org_admin, redis_cache, clock, settings):
    settings.DIMIOS_LOGIN_ADDRESS_LIMIT = 5
    for n in range(5):
        _try(client, f"guess{n}@kommun.example", "fel", address="198.51.100.7")
    response = _try(client, org_admin.email, PASSWORD, address="198.51.100.7")
    assert not _logged_in(client)
    assert "För många misslyckade inloggningar från ditt nätverk" in response.content.decode()
    # Someone else, from another address, is not affected.
    _try(client, org_admin.email, PASSWORD, address="203.0.113.9")
    assert _logged_in(client)


def test_a_successful_login_clears_the_accounts_count_but_not_the_addresss(
    client, org_admin, clock, settings
):
    settings.DIMIOS_LOGIN_DELAY_AFTER = 3
    _try(client, org_admin.email, "fel")
    _try(client, org_admin.email, "fel")
    _try(client, org_admin.email, PASSWORD)
    assert throttle.failures(org_admin.email) == 0


def test_an_organisation_that_switched_passwords_off_sends_its_staff_to_single_sign_on(client, org_admin):
    from dimios_web.identity.models import OrganisationLogin

    OrganisationLogin.objects.create(
        organisation=org_admin.role_assignments.get().organisation,
        protocol="oidc",
        allowed_domains="kommun.example",
        oidc_issuer="https://login.example/tenant/v2.0",
        oidc_client_id="x",
        oidc_client_secret="y",
        local_passwords_allowed=False,
    )
    response = _try(client, org_admin.email, PASSWORD)
    assert not _logged_in(client)
    assert "Din organisation loggar in via sin egen inloggningstjänst" in response.content.decode()
    assert AuditEvent.objects.get(action="login.failed").details["reason"] == "sso_only"
    # No reset link for them either (the page says the same as for any address).
    response = client.post("/konto/aterstall/", {"email": org_admin.email})
    assert response.status_code == 302 and mail.outbox == []


def test_django_admins_login_page_sends_to_the_products_login(client, platform_admin):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=/admin/")
    # Credentials posted to the admin's own login are not accepted there.
    response = client.post("/admin/login/", {"username": platform_admin.username, "password": PASSWORD})
    assert response.status_code == 302 and not _logged_in(client)


def test_a_logged_in_user_who_is_not_a_platform_admin_gets_no_admin_login_form(client, org_admin):
    client.force_login(org_admin)
    assert client.get("/admin/login/").status_code == 403


def test_the_password_reset_e_mail_is_the_products_own(client, org_admin):
    response = client.post("/konto/aterstall/", {"email": org_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Välj ett nytt lösenord för DiMiOS digital mognad"
    assert "/konto/aterstall/nyckel/" in message.body and "DiMiOS" in message.body
    assert "Django" not in message.body
    link = next(line for line in message.body.splitlines() if "/konto/aterstall/nyckel/" in line).strip()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path, follow=True)
    assert "Välj ett lösenord" in page.content.decode()
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else path,
        {"password1": "ett helt nytt lösenord 42", "password2": "ett helt nytt lösenord 42"},
    )
    assert done.status_code == 302
    org_admin.refresh_from_db()
    assert org_admin.check_password("ett helt nytt lösenord 42")
    assert AuditEvent.objects.filter(action="password.changed", actor=org_admin).exists()


def test_password_reset_requests_are_rate_limited(client, org_admin, redis_cache):
    statuses = [client.post("/konto/aterstall/", {"email": org_admin.email}).status_code for _ in range(4)]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429 or len(mail.outbox) == 3
    assert len(mail.outbox) == 3

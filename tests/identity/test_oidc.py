"""Single sign-on with OpenID Connect against a real provider running on loopback (not a mock of allauth or of
the HTTP client): the provider signs real ID tokens, our side fetches its discovery document, exchanges the
code and checks the token."""

import time

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from surveys.models import AuditEvent, RoleAssignment

from .conftest import sso_round_trip

pytestmark = pytest.mark.django_db


def _logged_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def test_a_staff_user_logs_in_with_the_organisations_provider(client, org_admin, oidc_login, oidc_provider):
    response = sso_round_trip(client, oidc_provider, email="alice.admin@kommun.example", sub="alice-sub")
    assert response.status_code == 200
    assert _logged_in_as(client) == org_admin
    assert SocialAccount.objects.get(user=org_admin).uid == "alice-sub"
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor == org_admin and event.details["method"] == "sso"
    assert event.organisation_id == oidc_login.organisation_id


def test_the_second_login_uses_the_linked_account_again(client, org_admin, oidc_login, oidc_provider):
    sso_round_trip(client, oidc_provider, email="alice.admin@kommun.example", sub="alice-sub")
    client.post("/konto/logga-ut/")
    assert _logged_in_as(client) is None
    sso_round_trip(client, oidc_provider, email="alice.admin@kommun.example", sub="alice-sub")
    assert _logged_in_as(client) == org_admin
    assert SocialAccount.objects.filter(user=org_admin).count() == 1


def test_a_token_for_another_audience_is_refused(client, org_admin, oidc_login, oidc_provider):
    response = sso_round_trip(
        client, oidc_provider, email="alice.admin@kommun.example", aud="some-other-service"
    )
    assert _logged_in_as(client) is None
    assert "Inloggningen misslyckades" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="login.sso_refused", organisation=oidc_login.organisation
    ).exists()


def test_an_expired_token_is_refused(client, org_admin, oidc_login, oidc_provider):
    past = int(time.time()) - 3600
    response = sso_round_trip(
        client, oidc_provider, email="alice.admin@kommun.example", exp=past, iat=past - 60
    )
    assert _logged_in_as(client) is None
    assert "Inloggningen misslyckades" in response.content.decode()


def test_an_address_outside_the_organisations_domains_is_refused_with_a_message(
    client, org_admin, oidc_login, oidc_provider
):
    users_before = get_user_model().objects.count()
    # The provider vouches for an address of another domain (e.g. a guest account in the tenant).
    oidc_provider.set_user("guest", email="mallory@elsewhere.example", email_verified=True)
    start = client.post("/konto/sso/", {"email": "alice.admin@kommun.example"})
    back = oidc_provider.authorize(start["Location"], "guest")
    from urllib.parse import urlsplit

    parts = urlsplit(back)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403
    text = response.content.decode()
    assert "mallory@elsewhere.example är inte en adress hos Linköpings kommun" in text
    assert _logged_in_as(client) is None
    assert get_user_model().objects.count() == users_before
    event = AuditEvent.objects.get(action="login.sso_refused")
    assert event.details["reason"] == "domain" and event.target == "mallory@elsewhere.example"


def test_an_address_of_another_organisation_is_told_to_use_its_own(
    client, org_admin, outsider, oidc_login, oidc_provider, other_organisation
):
    from dimios_web.identity.models import OrganisationLogin

    OrganisationLogin.objects.create(
        organisation=other_organisation,
        protocol="oidc",
        allowed_domains="annan.example",
        oidc_issuer=oidc_provider.url,
        oidc_client_id="other-client",
        oidc_client_secret="x",
    )
    oidc_provider.set_user("charlie", email="charlie.other@annan.example", email_verified=True)
    start = client.post("/konto/sso/", {"email": "alice.admin@kommun.example"})
    back = oidc_provider.authorize(start["Location"], "charlie")
    from urllib.parse import urlsplit

    parts = urlsplit(back)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403
    assert "hör till Stockholms kommun, inte till Linköpings kommun" in response.content.decode()
    assert _logged_in_as(client) is None


def test_a_user_without_a_role_is_refused_and_gets_no_role(client, no_role_user, oidc_login, oidc_provider):
    response = sso_round_trip(client, oidc_provider, email="nobody@kommun.example")
    assert response.status_code == 403
    assert "har ingen roll i Linköpings kommun" in response.content.decode()
    assert _logged_in_as(client) is None
    assert not RoleAssignment.objects.filter(user=no_role_user).exists()
    assert AuditEvent.objects.get(action="login.sso_refused").details["reason"] == "no_role"


def test_an_unknown_address_in_the_domain_creates_no_account(client, organisation, oidc_login, oidc_provider):
    users_before = get_user_model().objects.count()
    response = sso_round_trip(client, oidc_provider, email="new.person@kommun.example")
    assert response.status_code == 403
    assert "Det finns inget personalkonto för new.person@kommun.example" in response.content.decode()
    assert get_user_model().objects.count() == users_before


def test_an_unverified_address_is_refused_unless_the_organisation_trusts_its_provider(
    client, org_admin, oidc_login, oidc_provider
):
    response = sso_round_trip(client, oidc_provider, email="alice.admin@kommun.example", email_verified=False)
    assert response.status_code == 403 and _logged_in_as(client) is None
    oidc_login.require_verified_email = False
    oidc_login.save()
    sso_round_trip(client, oidc_provider, email="alice.admin@kommun.example", email_verified=False)
    assert _logged_in_as(client) == org_admin


def test_an_address_without_single_sign_on_is_sent_back_to_the_password_form(client, org_admin):
    response = client.post("/konto/sso/", {"email": "alice.admin@kommun.example"}, follow=True)
    assert "Ingen organisation här har gemensam inloggning för alice.admin@kommun.example" in (
        response.content.decode()
    )

"""Single sign-on with SAML 2.0: a real signed-assertion flow through the ACS endpoint. The test IdP signs its
assertions with its own key (xmlsec); allauth's SAML provider (python3-saml) validates signature, audience,
recipient, InResponseTo and times for real."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from surveys.models import AuditEvent

from .saml_idp import ENTITY_ID, SSO_URL, LocalIdP, _key_and_certificate

pytestmark = pytest.mark.django_db

HOST = "dimios.kommun.example"
SP_ENTITY_ID = f"http://{HOST}/konto/saml/0580/metadata/"


@pytest.fixture
def client(client, settings):
    """The site at a real host name (SAML refuses single-label hosts such as "testserver")."""
    settings.ALLOWED_HOSTS = [HOST]
    client.defaults["HTTP_HOST"] = HOST
    return client


@pytest.fixture(scope="module")
def idp():
    return LocalIdP()


@pytest.fixture
def saml_login(db, organisation, idp):
    from dimios_web.identity.models import OrganisationLogin

    return OrganisationLogin.objects.create(
        organisation=organisation,
        protocol=OrganisationLogin.Protocol.SAML,
        allowed_domains="kommun.example",
        saml_idp_entity_id=ENTITY_ID,
        saml_idp_sso_url=SSO_URL,
        saml_idp_certificate=idp.certificate,
    )


def _logged_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def _login(client, idp, *, email, **options):
    start = client.post("/konto/sso/", {"email": "alice.admin@kommun.example"})
    assert start.status_code == 302, start.content[:300]
    request = idp.read_request(start["Location"])
    assert request.acs_url == f"http://{HOST}/konto/saml/0580/acs/"
    options.setdefault("audience", SP_ENTITY_ID)
    posted = client.post(
        urlsplit(request.acs_url).path,
        {"SAMLResponse": idp.response(request, email=email, **options), "RelayState": request.relay_state},
    )
    assert posted.status_code == 302  # to finish/, with the request kept in a cookie (SameSite)
    return client.get(posted["Location"], follow=True)


def test_a_staff_user_logs_in_with_a_signed_assertion(client, org_admin, saml_login, idp):
    response = _login(client, idp, email="alice.admin@kommun.example")
    assert response.status_code == 200
    assert _logged_in_as(client) == org_admin
    assert AuditEvent.objects.get(action="login.succeeded").details["method"] == "sso"


def test_an_assertion_signed_with_another_key_is_refused(client, org_admin, saml_login, idp):
    key, certificate = _key_and_certificate("attacker")
    response = _login(
        client, idp, email="alice.admin@kommun.example", signing_key=key, signing_certificate=certificate
    )
    assert _logged_in_as(client) is None
    assert response.status_code in (200, 401)
    assert "Inloggningen misslyckades" in response.content.decode()


def test_an_assertion_for_another_service_is_refused(client, org_admin, saml_login, idp):
    _login(client, idp, email="alice.admin@kommun.example", audience="https://other-service.example/")
    assert _logged_in_as(client) is None


def test_an_expired_assertion_is_refused(client, org_admin, saml_login, idp):
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
    _login(client, idp, email="alice.admin@kommun.example", not_on_or_after=past)
    assert _logged_in_as(client) is None


def test_an_address_outside_the_domains_is_refused(client, org_admin, saml_login, idp):
    response = _login(client, idp, email="eve@elsewhere.example")
    assert response.status_code == 403
    assert "eve@elsewhere.example är inte en adress hos Linköpings kommun" in response.content.decode()
    assert _logged_in_as(client) is None


def test_a_user_without_a_role_is_refused(client, no_role_user, saml_login, idp):
    response = _login(client, idp, email="nobody@kommun.example")
    assert response.status_code == 403
    assert _logged_in_as(client) is None


def test_the_service_publishes_its_metadata_for_the_idp(client, saml_login):
    response = client.get("/konto/saml/0580/metadata/")
    assert response.status_code == 200
    assert f"http://{HOST}/konto/saml/0580/acs/".encode() in response.content

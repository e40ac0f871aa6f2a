"""The organisation admin's login settings (second factor, passwords off) and the platform admin's single
sign-on configuration in Django admin, each change audited."""

import pytest
from django.urls import reverse

from dimios_web.identity.models import OrganisationLogin
from surveys.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_org_admin_requires_a_second_factor_for_their_staff(client, org_admin, organisation):
    client.force_login(org_admin)
    url = reverse("identity:security_settings", args=[organisation.code])
    assert "Inloggning och säkerhet" in client.get(url).content.decode()
    response = client.post(url, {"mfa_required": "on", "local_passwords_allowed": "on"})
    assert response.status_code == 302
    assert OrganisationLogin.objects.get(organisation=organisation).mfa_required
    event = AuditEvent.objects.get(action="settings.security_changed")
    assert event.actor == org_admin and event.details == {"changes": ["mfa_required=True"]}


def test_passwords_cannot_be_switched_off_without_single_sign_on(client, org_admin, organisation):
    client.force_login(org_admin)
    url = reverse("identity:security_settings", args=[organisation.code])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Lösenord kan bara stängas av när gemensam inloggning är inställd" in response.content.decode()
    assert not OrganisationLogin.objects.filter(
        organisation=organisation, local_passwords_allowed=False
    ).exists()
    assert not AuditEvent.objects.filter(action="settings.security_changed").exists()


def test_the_platform_admin_configures_single_sign_on_and_the_secret_is_not_logged(
    client, platform_admin, organisation
):
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:identity_organisationlogin_add"),
        {
            "organisation": organisation.pk,
            "protocol": "oidc",
            "allowed_domains": "linkoping.se",
            "require_verified_email": "",
            "oidc_issuer": "https://login.microsoftonline.com/tenant-id/v2.0",
            "oidc_client_id": "client-id",
            "oidc_client_secret": "very-secret-value",
            "saml_email_attribute": "",
            "local_passwords_allowed": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = OrganisationLogin.objects.get(organisation=organisation)
    assert row.sso_enabled and row.oidc_client_secret == "very-secret-value"
    event = AuditEvent.objects.get(action="settings.sso_changed")
    assert "very-secret-value" not in str(event.details) and "oidc_client_secret" in event.details["changes"]


def test_single_sign_on_needs_its_fields(client, platform_admin, organisation):
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:identity_organisationlogin_add"),
        {
            "organisation": organisation.pk,
            "protocol": "oidc",
            "allowed_domains": "",
            "local_passwords_allowed": "on",
        },
    )
    assert response.status_code == 200
    assert not OrganisationLogin.objects.exists()

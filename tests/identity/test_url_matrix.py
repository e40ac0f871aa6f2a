"""Every URL of the account pages (allauth's views under /konto/ and the product's own), for every kind of
visitor. A new URL added to dimios_web/identity/urls.py without a row here fails the first test."""

import pytest
from django.urls import reverse

from dimios_web.identity.urls import account_urlpatterns

pytestmark = pytest.mark.django_db

# name -> (kwargs, what an anonymous visitor's GET gets)
PUBLIC = 200  # open to everyone
LOGIN = "login"  # sent to the login page
NOT_FOUND = 404
MATRIX = {
    "account_login": ({}, PUBLIC),
    "account_logout": ({}, 302),  # nobody to log out: back to the login page
    "account_inactive": ({}, PUBLIC),
    "account_signup": ({}, NOT_FOUND),
    "account_reauthenticate": ({}, LOGIN),
    "account_change_password": ({}, LOGIN),
    "account_set_password": ({}, LOGIN),
    "account_reset_password": ({}, PUBLIC),
    "account_reset_password_done": ({}, PUBLIC),
    "account_reset_password_from_key": ({"uidb36": "zz", "key": "bad-key"}, PUBLIC),
    "account_reset_password_from_key_done": ({}, PUBLIC),
    "mfa_index": ({}, LOGIN),
    "mfa_authenticate": ({}, 302),  # only inside a login in progress
    "mfa_reauthenticate": ({}, LOGIN),
    "mfa_activate_totp": ({}, LOGIN),
    "mfa_deactivate_totp": ({}, LOGIN),
    "mfa_view_recovery_codes": ({}, LOGIN),
    "mfa_generate_recovery_codes": ({}, LOGIN),
    "mfa_download_recovery_codes": ({}, LOGIN),
    "sso_start": ({}, 405),  # POST only
    "socialaccount_login_error": ({}, 401),  # the "login failed" page
    "socialaccount_login_cancelled": ({}, PUBLIC),
    "socialaccount_signup": ({}, NOT_FOUND),
    "socialaccount_connections": ({}, NOT_FOUND),
    "openid_connect_login": ({"provider_id": "org-9999"}, NOT_FOUND),  # no such organisation login
    "openid_connect_callback": ({"provider_id": "org-9999"}, NOT_FOUND),
    "saml_acs": ({"organization_slug": "9999"}, 302),  # stores the POST, then finish/ answers 404
    "saml_finish_acs": ({"organization_slug": "9999"}, NOT_FOUND),
    "saml_sls": ({"organization_slug": "9999"}, NOT_FOUND),
    "saml_metadata": ({"organization_slug": "9999"}, NOT_FOUND),
    "saml_login": ({"organization_slug": "9999"}, NOT_FOUND),
}


def test_every_account_url_is_in_the_matrix():
    names = {pattern.name for pattern in account_urlpatterns}
    assert names == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_what_an_anonymous_visitor_gets(client, name):
    kwargs, expected = MATRIX[name]
    response = client.get(reverse(name, kwargs=kwargs))
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/konto/"), response
        assert "logga-in" in response["Location"] or "bekrafta" in response["Location"]
    else:
        assert response.status_code == expected, (name, response.status_code)


@pytest.mark.parametrize("persona", ["org_admin", "dept_rep", "management", "no_role_user"])
def test_a_staff_users_own_account_pages_open_for_any_role(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for name in ("account_change_password", "mfa_index", "mfa_activate_totp"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 302), (name, response.status_code)
        if response.status_code == 302:  # allauth asks to confirm the password first
            assert response["Location"].startswith("/konto/bekrafta/")


def test_the_platform_admin_reaches_the_admin_with_a_second_factor(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:identity_organisationlogin_add")).status_code == 200

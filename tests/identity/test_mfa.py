"""The second factor without a browser: who must have one, logging in with a code, a wrong code, a recovery
code. (The Chromium journey is in test_browser_identity.py.)"""

import pyotp
import pytest

from dimios_web.identity.models import OrganisationLogin
from surveys.models import AuditEvent
from tests.conftest import PASSWORD, TOTP_SECRET, enrol_totp

pytestmark = pytest.mark.django_db


def _password_step(client, user):
    return client.post("/konto/logga-in/", {"login": user.username, "password": PASSWORD})


def test_a_platform_admin_without_a_second_factor_must_set_one_up_first(client, db):
    from tests.factories import UserFactory

    admin = UserFactory(username="new.root@plattform.example", is_staff=True, is_superuser=True)
    assert _password_step(client, admin).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/tvafaktor/app/")
    assert client.get("/konto/tvafaktor/app/").status_code == 200


def test_organisation_staff_must_set_up_a_second_factor_when_their_organisation_requires_it(
    client, org_admin, organisation
):
    home = client.get("/")
    _password_step(client, org_admin)
    assert client.get("/").status_code == 200
    OrganisationLogin.objects.create(organisation=organisation, mfa_required=True)
    response = client.get("/")
    assert response.status_code == 302 and "/konto/tvafaktor/app/" in response["Location"]
    assert home.status_code == 302


def test_login_with_a_code_a_wrong_code_and_a_recovery_code(client, org_admin):
    enrol_totp(org_admin)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(org_admin).get_unused_codes()
    response = _password_step(client, org_admin)
    assert response["Location"] == "/konto/tvafaktor/kod/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/konto/tvafaktor/kod/", {"code": "000000"})
    assert "Koden stämmer inte" in wrong.content.decode(), wrong.content.decode()[1200:2600]
    assert AuditEvent.objects.get(action="login.failed").details["reason"] == "mfa"
    ok = client.post("/konto/tvafaktor/kod/", {"code": pyotp.TOTP(TOTP_SECRET).now()})
    assert ok.status_code == 302 and "_auth_user_id" in client.session
    assert AuditEvent.objects.get(action="login.succeeded").details["method"] == "password+mfa"
    client.post("/konto/logga-ut/")
    _password_step(client, org_admin)
    assert client.post("/konto/tvafaktor/kod/", {"code": codes[0]}).status_code == 302
    assert "_auth_user_id" in client.session

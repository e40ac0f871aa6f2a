"""The second factor in Chromium: set up an authenticator app, log in with a code, a wrong code, a recovery
code (TOTP codes are computed here from the key the page shows). axe-core checks every identity page."""

import time

import pyotp
import pytest

from tests.conftest import PASSWORD, assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_login(page, live_server, user):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("E-postadress eller användarnamn").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_load_state()


def _logout(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()


def _next_code(secret: str) -> str:
    """A code of the next 30-second step (the current one was used for enrolment and cannot be reused)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_enrol_then_log_in_with_a_code_a_wrong_code_and_a_recovery_code(
    page, live_server, org_admin, settings
):
    settings.MFA_TOTP_TOLERANCE = 1  # the next step's code is accepted too, so the test need not wait 30 s
    _password_login(page, live_server, org_admin)
    page.goto(f"{live_server.url}/konto/tvafaktor/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Koppla en autentiseringsapp").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Koppla en autentiseringsapp").is_visible()
    assert_no_axe_violations(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Kod från autentiseringsappen").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Aktivera").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Reservkoder").is_visible()
    assert_no_axe_violations(page)
    recovery_codes = [code.strip() for code in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(recovery_codes) == 10
    _logout(page)

    # A wrong code, then the right one.
    _password_login(page, live_server, org_admin)
    assert page.get_by_role("heading", name="Tvåfaktorsinloggning").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Kod från autentiseringsappen eller en reservkod").fill("000000")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.get_by_text("Koden stämmer inte.").is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Kod från autentiseringsappen eller en reservkod").fill(_next_code(secret))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    _logout(page)

    # A recovery code instead of the app.
    _password_login(page, live_server, org_admin)
    page.get_by_label("Kod från autentiseringsappen eller en reservkod").fill(recovery_codes[0])
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"
    # The same recovery code does not work twice.
    _logout(page)
    _password_login(page, live_server, org_admin)
    page.get_by_label("Kod från autentiseringsappen eller en reservkod").fill(recovery_codes[0])
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    assert page.get_by_text("Koden stämmer inte.").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/konto/logga-in/",
        "/konto/aterstall/",
        "/konto/aterstall/skickat/",
        "/konto/aterstall/nyckel/zz-bad-key/",
        "/konto/aterstall/klart/",
        "/konto/inaktivt/",
        "/konto/sso/fel/",
        "/konto/sso/avbruten/",
    ],
)
def test_public_identity_pages_have_no_wcag_violations(page, live_server, db, path):
    page.goto(f"{live_server.url}{path}")
    assert page.locator("html").get_attribute("lang") == "sv-SE"
    assert_no_axe_violations(page)


def test_staff_identity_pages_have_no_wcag_violations(
    page, live_server, org_admin, organisation, browser_login
):
    from surveys.services.audit import record_event

    record_event(
        action="round.opened",
        organisation=organisation,
        actor=org_admin,
        target="VT 2026",
        details={"invitations": 12},
    )
    browser_login(page, org_admin)
    for path in (
        "/konto/losenord/",
        "/konto/logga-ut/",
        "/konto/bekrafta/",
        f"/o/{organisation.code}/inloggning/",
        f"/o/{organisation.code}/logg/",
        f"/o/{organisation.code}/logg/?action=login.failed&date_from=2026-03-05&date_to=2026-03-01",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/o/{organisation.code}/logg/")
    assert page.get_by_text("Öppnade mätomgången VT 2026 (12 inbjudningar)").is_visible()


def test_the_refusal_page_of_single_sign_on_has_no_wcag_violations(
    page, live_server, no_role_user, organisation
):
    from oidc_provider_mock import run_server_in_thread

    from dimios_web.identity.models import OrganisationLogin
    from tests.identity.conftest import OIDCProvider

    with run_server_in_thread() as server:
        provider = OIDCProvider(url=f"http://localhost:{server.server_port}")
        OrganisationLogin.objects.create(
            organisation=organisation,
            protocol="oidc",
            allowed_domains="kommun.example",
            oidc_issuer=provider.url,
            oidc_client_id="dimios-test",
            oidc_client_secret="x",
        )
        provider.set_user("nobody", email="nobody@kommun.example", email_verified=True)
        page.goto(f"{live_server.url}/konto/logga-in/")
        page.get_by_label("Din e-postadress på jobbet").fill("nobody@kommun.example")
        page.get_by_role("button", name="Fortsätt till din organisations inloggning").click()
        page.wait_for_load_state()
        # The provider's own page: pick the user.
        page.locator("input[name=sub]").fill("nobody")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Inloggningen nekades").is_visible()
        assert page.get_by_text("har ingen roll i Linköpings kommun").is_visible()
        assert_no_axe_violations(page)

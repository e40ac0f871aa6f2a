"""The identity part of `make run`'s demo: the login settings of the demo municipality and an authenticator
app for the demo platform admin (platform admins must log in with a second factor, in the demo too).

The platform admin's authenticator key is published (below, and printed by `load_demo_data`): add it to any
authenticator app, or run `manage.py demo_totp_code` for the current code. It is a demo key for a local demo
only; `demo_totp_code` refuses to run unless DJANGO_DEBUG=1."""

from __future__ import annotations

import time

from django.db import transaction

from dimios_web.identity.models import OrganisationLogin
from surveys.models import Organisation

DEMO_TOTP_SECRET = "DEMODIMIOSPLATFORMADMINKEYXYZABC"


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@transaction.atomic
def load_demo_identity(summary: dict) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth import get_user_model

    organisation: Organisation = summary["organisation"]
    OrganisationLogin.objects.get_or_create(organisation=organisation)
    admin = get_user_model().objects.get(username="admin")
    if not Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(admin, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(admin)
    summary["notes"].append(
        "The platform admin (admin) also needs a code from an authenticator app: add the key "
        f"{DEMO_TOTP_SECRET} to one, or run `.venv/bin/python manage.py demo_totp_code` for the current code."
    )

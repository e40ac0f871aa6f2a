"""Staff session timeouts: idle (``DIMIOS_SESSION_IDLE_MINUTES``, default 30) and absolute
(``DIMIOS_SESSION_ABSOLUTE_HOURS``, default 10). Only logged-in staff have these timestamps: a respondent's
session (anonymous, the survey pages' own keys) is never touched by them."""

from __future__ import annotations

import time

from django.conf import settings

STARTED_KEY = "dimios_staff_since"
SEEN_KEY = "dimios_staff_seen"
METHOD_KEY = "dimios_staff_login"
# Rewrite the last-seen time at most this often (seconds), so that a busy page does not save the session on
# every request.
_TOUCH_EVERY = 60


def now() -> float:
    return time.time()


def idle_seconds() -> int:
    return int(getattr(settings, "DIMIOS_SESSION_IDLE_MINUTES", 30)) * 60


def absolute_seconds() -> int:
    return int(getattr(settings, "DIMIOS_SESSION_ABSOLUTE_HOURS", 10)) * 3600


def start(request, *, method: str) -> None:
    current = now()
    request.session[STARTED_KEY] = current
    request.session[SEEN_KEY] = current
    request.session[METHOD_KEY] = method
    request.session.set_expiry(idle_seconds())


def expired(request) -> str | None:
    """ "idle" or "absolute" when this staff session has run out, else None (and the session is touched)."""
    session = request.session
    current = now()
    started = session.get(STARTED_KEY)
    if started is None:
        # A session that did not go through our login (from before this rule, or a test's force_login): its
        # clock started when Django recorded the login.
        last_login = getattr(request.user, "last_login", None)
        started = last_login.timestamp() if last_login else current
    seen = session.get(SEEN_KEY) or started
    if current - started > absolute_seconds():
        return "absolute"
    if current - seen > idle_seconds():
        return "idle"
    if current - seen > _TOUCH_EVERY:
        session[STARTED_KEY] = started
        session[SEEN_KEY] = current
        session.set_expiry(idle_seconds())
    return None


def login_method(request) -> str:
    return request.session.get(METHOD_KEY, "")

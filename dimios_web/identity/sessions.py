"""Staff session timeouts: idle (``DIMIOS_SESSION_IDLE_MINUTES``, default 30) and absolute
(``DIMIOS_SESSION_ABSOLUTE_HOURS``, default 10). Only logged-in staff have these: a respondent's session
(anonymous, the survey pages' own keys) is never touched by them.

The login time is kept in the session (written once, at login; the session's own expiry is set to the
absolute timeout). The last activity is kept in the cache (Redis in production), keyed by a hash of the
session key, so that activity costs no database write."""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

from dimios_web.cache import cache_reachable

logger = logging.getLogger(__name__)

STARTED_KEY = "dimios_staff_since"
METHOD_KEY = "dimios_staff_login"
_SEEN_PREFIX = "dimios:staff-seen:"
# Rewrite the last-activity time at most this often (seconds).
_TOUCH_EVERY = 30


def now() -> float:
    return time.time()


def idle_seconds() -> int:
    return int(getattr(settings, "DIMIOS_SESSION_IDLE_MINUTES", 30)) * 60


def absolute_seconds() -> int:
    return int(getattr(settings, "DIMIOS_SESSION_ABSOLUTE_HOURS", 10)) * 3600


def _seen_key(request) -> str | None:
    session_key = request.session.session_key
    if not session_key:
        return None
    return _SEEN_PREFIX + hashlib.sha256(session_key.encode()).hexdigest()


def _touch(request, moment: float) -> None:
    key = _seen_key(request)
    if key is None:
        return
    try:
        cache.set(key, moment, timeout=idle_seconds() + absolute_seconds())
    except Exception:
        logger.warning("Session activity not recorded: the cache is not reachable.", exc_info=True)


def start(request, *, method: str) -> None:
    """At login (after Django has given the session its new key)."""
    current = now()
    request.session[STARTED_KEY] = current
    request.session[METHOD_KEY] = method
    request.session.set_expiry(absolute_seconds())
    request.session.save()  # the new key exists now, so the activity entry can be keyed on it
    _touch(request, current)


def expired(request) -> str | None:
    """ "idle" or "absolute" when this staff session has run out, else None (and the activity is noted)."""
    session = request.session
    current = now()
    started = session.get(STARTED_KEY)
    tracked = started is not None
    if not tracked:
        # A session that did not go through our login (from before this rule, or a test's force_login): its
        # clock started when Django recorded the login.
        last_login = getattr(request.user, "last_login", None)
        started = last_login.timestamp() if last_login else current
    if current - started > absolute_seconds():
        return "absolute"
    key = _seen_key(request)
    try:
        seen = cache.get(key) if key else None
    except Exception:
        logger.warning("Idle timeout not applied: the cache is not reachable.", exc_info=True)
        return None
    if seen is None:
        if tracked and not cache_reachable():  # issue 11: the degrading cache's miss while Redis is down
            logger.warning("Idle timeout not applied: the cache is not reachable.")
            return None
        if tracked:
            return "idle"  # the activity entry ran out (or the cache lost it): log in again
        seen = started
    if current - seen > idle_seconds():
        return "idle"
    if current - seen > _TOUCH_EVERY or not tracked:
        _touch(request, current)
    return None


def end(request) -> None:
    key = _seen_key(request)
    if key is not None:
        try:
            cache.delete(key)
        except Exception:
            logger.warning("Session activity not removed: the cache is not reachable.", exc_info=True)


def login_method(request) -> str:
    return request.session.get(METHOD_KEY, "")

"""Per-IP rate limit for unknown survey links, kept in the cache (Redis in production, so that all web
processes share the count; Django's local-memory cache otherwise).

Only failures count: a request with a valid token is never counted and never refused, so respondents behind
a shared address (a municipality's NAT) are not throttled by someone else's typos."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

from dimios_web import client_address

logger = logging.getLogger(__name__)

_PREFIX = "dimios:respond:unknown-token:"


def _limit() -> int:
    return getattr(settings, "DIMIOS_UNKNOWN_TOKEN_LIMIT", 20)


def window_seconds() -> int:
    return getattr(settings, "DIMIOS_UNKNOWN_TOKEN_WINDOW", 600)


def client_ip(request) -> str:
    """The client's address, read through the trusted reverse proxies (DIMIOS_TRUSTED_PROXIES)."""
    return client_address.client_ip(request)


def register_unknown_token(request) -> bool:
    """Count one unknown-token request from this IP; True when the IP has now gone over the limit. When the
    cache is unreachable the limit is not applied (logged): a respondent never gets an error page for it."""
    key = _PREFIX + client_ip(request)
    try:
        if cache.add(key, 1, timeout=window_seconds()):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window_seconds())
                count = 1
    except Exception:  # the cache (Redis) is down
        logger.warning("Rate limit not applied: the cache is not reachable.", exc_info=True)
        return False
    return count > _limit()


def reset(request) -> None:
    cache.delete(_PREFIX + client_ip(request))

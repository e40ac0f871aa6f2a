"""Login throttling, per account and per client address, kept in the cache (Redis in production, so that all
web processes share the counts).

- Per account (the login name as typed, normalised): after ``DIMIOS_LOGIN_DELAY_AFTER`` failures in a row
  each further attempt must wait a growing delay (2, 4, 8 … seconds, at most ``DIMIOS_LOGIN_MAX_DELAY``);
  after ``DIMIOS_LOGIN_LOCK_AFTER`` failures the account is locked for ``DIMIOS_LOGIN_LOCK_SECONDS``. An
  attempt made during the delay or the lock is refused without checking the password and does not count.
- Per client address: at most ``DIMIOS_LOGIN_ADDRESS_LIMIT`` failures within ``DIMIOS_LOGIN_WINDOW``
  seconds, then that address is refused until the window has passed (a ceiling against password spraying
  across many accounts).
- A successful login clears the account's counter, never the address's.

Times come from ``now()`` so that a test can move the clock; the cache entries also expire by themselves.
The client address is ``surveys.ratelimit.client_ip`` (one helper for every rate limit)."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from surveys.ratelimit import client_ip

logger = logging.getLogger(__name__)

_ACCOUNT = "dimios:login:account:"
_ADDRESS = "dimios:login:address:"


def now() -> float:
    return time.time()


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _account_key(login: str) -> str:
    normalised = (login or "").strip().casefold()
    return _ACCOUNT + hashlib.sha256(normalised.encode()).hexdigest()


def _address_key(request) -> str:
    return _ADDRESS + client_ip(request)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused now and for how many more seconds."""

    reason: str  # "delay", "locked" or "address"
    seconds: int


def _window() -> int:
    return _setting("DIMIOS_LOGIN_WINDOW", 15 * 60)


def _delay_for(failures: int) -> int:
    after = _setting("DIMIOS_LOGIN_DELAY_AFTER", 3)
    if failures < after:
        return 0
    return min(2 ** (failures - after + 1), _setting("DIMIOS_LOGIN_MAX_DELAY", 60))


def check(request, login: str) -> Refusal | None:
    """Whether an attempt for ``login`` from this request's address may check a password now."""
    try:
        address = cache.get(_address_key(request))
        account = cache.get(_account_key(login))
    except Exception:  # the cache is down: logins must still work (logged)
        logger.warning("Login throttling not applied: the cache is not reachable.", exc_info=True)
        return None
    current = now()
    if address and address.get("blocked_until", 0) > current:
        return Refusal("address", math.ceil(address["blocked_until"] - current))
    if account:
        if account.get("locked_until", 0) > current:
            return Refusal("locked", math.ceil(account["locked_until"] - current))
        wait_until = account.get("last", 0) + _delay_for(account.get("failures", 0))
        if wait_until > current:
            return Refusal("delay", math.ceil(wait_until - current))
    return None


def register_failure(request, login: str) -> Refusal | None:
    """Count a failed password check. Returns the refusal that now applies (the account became locked or
    the address reached its ceiling), else None. Counts are read-modify-write: two simultaneous failures
    may count as one, which only ever errs by one attempt."""
    current = now()
    lock_seconds = _setting("DIMIOS_LOGIN_LOCK_SECONDS", 15 * 60)
    window = _window()
    result: Refusal | None = None
    try:
        account_key = _account_key(login)
        account = cache.get(account_key) or {"failures": 0}
        if account.get("locked_until", 0) <= current and account.get("locked_until"):
            account = {"failures": 0}  # a lock that has run out starts a fresh count
        account["failures"] = account.get("failures", 0) + 1
        account["last"] = current
        if account["failures"] >= _setting("DIMIOS_LOGIN_LOCK_AFTER", 10):
            account["locked_until"] = current + lock_seconds
            result = Refusal("locked", lock_seconds)
        cache.set(account_key, account, timeout=max(window, lock_seconds))

        address_key = _address_key(request)
        address = cache.get(address_key)
        if not address or address.get("since", 0) + window <= current:
            address = {"failures": 0, "since": current}
        address["failures"] += 1
        if address["failures"] >= _setting("DIMIOS_LOGIN_ADDRESS_LIMIT", 50):
            address["blocked_until"] = address["since"] + window
            result = result or Refusal("address", math.ceil(address["blocked_until"] - current))
        cache.set(address_key, address, timeout=window)
    except Exception:
        logger.warning("Login failure not counted: the cache is not reachable.", exc_info=True)
    return result


def register_success(login: str) -> None:
    try:
        cache.delete(_account_key(login))
    except Exception:
        logger.warning("Login throttling not reset: the cache is not reachable.", exc_info=True)


def failures(login: str) -> int:
    entry = cache.get(_account_key(login)) or {}
    return int(entry.get("failures", 0))

"""A Redis cache that degrades instead of failing (issue 11).

Everything this product keeps in the cache can be computed again (the hidden-scopes pattern of a round) or
may be forgotten (the unknown-link counts), so an unreachable Redis must never turn a page into a 500:

- a read (``get``, ``get_many``, ``has_key``) is a miss, a write or delete is skipped, and the caller
  computes the value;
- ``add`` answers True: a lock or a once-only marker kept in the cache (allauth's rate-limit lock, the
  marker of a used TOTP code) can protect nothing while nobody can reach the cache, and the caller's work
  (a login) must go on; the protection is back with the cache;
- ``incr``, which has no number to give, raises ``CacheUnavailable`` (a ``ConnectionError``): only the
  caller knows what "unknown" means for it (the unknown-link rate limit is then not applied);
- after a failure the cache is not tried again for ``RETRY_AFTER`` seconds in this process, so a Redis that
  does not answer (a dropped packet waits for the socket timeout) costs one timeout, not one per call.

Used as ``BACKEND = "dimios_web.cache.DegradingRedisCache"`` whenever CACHE_URL / REDIS_URL is set. The
call-site helpers ``safe_cache_get`` / ``safe_cache_set`` below do the same for any backend (a cache
configured otherwise, or an error the backend does not know as "unreachable").
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying an unreachable cache again
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Per location, shared by the threads of a process (Django makes one backend object per thread).
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class CacheUnavailable(ConnectionError):
    """The cache cannot be reached just now."""


class DegradingRedisCache(RedisCache):
    _servers: list[str]  # set by RedisCache.__init__ (django-stubs does not declare it)

    def _location(self) -> str:
        return ",".join(self._servers)

    def is_down(self) -> bool:
        return _down_until.get(self._location(), 0.0) > time.monotonic()

    def _failed(self, operation: str, error: Exception) -> None:
        location = self._location()
        with _lock:
            was_down = _down_until.get(location, 0.0) > time.monotonic()
            _down_until[location] = time.monotonic() + RETRY_AFTER
        if not was_down:
            logger.warning(
                "The cache is unreachable (%s failed: %s); values are computed instead for %s s.",
                operation,
                error,
                RETRY_AFTER,
            )

    def _recovered(self) -> None:
        if _down_until.get(self._location()):
            with _lock:
                _down_until.pop(self._location(), None)

    def _degrade(self, operation: str, call, fallback):
        if self.is_down():
            return fallback
        try:
            result = call()
        except UNAVAILABLE as error:
            self._failed(operation, error)
            return fallback
        self._recovered()
        return result

    def _strict(self, operation: str, call):
        if self.is_down():
            raise CacheUnavailable(f"the cache is unreachable ({operation} not tried)")
        try:
            result = call()
        except UNAVAILABLE as error:
            self._failed(operation, error)
            raise CacheUnavailable(str(error)) from error
        self._recovered()
        return result

    # Reads: a miss.
    def get(self, key, default=None, version=None):
        return self._degrade(
            "get", lambda: super(DegradingRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._degrade("get_many", lambda: super(DegradingRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._degrade("has_key", lambda: super(DegradingRedisCache, self).has_key(key, version), False)

    # Writes: skipped.
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._degrade("set", lambda: super(DegradingRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(
            "set_many", lambda: super(DegradingRedisCache, self).set_many(data, timeout, version), list(data)
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(
            "touch", lambda: super(DegradingRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._degrade("delete", lambda: super(DegradingRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        self._degrade(
            "delete_many", lambda: super(DegradingRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._degrade("clear", lambda: super(DegradingRedisCache, self).clear(), False)

    # "Stored" while the cache is away: a lock or marker in an unreachable cache guards nothing anyway.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(
            "add", lambda: super(DegradingRedisCache, self).add(key, value, timeout, version), True
        )

    # No number to give: the caller decides what "unknown" means.
    def incr(self, key, delta=1, version=None):
        return self._strict("incr", lambda: super(DegradingRedisCache, self).incr(key, delta, version))

    def ping(self) -> bool:
        """For /readyz: ask Redis itself, past the pause after a failure."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except UNAVAILABLE as error:
            self._failed("ping", error)
            return False


def cache_reachable() -> bool:
    """False while the default cache is a ``DegradingRedisCache`` that just failed: a miss it answered is then
    "unknown", not "absent" (a caller that treats a missing entry as expired must not act on it)."""
    from django.core.cache import caches

    backend = caches["default"]
    return not (isinstance(backend, DegradingRedisCache) and backend.is_down())


# --- Call-site helpers (issue 10): a miss or a skipped write whatever the backend -------------------------


def safe_cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:
        logger.warning("Cache unreachable: reading %s", key, exc_info=True)
        return default


def safe_cache_set(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("Cache unreachable: writing %s", key, exc_info=True)

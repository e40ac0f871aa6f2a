"""Cache reads and writes that never fail a request: the cache only saves work. When it cannot be reached
(Redis down), a read is a miss and a write is skipped, and the caller computes the value itself."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def safe_cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception:  # noqa: BLE001 - any cache backend error is a miss
        logger.warning("Cache unreachable: reading %s", key, exc_info=True)
        return default


def safe_cache_set(key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001 - any cache backend error only means the value is not kept
        logger.warning("Cache unreachable: writing %s", key, exc_info=True)

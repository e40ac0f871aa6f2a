"""The unknown-token limit is shared by every web process through Redis, and a cache outage never turns
into an error page."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.redis
def test_the_limit_is_counted_in_redis_across_processes(client, settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.DIMIOS_UNKNOWN_TOKEN_LIMIT = 2
    caches["default"].clear()
    assert client.get(f"/s/{'a' * 43}/").status_code == 404
    # Another web process counts a miss from the same address: a cache client of its own on the same Redis.
    from django.core.cache.backends.redis import RedisCache

    other_process = RedisCache(redis_url, {})
    assert other_process.incr("dimios:respond:unknown-token:127.0.0.1") == 2
    assert client.get(f"/s/{'c' * 43}/").status_code == 429


def test_an_unreachable_cache_means_no_limit_rather_than_an_error(client, settings, token):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.DIMIOS_UNKNOWN_TOKEN_LIMIT = 1
    for _ in range(3):
        assert client.get(f"/s/{'d' * 43}/").status_code == 404
    assert client.get(reverse("surveys:respond_start", args=[token])).status_code == 302

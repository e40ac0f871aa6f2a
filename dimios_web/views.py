import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def livez(request):
    """The process answers, and nothing else: no database, no cache, no session. A probe that must not
    depend on PostgreSQL, and the floor of the framework's own cost per request (the "bare view" that
    benchmarks/load.py compares the respondent's requests with)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request):
    """For load balancers and docker-compose: the web process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def _database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.warning("readyz: the database cannot be reached", exc_info=True)
        return "down"
    return "ok"


def _migrations() -> str:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.warning("readyz: the migrations could not be checked", exc_info=True)
        return "unknown"
    return "pending" if pending else "ok"


def _redis_ping(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except (redis.exceptions.RedisError, OSError):
        return False
    finally:
        client.close()


def _redis() -> str:
    """The cache and the Celery broker. Without them the site still works (values are computed, tasks wait
    in the database for the periodic sweeps), so a failure is "degraded", never "down"."""
    urls = {u for u in (getattr(settings, "CACHE_URL", None), settings.CELERY_BROKER_URL) if u}
    urls = {u for u in urls if u.startswith(("redis://", "rediss://"))}
    if not urls:
        return "not configured"
    if all(_redis_ping(url) for url in sorted(urls)):
        return "ok"
    logger.warning("readyz: Redis cannot be reached (cache and task queue degraded)")
    return "degraded"


@never_cache
def readyz(request):
    """Readiness, each part on its own: the database and the migrations decide (503 when either is not
    ok); Redis only degrades the site (200 with "degraded")."""
    database = _database()
    checks = {
        "database": database,
        "migrations": _migrations() if database == "ok" else "unknown",
        "redis": _redis(),
    }
    ready = checks["database"] == "ok" and checks["migrations"] == "ok"
    return JsonResponse({"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503)

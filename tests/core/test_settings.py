"""Start-up reads everything from the environment and stops with a message naming a bad variable."""

import json
import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT, subprocess_env

SETTINGS_VARIABLES = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DJANGO_ALLOWED_HOSTS",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DIMIOS_ONE_MACHINE",
)


def start_django(code: str | None = None, *, clean: bool = False, **env) -> subprocess.CompletedProcess:
    """Start Django's settings in a fresh process with exactly this environment (plus PATH and the like)."""
    base = subprocess_env()
    if clean:
        base = {k: v for k, v in base.items() if not k.startswith(("DJANGO_", "DIMIOS_", "CELERY_"))}
    for name in SETTINGS_VARIABLES:
        base.pop(name, None)
    base.update(DJANGO_SETTINGS_MODULE="dimios_web.settings", DJANGO_READ_DOT_ENV="0")
    base.update({k: v for k, v in env.items() if v is not None})
    code = code or (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-secret",
    "DJANGO_ALLOWED_HOSTS": "dimios.example",
    "EMAIL_URL": "smtp://mail.example:25",
    "DATABASE_URL": "postgres://dimios@db.example:5432/dimios",
    "REDIS_URL": "redis://redis.example:6379/0",
}


def test_a_complete_production_environment_starts():
    result = start_django(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_the_embedded_default_is_an_sqlite_file_with_debug():
    result = start_django(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", None),
        ("DJANGO_ALLOWED_HOSTS", None),
        ("EMAIL_URL", None),
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db.example/dimios"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "localhost:6379"),
        ("EMAIL_URL", "mail.example"),
        ("DJANGO_CONN_MAX_AGE", "sixty"),
        ("DIMIOS_EMAIL_RETENTION_DAYS", "-1"),
    ],
)
def test_a_missing_or_malformed_variable_stops_start_up_naming_it(variable, value):
    env = dict(PRODUCTION)
    env.pop(variable, None)
    if value is not None:
        env[variable] = value
    result = start_django(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


# --- issue 11: the broker and the cache in production --------------------------------------------------

REPORT_BROKER_AND_CACHE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps({'broker': settings.CELERY_BROKER_URL, 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'cache': settings.CACHES['default']['BACKEND'], 'location': settings.CACHES['default'].get('LOCATION'), "
    "'csrf': settings.CSRF_TRUSTED_ORIGINS}))"
)


def read_env_file(path) -> dict[str, str]:
    """What docker compose's ``env_file`` gives a container: KEY=VALUE lines, comments and blanks skipped,
    an empty value is an empty string (not unset)."""
    values = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value
    return values


def compose_environment(service: str, dot_env: dict[str, str]) -> dict[str, str]:
    """The environment compose starts a service with: the env_file, then the service's ``environment``
    with ``${VAR}`` taken from .env (compose reads the project's .env for interpolation)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    config = compose["services"][service]
    anchor = compose.get("x-app", {})
    assert config.get("env_file", anchor.get("env_file")) == ".env"
    environment = dict(dot_env)
    for key, value in {**anchor.get("environment", {}), **config.get("environment", {})}.items():
        environment[key] = re.sub(r"\$\{(\w+)\}", lambda m: dot_env.get(m.group(1), ""), str(value))
    return environment


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_settings_from_env_example_under_compose_use_redis_for_the_broker_and_the_cache(service):
    dot_env = read_env_file(ROOT / ".env.example")
    assert dot_env["CELERY_BROKER_URL"] == "" and dot_env["CACHE_URL"] == ""  # what the issue was about
    dot_env["DJANGO_SECRET_KEY"] = "filled-in-by-the-operator-" + "x" * 40  # the one value left to fill in
    result = start_django(REPORT_BROKER_AND_CACHE, clean=True, **compose_environment(service, dot_env))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["broker"] == "redis://redis:6379/0"
    assert found["eager"] is False
    assert found["cache"] == "dimios_web.cache.DegradingRedisCache"
    assert found["location"] == "redis://redis:6379/0"


def test_empty_broker_and_cache_urls_mean_redis_url():
    result = start_django(REPORT_BROKER_AND_CACHE, **PRODUCTION, CELERY_BROKER_URL="", CACHE_URL=" ")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["broker"] == found["location"] == PRODUCTION["REDIS_URL"]


def test_own_broker_and_cache_urls_are_kept():
    result = start_django(
        REPORT_BROKER_AND_CACHE,
        **PRODUCTION,
        CELERY_BROKER_URL="amqp://rabbit.example//",
        CACHE_URL="redis://cache.example:6379/2",
    )
    found = json.loads(result.stdout)
    assert found["broker"] == "amqp://rabbit.example//"
    assert found["location"] == "redis://cache.example:6379/2"


def test_production_without_redis_refuses_to_start_naming_the_variable():
    env = {**PRODUCTION, "REDIS_URL": ""}
    result = start_django(**env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last and "REDIS_URL" in last and "DIMIOS_ONE_MACHINE" in last


def test_a_one_machine_install_runs_tasks_eagerly_with_a_cache_in_files(tmp_path):
    env = {**PRODUCTION, "REDIS_URL": "", "DIMIOS_ONE_MACHINE": "1", "DJANGO_CACHE_DIR": str(tmp_path)}
    result = start_django(REPORT_BROKER_AND_CACHE, **env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["broker"] is None and found["eager"] is True
    assert found["cache"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert found["location"] == str(tmp_path)


def test_development_without_redis_still_starts_eagerly():
    """`make run`: DJANGO_DEBUG=1 with REDIS_URL= and CELERY_BROKER_URL= empty."""
    result = start_django(REPORT_BROKER_AND_CACHE, DJANGO_DEBUG="1", REDIS_URL="", CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["eager"] is True and found["cache"].endswith("LocMemCache")


def test_the_site_url_origin_is_trusted_for_posts_behind_a_proxy():
    result = start_django(
        REPORT_BROKER_AND_CACHE,
        **PRODUCTION,
        DJANGO_SITE_URL="https://dimios.kommun.example/",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://intranet.kommun.example",
    )
    found = json.loads(result.stdout)
    assert found["csrf"] == ["https://intranet.kommun.example", "https://dimios.kommun.example"]


def test_the_deployment_checklist_passes_with_production_settings():
    """`manage.py check --deploy --fail-level WARNING`: HSTS, HTTPS redirect, secure cookies, CSP, …"""
    env = subprocess_env()
    for name in SETTINGS_VARIABLES:
        env.pop(name, None)
    env.update(PRODUCTION)
    env.update(
        DJANGO_SECRET_KEY="k8Jq-" + "production-grade-random-secret-for-the-check-0123456789",
        DJANGO_READ_DOT_ENV="0",
        DJANGO_BEHIND_TLS_PROXY="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- issue 13: the report files' storage ---------------------------------------------------------------

REPORT_STORAGE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from reports.models import ReportJob; "
    "print(json.dumps({'default': settings.STORAGES['default'], "
    "'field': ReportJob._meta.get_field('pdf_file').storage.__class__.__name__}))"
)


def test_the_default_storage_of_the_report_files_is_chosen_by_the_environment():
    env = {
        **PRODUCTION,
        "DJANGO_DEFAULT_STORAGE": "django.core.files.storage.InMemoryStorage",
        "DJANGO_DEFAULT_STORAGE_OPTIONS": '{"location": "reports"}',
    }
    result = start_django(REPORT_STORAGE, **env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["default"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"location": "reports"},
    }
    assert found["field"] == "InMemoryStorage"


@pytest.mark.parametrize("value", ["{not json", "[1, 2]"])
def test_malformed_storage_options_stop_start_up_naming_the_variable(value):
    result = start_django(**{**PRODUCTION, "DJANGO_DEFAULT_STORAGE_OPTIONS": value})
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last and "DJANGO_DEFAULT_STORAGE_OPTIONS" in last

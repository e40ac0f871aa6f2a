"""Start-up reads everything from the environment and stops with a message naming a bad variable."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, subprocess_env


def start_django(**env) -> subprocess.CompletedProcess:
    base = subprocess_env()
    for name in (
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "DJANGO_ALLOWED_HOSTS",
        "CELERY_BROKER_URL",
        "CACHE_URL",
    ):
        base.pop(name, None)
    base.update(DJANGO_SETTINGS_MODULE="dimios_web.settings", DJANGO_READ_DOT_ENV="0")
    base.update({k: v for k, v in env.items() if v is not None})
    code = (
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

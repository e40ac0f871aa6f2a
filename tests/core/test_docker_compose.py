"""docker-compose.yml cannot be started here (no Docker engine), so check what it says: the services, their
health checks, the environment they get and that the commands they run exist in the project."""

import re
import shutil
from pathlib import Path

import yaml

from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ["web", "worker", "beat"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_compose_has_web_worker_beat_postgres_and_redis():
    assert {"web", "worker", "beat", "db", "redis"} <= set(SERVICES)
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_long_running_services_have_health_checks():
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in SERVICES[name], name
        assert SERVICES[name]["healthcheck"]["test"], name


def test_app_services_wait_for_healthy_database_and_redis():
    for name in APP_SERVICES:
        assert (
            "depends_on" not in SERVICES[name]
            or SERVICES[name]["depends_on"] == COMPOSE["x-app"]["depends_on"]
        )
    anchor = COMPOSE["x-app"]["depends_on"]
    assert anchor["db"]["condition"] == "service_healthy"
    assert anchor["redis"]["condition"] == "service_healthy"


def test_app_services_get_every_required_setting():
    env_example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", env_example, flags=re.MULTILINE))
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        for variable in (
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "EMAIL_URL",
        ):
            assert variable in environment, (name, variable)
        for variable in environment:
            assert variable in documented, f"{variable} passed to {name} is not documented in .env.example"


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "dimios_web" / "settings.py").read_text()
    read = set(re.findall(r'env(?:_bool|_int|_url)?(?:\.list)?\(\s*"([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', settings_source))
    read.discard("DJANGO_READ_DOT_ENV")  # only for tests and `make run`
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read <= documented, f"not in .env.example: {sorted(read - documented)}"


def test_commands_the_services_run_exist_in_the_project():
    assert shutil.which("gunicorn") or (Path(ROOT) / ".venv/bin/gunicorn").exists()
    web = SERVICES["web"]["command"]
    assert web[0] == "gunicorn" and web[1] == "dimios_web.wsgi:application"
    assert (ROOT / "dimios_web" / "wsgi.py").exists()
    for name in ("worker", "beat"):
        command = SERVICES[name]["command"]
        assert command[:3] == ["celery", "-A", "dimios_web"]
        assert (ROOT / "dimios_web" / "celery.py").exists()
    healthcheck = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "/healthz/" in healthcheck


def test_the_image_installs_chromium_for_report_printing():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chromium" in dockerfile
    assert all(
        SERVICES[name].get("build") == "." or COMPOSE["x-app"]["build"] == "." for name in APP_SERVICES
    )


def test_health_endpoint_answers(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_liveness_probe_answers_without_the_database_or_the_cache(client, db, django_assert_num_queries):
    """/livez/ is the floor of a request's cost (benchmarks/load.py's bare view): no query, no cache."""
    from unittest import mock

    from django.core.cache import cache

    with django_assert_num_queries(0), mock.patch.object(cache, "get", side_effect=AssertionError("cache")):
        response = client.get("/livez/")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response.headers["Cache-Control"] or "no-store" in response.headers["Cache-Control"]


# --- issue 11: the image ------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.replace("\\\n", " ")
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_the_image_builds_its_assets_with_the_script_the_tests_run():
    """scripts/build-assets.sh is what tests/core/test_production.py runs on a fresh copy."""
    runs = [args for instruction, args in _instructions() if instruction == "RUN"]
    assert any("scripts/build-assets.sh" in args for args in runs)
    assert not any("collectstatic" in args or "compilemessages" in args for args in runs)
    script = (ROOT / "scripts" / "build-assets.sh").read_text()
    assert "collectstatic" in script and "compilemessages" in script


def test_the_image_runs_as_a_user_without_root_rights():
    instructions = _instructions()
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1].strip() not in ("root", "0")
    last_user = max(i for i, (instruction, _args) in enumerate(instructions) if instruction == "USER")
    assert all(instruction != "RUN" for instruction, _args in instructions[last_user:])


def test_the_image_applies_migrations_at_start():
    import json

    from django.core.management import get_commands

    entrypoint = [args for instruction, args in _instructions() if instruction == "ENTRYPOINT"]
    assert entrypoint, "the Dockerfile has no ENTRYPOINT"
    path = json.loads(entrypoint[-1])[0]
    assert path.startswith("/app/")
    script = ROOT / path.removeprefix("/app/")
    text = script.read_text()
    assert "manage.py prepare_database" in text and 'exec "$@"' in text
    assert "prepare_database" in get_commands()
    for name in APP_SERVICES:
        command = SERVICES[name]["command"]
        assert command[0] in ("gunicorn", "celery"), "the entrypoint runs the service's command"


def test_the_build_context_leaves_secrets_and_local_files_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", "media", ".git"} <= ignored

"""Backup and restore (issue 11): `manage.py backup` (what `make backup` runs) writes the database and the
report files into one folder; `manage.py restore` into a fresh database and an empty MEDIA_ROOT brings back
the same rows and the same files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import ROOT, require_postgres, subprocess_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def installation(organisation, management, settings, tmp_path):
    """Rows in every app and report files on disk: a closed round with results and a built annual report."""
    from reports.models import ReportJob
    from reports.services import building, jobs
    from tests.reports.conftest import make_closed_round

    settings.MEDIA_ROOT = tmp_path / "media"
    round_ = make_closed_round(organisation)
    job = ReportJob.objects.create(organisation=organisation, year=round_.period.year, ordered_by=management)
    token = jobs.claim_job(job_id=job.pk)
    original = building.pdf_engine.print_pdf
    building.pdf_engine.print_pdf = lambda render, **kwargs: b"%PDF-1.7 stand-in"
    try:
        building.build_report(job_id=job.pk, token=token)
    finally:
        building.pdf_engine.print_pdf = original
    return settings.MEDIA_ROOT


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _restore(folder: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(folder), "--yes"],
        cwd=ROOT,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _postgres_round_trip(installation, tmp_path):
    database_url = require_postgres()
    import psycopg2

    folder = Path(_backup(tmp_path))
    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    params = connection.settings_dict
    fresh = f"{params['NAME']}_restore"[:63]
    admin = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or "postgres",
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or "5432",
        password=params.get("PASSWORD") or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored-media"
        result = _restore(
            folder,
            DATABASE_URL=database_url.rsplit("/", 1)[0] + "/" + fresh,
            DJANGO_MEDIA_ROOT=str(restored_media),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        tables = connection.introspection.table_names()
        with connection.cursor() as cursor:
            before = _table_counts(cursor, tables)
        restored = psycopg2.connect(
            dbname=fresh,
            user=params.get("USER") or "postgres",
            host=params.get("HOST") or "127.0.0.1",
            port=params.get("PORT") or "5432",
            password=params.get("PASSWORD") or None,
        )
        with restored.cursor() as cursor:
            after = _table_counts(cursor, tables)
            cursor.execute("SELECT scope_key, overall_percent FROM maturity_roundresult ORDER BY scope_key")
            restored_results = cursor.fetchall()
        restored.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT scope_key, overall_percent FROM maturity_roundresult ORDER BY scope_key")
            assert cursor.fetchall() == restored_results
        assert before == after
        assert before["surveys_answer"] > 100 and before["reports_reportjob"] == 1
        assert _files(restored_media) == _files(installation) and _files(installation)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


def _backup(tmp_path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    return out.getvalue().strip()


def _sqlite_round_trip(installation, tmp_path):
    folder = Path(_backup(tmp_path))
    fresh = tmp_path / "fresh.sqlite3"
    restored_media = tmp_path / "restored-media"
    result = _restore(folder, DATABASE_URL=f"sqlite:///{fresh}", DJANGO_MEDIA_ROOT=str(restored_media))
    assert result.returncode == 0, result.stdout + result.stderr
    import sqlite3

    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        before = _table_counts(cursor, tables)
    restored = sqlite3.connect(fresh)
    after = _table_counts(restored.cursor(), tables)
    restored.close()
    assert before == after and before["surveys_answer"] > 100
    assert _files(restored_media) == _files(installation) and _files(installation)


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(installation, tmp_path):
    """On PostgreSQL (CI): pg_dump's custom format into a fresh database; on SQLite (`make run`, a fresh
    clone's `make test`): SQLite's online backup into a fresh file."""
    if connection.vendor == "postgresql":
        _postgres_round_trip(installation, tmp_path)
    else:
        _sqlite_round_trip(installation, tmp_path)


def test_a_damaged_backup_is_refused_before_anything_is_replaced(installation, tmp_path):
    folder = Path(_backup(tmp_path))
    with (folder / "media.tar.gz").open("ab") as archive:
        archive.write(b"tampered")
    result = _restore(folder, DJANGO_MEDIA_ROOT=str(tmp_path / "other"))
    assert result.returncode != 0
    assert "damaged" in result.stderr
    assert not (tmp_path / "other").exists()


def test_restore_needs_a_confirmation(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tmp_path)],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "--yes" in result.stderr

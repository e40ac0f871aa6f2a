"""Backup and restore of a whole installation (issue 11; docs/operations.md): the database and the report
files under MEDIA_ROOT, into one folder.

A backup folder ``dimios-backup-YYYYMMDD-HHMMSS/`` holds:

- ``database.dump``: ``pg_dump --format=custom`` of the PostgreSQL database (or ``database.sqlite3``, a
  consistent copy made with SQLite's online backup, for the embedded default);
- ``media.tar.gz``: every file under MEDIA_ROOT (the annual reports' PDF, XLSX and content);
- ``manifest.json``: when, which database engine, the latest migration of each app, the files, and the
  SHA-256 of both archives (checked before a restore).

Restoring replaces the database's content (``pg_restore --clean --if-exists``, in one transaction) and the
files under MEDIA_ROOT. The credentials come from the settings (DATABASE_URL), never from the command line
(PostgreSQL's password goes to pg_dump through PGPASSWORD).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

DATABASE_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_ARCHIVE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env_and_args(database: dict) -> tuple[dict[str, str], list[str]]:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    args = []
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in (
        MigrationRecorder(connection).migration_qs.values_list("app", "name").order_by("app", "name")
    ):
        latest[app] = name
    return latest


def create_backup(*, output: Path | str, now: datetime.datetime | None = None) -> Path:
    """Write a backup folder under ``output`` and return its path."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    folder = Path(output) / f"dimios-backup-{now:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    database = settings.DATABASES["default"]
    vendor = connection.vendor
    if vendor == "postgresql":
        env, args = _pg_env_and_args(database)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(folder / DATABASE_DUMP),
                *args,
                "--dbname",
                str(database["NAME"]),
            ],
            env,
        )
        database_file = DATABASE_DUMP
    elif vendor == "sqlite":
        source = sqlite3.connect(str(database["NAME"]))
        target = sqlite3.connect(str(folder / SQLITE_COPY))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        database_file = SQLITE_COPY
    else:  # pragma: no cover - settings accept only these two
        raise BackupError(f"cannot back up a {vendor} database")
    media_root = Path(settings.MEDIA_ROOT)
    files = []
    with tarfile.open(folder / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    relative = path.relative_to(media_root).as_posix()
                    archive.add(path, arcname=relative, recursive=False)
                    files.append(relative)
    manifest = {
        "created_at": now.isoformat(),
        "database": {"engine": vendor, "file": database_file, "sha256": _sha256(folder / database_file)},
        "media": {"file": MEDIA_ARCHIVE, "sha256": _sha256(folder / MEDIA_ARCHIVE), "files": files},
        "migrations": _latest_migrations(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def read_manifest(folder: Path | str) -> dict:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} is not a backup folder ({MANIFEST} cannot be read: {error})") from None
    for part in (manifest["database"], manifest["media"]):
        path = folder / part["file"]
        if not path.is_file() or _sha256(path) != part["sha256"]:
            raise BackupError(f"{path} is missing or damaged (its SHA-256 differs from the manifest's).")
    return manifest


def restore_backup(*, folder: Path | str) -> dict:
    """Replace the database's content and the files under MEDIA_ROOT with those of the backup."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    vendor = connection.vendor
    if manifest["database"]["engine"] != vendor:
        raise BackupError(
            f"the backup is of a {manifest['database']['engine']} database; this installation uses {vendor}."
        )
    database = settings.DATABASES["default"]
    connection.close()
    if vendor == "postgresql":
        env, args = _pg_env_and_args(database)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                str(database["NAME"]),
                str(folder / DATABASE_DUMP),
            ],
            env,
        )
    else:
        source = sqlite3.connect(str(folder / SQLITE_COPY))
        target = sqlite3.connect(str(database["NAME"]))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as archive:
        archive.extractall(media_root, filter="data")  # no absolute paths, no .., no devices
    return manifest

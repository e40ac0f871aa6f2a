"""Bring the database up to date before a process starts (the image's entrypoint runs it): apply the
migrations, then load the reference data (municipalities, counties) and the default questionnaire. All of
it is idempotent. On PostgreSQL it holds an advisory lock, so containers starting together (web, worker,
beat, more web replicas) do it one after the other: the first migrates, the others find nothing to do."""

from __future__ import annotations

import contextlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

# pg_advisory_lock key: "DiMiOS" in ASCII, an arbitrary constant of this application.
LOCK_KEY = 0x44694D694F53


@contextlib.contextmanager
def _migration_lock():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


class Command(BaseCommand):
    help = "Apply migrations and load reference data and the default questionnaire (idempotent, locked)."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        with _migration_lock():
            call_command("migrate", interactive=False, verbosity=verbosity)
            call_command("load_municipalities", verbosity=verbosity)
            call_command("load_questionnaire", verbosity=verbosity)
        self.stdout.write("Database ready.")

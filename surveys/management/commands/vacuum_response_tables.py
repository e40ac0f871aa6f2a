"""Remove old row versions of the response tables from the table files (docs/respondent-privacy.md)."""

from django.core.management.base import BaseCommand

from surveys.services.pool import vacuum_response_tables


class Command(BaseCommand):
    help = "VACUUM the response, answer, pool and draft tables (once, after upgrading to the response pool)."

    def handle(self, *args, **options):
        tables = vacuum_response_tables()
        self.stdout.write(f"Vacuumed: {', '.join(tables)}")

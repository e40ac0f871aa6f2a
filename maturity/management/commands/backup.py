"""`manage.py backup [--output DIR]`: the database and the report files in one folder (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from dimios_web.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the files under MEDIA_ROOT into one folder."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="var/backups", help="Where the backup folder is made.")

    def handle(self, *args, output, **options):
        try:
            folder = create_backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))

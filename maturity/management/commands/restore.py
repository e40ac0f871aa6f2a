"""`manage.py restore FOLDER --yes`: replace the database's content and the report files with a backup's."""

from django.core.management.base import BaseCommand, CommandError

from dimios_web.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup` (replaces the database and MEDIA_ROOT)."

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", help="A folder dimios-backup-YYYYMMDD-HHMMSS made by `manage.py backup`."
        )
        parser.add_argument("--yes", action="store_true", help="Confirm that the current data is replaced.")

    def handle(self, *args, folder, yes, **options):
        if not yes:
            raise CommandError("Restoring replaces the database and the report files. Add --yes to go ahead.")
        try:
            manifest = restore_backup(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} ({len(manifest['media']['files'])} files)."
        )

"""Remove a staff user (GDPR erasure); their audit entries stay under a pseudonym."""

from django.core.management.base import BaseCommand, CommandError

from dimios_web.exceptions import DomainError
from dimios_web.identity.services import gdpr


class Command(BaseCommand):
    help = "Remove a staff user. Their audit log entries are kept, naming them by a pseudonym."

    def add_arguments(self, parser):
        parser.add_argument("user", help="The user's e-mail address or user name.")
        parser.add_argument(
            "--yes", action="store_true", help="Do it (without it, only say what would happen)."
        )

    def handle(self, *args, **options):
        try:
            user = gdpr.find_staff_user(options["user"])
        except DomainError as error:
            raise CommandError(str(error)) from None
        if not options["yes"]:
            self.stdout.write(
                f"Would remove {user.get_username()} ({user.email}). Run again with --yes to do it."
            )
            return
        try:
            pseudonym = gdpr.remove_staff_user(user=user)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Removed. The audit log now names the user “{pseudonym}”.")

"""The current authenticator code of `make run`'s demo platform admin (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dimios_web.demo.identity import current_code


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo platform admin (only with DJANGO_DEBUG=1)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp_code is for the local demo only (DJANGO_DEBUG=1).")
        self.stdout.write(current_code())

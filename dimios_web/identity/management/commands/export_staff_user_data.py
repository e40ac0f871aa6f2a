"""Everything stored about one staff user, as JSON (a GDPR subject access request)."""

import json

from django.core.management.base import BaseCommand, CommandError

from dimios_web.exceptions import DomainError
from dimios_web.identity.services import gdpr


class Command(BaseCommand):
    help = "Export everything stored about a staff user (GDPR subject access request) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("user", help="The user's e-mail address or user name.")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        try:
            user = gdpr.find_staff_user(options["user"])
        except DomainError as error:
            raise CommandError(str(error)) from None
        text = json.dumps(gdpr.export_staff_user_data(user=user), ensure_ascii=False, indent=2, default=str)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text)

"""Demo data for `make run`: a demo municipality with departments, staff of every role, and (from the
maturity app) three years of closed rounds, other municipalities to compare with and an open round.

Idempotent: everything is keyed on natural keys, so running it again adds nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand

from dimios_web.demo.load import DEMO_PASSWORD, load_demo_data
from reports.pdf import PdfEngineError, chromium_path


class Command(BaseCommand):
    help = "Load the demo organisation, users and rounds (idempotent)."

    def handle(self, *args, **options):
        summary = load_demo_data()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"The site: {settings.SITE_URL}/ (log in at {settings.SITE_URL}/konto/logga-in/)")
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, description in summary["logins"]:
            self.stdout.write(f"  {username:<28} {description}")
        for line in summary.get("notes", []):
            self.stdout.write(line)
        try:
            chromium_path()
        except PdfEngineError:
            # Everything else works; only the PDF of the annual report needs the browser (README).
            self.stdout.write(
                self.style.WARNING(
                    "Chromium is not installed: the annual report's PDF cannot be made (the web page, XLSX "
                    "and everything else work). Install it with: apt-get install chromium"
                )
            )

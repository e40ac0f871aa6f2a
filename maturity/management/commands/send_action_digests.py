"""`manage.py send_action_digests [--date YYYY-MM-DD]`: this week's digest of actions to each owner who has
not had it (docs/actions.md, "Reminders"); the beat runs the same on Mondays. Safe to run again."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from maturity.services.action_digests import send_action_digests


class Command(BaseCommand):
    help = (
        "Send this week's digest of overdue and soon due actions to their owners (at most one a week each)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Today as YYYY-MM-DD (default: today); the week is its ISO week.")

    def handle(self, *args, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"Not a date (YYYY-MM-DD): {date}") from None
        run = send_action_digests(today=today)
        counts = (len(run.sent), len(run.already_sent), len(run.failed))
        self.stdout.write(f"{run.week}: %d sent, %d already sent, %d failed" % counts)
        if run.failed:
            raise CommandError(
                f"{len(run.failed)} digests could not be sent; run the command again to retry."
            )

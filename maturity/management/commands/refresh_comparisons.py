"""Rebuild the stored comparison figures and aggregates from the stored results."""

from django.core.management.base import BaseCommand

from maturity.services.comparisons import refresh_comparisons


class Command(BaseCommand):
    help = (
        "Rebuild every organisation's comparison figures of closed rounds and the comparison aggregates of "
        "every period from the stored results (idempotent)."
    )

    def handle(self, *args, **options):
        written = refresh_comparisons()
        self.stdout.write(
            f"{written['figures']} figure rows, {written['aggregates']} aggregates "
            f"in {written['periods']} periods."
        )

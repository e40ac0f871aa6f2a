"""(Re)compute the stored results of a round."""

from django.core.management.base import BaseCommand, CommandError

from maturity.selectors import get_round
from maturity.services.results import compute_round_results
from surveys.models import Organisation


class Command(BaseCommand):
    help = "Recompute the stored results of an organisation's round in a period (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True)
        parser.add_argument("--period", required=True)

    def handle(self, *args, organisation, period, **options):
        org = Organisation.objects.filter(code=organisation).first()
        round_ = get_round(organisation=org, period_code=period) if org else None
        if round_ is None:
            raise CommandError(f"No round of {organisation!r} in {period}.")
        n = compute_round_results(round_id=round_.pk)
        self.stdout.write(f"{round_}: {n} result rows.")

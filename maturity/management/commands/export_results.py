"""Print the stored results of an organisation's round (anonymity rules applied) as JSON or CSV."""

from django.core.management.base import BaseCommand, CommandError

from maturity.exports import results_as_csv, results_as_json
from maturity.selectors import get_round, get_round_results
from surveys.models import Organisation


class Command(BaseCommand):
    help = "Print the stored results of a round; suppressed cells are marked “suppressed”."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Organisation code, e.g. 0580.")
        parser.add_argument("--period", required=True, help="Measurement period, e.g. 2025-HT.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--k", type=int, default=None, help="Override k (never below 3).")

    def handle(self, *args, organisation, period, format, k, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"There is no organisation with the code {organisation!r}.")
        round_ = get_round(organisation=org, period_code=period)
        if round_ is None:
            raise CommandError(f"{org.name} has no round in {period}.")
        results = get_round_results(round_id=round_.pk, k=k)
        if results is None:
            raise CommandError(f"The round {round_} has no computed results yet (run compute_results).")
        self.stdout.write(
            results_as_json(results) if format == "json" else results_as_csv(results), ending=""
        )

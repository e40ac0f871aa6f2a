"""Import the raw responses of an earlier round from a CSV file (docs/import-format.md) as a closed round,
then compute its results. All or nothing: every bad line is reported and nothing is saved."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maturity.management.versionarg import VersionOptionMixin
from maturity.services.response_import import ImportRejected, import_responses


class Command(VersionOptionMixin, BaseCommand):
    help = "Create a closed round from a raw-responses CSV file and compute its results."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file: respondent,department,group,<statement code>…")
        parser.add_argument("--organisation", required=True, help="Organisation code, e.g. 0580.")
        parser.add_argument("--period", required=True, help="Measurement period, e.g. 2025-HT.")
        parser.add_argument(
            "--version", dest="version_code", required=True, help="Questionnaire version code."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Replace an earlier import of this period."
        )

    def handle(self, *args, file, organisation, period, version_code, replace, **options):
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            summary = import_responses(
                organisation_code=organisation,
                period_code=period,
                version_code=version_code,
                content=content,
                replace=replace,
                filename=Path(file).name,
            )
        except ImportRejected as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(str(error)) from None
        verb = "Replaced" if summary.replaced else "Imported"
        self.stdout.write(
            f"{verb} {summary.n_responses} responses ({summary.n_answers} answers) into {summary.round}; "
            f"{summary.n_results} result rows computed."
        )
        if summary.created_departments:
            self.stdout.write("New departments: " + ", ".join(summary.created_departments))
        if summary.created_groups:
            self.stdout.write("New respondent groups: " + ", ".join(summary.created_groups))

"""Print the structure of a questionnaire version (codes, texts, reverse flags, parent codes) as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from maturity.management.versionarg import VersionOptionMixin
from maturity.selectors import export_questionnaire_structure, get_version


class Command(VersionOptionMixin, BaseCommand):
    help = "Print a questionnaire version's structure so that other tools can score the same data."

    def add_arguments(self, parser):
        parser.add_argument(
            "--version", dest="version_code", required=True, help="Questionnaire version code."
        )
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, version_code, **options):
        version = get_version(version_code)
        if version is None:
            raise CommandError(f"There is no questionnaire version {version_code!r}.")
        self.stdout.write(json.dumps(export_questionnaire_structure(version), ensure_ascii=False, indent=2))

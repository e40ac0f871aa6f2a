"""Load a questionnaire version from a YAML or JSON file. Idempotent: the same file again changes nothing;
for a version that a round has used, changed texts with the same structure are corrected in place
("corrected", audited) and any other change is refused (make a new version code)."""

from django.core.management.base import BaseCommand, CommandError

from dimios_web.exceptions import DomainError
from surveys.services.questionnaires import DEFAULT_QUESTIONNAIRE, load_questionnaire_file


class Command(BaseCommand):
    help = "Load a questionnaire version from a YAML/JSON file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            default=str(DEFAULT_QUESTIONNAIRE),
            help="Questionnaire file (default: the open default questionnaire).",
        )

    def handle(self, *args, file, **options):
        try:
            version, outcome = load_questionnaire_file(path=file)
        except DomainError as error:
            raise CommandError(str(error)) from None
        n = version.statements.count()
        self.stdout.write(f"{version.code}: {outcome} ({n} statements).")

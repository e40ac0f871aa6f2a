from django.core.management.base import BaseCommand, CommandError

from dimios_web.exceptions import DomainError
from surveys.services.organisations import add_organisation


class Command(BaseCommand):
    help = (
        "Create the organisation of a municipality from its four-digit SCB code. Rerunning changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="SCB municipality code, e.g. 0580")

    def handle(self, *args, code, **options):
        try:
            organisation, created = add_organisation(code=code)
        except DomainError as error:
            raise CommandError(str(error)) from None
        verb = "Created" if created else "Already present, unchanged:"
        self.stdout.write(f"{verb} {organisation.name} ({organisation.code}), {organisation.county}.")

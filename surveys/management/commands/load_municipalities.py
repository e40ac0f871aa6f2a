from django.core.management.base import BaseCommand

from surveys.services.organisations import load_reference_data


class Command(BaseCommand):
    help = "Load the 290 SCB municipalities and 21 counties from data/. Rerunning changes nothing."

    def handle(self, *args, **options):
        created = load_reference_data()
        self.stdout.write(
            f"Reference data loaded: {created['counties']} new counties, "
            f"{created['municipalities']} new municipalities."
        )

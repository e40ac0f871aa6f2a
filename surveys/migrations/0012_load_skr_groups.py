"""SKR's municipality groups 2023 on the municipalities and their organisations (issue 15)."""

from django.db import migrations


def load(apps, schema_editor):
    from surveys.services.organisations import load_skr_groups

    load_skr_groups(
        Municipality=apps.get_model("surveys", "Municipality"),
        Organisation=apps.get_model("surveys", "Organisation"),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0011_comparison_sets")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""Filled the comparison figures and aggregates from the stored results of closed rounds.

Superseded by 0009, which rebuilds them with the fields of 0008 (the service this migration called now
writes fields that its historical models do not have), so it no longer does anything going forwards."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("maturity", "ComparisonAggregate").objects.all().delete()
    apps.get_model("maturity", "OrganisationFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("maturity", "0006_add_comparison_figures")]

    operations = [migrations.RunPython(migrations.RunPython.noop, forget)]

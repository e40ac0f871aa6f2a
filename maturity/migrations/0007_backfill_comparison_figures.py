"""Fill the comparison figures and aggregates from the stored results of closed rounds (rerunnable: the
rows are rebuilt)."""

from types import SimpleNamespace

from django.db import migrations


def backfill(apps, schema_editor):
    from maturity.services.comparisons import refresh_comparisons

    refresh_comparisons(
        models=SimpleNamespace(
            RoundResult=apps.get_model("maturity", "RoundResult"),
            OrganisationFigure=apps.get_model("maturity", "OrganisationFigure"),
            ComparisonAggregate=apps.get_model("maturity", "ComparisonAggregate"),
            Round=apps.get_model("surveys", "Round"),
            Organisation=apps.get_model("surveys", "Organisation"),
            MeasurementPeriod=apps.get_model("surveys", "MeasurementPeriod"),
        )
    )


def forget(apps, schema_editor):
    apps.get_model("maturity", "ComparisonAggregate").objects.all().delete()
    apps.get_model("maturity", "OrganisationFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("maturity", "0006_add_comparison_figures")]

    operations = [migrations.RunPython(backfill, forget)]

"""Rebuild the comparison figures and aggregates from the stored results of closed rounds (rerunnable: the
rows are rebuilt).

With the sets of issue 15 (SKR groups, sharing, distributions, department sectors). The models passed
are this migration's own: when the service later writes a field they lack, this migration must pin its
own copy of the rebuild (or become a no-op like 0007)."""

from types import SimpleNamespace

from django.db import migrations


def rebuild(apps, schema_editor):
    from maturity.services.comparisons import refresh_comparisons

    refresh_comparisons(
        models=SimpleNamespace(
            RoundResult=apps.get_model("maturity", "RoundResult"),
            OrganisationFigure=apps.get_model("maturity", "OrganisationFigure"),
            ComparisonAggregate=apps.get_model("maturity", "ComparisonAggregate"),
            Round=apps.get_model("surveys", "Round"),
            Organisation=apps.get_model("surveys", "Organisation"),
            MeasurementPeriod=apps.get_model("surveys", "MeasurementPeriod"),
            DepartmentFigure=apps.get_model("maturity", "DepartmentFigure"),
            Department=apps.get_model("surveys", "Department"),
        )
    )


def forget(apps, schema_editor):
    apps.get_model("maturity", "DepartmentFigure").objects.all().delete()
    apps.get_model("maturity", "ComparisonAggregate").objects.all().delete()
    apps.get_model("maturity", "OrganisationFigure").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("maturity", "0008_comparison_sets"), ("surveys", "0012_load_skr_groups")]

    operations = [migrations.RunPython(rebuild, forget)]

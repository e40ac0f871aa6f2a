
import django.db.models.deletion
from django.db import migrations, models


def publish_stored_results(apps, schema_editor):
    """Results stored before what may be published was stored with them: keep the department tree as it
    is now (the best record left of the tree when those rounds closed) and store the published view
    (maturity.disclosure, pure code) for each round's k. Rerunnable."""
    from maturity import disclosure, scoring
    from maturity.suppression import scope_order

    Round = apps.get_model("surveys", "Round")
    Department = apps.get_model("surveys", "Department")
    RespondentGroup = apps.get_model("surveys", "RespondentGroup")
    RoundResult = apps.get_model("maturity", "RoundResult")
    ResultTree = apps.get_model("maturity", "ResultTree")
    Dimension = apps.get_model("maturity", "Dimension")
    Category = apps.get_model("maturity", "Category")
    Capability = apps.get_model("maturity", "Capability")
    Statement = apps.get_model("maturity", "Statement")
    structures: dict = {}
    for round_ in Round.objects.filter(results__isnull=False).distinct().select_related("questionnaire"):
        version = round_.questionnaire
        if version.pk not in structures:
            structures[version.pk] = scoring.Structure(
                dimensions=tuple(
                    scoring.DimensionDef(d.code, d.kind, float(d.weight))
                    for d in Dimension.objects.filter(version=version).order_by("position", "code")
                ),
                categories=tuple(
                    scoring.CategoryDef(c.code, c.dimension.code, float(c.weight))
                    for c in Category.objects.filter(version=version).select_related("dimension").order_by("position", "code")
                ),
                capabilities=tuple(
                    scoring.CapabilityDef(c.code, c.category.code, float(c.weight))
                    for c in Capability.objects.filter(version=version).select_related("category").order_by("position", "code")
                ),
                statements=tuple(
                    scoring.StatementDef(s.code, s.capability.code, s.reverse_scored)
                    for s in Statement.objects.filter(version=version).select_related("capability").order_by("position", "code")
                ),
                capability_cutoff=float(version.capability_cutoff),
                legacy_cutoff=float(version.legacy_cutoff),
            )
        departments = list(Department.objects.filter(organisation_id=round_.organisation_id))
        groups = list(RespondentGroup.objects.filter(organisation_id=round_.organisation_id))
        k = max(int(version.k_anonymity), 3)
        tree, _created = ResultTree.objects.get_or_create(
            round=round_,
            defaults={
                "departments": [{"id": d.pk, "parent": d.parent_id, "name": d.name} for d in departments],
                "groups": [{"id": g.pk, "name": g.name, "position": g.position} for g in groups],
                "k": k,
                "frozen_at": round_.closed_at if round_.status == "closed" else None,
            },
        )
        rows = {r.scope_key: r for r in RoundResult.objects.filter(round=round_)}
        order = scope_order(
            {int(d["id"]): (d["parent"], d["name"]) for d in tree.departments},
            {int(g["id"]): (int(g.get("position", 0)), g["name"]) for g in tree.groups},
        )
        views = disclosure.publish(
            {key: disclosure.Stored(row.n_respondents, row.figures) for key, row in rows.items()},
            structure=structures[version.pk],
            parents={int(d["id"]): d["parent"] for d in tree.departments},
            k=k,
            order=order,
        )
        for key, row in rows.items():
            row.published = {name: views[key][name] for name in disclosure.HEADLINE}
            row.published_figures = {level: views[key][level] for level in disclosure.LEVELS}
        RoundResult.objects.bulk_update(list(rows.values()), ["published", "published_figures"])
        if tree.k != k:
            tree.k = k
            tree.save(update_fields=["k"])


class Migration(migrations.Migration):

    dependencies = [
        ('maturity', '0003_add_questionnaire_maps_from'),
        ('surveys', '0004_add_response_pool_and_submission_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='roundresult',
            name='published',
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name='roundresult',
            name='published_figures',
            field=models.JSONField(default=dict),
        ),
        migrations.CreateModel(
            name='ResultTree',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('departments', models.JSONField(default=list)),
                ('groups', models.JSONField(default=list)),
                ('k', models.PositiveSmallIntegerField(default=5)),
                ('frozen_at', models.DateTimeField(blank=True, null=True)),
                ('round', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='result_tree', to='surveys.round')),
            ],
            options={
                'verbose_name': 'result tree',
                'verbose_name_plural': 'result trees',
            },
        ),
        migrations.RunPython(publish_stored_results, migrations.RunPython.noop),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("maturity", "0009_rebuild_comparison_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "public_national_overview",
                    models.BooleanField(default=False, verbose_name="public national overview"),
                ),
                ("changed_at", models.DateTimeField(blank=True, null=True, verbose_name="changed")),
            ],
            options={
                "verbose_name": "site settings",
                "verbose_name_plural": "site settings",
            },
        ),
    ]

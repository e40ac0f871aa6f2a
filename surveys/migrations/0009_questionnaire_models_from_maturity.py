"""The questionnaire models (QuestionnaireVersion, Dimension, Category, Capability, Statement,
TypeDescription) move from maturity to surveys (issue 13: surveys holds the questionnaires its rounds are
answered on, maturity reads surveys and never the reverse). State only: the tables keep their names
(maturity_*) and their rows; foreign keys into them are re-pointed in the state, the database's
constraints already reference these tables. The content types follow, so admin history and permissions
keep pointing at the same rows."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.db import migrations, models


MODELS = ["questionnaireversion", "dimension", "category", "capability", "statement", "typedescription"]


def _move_content_types(apps, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=target, model__in=MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(app_label=target)


def _content_types_to_surveys(apps, schema_editor) -> None:
    _move_content_types(apps, source="maturity", target="surveys")


def _content_types_to_maturity(apps, schema_editor) -> None:
    _move_content_types(apps, source="surveys", target="maturity")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('maturity', '0004_add_result_tree_and_published_figures'),
        ('surveys', '0008_audit_event_keys_to_references'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='QuestionnaireVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(unique=True, verbose_name='code')),
                        ('name_sv', models.CharField(max_length=200, verbose_name='name (Swedish)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('description_sv', models.TextField(blank=True, default='', verbose_name='description (Swedish)')),
                        ('description_en', models.TextField(blank=True, default='', verbose_name='description (English)')),
                        ('scale_labels', models.JSONField(default=dict, verbose_name='scale labels')),
                        ('dont_know_label', models.JSONField(default=dict, verbose_name="'don't know' label")),
                        ('capability_cutoff', models.DecimalField(decimal_places=2, default=Decimal('50'), max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='capability cut-off (%)')),
                        ('legacy_cutoff', models.DecimalField(decimal_places=2, default=Decimal('50'), max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='legacy cut-off (%)')),
                        ('k_anonymity', models.PositiveSmallIntegerField(default=5, help_text='No figure is shown for fewer responses than this; never below 3.', validators=[django.core.validators.MinValueValidator(3)], verbose_name='minimum responses shown (k)')),
                        ('source_checksum', models.CharField(blank=True, default='', editable=False, max_length=64)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('maps_from', models.ForeignKey(blank=True, help_text='An earlier version whose dimensions keep their meaning here, so that trends run across both.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mapped_by', to='surveys.questionnaireversion', verbose_name='comparable with')),
                    ],
                    options={
                        'verbose_name': 'questionnaire version',
                        'verbose_name_plural': 'questionnaire versions',
                        'db_table': 'maturity_questionnaireversion',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Dimension',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=30, verbose_name='code')),
                        ('kind', models.CharField(choices=[('capability', 'Digital capability'), ('legacy', 'Digital legacy')], max_length=20, verbose_name='kind')),
                        ('name_sv', models.CharField(max_length=200, verbose_name='name (Swedish)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('weight', models.DecimalField(decimal_places=3, default=Decimal('1'), max_digits=6)),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dimensions', to='surveys.questionnaireversion')),
                    ],
                    options={
                        'db_table': 'maturity_dimension',
                        'ordering': ['position'],
                    },
                ),
                migrations.CreateModel(
                    name='Category',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=30, verbose_name='code')),
                        ('name_sv', models.CharField(max_length=200, verbose_name='name (Swedish)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('weight', models.DecimalField(decimal_places=3, default=Decimal('1'), max_digits=6)),
                        ('dimension', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='surveys.dimension')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='surveys.questionnaireversion')),
                    ],
                    options={
                        'verbose_name_plural': 'categories',
                        'db_table': 'maturity_category',
                        'ordering': ['dimension__position', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='Capability',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=30, verbose_name='code')),
                        ('name_sv', models.CharField(max_length=200, verbose_name='name (Swedish)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('weight', models.DecimalField(decimal_places=3, default=Decimal('1'), max_digits=6)),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='capabilities', to='surveys.category')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='capabilities', to='surveys.questionnaireversion')),
                    ],
                    options={
                        'verbose_name_plural': 'capabilities',
                        'db_table': 'maturity_capability',
                        'ordering': ['category__dimension__position', 'category__position', 'position'],
                    },
                ),
                migrations.AlterField(
                    model_name='round',
                    name='questionnaire',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rounds', to='surveys.questionnaireversion', verbose_name='questionnaire version'),
                ),
                migrations.CreateModel(
                    name='Statement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=30, verbose_name='code')),
                        ('text_sv', models.TextField(verbose_name='text (Swedish)')),
                        ('text_en', models.TextField(verbose_name='text (English)')),
                        ('reverse_scored', models.BooleanField(default=False, verbose_name='reverse scored')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('capability', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='surveys.capability')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='surveys.questionnaireversion')),
                    ],
                    options={
                        'db_table': 'maturity_statement',
                        'ordering': ['capability__category__dimension__position', 'capability__category__position', 'capability__position', 'position'],
                    },
                ),
                migrations.AlterField(
                    model_name='answer',
                    name='statement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='surveys.statement'),
                ),
                migrations.AlterField(
                    model_name='draftanswer',
                    name='statement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.statement'),
                ),
                migrations.CreateModel(
                    name='TypeDescription',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(choices=[('A', 'A'), ('B', 'B'), ('C', 'C'), ('D', 'D')], max_length=1)),
                        ('title_sv', models.CharField(max_length=200)),
                        ('title_en', models.CharField(max_length=200)),
                        ('description_sv', models.TextField()),
                        ('description_en', models.TextField()),
                        ('recommendations_sv', models.TextField()),
                        ('recommendations_en', models.TextField()),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='type_descriptions', to='surveys.questionnaireversion')),
                    ],
                    options={
                        'db_table': 'maturity_typedescription',
                        'ordering': ['type'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='questionnaireversion',
                    constraint=models.CheckConstraint(condition=models.Q(('k_anonymity__gte', 3)), name='questionnaire_k_at_least_3'),
                ),
                migrations.AddConstraint(
                    model_name='dimension',
                    constraint=models.UniqueConstraint(fields=('version', 'code'), name='dimension_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='dimension',
                    constraint=models.UniqueConstraint(fields=('version', 'kind'), name='dimension_unique_kind'),
                ),
                migrations.AddConstraint(
                    model_name='category',
                    constraint=models.UniqueConstraint(fields=('version', 'code'), name='category_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='capability',
                    constraint=models.UniqueConstraint(fields=('version', 'code'), name='capability_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='statement',
                    constraint=models.UniqueConstraint(fields=('version', 'code'), name='statement_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='typedescription',
                    constraint=models.UniqueConstraint(fields=('version', 'type'), name='type_description_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_to_surveys, _content_types_to_maturity),
    ]

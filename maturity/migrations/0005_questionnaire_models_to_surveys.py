"""The questionnaire models now belong to surveys (surveys/migrations/0007): removed from maturity's state
only; their tables and rows stay, owned by surveys' models."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('maturity', '0004_add_result_tree_and_published_figures'),
        ('surveys', '0009_questionnaire_models_from_maturity'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='statement',
                    name='capability',
                ),
                migrations.RemoveField(
                    model_name='category',
                    name='dimension',
                ),
                migrations.RemoveField(
                    model_name='category',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='dimension',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='questionnaireversion',
                    name='maps_from',
                ),
                migrations.AlterField(
                    model_name='roundresult',
                    name='questionnaire',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='surveys.questionnaireversion'),
                ),
                migrations.RemoveField(
                    model_name='statement',
                    name='version',
                ),
                migrations.RemoveField(
                    model_name='typedescription',
                    name='version',
                ),
                migrations.DeleteModel(
                    name='Capability',
                ),
                migrations.DeleteModel(
                    name='Category',
                ),
                migrations.DeleteModel(
                    name='Dimension',
                ),
                migrations.DeleteModel(
                    name='Statement',
                ),
                migrations.DeleteModel(
                    name='QuestionnaireVersion',
                ),
                migrations.DeleteModel(
                    name='TypeDescription',
                ),
            ],
            database_operations=[],
        ),
    ]


import django.db.models.deletion
import uuid
from django.db import migrations, models


def count_submission_days(apps, schema_editor):
    """The daily curve of the round page now comes from SubmissionDay (responses carry no date): count the
    existing responses per round, department and day before the date leaves them. Rerunnable."""
    Response = apps.get_model("surveys", "Response")
    SubmissionDay = apps.get_model("surveys", "SubmissionDay")
    rows = (
        Response.objects.values("round_id", "department_id", "submitted_on")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    for row in rows:
        SubmissionDay.objects.update_or_create(
            round_id=row["round_id"],
            department_id=row["department_id"],
            day=row["submitted_on"],
            defaults={"count": row["n"]},
        )


def reissue_anonymous_responses(apps, schema_editor):
    """Responses of anonymous rounds written before the response pool existed share a transaction id with
    the invitation they came from, and their physical and id order follow the order of submission. Write
    each round's responses and answers again, in random order with new keys, in this one transaction, and
    delete the old rows: the new rows carry this migration's transaction id and a shuffled order (run
    ``manage.py vacuum_response_tables`` afterwards so that the old row versions leave the table files)."""
    import random
    import uuid

    Round = apps.get_model("surveys", "Round")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    rng = random.SystemRandom()
    for round_id in Round.objects.filter(anonymous=True, source="survey").values_list("pk", flat=True):
        old = list(Response.objects.filter(round_id=round_id, invitation__isnull=True))
        if not old:
            continue
        answers: dict = {}
        for response_id, statement_id, value in Answer.objects.filter(response__in=old).values_list(
            "response_id", "statement_id", "value"
        ):
            answers.setdefault(response_id, []).append((statement_id, value))
        rng.shuffle(old)
        new_responses, new_answers = [], []
        for response in old:
            twin = Response(
                id=uuid.uuid4(),
                round_id=response.round_id,
                department_id=response.department_id,
                group_id=response.group_id,
                external_id=response.external_id,
            )
            new_responses.append(twin)
            new_answers.extend(
                Answer(response=twin, statement_id=statement_id, value=value)
                for statement_id, value in answers.get(response.pk, [])
            )
        Response.objects.filter(pk__in=[r.pk for r in old]).delete()
        Response.objects.bulk_create(new_responses, batch_size=500)
        Answer.objects.bulk_create(new_answers, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_add_respondent_import'),
    ]

    operations = [
        migrations.CreateModel(
            name='PooledResponse',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('sealed', models.BinaryField()),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pooled_responses', to='surveys.department')),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pooled_responses', to='surveys.respondentgroup')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pooled_responses', to='surveys.round')),
            ],
            options={
                'verbose_name': 'pooled response',
                'verbose_name_plural': 'pooled responses',
                'indexes': [models.Index(fields=['round', 'department', 'group'], name='surveys_poo_round_i_9b5553_idx')],
            },
        ),
        migrations.CreateModel(
            name='SubmissionDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('count', models.PositiveIntegerField(default=0)),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.department')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='submission_days', to='surveys.round')),
            ],
            options={
                'verbose_name': 'submissions on a day',
                'verbose_name_plural': 'submissions per day',
                'constraints': [models.UniqueConstraint(fields=('round', 'department', 'day'), name='submission_day_unique')],
            },
        ),
        migrations.RunPython(count_submission_days, migrations.RunPython.noop),
        migrations.RunPython(reissue_anonymous_responses, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='response',
            name='submitted_on',
        ),
    ]

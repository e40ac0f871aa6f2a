"""A database made before issue 13 (questionnaire models in ``maturity``) migrates forward without loss:
the questionnaire's rows keep their ids and tables, and the rounds, answers, drafts and stored results that
point at them still do. Built with the migration executor: migrate back to the nodes before the move,
write rows through the historical models of that state, migrate to the current leaves, read through the
current models."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_MOVE = [
    ("surveys", "0008_audit_event_keys_to_references"),
    ("maturity", "0004_add_result_tree_and_published_figures"),
    ("contenttypes", "0002_remove_content_type_name"),
]
QUESTIONNAIRE_TABLES = [
    "maturity_questionnaireversion",
    "maturity_dimension",
    "maturity_category",
    "maturity_capability",
    "maturity_statement",
    "maturity_typedescription",
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _leaves() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_rows(apps) -> dict:
    """A questionnaire, a closed round with a response, a draft and a stored result, as ``make run``
    writes them on main before the move."""
    q = lambda name: apps.get_model("maturity", name)  # noqa: E731
    s = lambda name: apps.get_model("surveys", name)  # noqa: E731
    ContentType = apps.get_model("contenttypes", "ContentType")
    version = q("QuestionnaireVersion").objects.create(
        code="old-version", name_sv="Gammal", name_en="Old", k_anonymity=5
    )
    successor = q("QuestionnaireVersion").objects.create(
        code="old-version-2", name_sv="Ny", name_en="New", maps_from=version
    )
    dimension = q("Dimension").objects.create(
        version=version, code="C", kind="capability", name_sv="F", name_en="C", weight=Decimal("1")
    )
    category = q("Category").objects.create(
        version=version, dimension=dimension, code="C1", name_sv="K", name_en="C"
    )
    capability = q("Capability").objects.create(
        version=version, category=category, code="C1.1", name_sv="F", name_en="C"
    )
    statement = q("Statement").objects.create(
        version=version, capability=capability, code="S1", text_sv="Påstående", text_en="Statement"
    )
    q("TypeDescription").objects.create(
        version=version,
        type="A",
        title_sv="A",
        title_en="A",
        description_sv="d",
        description_en="d",
        recommendations_sv="r",
        recommendations_en="r",
    )
    organisation = s("Organisation").objects.create(code="9999", name="Gamla kommunen", kind="agency")
    department = s("Department").objects.create(organisation=organisation, name="Förvaltningen")
    group = s("RespondentGroup").objects.create(organisation=organisation, name="Medarbetare")
    period = s("MeasurementPeriod").objects.create(
        year=2025, term="VT", starts_on=datetime.date(2025, 2, 1), ends_on=datetime.date(2025, 6, 1)
    )
    round_ = s("Round").objects.create(
        organisation=organisation, period=period, questionnaire=version, status="closed"
    )
    response = s("Response").objects.create(round=round_, department=department, group=group)
    answer = s("Answer").objects.create(response=response, statement=statement, value=5)
    invitation = s("Invitation").objects.create(round=round_, department=department, group=group)
    draft = s("Draft").objects.create(invitation=invitation, round=round_, department=department, group=group)
    draft_answer = s("DraftAnswer").objects.create(draft=draft, statement=statement, value=None)
    result = q("RoundResult").objects.create(
        round=round_, questionnaire=version, scope="organisation", scope_key="organisation", n_respondents=1
    )
    content_type = ContentType.objects.get(app_label="maturity", model="questionnaireversion")
    return {
        "version": version.pk,
        "successor": successor.pk,
        "statement": statement.pk,
        "round": round_.pk,
        "answer": answer.pk,
        "draft_answer": draft_answer.pk,
        "result": result.pk,
        "content_type": content_type.pk,
    }


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in QUESTIONNAIRE_TABLES + ["surveys_round", "surveys_answer", "maturity_roundresult"]:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_questionnaire_move_migrates_forward_without_loss():
    from django.contrib.contenttypes.models import ContentType

    leaves = _leaves()
    executor = _migrate(BEFORE_MOVE)
    old_apps = executor.loader.project_state(BEFORE_MOVE).apps
    ContentType_old = old_apps.get_model("contenttypes", "ContentType")
    # The test database's content types were made for the current state; before the move they are maturity's.
    assert ContentType_old.objects.filter(app_label="maturity", model="questionnaireversion").exists()
    ids = _old_rows(old_apps)
    before = _counts()

    _migrate(leaves)

    from maturity.models import RoundResult
    from surveys.models import Answer, DraftAnswer, QuestionnaireVersion, Round, Statement, TypeDescription

    assert _counts() == before, "rows were lost or added by the move"
    version = QuestionnaireVersion.objects.get(pk=ids["version"])
    assert version.code == "old-version"
    assert QuestionnaireVersion.objects.get(pk=ids["successor"]).maps_from_id == version.pk
    assert version.comparable_version_ids() == {ids["version"], ids["successor"]}
    statement = Statement.objects.select_related("capability__category__dimension").get(pk=ids["statement"])
    assert statement.version_id == version.pk
    assert statement.capability.category.dimension.code == "C"
    assert TypeDescription.objects.get(version=version).type == "A"
    round_ = Round.objects.get(pk=ids["round"])
    assert round_.questionnaire_id == version.pk
    assert list(version.rounds.values_list("pk", flat=True)) == [round_.pk]
    assert version.is_locked
    assert Answer.objects.get(pk=ids["answer"]).statement_id == statement.pk
    assert list(statement.answers.values_list("value", flat=True)) == [5]
    assert DraftAnswer.objects.get(pk=ids["draft_answer"]).statement_id == statement.pk
    assert RoundResult.objects.get(pk=ids["result"]).questionnaire_id == version.pk
    # Admin history and permissions keep their content type (same row, now surveys').
    content_type = ContentType.objects.get(pk=ids["content_type"])
    assert (content_type.app_label, content_type.model) == ("surveys", "questionnaireversion")
    assert content_type.model_class() is QuestionnaireVersion

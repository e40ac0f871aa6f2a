"""Questionnaire versions as data: load (idempotent), lock once used, export."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import QuestionnaireVersion, Round, Statement
from surveys.services.questionnaires import DEFAULT_QUESTIONNAIRE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_default_questionnaire_covers_both_dimensions_with_about_thirty_statements():
    call_command("load_questionnaire", str(DEFAULT_QUESTIONNAIRE), stdout=StringIO())
    version = QuestionnaireVersion.objects.get(code="dimios-open-2026")
    assert 28 <= version.statements.count() <= 35
    assert set(version.dimensions.values_list("kind", flat=True)) == {"capability", "legacy"}
    assert set(version.categories.values_list("code", flat=True)) == {
        "F.EFF",
        "F.INN",
        "F.BAL",
        "A.ORG",
        "A.ANV",
        "A.TEK",
    }
    assert (
        version.statements.filter(reverse_scored=True, capability__category__dimension__kind="legacy").count()
        >= 3
    )
    assert sorted(version.type_descriptions.values_list("type", flat=True)) == ["A", "B", "C", "D"]
    assert all(s.text_sv and s.text_en for s in version.statements.all())
    assert len(version.scale_labels["sv"]) == 6 and version.dont_know_label["sv"] == "Vet ej"
    assert version.k_anonymity == 5


def test_loading_the_same_file_twice_changes_nothing():
    out = StringIO()
    call_command("load_questionnaire", str(DEFAULT_QUESTIONNAIRE), stdout=out)
    ids = sorted(Statement.objects.values_list("pk", flat=True))
    call_command("load_questionnaire", str(DEFAULT_QUESTIONNAIRE), stdout=out)
    assert "unchanged" in out.getvalue()
    assert sorted(Statement.objects.values_list("pk", flat=True)) == ids


def _changed_copy(tmp_path):
    data = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["dimensions"][0]["categories"][0]["capabilities"][0]["statements"][0]["text"]["sv"] = "Ändrad text."
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_changed_content_updates_a_version_no_round_uses(tmp_path):
    call_command("load_questionnaire", str(DEFAULT_QUESTIONNAIRE), stdout=StringIO())
    out = StringIO()
    call_command("load_questionnaire", str(_changed_copy(tmp_path)), stdout=out)
    assert "updated" in out.getvalue()
    assert Statement.objects.get(code="F.EFF.1.1").text_sv == "Ändrad text."


def test_changed_texts_for_a_version_a_round_uses_are_corrected_and_a_changed_weight_refused(
    tmp_path, organisation, questionnaire, period_2025
):
    """Issue 17: a locked version takes text corrections in place (tests/surveys/
    test_questionnaire_text_corrections.py has the rest); a structure change is refused."""
    Round.objects.create(organisation=organisation, period=period_2025, questionnaire=questionnaire)
    statement = Statement.objects.get(code="F.EFF.1.1")
    out = StringIO()
    call_command("load_questionnaire", str(_changed_copy(tmp_path)), stdout=out)
    assert "corrected" in out.getvalue()
    assert Statement.objects.get(pk=statement.pk).text_sv == "Ändrad text."
    data = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["dimensions"][0]["weight"] = 3
    path = tmp_path / "weight.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="new version code"):
        call_command("load_questionnaire", str(path), stdout=StringIO())
    assert Statement.objects.get(pk=statement.pk).text_sv == "Ändrad text."


def test_a_file_without_the_four_type_texts_is_refused(tmp_path):
    data = yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    del data["types"]["D"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match="A, B, C and D"):
        call_command("load_questionnaire", str(path), stdout=StringIO())
    assert not QuestionnaireVersion.objects.exists()


def test_export_prints_codes_texts_reverse_flags_and_parent_codes(questionnaire):
    out = StringIO()
    call_command("export_questionnaire", "--version", questionnaire.code, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    statements = {s["code"]: s for s in data["statements"]}
    assert statements["A.TEK.2.1"]["reverse_scored"] is True
    assert statements["F.EFF.3.1"]["capability"] == "F.EFF.3"
    assert {c["code"]: c["category"] for c in data["capabilities"]}["F.EFF.3"] == "F.EFF"
    assert {c["code"]: c["dimension"] for c in data["categories"]}["F.EFF"] == "F"
    assert statements["F.EFF.3.1"]["text"]["en"]


def test_export_of_an_unknown_version_is_an_error(db):
    with pytest.raises(CommandError, match="no questionnaire version"):
        call_command("export_questionnaire", "--version", "nope", stdout=StringIO())

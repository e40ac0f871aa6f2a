"""Text corrections of a locked questionnaire version (issue 17): a version that a round has used takes a file
whose structure (codes, order, weights, reverse scoring, cut-offs, k, scale points) is the stored one's –
its texts are corrected in place, audited – and refuses any other change with a clear message and nothing
changed. The open default's new answer-scale wording reaches installations that ran rounds on the old one
through ``prepare_database`` (the containers' start)."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from surveys.audit_texts import describe
from surveys.models import (
    Answer,
    AuditAction,
    AuditEvent,
    Category,
    QuestionnaireVersion,
    Response,
    Round,
    Statement,
)
from surveys.services.questionnaires import (
    DEFAULT_QUESTIONNAIRE,
    DEFAULT_VERSION_CODE,
    load_questionnaire_file,
    stored_structure,
    structure_checksum,
)
from tests.factories import DEFAULT_SCALE_SV

pytestmark = pytest.mark.django_db

NEW_SCALE = DEFAULT_SCALE_SV
# The wording that installations loaded before issue 17 and ran rounds on.
OLD_SCALE = [
    "Stämmer inte alls",
    "Stämmer dåligt",
    "Stämmer delvis inte",
    "Stämmer delvis",
    "Stämmer ganska bra",
    "Stämmer helt",
]


def _shipped():
    return yaml.safe_load(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))


def _write(tmp_path, data, name="questionnaire.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def locked(tmp_path, organisation, running_period):
    """The open default as it was before the new wording, used by a round with one submitted answer."""
    data = _shipped()
    data["scale_labels"]["sv"] = OLD_SCALE
    version, outcome = load_questionnaire_file(path=_write(tmp_path, data, "old.yaml"))
    assert outcome == "created"
    round_ = Round.objects.create(organisation=organisation, period=running_period, questionnaire=version)
    response = Response.objects.create(
        round=round_,
        department=organisation.departments.first(),
        group=organisation.respondent_groups.first(),
    )
    Answer.objects.create(response=response, statement=version.statements.get(code="F.EFF.1.1"), value=3)
    assert version.is_locked
    return version


def _state(version):
    """What a refused file must leave as it was: the version's texts, checksum and rows."""
    version = QuestionnaireVersion.objects.get(pk=version.pk)
    return (
        version.source_checksum,
        version.scale_labels,
        version.k_anonymity,
        str(version.capability_cutoff),
        sorted(
            Statement.objects.filter(version=version).values_list("pk", "code", "text_sv", "reverse_scored")
        ),
        sorted(Category.objects.filter(version=version).values_list("pk", "code", "name_sv", "weight")),
    )


def test_prepare_database_corrects_the_scale_wording_of_a_locked_version_and_audits_it(locked):
    statements_before = sorted(Statement.objects.filter(version=locked).values_list("pk", "code"))
    out = StringIO()
    call_command("prepare_database", stdout=out, verbosity=0)  # used to refuse: the version is locked
    assert "Database ready." in out.getvalue()
    version = QuestionnaireVersion.objects.get(code=DEFAULT_VERSION_CODE)
    assert version.pk == locked.pk and version.scale_labels["sv"] == NEW_SCALE
    # In place: the same statement rows, so the answers given on them stay theirs.
    assert sorted(Statement.objects.filter(version=version).values_list("pk", "code")) == statements_before
    assert Answer.objects.get().statement.code == "F.EFF.1.1"
    event = AuditEvent.objects.get(action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED)
    assert event.target == DEFAULT_VERSION_CODE and event.actor is None
    assert "scale_labels (sv)" in event.details["changes"]
    assert "scale_labels (en)" not in event.details["changes"]
    assert event.details["structure_checksum"] == structure_checksum(stored_structure(version))
    assert event.details["previous_checksum"] == locked.source_checksum != event.details["checksum"]
    with translation.override("sv"):
        sentence = describe(event)
    assert sentence.startswith(
        "Rättade texter i enkätversionen dimios-open-2026, som mätomgångar har använt; dess struktur är "
        "oförändrad: "
    )
    assert "scale_labels (sv)" in sentence
    # Once corrected, the same file is unchanged and audited no more.
    assert load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)[1] == "unchanged"
    assert AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED).count() == 1


def test_a_statement_and_a_category_reworded_on_a_locked_version_are_corrected_in_place(tmp_path, locked):
    data = _shipped()
    data["scale_labels"]["sv"] = OLD_SCALE
    category = data["dimensions"][0]["categories"][0]
    category["name"]["en"] = "Efficiency (corrected)"
    category["capabilities"][0]["statements"][0]["text"]["sv"] = "Våra digitala satsningar utgår från mål."
    statement = Statement.objects.get(version=locked, code="F.EFF.1.1")
    version, outcome = load_questionnaire_file(path=_write(tmp_path, data))
    assert outcome == "corrected"
    assert Statement.objects.get(pk=statement.pk).text_sv == "Våra digitala satsningar utgår från mål."
    assert Category.objects.get(version=version, code="F.EFF").name_en == "Efficiency (corrected)"
    assert version.scale_labels["sv"] == OLD_SCALE
    event = AuditEvent.objects.get(action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED)
    assert event.details["changes"] == ["F.EFF (en)", "F.EFF.1.1 (sv)"]


def _weight(data):
    data["dimensions"][0]["categories"][0]["capabilities"][0]["weight"] = 2


def _reversal(data):
    statement = data["dimensions"][0]["categories"][0]["capabilities"][0]["statements"][0]
    statement["reverse_scored"] = not statement.get("reverse_scored", False)


def _code(data):
    data["dimensions"][0]["categories"][0]["capabilities"][0]["statements"][0]["code"] = "F.EFF.1.9"


def _order(data):
    capabilities = data["dimensions"][0]["categories"][0]["capabilities"]
    capabilities[0], capabilities[1] = capabilities[1], capabilities[0]


def _cutoff(data):
    data["capability_cutoff"] = 55


def _k(data):
    data["k_anonymity"] = 7


def _category_weight(data):
    data["dimensions"][1]["categories"][0]["weight"] = 1.5


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_weight, "weights"),
        (_category_weight, "weights"),
        (_reversal, "which statements are reverse scored"),
        (_code, "the codes or their order"),
        (_order, "the codes or their order"),
        (_cutoff, "the cut-offs"),
        (_k, "k (the minimum number of responses shown)"),
    ],
)
def test_a_structure_change_on_a_locked_version_is_refused_and_changes_nothing(
    tmp_path, locked, change, named
):
    """Even with the new scale wording in the same file: nothing of it is taken."""
    data = _shipped()
    change(data)
    before = _state(locked)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("load_questionnaire", str(_write(tmp_path, data)), stdout=StringIO())
    message = str(refused.value)
    assert "only its texts may be corrected" in message and "Nothing was changed" in message
    assert f"also changes {named}." in message and "new version code" in message
    assert _state(locked) == before
    assert QuestionnaireVersion.objects.get(pk=locked.pk).scale_labels["sv"] == OLD_SCALE
    assert not AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED).exists()


def test_the_refusal_is_in_swedish_and_names_every_structure_change(tmp_path, locked):
    data = _shipped()
    _weight(data)
    _reversal(data)
    before = _state(locked)
    with translation.override("sv"), pytest.raises(CommandError) as refused:
        call_command("load_questionnaire", str(_write(tmp_path, data)), stdout=StringIO())
    assert str(refused.value) == (
        "Enkätversionen dimios-open-2026 används av en mätomgång: bara dess texter får rättas, men filen "
        "ändrar också vikterna, vilka påståenden som räknas omvänt. Ingenting har ändrats. Ge den ändrade "
        "enkäten en ny versionskod och läs in den som en ny version."
    )
    assert _state(locked) == before


def test_a_version_no_round_uses_is_still_replaced_whole(tmp_path):
    data = _shipped()
    load_questionnaire_file(path=_write(tmp_path, data, "first.yaml"))
    _weight(data)
    version, outcome = load_questionnaire_file(path=_write(tmp_path, data))
    assert outcome == "updated"
    assert str(version.capabilities.get(code="F.EFF.1").weight.normalize()) == "2"
    assert not AuditEvent.objects.filter(action=AuditAction.QUESTIONNAIRE_TEXTS_CORRECTED).exists()


def test_the_stored_structure_is_the_files_structure(tmp_path):
    """The comparison itself: a version loaded from a file has the file's structure checksum."""
    from surveys.services.questionnaires import read_questionnaire_file, structure

    version, _outcome = load_questionnaire_file(path=DEFAULT_QUESTIONNAIRE)
    doc = read_questionnaire_file(DEFAULT_QUESTIONNAIRE)
    assert structure_checksum(stored_structure(version)) == structure_checksum(structure(doc))
    data = _shipped()
    data["scale_labels"]["en"] = ["a", "b", "c", "d", "e", "f"]
    data["dimensions"][0]["name"]["sv"] = "Annan"
    reworded = read_questionnaire_file(_write(tmp_path, data))
    assert structure_checksum(structure(reworded)) == structure_checksum(structure(doc))

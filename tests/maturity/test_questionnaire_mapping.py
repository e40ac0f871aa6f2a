"""A later questionnaire version can be declared comparable with an earlier one (``maps_from``), so that the
dashboards' trend runs across both."""

import copy

import pytest

from dimios_web.exceptions import DomainError
from surveys.services.questionnaires import (
    DEFAULT_QUESTIONNAIRE,
    ensure_default_questionnaire,
    load_questionnaire,
    parse_questionnaire,
    read_questionnaire_file,
)
from tests.reports.dashboard_data import SMALL_PLAN, build_round

pytestmark = pytest.mark.django_db


def later_version_doc(**changes) -> dict:
    import yaml

    with open(DEFAULT_QUESTIONNAIRE, encoding="utf-8") as handle:
        raw = copy.deepcopy(yaml.safe_load(handle))
    raw["code"] = "dimios-open-2027"
    raw.update(changes)
    return raw


def test_a_version_declared_comparable_links_both_ways():
    old = ensure_default_questionnaire()
    new, outcome = load_questionnaire(doc=parse_questionnaire(later_version_doc(maps_from=old.code)))
    assert outcome == "created"
    assert new.maps_from == old
    assert old.comparable_version_ids() == new.comparable_version_ids() == {old.pk, new.pk}


def test_a_version_without_maps_from_stands_alone_and_keeps_its_checksum():
    old = ensure_default_questionnaire()
    checksum = old.source_checksum
    load_questionnaire(doc=read_questionnaire_file(DEFAULT_QUESTIONNAIRE))
    old.refresh_from_db()
    assert old.source_checksum == checksum
    new, _ = load_questionnaire(doc=parse_questionnaire(later_version_doc()))
    assert new.comparable_version_ids() == {new.pk}


def test_maps_from_an_unknown_version_is_refused_and_nothing_is_saved():
    from surveys.models import QuestionnaireVersion

    with pytest.raises(DomainError, match="dimios-open-1999"):
        load_questionnaire(doc=parse_questionnaire(later_version_doc(maps_from="dimios-open-1999")))
    assert not QuestionnaireVersion.objects.filter(code="dimios-open-2027").exists()


def test_maps_from_itself_is_refused():
    with pytest.raises(DomainError):
        parse_questionnaire(later_version_doc(maps_from="dimios-open-2027"))


def test_the_dashboard_trend_runs_across_mapped_versions(client, organisation, management):
    from django.urls import reverse

    old = ensure_default_questionnaire()
    new, _ = load_questionnaire(doc=parse_questionnaire(later_version_doc(maps_from=old.code)))
    build_round(organisation, year=2024, questionnaire=old, plan=SMALL_PLAN, seed=1)
    latest = build_round(organisation, year=2025, questionnaire=new, plan=SMALL_PLAN, seed=2)
    client.force_login(management)
    response = client.get(reverse("reports:dashboard", args=[organisation.code]), {"round": latest.pk})
    labels = [row[0] for row in response.context["dashboard"]["tables"]["trend"].rows]
    assert labels == ["HT 2024", "HT 2025"]


def test_the_trend_leaves_out_versions_that_are_not_mapped(client, organisation, management):
    from django.urls import reverse

    old = ensure_default_questionnaire()
    new, _ = load_questionnaire(doc=parse_questionnaire(later_version_doc()))
    build_round(organisation, year=2024, questionnaire=old, plan=SMALL_PLAN, seed=1)
    latest = build_round(organisation, year=2025, questionnaire=new, plan=SMALL_PLAN, seed=2)
    client.force_login(management)
    response = client.get(reverse("reports:dashboard", args=[organisation.code]), {"round": latest.pk})
    labels = [row[0] for row in response.context["dashboard"]["tables"]["trend"].rows]
    assert labels == ["HT 2025"]

"""Section 8 of the annual report: the year's improvement actions with their follow-up, never the owner's
name, in the HTML, the XLSX and the fingerprint (reports.selectors.report_content._actions)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from maturity.models import Action
from maturity.services import actions as action_services
from reports.selectors.annual import compute_fingerprint
from reports.selectors.report_content import get_report_content
from reports.services.building import report_context
from reports.xlsx_report import build_xlsx
from surveys.access import Visibility
from surveys.scope_keys import ScopeKey
from tests.reports.conftest import make_closed_round

pytestmark = pytest.mark.django_db

OWNER_NAME = "Ingrid Ansvarigsson"


@pytest.fixture
def rounds(organisation):
    return make_closed_round(organisation, year=2024, seed="a"), make_closed_round(organisation, year=2025)


@pytest.fixture
def owner(org_admin):
    org_admin.first_name, org_admin.last_name = OWNER_NAME.split()
    org_admin.save()
    return org_admin


def _action(organisation, round_, owner, *, department=None, title="Gemensam förvaltningsmodell", code=None):
    capability = (
        round_.questionnaire.capabilities.get(code=code)
        if code
        else round_.questionnaire.capabilities.first()
    )
    return action_services.create_action(
        organisation=organisation,
        round=round_,
        department=department,
        title=title,
        capabilities=[capability],
        owner=owner,
        starts_on=datetime.date(2025, 1, 1),
        due_on=datetime.date(2025, 6, 30),
        scope=Visibility.everything(),
        actor=owner,
    )


def _content(organisation, year=2025):
    with translation.override("sv"):
        return get_report_content(organisation=organisation, year=year, visibility=Visibility.everything())


def test_section_8_lists_the_actions_with_department_capability_status_due_date_and_follow_up(
    organisation, rounds, owner, social_department
):
    before, after = rounds
    wide = _action(organisation, before, owner, title="Förvaltningsmodell för hela kommunen")
    own = _action(organisation, before, owner, department=social_department, title="Socialens åtgärd")
    code = own.capabilities.get().code

    items = _content(organisation)["actions"]["items"]

    assert [item["title"] for item in items] == [wide.title, own.title]  # the organisation-wide first
    item = items[1]
    assert item["department"] == "Socialförvaltningen"
    assert item["capabilities"] == [own.capabilities.get().name]
    assert item["status"] == "Planerad" and item["due_on"] == "2025-06-30"
    assert item["followup_round"] == str(after.period)
    # The change, by hand from the read model's two figures.
    from maturity.read_model import load_round_views

    key = ScopeKey.department(social_department.pk)
    views = load_round_views([before, after], figures={before.pk: [key], after.pk: [key]})
    first = views[before.pk].part(key, "capabilities", code).value
    second = views[after.pk].part(key, "capabilities", code).value
    assert item["changes"][0]["change"] == pytest.approx(second - first)


def test_section_8_never_names_the_owner(organisation, rounds, owner, social_department):
    before, _after = rounds
    _action(organisation, before, owner, department=social_department)
    content = _content(organisation)
    from django.template.loader import render_to_string

    with translation.override("sv"):
        content["figures"] = {}
        html = render_to_string("reports/_report_body.html", report_context(content))
        workbook = load_workbook(io.BytesIO(build_xlsx(content)))

    assert "Socialförvaltningen" in html and "Gemensam förvaltningsmodell" in html
    assert OWNER_NAME not in html and owner.email not in html
    assert "Ingrid" not in str(content["actions"]) and owner.email not in str(content["actions"])
    sheet = workbook[workbook.sheetnames[-1]]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Gemensam förvaltningsmodell" in cells
    assert not any(OWNER_NAME in c or "Ingrid" in c or owner.email in c for c in cells)


def test_a_hidden_department_gives_no_change_in_the_report(organisation, owner):
    from surveys.models import Department

    small = Department.objects.create(organisation=organisation, name="Liten förvaltning")
    before = make_closed_round(organisation, year=2024, per_department=2, seed="s")
    make_closed_round(organisation, year=2025, per_department=2, seed="t")
    _action(organisation, before, owner, department=small)

    item = _content(organisation)["actions"]["items"][0]

    assert item["changes"] and all(change["change"] is None for change in item["changes"])
    assert all(change["before"] is None and change["after"] is None for change in item["changes"])
    assert item["changes"][0]["reason"] == "för få svarande"


def test_an_action_without_a_next_round_waits(organisation, rounds, owner):
    _before, after = rounds
    _action(organisation, after, owner)

    item = _content(organisation)["actions"]["items"][0]

    assert item["followup"] == "Väntar på nästa omgång" and item["changes"] == []


def test_actions_of_other_years_and_organisations_are_not_listed(
    organisation, other_organisation, owner, outsider
):
    old = make_closed_round(organisation, year=2023, seed="o")
    make_closed_round(organisation, year=2025)
    _action(organisation, old, owner, title="Gammal åtgärd")
    foreign = make_closed_round(other_organisation, year=2025, seed="f")
    _action(other_organisation, foreign, outsider, title="Annan kommuns åtgärd")

    assert _content(organisation)["actions"]["items"] == []


def test_the_fingerprint_changes_when_an_action_changes(organisation, rounds, owner, social_department):
    before, _after = rounds
    first, _summary = compute_fingerprint(organisation=organisation, year=2025)
    action = _action(organisation, before, owner, department=social_department)
    added, _summary = compute_fingerprint(organisation=organisation, year=2025)
    assert added != first

    action_services.set_action_status(
        action=Action.objects.get(pk=action.pk),
        status=Action.Status.IN_PROGRESS,
        scope=Visibility.everything(),
        actor=owner,
    )
    moved, _summary = compute_fingerprint(organisation=organisation, year=2025)

    assert moved != added
    assert compute_fingerprint(organisation=organisation, year=2025)[0] == moved  # stable when unchanged


def test_the_fingerprint_changes_when_a_later_round_follows_the_actions_up(organisation, owner):
    this_year = make_closed_round(organisation, year=2025)
    _action(organisation, this_year, owner)
    before, _summary = compute_fingerprint(organisation=organisation, year=2025)

    make_closed_round(organisation, year=2026, seed="n")

    assert compute_fingerprint(organisation=organisation, year=2025)[0] != before

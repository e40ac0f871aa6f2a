# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""Where the action plans show (issue 16, docs/actions.md "Where actions show"): beside the capabilities on
the department and organisation dashboards, on a representative's and an organisation admin's start page,
and on a respondent's page after the round closed. Each place shows the actions that may be read there and
never another department's; the queries stay the same for few and many actions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from maturity.models import Action
from maturity.services import actions as services
from surveys.access import Visibility
from surveys.models import Capability, Department, RoleAssignment, Round
from tests.factories import InvitationFactory, UserFactory, issue_link_token
from tests.reports.dashboard_data import SMALL_PLAN, build_round, small_questionnaire  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> labelled by ``element_id`` (or the element with that id)."""
    match = re.search(rf'<section aria-labelledby="{element_id}".*?</section>', html, re.S)
    assert match is not None, element_id
    return match.group(0)


def dashboard(client, organisation, department=None) -> str:
    url = reverse("reports:dashboard", args=[organisation.code])
    response = client.get(f"{url}?department={department.pk}" if department else url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def plan(organisation, small_questionnaire, org_admin, social_department, school_department):
    """A closed round with results and actions of the representative's department (Socialförvaltningen),
    of its unit (Äldreomsorg), of another department (Utbildningsförvaltningen) and of the whole
    organisation; one overdue, one done and one dropped."""
    round_ = build_round(organisation, year=2025, questionnaire=small_questionnaire, plan=SMALL_PLAN, seed=5)
    capabilities = list(Capability.objects.filter(version=small_questionnaire))
    unit = social_department.children.get()

    def make(title, department, aims, due, status=None, description=""):
        action = services.create_action(
            organisation=organisation,
            round=round_,
            department=department,
            title=title,
            description=description,
            capabilities=aims,
            owner=org_admin,
            starts_on=min(due, TODAY) - datetime.timedelta(days=30),
            due_on=due,
            scope=Visibility.everything(),
            actor=org_admin,
        )
        if status:
            services.set_action_status(
                action=action, status=status, scope=Visibility.everything(), actor=org_admin
            )
        return action

    first, second, third = capabilities[:3]
    actions = {
        "own": make("Social e-tjänst för hemtjänst", social_department, [first], days(30)),
        "own_overdue": make("Social digital dokumentation", social_department, [first, second], days(-5)),
        "unit": make("Äldreomsorgens digitala signering", unit, [first], days(10)),
        "other": make("Skolans lärplattform i molnet", school_department, [first], days(20)),
        "wide": make(
            "Gemensam förvaltningsmodell", None, [second], days(100), description="Hemlig beskrivning"
        ),
        "dropped": make(
            "Social app som avbröts", social_department, [first], days(50), Action.Status.DROPPED
        ),
        "done": make(
            "Social utbildning som är klar", social_department, [third], days(-10), Action.Status.DONE
        ),
    }
    return {"round": round_, "capabilities": capabilities, "actions": actions, "unit": unit}


def titles(plan, *keys) -> list[str]:
    return [plan["actions"][k].title for k in keys]


# --- The department dashboard -------------------------------------------------------------------------------


def test_the_department_dashboard_lists_its_own_and_its_units_actions_and_never_another_departments(
    client, plan, dept_rep, social_department
):
    client.force_login(dept_rep)
    html = dashboard(client, plan["round"].organisation, social_department)
    actions = section(html, "actions-heading")
    assert "Åtgärder för Socialförvaltningen" in text_of(actions)
    own = re.search(r'<ul class="list-unstyled action-items mb-3" id="actions-own">.*?</ul>', actions, re.S)
    assert own is not None
    for title in titles(plan, "own", "own_overdue", "unit", "done"):
        assert title in own.group(0)
    # the overdue one first, flagged in words; the done one last
    assert own.group(0).index("Social digital dokumentation") < own.group(0).index("Social e-tjänst")
    assert own.group(0).index("Social e-tjänst") < own.group(0).index("Social utbildning som är klar")
    assert "försenad" in text_of(own.group(0))
    # the organisation-wide action applies to the department too, listed apart
    also = re.search(r'id="actions-also">.*?</ul>', actions, re.S)
    assert also is not None and "Gemensam förvaltningsmodell" in also.group(0)
    assert "Hela organisationen" in text_of(also.group(0))
    for title in titles(plan, "other", "dropped"):
        assert escape(title) not in html
    assert "Hemlig beskrivning" not in html  # a list, not the action's page


def test_each_capability_shows_how_many_of_the_departments_actions_aim_at_it_linked_to_the_filtered_list(
    client, plan, dept_rep, social_department, organisation
):
    client.force_login(dept_rep)
    html = dashboard(client, organisation, social_department)
    first, second = plan["capabilities"][:2]
    base = reverse("maturity:action_list", args=[organisation.code])
    for capability, n in ((first, 3), (second, 1)):  # own, overdue and unit; overdue (the wide one not)
        link = f"{base}?department={social_department.pk}&capability={capability.code}&status=current"
        match = re.search(rf'<a class="badge[^"]*" href="{re.escape(escape(link))}">([^<]*)<', html)
        assert match is not None, capability.code
        assert match.group(1).strip() == f"{n} åtgärd" + ("er" if n > 1 else "")
        # the list the badge opens holds exactly the actions it counts: not the dropped one aimed at the
        # first capability too
        listed = client.get(link)
        assert listed.status_code == 200
        rows = re.findall(r'<td><a href="[^"]*/atgarder/\d+/">([^<]*)</a>', listed.content.decode())
        assert len(rows) == n, rows
    listed = client.get(f"{base}?department={social_department.pk}&capability={first.code}&status=current")
    for title in titles(plan, "own", "own_overdue", "unit"):
        assert escape(title) in listed.content.decode()
    assert escape(plan["actions"]["dropped"].title) not in listed.content.decode()
    # and the dropped one is still there for whoever asks for every action
    everything = client.get(f"{base}?department={social_department.pk}&capability={first.code}")
    assert escape(plan["actions"]["dropped"].title) in everything.content.decode()


def test_the_unit_dashboard_shows_the_actions_that_apply_to_it_from_above(
    client, plan, dept_rep, organisation
):
    client.force_login(dept_rep)
    context = client.get(
        reverse("reports:dashboard", args=[organisation.code]) + f"?department={plan['unit'].pk}"
    ).context["dashboard"]["actions"]
    assert [a.title for a in context.items] == titles(plan, "unit")
    assert {a.title for a in context.also} == set(titles(plan, "own_overdue", "own", "done", "wide"))


def test_a_representative_of_another_department_sees_none_of_the_social_departments_actions(
    client, plan, organisation, school_department, social_department
):
    rep = UserFactory(username="skola.rep@kommun.example")
    RoleAssignment.objects.create(
        user=rep, organisation=organisation, role=RoleAssignment.Role.DEPARTMENT_REP
    ).departments.set([school_department])
    client.force_login(rep)
    url = reverse("reports:dashboard", args=[organisation.code])
    assert client.get(f"{url}?department={social_department.pk}").status_code == 404
    html = dashboard(client, organisation, school_department)
    assert plan["actions"]["other"].title in html
    for title in titles(plan, "own", "own_overdue", "unit", "done", "dropped"):
        assert escape(title) not in html
    start = client.get(reverse("home")).content.decode()
    for title in titles(plan, "own", "own_overdue", "unit", "done"):
        assert escape(title) not in start
    assert "Ytterligare 1 åtgärd har ett senare slutdatum." in text_of(start)  # their own, due in 20 days
    assert "försenad" not in text_of(start)


def test_the_organisation_dashboard_lists_the_organisation_wide_actions_and_counts_them_all(
    client, plan, management, organisation
):
    client.force_login(management)
    html = dashboard(client, organisation)
    actions = section(html, "actions-heading")
    assert "Åtgärder för hela organisationen" in text_of(actions)
    assert "Gemensam förvaltningsmodell" in actions
    assert "Social e-tjänst" not in actions  # department actions are counted, listed on their dashboards
    assert "6 åtgärder i åtgärdsplanen" in text_of(html)  # all but the dropped one
    first = plan["capabilities"][0]
    base = reverse("maturity:action_list", args=[organisation.code])
    href = escape(f"{base}?capability={first.code}&status=current")
    assert f'href="{href}">4 åtgärder' in html  # own, overdue, unit and the other department's
    assert "Social app som avbröts" not in html


# --- Start pages --------------------------------------------------------------------------------------------


def test_the_rep_start_page_shows_overdue_first_then_due_soon_then_how_many_more(
    client, plan, dept_rep, organisation
):
    client.force_login(dept_rep)
    html = client.get(reverse("home")).content.decode()
    match = re.search(r"<div class=\"start-actions.*?</div>", html, re.S)
    assert match is not None
    card = match.group(0)
    text = text_of(card)
    assert "1 åtgärd är försenad" in text
    assert "1 åtgärd ska vara klar inom 14 dagar" in text
    assert "Ytterligare 1 åtgärd har ett senare slutdatum." in text
    assert "1 åtgärd är klar." in text
    assert card.index("Social digital dokumentation") < card.index("Äldreomsorgens digitala signering")
    assert "Social e-tjänst" not in card  # due later: counted, not listed
    for title in titles(plan, "other", "wide", "dropped"):
        assert escape(title) not in card
    action = plan["actions"]["own_overdue"]
    assert reverse("maturity:action_detail", args=[organisation.code, action.pk]) in card
    base = reverse("maturity:action_list", args=[organisation.code])
    assert escape(f"{base}?department={dept_rep_department(organisation).pk}&overdue=1") in card


def dept_rep_department(organisation):
    return Department.objects.get(organisation=organisation, name="Socialförvaltningen")


def test_the_organisation_admin_card_counts_the_overdue_actions_with_a_link(
    client, plan, org_admin, organisation
):
    client.force_login(org_admin)
    html = client.get(reverse("home")).content.decode()
    href = reverse("maturity:action_list", args=[organisation.code]) + "?overdue=1"
    assert re.search(rf'<a href="{re.escape(href)}"[^>]*>1 åtgärd är försenad</a>', html)


def test_the_rep_start_page_and_department_dashboard_cost_the_same_queries_for_few_and_many_actions(
    client, plan, dept_rep, org_admin, organisation, social_department
):
    client.force_login(dept_rep)
    targets = [
        reverse("home"),
        reverse("reports:dashboard", args=[organisation.code]) + f"?department={social_department.pk}",
    ]
    for target in targets:
        client.get(target)  # warm the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(target):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(target).status_code == 200
        return len(captured)

    few = [count(t) for t in targets]
    departments = [
        social_department,
        plan["unit"],
        *Department.objects.filter(name="Utbildningsförvaltningen"),
    ]
    for i in range(40):
        services.create_action(
            organisation=organisation,
            round=plan["round"],
            department=departments[i % 3],
            title=f"Åtgärd {i}",
            capabilities=plan["capabilities"][: 1 + i % 3],
            owner=org_admin,
            starts_on=days(-40),
            due_on=days(i - 10),
            scope=Visibility.everything(),
            actor=org_admin,
        )
    assert [count(t) for t in targets] == few


# --- The respondent after the round closed ------------------------------------------------------------------


def closed_page(client, round_, department, **extra) -> str:
    invitation = InvitationFactory(round=round_, department=department, submitted=True, **extra)
    response = client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tack" in html
    return html


def test_a_respondent_sees_the_actions_decided_for_their_department_title_status_and_due_date_only(
    client, plan, social_department, org_admin
):
    html = closed_page(client, plan["round"], social_department)
    actions = section(html, "actions-title")
    text = text_of(actions)
    for title in titles(plan, "own", "own_overdue", "done", "wide"):
        assert title in actions
    assert "Pågår" not in text and "Planerad" in text and "Klar" in text
    assert "För hela organisationen" in text
    own = plan["actions"]["own"]
    assert f"slutdatum {own.due_on.day} " in text
    # not a unit below the department, not another department, not a dropped one
    for title in titles(plan, "unit", "other", "dropped"):
        assert escape(title) not in html
    # no owner, no description, no link into the staff pages
    for secret in (org_admin.email, org_admin.get_full_name(), "Hemlig beskrivning", "/atgarder/"):
        assert secret and secret not in html


def test_a_respondent_of_a_unit_sees_its_actions_and_those_of_the_department_above_it(client, plan):
    html = closed_page(client, plan["round"], plan["unit"])
    text = text_of(section(html, "actions-title"))
    for title in titles(plan, "unit", "own", "own_overdue", "done", "wide"):
        assert title in text
    assert "För Socialförvaltningen" in text
    assert plan["actions"]["other"].title not in text


def test_a_respondent_of_another_department_sees_only_that_departments_and_the_organisation_wide_actions(
    client, plan, school_department
):
    html = closed_page(client, plan["round"], school_department)
    text = text_of(section(html, "actions-title"))
    assert plan["actions"]["other"].title in text and plan["actions"]["wide"].title in text
    for title in titles(plan, "own", "own_overdue", "unit", "done", "dropped"):
        assert escape(title) not in html


def test_a_respondent_of_a_round_too_small_to_show_sees_the_actions_but_still_no_figure(
    client, organisation, small_questionnaire, org_admin, social_department
):
    round_ = build_round(
        organisation,
        year=2025,
        questionnaire=small_questionnaire,
        plan={("Socialförvaltningen", "Chefer"): 3},
    )
    services.create_action(
        organisation=organisation,
        round=round_,
        department=social_department,
        title="Kartlägg systemen",
        capabilities=list(Capability.objects.filter(version=small_questionnaire)[:1]),
        owner=org_admin,
        starts_on=TODAY,
        due_on=days(90),
        scope=Visibility.everything(),
        actor=org_admin,
    )
    html = closed_page(client, round_, social_department)
    assert "Kartlägg systemen" in section(html, "actions-title")
    assert 'id="results-title"' not in html
    assert "%" not in text_of(html)


def test_an_open_link_after_the_round_closed_shows_no_actions(client, plan, organisation):
    round_ = plan["round"]
    Round.objects.filter(pk=round_.pk).update(
        open_link_enabled=True, open_link_key="oppen-lank-nyckel-7654321"
    )
    html = client.get(reverse("surveys:respond_open", args=["oppen-lank-nyckel-7654321"]), follow=True)
    assert "Tack" in html.content.decode()
    assert 'id="actions-title"' not in html.content.decode()


def test_no_actions_are_shown_before_the_round_closed(client, plan, social_department):
    from maturity.result_summary import list_respondent_actions

    round_ = plan["round"]
    assert list_respondent_actions(round_, social_department.pk)
    round_.status = Round.Status.OPEN
    assert list_respondent_actions(round_, social_department.pk) == []
    assert list_respondent_actions(round_, None) == []
    foreign = Department.objects.exclude(organisation=round_.organisation).first()
    if foreign is not None:
        assert list_respondent_actions(round_, foreign.pk) == []

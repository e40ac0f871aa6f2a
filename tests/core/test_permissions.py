"""Every staff URL of the organisation pages, for every role: who gets in, who gets 403 or 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def admin_urls(organisation, department, group, assignment):
    from surveys.models import ComparisonNetwork, DepartmentSuccession

    code = organisation.code
    network, _created = ComparisonNetwork.objects.get_or_create(organisation=organisation, name="Nätverket")
    other = organisation.departments.exclude(pk=department.pk).first()
    succession, _created = DepartmentSuccession.objects.get_or_create(
        organisation=organisation, predecessor=department, successor=other
    )
    return [
        reverse("surveys:comparison_settings", args=[code]),
        reverse("surveys:network_create", args=[code]),
        reverse("surveys:network_update", args=[code, network.pk]),
        reverse("surveys:network_delete", args=[code, network.pk]),
        reverse("surveys:department_list", args=[code]),
        reverse("surveys:department_create", args=[code]),
        reverse("surveys:department_update", args=[code, department.pk]),
        reverse("surveys:department_delete", args=[code, department.pk]),
        reverse("surveys:department_successions", args=[code]),
        reverse("surveys:department_succession_delete", args=[code, succession.pk]),
        reverse("surveys:group_list", args=[code]),
        reverse("surveys:group_create", args=[code]),
        reverse("surveys:group_update", args=[code, group.pk]),
        reverse("surveys:group_delete", args=[code, group.pk]),
        reverse("surveys:role_list", args=[code]),
        reverse("surveys:role_revoke", args=[code, assignment.pk]),
        reverse("identity:security_settings", args=[code]),
        reverse("identity:audit_log", args=[code]),
        reverse("identity:audit_log_export", args=[code]),
    ]


@pytest.fixture
def urls(organisation, school_department, dept_rep):
    group = organisation.respondent_groups.first()
    assignment = dept_rep.role_assignments.get()
    return admin_urls(organisation, school_department, group, assignment)


def test_org_admin_reaches_every_admin_page(client, org_admin, urls):
    client.force_login(org_admin)
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["dept_rep", "management"])
def test_staff_without_the_admin_role_are_forbidden(client, request, persona, urls):
    client.force_login(request.getfixturevalue(persona))
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert (
            client.post(
                url, {"name": "x", "confirm": "on", "email": "a@b.se", "role": "org_admin"}
            ).status_code
            == 403
        )


def test_another_organisations_admin_gets_not_found_and_changes_nothing(client, outsider, urls, organisation):
    client.force_login(outsider)
    departments_before = organisation.departments.count()
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert (
            client.post(
                url, {"name": "x", "confirm": "on", "email": "a@b.se", "role": "org_admin"}
            ).status_code
            == 404
        )
    assert organisation.departments.count() == departments_before


def test_a_user_without_a_role_gets_not_found(client, no_role_user, urls):
    client.force_login(no_role_user)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_asked_to_log_in(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


def test_organisation_overview_is_visible_to_its_staff_only(
    client, organisation, dept_rep, management, outsider
):
    url = reverse("surveys:organisation_detail", args=[organisation.code])
    for user in (dept_rep, management):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_org_admin_cannot_edit_a_department_of_another_organisation_through_their_own_url(
    client, org_admin, organisation, other_organisation
):
    client.force_login(org_admin)
    foreign = other_organisation.departments.first()
    url = reverse("surveys:department_update", args=[organisation.code, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Kapad"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "Kapad"


def test_department_scope_includes_units_under_the_granted_department(
    dept_rep, organisation, social_department
):
    from surveys.models import Department

    visible = set(Department.objects.for_user(dept_rep).values_list("name", flat=True))
    assert visible == {"Socialförvaltningen", "Äldreomsorg"}


def test_platform_admin_sees_every_organisation(platform_admin, organisation, other_organisation):
    from surveys.models import Organisation

    assert Organisation.objects.for_user(platform_admin).count() == 2


# --- The platform admin's own pages (not an organisation's): superusers only -----------------------------


def platform_urls():
    from maturity.models import BenchmarkSource

    source, _ = BenchmarkSource.objects.get_or_create(name="SKR öppna data 2026")
    return [
        reverse("reports:annual_report_all"),
        reverse("reports:national_overview"),
        reverse("maturity:benchmark_sources"),
        reverse("maturity:benchmark_source_delete", args=[source.pk]),
    ]


def test_the_platform_admin_reaches_every_platform_page(client, platform_admin):
    client.force_login(platform_admin)
    for url in platform_urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["org_admin", "management", "dept_rep", "outsider", "no_role_user"])
def test_every_other_user_is_forbidden_the_platform_pages_and_changes_nothing(client, request, persona):
    from maturity.models import BenchmarkSource

    client.force_login(request.getfixturevalue(persona))
    for url in platform_urls():
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"confirm": "on", "year": "2025", "language": "sv"}).status_code == 403, url
    assert BenchmarkSource.objects.filter(name="SKR öppna data 2026").exists()


def test_anonymous_visitors_are_asked_to_log_in_to_the_platform_pages(client, db):
    for url in platform_urls():
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


OPEN_DATA_URLS = [
    reverse("maturity:open_data"),
    reverse("maturity:open_data_dcat"),
    reverse("maturity:open_data_download", args=["csv"]),
    reverse("maturity:open_data_download", args=["json"]),
    reverse("maturity:open_data_download", args=["xlsx"]),
    reverse("maturity:api_open_data"),
    reverse("maturity:api_periods"),
    reverse("maturity:api_schema"),
]


@pytest.mark.parametrize("persona", [None, "org_admin", "outsider", "no_role_user", "platform_admin"])
def test_the_open_data_is_public_and_read_only_for_everyone(client, request, persona):
    """The open data (issue 15) is the same for anonymous visitors and every role; nothing can be posted."""
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    for url in OPEN_DATA_URLS:
        assert client.get(url).status_code == 200, url
        assert client.post(url, {"name": "x"}).status_code == 405, url


def test_the_national_overview_is_for_platform_admins_and_public_only_when_switched_on(
    client, org_admin, management, dept_rep, outsider, no_role_user, platform_admin
):
    from maturity.services.site_settings import set_public_national_overview

    admin_urls = [reverse("reports:national_overview"), reverse("reports:national_overview_export")]
    public_urls = [reverse("reports:national_overview_public")]
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url
    for url in public_urls:
        assert client.get(url).status_code == 404, url
    for user in (org_admin, management, dept_rep, outsider, no_role_user):
        client.force_login(user)
        for url in admin_urls:
            assert client.get(url).status_code == 403, url
        assert client.post(admin_urls[0], {"public": "on"}).status_code == 403
        for url in public_urls:
            assert client.get(url).status_code == 404, url
    client.force_login(platform_admin)
    assert client.get(admin_urls[0]).status_code == 200
    assert client.get(public_urls[0]).status_code == 404  # off by default, for the platform admin too
    set_public_national_overview(enabled=True, actor=None)
    client.logout()
    assert client.get(public_urls[0]).status_code == 200


# --- The action plans (issue 16, docs/actions.md): every URL × role ----------------------------------------

ACTION_URL_NAMES = {
    "action_list",
    "action_export",
    "action_create",
    "action_detail",
    "action_update",
    "action_status",
    "action_note_create",
}


@pytest.fixture
def action_world(organisation, org_admin, social_department, school_department):
    """A closed round and two actions: one of the representative's department, one of another."""
    import datetime

    from maturity.services.actions import create_action
    from surveys.access import Visibility
    from tests.factories import RoundFactory, build_questionnaire

    version = build_questionnaire(categories_per_dimension=1, statements_per_category=1)
    round_ = RoundFactory(organisation=organisation, questionnaire=version, status="closed")
    made = {}
    for key, department in (("own", social_department), ("other", school_department)):
        made[key] = create_action(
            organisation=organisation,
            round=round_,
            department=department,
            title=f"Åtgärd {key}",
            capabilities=list(version.capabilities.all()),
            owner=org_admin,
            starts_on=datetime.date(2026, 1, 1),
            due_on=datetime.date(2026, 12, 31),
            scope=Visibility.everything(),
            actor=org_admin,
        )
    return made


def action_urls(organisation, action) -> dict[str, tuple[str, str]]:
    """URL name → (method, URL) for one action's pages and the organisation's."""
    code = organisation.code
    return {
        "action_list": ("get", reverse("maturity:action_list", args=[code])),
        "action_export": ("get", reverse("maturity:action_export", args=[code, "csv"])),
        "action_create": ("get", reverse("maturity:action_create", args=[code])),
        "action_detail": ("get", reverse("maturity:action_detail", args=[code, action.pk])),
        "action_update": ("get", reverse("maturity:action_update", args=[code, action.pk])),
        "action_status": ("post", reverse("maturity:action_status", args=[code, action.pk])),
        "action_note_create": ("post", reverse("maturity:action_note_create", args=[code, action.pk])),
    }


def test_every_action_url_is_in_the_matrix():
    from maturity.urls import urlpatterns

    names = {p.name for p in urlpatterns if p.name and p.name.startswith("action")}
    assert names == ACTION_URL_NAMES


# What each persona gets, for the representative's own department's action and for another department's.
ACTION_MATRIX = {
    "org_admin": {"own": 200, "other": 200},
    "platform_admin": {"own": 200, "other": 200},
    "management": {
        "own": {"action_create": 403, "action_update": 403, "action_status": 403, "action_note_create": 403},
        "other": {
            "action_create": 403,
            "action_update": 403,
            "action_status": 403,
            "action_note_create": 403,
        },
    },
    "dept_rep": {
        "own": 200,
        "other": {
            "action_detail": 404,
            "action_update": 404,
            "action_status": 404,
            "action_note_create": 404,
        },
    },
    "outsider": {"own": 404, "other": 404},
    "no_role_user": {"own": 404, "other": 404},
}


@pytest.mark.parametrize("persona", sorted(ACTION_MATRIX))
def test_each_role_gets_what_the_action_plan_matrix_says(
    client, request, persona, organisation, action_world
):
    client.force_login(request.getfixturevalue(persona))
    for which, action in action_world.items():
        expected = ACTION_MATRIX[persona][which]
        for name, (method, url) in action_urls(organisation, action).items():
            wanted = expected if isinstance(expected, int) else expected.get(name, 200)
            data = {"status": "in_progress", "text": "Anteckning"} if method == "post" else None
            status = getattr(client, method)(url, data).status_code
            if wanted == 200 and method == "post":
                wanted = 302  # a change redirects to the action
            assert status == wanted, (persona, which, name, status)
    other = action_world["other"]
    other.refresh_from_db()
    if persona in ("dept_rep", "management", "outsider", "no_role_user"):
        assert other.status == "planned" and not other.notes.exists()


def test_anonymous_visitors_are_asked_to_log_in_to_the_action_plan(client, organisation, action_world):
    for _name, (method, url) in action_urls(organisation, action_world["own"]).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"], url


# --- The weekly digest of actions (docs/actions.md, "Reminders"): every URL × role ------------------------

DIGEST_URL_NAMES = {"digest_settings", "digest_switch"}


def test_every_digest_url_is_in_the_matrix():
    from maturity.urls import urlpatterns

    names = {p.name for p in urlpatterns if p.name and p.name.startswith("digest")}
    assert names == DIGEST_URL_NAMES


@pytest.mark.parametrize(
    "persona", ["org_admin", "management", "dept_rep", "outsider", "no_role_user", "platform_admin"]
)
def test_every_signed_in_user_reaches_their_own_digest_setting_and_changes_only_their_own(
    client, request, persona, dept_rep
):
    from maturity.services.action_digests import digest_enabled

    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("maturity:digest_settings")
    assert client.get(url).status_code == 200
    assert client.post(url, {"enabled": "off"}).status_code == 302
    assert digest_enabled(user=user) is False
    if user != dept_rep:
        assert digest_enabled(user=dept_rep) is True


def test_anonymous_visitors_are_asked_to_log_in_to_the_digest_setting(client, db):
    url = reverse("maturity:digest_settings")
    for method in (client.get, client.post):
        response = method(url, {"enabled": "off"})
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize("persona", [None, "org_admin", "outsider", "no_role_user"])
def test_the_switch_off_link_needs_no_login_and_only_a_valid_token_counts(client, request, persona, dept_rep):
    """The signed token is the authority: anyone holding the e-mail's link may switch its owner's digest off
    (and nothing else); a bad token is a 400 for everyone and changes nothing."""
    from maturity.services.action_digests import digest_enabled, switch_off_token

    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    bad = reverse("maturity:digest_switch", args=["eyJ1IjoxfQ:bad:signature"])
    assert client.get(bad).status_code == 400
    assert client.post(bad).status_code == 400
    good = reverse("maturity:digest_switch", args=[switch_off_token(dept_rep.pk)])
    assert client.get(good).status_code == 200
    assert digest_enabled(user=dept_rep) is True
    assert client.post(good).status_code == 200
    assert digest_enabled(user=dept_rep) is False

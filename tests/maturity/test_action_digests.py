"""The weekly digest of actions (maturity.services.action_digests, docs/actions.md "Reminders"): who gets
which actions, the e-mail's content, at most one digest a person a week whatever the retries, and switching
it off, with and without a login."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core import mail, signing
from django.db import connection as db_connection
from django.urls import reverse

from maturity.models import Action, ActionDigest, ActionDigestPreference
from maturity.services import action_digests as services
from surveys.models import AuditAction, AuditEvent, RoleAssignment, Round
from surveys.services import periods
from tests.conftest import free_port, require_postgres
from tests.factories import MeasurementPeriodFactory, RoundFactory, build_questionnaire

TODAY = datetime.date(2026, 12, 3)  # a Thursday of week 49


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def closed_round(organisation):
    return RoundFactory(
        organisation=organisation,
        questionnaire=build_questionnaire(
            categories_per_dimension=1, statements_per_category=1, code="v-dig"
        ),
        status=Round.Status.CLOSED,
        period=MeasurementPeriodFactory(year=2025, term="HT"),
    )


def make_action(round_, owner, *, due_on, title, status=Action.Status.PLANNED, department=None):
    return Action.objects.create(
        organisation=round_.organisation,
        round=round_,
        department=department,
        title=title,
        owner=owner,
        starts_on=datetime.date(2026, 1, 1),
        due_on=due_on,
        status=status,
    )


@pytest.fixture
def world(closed_round, org_admin, dept_rep, social_department):
    """Alice (org admin) owns an overdue action, one due in exactly 14 days, one in 15, a done and a dropped
    overdue one; Bob (representative) owns one due tomorrow."""
    day = datetime.timedelta(days=1)
    return {
        "overdue": make_action(
            closed_round, org_admin, due_on=datetime.date(2026, 10, 12), title="Gemensam förvaltningsmodell"
        ),
        "in_14": make_action(
            closed_round,
            org_admin,
            due_on=TODAY + 14 * day,
            title="Molnstrategi",
            status=Action.Status.IN_PROGRESS,
            department=social_department,
        ),
        "in_15": make_action(closed_round, org_admin, due_on=TODAY + 15 * day, title="För långt bort"),
        "done": make_action(
            closed_round, org_admin, due_on=TODAY - 9 * day, title="Redan klar", status=Action.Status.DONE
        ),
        "dropped": make_action(
            closed_round, org_admin, due_on=TODAY - 9 * day, title="Avbruten", status=Action.Status.DROPPED
        ),
        "bob": make_action(
            closed_round, dept_rep, due_on=TODAY + day, title="Öppna data", department=social_department
        ),
    }


def _selected(today):
    return {(a.owner.username, a.title) for a in services.digest_actions(today=today)}


# --- Who gets which actions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_overdue_and_due_within_fourteen_days_are_selected_fifteen_days_done_and_dropped_are_not(
    world, today
):
    assert _selected(today) == {
        ("alice.admin@kommun.example", "Gemensam förvaltningsmodell"),
        ("alice.admin@kommun.example", "Molnstrategi"),
        ("bob.rep@kommun.example", "Öppna data"),
    }


@pytest.mark.django_db
def test_a_person_who_switched_off_or_an_inactive_account_gets_no_digest(world, today, org_admin, dept_rep):
    services.set_digest_enabled(user=org_admin, enabled=False, actor=org_admin, via="settings")
    dept_rep.is_active = False
    dept_rep.save()
    assert _selected(today) == set()
    run = services.send_action_digests()
    assert run.sent == [] and mail.outbox == []


@pytest.mark.django_db
def test_an_owner_who_lost_their_role_in_the_organisation_gets_no_digest(world, today, dept_rep):
    RoleAssignment.objects.filter(user=dept_rep).delete()
    assert {owner for owner, _title in _selected(today)} == {"alice.admin@kommun.example"}


@pytest.mark.django_db
def test_one_digest_lists_an_owners_actions_of_every_organisation(
    world, today, org_admin, other_organisation
):
    RoleAssignment.objects.create(user=org_admin, organisation=other_organisation, role="management")
    other_round = RoundFactory(
        organisation=other_organisation,
        questionnaire=build_questionnaire(categories_per_dimension=1, statements_per_category=1, code="v-o"),
        status=Round.Status.CLOSED,
    )
    make_action(other_round, org_admin, due_on=TODAY, title="Annans åtgärd")
    run = services.send_action_digests()
    assert sorted(run.sent) == sorted([org_admin.pk, world["bob"].owner_id])
    alice = next(m for m in mail.outbox if m.to == [org_admin.email])
    assert other_organisation.name in alice.body and "Annans åtgärd" in alice.body
    assert world["overdue"].organisation.name in alice.body
    assert ActionDigest.objects.get(user=org_admin).action_count == 3


# --- The e-mail -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_digest_is_in_swedish_with_dates_overdue_flag_and_absolute_links(
    world, today, org_admin, settings
):
    settings.SITE_URL = "https://dimios.kommun.example"
    services.send_action_digests()
    message = next(m for m in mail.outbox if m.to == [org_admin.email])
    assert message.subject == "Dina åtgärder: 2 är försenade eller ska vara klara inom två veckor"
    body = message.body
    assert "Gemensam förvaltningsmodell (FÖRSENAD)" in body
    assert "12 oktober 2026" in body and "17 december 2026" in body
    assert "Molnstrategi (FÖRSENAD)" not in body
    assert "Socialförvaltningen" in body and "Hela organisationen" in body
    code = world["overdue"].organisation.code
    assert f"https://dimios.kommun.example/o/{code}/atgarder/{world['overdue'].pk}/" in body
    assert "För långt bort" not in body and "Redan klar" not in body and "Avbruten" not in body
    token_url = "https://dimios.kommun.example" + reverse(
        "maturity:digest_switch", args=[services.switch_off_token(org_admin.pk)]
    )
    assert token_url in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://dimios.kommun.example/o/{code}/atgarder/{world["overdue"].pk}/"' in html
    assert "försenad" in html and "12 oktober 2026" in html and f'href="{token_url}"' in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{token_url}>"


# --- Exactly once a week ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_run_twice_in_a_week_sends_each_owner_one_digest(world, today, org_admin, dept_rep):
    from maturity.tasks import send_action_digests_task

    send_action_digests_task.delay("sv")
    send_action_digests_task.delay("sv")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org_admin.email, dept_rep.email])
    assert set(ActionDigest.objects.values_list("user_id", "week")) == {
        (org_admin.pk, "2026-W49"),
        (dept_rep.pk, "2026-W49"),
    }


@pytest.mark.django_db
def test_a_second_send_of_the_same_week_is_refused_by_the_claim_and_next_week_sends_again(
    world, today, org_admin
):
    actions = [world["overdue"]]
    assert services.send_digest(user=org_admin, actions=actions, today=TODAY) is True
    # Later the same week (Sunday of W49): the claim refuses, even without the run's pre-check.
    assert services.send_digest(user=org_admin, actions=actions, today=TODAY + datetime.timedelta(3)) is False
    assert len(mail.outbox) == 1
    assert services.send_digest(user=org_admin, actions=actions, today=TODAY + datetime.timedelta(4)) is True
    assert list(ActionDigest.objects.order_by("week").values_list("week", flat=True)) == [
        "2026-W49",
        "2026-W50",
    ]


def test_the_week_key_is_the_iso_week():
    assert services.week_key(datetime.date(2026, 12, 3)) == "2026-W49"
    assert services.week_key(datetime.date(2027, 1, 1)) == "2026-W53"
    assert services.week_key(datetime.date(2027, 1, 4)) == "2027-W01"


@pytest.mark.django_db
def test_an_smtp_failure_keeps_no_claim_and_the_retry_sends_once(world, today, smtp_server, settings):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens: connection refused
    settings.EMAIL_TIMEOUT = 5
    run = services.send_action_digests()
    assert set(run.failed) == {world["overdue"].owner_id, world["bob"].owner_id} and run.sent == []
    assert not ActionDigest.objects.exists()
    settings.EMAIL_PORT = real_port
    run = services.send_action_digests()
    assert len(run.sent) == 2 and run.failed == {}
    run = services.send_action_digests()
    assert run.sent == [] and len(run.already_sent) == 2
    messages = smtp_server.wait_for_messages(2)
    assert sorted(m["To"] for m in messages) == ["alice.admin@kommun.example", "bob.rep@kommun.example"]
    assert len(smtp_server.messages) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_of_one_digest_send_one_email(world, today, org_admin, smtp_server, monkeypatch):
    """Two workers at once: while the first holds its claim (not yet committed) and talks to the mail
    server, the second's insert waits on the unique index and then fails; it sends nothing."""
    require_postgres()
    claimed = threading.Event()
    real_message = services.digest_message
    results: dict[str, object] = {}

    def slow_message(**kwargs):
        if threading.current_thread().name == "first":
            claimed.set()
            threading.Event().wait(1.5)  # the second sender arrives meanwhile
        return real_message(**kwargs)

    monkeypatch.setattr(services, "digest_message", slow_message)

    def send(name):
        try:
            actions = list(services.digest_actions(today=TODAY).filter(owner=org_admin))
            results[name] = services.send_digest(user=org_admin, actions=actions, today=TODAY)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[name] = error
        finally:
            db_connection.close()

    first = threading.Thread(target=send, args=("first",), name="first")
    second = threading.Thread(target=send, args=("second",), name="second")
    first.start()
    assert claimed.wait(10)
    second.start()
    first.join(30)
    second.join(30)
    assert results == {"first": True, "second": False}
    assert ActionDigest.objects.filter(user=org_admin).count() == 1
    messages = smtp_server.wait_for_messages(1)
    assert [m["To"] for m in messages] == [org_admin.email]


# --- Switching off and on ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_link_in_the_email_asks_on_get_and_switches_off_on_post_without_a_login(
    client, world, today, org_admin
):
    services.send_action_digests()
    body = next(m for m in mail.outbox if m.to == [org_admin.email]).body
    url = reverse("maturity:digest_switch", args=[services.switch_off_token(org_admin.pk)])
    assert url in body
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    assert "Vill du sluta få det?" in page.content.decode()
    assert services.digest_enabled(user=org_admin)  # GET changes nothing
    page = client.post(url, HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    assert "Veckobrevet om dina åtgärder är avstängt." in page.content.decode()
    assert ActionDigestPreference.objects.get(user=org_admin).enabled is False
    event = AuditEvent.objects.get(action=AuditAction.ACTION_DIGEST_SWITCHED_OFF)
    assert event.subject_user == org_admin and event.actor is None and event.details == {"via": "link"}
    mail.outbox.clear()
    ActionDigest.objects.all().delete()
    services.send_action_digests()
    assert [m.to for m in mail.outbox] == [[world["bob"].owner.email]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "tampered",
        "salt",
        "garbage",
        "unknown user",
    ],
)
def test_a_bad_or_tampered_token_shows_a_translated_error_and_changes_nothing(client, org_admin, token):
    good = services.switch_off_token(org_admin.pk)
    value = {
        "tampered": good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
        "salt": signing.dumps({"u": org_admin.pk}),  # signed, but not for this purpose
        "garbage": "x" * 40,
        "unknown user": services.switch_off_token(987654),
    }[token]
    url = reverse("maturity:digest_switch", args=[value])
    for method in (client.get, client.post):
        page = method(url, HTTP_ACCEPT_LANGUAGE="sv")
        assert page.status_code == 400
        assert "Länken är inte giltig." in page.content.decode()
    assert not ActionDigestPreference.objects.exists()
    assert not AuditEvent.objects.filter(subject_user=org_admin).exists()


@pytest.mark.django_db
def test_a_signed_in_person_switches_the_digest_off_and_on_with_a_message(client, dept_rep):
    client.force_login(dept_rep)
    url = reverse("maturity:digest_settings")
    assert url == "/atgarder/paminnelser/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Veckobrevet är påslaget." in page.content.decode()
    response = client.post(url, {"enabled": "off"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Veckobrevet om dina åtgärder är avstängt."
    ]
    assert not services.digest_enabled(user=dept_rep)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
    assert "Veckobrevet är avstängt." in page.content.decode()
    response = client.post(url, {"enabled": "on"}, HTTP_ACCEPT_LANGUAGE="sv")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Veckobrevet om dina åtgärder är påslaget."
    ]
    assert services.digest_enabled(user=dept_rep)
    assert list(
        AuditEvent.objects.filter(subject_user=dept_rep).order_by("pk").values_list("action", "actor")
    ) == [
        (AuditAction.ACTION_DIGEST_SWITCHED_OFF.value, dept_rep.pk),
        (AuditAction.ACTION_DIGEST_SWITCHED_ON.value, dept_rep.pk),
    ]


@pytest.mark.django_db
def test_switching_to_the_state_it_has_records_nothing(dept_rep):
    assert services.set_digest_enabled(user=dept_rep, enabled=True, actor=dept_rep, via="settings") is False
    assert services.set_digest_enabled(user=dept_rep, enabled=False, actor=dept_rep, via="settings") is True
    assert services.set_digest_enabled(user=dept_rep, enabled=False, actor=None, via="link") is False
    assert AuditEvent.objects.filter(subject_user=dept_rep).count() == 1


# --- The schedule and the command -------------------------------------------------------------------------


def test_the_beat_sends_the_digests_on_mondays_at_seven_stockholm_time(settings):
    from dimios_web.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["maturity-send-action-digests"]
    assert entry["task"] == "maturity.tasks.send_action_digests_task"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Stockholm"


@pytest.mark.django_db
def test_the_command_sends_this_weeks_digests_once(world, org_admin, dept_rep):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_action_digests", "--date", "2026-12-03", stdout=out)
    call_command("send_action_digests", "--date", "2026-12-06", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-W49: 2 sent, 0 already sent, 0 failed",
        "2026-W49: 0 sent, 2 already sent, 0 failed",
    ]
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_run_reads_in_two_queries_and_writes_one_claim_per_person(
    world, today, django_assert_num_queries, closed_round, org_admin
):
    for n in range(20):
        make_action(closed_round, org_admin, due_on=TODAY, title=f"Fler {n}")
    # The week's digests already sent and the selection, whatever the number of actions; per person the
    # claim's insert inside its transaction and savepoint (two SAVEPOINTs, the INSERT, two RELEASEs here,
    # as the test runs inside a transaction).
    with django_assert_num_queries(2 + 2 * 5):
        run = services.send_action_digests()
    assert len(run.sent) == 2 and len(mail.outbox) == 2
    assert ActionDigest.objects.get(user=org_admin).action_count == 22

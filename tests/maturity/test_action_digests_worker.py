"""The weekly digest through the whole production path: the task sent through Redis to a real Celery worker
process, which talks SMTP to a real server (aiosmtpd in this process); the same task delivered twice and a
second one besides still mail each owner once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from maturity.models import Action, ActionDigest
from maturity.services.action_digests import week_key
from surveys.models import Round
from tests.conftest import wait_for
from tests.factories import MeasurementPeriodFactory, RoundFactory, build_questionnaire

pytestmark = [pytest.mark.celery_worker, pytest.mark.redis, pytest.mark.postgres]


def test_the_digest_task_on_a_real_worker_mails_each_owner_once_over_smtp(
    celery_harness, smtp_server, organisation, org_admin, dept_rep, social_department, settings
):
    # The worker runs in another process: "today" is the real one there, so the dates are relative to it.
    today = timezone.localdate()
    round_ = RoundFactory(
        organisation=organisation,
        questionnaire=build_questionnaire(categories_per_dimension=1, statements_per_category=1, code="v-w"),
        status=Round.Status.CLOSED,
        period=MeasurementPeriodFactory(year=2025, term="HT"),
    )
    common = {
        "organisation": organisation,
        "round": round_,
        "starts_on": today - datetime.timedelta(days=400),
    }
    overdue = Action.objects.create(
        **common,
        owner=org_admin,
        title="Gemensam förvaltningsmodell",
        due_on=today - datetime.timedelta(days=3),
    )
    Action.objects.create(
        **common,
        owner=org_admin,
        title="Molnstrategi",
        department=social_department,
        due_on=today + datetime.timedelta(days=14),
    )
    Action.objects.create(
        **common, owner=org_admin, title="Senare", due_on=today + datetime.timedelta(days=15)
    )
    Action.objects.create(
        **common, owner=dept_rep, title="Öppna data", due_on=today + datetime.timedelta(days=2)
    )

    celery_harness.start_worker(
        concurrency=2,
        extra_env={"EMAIL_URL": smtp_server.url, "DJANGO_SITE_URL": "https://dimios.kommun.example"},
    )
    from maturity.tasks import send_action_digests_task

    # The same message twice (same task id), as a broker redelivers it, and a second task besides.
    send_action_digests_task.apply_async(args=("sv",), task_id="digest-delivery")
    send_action_digests_task.apply_async(args=("sv",), task_id="digest-delivery")
    send_action_digests_task.apply_async(args=("sv",))
    logs = lambda: "\n".join(w.log()[-3000:] for w in celery_harness.workers)  # noqa: E731
    wait_for(lambda: ActionDigest.objects.count() == 2, timeout=60, message=logs())
    wait_for(
        lambda: sum(w.log().count("succeeded") for w in celery_harness.workers) >= 3,
        timeout=60,
        message=logs(),
    )
    messages = smtp_server.wait_for_messages(2)
    assert sorted(m["To"] for m in messages) == ["alice.admin@kommun.example", "bob.rep@kommun.example"]
    assert len(smtp_server.messages) == 2, "somebody got the digest twice"
    assert set(ActionDigest.objects.values_list("week", flat=True)) == {week_key(today)}

    alice = next(m for m in messages if m["To"] == "alice.admin@kommun.example")
    assert alice["Subject"].strip() == "Dina åtgärder: 2 är försenade eller ska vara klara inom två veckor"
    assert alice["Auto-Submitted"] == "auto-generated"
    text = alice.get_body(preferencelist=("plain",)).get_content()
    html = alice.get_body(preferencelist=("html",)).get_content()
    assert "Gemensam förvaltningsmodell (FÖRSENAD)" in text and "Molnstrategi" in text
    assert "Senare" not in text
    from django.utils import formats, translation

    with translation.override("sv"):
        due = formats.date_format(overdue.due_on, "j F Y")
    assert due in text and due in html
    assert f"https://dimios.kommun.example/o/{organisation.code}/atgarder/{overdue.pk}/" in text
    assert f'href="https://dimios.kommun.example/o/{organisation.code}/atgarder/{overdue.pk}/"' in html
    assert "https://dimios.kommun.example/atgarder/paminnelser/av/" in text
    assert (
        alice["List-Unsubscribe"]
        .strip()
        .startswith("<https://dimios.kommun.example/atgarder/paminnelser/av/")
    )

"""The pages write numbers and times by dimios_web.formatting's rules (docs/formatting.md): the round page's
response rate rounds as the dashboards do, and its log is in Swedish local time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from surveys.models import AuditEvent, Invitation, Round
from surveys.services.audit import AuditAction
from tests.surveys.conftest import add_invitations

NBSP = "\u00a0"


@pytest.fixture
def admin_client(client, org_admin):
    client.force_login(org_admin)
    return client


def _round_page(client, round_) -> str:
    return client.get(
        reverse("maturity:round_detail", args=[round_.organisation.code, round_.pk])
    ).content.decode()


def test_eleven_of_fourteen_is_78_6_percent_on_the_round_page(admin_client, open_round):
    """11/14 = 78.571…: the round page truncated it to 78,5 % while the dashboard and report said 78,6 %."""
    department = open_round.organisation.departments.get(name="Socialförvaltningen")
    add_invitations(open_round, department, open_round.organisation.respondent_groups.first(), 11, prefix="x")
    assert Invitation.objects.filter(round=open_round).count() == 14
    submitted = Invitation.objects.filter(round=open_round).order_by("pk").values_list("pk", flat=True)[:11]
    Invitation.objects.filter(pk__in=list(submitted)).update(submitted=True)
    body = _round_page(admin_client, open_round)
    assert f'data-rate="rate">78,6{NBSP}%<' in body
    assert "78,5" not in body


def test_the_round_page_shows_times_in_swedish_local_time(admin_client, open_round, org_admin):
    # 14:02 UTC on 3 December is 15.02 in Stockholm; never "3 Dec 2026 15:02" nor the UTC hour
    opened = datetime.datetime(2026, 12, 3, 14, 2, tzinfo=datetime.UTC)
    Round.objects.filter(pk=open_round.pk).update(opened_at=opened)
    # the round's log: an event in summer time, 15:00 UTC in July is 17.00 in Stockholm
    AuditEvent.objects.create(
        organisation=open_round.organisation,
        actor=org_admin,
        action=AuditAction.ROUND_OPENED,
        round=open_round,
        created_at=datetime.datetime(2026, 7, 1, 15, 0, tzinfo=datetime.UTC),
    )
    body = _round_page(admin_client, open_round)
    assert "3 december 2026 kl. 15.02" in body
    assert "1 juli 2026 kl. 17.00" in body
    assert "1 juli 2026 kl. 17.00" in body
    assert "Dec 2026" not in body and "14.02" not in body and "14:02" not in body


def test_the_round_page_in_english_writes_dates_day_month_year(client, org_admin, open_round):
    Round.objects.filter(pk=open_round.pk).update(
        opened_at=datetime.datetime(2026, 10, 12, 15, 0, tzinfo=datetime.UTC)
    )
    client.force_login(org_admin)
    # the request activates English in this thread; the override puts the previous language back after it
    with translation.override("sv"):
        body = client.get(
            reverse("maturity:round_detail", args=[open_round.organisation.code, open_round.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
    assert "12 October 2026, 17:00" in body

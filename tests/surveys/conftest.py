"""Fixtures of the round pages and services: a running window (whatever today is), a small questionnaire,
a draft round of the persona organisation and helpers to add respondents."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from surveys.models import Invitation, MeasurementPeriod, Round
from tests.factories import build_questionnaire


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def running_period(db, today):
    """A window that runs today, so the tests do not depend on the calendar (a real window may end in two
    days). The year is far ahead so it never clashes with a real window."""
    return MeasurementPeriod.objects.create(
        year=today.year + 50,
        term=MeasurementPeriod.Term.HT,
        starts_on=today - datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=40),
    )


@pytest.fixture
def ended_period(db, today):
    return MeasurementPeriod.objects.create(
        year=today.year + 50,
        term=MeasurementPeriod.Term.VT,
        starts_on=today - datetime.timedelta(days=120),
        ends_on=today - datetime.timedelta(days=60),
    )


@pytest.fixture
def questionnaire(db):
    return build_questionnaire(categories_per_dimension=1, statements_per_category=2)


@pytest.fixture
def groups(organisation):
    return list(organisation.respondent_groups.all())


@pytest.fixture
def draft_round(organisation, running_period, questionnaire, org_admin):
    from surveys.services.rounds import create_round

    return create_round(
        organisation=organisation, period=running_period, questionnaire=questionnaire, created_by=org_admin
    )


def add_invitations(round_: Round, department, group, count: int, *, prefix: str = "person", **fields):
    return Invitation.objects.bulk_create(
        [
            Invitation(
                round=round_, email=f"{prefix}{i}@example.se", department=department, group=group, **fields
            )
            for i in range(count)
        ]
    )


@pytest.fixture
def open_round(draft_round, social_department, groups):
    """An open round with three invited respondents whose e-mails have not gone out yet."""
    add_invitations(draft_round, social_department, groups[0], 3)
    Round.objects.filter(pk=draft_round.pk).update(status=Round.Status.OPEN, opened_at=timezone.now())
    draft_round.refresh_from_db()
    return draft_round

"""Reads for the round pages: rounds and periods, respondents, send status, reminder runs and the round's
audit events. (The response rates with the anonymity rule applied, and the daily curve of submissions,
are ``maturity.rates``: they apply the results' anonymity rule and consult the stored results.)"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, OuterRef, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from ..models import (
    AuditEvent,
    Invitation,
    MeasurementPeriod,
    Organisation,
    ReminderRun,
    RespondentImport,
    Response,
    Round,
)


def get_round_for(organisation: Organisation, pk: int) -> Round:
    """A round of an organisation the caller has already been given access to (``surveys.access``)."""
    round_ = (
        Round.objects.filter(organisation=organisation, pk=pk)
        .select_related("period", "questionnaire", "organisation")
        .first()
    )
    if round_ is None:
        raise Http404
    return round_


def get_upload_for(round_: Round, pk: int) -> RespondentImport:
    upload = RespondentImport.objects.filter(round=round_, pk=pk).first()
    if upload is None:
        raise Http404
    return upload


def get_invitation_for(round_: Round, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(round=round_, pk=pk).select_related("round").first()
    if invitation is None:
        raise Http404
    return invitation


def list_periods(*, today: datetime.date | None = None, ended: int = 4):
    """The windows to show: the last ``ended`` ended ones and every running or upcoming one."""
    today = today or timezone.localdate()
    future = list(MeasurementPeriod.objects.filter(ends_on__gte=today).order_by("starts_on"))
    past = list(MeasurementPeriod.objects.filter(ends_on__lt=today).order_by("-starts_on")[:ended])
    return list(reversed(past)) + future


def list_rounds(organisation: Organisation):
    """The organisation's rounds, newest first, each with how many were invited (not withdrawn) and how many
    answered: the stored responses of a closed round (the open link's and an import's included), the
    submitted invitations of an open one (its responses wait in the pool). Subqueries, not joins: the two
    counts would multiply each other."""

    def count(queryset):
        return Coalesce(Subquery(queryset.order_by().values("round").annotate(n=Count("pk")).values("n")), 0)

    invitations = Invitation.objects.filter(round=OuterRef("pk"), revoked_at__isnull=True)
    return (
        Round.objects.filter(organisation=organisation)
        .select_related("period", "questionnaire")
        .annotate(
            n_invited=count(invitations),
            n_answered=Case(
                When(status=Round.Status.CLOSED, then=count(Response.objects.filter(round=OuterRef("pk")))),
                default=count(invitations.filter(submitted=True)),
            ),
        )
        .order_by("-period__starts_on")
    )


def list_invitations(round_: Round):
    return (
        Invitation.objects.filter(round=round_).select_related("department", "group").order_by("email", "pk")
    )


def count_send_status(round_: Round) -> dict[str, int]:
    counts = dict(
        Invitation.objects.filter(round=round_, revoked_at__isnull=True)
        .values_list("send_status")
        .annotate(n=Count("pk"))
        .values_list("send_status", "n")
    )
    return {status: counts.get(status, 0) for status in Invitation.SendStatus.values}


def list_reminder_runs(round_: Round):
    return ReminderRun.objects.filter(round=round_).select_related("requested_by")[:20]


def list_audit_events(round_: Round, limit: int = 30):
    return (
        AuditEvent.objects.filter(organisation=round_.organisation, round=round_)
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )

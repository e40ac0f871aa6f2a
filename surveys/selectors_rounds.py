"""Reads for the round pages: rounds and periods, respondents, the response rates (with the anonymity
rule applied) and the daily curve of submissions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format

from maturity.suppression import suppress

from .forms import tree_ordered
from .models import (
    AuditEvent,
    Department,
    Invitation,
    MeasurementPeriod,
    Organisation,
    ReminderRun,
    RespondentGroup,
    RespondentImport,
    Response,
    Round,
)
from .scoping import get_scope


def get_round_for(user, organisation: Organisation, pk: int) -> Round:
    """A round of an organisation the caller has already been scoped to (``get_organisation_for``)."""
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
    return (
        Round.objects.filter(organisation=organisation)
        .select_related("period", "questionnaire")
        .annotate(
            n_invited=Count("invitations", filter=Q(invitations__revoked_at__isnull=True), distinct=True),
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
        AuditEvent.objects.filter(organisation=round_.organisation, details__round=round_.pk)
        .select_related("actor")
        .order_by("-created_at")[:limit]
    )


# --- Response rates --------------------------------------------------------------------------------------


def percent(numerator: int, denominator: int) -> str:
    """Swedish style, one decimal: ``12,5 %`` (a no-break space before the sign)."""
    if not denominator:
        return "–"
    return f"{number_format(numerator / denominator * 100, 1)}\u00a0%"


@dataclass
class RateRow:
    label: str
    invited: int
    started: int | None
    submitted: int | None
    depth: int = 0
    hidden: bool = False

    @property
    def rate(self) -> str:
        if self.hidden or self.submitted is None:
            return "–"
        return percent(self.submitted, self.invited)


@dataclass
class ResponseRates:
    k: int
    anonymous: bool
    total: RateRow
    departments: list[RateRow] = field(default_factory=list)
    groups: list[RateRow] = field(default_factory=list)
    open_link_responses: int | None = None
    hidden_any: bool = False


def _counts(queryset, key: str) -> dict[int, tuple[int, int, int]]:
    rows = queryset.values(key).annotate(
        invited=Count("pk"),
        started=Count("pk", filter=Q(started_on__isnull=False) | Q(submitted=True)),
        submitted=Count("pk", filter=Q(submitted=True)),
    )
    return {row[key]: (row["invited"], row["started"], row["submitted"]) for row in rows}


def get_response_rates(round_: Round, *, user) -> ResponseRates:
    """Invited, started, submitted and rate for the organisation, per department (units rolled up into
    their department) and per group. In an anonymous round a set of fewer than k invited shows no started or
    submitted figure, and further sets are hidden when a hidden figure could be worked out by subtraction
    (``maturity.suppression``). A department representative sees only their own departments and the
    total."""
    scope = get_scope(user)
    k = round_.questionnaire.k_anonymity
    invitations = Invitation.objects.filter(round=round_, revoked_at__isnull=True)
    direct = _counts(invitations, "department_id")
    by_group = _counts(invitations, "group_id")
    departments = list(Department.objects.filter(organisation_id=round_.organisation_id))
    children: dict[int | None, list[int]] = {}
    for department in departments:
        children.setdefault(department.parent_id, []).append(department.pk)

    rolled: dict[int, list[int]] = {}

    def roll(pk: int) -> list[int]:
        totals = list(direct.get(pk, (0, 0, 0)))
        for child in children.get(pk, ()):
            for i, value in enumerate(roll(child)):
                totals[i] += value
        rolled[pk] = totals
        return totals

    for top in children.get(None, ()):
        roll(top)
    total = [sum(v[i] for v in direct.values()) for i in range(3)]

    counts: dict = {"org": total[0]}
    equations = []
    virtual = []
    for pk, values in rolled.items():
        counts[("d", pk)] = values[0]
        kids = children.get(pk, ())
        if kids:
            counts[("direct", pk)] = direct.get(pk, (0, 0, 0))[0]
            virtual.append(("direct", pk))
            equations.append((("d", pk), [("direct", pk), *[("d", c) for c in kids]]))
    equations.append(("org", [("d", pk) for pk in children.get(None, ())]))
    groups = list(RespondentGroup.objects.filter(organisation_id=round_.organisation_id))
    for group in groups:
        counts[("g", group.pk)] = by_group.get(group.pk, (0, 0, 0))[0]
    equations.append(("org", [("g", g.pk) for g in groups]))
    hidden = suppress(counts, equations, k, virtual=virtual) if round_.anonymous else set()

    def row(label, key, values, depth=0) -> RateRow:
        secret = key in hidden and values[0] > 0
        return RateRow(
            label=label,
            invited=values[0],
            started=None if secret else values[1],
            submitted=None if secret else values[2],
            depth=depth,
            hidden=secret,
        )

    visible = None
    if not scope.is_platform_admin:
        grant = scope.grants.get(round_.organisation_id)
        if grant is None or not grant.whole_organisation():
            visible = grant.department_ids if grant else set()
    rates = ResponseRates(k=k, anonymous=round_.anonymous, total=row("", "org", total))
    for department, depth in tree_ordered(departments):
        if visible is not None and department.pk not in visible:
            continue
        rates.departments.append(
            row(department.name, ("d", department.pk), rolled.get(department.pk, [0, 0, 0]), depth)
        )
    if visible is None:
        for group in groups:
            rates.groups.append(row(group.name, ("g", group.pk), by_group.get(group.pk, (0, 0, 0))))
    if round_.open_link_enabled:
        n = Response.objects.filter(round=round_, invitation__isnull=True).count()
        rates.open_link_responses = n if (n >= k or not round_.anonymous) else None
    rates.hidden_any = any(r.hidden for r in [rates.total, *rates.departments, *rates.groups])
    return rates


def get_submission_curve(round_: Round, *, user) -> dict | None:
    """Submissions per day and cumulated, as plotly figure data (None when nothing may be shown): all the
    organisation's responses, or a department representative's own departments."""
    from .charts_rounds import submission_curve_figure

    scope = get_scope(user)
    responses = Response.objects.filter(round=round_)
    if not scope.is_platform_admin:
        grant = scope.grants.get(round_.organisation_id)
        if grant is None:
            return None
        if not grant.whole_organisation():
            responses = responses.filter(department_id__in=sorted(grant.department_ids))
    per_day = list(responses.values_list("submitted_on").annotate(n=Count("pk")).order_by("submitted_on"))
    total = sum(n for _day, n in per_day)
    if round_.anonymous and 0 < total < round_.questionnaire.k_anonymity:
        return None
    start = timezone.localdate(round_.opened_at) if round_.opened_at else round_.first_day
    end = min(timezone.localdate(), round_.last_day)
    if round_.closed_at:
        end = min(end, timezone.localdate(round_.closed_at))
    return submission_curve_figure(per_day=per_day, start=start, end=end)

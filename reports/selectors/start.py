"""Reads for the start page (``reports.views.start.home``): each card says where one organisation stands
for one role and what to do next (docs/start-pages.md).

- ``get_window(today)`` – the measurement window that runs today, or the next one, and whether it closes
  within ``WARNING_DAYS``;
- ``get_admin_situation`` – the organisation admin's round in that window (its state, closing date and
  response rates under the anonymity rule of ``maturity.rates``), the next steps chosen from the round's
  actual state, and the follow-up of the latest closed round (the year's conclusions, the annual report);
- ``get_rep_situation`` – a department representative's departments, one line each from the latest closed
  round's stored figures (``maturity.read_model``: hidden figures stay hidden); their actions and what is
  due come from ``reports.selectors.actions.get_actions_due`` (the card's ``actions_due``);
- ``get_management_situation`` – the organisation's headline and change, and the annual report's state;
- ``get_platform_situation`` – open rounds, failed report builds and invitation e-mails, respondent files
  waiting for a decision.

Selectors take what may be seen (an organisation, a representative's departments), never who asks; each
reads a fixed number of queries whatever the number of departments, rounds or organisations.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dimios_web import localformat
from maturity.rates import RatePattern, get_rate_pattern
from maturity.read_model import RoundView, cell, is_hidden, load_round_views
from surveys.models import (
    Department,
    Invitation,
    Organisation,
    RespondentGroup,
    RespondentImport,
    Round,
    TypeDescription,
)
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.selectors.rounds import count_send_status
from surveys.services.periods import window_of
from surveys.tree import tree_ordered

from ..models import Conclusion, ReportJob
from . import annual as selectors_annual
from .actions import count_overdue_actions
from .dashboard.page import difference, list_dashboard_rounds, round_a_year_before

# The organisation admin is warned when the measurement window closes within this many days.
WARNING_DAYS = 14


def _date(day: datetime.date) -> str:
    """A date as the page says it: "1 december 2026"."""
    return localformat.date(day)


# --- The measurement window ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The national window that runs today, or the next one between windows."""

    year: int
    term: str
    starts_on: datetime.date
    ends_on: datetime.date
    today: datetime.date

    @property
    def label(self) -> str:
        """The period as every page names it: "HT 2026"."""
        return f"{self.term} {self.year}"

    @property
    def span(self) -> str:
        """The window's days: "1 augusti – 1 december 2026"."""
        return f"{date_format(self.starts_on, 'j F')} – {_date(self.ends_on)}"

    @property
    def running(self) -> bool:
        return self.starts_on <= self.today <= self.ends_on

    @property
    def days_left(self) -> int:
        """Whole days from today to the window's last day (0: the last day is today)."""
        return (self.ends_on - self.today).days

    @property
    def days_to_start(self) -> int:
        return (self.starts_on - self.today).days

    @property
    def closes_soon(self) -> bool:
        return self.running and self.days_left <= WARNING_DAYS


def get_window(today: datetime.date) -> Window:
    year, term, starts_on, ends_on = window_of(today)
    return Window(year=year, term=term, starts_on=starts_on, ends_on=ends_on, today=today)


# --- Pieces the cards share -------------------------------------------------------------------------------


@dataclass
class Step:
    """One thing to do next, with the page that does it."""

    label: str
    url: str
    hint: str = ""
    urgent: bool = False


@dataclass
class RateLine:
    """One line of response rates as the round page shows it: the submitted count and the rate, a band
    ("at most 25,0 %") for 1 … k − 1 submitted, or nothing at all when it is hidden."""

    label: str
    invited: int
    submitted: str
    rate: str
    rate_value: float | None
    hidden: bool
    banded: bool


@dataclass
class Rates:
    k: int
    total: RateLine
    departments: list[RateLine]

    @property
    def below_k(self) -> int:
        return self.k - 1

    @property
    def hidden_any(self) -> bool:
        return any(line.hidden or line.banded for line in [self.total, *self.departments])


@dataclass
class ReportState:
    """The annual report of one year in one language: none, queued, running, done, failed or outdated."""

    year: int
    state: str
    done: ReportJob | None = None
    failed: ReportJob | None = None

    @property
    def label(self) -> str:
        return {
            "none": _("not ordered yet"),
            "queued": _("ordered, waiting to be built"),
            "running": _("being built"),
            "done": _("ready"),
            "failed": _("the last build failed"),
            "outdated": _("outdated: the data has changed since it was built"),
        }[self.state]


def get_report_state(*, organisation: Organisation, year: int, language: str) -> ReportState:
    latest = selectors_annual.get_latest_jobs(organisation=organisation, year=year, language=language)
    active, done, failed = latest["active"], latest["done"], latest["failed"]
    if active is not None:
        return ReportState(year, active.state, done=done)
    if failed is not None:
        return ReportState(year, "failed", done=done, failed=failed)
    if done is not None:
        return ReportState(year, "outdated" if selectors_annual.is_outdated(done) else "done", done=done)
    return ReportState(year, "none")


def _rate_line(pattern: RatePattern, label: str, key: str) -> RateLine:
    row = pattern.row(label, key)
    return RateLine(
        label=label,
        invited=row.invited,
        submitted=row.submitted_display,
        rate=row.rate,
        rate_value=row.rate_value,
        hidden=row.hidden and not row.fewer_than_k,
        banded=row.fewer_than_k,
    )


def _rates(round_: Round, *, departments: list[Department], groups: list[RespondentGroup]) -> Rates | None:
    """The round's response rate for the organisation and each top-level department (its units rolled up),
    with the round page's anonymity rule; None for an imported round or one without invitations."""
    if round_.source == Round.Source.IMPORT:
        return None
    pattern = get_rate_pattern(round_, departments=departments, groups=groups)
    total = _rate_line(pattern, "", str(ORGANISATION))
    if not total.invited:
        return None
    lines = [
        _rate_line(pattern, d.name, str(ScopeKey.department(d.pk)))
        for d, depth in tree_ordered(departments)
        if depth == 0 and pattern.counts.get(str(ScopeKey.department(d.pk)), (0, 0, 0))[0]
    ]
    return Rates(k=pattern.k, total=total, departments=lines)


# --- The organisation admin -------------------------------------------------------------------------------


@dataclass
class AdminSituation:
    organisation: Organisation
    window: Window
    round: Round | None  # the round of the window (or an earlier one still open)
    rates: Rates | None
    steps: list[Step]
    warn: bool  # the window closes within WARNING_DAYS and its round is not closed
    closed_round: Round | None  # the latest closed round with results: its year's conclusions and report
    report: ReportState | None
    n_conclusions: int = 0
    overdue_actions: int = 0  # the organisation's actions past their due date and still open (issue 16)

    @property
    def closes_on(self) -> datetime.date | None:
        return self.round.last_day if self.round is not None else None


def _admin_steps(
    organisation: Organisation,
    window: Window,
    round_: Round | None,
    send_counts: dict[str, int],
) -> list[Step]:
    """What to do about the round of the window, chosen from its actual state."""
    code = organisation.code
    today = window.today
    if round_ is None:
        return [
            Step(
                _("Create the round for %(period)s") % {"period": window.label},
                reverse("surveys:round_create", args=[code]),
                _("Choose the questionnaire, the departments and the dates; then add the respondents."),
                urgent=window.closes_soon,
            )
        ]
    detail = reverse("maturity:round_detail", args=[code, round_.pk])
    if round_.status == Round.Status.DRAFT:
        if not getattr(round_, "n_invited", 0) and not round_.open_link_enabled:
            return [
                Step(
                    _("Add the round's respondents"),
                    reverse("surveys:round_respondents", args=[code, round_.pk]),
                    _("Import a file of respondents or add them one by one; then open the round."),
                )
            ]
        if round_.first_day > today:
            hint = _("It can be opened from %(date)s.") % {"date": _date(round_.first_day)}
        else:
            hint = _("Opening the round sends the invitations.")
        return [
            Step(
                _("Open the round and send the invitations"),
                reverse("surveys:round_open", args=[code, round_.pk]),
                hint,
                urgent=window.closes_soon,
            )
        ]
    if round_.status == Round.Status.OPEN:
        steps = []
        unsent = send_counts.get(Invitation.SendStatus.PENDING, 0) + send_counts.get(
            Invitation.SendStatus.FAILED, 0
        )
        if unsent:
            steps.append(
                Step(
                    _("Send the invitations that have not gone out (%(count)s)") % {"count": unsent},
                    f"{detail}#sending-heading",
                    urgent=True,
                )
            )
        if send_counts.get(Invitation.SendStatus.SENT, 0):
            steps.append(
                Step(
                    _("Send a reminder to those who have not answered"),
                    f"{detail}#sending-heading",
                    _("Nobody gets more than one reminder a day."),
                )
            )
        last_day = round_.last_day
        if (last_day - today).days <= WARNING_DAYS:
            hint = (
                _("Its last day was %(date)s: it is closed automatically within a quarter of an hour.")
                if last_day < today
                else _("Its last day is %(date)s; it is closed automatically after that day.")
            ) % {"date": _date(last_day)}
            steps.append(
                Step(
                    _("Close the round and compute its results"),
                    reverse("maturity:round_close", args=[code, round_.pk]),
                    hint,
                    urgent=last_day < today,
                )
            )
        return steps
    return []


def _follow_up_steps(
    organisation: Organisation, closed: Round, n_conclusions: int, report: ReportState
) -> list[Step]:
    """After a round has closed: the year's conclusions and the annual report."""
    code, year = organisation.code, closed.period.year
    steps = []
    if not n_conclusions:
        steps.append(
            Step(
                _("Write the conclusions of %(year)s") % {"year": year},
                reverse("reports:conclusion_create", args=[code, year]),
                _("They are the annual report's section on conclusions and recommendations."),
            )
        )
    overview = reverse("reports:annual_report", args=[code, year])
    if report.state == "none":
        steps.append(Step(_("Order the annual report %(year)s") % {"year": year}, overview))
    elif report.state == "failed":
        steps.append(
            Step(
                _("Order the annual report %(year)s again: the last build failed") % {"year": year},
                overview,
                report.failed.error if report.failed is not None else "",
                urgent=True,
            )
        )
    elif report.state == "outdated":
        steps.append(
            Step(
                _("Order the annual report %(year)s again: the data has changed since it was built")
                % {"year": year},
                overview,
            )
        )
    return steps


def _rounds_with_counts(organisation: Organisation) -> list[Round]:
    return list(
        Round.objects.filter(organisation=organisation)
        .select_related("period", "questionnaire")
        .annotate(n_invited=Count("invitations", filter=Q(invitations__revoked_at__isnull=True)))
        .order_by("-period__starts_on")[:3]
    )


def get_admin_situation(*, organisation: Organisation, today: datetime.date, language: str) -> AdminSituation:
    window = get_window(today)
    rounds = _rounds_with_counts(organisation)
    round_ = next(
        (r for r in rounds if r.period.year == window.year and r.period.term == window.term), None
    ) or next((r for r in rounds if r.status != Round.Status.CLOSED), None)
    rates = None
    send_counts: dict[str, int] = {}
    if round_ is not None and round_.status != Round.Status.DRAFT:
        departments = list(Department.objects.filter(organisation=organisation))
        groups = list(RespondentGroup.objects.filter(organisation=organisation))
        rates = _rates(round_, departments=departments, groups=groups)
        if round_.status == Round.Status.OPEN:
            send_counts = count_send_status(round_)
    steps = _admin_steps(organisation, window, round_, send_counts)
    closed = next(iter(list_dashboard_rounds(organisation)), None)
    report = None
    n_conclusions = 0
    if closed is not None:
        year = closed.period.year
        n_conclusions = Conclusion.objects.filter(organisation=organisation, year=year).count()
        report = get_report_state(organisation=organisation, year=year, language=language)
        steps += _follow_up_steps(organisation, closed, n_conclusions, report)
    steps.sort(key=lambda step: not step.urgent)
    return AdminSituation(
        organisation=organisation,
        window=window,
        round=round_,
        rates=rates,
        steps=steps,
        warn=window.closes_soon and (round_ is None or round_.status != Round.Status.CLOSED),
        closed_round=closed,
        report=report,
        n_conclusions=n_conclusions,
        overdue_actions=count_overdue_actions(organisation=organisation, today=today),
    )


# --- Headline figures of stored results --------------------------------------------------------------------


@dataclass
class Headline:
    """One scope's headline figures of a closed round and their change since the round a year before: each
    a number, None (undefined or not part of the round) or ``HIDDEN`` (``maturity.read_model``)."""

    name: str
    took_part: bool
    capability: Any
    legacy: Any
    overall: Any
    type: Any
    change_capability: Any = None
    change_legacy: Any = None
    change_overall: Any = None
    type_title: str = ""

    @property
    def hidden(self) -> bool:
        return any(is_hidden(v) for v in (self.capability, self.legacy, self.type, self.change_capability))


def _headline(name: str, key: ScopeKey, current: RoundView, before: RoundView | None) -> Headline:
    capability = cell(current.value(key, "capability_percent"))
    legacy = cell(current.value(key, "legacy_percent"))
    overall = cell(current.value(key, "overall_percent"))
    headline = Headline(
        name=name,
        took_part=key in current,
        capability=capability,
        legacy=legacy,
        overall=overall,
        type=cell(current.value(key, "type")) or None,
    )
    if before is not None and key in before:
        headline.change_capability = difference(capability, cell(before.value(key, "capability_percent")))
        headline.change_legacy = difference(legacy, cell(before.value(key, "legacy_percent")))
        headline.change_overall = difference(overall, cell(before.value(key, "overall_percent")))
    return headline


@dataclass
class Results:
    """The latest closed round with stored results, the round a year before, and their views."""

    round: Round | None
    previous: Round | None
    current: RoundView | None
    before: RoundView | None
    same_questionnaire: bool = True

    @property
    def k(self) -> int | None:
        return self.current.k if self.current is not None else None


def _latest_results(organisation: Organisation) -> Results:
    rounds = list_dashboard_rounds(organisation)
    if not rounds:
        return Results(None, None, None, None)
    latest = rounds[0]
    previous = round_a_year_before(latest, rounds)
    views = load_round_views([latest, *([previous] if previous is not None else [])])
    same = previous is None or previous.questionnaire_id == latest.questionnaire_id
    if not same and previous is not None:
        same = previous.questionnaire_id in latest.questionnaire.comparable_version_ids()
    return Results(
        latest,
        previous,
        views[latest.pk],
        views[previous.pk] if previous is not None else None,
        same_questionnaire=same,
    )


# --- The department representative ------------------------------------------------------------------------


@dataclass
class RepSituation:
    organisation: Organisation
    results: Results
    departments: list[Department] = field(default_factory=list)
    lines: list[Headline] = field(default_factory=list)
    organisation_line: Headline | None = None  # the whole organisation, to compare with (its totals)
    open_round: Round | None = None

    @property
    def hidden_any(self) -> bool:
        return any(line.hidden for line in self.lines)


def get_rep_situation(*, organisation: Organisation, departments: list[Department]) -> RepSituation:
    """One line per department of the representative's (``departments``, their own), from the latest closed
    round's published figures: nothing of any other department, nothing below the department."""
    results = _latest_results(organisation)
    departments = sorted(departments, key=lambda d: d.name)
    situation = RepSituation(organisation=organisation, results=results, departments=departments)
    if results.current is not None:
        situation.lines = [
            _headline(d.name, ScopeKey.department(d.pk), results.current, results.before) for d in departments
        ]
        situation.organisation_line = _headline(
            organisation.name, ORGANISATION, results.current, results.before
        )
    situation.open_round = (
        Round.objects.filter(organisation=organisation, status=Round.Status.OPEN)
        .select_related("period")
        .order_by("-period__starts_on")
        .first()
    )
    return situation


# --- Management -------------------------------------------------------------------------------------------


@dataclass
class ManagementSituation:
    organisation: Organisation
    results: Results
    headline: Headline | None
    report: ReportState | None


def get_management_situation(*, organisation: Organisation, language: str) -> ManagementSituation:
    results = _latest_results(organisation)
    headline = None
    report = None
    if results.round is not None and results.current is not None:
        headline = _headline(organisation.name, ORGANISATION, results.current, results.before)
        if headline.type and not is_hidden(headline.type):
            description = TypeDescription.objects.filter(
                version=results.round.questionnaire, type=headline.type
            ).first()
            headline.type_title = description.title if description is not None else ""
        report = get_report_state(
            organisation=organisation, year=results.round.period.year, language=language
        )
    return ManagementSituation(organisation=organisation, results=results, headline=headline, report=report)


# --- The platform admin -----------------------------------------------------------------------------------


@dataclass
class FailedSending:
    round: Round
    count: int


@dataclass
class PlatformSituation:
    window: Window
    open_rounds: Sequence[Round]
    failed_reports: list[ReportJob]
    failed_sendings: list[FailedSending]
    waiting_files: list[RespondentImport]

    @property
    def failed_any(self) -> bool:
        return bool(self.failed_reports or self.failed_sendings)


def get_platform_situation(*, today: datetime.date) -> PlatformSituation:
    """Every organisation's open rounds, report builds that failed (and were not built since), invitation
    e-mails that failed in open rounds, and uploaded respondent files not yet imported or cancelled.
    (Response files and benchmark files are read in the request that uploads them: nothing of theirs
    waits.) Five queries whatever the number of organisations."""
    open_rounds = list(
        Round.objects.filter(status=Round.Status.OPEN)
        .select_related("organisation", "period")
        .annotate(n_invited=Count("invitations", filter=Q(invitations__revoked_at__isnull=True)))
        .order_by("organisation__name")
    )
    later = ReportJob.objects.filter(
        organisation=OuterRef("organisation"),
        year=OuterRef("year"),
        language=OuterRef("language"),
        ordered_at__gt=OuterRef("ordered_at"),
    ).exclude(state=ReportJob.State.FAILED)
    failed_reports = list(
        ReportJob.objects.filter(state=ReportJob.State.FAILED)
        .exclude(Exists(later))
        .select_related("organisation")
        .order_by("-finished_at", "-pk")[:50]
    )
    failed = (
        Invitation.objects.filter(
            round__status=Round.Status.OPEN,
            send_status=Invitation.SendStatus.FAILED,
            revoked_at__isnull=True,
        )
        .values("round_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["round_id"]: row["n"] for row in failed}
    by_id = {r.pk: r for r in open_rounds}
    failed_sendings = [FailedSending(by_id[pk], n) for pk, n in counts.items() if pk in by_id]
    failed_sendings.sort(key=lambda f: f.round.organisation.name)
    waiting_files = list(
        RespondentImport.objects.select_related("round__organisation", "round__period").order_by(
            "created_at"
        )[:50]
    )
    return PlatformSituation(
        window=get_window(today),
        open_rounds=open_rounds,
        failed_reports=failed_reports,
        failed_sendings=failed_sendings,
        waiting_files=waiting_files,
    )

"""Response rates of a round with the anonymity rule applied, and the daily curve of submissions (the round
page and the dashboards read them). They live in maturity, not surveys, because they apply the results'
anonymity rule (``maturity.suppression``) and, for a closed round, consult which counts its stored
results publish (issue 13: layers point down only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dimios_web import localformat
from surveys.models import Department, Invitation, RespondentGroup, Response, Round, SubmissionDay
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.services.pool import count_pooled
from surveys.tree import ancestors_and_self, tree_ordered

from .charts import CurveLabels, submission_curve_figure
from .models import RoundResult
from .suppression import hidden_scope_keys, scope_order


def percent(numerator: int, denominator: int) -> str:
    """``numerator`` of ``denominator`` as a percent with one decimal in the page's language, rounded as
    every figure is (dimios_web.formatting): 11 of 14 → ``78,6 %``; ``–`` without a denominator."""
    return localformat.ratio(numerator, denominator)


@dataclass
class RateRow:
    """One set of invitations. ``hidden``: its started and submitted figures are not shown (anonymous round);
    ``fewer_than_k``: the set has 1 … k − 1 submitted, shown as "färre än k" with the rate as a band."""

    label: str
    invited: int
    started: int | None
    submitted: int | None
    depth: int = 0
    hidden: bool = False
    fewer_than_k: bool = False
    k: int = 5

    @property
    def submitted_display(self) -> str:
        if self.fewer_than_k:
            return str(_("fewer than %(k)s") % {"k": self.k})
        if self.submitted is None:
            return "–"
        return localformat.integer(self.submitted)

    @property
    def rate(self) -> str:
        if self.fewer_than_k:
            # 1 … k − 1 of the invited: the band those counts span, never the count itself.
            return str(_("at most %(rate)s") % {"rate": percent(min(self.k - 1, self.invited), self.invited)})
        if self.hidden or self.submitted is None:
            return "–"
        return percent(self.submitted, self.invited)

    @property
    def rate_value(self) -> float | None:
        """The rate as a number (None when hidden or banded)."""
        if self.hidden or self.submitted is None or not self.invited:
            return None
        return self.submitted / self.invited * 100


@dataclass
class ResponseRates:
    k: int
    anonymous: bool
    total: RateRow
    departments: list[RateRow] = field(default_factory=list)
    groups: list[RateRow] = field(default_factory=list)
    open_link_responses: int | None = None
    hidden_any: bool = False

    @property
    def below_k(self) -> int:
        return self.k - 1


@dataclass
class RatePattern:
    """Invited, started and submitted per scope of a round, keyed like stored results ("organisation",
    "department:<id>" with its units, "group:<id>", "department:<id>/group:<id>"), and the keys whose
    started and submitted counts must not be shown. In an anonymous round that is the anonymity rule of the
    results (``maturity.suppression``) applied twice: a set with 1 … k − 1 submitted is hidden, and a set of
    fewer than k invited (whether its few people answered is theirs to know), each with every further set
    from which such a count could be worked out by subtraction – every count published anywhere (this
    page, dashboards, the annual report) counts as known."""

    k: int
    anonymous: bool
    counts: dict[str, tuple[int, int, int]]
    hidden: set[str]

    def row(self, label: str, key: str, depth: int = 0) -> RateRow:
        invited, started, submitted = self.counts.get(key, (0, 0, 0))
        secret = key in self.hidden and invited > 0
        return RateRow(
            label=label,
            invited=invited,
            started=None if secret else started,
            submitted=None if secret else submitted,
            depth=depth,
            hidden=secret,
            # In a set of k or more invited, 1 … k − 1 submitted is said as a band; in a smaller set not even
            # that (it would tell whether its few people have answered).
            fewer_than_k=secret and 0 < submitted < self.k and invited >= self.k,
            k=self.k,
        )


def get_rate_pattern(
    round_: Round,
    *,
    departments: list[Department] | None = None,
    groups: list[RespondentGroup] | None = None,
    shown_result_keys: set[str] | None = None,
) -> RatePattern:
    """The response-rate counts of a round and what of them may be shown (one query when the caller
    passes the organisation's departments and groups and the scopes its closed results show)."""
    k = max(round_.questionnaire.k_anonymity, 3)
    if departments is None:
        departments = list(Department.objects.filter(organisation_id=round_.organisation_id))
    if groups is None:
        groups = list(RespondentGroup.objects.filter(organisation_id=round_.organisation_id))
    parents = {d.pk: d.parent_id for d in departments}
    counts: dict[str, list[int]] = {}

    def add(key: str, values: tuple[int, int, int]) -> None:
        totals = counts.setdefault(key, [0, 0, 0])
        for i, value in enumerate(values):
            totals[i] += value

    cells = (
        Invitation.objects.filter(round=round_, revoked_at__isnull=True)
        .values("department_id", "group_id")
        .annotate(
            invited=Count("pk"),
            started=Count("pk", filter=Q(started_on__isnull=False) | Q(submitted=True)),
            submitted=Count("pk", filter=Q(submitted=True)),
        )
    )
    for cell in cells:
        values = (cell["invited"], cell["started"], cell["submitted"])
        add(str(ORGANISATION), values)
        add(str(ScopeKey.group(cell["group_id"])), values)
        for department_id in ancestors_and_self(parents, cell["department_id"]):
            add(str(ScopeKey.department(department_id)), values)
            add(str(ScopeKey.department(department_id, cell["group_id"])), values)
    frozen = {key: (v[0], v[1], v[2]) for key, v in counts.items()}
    hidden: set[str] = set()
    if round_.anonymous:
        order = scope_order(
            {d.pk: (d.parent_id, d.name) for d in departments}, {g.pk: (g.position, g.name) for g in groups}
        )
        # Two rules, each with its complements (hiding more never makes a count derivable that was not):
        # whether anybody in a set of fewer than k invited has answered is not shown (participation), and a
        # submitted count of 1 … k − 1 is never shown as a number.
        invited = {key: v[0] for key, v in frozen.items() if v[0] > 0}
        submitted = {key: v[2] for key, v in frozen.items() if v[2] > 0}
        # Department × group counts are not on this page; they are known only where the round's results
        # show them (a closed round).
        cell_keys = {key for key in frozen if ScopeKey.parse(key).kind == "department_group"}
        never_shown = cell_keys - (
            shown_result_keys if shown_result_keys is not None else _shown_result_keys(round_)
        )
        hidden = hidden_scope_keys(
            invited, parents, k, order=order, never_shown=never_shown
        ) | hidden_scope_keys(submitted, parents, k, order=order, never_shown=never_shown)
    return RatePattern(k=k, anonymous=round_.anonymous, counts=frozen, hidden=hidden)


def _shown_result_keys(round_: Round) -> set[str]:
    """The scopes whose respondent counts the round's stored results publish (none before it closes)."""
    if round_.status != Round.Status.CLOSED:
        return set()
    return {
        key
        for key, published in RoundResult.objects.filter(round=round_).values_list("scope_key", "published")
        if published and not published.get("hidden", True)
    }


def get_response_rates(round_: Round, *, visible: set[int] | None) -> ResponseRates:
    """Invited, started, submitted and rate for the organisation, per department (units rolled up into
    their department) and per group, with the anonymity rule of ``RatePattern``. ``visible``: the
    departments the reader may see (None = all, from ``surveys.scoping``); a department representative sees
    only their own departments and the total, no groups."""
    pattern = get_rate_pattern(round_)
    departments = list(Department.objects.filter(organisation_id=round_.organisation_id))
    rates = ResponseRates(k=pattern.k, anonymous=round_.anonymous, total=pattern.row("", str(ORGANISATION)))
    for department, depth in tree_ordered(departments):
        if visible is not None and department.pk not in visible:
            continue
        rates.departments.append(pattern.row(department.name, str(ScopeKey.department(department.pk)), depth))
    if visible is None:
        for group in RespondentGroup.objects.filter(organisation_id=round_.organisation_id):
            rates.groups.append(pattern.row(group.name, str(ScopeKey.group(group.pk))))
    if round_.open_link_enabled:
        # Responses that came through the open link: all responses (pooled or released) less the submitted
        # personal invitations.
        total = Response.objects.filter(round=round_).count() + count_pooled(round_id=round_.pk)
        n = max(total - pattern.counts.get(str(ORGANISATION), (0, 0, 0))[2], 0)
        rates.open_link_responses = n if (n >= pattern.k or n == 0 or not round_.anonymous) else None
    rates.hidden_any = any(r.hidden for r in [rates.total, *rates.departments, *rates.groups])
    return rates


def get_submission_curve(round_: Round, *, visible: set[int] | None) -> dict | None:
    """Submissions per day and cumulated, as plotly figure data (None when nothing may be shown): all the
    organisation's, or those of a department representative's own departments (``visible``) – shown to
    them only when the submitted count of each of their departments is shown on the rate page, so that the
    curve's total gives away no hidden count."""
    days = SubmissionDay.objects.filter(round=round_)
    pattern = get_rate_pattern(round_)
    if visible is None:
        key_sets = [str(ORGANISATION)]
    else:
        days = days.filter(department_id__in=sorted(visible))
        parents = dict(
            Department.objects.filter(organisation_id=round_.organisation_id).values_list("id", "parent_id")
        )
        key_sets = [str(ScopeKey.department(d)) for d in visible if parents.get(d) not in visible]
    if round_.anonymous and any(
        key in pattern.hidden or 0 < pattern.counts.get(key, (0, 0, 0))[2] < pattern.k for key in key_sets
    ):
        return None
    per_day = list(days.values_list("day").annotate(n=Sum("count")).order_by("day"))
    start = timezone.localdate(round_.opened_at) if round_.opened_at else round_.first_day
    end = min(timezone.localdate(), round_.last_day)
    if round_.closed_at:
        end = min(end, timezone.localdate(round_.closed_at))
    labels = CurveLabels(daily=_("Submitted that day"), cumulative=_("Submitted in all"), axis=_("Responses"))
    return submission_curve_figure(per_day=per_day, start=start, end=end, labels=labels)

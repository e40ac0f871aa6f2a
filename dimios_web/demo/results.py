"""Demo rounds for `make run`: three years of closed rounds of the demo organisation and of the comparison
organisations, with synthetic responses (seeded, deterministic) and computed results.

Called by ``dimios_web.demo.load_demo_data``. Idempotent: a round that exists is left alone."""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from maturity.services.results import compute_round_results
from surveys.models import (
    Answer,
    Department,
    Invitation,
    MeasurementPeriod,
    RespondentGroup,
    Response,
    Round,
    Sector,
    SubmissionDay,
)
from surveys.services.questionnaires import ensure_default_questionnaire

DEMO_YEARS = (2023, 2024, 2025)
DEMO_TERM = MeasurementPeriod.Term.HT
YEARLY_IMPROVEMENT = 0.3  # points on the 1–6 scale per year

# Department → (respondents per year, offset on the 1–6 scale). Units share their department's respondents.
DEMO_DEPARTMENT_PROFILE = {
    "Kommunledningsförvaltningen": (24, 0.5),
    "Digitaliseringsstaben": (14, 0.9),
    "Ekonomiavdelningen": (10, 0.1),
    "Social- och omsorgsförvaltningen": (10, -0.5),
    "Äldreomsorg": (16, -0.7),
    "Individ- och familjeomsorg": (12, -0.3),
    "Utbildningsförvaltningen": (30, 0.0),
    "Miljö- och samhällsbyggnadsförvaltningen": (22, 0.2),
    "Kultur- och fritidsförvaltningen": (14, -0.2),
}
GROUP_OFFSETS = {
    "Kommunledning": 0.5,
    "Chefer": 0.2,
    "Verksamhetsutvecklare": -0.4,
    "Strateger": 0.0,
    "Planeringsledare": -0.1,
}
# Group shares of a department's respondents; Kommunledning is small on purpose, so that its
# department × group cells show the suppression of sets below k.
GROUP_WEIGHTS = {
    "Kommunledning": 1,
    "Chefer": 5,
    "Verksamhetsutvecklare": 3,
    "Strateger": 2,
    "Planeringsledare": 2,
}
COMPARISON_DEPARTMENTS = {
    "Kommunstyrelseförvaltningen": Sector.ADMINISTRATION,
    "Socialförvaltningen": Sector.SOCIAL_SERVICES,
    "Utbildningsförvaltningen": Sector.EDUCATION,
}
# The departments of a region or an agency.
OTHER_KIND_DEPARTMENTS = {
    "Regionledningskontoret": Sector.ADMINISTRATION,
    "Hälso- och sjukvården": Sector.HEALTH_CARE,
    "Kultur och utbildning": Sector.EDUCATION,
}
# Statements that many in a municipality cannot judge (extra chance of "vet ej" on top of the 5 % everyone
# has), so that the dashboards' suggestions show knowledge gaps (issue 16): whether systems are funded over
# their whole life cycle and whether open source is considered are known to few outside IT and finance.
DEMO_DONT_KNOW = {"F.EFF.5.1": 0.18, "F.INN.3.1": 0.22}
# How many comparison organisations have already closed a round in the current (or last) period, so that
# the demo municipality has peers there too (issue 15).
CURRENT_PERIOD_PEERS = 12


def _period(year: int) -> MeasurementPeriod:
    starts_on, ends_on = MeasurementPeriod.window(year, DEMO_TERM)
    period, _created = MeasurementPeriod.objects.get_or_create(
        year=year, term=DEMO_TERM, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    return period


def _answers(rng: random.Random, statements, level: dict[str, float]) -> list[tuple[int, int | None]]:
    """(statement id, value) pairs of one respondent; ``level``: their mean per dimension kind."""
    answers: list[tuple[int, int | None]] = []
    for statement_id, kind, capability_offset, reverse, dont_know in statements:
        draw = rng.random()
        if draw < 0.02:
            continue  # left blank
        if draw < 0.07 + dont_know:
            answers.append((statement_id, None))  # vet ej
            continue
        scored = min(6, max(1, round(rng.gauss(level[kind] + capability_offset, 1.0))))
        answers.append((statement_id, 7 - scored if reverse else scored))
    return answers


def _create_round(*, organisation, period, version, plan, rng, statements, base: dict[str, float]) -> Round:
    """A closed round with the responses that ``plan`` lists: (department, group, offset) per respondent."""
    opens_on = period.starts_on + datetime.timedelta(days=30)
    closes_on = period.starts_on + datetime.timedelta(days=72)
    round_ = Round.objects.create(
        organisation=organisation,
        period=period,
        questionnaire=version,
        status=Round.Status.CLOSED,
        source=Round.Source.SURVEY,
        anonymous=True,
        opens_on=opens_on,
        closes_on=closes_on,
        opened_at=timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(8))),
        closed_at=timezone.make_aware(datetime.datetime.combine(closes_on, datetime.time(17))),
        data_changed_at=timezone.make_aware(datetime.datetime.combine(closes_on, datetime.time(17))),
    )
    round_.departments.set({department for department, _group, _offset in plan})
    responses: list[Response] = []
    answers: list[Answer] = []
    per_day: Counter[tuple[int, datetime.date]] = Counter()
    for department, group, offset in plan:
        response = Response(round=round_, department=department, group=group)
        responses.append(response)
        per_day[(department.pk, opens_on + datetime.timedelta(days=rng.randrange(0, 40)))] += 1
        level = {kind: value + offset + rng.gauss(0, 0.4) for kind, value in base.items()}
        answers.extend(
            Answer(response=response, statement_id=sid, value=value)
            for sid, value in _answers(rng, statements, level)
        )
    random.Random(round_.pk).shuffle(responses)  # as the response pool releases them: in no order
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(answers, batch_size=2000)
    SubmissionDay.objects.bulk_create(
        SubmissionDay(round=round_, department_id=department_id, day=day, count=count)
        for (department_id, day), count in sorted(per_day.items())
    )
    _create_invitations(round_, plan, opens_on)
    compute_round_results(round_id=round_.pk)
    return round_


# About one in four of those invited to a demo round did not submit (some of them started).
NOT_SUBMITTED_SHARE = 0.27


def _create_invitations(round_: Round, plan, opens_on: datetime.date) -> None:
    """The invitations a real round would have had (issue 17: the round page and the report show real
    response rates, not "0 invited" beside 200 submitted): one submitted invitation per respondent of the
    plan, and in each department and group a share more who never submitted. Addresses are made up and
    carry no link to a response (an invitation records only *that* it was answered)."""
    rng = random.Random(f"invitations-{round_.pk}")  # its own stream: the answers stay as they were
    sent_at = timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(8)))
    per_set: Counter[tuple[int, int]] = Counter((d.pk, g.pk) for d, g, _offset in plan)
    invitations = []
    for (department_id, group_id), submitted in sorted(per_set.items()):
        missing = round(submitted * NOT_SUBMITTED_SHARE / (1 - NOT_SUBMITTED_SHARE))
        for i in range(submitted + missing):
            answered = i < submitted
            invitations.append(
                Invitation(
                    round=round_,
                    email=f"inbjuden.{round_.pk}.{department_id}.{group_id}.{i}@demo.example",
                    department_id=department_id,
                    group_id=group_id,
                    send_status=Invitation.SendStatus.SENT,
                    send_attempts=1,
                    sent_at=sent_at,
                    submitted=answered,
                    started_on=opens_on if answered or rng.random() < 0.3 else None,
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=1000)


def _current_period() -> MeasurementPeriod | None:
    """The period whose window runs today, or else the one that ended last (the demo's open round is in the
    first; in the second, the next run opens none)."""
    from surveys.services.periods import period_for

    today = timezone.localdate()
    for day in (today, *(today - datetime.timedelta(days=d) for d in range(1, 250))):
        period = period_for(day)
        if period is not None:
            return period
    return None


def _weighted_groups(rng: random.Random, groups: list[RespondentGroup], n: int) -> list[RespondentGroup]:
    weights = [GROUP_WEIGHTS.get(g.name, 2) for g in groups]
    return rng.choices(groups, weights=weights, k=n)


@transaction.atomic
def load_demo_rounds(summary: dict) -> None:
    version = ensure_default_questionnaire()
    periods = {year: _period(year) for year in DEMO_YEARS}
    statement_rows = list(
        version.statements.select_related("capability__category__dimension").order_by(
            "capability__category__dimension__position",
            "capability__category__position",
            "capability__position",
            "position",
        )
    )
    capability_rng = random.Random("dimios-demo-capabilities")
    capability_offsets = {s.capability_id: capability_rng.uniform(-0.6, 0.6) for s in statement_rows}
    statements = [
        (
            s.pk,
            s.capability.category.dimension.kind,
            capability_offsets[s.capability_id],
            s.reverse_scored,
            DEMO_DONT_KNOW.get(s.code, 0.0),
        )
        for s in statement_rows
    ]

    organisation = summary["organisation"]
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    groups = list(RespondentGroup.objects.filter(organisation=organisation))
    created = 0
    for index, year in enumerate(DEMO_YEARS):
        if Round.objects.filter(organisation=organisation, period=periods[year]).exists():
            continue
        rng = random.Random(f"dimios-demo-{organisation.code}-{year}")
        plan = []
        for name, (count, offset) in DEMO_DEPARTMENT_PROFILE.items():
            department = departments.get(name)
            if department is None:
                continue
            n = count + rng.randint(-2, 4) + index * 2
            for group in _weighted_groups(rng, groups, n):
                plan.append((department, group, offset + GROUP_OFFSETS.get(group.name, 0.0)))
        base = {
            "capability": 2.9 + index * YEARLY_IMPROVEMENT,
            "legacy": 3.2 + index * YEARLY_IMPROVEMENT * 0.8,
        }
        _create_round(
            organisation=organisation,
            period=periods[year],
            version=version,
            plan=plan,
            rng=rng,
            statements=statements,
            base=base,
        )
        created += 1

    created_comparison = 0
    current = _current_period()
    for position, other in enumerate(summary.get("comparison", [])):
        names = COMPARISON_DEPARTMENTS if other.kind == other.Kind.MUNICIPALITY else OTHER_KIND_DEPARTMENTS
        other_departments = [
            Department.objects.get_or_create(
                organisation=other, parent=None, name=name, defaults={"sector": sector}
            )[0]
            for name, sector in names.items()
        ]
        other_groups = list(RespondentGroup.objects.filter(organisation=other))
        if not other_groups:
            continue
        org_rng = random.Random(f"dimios-demo-org-{other.code}")
        org_offset = {"capability": org_rng.uniform(-0.9, 0.9), "legacy": org_rng.uniform(-0.9, 0.9)}
        years = [(index, year, periods[year]) for index, year in enumerate(DEMO_YEARS)]
        if current is not None and current.year not in DEMO_YEARS and position < CURRENT_PERIOD_PEERS:
            years.append((len(DEMO_YEARS), current.year, current))
        for index, year, period in years:
            if Round.objects.filter(organisation=other, period=period).exists():
                continue
            rng = random.Random(f"dimios-demo-{other.code}-{year}")
            plan = []
            for department in other_departments:
                n = rng.randint(8, 18)
                plan.extend((department, group, 0.0) for group in _weighted_groups(rng, other_groups, n))
            base = {
                kind: 3.0 + index * YEARLY_IMPROVEMENT * 0.5 + org_offset[kind]
                for kind in ("capability", "legacy")
            }
            _create_round(
                organisation=other,
                period=period,
                version=version,
                plan=plan,
                rng=rng,
                statements=statements,
                base=base,
            )
            created_comparison += 1
    notes = summary.setdefault("notes", [])
    if created or created_comparison:
        notes.append(
            f"Maturity demo: questionnaire {version.code}; {created} closed rounds of {organisation.name} "
            f"(HT {', HT '.join(str(y) for y in DEMO_YEARS)}) and {created_comparison} closed rounds of "
            f"{len(summary.get('comparison', []))} comparison organisations, with results computed."
        )
    else:
        notes.append(
            f"Maturity demo: rounds of HT {DEMO_YEARS[0]}–{DEMO_YEARS[-1]} already present, unchanged."
        )

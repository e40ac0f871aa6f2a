"""The demo's open round: the demo organisation's round in the running measurement window, with imported
respondents, sent invitations and some started and submitted responses, so that the round page shows
real-looking response rates. Called from ``dimios_web.demo.load`` after
``dimios_web.demo.results.load_demo_rounds``
(which loads the default questionnaire). Rerunning changes nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    Department,
    Invitation,
    MeasurementPeriod,
    PooledResponse,
    RespondentGroup,
    Round,
    SubmissionDay,
)
from surveys.sealing import seal
from surveys.services.audit import AuditAction, record_event
from surveys.services.periods import ensure_periods, period_for
from surveys.services.questionnaires import ensure_default_questionnaire

# Department → (invited, share started, share submitted). One small department shows the anonymity rule.
DEMO_INVITED = {
    "Digitaliseringsstaben": (14, 0.85, 0.7),
    "Ekonomiavdelningen": (12, 0.7, 0.5),
    "Äldreomsorg": (18, 0.6, 0.45),
    "Individ- och familjeomsorg": (15, 0.55, 0.4),
    "Utbildningsförvaltningen": (30, 0.65, 0.5),
    "Miljö- och samhällsbyggnadsförvaltningen": (16, 0.5, 0.35),
    "Kultur- och fritidsförvaltningen": (4, 0.5, 0.5),
}
FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Johan",
    "Sara",
    "Per",
    "Eva",
    "Nils",
    "Lena",
    "Olof",
]
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
DAYS_OPEN = 12


def last_window_day(today: datetime.date) -> datetime.date:
    """Today when a national window runs, else the last day of the window that ended most recently."""
    windows = [
        MeasurementPeriod.window(year, term)
        for year in (today.year - 1, today.year)
        for term in MeasurementPeriod.Term.values
    ]
    if any(starts_on <= today <= ends_on for starts_on, ends_on in windows):
        return today
    return max(ends_on for _starts_on, ends_on in windows if ends_on < today)


def load_demo_open_round(summary: dict, *, today: datetime.date | None = None) -> Round | None:
    """Create the open demo round (once) as of ``today`` (the real day when None) and return it. Between
    the national windows the demo still has a round to answer (docs/decisions.md, "The demo between
    windows"): the round of the window that ended last, as it stood on that window's last day, not yet
    closed (``make run`` runs no scheduler, so it stays open until someone closes it)."""
    asked = today or timezone.localdate()
    today = last_window_day(asked)
    ensure_periods(today=today)
    period = period_for(today)
    organisation = summary["organisation"]
    if period is None:
        return None
    if today < asked:
        summary.setdefault("notes", []).append(
            f"No measurement window runs today: the demo keeps the round of {period} open past its last day "
            f"({today:%Y-%m-%d}) so that you can answer it; close it on its round page to see its results."
        )
    existing = Round.objects.filter(organisation=organisation, period=period).first()
    if existing is not None:
        return existing
    version = ensure_default_questionnaire()
    statement_ids = list(version.statements.values_list("pk", flat=True))
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    groups = list(RespondentGroup.objects.filter(organisation=organisation))
    rng = random.Random(f"dimios-demo-open-{organisation.code}-{period.code}")
    opened_on = max(period.starts_on, today - datetime.timedelta(days=DAYS_OPEN))
    opened_at = timezone.make_aware(datetime.datetime.combine(opened_on, datetime.time(9)))

    with transaction.atomic():
        round_ = Round.objects.create(
            organisation=organisation,
            period=period,
            questionnaire=version,
            status=Round.Status.OPEN,
            anonymous=True,
            opened_at=opened_at,
            reminder_days=[7, 14],
        )
        round_.departments.set([d for name, d in departments.items() if name in DEMO_INVITED])
        invitations: list[Invitation] = []
        pooled: list[PooledResponse] = []
        per_day: dict[tuple[int, datetime.date], int] = {}
        number = 0
        for name, (count, started_share, submitted_share) in DEMO_INVITED.items():
            department = departments.get(name)
            if department is None:
                continue
            for i in range(count):
                number += 1
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                submitted = i < round(count * submitted_share)
                started = submitted or i < round(count * started_share)
                group = rng.choice(groups)
                invitations.append(
                    Invitation(
                        round=round_,
                        email=f"{first}.{last}.{number}@example.se".lower(),
                        name=f"{first} {last}",
                        department=department,
                        group=group,
                        send_status=Invitation.SendStatus.SENT,
                        send_attempts=1,
                        sent_at=opened_at,
                        submitted=submitted,
                        started_on=opened_on + datetime.timedelta(days=rng.randrange(0, DAYS_OPEN))
                        if started
                        else None,
                    )
                )
                if submitted:
                    # Anonymous: the answers go into the sealed pool, as a submit in the browser does.
                    level = rng.uniform(2.5, 5)
                    pooled.append(
                        PooledResponse(
                            round=round_,
                            department=department,
                            group=group,
                            sealed=seal(
                                {
                                    "answers": [
                                        [
                                            sid,
                                            None
                                            if rng.random() < 0.05
                                            else max(1, min(6, round(rng.gauss(level, 1)))),
                                        ]
                                        for sid in statement_ids
                                    ]
                                }
                            ),
                        )
                    )
                    day = min(today, opened_on + datetime.timedelta(days=int(rng.expovariate(0.25))))
                    per_day[(department.pk, day)] = per_day.get((department.pk, day), 0) + 1
        Invitation.objects.bulk_create(invitations, batch_size=500)
        rng.shuffle(pooled)
        PooledResponse.objects.bulk_create(pooled, batch_size=500)
        SubmissionDay.objects.bulk_create(
            SubmissionDay(round=round_, department_id=department_id, day=day, count=count)
            for (department_id, day), count in sorted(per_day.items())
        )
        record_event(
            action=AuditAction.ROUND_OPENED,
            organisation=organisation,
            target=round_,
            round=round_.pk,
            details={"invitations": len(invitations)},
        )
        record_event(
            action=AuditAction.INVITATIONS_SENT,
            organisation=organisation,
            target=round_,
            round=round_.pk,
            details={"sent": len(invitations), "failed": 0, "bounced": 0},
        )
    summary.setdefault("notes", []).append(
        f"Open round {period} of {organisation.name}: {len(invitations)} invited, {len(pooled)} submitted."
    )
    return round_

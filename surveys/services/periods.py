"""The national measurement windows: VT = 1 February – 1 June and HT = 1 August – 1 December of each
year, both days included. They are created ahead by a periodic task (``ensure_periods_task``) and on
demand (``ensure_periods``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import MeasurementPeriod


def today() -> datetime.date:
    """Today in the installation's time zone. The date seam of the start pages (``reports.views.start``):
    a test freezes "today" by replacing this function (``monkeypatch.setattr(periods, "today", …)``)."""
    return timezone.localdate()


def window_of(day: datetime.date) -> tuple[int, str, datetime.date, datetime.date]:
    """The window that contains ``day`` or, between windows, the next one: (year, term, first day, last
    day). Pure date arithmetic: nothing is read or created."""
    year, term = _terms_from(day, 1)[0]
    starts_on, ends_on = MeasurementPeriod.window(year, term)
    return year, term, starts_on, ends_on


def _terms_from(day: datetime.date, count: int) -> list[tuple[int, str]]:
    """The windows that contain or follow ``day``: ``count`` of them, in order."""
    year = day.year
    terms: list[tuple[int, str]] = []
    for candidate_year in range(year - 1, year + count + 1):
        for term in (MeasurementPeriod.Term.VT, MeasurementPeriod.Term.HT):
            _start, end = MeasurementPeriod.window(candidate_year, term)
            if end >= day:
                terms.append((candidate_year, term.value))
    return terms[:count]


@transaction.atomic
def ensure_periods(*, today: datetime.date | None = None, ahead: int = 4) -> list[MeasurementPeriod]:
    """Make sure the running window (if any) and the next ones exist; ``ahead`` windows in all, so the
    default covers about two years. Rerunning creates nothing new."""
    today = today or timezone.localdate()
    periods = []
    for year, term in _terms_from(today, ahead):
        starts_on, ends_on = MeasurementPeriod.window(year, term)
        period, _created = MeasurementPeriod.objects.get_or_create(
            year=year, term=term, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        periods.append(period)
    return periods


def period_for(day: datetime.date) -> MeasurementPeriod | None:
    """The window that contains ``day``, created if it is missing; None between windows."""
    for term in (MeasurementPeriod.Term.VT, MeasurementPeriod.Term.HT):
        starts_on, ends_on = MeasurementPeriod.window(day.year, term)
        if starts_on <= day <= ends_on:
            period, _created = MeasurementPeriod.objects.get_or_create(
                year=day.year, term=term, defaults={"starts_on": starts_on, "ends_on": ends_on}
            )
            return period
    return None

"""Fixtures of the annual report tests: report files in a temporary MEDIA_ROOT, a closed round with stored
results for the persona organisation (small and fast), and the full demo data (Linköping and the comparison
municipalities) for the end-to-end builds."""

from __future__ import annotations

import datetime
import random

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_closed_round(organisation, *, year: int = 2025, per_department: int = 8, seed: str = "r"):
    """A closed HT round of ``organisation`` with synthetic responses spread over its departments and
    groups, and its results computed."""
    from django.utils import timezone

    from maturity.services.results import compute_round_results
    from surveys.models import Answer, MeasurementPeriod, Response, Round
    from surveys.services.questionnaires import ensure_default_questionnaire

    version = ensure_default_questionnaire()
    starts_on, ends_on = MeasurementPeriod.window(year, "HT")
    period, _ = MeasurementPeriod.objects.get_or_create(
        year=year, term="HT", defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    round_ = Round.objects.create(
        organisation=organisation,
        period=period,
        questionnaire=version,
        status=Round.Status.CLOSED,
        opens_on=starts_on,
        closes_on=starts_on + datetime.timedelta(days=30),
        closed_at=timezone.now(),
        data_changed_at=timezone.now() - datetime.timedelta(days=1),
    )
    rng = random.Random(f"{seed}-{organisation.code}-{year}")
    statements = list(version.statements.values_list("pk", flat=True))
    groups = list(organisation.respondent_groups.all())
    departments = list(organisation.departments.all())
    round_.departments.set(departments)
    answers = []
    for department in departments:
        for i in range(per_department):
            response = Response.objects.create(round=round_, department=department, group=groups[i % 2])
            answers.extend(
                Answer(response=response, statement_id=sid, value=rng.randint(2, 6)) for sid in statements
            )
    Answer.objects.bulk_create(answers)
    compute_round_results(round_id=round_.pk)
    return round_


@pytest.fixture
def closed_round(organisation):
    return make_closed_round(organisation)


@pytest.fixture
def demo(transactional_db):
    """The demo world of `make run`: Linköping (0580) with departments, closed rounds HT 2023–2025 and
    comparison municipalities."""
    from dimios_web.demo.load import load_demo_data

    return load_demo_data()

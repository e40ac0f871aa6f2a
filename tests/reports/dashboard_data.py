"""Data of the dashboard tests: closed rounds with stored results, built through the real scoring path
(responses and answers → ``compute_round_results``). Fixtures are imported by the dashboard test modules
(tests/reports/conftest.py belongs to the annual report's tests)."""

from __future__ import annotations

import random

import pytest

from maturity.services.results import compute_round_results
from surveys.models import Answer, Department, MeasurementPeriod, RespondentGroup, Response, Round
from tests.factories import build_questionnaire


def period(year: int, term: str = "HT") -> MeasurementPeriod:
    starts_on, ends_on = MeasurementPeriod.window(year, term)
    return MeasurementPeriod.objects.get_or_create(
        year=year, term=term, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )[0]


def build_round(
    organisation,
    *,
    year: int,
    questionnaire,
    plan: dict[tuple[str, str], int],
    seed: int = 1,
    level: float = 3.5,
    source: str = Round.Source.SURVEY,
) -> Round:
    """A closed round of ``organisation`` with ``plan[(department name, group name)]`` respondents each,
    answers drawn around ``level`` (1–6), and its stored results computed."""
    rng = random.Random(seed)
    round_ = Round.objects.create(
        organisation=organisation,
        period=period(year),
        questionnaire=questionnaire,
        status=Round.Status.CLOSED,
        source=source,
    )
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    groups = {g.name: g for g in RespondentGroup.objects.filter(organisation=organisation)}
    statement_ids = list(questionnaire.statements.values_list("pk", flat=True))
    responses, answers = [], []
    for (department_name, group_name), n in plan.items():
        for _ in range(n):
            response = Response(
                round=round_, department=departments[department_name], group=groups[group_name]
            )
            responses.append(response)
            for sid in statement_ids:
                draw = rng.random()
                value = None if draw < 0.05 else min(6, max(1, round(rng.gauss(level, 1.1))))
                answers.append(Answer(response=response, statement_id=sid, value=value))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=2000)
    round_.departments.set({departments[d] for d, _g in plan})
    compute_round_results(round_id=round_.pk)
    return round_


SMALL_PLAN = {
    ("Socialförvaltningen", "Chefer"): 6,
    ("Äldreomsorg", "Chefer"): 5,
    ("Äldreomsorg", "Strateger"): 6,
    ("Utbildningsförvaltningen", "Chefer"): 7,
    ("Utbildningsförvaltningen", "Strateger"): 2,  # below k: "för få svar"
}


@pytest.fixture
def small_questionnaire(db):
    return build_questionnaire(categories_per_dimension=2, statements_per_category=2)


@pytest.fixture
def default_questionnaire(db):
    from surveys.services.questionnaires import ensure_default_questionnaire

    return ensure_default_questionnaire()


@pytest.fixture
def rounds(organisation, default_questionnaire):
    """Two closed rounds of the persona organisation (HT 2024, HT 2025), open default questionnaire."""
    return [
        build_round(
            organisation, year=2024, questionnaire=default_questionnaire, plan=SMALL_PLAN, seed=24, level=3.2
        ),
        build_round(
            organisation, year=2025, questionnaire=default_questionnaire, plan=SMALL_PLAN, seed=25, level=3.8
        ),
    ]

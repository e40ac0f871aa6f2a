"""Compute and store the results of a round: one row per scope (organisation, each department with its
units, each respondent group, each department × group), from one pass over the round's answers."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Department, Response, Round

from .. import scoring
from ..models import RoundResult
from ..selectors import get_structure, hidden_scopes

ORGANISATION_KEY = "organisation"


def department_key(department_id: int) -> str:
    return f"department:{department_id}"


def group_key(group_id: int) -> str:
    return f"group:{group_id}"


def department_group_key(department_id: int, group_id: int) -> str:
    return f"department:{department_id}/group:{group_id}"


def ancestors_and_self(parents: dict[int, int | None], department_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = department_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


@transaction.atomic
def compute_round_results(*, round_id: int) -> int:
    """(Re)compute and store every result row of the round; earlier rows of the round are replaced, so a
    rerun is harmless. Returns the number of rows written."""
    round_ = Round.objects.select_for_update().select_related("questionnaire").get(pk=round_id)
    version = round_.questionnaire
    structure = get_structure(version)
    statement_codes = dict(version.statements.values_list("id", "code"))
    parents: dict[int, int | None] = dict(
        Department.objects.filter(organisation_id=round_.organisation_id).values_list("id", "parent_id")
    )

    answers: dict = {}
    members: dict[str, list] = defaultdict(list)
    meta: dict[str, tuple[str, int | None, int | None]] = {
        ORGANISATION_KEY: (RoundResult.Scope.ORGANISATION, None, None)
    }
    for response_id, department_id, group_id in Response.objects.filter(round=round_).values_list(
        "id", "department_id", "group_id"
    ):
        answers[response_id] = {}
        members[ORGANISATION_KEY].append(response_id)
        gk = group_key(group_id)
        members[gk].append(response_id)
        meta[gk] = (RoundResult.Scope.GROUP, None, group_id)
        for dept in ancestors_and_self(parents, department_id):
            dk = department_key(dept)
            members[dk].append(response_id)
            meta[dk] = (RoundResult.Scope.DEPARTMENT, dept, None)
            dgk = department_group_key(dept, group_id)
            members[dgk].append(response_id)
            meta[dgk] = (RoundResult.Scope.DEPARTMENT_GROUP, dept, group_id)
    for response_id, statement_id, value in Answer.objects.filter(response__round=round_).values_list(
        "response_id", "statement_id", "value"
    ):
        code = statement_codes.get(statement_id)
        if code is not None:
            answers[response_id][code] = value

    settings = structure.settings()
    now = timezone.now()
    rows = []
    for key, (scope, scope_department_id, scope_group_id) in meta.items():
        result = scoring.score(structure, (answers[r] for r in members[key]))
        figures = result.as_dict()
        rows.append(
            RoundResult(
                round=round_,
                questionnaire=version,
                scope=scope,
                scope_key=key,
                department_id=scope_department_id,
                group_id=scope_group_id,
                n_respondents=result.n_respondents,
                capability_percent=result.capability_percent,
                legacy_percent=result.legacy_percent,
                overall_percent=result.overall_percent,
                type=result.type or "",
                figures={
                    name: figures[name] for name in ("statements", "capabilities", "categories", "dimensions")
                },
                settings=settings,
                computed_at=now,
            )
        )
    RoundResult.objects.filter(round=round_).delete()
    RoundResult.objects.bulk_create(rows)
    # Once stored, warm the cache of the anonymity pattern for the version's k, so that the first reader
    # does not wait for it. A cache that cannot be reached only means the reader computes it (robust=True).
    by_key = {row.scope_key: row for row in rows}
    transaction.on_commit(lambda: hidden_scopes(by_key, parents, version.k_anonymity), robust=True)
    return len(rows)

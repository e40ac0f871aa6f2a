"""Compute and store the results of a round: one row per scope (organisation, each department with its
units, each respondent group, each department × group), from one pass over the round's answers, with what
of them may be published (``maturity.disclosure``) for the round's k and the department tree they were
computed on (``ResultTree``: frozen when the results are first computed, i.e. when the round closes),
and the round's comparison figures (``maturity.services.comparisons``)."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Department, RespondentGroup, Response, Round
from surveys.scope_keys import ORGANISATION, ScopeKey
from surveys.tree import ancestors_and_self

from .. import disclosure, scoring
from ..models import ResultTree, RoundResult
from ..selectors import get_structure, tree_order
from ..suppression import effective_k
from .comparisons import record_round_figures

ORGANISATION_KEY = str(ORGANISATION)


def department_key(department_id: int) -> str:
    return str(ScopeKey.department(department_id))


def group_key(group_id: int) -> str:
    return str(ScopeKey.group(group_id))


def department_group_key(department_id: int, group_id: int) -> str:
    return str(ScopeKey.department(department_id, group_id))


@transaction.atomic
def compute_round_results(*, round_id: int) -> int:
    """(Re)compute and store every result row of the round; earlier rows of the round are replaced, so a
    rerun is harmless. Returns the number of rows written."""
    round_ = Round.objects.select_for_update().select_related("questionnaire").get(pk=round_id)
    version = round_.questionnaire
    structure = get_structure(version)
    statement_codes = dict(version.statements.values_list("id", "code"))
    k = effective_k(version.k_anonymity)
    tree = _freeze_tree(round_, k=k)
    parents = tree.parents

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
    _publish(rows, structure=structure, tree=tree, k=k)
    RoundResult.objects.filter(round=round_).delete()
    RoundResult.objects.bulk_create(rows)
    # The comparison figures of the period, in this transaction (maturity.services.comparisons).
    record_round_figures(
        round_=round_, organisation_result=next((r for r in rows if r.scope_key == ORGANISATION_KEY), None)
    )
    return len(rows)


def _publish(rows: list[RoundResult], *, structure: scoring.Structure, tree: ResultTree, k: int) -> None:
    published = disclosure.publish(
        {row.scope_key: disclosure.Stored(row.n_respondents, row.figures) for row in rows},
        structure=structure,
        parents=tree.parents,
        k=k,
        order=tree_order(tree),
    )
    for row in rows:
        view = published[row.scope_key]
        row.published = {key: view[key] for key in disclosure.HEADLINE}
        row.published_figures = {level: view[level] for level in disclosure.LEVELS}


@transaction.atomic
def publish_round_results(*, round_id: int) -> int:
    """Decide again what of the round's stored results may be published (on its frozen tree, for its k),
    without recomputing the figures – after the rules themselves have changed. Returns the rows updated."""
    round_ = Round.objects.select_for_update().select_related("questionnaire").get(pk=round_id)
    rows = list(RoundResult.objects.filter(round=round_))
    if not rows:
        return 0
    k = effective_k(round_.questionnaire.k_anonymity)
    tree = ResultTree.objects.filter(round=round_).first() or _freeze_tree(round_, k=k)
    _publish(rows, structure=get_structure(round_.questionnaire), tree=tree, k=k)
    RoundResult.objects.bulk_update(rows, ["published", "published_figures"])
    record_round_figures(
        round_=round_, organisation_result=next((r for r in rows if r.scope_key == ORGANISATION_KEY), None)
    )
    if tree.k != k:
        tree.k = k
        tree.save(update_fields=["k"])
    return len(rows)


def _freeze_tree(round_: Round, *, k: int) -> ResultTree:
    """The round's department tree and groups as they were when its results were first computed after it
    closed (until then, the current ones). Later computations of a closed round (a late import) keep it and
    only add departments and groups that did not exist then. Four queries."""
    tree = ResultTree.objects.filter(round=round_).first() or ResultTree(round=round_)
    departments = list(Department.objects.filter(organisation_id=round_.organisation_id).order_by("pk"))
    groups = list(RespondentGroup.objects.filter(organisation_id=round_.organisation_id).order_by("pk"))
    frozen = tree.frozen_at is not None
    known = {int(d["id"]) for d in tree.departments} if frozen else set()
    known_groups = {int(g["id"]) for g in tree.groups} if frozen else set()
    current = [{"id": d.pk, "parent": d.parent_id, "name": d.name} for d in departments if d.pk not in known]
    current_groups = [
        {"id": g.pk, "name": g.name, "position": g.position} for g in groups if g.pk not in known_groups
    ]
    tree.departments = [*(tree.departments if frozen else []), *current]
    tree.groups = [*(tree.groups if frozen else []), *current_groups]
    tree.k = k
    if round_.status == Round.Status.CLOSED and not frozen:
        tree.frozen_at = timezone.now()
    tree.save()
    return tree

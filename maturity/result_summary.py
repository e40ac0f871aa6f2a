"""What a respondent sees of a closed round's results on the pages that end the survey: the organisation's
overall figures from its stored results, or nothing when fewer than k answered; and the actions decided
for the respondent's department in response to the round (title, status and due date only:
docs/respondent-privacy.md). Read through the ``round_results`` template tags, so that the respondent pages
(surveys) need no import of maturity."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from dimios_web import formatting
from surveys.models import Department, Round, TypeDescription, type_heading

from .models import Action
from .selectors import SUPPRESSED, get_round_results


@dataclass
class ResultSummary:
    responses: int
    overall: float | None
    capability: float | None
    legacy: float | None
    type: str | None
    type_title: str = ""
    # The type named once, its letter included ("Typ D – Digitalt mogen"; TypeDescription.heading).
    type_heading: str = ""


def get_round_result_summary(round: Round) -> ResultSummary | None:
    """The organisation's overall figures for a closed round from its stored results (frozen when the round
    closed), or None when there are none or the organisation has fewer than k responses (anonymity)."""
    results = get_round_results(round_id=round.pk)
    stored = results["organisation"] if results else None
    if stored is None or stored["suppressed"]:
        return None

    def shown(value):
        # A figure that may not be shown (e.g. a dimension few answered) is left out of the summary.
        return value if isinstance(value, int | float | str) and value != SUPPRESSED else None

    title = heading = ""
    type_ = shown(stored["type"])
    if type_:
        description = TypeDescription.objects.filter(version_id=round.questionnaire_id, type=type_).first()
        title = description.title if description else ""
        heading = description.heading if description else type_heading(str(type_), "")
    version = round.questionnaire
    return ResultSummary(
        stored["n_respondents"],
        shown(stored["overall_percent"]),
        # Never rounded across the cut-off that decided the type (docs/scoring.md).
        formatting.dimension_value(shown(stored["capability_percent"]), float(version.capability_cutoff)),
        formatting.dimension_value(shown(stored["legacy_percent"]), float(version.legacy_cutoff)),
        type_,
        title,
        heading,
    )


@dataclass(frozen=True)
class RespondentAction:
    """An action as a respondent sees it: no owner, no description, no notes, no capabilities."""

    title: str
    status: str
    status_label: str
    due_on: datetime.date
    scope: str  # "" for the respondent's own department; a department above it; or the whole organisation
    whole_organisation: bool = False


def list_respondent_actions(round: Round, department_id: int | None) -> list[RespondentAction]:
    """The actions the organisation decided in response to this closed round for the respondent's
    department (``department_id``, from their personal invitation): the department's own, those of the
    departments above it (an action is for its department with every unit under it) and the organisation-
    wide ones; never another department's, never a unit's below it, no dropped ones. Nothing without a
    department (an open link) or for a round that is not closed. Two queries."""
    if department_id is None or round.status != Round.Status.CLOSED:
        return []
    parents = dict(
        Department.objects.filter(organisation_id=round.organisation_id).values_list("pk", "parent_id")
    )
    if department_id not in parents:
        return []
    chain = [department_id]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    actions = (
        Action.objects.filter(organisation_id=round.organisation_id, round=round)
        .exclude(status=Action.Status.DROPPED)
        .filter(Q(department__isnull=True) | Q(department_id__in=chain))
        .select_related("department")
        .only("title", "status", "due_on", "department_id", "department__name")
    )
    labels = dict(Action.Status.choices)
    shown = [
        RespondentAction(
            title=a.title,
            status=a.status,
            status_label=str(labels.get(a.status, a.status)),
            due_on=a.due_on,
            scope=(
                ""
                if a.department_id == department_id
                else (a.department.name if a.department is not None else "")
            ),
            whole_organisation=a.department_id is None,
        )
        for a in actions
    ]
    # Their own department's first, then those from above, then the whole organisation's; by due date.
    return sorted(shown, key=lambda a: (a.whole_organisation, a.scope != "", a.due_on, a.title))

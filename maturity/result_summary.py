"""What a respondent sees of a closed round's results on the pages that end the survey: the organisation's
overall figures from its stored results, or nothing when fewer than k answered. Read through the
``round_results`` template tag, so that the respondent pages (surveys) need no import of maturity."""

from __future__ import annotations

from dataclasses import dataclass

from surveys.models import Round, TypeDescription

from .selectors import SUPPRESSED, get_round_results


@dataclass
class ResultSummary:
    responses: int
    overall: float | None
    capability: float | None
    legacy: float | None
    type: str | None
    type_title: str = ""


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

    title = ""
    type_ = shown(stored["type"])
    if type_:
        description = TypeDescription.objects.filter(version_id=round.questionnaire_id, type=type_).first()
        title = description.title if description else ""
    return ResultSummary(
        stored["n_respondents"],
        shown(stored["overall_percent"]),
        shown(stored["capability_percent"]),
        shown(stored["legacy_percent"]),
        type_,
        title,
    )

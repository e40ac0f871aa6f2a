"""``{% round_result_summary round as results %}``: a closed round's overall figures for the respondent's
closing pages (``maturity.result_summary``); None for a round that is not closed.
``{% round_department_actions round department_id as actions %}``: the actions decided in response to the
closed round for the respondent's department (from their personal invitation); empty without one."""

from __future__ import annotations

from django import template

from surveys.models import Round

from ..result_summary import (
    RespondentAction,
    ResultSummary,
    get_round_result_summary,
    list_respondent_actions,
)

register = template.Library()


@register.simple_tag
def round_result_summary(round_: Round | None) -> ResultSummary | None:
    if round_ is None or round_.status != Round.Status.CLOSED:
        return None
    return get_round_result_summary(round_)


@register.simple_tag
def round_department_actions(round_: Round | None, department_id: int | None) -> list[RespondentAction]:
    if round_ is None or department_id is None:
        return []
    return list_respondent_actions(round_, department_id)

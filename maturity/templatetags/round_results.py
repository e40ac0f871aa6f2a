"""``{% round_result_summary round as results %}``: a closed round's overall figures for the respondent's
closing pages (``maturity.result_summary``); None for a round that is not closed."""

from __future__ import annotations

from django import template

from surveys.models import Round

from ..result_summary import ResultSummary, get_round_result_summary

register = template.Library()


@register.simple_tag
def round_result_summary(round_: Round | None) -> ResultSummary | None:
    if round_ is None or round_.status != Round.Status.CLOSED:
        return None
    return get_round_result_summary(round_)

"""Display of dashboard figures: Swedish-style numbers (``12,5 %``), "för få svar" for suppressed values."""

from __future__ import annotations

from django import template
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from maturity.selectors import SUPPRESSED
from reports import charts

register = template.Library()


def _decimal() -> str:
    return get_format("DECIMAL_SEPARATOR")


def display_value(value, kind: str = "percent") -> str:
    """One figure as text: percent ``12,5 %``, percentage points ``+3,2 p.e.``, sd ``1,23``, share as a
    percent, numbers as they are; ``–`` for undefined and "för få svar" for suppressed values."""
    if value == SUPPRESSED:
        return _("too few responses")
    if value is None or value == "":
        return "–"
    if kind == "percent":
        return charts.format_percent(value, decimal=_decimal())
    if kind == "share":
        return charts.format_percent(value * 100, decimal=_decimal())
    if kind == "pp":
        sign = "+" if value > 0.05 else ("−" if value < -0.05 else "±")
        return _("%(value)s pp") % {"value": sign + charts.format_number(abs(value), decimal=_decimal())}
    if kind == "sd":
        return charts.format_number(value, 2, decimal=_decimal())
    return str(value)


@register.filter
def pct(value) -> str:
    return display_value(value, "percent")


@register.filter
def pp(value) -> str:
    return display_value(value, "pp")


@register.filter
def cell(value, kind: str = "percent") -> str:
    """A table cell; ``kind`` "mixed" takes a (kind, value) pair."""
    if kind == "mixed" and isinstance(value, tuple | list):
        kind, value = value
    return display_value(value, kind)


@register.filter
def sort_value(value, kind: str = "percent"):
    """A value the sortable table orders by (suppressed and undefined last)."""
    if kind == "mixed" and isinstance(value, tuple | list):
        kind, value = value
    if value is None or value == SUPPRESSED:
        return ""
    if isinstance(value, int | float):
        return f"{value:.6f}"
    return str(value)


@register.filter
def is_suppressed(value) -> bool:
    if isinstance(value, tuple | list):
        value = value[1]
    return value == SUPPRESSED


@register.filter
def zip_kinds(row, kinds):
    return list(zip(row, kinds, strict=False))


@register.filter
def pct_share(value) -> str:
    """A share 0–1 as a percent: ``0.2`` → ``20,0 %``."""
    return display_value(value, "share")


@register.filter
def num(value, decimals: int = 1) -> str:
    if value is None or value == SUPPRESSED:
        return display_value(value)
    return charts.format_number(value, int(decimals), decimal=_decimal())

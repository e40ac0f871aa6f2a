"""Number formats of the annual report in the report's language (dimios_web.formatting's rules, the same as
the dashboards'): ``47,3 %`` (a no-break space before the sign), ``+2,1`` percentage points, ``1 500``."""

from __future__ import annotations

from django import template

from dimios_web import localformat

register = template.Library()


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def pct(value) -> str:
    """A percent with one decimal, or a dash when the figure is not shown."""
    return localformat.percent(value) if _is_number(value) else "–"


@register.filter
def points(value) -> str:
    """A change in percentage points with its sign, e.g. ``+2,1``, ``−0,4`` or ``±0,0``; a dash when
    unknown."""
    return localformat.change(value) if _is_number(value) else "–"


@register.filter
def num(value) -> str:
    """A count, grouped (``1 500``); a dash when it is not a whole number (not shown)."""
    return localformat.integer(value) if isinstance(value, int) and not isinstance(value, bool) else "–"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None

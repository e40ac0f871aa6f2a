"""Number formats of the annual report, Swedish style by default: ``47,3 %`` (a no-break space before the
sign, as on the dashboards), ``+2,1`` percentage points."""

from __future__ import annotations

from django import template

from ..annual_figures import decimal_separator
from ..charts import format_number, format_percent

register = template.Library()


@register.filter
def pct(value) -> str:
    """A percent with one decimal, or a dash when the figure is not shown."""
    return format_percent(value, decimal=decimal_separator()) if isinstance(value, (int, float)) else "–"


@register.filter
def points(value) -> str:
    """A change in percentage points with its sign, e.g. ``+2,1`` or ``−0,4``; a dash when unknown."""
    if not isinstance(value, (int, float)):
        return "–"
    text = format_number(abs(value), decimal=decimal_separator())
    if text.strip("0,.") == "":
        return text
    return ("+" if value > 0 else "\u2212") + text


@register.filter
def num(value) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "–"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None

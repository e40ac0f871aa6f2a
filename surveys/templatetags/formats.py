"""Numbers and dates in templates, one way everywhere (docs/formatting.md): the rules of
``dimios_web.formatting`` in the page's language and local time (``dimios_web.localformat``).

``{{ round.opened_at|local_datetime }}`` → "12 oktober 2025 kl. 17.00"; ``{{ day|local_date }}`` →
"12 oktober 2025"; ``{{ moment|data_as_of }}`` → "data per 12 oktober 2025 kl. 17.00"; ``{{ n|integer }}``
→ "1 500"; ``{{ x|percent }}`` → "78,6 %"; ``{{ d|change }}`` → "−2,5". An empty value gives "–"."""

from __future__ import annotations

import datetime

from django import template

from dimios_web import formatting, localformat

register = template.Library()


def _moment(value):
    """A date or datetime, or the ISO text of one (stored summaries keep them as text)."""
    if isinstance(value, str) and value:
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@register.filter
def local_date(value) -> str:
    value = _moment(value)
    return localformat.date(value) if isinstance(value, datetime.date) else "–"


@register.filter
def local_datetime(value) -> str:
    value = _moment(value)
    if isinstance(value, datetime.datetime):
        return localformat.date_time(value)
    return localformat.date(value) if isinstance(value, datetime.date) else "–"


@register.filter
def data_as_of(value) -> str:
    value = _moment(value)
    return localformat.as_of(value) if isinstance(value, datetime.date) else "–"


@register.filter
def integer(value) -> str:
    return localformat.integer(value) if _is_number(value) else "–"


@register.filter
def percent(value, decimals: int = 1) -> str:
    return localformat.percent(value, int(decimals)) if _is_number(value) else "–"


@register.filter
def change(value, decimals: int = 1) -> str:
    return localformat.change(value, int(decimals)) if _is_number(value) else "–"


@register.filter
def period_label(code) -> str:
    """A period's code ``2026-HT`` as people say it: ``HT 2026``."""
    return formatting.period_from_code(code) if code else "–"

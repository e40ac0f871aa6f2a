"""The formatting rules of ``dimios_web.formatting`` in the request's language and the local time zone
(settings.TIME_ZONE, Europe/Stockholm): what templates (the ``formats`` template library), views, e-mails
and exports call. Pure rules live in ``dimios_web.formatting``; this module only supplies the language and
converts moments to local time (docs/formatting.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language

from . import formatting


def language() -> str:
    return get_language() or "sv"


def decimal_separator() -> str:
    return formatting.decimal_separator(language())


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware moment in the local time zone (a naive one is taken to be local already)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def number(value: float | int | Decimal | None, decimals: int = 1) -> str:
    return formatting.number(value, decimals, language=language())


def integer(value: int | float | Decimal | None) -> str:
    return formatting.integer(value, language=language())


def percent(value: float | int | Decimal | None, decimals: int = 1) -> str:
    return formatting.percent(value, decimals, language=language())


def ratio(numerator: int, denominator: int, decimals: int = 1) -> str:
    return formatting.ratio(numerator, denominator, decimals, language=language())


def change(value: float | int | Decimal | None, decimals: int = 1) -> str:
    return formatting.change(value, decimals, language=language())


def dimension(value: float | None, cutoff: float, decimals: int = 1) -> str:
    return formatting.dimension(value, cutoff, decimals, language=language())


def date(value: datetime.date | None) -> str:
    if isinstance(value, datetime.datetime):
        value = local(value)
    return formatting.date(value, language=language())


def date_time(value: datetime.datetime | None) -> str:
    return formatting.date_time(None if value is None else local(value), language=language())


def as_of(value: datetime.datetime | datetime.date | None) -> str:
    if isinstance(value, datetime.datetime):
        value = local(value)
    return formatting.as_of(value, language=language())

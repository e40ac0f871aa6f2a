"""Numbers and dates, one way everywhere (issue 17, docs/formatting.md): every page, table, chart, e-mail,
report and export that writes a figure or a date as text calls this module. Pure Python on Babel's CLDR
data, no Django import: the pure chart module (``reports.charts``) uses it too, so the caller passes the
language ("sv", "en") and, for times, an aware datetime already in the local time zone
(``dimios_web.localformat`` does both for templates and views).

The rules (each has a test in tests/core/test_formatting.py):

- Rounding happens only here, when a figure is shown, half away from zero on the figure's shortest decimal
  form: 78.55 → "78,6", −2.25 → "−2,3" (Python's own ``f"{x:.1f}"`` rounds the binary value and Babel
  rounds half to even; both would show 2.25 as "2,2"). A figure that rounds to zero is shown without a sign:
  never "−0,0".
- Negative numbers carry the real minus sign U+2212 in both languages (CLDR's Swedish sign; in English it
  is the typographic minus, and screen readers read it as "minus").
- Thousands are grouped with a no-break space in Swedish (CLDR: "1 500") and a comma in English; integers
  (counts, years) never get decimals. Ids, codes and URLs never go through here: they are written as plain
  ``str(int)``. CSV files get :func:`plain_number` (ASCII minus, no grouping) so that a spreadsheet reads
  them as numbers; XLSX cells stay numbers with a number format (``dimios_web.spreadsheets``).
- Percent: "78,6 %" (a no-break space) in Swedish, "78.6%" in English, per CLDR.
- A change in percentage points: "+2,1", "−2,5" and "±0,0" for a change that rounds to zero.
- A dimension figure next to its type (:func:`dimension_value`): the shown figure never crosses the
  cut-off that decided the type. 49.999 against the cut-off 50 is type A/B's side and shown as "49,9 %",
  never "50,0 %"; a figure at or above the cut-off is never shown below it (docs/scoring.md).
- Dates: "12 oktober 2025" / "12 October 2025"; times in local time, Swedish "kl. 17.00" (Språkrådet's
  style, a full stop between hours and minutes), English "12 October 2025, 17:00" (24 hours: unambiguous).
- A measurement period is "HT 2026" / "VT 2026", never its code "2026-HT" (the code stays in URLs and files).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from babel import dates as babel_dates
from babel import numbers as babel_numbers

MINUS = "\u2212"
NBSP = "\u00a0"
DASH = "–"  # a figure that is undefined or not given

# The Babel locale of each interface language: English is British English (day before month, 24 hours).
LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def babel_locale(language: str | None) -> str:
    """``"sv"``, ``"sv-se"``, ``"en-us"`` … → the Babel locale used for it (Swedish when unknown)."""
    code = (language or "sv").lower().replace("_", "-").split("-")[0]
    return LOCALES.get(code, LOCALES["sv"])


def is_english(language: str | None) -> bool:
    return babel_locale(language) == LOCALES["en"]


def decimal_separator(language: str | None) -> str:
    return babel_numbers.get_decimal_symbol(babel_locale(language))


def round_half_away(value: float | int | Decimal, decimals: int = 1) -> Decimal:
    """The figure rounded for display: half away from zero on its shortest decimal form (``repr``), so
    2.25 → 2.3 and −2.25 → −2.3; never a negative zero."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded == 0 else rounded


def _digits(value: Decimal, decimals: int, language: str | None, *, group: bool) -> str:
    """The absolute value in the language's digits (grouped or not), exactly ``decimals`` decimals."""
    pattern = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals else "")
    return babel_numbers.format_decimal(
        value.copy_abs(), format=pattern, locale=babel_locale(language), group_separator=group
    )


def number(
    value: float | int | Decimal | None, decimals: int = 1, *, language: str | None = "sv", group: bool = True
) -> str:
    """``12.46`` → ``"12,5"`` (``"12.5"`` in English), ``-3.25`` → ``"−3,3"``, ``-0.04`` → ``"0,0"``;
    ``None`` → ``"–"``."""
    if value is None:
        return DASH
    rounded = round_half_away(value, decimals)
    return (MINUS if rounded < 0 else "") + _digits(rounded, decimals, language, group=group)


def plain_number(value: float | int | Decimal | None, decimals: int = 1, *, decimal: str = ",") -> str:
    """A figure for a CSV file that a spreadsheet reads as a number: rounded as :func:`number`, the ASCII
    hyphen-minus, no grouping, the file's decimal separator (the dashboards' CSV: a comma for Swedish
    Excel; the open data: a point). ``-2.25`` → ``"-2,3"``, ``1500.0`` → ``"1500,0"``, ``None`` → ``""``."""
    if value is None:
        return ""
    rounded = round_half_away(value, decimals)
    return f"{rounded:.{decimals}f}".replace(".", decimal)


def integer(value: int | float | Decimal | None, *, language: str | None = "sv", group: bool = True) -> str:
    """A count or a year: ``1500`` → ``"1 500"`` (a no-break space; ``"1,500"`` in English), never with
    decimals (``2026.0`` → ``"2026"``). Years pass ``group=False``: ``2026`` → ``"2026"``."""
    if value is None:
        return DASH
    return number(value, 0, language=language, group=group)


def year(value: int | None) -> str:
    """``2026`` → ``"2026"``: a year is never grouped nor given decimals."""
    return DASH if value is None else str(int(value))


def percent(value: float | int | Decimal | None, decimals: int = 1, *, language: str | None = "sv") -> str:
    """A figure already in percent (0–100): ``78.571`` → ``"78,6 %"`` in Swedish, ``"78.6%"`` in English
    (CLDR's percent patterns). ``None`` → ``"–"``."""
    if value is None:
        return DASH
    text = number(value, decimals, language=language)
    return f"{text}%" if is_english(language) else f"{text}{NBSP}%"


def ratio(numerator: int, denominator: int, decimals: int = 1, *, language: str | None = "sv") -> str:
    """``numerator`` of ``denominator`` as a percent: 11 of 14 → ``"78,6 %"``; ``"–"`` when there is no
    denominator. The division is exact (Decimal), so the rounding is the one of :func:`percent`."""
    if not denominator:
        return DASH
    return percent(Decimal(numerator) * 100 / Decimal(denominator), decimals, language=language)


def change(value: float | int | Decimal | None, decimals: int = 1, *, language: str | None = "sv") -> str:
    """A change (percentage points) with its sign: ``"+2,1"``, ``"−2,5"``, and ``"±0,0"`` for a change that
    rounds to zero (−0.04 included). ``None`` → ``"–"``."""
    if value is None:
        return DASH
    rounded = round_half_away(value, decimals)
    sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "±")
    return sign + _digits(rounded, decimals, language, group=True)


def dimension_value(value: float | None, cutoff: float, decimals: int = 1) -> float | None:
    """The figure of a dimension (capability, legacy) as it may be shown next to the type the cut-off
    decided (maturity.scoring.maturity_type: high when ``value >= cutoff``). The figure itself, unless its
    rounding would carry it across the cut-off: then the last step below the cut-off (49.999 → 49.9 with
    the cut-off 50) or the first step at or above it. Selectors pass figures through this before a page,
    a chart or a table shows them, so the number, the dot in the matrix and the type agree."""
    if value is None:
        return None
    rounded = round_half_away(value, decimals)
    step = Decimal(1).scaleb(-decimals)
    limit = Decimal(repr(float(cutoff)))
    if value < cutoff and rounded >= limit:
        below = limit.quantize(step, rounding=ROUND_CEILING) - step
        return float(min(below, Decimal(repr(float(value))).quantize(step, rounding=ROUND_FLOOR)))
    if value >= cutoff and rounded < limit:
        return float(limit.quantize(step, rounding=ROUND_CEILING))
    return value


def dimension(value: float | None, cutoff: float, decimals: int = 1, *, language: str | None = "sv") -> str:
    """A dimension figure next to its type, as a percent: 49.999 with the cut-off 50 → ``"49,9 %"``."""
    return percent(dimension_value(value, cutoff, decimals), decimals, language=language)


def date(value: datetime.date | None, *, language: str | None = "sv") -> str:
    """``"12 oktober 2025"`` / ``"12 October 2025"``; a datetime gives its own date (convert it to local
    time first). ``None`` → ``"–"``."""
    if value is None:
        return DASH
    if isinstance(value, datetime.datetime):
        value = value.date()
    return babel_dates.format_date(value, "d MMMM y", locale=babel_locale(language))


def time(value: datetime.datetime | datetime.time, *, language: str | None = "sv") -> str:
    """``"17.00"`` in Swedish, ``"17:00"`` in English (24 hours)."""
    return value.strftime("%H.%M" if not is_english(language) else "%H:%M")


def date_time(value: datetime.datetime | None, *, language: str | None = "sv") -> str:
    """A moment already in local time: ``"12 oktober 2025 kl. 17.00"`` / ``"12 October 2025, 17:00"``."""
    if value is None:
        return DASH
    if is_english(language):
        return f"{date(value, language=language)}, {time(value, language=language)}"
    return f"{date(value, language=language)} kl. {time(value, language=language)}"


def as_of(value: datetime.datetime | datetime.date | None, *, language: str | None = "sv") -> str:
    """The "data as of" phrase: ``"data per 12 oktober 2025 kl. 17.00"`` / ``"data as of 12 October 2025,
    17:00"``; a date alone gives ``"data per 12 oktober 2025"``."""
    if value is None:
        return DASH
    if isinstance(value, datetime.datetime):
        text = date_time(value, language=language)
    else:
        text = date(value, language=language)
    return f"data as of {text}" if is_english(language) else f"data per {text}"


def period(year_value: int, term: str) -> str:
    """A measurement period as people say it: ``"HT 2026"``, ``"VT 2026"`` (never its code ``2026-HT``).
    HT and VT are the Swedish terms; the English pages use them too (docs/swedish.md)."""
    return f"{term} {year(year_value)}"


def period_from_code(code: str) -> str:
    """A period's code as stored in files and summaries, ``"2026-HT"`` → ``"HT 2026"``; anything else is
    returned as it is."""
    year_text, _, term = str(code).partition("-")
    if year_text.isdigit() and term in ("HT", "VT"):
        return period(int(year_text), term)
    return str(code)

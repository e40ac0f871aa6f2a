"""The benchmark file format, version 1 (docs/benchmark-format.md): published figures of organisations that
are not on this instance, as CSV (UTF-8, "," or ";") or JSON, parsed into typed records.

Every line (CSV) or record (JSON) is checked and every problem collected with where it is (``Problem``),
so that the person importing can fix the whole file at once; the file is refused as a whole
(``BenchmarkFileRejected``) when it has any. No database access here: what the checks need to know about
this instance (counties, municipalities, its own organisations, the questionnaire codes) comes in as a
``Reference``. Cells are text and nothing else: a cell that looks like a spreadsheet formula is a name
like any other, or not a number."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError

FORMAT_NAME = "dimios-benchmarks"
FORMAT_VERSION = 1
MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_RECORDS = 100_000
# Problems kept (and shown) at most; the count says how many there were in all.
MAX_PROBLEMS = 1_000

KINDS = ("municipality", "region", "agency")
KINDS_WITH_COUNTY = ("municipality", "region")
HEADLINE_FIGURES = ("overall", "capability", "legacy")
PART_PREFIXES = ("dimension", "category", "capability")
IDENTITY_COLUMNS = (
    "organisation_code",
    "organisation_name",
    "kind",
    "county_code",
    "period",
    "n_respondents",
    "source",
)
REQUIRED_COLUMNS = IDENTITY_COLUMNS + HEADLINE_FIGURES
RECORD_KEYS = set(IDENTITY_COLUMNS) | {"figures"}
MAX_CODE_CHARS = 20
MAX_NAME_CHARS = 200
MAX_SOURCE_CHARS = 200
MAX_RESPONDENTS = 10_000_000

PERIOD_RE = re.compile(r"^([12][0-9]{3})-(VT|HT)$")
COUNTY_RE = re.compile(r"^[0-9]{2}$")
INTEGER_RE = re.compile(r"^[0-9]+$")
DECIMAL_POINT_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
DECIMAL_POINT_OR_COMMA_RE = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")

MAX_FIGURES = 1_000_000  # records × figures
MAX_COLUMNS = 400
MAX_CELL_CHARS = 400
MAX_LINE_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS * 2 + 3) + 2
# Physical lines of a CSV file, empty ones and those inside quoted cells included.
MAX_LINES = 2 * MAX_RECORDS + 1_000


@dataclass(frozen=True)
class Reference:
    """What the checks need to know about this instance."""

    county_codes: frozenset[str]
    # The 290 SCB municipality codes, each with its county's code.
    municipality_counties: Mapping[str, str]
    # Codes of this instance's own organisations: their rounds already count.
    local_organisation_codes: frozenset[str]
    # Per prefix ("dimension", "category", "capability") the codes of the questionnaires on this instance.
    part_codes: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class BenchmarkRecord:
    """One organisation × period of one source. ``figures`` has the headline figures ("overall",
    "capability", "legacy") and the parts ("dimension:<code>", …) that the file gives a column or key for;
    None: not known or suppressed."""

    organisation_code: str
    organisation_name: str
    kind: str
    county_code: str | None
    year: int
    term: str
    n_respondents: int
    source: str
    figures: dict[str, float | None]
    line: int | None = None  # CSV: the line in the file (the header is line 1)
    index: int | None = None  # JSON: the record's index in "records", from 0

    @property
    def period_code(self) -> str:
        return f"{self.year}-{self.term}"


@dataclass(frozen=True)
class Problem:
    """One problem of a file, with where it is: a CSV line, a JSON record's index, or the whole file."""

    message: str
    line: int | None = None
    index: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return _("Line %(line)s: %(problem)s") % {"line": self.line, "problem": self.message}
        if self.index is not None:
            return _("records[%(index)s]: %(problem)s") % {"index": self.index, "problem": self.message}
        return self.message


class BenchmarkFileRejected(DomainError):
    """The file cannot be imported; ``problems`` lists the reasons (at most ``MAX_PROBLEMS``),
    ``n_problems`` counts them all. Nothing is imported."""

    def __init__(self, problems: list[Problem], n_problems: int | None = None):
        self.problems = problems[:MAX_PROBLEMS]
        self.n_problems = n_problems if n_problems is not None else len(problems)
        super().__init__(
            _("The file was not imported: %(count)s problem(s) found. Nothing was saved.")
            % {"count": self.n_problems}
        )

    @property
    def messages(self) -> list[str]:
        """Each problem as a sentence, with its line or record; a last one when some were left out."""
        texts = [str(problem) for problem in self.problems]
        if self.n_problems > len(self.problems):
            texts.append(
                _("… and %(count)s more problem(s).") % {"count": self.n_problems - len(self.problems)}
            )
        return texts


def _reject(message: str) -> BenchmarkFileRejected:
    return BenchmarkFileRejected([Problem(message)])


class _Problems:
    """The problems found so far: all counted, the first ``MAX_PROBLEMS`` kept."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0

    def add(self, message: str, *, line: int | None = None, index: int | None = None) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(message, line=line, index=index))

    def raise_if_any(self) -> None:
        if self.count:
            raise BenchmarkFileRejected(self.kept, self.count)


# --- The file as a whole ----------------------------------------------------------------------------------


def detect_format(content: bytes, file_name: str) -> str:
    """ "csv" or "json", from the file's name and its first bytes; refuses anything else."""
    name = (file_name or "").lower()
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    if extension not in ("", "csv", "txt", "json"):
        raise _reject(_("The file must be a CSV file (.csv) or a JSON file (.json)."))
    if content[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(content)):
        raise _reject(
            _("This looks like an Excel workbook or another zip file. Save the sheet as “CSV UTF-8”.")
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _reject(
            _(
                "The file is not UTF-8 text but UTF-16 (Excel's “Unicode text”). Save it as “CSV UTF-8” "
                "and try again."
            )
        )
    if b"\x00" in content:
        raise _reject(_("The file contains binary data. Upload a CSV or JSON file in UTF-8."))
    if extension == "json":
        return "json"
    if extension in ("csv", "txt"):
        return "csv"
    return "json" if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" else "csv"


def decode_utf8(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _reject(
            _(
                "The file is not UTF-8 text (an unreadable byte at position %(position)s). Save it as "
                "“CSV UTF-8” or as JSON in UTF-8 and try again."
            )
            % {"position": error.start}
        ) from None


def parse_benchmark_file(content: bytes, *, file_name: str, reference: Reference) -> list[BenchmarkRecord]:
    """The records of a benchmark file, or ``BenchmarkFileRejected`` with every problem found."""
    if len(content) > MAX_FILE_BYTES:
        raise _reject(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_FILE_BYTES // MB}
        )
    if not content.strip():
        raise _reject(_("The file is empty."))
    kind = detect_format(content, file_name)
    text = decode_utf8(content)
    if kind == "json":
        return parse_json(text, reference=reference)
    return parse_csv(text, reference=reference)


# --- Cells and values ------------------------------------------------------------------------------------


class _Checker:
    """The checks shared by CSV lines and JSON records."""

    def __init__(self, reference: Reference, problems: _Problems) -> None:
        self.reference = reference
        self.problems = problems
        self.seen: dict[tuple[str, str, str], str] = {}

    def figure_name_problem(self, name: str) -> str | None:
        """Why ``name`` is not a figure of the format (None: it is one)."""
        if name in HEADLINE_FIGURES:
            return None
        prefix, separator, code = name.partition(":")
        if not separator or prefix not in PART_PREFIXES or not code:
            return _(
                "“%(name)s” is not a column of the format. Figures are overall, capability, legacy and "
                "dimension:<code>, category:<code> or capability:<code>."
            ) % {"name": name}
        if code not in self.reference.part_codes.get(prefix, frozenset()):
            return _("“%(code)s” is not a %(level)s code of the questionnaire (column “%(name)s”).") % {
                "code": code,
                "level": _level_name(prefix),
                "name": name,
            }
        return None

    def record(
        self,
        values: Mapping[str, Any],
        figures: dict[str, float | None],
        *,
        line: int | None = None,
        index: int | None = None,
        where: str,
    ) -> BenchmarkRecord | None:
        """A record from its checked identity ``values`` (text, or numbers from JSON) and its figures;
        None when a problem was added. ``where`` names the record's first occurrence for a duplicate."""
        ok = True

        def problem(message: str) -> None:
            nonlocal ok
            ok = False
            self.problems.add(message, line=line, index=index)

        code = _text(values.get("organisation_code"))
        name = _text(values.get("organisation_name"))
        kind = _text(values.get("kind"))
        county = _text(values.get("county_code"))
        period = _text(values.get("period"))
        source = _text(values.get("source"))
        if not code:
            problem(_("The organisation code is missing."))
        elif len(code) > MAX_CODE_CHARS:
            problem(
                _("The organisation code “%(code)s” is longer than %(max)s characters.")
                % {"code": code[:40], "max": MAX_CODE_CHARS}
            )
        elif code in self.reference.local_organisation_codes:
            problem(
                _(
                    "%(code)s is an organisation on this instance: its own rounds already count in the "
                    "comparisons, so it cannot be imported as well."
                )
                % {"code": code}
            )
        if not name:
            problem(_("The organisation name is missing."))
        elif len(name) > MAX_NAME_CHARS:
            problem(_("The organisation name is longer than %(max)s characters.") % {"max": MAX_NAME_CHARS})
        if kind not in KINDS:
            problem(
                _("The kind “%(kind)s” is not one of municipality, region or agency.") % {"kind": kind}
                if kind
                else _("The kind is missing (municipality, region or agency).")
            )
        if county and not COUNTY_RE.match(county):
            problem(_("The county code “%(code)s” is not a two-digit SCB code.") % {"code": county})
        elif county and county not in self.reference.county_codes:
            problem(_("%(code)s is not a Swedish county code.") % {"code": county})
        elif not county and kind in KINDS_WITH_COUNTY:
            problem(_("The county code is missing (it is required for a municipality and a region)."))
        if kind == "municipality" and code and len(code) <= MAX_CODE_CHARS:
            municipality_county = self.reference.municipality_counties.get(code)
            if municipality_county is None:
                problem(
                    _("%(code)s is not a Swedish municipality code (the four-digit SCB code, e.g. 0580).")
                    % {"code": code}
                )
            elif county in self.reference.county_codes and municipality_county != county:
                problem(
                    _("The municipality %(code)s is in county %(expected)s, not %(county)s.")
                    % {"code": code, "expected": municipality_county, "county": county}
                )
        match = PERIOD_RE.match(period)
        if not match:
            problem(
                _("The period “%(period)s” is not a period code like 2026-VT or 2026-HT.")
                % {"period": period}
                if period
                else _("The period is missing (a period code like 2026-HT).")
            )
        # In CSV a cell of digits; in JSON a number (the text "54" is refused like 54.5).
        n = _respondents(values.get("n_respondents"), text=line is not None)
        if n is None:
            problem(
                _("The number of respondents “%(value)s” is not a positive whole number.")
                % {"value": _text(values.get("n_respondents"))[:40]}
            )
        if not source:
            problem(_("The source is missing."))
        elif len(source) > MAX_SOURCE_CHARS:
            problem(_("The source is longer than %(max)s characters.") % {"max": MAX_SOURCE_CHARS})
        if ok and match:
            key = (code, period, source)
            if key in self.seen:
                problem(
                    _("%(code)s %(period)s from “%(source)s” is already in the file (%(first)s).")
                    % {"code": code, "period": period, "source": source, "first": self.seen[key]}
                )
            else:
                self.seen[key] = where
        if not ok or match is None or n is None:
            return None
        return BenchmarkRecord(
            organisation_code=code,
            organisation_name=name,
            kind=kind,
            county_code=county or None,
            year=int(match.group(1)),
            term=match.group(2),
            n_respondents=n,
            source=source,
            figures=figures,
            line=line,
            index=index,
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _respondents(value: Any, *, text: bool) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not text:
        number = value
    elif text and isinstance(value, str) and INTEGER_RE.match(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_RESPONDENTS else None


def _level_name(prefix: str) -> str:
    return {"dimension": _("dimension"), "category": _("category"), "capability": _("capability")}[prefix]


def _percent_problem(value: float) -> str | None:
    if not math.isfinite(value) or not 0 <= value <= 100:
        return _("%(value)s is not a percent between 0 and 100.") % {"value": _format_number(value)}
    return None


def _format_number(value: float) -> str:
    return f"{value:g}"


# --- CSV -------------------------------------------------------------------------------------------------


def _csv_delimiter(text: str) -> str:
    start = len(text) - len(text.lstrip())  # the first non-empty line, without splitting the whole text
    end = text.find("\n", start)
    header = text[start : end if end >= 0 else len(text)]
    if header.count("\t") > max(header.count(","), header.count(";")):
        raise _reject(_("The file is separated by tabs. Separate the columns by commas or semicolons."))
    return ";" if header.count(";") > header.count(",") else ","


def _csv_lines(text: str):
    """The physical lines, each checked for its length before the csv module splits it (a line of millions
    of separators would otherwise become millions of cells)."""
    start, number, end_of_text = 0, 0, len(text)
    while start < end_of_text:
        number += 1
        if number > MAX_LINES:
            raise _reject(
                _("The file has more than %(max)s lines; split it into smaller files.") % {"max": MAX_LINES}
            )
        end = text.find("\n", start)
        end = end_of_text - 1 if end < 0 else end
        if end - start + 1 > MAX_LINE_CHARS:
            raise _reject(
                _("Line %(line)s is longer than %(max)s characters.")
                % {"line": number, "max": MAX_LINE_CHARS}
            )
        yield text[start : end + 1]
        start = end + 1


def _csv_rows(text: str, delimiter: str):
    """(line, cells) of every non-empty row, read one at a time within the limits."""
    reader = csv.reader(_csv_lines(text), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                raise _reject(
                    _("Line %(line)s has more than %(max)s columns.")
                    % {"line": reader.line_num, "max": MAX_COLUMNS}
                )
            if any(len(cell) > MAX_CELL_CHARS for cell in cells):
                raise _reject(
                    _("A cell on line %(line)s is longer than %(max)s characters.")
                    % {"line": reader.line_num, "max": MAX_CELL_CHARS}
                )
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as error:
        raise _reject(
            _("The file is not valid CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None


def parse_csv(text: str, *, reference: Reference) -> list[BenchmarkRecord]:
    delimiter = _csv_delimiter(text)
    if "\x00" in text:
        raise _reject(_("The file contains binary data. Upload a CSV or JSON file in UTF-8."))
    rows = _csv_rows(text, delimiter)
    first = next(rows, None)
    if first is None:
        raise _reject(_("The file is empty."))
    problems = _Problems()
    header_line, header = first
    columns = [cell.strip() for cell in header]
    checker = _Checker(reference, problems)
    for position, name in enumerate(columns):
        if not name:
            problems.add(_("Column %(number)s has no name.") % {"number": position + 1}, line=header_line)
        elif columns.index(name) != position:
            problems.add(_("The column “%(name)s” appears twice.") % {"name": name}, line=header_line)
        elif name not in IDENTITY_COLUMNS:
            message = checker.figure_name_problem(name)
            if message:
                problems.add(message, line=header_line)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.add(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            line=header_line,
        )
    problems.raise_if_any()
    figure_columns = [(i, name) for i, name in enumerate(columns) if name not in IDENTITY_COLUMNS]
    number_re = DECIMAL_POINT_OR_COMMA_RE if delimiter == ";" else DECIMAL_POINT_RE
    records: list[BenchmarkRecord] = []
    n_rows = 0
    for line, cells in rows:
        n_rows += 1
        _check_size(n_rows, len(figure_columns))
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            problems.add(
                _("The line has %(cells)s cells but the header has %(columns)s columns.")
                % {"cells": len(cells), "columns": len(columns)},
                line=line,
            )
            continue
        cells = cells + [""] * (len(columns) - len(cells))
        values = {name: cells[i] for i, name in enumerate(columns) if name in IDENTITY_COLUMNS}
        figures: dict[str, float | None] = {}
        bad_figure = False
        for i, name in figure_columns:
            cell = cells[i].strip()
            if not cell:
                figures[name] = None
                continue
            if not number_re.match(cell):
                bad_figure = True
                if delimiter == ";":
                    message = _("%(column)s: “%(value)s” is not a number (a percent between 0 and 100).")
                else:
                    message = _(
                        "%(column)s: “%(value)s” is not a number (a percent between 0 and 100, with a "
                        "decimal point in a comma-separated file)."
                    )
                problems.add(message % {"column": name, "value": cell[:40]}, line=line)
                continue
            value = float(cell.replace(",", "."))
            message = _percent_problem(value)
            if message:
                bad_figure = True
                problems.add(_("%(column)s: %(problem)s") % {"column": name, "problem": message}, line=line)
                continue
            figures[name] = value
        record = checker.record(values, figures, line=line, where=_("line %(line)s") % {"line": line})
        if record is not None and not bad_figure:
            records.append(record)
    if not n_rows:
        problems.add(_("The file has a header but no records."), line=header_line)
    problems.raise_if_any()
    return records


def _check_size(n_records: int, n_figures: int) -> None:
    """Refuse a file beyond the limits as soon as it is known to be (before reading the rest)."""
    if n_records > MAX_RECORDS:
        raise _reject(
            _("The file has more than %(max)s records; split it into smaller files.") % {"max": MAX_RECORDS}
        )
    if n_records * max(n_figures, 1) > MAX_FIGURES:
        raise _reject(
            _("The file has more than %(max)s figures; split it into smaller files.") % {"max": MAX_FIGURES}
        )


# --- JSON ------------------------------------------------------------------------------------------------


def _json_constant(name: str) -> float:
    raise ValueError(name)  # NaN and Infinity are not JSON


def parse_json(text: str, *, reference: Reference) -> list[BenchmarkRecord]:
    try:
        data = json.loads(text, parse_constant=_json_constant)
    except (ValueError, RecursionError) as error:
        if isinstance(error, json.JSONDecodeError):
            raise _reject(
                _("The file is not valid JSON (line %(line)s, column %(column)s: %(error)s).")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ) from None
        raise _reject(_("The file is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise _reject(_("The file must be a JSON object with “format”, “version” and “records”."))
    if data.get("format") != FORMAT_NAME:
        raise _reject(_("The file's “format” must be “%(format)s”.") % {"format": FORMAT_NAME})
    if data.get("version") != FORMAT_VERSION or isinstance(data.get("version"), bool):
        raise _reject(
            _("The file's format version is %(found)s; this instance reads version %(version)s.")
            % {"found": _text(data.get("version"))[:20] or "–", "version": FORMAT_VERSION}
        )
    unknown_top = sorted(set(data) - {"format", "version", "source", "records"})
    if unknown_top:
        raise _reject(
            _("Unknown keys in the file: %(keys)s.")
            % {"keys": ", ".join(str(key)[:40] for key in unknown_top[:10])}
        )
    default_source = data.get("source")
    if default_source is not None and not isinstance(default_source, str):
        raise _reject(_("The file's “source” must be text."))
    raw_records = data.get("records")
    if not isinstance(raw_records, list):
        raise _reject(_("The file's “records” must be a list of records."))
    _check_size(len(raw_records), 1)
    if not raw_records:
        raise _reject(_("The file has no records."))
    problems = _Problems()
    checker = _Checker(reference, problems)
    records: list[BenchmarkRecord] = []
    n_figures = 0
    for index, raw in enumerate(raw_records):
        if not isinstance(raw, dict):
            problems.add(_("A record must be a JSON object."), index=index)
            continue
        ok = True
        unknown = sorted(str(key) for key in set(raw) - RECORD_KEYS)
        if unknown:
            ok = False
            problems.add(
                _("Unknown keys: %(keys)s.") % {"keys": ", ".join(k[:40] for k in unknown[:10])}, index=index
            )
        values: dict[str, Any] = {}
        for key in IDENTITY_COLUMNS:
            value = raw.get(key)
            if key != "n_respondents" and value is not None and not isinstance(value, str):
                ok = False
                problems.add(_("“%(key)s” must be text.") % {"key": key}, index=index)
                value = None
            values[key] = value
        if values.get("source") is None:
            values["source"] = default_source
        figures = _json_figures(raw.get("figures"), checker=checker, problems=problems, index=index)
        if figures is None:
            ok = False
            figures = {}
        n_figures += len(figures)
        if n_figures > MAX_FIGURES:
            _check_size(1, n_figures)
        record = checker.record(values, figures, index=index, where=f"records[{index}]")
        if record is not None and ok:
            records.append(record)
    problems.raise_if_any()
    return records


def _json_figures(
    raw: Any, *, checker: _Checker, problems: _Problems, index: int
) -> dict[str, float | None] | None:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add(_("“figures” must be a JSON object of figure names and percents."), index=index)
        return None
    figures: dict[str, float | None] = dict.fromkeys(HEADLINE_FIGURES)
    ok = True
    for name, value in raw.items():
        message = checker.figure_name_problem(name)
        if message:
            ok = False
            problems.add(message, index=index)
            continue
        if value is None:
            figures[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            ok = False
            problems.add(
                _("%(figure)s: the percent must be a number or null.") % {"figure": name}, index=index
            )
            continue
        message = _percent_problem(float(value))
        if message:
            ok = False
            problems.add(_("%(column)s: %(problem)s") % {"column": name, "problem": message}, index=index)
            continue
        figures[name] = float(value)
    return figures if ok else None


__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HEADLINE_FIGURES",
    "KINDS",
    "MAX_FILE_BYTES",
    "MAX_RECORDS",
    "REQUIRED_COLUMNS",
    "BenchmarkFileRejected",
    "BenchmarkRecord",
    "Problem",
    "Reference",
    "parse_benchmark_file",
]

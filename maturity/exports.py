"""Stored results as files (JSON and CSV), from ``selectors.get_round_results`` – so the anonymity rules
are already applied: a suppressed figure is written as "suppressed", never silently left out."""

from __future__ import annotations

import io
import json

from dimios_web.spreadsheets import csv_writer

from .selectors import SUPPRESSED

CSV_COLUMNS = ["organisation", "period", "scope", "scope_key", "name", "level", "code", "value"]
SCOPE_LISTS = (("organisation", None), ("departments", None), ("groups", None), ("department_groups", None))


def results_as_json(results: dict) -> str:
    return json.dumps(results, ensure_ascii=False, indent=2)


def _value(value, *, decimals: int | None = 1) -> str:
    if value == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return ""
    if isinstance(value, float) and decimals is not None:
        return f"{value:.{decimals}f}"
    return str(value)


def iter_scopes(results: dict):
    yield results["organisation"]
    for name in ("departments", "groups", "department_groups"):
        yield from results[name]


def results_as_csv(results: dict) -> str:
    """One line per figure: respondents, type, overall, and the percent of each dimension, category and
    capability of each scope. Percentages are rounded to one decimal, as displayed."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")  # formula-safe cells (dimios_web/spreadsheets.py)
    writer.writerow(CSV_COLUMNS)
    org = results["round"]["organisation"]
    period = results["round"]["period"]
    for scope in iter_scopes(results):
        base = [org, period, scope["scope"], scope["key"], scope["name"]]
        writer.writerow([*base, "respondents", "", _value(scope["n_respondents"])])
        writer.writerow([*base, "type", "", _value(scope["type"])])
        writer.writerow([*base, "overall", "", _value(scope["overall_percent"])])
        for level, singular in (
            ("dimensions", "dimension"),
            ("categories", "category"),
            ("capabilities", "capability"),
        ):
            parts = scope[level]
            if parts == SUPPRESSED:
                codes = (
                    sorted(results["organisation"][level])
                    if results["organisation"][level] != SUPPRESSED
                    else []
                )
                for code in codes:
                    writer.writerow([*base, singular, code, SUPPRESSED])
                continue
            for code, part in parts.items():
                writer.writerow(
                    [*base, singular, code, _value(part if part == SUPPRESSED else part["percent"])]
                )
    return out.getvalue()

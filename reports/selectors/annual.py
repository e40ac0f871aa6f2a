"""Reads for the annual report: everything the report says, as plain data, with the anonymity rules applied
(the stored results are read through ``maturity.selectors``, which suppresses on read).

``get_report_content(organisation=…, year=…)`` is the one entry point: the HTML page, the PDF (printed from
the HTML) and the XLSX are all made from its result, so the three formats always say the same thing.

The year's figures are those of the organisation's latest round of the calendar year that has stored
results (HT when there is one, otherwise VT); "change from last year" compares with the latest such round
of the year before. Both rounds of the year are listed in the method section.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maturity import scoring
from maturity.models import Capability, Category, Dimension, RoundResult, TypeDescription
from maturity.selectors import SUPPRESSED, get_comparison, get_round_results
from maturity.suppression import effective_k
from surveys.models import Organisation, Round
from surveys.selectors_rounds import get_response_rates

from ..models import Conclusion, ReportJob

SECTIONS = (
    "summary",
    "matrix",
    "categories",
    "departments",
    "groups",
    "method",
    "conclusions",
    "actions",
)
COMPARISON_BASES = ("national", "county", "kind")
STRONGEST_COUNT = 3


class NoResults(Exception):
    """The organisation has no stored results for the year: there is nothing to report."""


def section_titles() -> dict[str, str]:
    return {
        "summary": _("Summary"),
        "matrix": _("The maturity matrix"),
        "categories": _("Categories and capabilities"),
        "departments": _("Departments"),
        "groups": _("Respondent groups"),
        "method": _("Response rates and method"),
        "conclusions": _("Conclusions and recommendations"),
        "actions": _("Improvement actions"),
    }


def basis_labels() -> dict[str, str]:
    return {
        "national": _("All organisations"),
        "county": _("Same county"),
        "kind": _("Same kind of organisation"),
    }


# --- Rounds and fingerprint -----------------------------------------------------------------------------


def list_year_rounds(*, organisation: Organisation, year: int) -> list[Round]:
    """The organisation's closed rounds of the calendar year that have stored results, oldest first."""
    return list(
        Round.objects.filter(
            organisation=organisation,
            period__year=year,
            status=Round.Status.CLOSED,
            results__scope=RoundResult.Scope.ORGANISATION,
        )
        .select_related("period", "questionnaire")
        .order_by("period__starts_on")
        .distinct()
    )


def list_report_years(*, organisation: Organisation) -> list[int]:
    """Calendar years with stored results, newest first."""
    return sorted(
        set(
            Round.objects.filter(organisation=organisation, results__scope=RoundResult.Scope.ORGANISATION)
            .values_list("period__year", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def compute_fingerprint(*, organisation: Organisation, year: int) -> tuple[str, dict]:
    """What a report of this organisation and year is built from: the rounds of the year and the year
    before (data_changed_at, results computed_at), the comparison data of those periods and the
    conclusions. Any change gives another fingerprint: a report built earlier is then outdated."""
    rounds = list(
        Round.objects.filter(organisation=organisation, period__year__in=[year - 1, year])
        .select_related("period")
        .annotate(results_at=Max("results__computed_at"))
        .order_by("period__starts_on")
    )
    period_ids = [r.period_id for r in rounds if r.period.year == year]
    comparison = RoundResult.objects.filter(
        scope=RoundResult.Scope.ORGANISATION, round__period_id__in=period_ids
    ).aggregate(last=Max("computed_at"), changed=Max("round__data_changed_at"))
    conclusions = Conclusion.objects.filter(organisation=organisation, year=year).aggregate(
        last=Max("updated_at")
    )
    n_conclusions = Conclusion.objects.filter(organisation=organisation, year=year).count()
    summary = {
        "rounds": [
            {
                "id": r.pk,
                "period": r.period.code,
                "status": r.status,
                "data_changed_at": r.data_changed_at.isoformat(),
                "results_computed_at": r.results_at.isoformat() if r.results_at else None,
            }
            for r in rounds
        ],
        "comparison_computed_at": comparison["last"].isoformat() if comparison["last"] else None,
        "comparison_changed_at": comparison["changed"].isoformat() if comparison["changed"] else None,
        "conclusions_changed_at": conclusions["last"].isoformat() if conclusions["last"] else None,
        "n_conclusions": n_conclusions,
    }
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    return digest, summary


def is_outdated(job: ReportJob) -> bool:
    if job.state != ReportJob.State.DONE or not job.fingerprint:
        return False
    current, _summary = compute_fingerprint(organisation=job.organisation, year=job.year)
    return current != job.fingerprint


# --- Content --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    dimensions: dict
    categories: dict
    capabilities: dict
    category_of: dict
    dimension_of: dict
    dimension_kind: dict


def _names(version_id: int) -> Names:
    dimensions = list(Dimension.objects.filter(version_id=version_id))
    categories = list(Category.objects.filter(version_id=version_id).select_related("dimension"))
    capabilities = list(Capability.objects.filter(version_id=version_id).select_related("category"))
    return Names(
        dimensions={d.code: d.name for d in dimensions},
        categories={c.code: c.name for c in categories},
        capabilities={c.code: c.name for c in capabilities},
        category_of={c.code: c.category.code for c in capabilities},
        dimension_of={c.code: c.dimension.code for c in categories},
        dimension_kind={d.code: d.kind for d in dimensions},
    )


def _shown(value):
    return None if value == SUPPRESSED else value


def _part_percent(parts, code):
    if parts == SUPPRESSED or not isinstance(parts, dict):
        return None
    part = parts.get(code)
    if part is None or part == SUPPRESSED:
        return None
    return part.get("percent")


def _positions(*, organisation: Organisation, round_: Round, overall: float | None) -> dict[str, dict | None]:
    """Rank of the organisation's overall maturity among the organisations of each comparison set that have
    a shown figure in the same period (1 = highest); None when the set is too small (fewer than 5 others)."""
    from maturity.selectors import MIN_COMPARISON_ORGANISATIONS

    if overall is None:
        return dict.fromkeys(COMPARISON_BASES)
    rows = list(
        RoundResult.objects.filter(
            scope=RoundResult.Scope.ORGANISATION,
            round__period=round_.period,
            round__status=Round.Status.CLOSED,
            overall_percent__isnull=False,
        )
        .exclude(round__organisation=organisation)
        .select_related("questionnaire")
        .values_list(
            "overall_percent",
            "n_respondents",
            "questionnaire__k_anonymity",
            "round__organisation__county_id",
            "round__organisation__kind",
        )
    )
    rows = [r for r in rows if r[1] >= effective_k(r[2])]
    positions: dict[str, dict | None] = {}
    for basis in COMPARISON_BASES:
        if basis == "county":
            others = [r[0] for r in rows if organisation.county_id and r[3] == organisation.county_id]
        elif basis == "kind":
            others = [r[0] for r in rows if r[4] == organisation.kind]
        else:
            others = [r[0] for r in rows]
        if len(others) < MIN_COMPARISON_ORGANISATIONS:
            positions[basis] = None
            continue
        rank = 1 + sum(1 for value in others if value is not None and value > overall)
        positions[basis] = {"rank": rank, "of": len(others) + 1}
    return positions


def _strongest_weakest(capabilities: dict, names: Names, count: int = STRONGEST_COUNT) -> tuple[list, list]:
    shown = [
        (code, part["percent"])
        for code, part in (capabilities.items() if isinstance(capabilities, dict) else [])
        if part != SUPPRESSED and part.get("percent") is not None
    ]
    ordered = sorted(shown, key=lambda item: (-item[1], item[0]))
    as_rows = [{"code": c, "name": names.capabilities.get(c, c), "percent": p} for c, p in ordered]
    strongest = as_rows[:count]
    weakest = list(reversed(as_rows[-count:])) if len(as_rows) > count else list(reversed(as_rows))
    return strongest, weakest


def _rates(round_: Round) -> dict:
    # The report is written for the whole organisation (it is ordered by an organisation admin or
    # management, who see all of it); the rounds app's selector applies the anonymity rules.
    rates = get_response_rates(round_, visible=None)

    def row(r):
        return {
            "name": r.label,
            "depth": r.depth,
            "invited": r.invited,
            "submitted": r.submitted,
            "rate": r.rate_value,
            "suppressed": r.hidden,
            # 1 … k − 1 submitted: "färre än k" and the rate as a band, never the count.
            "fewer_than_k": r.fewer_than_k,
            "submitted_text": r.submitted_display,
            "rate_text": r.rate,
        }

    return {
        "anonymous": rates.anonymous,
        "total": row(rates.total),
        "departments": [row(r) for r in rates.departments],
        "groups": [row(r) for r in rates.groups],
        "open_link_responses": rates.open_link_responses,
    }


def _scope_figures(view: dict) -> dict:
    return {
        "name": view["name"],
        "n": _shown(view["n_respondents"]),
        "overall": _shown(view["overall_percent"]),
        "capability": _shown(view["capability_percent"]),
        "legacy": _shown(view["legacy_percent"]),
        "type": _shown(view["type"]),
        "suppressed": view["suppressed"],
    }


def _delta(now, before):
    if now is None or before is None:
        return None
    return now - before


def get_report_content(*, organisation: Organisation, year: int, progress=None) -> dict:
    """The whole report as plain data (numbers unformatted; None where a figure is not shown).

    ``progress(section)`` is called as each section is gathered. Raises ``NoResults`` when the
    organisation has no stored results in the year."""
    from reports.services.conclusions import render_markdown

    def step(section):
        if progress is not None:
            progress(section)

    rounds = list_year_rounds(organisation=organisation, year=year)
    if not rounds:
        raise NoResults
    main_round = rounds[-1]
    results = get_round_results(round_id=main_round.pk)
    if results is None:  # cannot happen: list_year_rounds lists only rounds with stored results
        raise NoResults
    previous_rounds = list_year_rounds(organisation=organisation, year=year - 1)
    previous = get_round_results(round_id=previous_rounds[-1].pk) if previous_rounds else None
    version = main_round.questionnaire
    names = _names(version.pk)
    org_view = results["organisation"]
    org = _scope_figures(org_view)
    comparisons = {
        basis: get_comparison(organisation=organisation, period=main_round.period, basis=basis)
        for basis in COMPARISON_BASES
    }
    types = {t.type: t for t in TypeDescription.objects.filter(version=version)}
    type_row = types.get(org["type"]) if org["type"] else None
    prev_org = _scope_figures(previous["organisation"]) if previous else None

    # 1. Summary
    step("summary")
    summary = {
        **org,
        "type_title": type_row.title if type_row else "",
        "type_description": type_row.description if type_row else "",
        "previous_period": str(previous_rounds[-1].period) if previous else None,
        "change": {
            key: _delta(org[key], prev_org[key] if prev_org else None)
            for key in ("overall", "capability", "legacy")
        },
        "comparisons": [
            {
                "basis": basis,
                "label": basis_labels()[basis],
                "n_organisations": comparison["n_organisations"] if comparison else None,
                "overall": comparison["overall_percent"] if comparison else None,
                "capability": comparison["capability_percent"] if comparison else None,
                "legacy": comparison["legacy_percent"] if comparison else None,
            }
            for basis, comparison in comparisons.items()  # in the order of COMPARISON_BASES
        ],
        "positions": _positions(organisation=organisation, round_=main_round, overall=org["overall"]),
    }

    # 2. Matrix
    step("matrix")
    points = []
    if org["capability"] is not None and org["legacy"] is not None:
        points.append({"name": organisation.name, "kind": "organisation", **_xy(org)})
    for dept in results["departments"]:
        if dept["depth"] == 0 and not dept["suppressed"]:
            figures = _scope_figures(dept)
            if figures["capability"] is not None and figures["legacy"] is not None:
                points.append({"name": dept["name"], "kind": "department", **_xy(figures)})
    for row in summary["comparisons"]:
        if row["capability"] is not None and row["legacy"] is not None:
            points.append(
                {
                    "name": row["label"],
                    "kind": "comparison",
                    "capability": row["capability"],
                    "legacy": row["legacy"],
                }
            )
    matrix = {
        "points": points,
        "capability_cutoff": float(version.capability_cutoff),
        "legacy_cutoff": float(version.legacy_cutoff),
    }

    # 3. Categories and capabilities
    step("categories")

    def comparison_parts(level, code):
        return {b: (c[level].get(code) if (c := comparisons[b]) else None) for b in COMPARISON_BASES}

    categories = [
        {
            "code": code,
            "name": name,
            "dimension": names.dimensions.get(names.dimension_of.get(code), ""),
            "percent": _part_percent(org_view["categories"], code),
            "previous": _part_percent(previous["organisation"]["categories"], code) if previous else None,
            **comparison_parts("categories", code),
        }
        for code, name in names.categories.items()
    ]
    capabilities = [
        {
            "code": code,
            "name": name,
            "category": names.categories.get(names.category_of.get(code), ""),
            "percent": _part_percent(org_view["capabilities"], code),
            "previous": _part_percent(previous["organisation"]["capabilities"], code) if previous else None,
            **comparison_parts("capabilities", code),
        }
        for code, name in names.capabilities.items()
    ]
    strongest, weakest = _strongest_weakest(org_view["capabilities"], names)

    # 4. Departments
    step("departments")
    previous_departments = {d["department_id"]: d for d in previous["departments"]} if previous else {}
    departments = []
    section_number = SECTIONS.index("departments") + 1
    for index, dept in enumerate(results["departments"]):
        figures = _scope_figures(dept)
        before = previous_departments.get(dept["department_id"])
        before_figures = _scope_figures(before) if before else None
        d_strongest, d_weakest = (
            _strongest_weakest(dept["capabilities"], names) if not dept["suppressed"] else ([], [])
        )
        departments.append(
            {
                **figures,
                "anchor": f"department-{index}",
                "chart_id": f"chart-department-{index}",
                "heading": f"{section_number}.{index + 1} {dept['name']}",
                "depth": dept["depth"],
                "type_title": types[figures["type"]].title if figures["type"] in types else "",
                "strongest": d_strongest,
                "weakest": d_weakest,
                "change": {
                    key: _delta(figures[key], before_figures[key] if before_figures else None)
                    for key in ("overall", "capability", "legacy")
                },
            }
        )

    # 5. Respondent groups
    step("groups")
    gaps = _group_gaps(results)
    group_rows = [_scope_figures(g) for g in results["groups"]]
    shown_groups = [g for g in results["groups"] if not g["suppressed"]]
    group_capabilities = {
        "groups": [g["name"] for g in shown_groups],
        "rows": [
            {
                "code": code,
                "name": name,
                "values": [_part_percent(g["capabilities"], code) for g in shown_groups],
            }
            for code, name in names.capabilities.items()
        ],
    }
    gap_rows = sorted(
        (
            {
                "code": code,
                "name": names.capabilities.get(code, code),
                "highest": gap["highest"],
                "highest_percent": gap["percents"].get(gap["highest"]),
                "lowest": gap["lowest"],
                "lowest_percent": gap["percents"].get(gap["lowest"]),
                "gap": gap["gap"],
            }
            for code, gap in gaps.items()
            if gap["gap"] is not None
        ),
        key=lambda row: (-row["gap"], row["code"]),
    )

    # 6. Response rates and method
    step("method")
    method = {
        "rounds": [
            {
                "period": str(r.period),
                "code": r.period.code,
                "first_day": date_format(r.first_day, "SHORT_DATE_FORMAT"),
                "last_day": date_format(r.last_day, "SHORT_DATE_FORMAT"),
                "source": r.get_source_display(),
                "anonymous": r.anonymous,
                "questionnaire": r.questionnaire.name,
                "n_respondents": _round_respondents(r, results if r == main_round else None),
                "rates": _rates(r),
            }
            for r in rounds
        ],
        "main_period": str(main_round.period),
        "questionnaire": version.name,
        "questionnaire_code": version.code,
        "k": results["k"],
        "capability_cutoff": float(version.capability_cutoff),
        "legacy_cutoff": float(version.legacy_cutoff),
    }

    # 7. Conclusions
    step("conclusions")
    written = [
        {"number": c.number, "title": c.title, "body": c.body, "html": render_markdown(c.body)}
        for c in Conclusion.objects.filter(organisation=organisation, year=year).order_by("number")
    ]
    conclusions = {
        "written": written,
        "general_recommendations": type_row.recommendations if (type_row and not written) else "",
        "type": org["type"],
        "type_title": type_row.title if type_row else "",
    }

    # 8. Improvement actions: the action-plan feature does not exist yet.
    step("actions")
    actions = {"available": False, "items": []}

    return {
        "organisation": {
            "name": organisation.name,
            "code": organisation.code,
            "kind": organisation.get_kind_display(),
            "county": organisation.county.name if organisation.county is not None else "",
        },
        "year": year,
        "period": str(main_round.period),
        "k": results["k"],
        "summary": summary,
        "matrix": matrix,
        "categories": categories,
        "capabilities": capabilities,
        "strongest": strongest,
        "weakest": weakest,
        "departments": departments,
        "groups": group_rows,
        "group_gaps": gap_rows,
        "group_capabilities": group_capabilities,
        "method": method,
        "conclusions": conclusions,
        "actions": actions,
    }


def _group_gaps(results: dict) -> dict[str, dict]:
    """``maturity.selectors.get_group_gaps`` computed from results already read (reading a large
    organisation's results with the anonymity rules takes seconds; the report does it once per round)."""
    by_group = {
        group["name"]: {
            code: (part["percent"], part["n"])
            for code, part in group["capabilities"].items()
            if part != SUPPRESSED
        }
        for group in results["groups"]
        if not group["suppressed"]
    }
    return {code: gap.as_dict() for code, gap in scoring.group_gaps(by_group, min_n=results["k"]).items()}


def _round_respondents(round_: Round, results: dict | None) -> int | None:
    results = results or get_round_results(round_id=round_.pk)
    return _shown(results["organisation"]["n_respondents"]) if results else None


def _xy(figures: dict) -> dict:
    return {"capability": figures["capability"], "legacy": figures["legacy"]}


def report_toc(content: dict) -> list[dict]:
    """The table of contents: the numbered sections and, under "Departments", each department. ``text`` is
    the heading exactly as printed (the PDF engine finds its page by it)."""
    titles = section_titles()
    toc = []
    for number, section in enumerate(SECTIONS, start=1):
        toc.append({"id": f"section-{section}", "text": f"{number}. {titles[section]}", "level": 1})
        if section == "departments":
            for department in content["departments"]:
                toc.append({"id": department["anchor"], "text": department["heading"], "level": 2})
    return toc


# --- Jobs -----------------------------------------------------------------------------------------------


def get_latest_jobs(*, organisation: Organisation, year: int, language: str) -> dict:
    """The job being built (if any) and the latest finished one, for the report page."""
    jobs = ReportJob.objects.filter(organisation=organisation, year=year, language=language).select_related(
        "ordered_by"
    )
    active = jobs.filter(state__in=ReportJob.ACTIVE_STATES).first()
    done = jobs.filter(state=ReportJob.State.DONE).order_by("-finished_at", "-pk").first()
    failed = jobs.filter(state=ReportJob.State.FAILED).order_by("-finished_at", "-pk").first()
    if failed and done and (done.finished_at or done.ordered_at) > (failed.finished_at or failed.ordered_at):
        failed = None
    return {"active": active, "done": done, "failed": failed}

"""Reads for the annual report around its content: its sections, the rounds and years it is made of, the
fingerprint that tells whether a finished report is outdated, and its jobs. The content itself (what the
report says) is ``reports.selectors.report_content``."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from maturity.models import BenchmarkSource, RoundResult
from maturity.selectors_actions import visible_actions
from surveys.access import Visibility
from surveys.models import ComparisonNetwork, Organisation, Round

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
    before (data_changed_at, results computed_at), the comparison data of those periods (the other
    organisations' results, which of them share, the imported benchmark data), the comparison sets the
    organisation admin chose with its networks, and the conclusions. Any change gives another fingerprint: a
    report built earlier is then outdated. Also the actions of section 8 and the later rounds that follow
    them up."""
    # The rounds of the year and the year before, and the later ones (where section 8's actions may be
    # followed up), in one query.
    all_rounds = list(
        Round.objects.filter(organisation=organisation, period__year__gte=year - 1)
        .select_related("period")
        .annotate(results_at=Max("results__computed_at"))
        .order_by("period__starts_on")
    )
    rounds = [r for r in all_rounds if r.period.year <= year]
    period_ids = [r.period_id for r in rounds if r.period.year == year]
    comparison = RoundResult.objects.filter(
        scope=RoundResult.Scope.ORGANISATION, round__period_id__in=period_ids
    ).aggregate(last=Max("computed_at"), changed=Max("round__data_changed_at"))
    conclusions = Conclusion.objects.filter(organisation=organisation, year=year).aggregate(
        last=Max("updated_at"), n=Count("pk")
    )
    benchmarks = BenchmarkSource.objects.aggregate(last=Max("imported_at"), n=Count("pk"))
    networks = [
        [network.pk, network.name, sorted(member.pk for member in network.members.all())]
        for network in ComparisonNetwork.objects.filter(organisation=organisation)
        .prefetch_related("members")
        .order_by("pk")
    ]
    # The actions section 8 lists (report_content.list_report_actions: any change to one bumps its
    # updated_at) and, when there are any, the later rounds they may be followed up in.
    actions = (
        visible_actions(organisation, Visibility.everything())
        .filter(round__period__year__in=[year - 1, year])
        .aggregate(last=Max("updated_at"), n=Count("pk"))
    )
    later = [r for r in all_rounds if r.period.year > year and r.status == Round.Status.CLOSED]
    not_sharing = sorted(Organisation.objects.filter(shares_comparisons=False).values_list("pk", flat=True))
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
        "n_conclusions": conclusions["n"],
        "report_sets": organisation.report_comparison_sets,
        "networks": networks,
        "not_sharing": not_sharing,
        "benchmarks_imported_at": benchmarks["last"].isoformat() if benchmarks["last"] else None,
        "n_benchmark_sources": benchmarks["n"],
        "actions_changed_at": actions["last"].isoformat() if actions["last"] else None,
        "n_actions": actions["n"],
        "followup_rounds": (
            [[r.pk, r.results_at.isoformat() if r.results_at else None] for r in later]
            if actions["n"]
            else []
        ),
    }
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    return digest, summary


def is_outdated(job: ReportJob) -> bool:
    if job.state != ReportJob.State.DONE or not job.fingerprint:
        return False
    current, _summary = compute_fingerprint(organisation=job.organisation, year=job.year)
    return current != job.fingerprint


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

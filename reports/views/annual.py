"""The annual report pages: order it (organisation admin, management), follow its build, download it (PDF,
XLSX) or read it as a web page, write the year's conclusions (organisation admin); a platform admin orders
every organisation's report for a year at once.

Thin: scope to the user, bind a form, call one service, redirect or render."""

from __future__ import annotations

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dimios_web.exceptions import DomainError, add_domain_error_to_form
from surveys.access import ADMIN, READERS, OrganisationAccess, organisation_view
from surveys.scoping import get_scope

from ..forms.annual import ConclusionForm, OrderAllReportsForm, OrderReportForm
from ..markdown import render_markdown
from ..models import Conclusion, ReportJob
from ..selectors import annual as selectors_annual
from ..services import building, conclusions, downloads, jobs

WRITERS = ADMIN
FORMATS = {
    "pdf": ("pdf_file", "application/pdf"),
    "xlsx": ("xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _language(request) -> str:
    language = request.GET.get("lang") or request.POST.get("language") or get_language() or "sv"
    return language[:2] if language[:2] in ("sv", "en") else "sv"


def _status_context(access: OrganisationAccess, year: int, language: str) -> dict:
    organisation = access.organisation
    latest = selectors_annual.get_latest_jobs(organisation=organisation, year=year, language=language)
    done = latest["done"]
    return {
        "organisation": organisation,
        "year": year,
        "language": language,
        "active": latest["active"],
        "done": done,
        "failed": latest["failed"],
        "outdated": selectors_annual.is_outdated(done) if done else False,
        "titles": selectors_annual.section_titles(),
        "steps": [*selectors_annual.SECTIONS, *building.OUTPUT_STEPS],
        "can_order": access.has_role(READERS),
    }


@organisation_view(READERS, methods=("GET",))
def report_overview(request, access: OrganisationAccess, year=None):
    organisation = access.organisation
    years = selectors_annual.list_report_years(organisation=organisation)
    if year is None:
        if years:
            return redirect("reports:annual_report", org=organisation.code, year=years[0])
        return render(request, "reports/report_overview.html", {"organisation": organisation, "years": []})
    if year not in years:
        raise Http404
    language = _language(request)
    context = _status_context(access, year, language)
    context.update(
        {
            "years": years,
            "order_form": OrderReportForm(initial={"language": language}),
            "conclusions": Conclusion.objects.filter(organisation=organisation, year=year).order_by("number"),
            "can_write": access.has_role(WRITERS),
        }
    )
    return render(request, "reports/report_overview.html", context)


@organisation_view(READERS, methods=("GET",))
def report_status(request, access: OrganisationAccess, year):
    """The build's state, as a fragment the overview page polls while a build is queued or running."""
    context = _status_context(access, year, _language(request))
    return render(request, "reports/_report_status.html", context)


@organisation_view(READERS, methods=("POST",))
def report_order(request, access: OrganisationAccess, year):
    organisation = access.organisation
    form = OrderReportForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else _language(request)
    try:
        outcome = jobs.order_report(
            organisation=organisation, year=year, language=language, actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if not outcome.created:
            messages.info(request, _("This report is already being built; no second build was started."))
        elif outcome.queued is False:
            messages.warning(
                request,
                _(
                    "The report is ordered and queued. The build queue cannot be reached just now; nothing "
                    "is lost: the report is built automatically when the queue is back."
                ),
            )
        else:
            messages.success(request, _("The report is ordered and queued."))
    return redirect(_overview_url(organisation.code, year, language))


def _overview_url(code: str, year: int, language: str) -> str:
    return f"{reverse('reports:annual_report', kwargs={'org': code, 'year': year})}?lang={language}"


def _job(access: OrganisationAccess, pk) -> ReportJob:
    job = (
        ReportJob.objects.filter(organisation=access.organisation, pk=pk)
        .select_related("organisation", "ordered_by")
        .first()
    )
    if job is None:
        raise Http404
    return job


@organisation_view(READERS, methods=("POST",))
def report_retry(request, access: OrganisationAccess, pk):
    job = _job(access, pk)
    try:
        outcome = jobs.retry_report(job=job, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if outcome.queued is False:
            messages.warning(
                request,
                _(
                    "The report is queued again. The build queue cannot be reached just now; it starts when "
                    "the queue is back."
                ),
            )
        else:
            messages.success(request, _("The report is queued again."))
    return redirect(_overview_url(job.organisation.code, job.year, job.language))


@organisation_view(READERS, methods=("GET",))
def report_download(request, access: OrganisationAccess, pk, fmt):
    job = _job(access, pk)
    if fmt not in FORMATS or job.state != ReportJob.State.DONE:
        raise Http404
    field, content_type = FORMATS[fmt]
    name = getattr(job, field).name
    handle = building.open_stored(name)
    if handle is None:
        raise Http404
    downloads.record_report_download(job=job, file_format=fmt, actor=request.user)
    filename = posixpath.basename(name)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@organisation_view(READERS, methods=("GET",))
def report_page(request, access: OrganisationAccess, pk):
    """The finished report as a web page with interactive charts (the same content as its PDF)."""
    job = _job(access, pk)
    if job.state != ReportJob.State.DONE:
        raise Http404
    content = building.load_content(job)
    if content is None:
        raise Http404
    downloads.record_report_download(job=job, file_format="html", actor=request.user)
    with translation.override(job.language):  # the whole page in the report's language
        return render(
            request,
            "reports/report_page.html",
            {"job": job, "organisation": job.organisation, **building.report_context(content)},
        )


@organisation_view(WRITERS, methods=("GET", "POST"))
def conclusion_edit(request, access: OrganisationAccess, year, number=None):
    organisation = access.organisation
    conclusion = None
    if number is not None:
        conclusion = Conclusion.objects.filter(organisation=organisation, year=year, number=number).first()
        if conclusion is None:
            raise Http404
    form = ConclusionForm(request.POST or None, instance=conclusion)
    if request.method == "POST" and form.is_valid():
        try:
            conclusions.save_conclusion(
                organisation=organisation,
                year=year,
                number=number,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The conclusion is saved."))
            return redirect("reports:annual_report", org=organisation.code, year=year)
    return render(
        request,
        "reports/report_conclusion_form.html",
        {
            "organisation": organisation,
            "year": year,
            "form": form,
            "conclusion": conclusion,
            "preview": render_markdown(form["body"].value() or "") if request.method == "POST" else "",
        },
    )


@organisation_view(WRITERS, methods=("POST",))
def conclusion_delete(request, access: OrganisationAccess, year, number):
    organisation = access.organisation
    conclusion = Conclusion.objects.filter(organisation=organisation, year=year, number=number).first()
    if conclusion is None:
        raise Http404
    conclusions.delete_conclusion(conclusion=conclusion, actor=request.user)
    messages.success(request, _("The conclusion is deleted."))
    return redirect("reports:annual_report", org=organisation.code, year=year)


@login_required
@require_http_methods(["GET", "POST"])
def report_order_all(request):
    """A platform admin orders every organisation's report for a year in one go."""
    if not get_scope(request.user).is_platform_admin:
        raise PermissionDenied
    form = OrderAllReportsForm(request.POST or None, initial={"language": _language(request)})
    if request.method == "POST" and form.is_valid():
        outcomes = jobs.order_all_reports(
            year=form.cleaned_data["year"], language=form.cleaned_data["language"], actor=request.user
        )
        created = sum(1 for o in outcomes if o.created)
        messages.success(
            request,
            _("%(created)d reports ordered; %(running)d were already being built.")
            % {"created": created, "running": len(outcomes) - created},
        )
        return redirect("reports:annual_report_all")
    recent = ReportJob.objects.filter(batch__isnull=False).select_related("organisation", "ordered_by")[:200]
    return render(request, "reports/report_order_all.html", {"form": form, "jobs": recent})

"""Staff pages of the maturity app: the responses import (upload, preview, confirm), the results
downloads, a round's own page with its response rates (the results' anonymity rule, ``maturity.rates``),
and closing a round (which freezes its results). Views are thin: scope to the user, bind a form, call one
service, redirect or render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError, add_domain_error_to_form
from surveys.access import ADMIN, READERS, VIEWERS, OrganisationAccess, organisation_view
from surveys.audit_texts import describe
from surveys.forms.common import ConfirmForm
from surveys.forms.rounds import ClosingDateForm, ReminderScheduleForm
from surveys.selectors import rounds as selectors_rounds
from surveys.services.tabular import Table

from . import rates, selectors
from .exports import results_as_csv, results_as_json
from .forms import MAX_IMPORT_BYTES, ImportConfirmForm, ResponseImportForm
from .services import closing
from .services.downloads import record_results_download
from .services.response_import import ImportRejected, import_responses, plan_import

DOWNLOADERS = READERS
SESSION_KEY = "maturity_response_import"


@organisation_view(DOWNLOADERS)
def results_list(request, access: OrganisationAccess):
    organisation = access.organisation
    rounds = selectors.list_result_rounds(organisation=organisation)
    can_import = access.is_admin
    return render(
        request,
        "maturity/results_list.html",
        {"organisation": organisation, "rounds": rounds, "can_import": can_import},
    )


@organisation_view(DOWNLOADERS)
def results_download(request, access: OrganisationAccess, period, fmt):
    organisation = access.organisation
    if fmt not in ("csv", "json"):
        raise Http404
    round_ = selectors.get_round(organisation=organisation, period_code=period)
    if round_ is None:
        raise Http404
    results = selectors.get_round_results(round_id=round_.pk)
    if results is None:
        raise Http404
    record_results_download(round_=round_, actor=request.user, file_format=fmt)
    filename = f"dimios-{organisation.code}-{round_.period.code}.{fmt}"
    if fmt == "csv":
        response = HttpResponse("\ufeff" + results_as_csv(results), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(results_as_json(results), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored_upload(request, organisation) -> dict | None:
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("organisation") != organisation.code:
        return None
    return stored


@organisation_view(ADMIN, methods=("GET", "POST"))
def response_import(request, access: OrganisationAccess):
    organisation = access.organisation
    context: dict[str, Any] = {"organisation": organisation}
    if request.method == "POST" and request.POST.get("step") == "confirm":
        stored = _stored_upload(request, organisation)
        confirm = ImportConfirmForm(request.POST)
        if stored is None:
            messages.error(request, _("The uploaded file has expired. Upload it again."))
            return redirect("maturity:response_import", org=organisation.code)
        if confirm.is_valid():
            try:
                summary = import_responses(
                    organisation_code=organisation.code,
                    period_code=stored["period"],
                    version_code=stored["version"],
                    table=Table.from_json(stored["table"]),  # parsed once, at upload
                    replace=stored["replace"],
                    actor=request.user,
                    filename=stored["filename"],
                )
            except ImportRejected as error:
                context.update({"problems": error.problems, "form": ResponseImportForm()})
                return render(request, "maturity/response_import.html", context)
            del request.session[SESSION_KEY]
            messages.success(
                request,
                _("%(count)s responses were imported into %(round)s and the results computed.")
                % {"count": summary.n_responses, "round": summary.round},
            )
            return redirect("maturity:results_list", org=organisation.code)
        context.update({"confirm_form": confirm, "preview": stored})
        return render(request, "maturity/response_import.html", context)

    form = ResponseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)
        period_code = form.cleaned_data["period"].code
        version_code = form.cleaned_data["version"].code
        plan = plan_import(
            organisation_code=organisation.code,
            period_code=period_code,
            version_code=version_code,
            content=content,
            replace=form.cleaned_data["replace"],
        )
        if plan.problems:
            context.update({"form": form, "problems": plan.problems})
            return render(request, "maturity/response_import.html", context)
        preview = {
            "organisation": organisation.code,
            "period": period_code,
            "version": version_code,
            "replace": form.cleaned_data["replace"],
            "filename": form.cleaned_data["file"].name,
            "table": plan.table.as_json() if plan.table else {},
            "n_responses": len(plan.rows),
            "n_answers": plan.n_answers,
            "new_departments": plan.new_departments,
            "new_groups": plan.new_groups,
            "replaces": plan.existing_round is not None,
        }
        request.session[SESSION_KEY] = preview
        context.update({"preview": preview, "confirm_form": ImportConfirmForm()})
        return render(request, "maturity/response_import.html", context)
    context["form"] = form
    return render(request, "maturity/response_import.html", context)


# --- A round's own page and its closing (the paths stay among the round's: o/<org>/rounds/<pk>/…) ---------


def _round(access: OrganisationAccess, pk):
    return access.organisation, selectors_rounds.get_round_for(access.organisation, pk)


@organisation_view(VIEWERS)
def round_detail(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    is_admin = access.is_admin
    context = {
        "organisation": organisation,
        "round": round_,
        "is_admin": is_admin,
        "rates": rates.get_response_rates(round_, visible=access.visible_department_ids),
        "curve": rates.get_submission_curve(round_, visible=access.visible_department_ids),
    }
    if is_admin:
        context.update(
            send_counts=selectors_rounds.count_send_status(round_),
            reminder_runs=selectors_rounds.list_reminder_runs(round_),
            audit_events=[(event, describe(event)) for event in selectors_rounds.list_audit_events(round_)],
            schedule_form=ReminderScheduleForm(round=round_),
            closing_form=ClosingDateForm(round=round_),
            open_link_url=request.build_absolute_uri(
                reverse("surveys:respond_open", args=[round_.open_link_key])
            )
            if round_.open_link_enabled and round_.open_link_key
            else "",
        )
    return render(request, "surveys/round_detail.html", context)


@organisation_view(VIEWERS)
def round_rates(request, access: OrganisationAccess, pk):
    """The response-rate fragment, refreshed on the round page while the round is open."""
    organisation, round_ = _round(access, pk)
    return render(
        request,
        "surveys/_round_rates.html",
        {
            "organisation": organisation,
            "round": round_,
            "rates": rates.get_response_rates(round_, visible=access.visible_department_ids),
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def round_close(request, access: OrganisationAccess, pk):
    organisation, round_ = _round(access, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing.close_round(round=round_, actor=request.user)
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The round is closed and its results are stored."))
            return redirect("maturity:round_detail", org=round_.organisation.code, pk=round_.pk)
    return render(
        request,
        "surveys/round_confirm.html",
        {"organisation": organisation, "round": round_, "form": form, "action": "close"},
    )

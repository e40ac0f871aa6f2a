"""The action plans' pages (docs/actions.md): the overview with its coverage view and exports, an action
with its notes, recording and changing one, its status and its notes. Thin: the organisation and roles
come from ``organisation_view``, reads from ``maturity.selectors_actions`` given what may be seen, changes
through one service of ``maturity.services.actions``.

Every staff role reads (``VIEWERS``: a department representative their departments' and the
organisation-wide actions); the organisation admin and department representatives write (``WRITERS``),
a representative only their own departments' actions (``selectors_actions.writable_scope``). An action
that may not be read is a 404, one that may be read but not changed a 403."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError, add_domain_error_to_form
from dimios_web.spreadsheets import add_sheet, csv_writer, new_workbook, workbook_bytes
from surveys.access import ADMIN, VIEWERS, OrganisationAccess, Role, Visibility, organisation_view

from . import selectors_actions as selectors
from .forms import ActionFilterForm, ActionForm, ActionNoteForm, ActionStatusForm
from .models import Action
from .selectors_followup import get_action_followups
from .services import actions as services

WRITERS = (*ADMIN, Role.DEPARTMENT_REP)
MAX_PREFILL_TITLE = 200


def _scope_or_403(access: OrganisationAccess) -> Visibility:
    scope = selectors.writable_scope(access)
    if scope is None:
        raise PermissionDenied
    return scope


def _filters(request, access: OrganisationAccess, departments, staff, capabilities):
    form = ActionFilterForm(request.GET, departments=departments, capabilities=capabilities, staff=staff)
    values = form.values()
    department: int | str | None = values.get("department")
    if department not in (None, selectors.WHOLE_ORGANISATION):
        department = int(department)  # one of the choices: a department that may be seen
    filters = selectors.ActionFilter(
        department=department,
        status=values.get("status"),
        capability=values.get("capability", ""),
        owner=int(values["owner"]) if "owner" in values else None,
        overdue=bool(values.get("overdue")),
    )
    return form, filters


def _overview(request, access: OrganisationAccess) -> dict[str, Any]:
    organisation = access.organisation
    departments = selectors.list_departments(organisation, access.visibility)
    staff = selectors.list_staff(organisation)
    rounds = selectors.list_closed_rounds(organisation)
    capabilities = selectors.capability_choices(selectors.list_round_capabilities(rounds))
    form, filters = _filters(request, access, departments, staff, capabilities)
    scope = selectors.writable_scope(access)
    rows = selectors.list_actions(
        organisation, access.visibility, filters=filters, scope=scope, departments=departments
    )
    followups = get_action_followups([row.action for row in rows], access.visibility)
    for row in rows:
        row.followup = followups.get(row.action.pk)
    return {
        "followups": followups,
        "organisation": organisation,
        "form": form,
        "filters": filters,
        "rows": rows,
        "departments": departments,
        "scope": scope,
        "can_create": scope is not None and bool(rounds),
        "query": request.GET.urlencode(),
    }


@organisation_view(VIEWERS, methods=("GET",))
def action_list(request, access: OrganisationAccess):
    context = _overview(request, access)
    department = next(
        (d for d, _depth in context["departments"] if d.pk == context["filters"].department), None
    )
    context["coverage"] = selectors.get_coverage(
        access.organisation, access.visibility, departments=context["departments"], department=department
    )
    context["n_overdue"] = sum(1 for row in context["rows"] if row.overdue)
    return render(request, "maturity/action_list.html", context)


def _text(value) -> str:
    return "" if value is None else str(value)


def _export_rows(rows, organisation) -> tuple[list[str], list[list]]:
    header = [
        _("Title"),
        _("Department"),
        _("Round"),
        _("Capabilities"),
        _("Owner"),
        _("Priority"),
        _("Status"),
        _("Overdue"),
        _("Start date"),
        _("Due date"),
        _("Plan or budget assignment"),
        _("Description"),
        _("Notes"),
        _("Follow-up"),
    ]
    body = []
    for row in rows:
        action = row.action
        owner = action.owner
        body.append(
            [
                action.title,
                action.department.name if action.department else _("The whole organisation"),
                str(action.round.period),
                ", ".join(f"{c.label} ({c.code})" for c in row.capabilities),
                (owner.get_full_name() or owner.email) if owner else "",
                action.get_priority_display(),
                action.get_status_display(),
                _("yes") if row.overdue else _("no"),
                action.starts_on,
                action.due_on,
                action.plan_reference,
                action.description,
                action.n_notes,
                row.followup.summary() if row.followup is not None else "",
            ]
        )
    return header, body


@organisation_view(VIEWERS, methods=("GET",))
def action_export(request, access: OrganisationAccess, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    context = _overview(request, access)
    organisation = access.organisation
    header, body = _export_rows(context["rows"], organisation)
    name = slugify(f"dimios-atgarder-{organisation.code}-{timezone.localdate().isoformat()}")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out, delimiter=";", lineterminator="\r\n")  # formula-safe cells
        writer.writerow(header)
        for values in body:
            writer.writerow([v.isoformat() if isinstance(v, datetime.date) else v for v in values])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = new_workbook()
        add_sheet(
            workbook,
            _("Actions"),
            body,
            header=header,
            number_formats={8: "yyyy-mm-dd", 9: "yyyy-mm-dd"},
            freeze="A2",
        )
        response = HttpResponse(
            workbook_bytes(workbook),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    services.record_actions_export(
        organisation=organisation, file_format=fmt, count=len(body), actor=request.user
    )
    return response


# --- One action ---------------------------------------------------------------------------------------------


def _detail_context(access: OrganisationAccess, action: Action, **forms) -> dict[str, Any]:
    scope = selectors.writable_scope(access)
    return {
        "organisation": access.organisation,
        "action": action,
        "overdue": action.is_overdue,
        "can_change": selectors.can_change(scope, action),
        "followup": get_action_followups([action], access.visibility).get(action.pk),
        "status_form": forms.get("status_form") or ActionStatusForm(initial={"status": action.status}),
        "note_form": forms.get("note_form") or ActionNoteForm(initial={"written_on": timezone.localdate()}),
    }


@organisation_view(VIEWERS, methods=("GET",))
def action_detail(request, access: OrganisationAccess, pk):
    action = selectors.get_action_for(access.organisation, access.visibility, pk)
    return render(request, "maturity/action_detail.html", _detail_context(access, action))


def _changeable(access: OrganisationAccess, pk) -> tuple[Action, Visibility]:
    """An action the user may read (else 404) and change (else 403), with the scope to change it in."""
    scope = _scope_or_403(access)
    action = selectors.get_action_for(access.organisation, access.visibility, pk)
    if not selectors.can_change(scope, action):
        raise PermissionDenied
    return action, scope


def _form_choices(access: OrganisationAccess, scope: Visibility) -> dict[str, Any]:
    organisation = access.organisation
    rounds = selectors.list_closed_rounds(organisation)
    return {
        "rounds": rounds,
        "departments": selectors.list_departments(organisation, scope),
        "whole_organisation": scope.whole_organisation,
        "capabilities": selectors.list_round_capabilities(rounds),
        "staff": selectors.list_staff(organisation),
    }


def _prefill(request, choices: dict[str, Any], user) -> dict[str, Any]:
    """The create form's initial values: today, the latest closed round, the user as owner, and what a
    suggestion's link carries (``?round=…&department=…&capability=…&title=…``). A value outside what the
    user may choose is ignored."""
    rounds = choices["rounds"]
    initial: dict[str, Any] = {"starts_on": timezone.localdate(), "priority": Action.Priority.MEDIUM}
    round_ = rounds[0] if rounds else None
    wanted = request.GET.get("round", "")
    round_ = next((r for r in rounds if str(r.pk) == wanted), round_)
    if round_ is not None:
        initial["round"] = round_.pk
    department = request.GET.get("department")
    departments = {str(d.pk): d for d, _depth in choices["departments"]}
    if department in departments:
        initial["department"] = departments[department].pk
    elif not choices["whole_organisation"] and len(departments) == 1:
        initial["department"] = next(iter(departments.values())).pk
    codes = set(request.GET.getlist("capability"))
    if codes and round_ is not None:
        initial["capabilities"] = [
            c.pk
            for c in choices["capabilities"]
            if c.code in codes and c.version_id == round_.questionnaire_id
        ]
    title = request.GET.get("title", "").strip()
    if title:
        initial["title"] = title[:MAX_PREFILL_TITLE]
    if any(u.pk == user.pk for u in choices["staff"]):
        initial["owner"] = user.pk
    return initial


def _values(form: ActionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in (
            "round",
            "department",
            "title",
            "description",
            "capabilities",
            "owner",
            "priority",
            "starts_on",
            "due_on",
            "plan_reference",
        )
    }


@organisation_view(WRITERS, methods=("GET", "POST"))
def action_create(request, access: OrganisationAccess):
    organisation = access.organisation
    scope = _scope_or_403(access)
    choices = _form_choices(access, scope)
    if request.method == "POST":
        form = ActionForm(request.POST, **choices)
    else:
        form = ActionForm(initial=_prefill(request, choices, request.user), **choices)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(
                organisation=organisation, scope=scope, actor=request.user, **_values(form)
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The action is recorded."))
            return redirect("maturity:action_detail", org=organisation.code, pk=action.pk)
    return render(
        request,
        "maturity/action_form.html",
        {"organisation": organisation, "form": form, "action": None, "has_rounds": bool(choices["rounds"])},
    )


@organisation_view(WRITERS, methods=("GET", "POST"))
def action_update(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    action, scope = _changeable(access, pk)
    choices = _form_choices(access, scope)
    initial = {
        "round": action.round_id,
        "department": action.department_id,
        "title": action.title,
        "description": action.description,
        "capabilities": [c.pk for c in action.capabilities.all()],
        "owner": action.owner_id,
        "priority": action.priority,
        "starts_on": action.starts_on,
        "due_on": action.due_on,
        "plan_reference": action.plan_reference,
    }
    form = ActionForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.update_action(action=action, scope=scope, actor=request.user, **_values(form))
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            if changes:
                messages.success(request, _("The action is saved."))
            return redirect("maturity:action_detail", org=organisation.code, pk=action.pk)
    return render(
        request,
        "maturity/action_form.html",
        {"organisation": organisation, "form": form, "action": action, "has_rounds": True},
    )


@organisation_view(WRITERS, methods=("POST",))
def action_status(request, access: OrganisationAccess, pk):
    action, scope = _changeable(access, pk)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            changed = services.set_action_status(
                action=action, status=form.cleaned_data["status"], scope=scope, actor=request.user
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            if changed:
                messages.success(request, _("The status is changed."))
            return redirect("maturity:action_detail", org=access.code, pk=action.pk)
    return render(
        request, "maturity/action_detail.html", _detail_context(access, action, status_form=form), status=400
    )


@organisation_view(WRITERS, methods=("POST",))
def action_note_create(request, access: OrganisationAccess, pk):
    action, scope = _changeable(access, pk)
    form = ActionNoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_action_note(
                action=action,
                text=form.cleaned_data["text"],
                written_on=form.cleaned_data["written_on"],
                scope=scope,
                actor=request.user,
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            messages.success(request, _("The note is added."))
            return redirect("maturity:action_detail", org=access.code, pk=action.pk)
    return render(
        request, "maturity/action_detail.html", _detail_context(access, action, note_form=form), status=400
    )

"""The results dashboards: the organisation (management, organisation admin) and a department (its
representative, or anyone with an organisation-wide role), for a round chosen in the URL; downloads of
what is shown. Thin: scope to the user, read the filter, one selector call, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.text import slugify

from surveys.access import VIEWERS, OrganisationAccess, organisation_view
from surveys.models import Department, RespondentGroup, RoleAssignment
from surveys.services import periods

from .. import exports
from ..forms.dashboard import DashboardFilterForm
from ..selectors import dashboard as selectors
from ..services.downloads import record_dashboard_export

ROLES = VIEWERS


def _resolve(request, access: OrganisationAccess, *, with_actions: bool = False):
    """(context, redirect URL or None) for the dashboard or its download (``with_actions``: the page shows
    the action plans that may be read beside the capabilities; the downloads hold figures only)."""
    organisation = access.organisation
    visible = access.visible_department_ids
    rounds = selectors.list_dashboard_rounds(organisation)
    departments = list(Department.objects.filter(organisation=organisation))
    groups = list(RespondentGroup.objects.filter(organisation=organisation))
    shown_departments = [
        (d, depth) for d, depth in selectors.tree_ordered(departments) if visible is None or d.pk in visible
    ]
    form = DashboardFilterForm(
        request.GET,
        rounds=rounds,
        departments=shown_departments,
        groups=groups,
        whole_organisation=visible is None,
    )
    context = {"organisation": organisation, "form": form, "rounds": rounds}
    if not form.is_valid():
        if "department" in form.errors:
            raise Http404  # a department the user may not see, or none at all
        return context, None
    department_id = form.cleaned_data["department"]
    if department_id is None and visible is not None:
        if not shown_departments:
            raise Http404
        query = request.GET.copy()
        query["department"] = shown_departments[0][0].pk
        return context, f"{request.path}?{query.urlencode()}"
    if not rounds:
        return context, None
    round_id = form.cleaned_data["round"]
    round_ = next((r for r in rounds if r.pk == round_id), rounds[0])
    department = next((d for d in departments if d.pk == department_id), None)
    group = next((g for g in groups if g.pk == form.cleaned_data["group"]), None)
    context["dashboard"] = selectors.get_dashboard(
        organisation=organisation,
        round_=round_,
        rounds=rounds,
        department=department,
        group=group,
        visible=visible,
        decimal=get_format("DECIMAL_SEPARATOR"),
        departments=departments,
        groups=groups,
        actions=access.visibility if with_actions else None,
        today=periods.today(),
    )
    params = {"round": round_.pk}
    if department is not None:
        params["department"] = department.pk
    if group is not None:
        params["group"] = group.pk
    context["query"] = urlencode(params)
    # "Skapa åtgärd" under a suggestion: for those who record actions here (the organisation admin, a
    # department representative on a department's dashboard); the action page decides for itself.
    context["can_create_actions"] = access.is_admin or (
        department is not None and access.has_role((RoleAssignment.Role.DEPARTMENT_REP,))
    )
    return context, None


@organisation_view(ROLES, methods=("GET",))
def dashboard(request, access: OrganisationAccess):
    context, redirect_to = _resolve(request, access, with_actions=True)
    if redirect_to:
        return redirect(redirect_to)
    status = 400 if context["form"].errors else 200
    return render(request, "reports/dashboard_detail.html", context, status=status)


@organisation_view(ROLES, methods=("GET",))
def dashboard_export(request, access: OrganisationAccess, fmt):
    context, redirect_to = _resolve(request, access)
    if redirect_to:
        return redirect(
            redirect_to.replace(request.path, reverse("reports:dashboard_export", args=[access.code, fmt]))
        )
    dashboard_data = context.get("dashboard")
    if dashboard_data is None:
        raise Http404
    name = slugify(f"dimios-{dashboard_data['focus']['name']}-{dashboard_data['round'].period.code}")
    if fmt == "csv":
        response = HttpResponse(exports.dashboard_csv(dashboard_data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = HttpResponse(
            exports.dashboard_xlsx(dashboard_data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    record_dashboard_export(
        organisation_id=dashboard_data["round"].organisation_id,
        name=str(dashboard_data["focus"]["name"]),
        period=dashboard_data["round"].period.code,
        file_format=fmt,
        actor=request.user,
    )
    return response

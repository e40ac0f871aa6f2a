"""Staff pages for an organisation: its overview, departments, respondent groups, roles.

Views are thin: scope to the user, bind a form, call one service, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dimios_web.exceptions import DomainError, add_domain_error_to_form

from ..access import ADMIN, OrganisationAccess, organisation_view
from ..forms.common import ConfirmForm
from ..forms.organisation import DepartmentForm, DepartmentSuccessionForm, RespondentGroupForm, RoleGrantForm
from ..models import DepartmentSuccession, RespondentGroup, RoleAssignment
from ..selectors import organisations as selectors
from ..services import organisations as org_services
from ..services import successions as succession_services


def accessibility_statement(request):
    return render(request, "surveys/accessibility_statement.html")


@organisation_view()
def organisation_detail(request, access: OrganisationAccess):
    return render(
        request,
        "surveys/organisation_detail.html",
        {"organisation": access.organisation, "is_admin": access.is_admin},
    )


# --- Departments -------------------------------------------------------------------------------------------


@organisation_view(ADMIN)
def department_list(request, access: OrganisationAccess):
    organisation = access.organisation
    return render(
        request,
        "surveys/department_list.html",
        {"organisation": organisation, "tree": selectors.list_department_tree(organisation)},
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def department_edit(request, access: OrganisationAccess, pk=None):
    organisation = access.organisation
    department = selectors.get_department_for(access.visibility, organisation, pk) if pk else None
    form = DepartmentForm(request.POST or None, organisation=organisation, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            if department is None:
                department = org_services.create_department(
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    sector=form.cleaned_data["sector"],
                    actor=request.user,
                )
                messages.success(
                    request, _("The department “%(name)s” was added.") % {"name": department.name}
                )
            else:
                org_services.update_department(
                    department=department,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    sector=form.cleaned_data["sector"],
                    actor=request.user,
                )
                messages.success(request, _("The department was saved."))
            return redirect("surveys:department_list", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request,
        "surveys/department_form.html",
        {"organisation": organisation, "department": department, "form": form},
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def department_delete(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    department = selectors.get_department_for(access.visibility, organisation, pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.delete_department(department=department, actor=request.user)
            messages.success(request, _("The department “%(name)s” was deleted.") % {"name": department.name})
            return redirect("surveys:department_list", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": department,
            "form": form,
            "cancel_url": reverse("surveys:department_list", args=[organisation.code]),
            "blocked": org_services.why_department_cannot_be_deleted(department),
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def department_successions(request, access: OrganisationAccess):
    """The recorded department successions (a reorganisation between rounds) and the form to add one."""
    organisation = access.organisation
    form = DepartmentSuccessionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            succession_services.add_succession(
                organisation=organisation,
                predecessor=form.cleaned_data["predecessor"],
                successor=form.cleaned_data["successor"],
                actor=request.user,
            )
            messages.success(request, _("The succession was recorded."))
            return redirect("surveys:department_successions", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request,
        "surveys/department_successions.html",
        {
            "organisation": organisation,
            "form": form,
            "successions": selectors.list_department_successions(organisation),
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def department_succession_delete(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    succession = get_object_or_404(
        DepartmentSuccession.objects.select_related("predecessor", "successor"),
        organisation=organisation,
        pk=pk,
    )
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        succession_services.remove_succession(succession=succession, actor=request.user)
        messages.success(request, _("The succession was removed."))
        return redirect("surveys:department_successions", org=organisation.code)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": _("%(successor)s carries on the work of %(predecessor)s")
            % {"successor": succession.successor.name, "predecessor": succession.predecessor.name},
            "form": form,
            "cancel_url": reverse("surveys:department_successions", args=[organisation.code]),
        },
    )


# --- Respondent groups -------------------------------------------------------------------------------------


@organisation_view(ADMIN)
def group_list(request, access: OrganisationAccess):
    organisation = access.organisation
    return render(
        request,
        "surveys/group_list.html",
        {"organisation": organisation, "groups": selectors.list_respondent_groups(organisation)},
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def group_edit(request, access: OrganisationAccess, pk=None):
    organisation = access.organisation
    group = get_object_or_404(RespondentGroup, organisation=organisation, pk=pk) if pk else None
    form = RespondentGroupForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            if group is None:
                org_services.create_respondent_group(
                    organisation=organisation, actor=request.user, **form.cleaned_data
                )
                messages.success(request, _("The respondent group was added."))
            else:
                org_services.update_respondent_group(group=group, actor=request.user, **form.cleaned_data)
                messages.success(request, _("The respondent group was saved."))
            return redirect("surveys:group_list", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request, "surveys/group_form.html", {"organisation": organisation, "group": group, "form": form}
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def group_delete(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    group = get_object_or_404(RespondentGroup, organisation=organisation, pk=pk)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.delete_respondent_group(group=group, actor=request.user)
            messages.success(
                request, _("The respondent group “%(name)s” was deleted.") % {"name": group.name}
            )
            return redirect("surveys:group_list", org=organisation.code)
        except DomainError as error:
            add_domain_error_to_form(form, error)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": group,
            "form": form,
            "cancel_url": reverse("surveys:group_list", args=[organisation.code]),
            "blocked": org_services.why_group_cannot_be_deleted(group),
        },
    )


# --- Roles -------------------------------------------------------------------------------------------------


@organisation_view(ADMIN, methods=("GET", "POST"))
def role_list(request, access: OrganisationAccess):
    organisation = access.organisation
    form = RoleGrantForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            assignment, user_created = org_services.grant_role(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                departments=form.cleaned_data["departments"],
                granted_by=request.user,
            )
        except DomainError as error:
            add_domain_error_to_form(form, error)
        else:
            if user_created:
                org_services.send_welcome_email(user=assignment.user)
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {"user": assignment.user.email, "role": assignment.get_role_display()},
            )
            return redirect("surveys:role_list", org=organisation.code)
    return render(
        request,
        "surveys/role_list.html",
        {
            "organisation": organisation,
            "assignments": selectors.list_role_assignments(organisation),
            "form": form,
        },
    )


@organisation_view(ADMIN, methods=("GET", "POST"))
def role_revoke(request, access: OrganisationAccess, pk):
    organisation = access.organisation
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user"), organisation=organisation, pk=pk
    )
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org_services.revoke_role(assignment=assignment, actor=request.user)
        messages.success(request, _("The role was removed."))
        return redirect("surveys:role_list", org=organisation.code)
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "organisation": organisation,
            "object": assignment,
            "form": form,
            "cancel_url": reverse("surveys:role_list", args=[organisation.code]),
        },
    )

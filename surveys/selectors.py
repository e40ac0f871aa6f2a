"""Reads for views: scoped, with the related rows they need."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404

from .forms import tree_ordered
from .models import Department, Organisation, RespondentGroup, RoleAssignment
from .scoping import get_scope


def get_organisation_for(user, code: str, *, roles=None) -> Organisation:
    """The organisation with this code if the user may see it (404 otherwise); 403 when they may see it but
    hold none of the given roles there."""
    organisation = Organisation.objects.for_user(user).select_related("county").filter(code=code).first()
    if organisation is None:
        raise Http404
    if roles is not None and not get_scope(user).has_role(organisation.pk, roles):
        raise PermissionDenied
    return organisation


def get_department_for(user, organisation: Organisation, pk: int) -> Department:
    department = Department.objects.for_user(user).filter(organisation=organisation, pk=pk).first()
    if department is None:
        raise Http404
    return department


def list_department_tree(organisation: Organisation) -> list[tuple[Department, int]]:
    departments = Department.objects.filter(organisation=organisation).annotate(n_children=Count("children"))
    return tree_ordered(list(departments))


def list_respondent_groups(organisation: Organisation):
    return RespondentGroup.objects.filter(organisation=organisation)


def list_role_assignments(organisation: Organisation):
    return (
        RoleAssignment.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.only("id", "name")))
        .order_by("role", "user__email")
    )


def list_home_cards(user) -> list[dict]:
    """What the start page offers the user: one card per organisation and role."""
    assignments = (
        RoleAssignment.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.only("id", "name")))
        .order_by("organisation__name", "role")
    )
    return [
        {
            "organisation": a.organisation,
            "role": a.role,
            "role_label": a.get_role_display(),
            "departments": list(a.departments.all()),
        }
        for a in assignments
    ]

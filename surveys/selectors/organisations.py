"""Reads for views, with the related rows they need: of the organisation and what of it may be seen that
the view was given (``surveys.access``), never of who asks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch
from django.http import Http404

from ..models import Department, DepartmentSuccession, Organisation, RespondentGroup, RoleAssignment
from ..tree import tree_ordered

if TYPE_CHECKING:
    from ..access import Visibility


def get_department_for(visibility: Visibility, organisation: Organisation, pk: int) -> Department:
    """A department of the organisation the caller may see (``surveys.access``); 404 otherwise."""
    department = Department.objects.filter(organisation=organisation, pk=pk).first()
    if department is None or not visibility.can_see_department(department.pk):
        raise Http404
    return department


def list_department_tree(organisation: Organisation) -> list[tuple[Department, int]]:
    departments = Department.objects.filter(organisation=organisation).annotate(n_children=Count("children"))
    return tree_ordered(list(departments))


def list_department_successions(organisation: Organisation) -> list[DepartmentSuccession]:
    """The organisation's recorded successions (earlier → later department), by the earlier one's name."""
    return list(
        DepartmentSuccession.objects.filter(organisation=organisation).select_related(
            "predecessor", "successor", "created_by"
        )
    )


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

"""The one permission scope, applied to every staff page by ``surveys.access.organisation_view`` (and, as a
queryset filter, by ``<Model>.objects.for_user(user)``).

A user's scope is computed once per request from their role assignments:
- a platform admin (superuser) sees everything;
- an organisation admin or management sees their whole organisation;
- a department representative sees their organisation (its totals) and their own departments with all
  units under them, never other departments' figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from .tree import descendants_and_self

ORG_WIDE_ROLES = frozenset({"org_admin", "management"})


@dataclass
class Grant:
    """What one user may do in one organisation."""

    roles: set[str] = field(default_factory=set)
    department_ids: set[int] = field(default_factory=set)

    def has_any(self, roles: Iterable[str] | None) -> bool:
        return bool(self.roles) if roles is None else bool(self.roles & set(roles))

    def whole_organisation(self, roles: Iterable[str] | None = None) -> bool:
        wanted = self.roles if roles is None else self.roles & set(roles)
        return bool(wanted & ORG_WIDE_ROLES)


@dataclass
class Scope:
    is_platform_admin: bool = False
    grants: dict[int, Grant] = field(default_factory=dict)

    def organisation_ids(self, roles: Iterable[str] | None = None) -> list[int]:
        return [org_id for org_id, grant in self.grants.items() if grant.has_any(roles)]

    def has_role(self, organisation_id: int, roles: Iterable[str]) -> bool:
        if self.is_platform_admin:
            return True
        grant = self.grants.get(organisation_id)
        return grant is not None and grant.has_any(roles)

    def can_see_department(self, organisation_id: int, department_id: int) -> bool:
        if self.is_platform_admin:
            return True
        grant = self.grants.get(organisation_id)
        if grant is None:
            return False
        return grant.whole_organisation() or department_id in grant.department_ids

    def visible_department_ids(self, organisation_id: int) -> set[int] | None:
        """None when every department of the organisation may be seen; otherwise the departments (with
        all units under them) whose own figures may be seen – a department representative's."""
        if self.is_platform_admin:
            return None
        grant = self.grants.get(organisation_id)
        if grant is None:
            return set()
        if grant.whole_organisation():
            return None
        return set(grant.department_ids)


def visible_department_ids(user, organisation_id: int) -> set[int] | None:
    """What the user may see below the organisation level (``Scope.visible_department_ids``)."""
    return get_scope(user).visible_department_ids(organisation_id)


_CACHE_ATTR = "_dimios_scope"


def get_scope(user) -> Scope:
    """The user's scope, computed with two queries and cached on the user object for the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope()
    elif user.is_superuser:
        scope = Scope(is_platform_admin=True)
    else:
        scope = _compute_scope(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def clear_scope(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _compute_scope(user) -> Scope:
    from .models import Department, RoleAssignment

    scope = Scope()
    direct: dict[int, set[int]] = {}
    assignments = RoleAssignment.objects.filter(user=user).prefetch_related(
        models.Prefetch("departments", queryset=Department.objects.only("id"))
    )
    for assignment in assignments:
        grant = scope.grants.setdefault(assignment.organisation_id, Grant())
        grant.roles.add(assignment.role)
        direct.setdefault(assignment.organisation_id, set()).update(
            d.id for d in assignment.departments.all()
        )
    needs_tree = {org_id: ids for org_id, ids in direct.items() if ids}
    if needs_tree:
        parents = dict(
            Department.objects.filter(organisation_id__in=needs_tree).values_list("id", "parent_id")
        )
        for org_id, ids in needs_tree.items():
            scope.grants[org_id].department_ids |= descendants_and_self(parents, ids)
    return scope


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see.

    ``scope_path`` leads from the model to its organisation's primary key; ``department_path`` (optional)
    leads to a department, so that department representatives see only their own departments' rows.
    """

    scope_path: str = "organisation"
    department_path: str | None = None

    def for_user(self, user, *, roles: Iterable[str] | None = None) -> ScopedQuerySet:
        scope = get_scope(user)
        if scope.is_platform_admin:
            return self.all()
        condition = Q(pk__in=[])
        for org_id, grant in scope.grants.items():
            if not grant.has_any(roles):
                continue
            in_org = Q(**{self.scope_path: org_id})
            if self.department_path is None or grant.whole_organisation(roles):
                condition |= in_org
            else:
                condition |= in_org & Q(**{f"{self.department_path}__in": sorted(grant.department_ids)})
        return self.filter(condition)

"""The one permission mechanism of the staff pages: which organisation a request is about, which roles the
user holds there, and what the user may see of it – resolved once, before the view runs.

A view declares the roles it needs (as pretix's ``event_permission_required`` and zulip's
``require_realm_admin`` do) and receives an ``OrganisationAccess``::

    @organisation_view(ADMIN, methods=("GET", "POST"))
    def department_list(request, access):
        ...

``organisation_view`` asks for a login (the login page, as ``login_required``), refuses other HTTP
methods (405), answers 404 when the user holds no role in the organisation of the URL's ``org`` code (or
no organisation has that code: whether an organisation exists is nobody else's business), 403 when they
hold a role there but none of those the view needs, and otherwise calls the view with the access object
in place of the code. A platform admin (superuser) passes every check and sees everything.

Selectors take what may be seen (``access.organisation``, ``access.visible_department_ids`` or
``access.visibility``), never who asks. The decision itself stays in ``surveys.scoping`` (the user's
scope, computed with two queries and cached for the request).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.http import require_http_methods

from .models import Organisation, RoleAssignment
from .scoping import get_scope

Role = RoleAssignment.Role

ADMIN: tuple[str, ...] = (Role.ORG_ADMIN,)
"""Organisation admins (digitalisation staff): settings, rounds, respondents, imports, conclusions."""
READERS: tuple[str, ...] = (Role.ORG_ADMIN, Role.MANAGEMENT)
"""Whole-organisation readers: results downloads and the annual report."""
VIEWERS: tuple[str, ...] = (Role.ORG_ADMIN, Role.MANAGEMENT, Role.DEPARTMENT_REP)
"""Every staff role: the round pages and the dashboards (a department representative's own part)."""


@dataclass(frozen=True, slots=True)
class Visibility:
    """What of an organisation's figures may be seen below the organisation level: every department
    (``department_ids`` None), or only these departments with all units under them (a department
    representative's). Built from a user's roles (``OrganisationAccess.visibility``) or, where no user
    asks (the annual report, built in a worker for the whole organisation), ``Visibility.everything()``."""

    department_ids: frozenset[int] | None = None

    @classmethod
    def everything(cls) -> Visibility:
        return cls(None)

    @property
    def whole_organisation(self) -> bool:
        return self.department_ids is None

    def can_see_department(self, department_id: int) -> bool:
        return self.department_ids is None or department_id in self.department_ids

    def as_set(self) -> set[int] | None:
        """The form the older selectors take (None = all)."""
        return None if self.department_ids is None else set(self.department_ids)


@dataclass(frozen=True, slots=True)
class OrganisationAccess:
    """One user's standing in one organisation, for one request."""

    organisation: Organisation
    roles: frozenset[str]
    is_platform_admin: bool
    visibility: Visibility
    # The departments (with their units) the user represents as a department representative, whatever
    # other role they hold too: what they may change of a department's own records (the action plans,
    # docs/actions.md). Empty for a user who represents no department.
    represented: Visibility = Visibility(frozenset())

    @property
    def code(self) -> str:
        return self.organisation.code

    @property
    def organisation_id(self) -> int:
        return self.organisation.pk

    @property
    def visible_department_ids(self) -> set[int] | None:
        """None when every department may be seen; otherwise the departments (with their units) whose own
        figures may be seen."""
        return self.visibility.as_set()

    def has_role(self, roles: Iterable[str]) -> bool:
        return self.is_platform_admin or bool(self.roles & set(roles))

    @property
    def is_admin(self) -> bool:
        """An organisation admin here (or the platform admin)."""
        return self.has_role(ADMIN)

    @property
    def is_reader(self) -> bool:
        """Sees the whole organisation's results and reports (admin or management)."""
        return self.has_role(READERS)


def resolve_access(user, code: str, roles: Iterable[str] | None = None) -> OrganisationAccess:
    """The user's access to the organisation with this code: 404 when they may not see it (no role there,
    or no such organisation), 403 when they hold none of ``roles`` there (None: any role will do)."""
    scope = get_scope(user)
    organisation = Organisation.objects.select_related("county").filter(code=code).first()
    if organisation is None:
        raise Http404
    grant = scope.grants.get(organisation.pk)
    if not scope.is_platform_admin and (grant is None or not grant.roles):
        raise Http404
    if roles is not None and not scope.has_role(organisation.pk, roles):
        raise PermissionDenied
    visible = scope.visible_department_ids(organisation.pk)
    represented: frozenset[int] = frozenset()
    if grant is not None and Role.DEPARTMENT_REP in grant.roles:
        represented = frozenset(grant.department_ids)
    return OrganisationAccess(
        organisation=organisation,
        roles=frozenset(grant.roles) if grant is not None else frozenset(),
        is_platform_admin=scope.is_platform_admin,
        visibility=Visibility(None if visible is None else frozenset(visible)),
        represented=Visibility(represented),
    )


def organisation_view(
    roles: Iterable[str] | None = None,
    *,
    methods: Iterable[str] | None = None,
    param: str = "org",
) -> Callable:
    """Decorate a staff view of one organisation (the URL's ``org`` code): log in, allowed methods, the
    roles it needs (None: any role in the organisation); the view gets ``access`` instead of the code."""
    wanted = tuple(roles) if roles is not None else None

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            code = kwargs.pop(param)
            access = resolve_access(request.user, code, wanted)
            return view(request, access, *args, **kwargs)

        wrapped.required_roles = wanted  # type: ignore[attr-defined]  # for tests and the URL probe
        checked = require_http_methods(list(methods))(wrapped) if methods is not None else wrapped
        return login_required(checked)

    return decorate

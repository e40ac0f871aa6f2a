"""The one permission mechanism (``surveys.access.organisation_view``): each role let in or kept out, an
unknown organisation is 404, a role taken away takes effect on the next request, and every organisation
page of every app goes through it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from surveys.access import (
    ADMIN,
    READERS,
    VIEWERS,
    OrganisationAccess,
    Visibility,
    organisation_view,
    resolve_access,
)

pytestmark = pytest.mark.django_db

SEEN: list[OrganisationAccess] = []


@organisation_view(ADMIN, methods=("GET", "POST"))
def admin_page(request, access, pk=None):
    SEEN.append(access)
    return HttpResponse(f"{access.code}:{pk}")


@organisation_view(READERS)
def reader_page(request, access):
    SEEN.append(access)
    return HttpResponse("ok")


@organisation_view(VIEWERS, methods=("GET",))
def viewer_page(request, access):
    SEEN.append(access)
    return HttpResponse("ok")


@organisation_view()
def any_role_page(request, access):
    SEEN.append(access)
    return HttpResponse("ok")


def call(view, user, code, method="get", **kwargs):
    request = getattr(RequestFactory(), method)("/x/")
    request.user = user
    SEEN.clear()
    return view(request, org=code, **kwargs)


def outcome(view, user, code) -> int:
    try:
        return call(view, user, code).status_code
    except Http404:
        return 404
    except PermissionDenied:
        return 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("org_admin", {"admin": 200, "reader": 200, "viewer": 200, "any": 200}),
        ("management", {"admin": 403, "reader": 200, "viewer": 200, "any": 200}),
        ("dept_rep", {"admin": 403, "reader": 403, "viewer": 200, "any": 200}),
        ("outsider", {"admin": 404, "reader": 404, "viewer": 404, "any": 404}),
        ("no_role_user", {"admin": 404, "reader": 404, "viewer": 404, "any": 404}),
        ("platform_admin", {"admin": 200, "reader": 200, "viewer": 200, "any": 200}),
    ],
)
def test_each_role_is_let_in_or_kept_out_as_the_view_declares(request, organisation, persona, expected):
    user = request.getfixturevalue(persona)
    views = {"admin": admin_page, "reader": reader_page, "viewer": viewer_page, "any": any_role_page}
    assert {name: outcome(view, user, organisation.code) for name, view in views.items()} == expected


def test_an_anonymous_visitor_is_sent_to_the_login_page(organisation):
    response = call(admin_page, AnonymousUser(), organisation.code)
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_an_unknown_organisation_is_not_found_even_for_the_platform_admin(platform_admin):
    with pytest.raises(Http404):
        call(admin_page, platform_admin, "9999")


def test_a_method_the_view_does_not_take_is_refused(org_admin, organisation):
    assert call(viewer_page, org_admin, organisation.code, method="post").status_code == 405
    assert call(admin_page, org_admin, organisation.code, method="post").status_code == 200


def test_the_view_gets_the_organisation_roles_and_visibility_instead_of_the_code(
    org_admin, dept_rep, organisation, social_department
):
    response = call(admin_page, org_admin, organisation.code, pk=7)
    assert response.content == f"{organisation.code}:7".encode()
    (access,) = SEEN
    assert access.organisation == organisation and access.roles == {"org_admin"}
    assert access.is_admin and access.visibility == Visibility.everything()
    assert access.visible_department_ids is None

    call(viewer_page, dept_rep, organisation.code)
    (access,) = SEEN
    units = set(social_department.children.values_list("pk", flat=True))
    assert not access.is_admin and not access.is_reader
    assert access.visible_department_ids == {social_department.pk, *units}
    assert access.visibility.can_see_department(social_department.pk)
    assert not access.visibility.can_see_department(
        organisation.departments.exclude(pk__in=[social_department.pk, *units]).first().pk
    )


def test_a_revoked_role_takes_effect_on_the_next_request(org_admin, organisation):
    from django.contrib.auth import get_user_model

    from surveys.services.organisations import revoke_role

    assert outcome(admin_page, org_admin, organisation.code) == 200
    revoke_role(assignment=org_admin.role_assignments.get())
    fresh = get_user_model().objects.get(pk=org_admin.pk)  # the next request loads the user anew
    assert outcome(admin_page, fresh, organisation.code) == 404


def test_a_deactivated_user_is_let_in_nowhere(org_admin, organisation):
    org_admin.is_active = False
    org_admin.save()
    with pytest.raises(Http404):
        resolve_access(org_admin, organisation.code, ADMIN)


def test_a_role_changed_to_a_smaller_one_takes_effect(management, organisation):
    assert outcome(reader_page, management, organisation.code) == 200
    management.role_assignments.update(role="department_rep")
    from django.contrib.auth import get_user_model

    fresh = get_user_model().objects.get(pk=management.pk)
    assert outcome(reader_page, fresh, organisation.code) == 403


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, "org" in entry.pattern.regex.groupindex


def test_every_organisation_page_declares_its_roles_through_the_one_mechanism():
    """A URL with an organisation code in it is served by a view decorated with ``organisation_view``."""
    organisation_urls = [(route, p) for route, p, has_org in _patterns(get_resolver()) if has_org]
    assert len(organisation_urls) >= 41
    undeclared = [route for route, p in organisation_urls if not hasattr(p.callback, "required_roles")]
    assert undeclared == []

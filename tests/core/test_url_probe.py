"""No URL answers 500 (issue 11): every pattern of the resolver, with out-of-range and malformed ids, for
every role, GET and POST. A view may answer 400, 403, 404, 405 or redirect; it must never crash."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# One value of each kind per probe: what a valid URL has, and what a hand-edited or scanned one has.
PROBES = {
    "plausible": {"int": "1", "str": "0580", "path": "1", "slug": "x"},
    "out of range": {"int": "99999", "str": "0580", "path": "99999999999999999999", "slug": "9" * 30},
    "huge": {"int": "99999999999999999999", "str": "0580", "path": "2147483648"},
    "unknown": {"int": "2147483647", "str": "9999", "path": "abc%2F.."},
    "malformed": {"int": "0", "str": "%C3%A5%00'\"<x>" + "a" * 300, "path": "%00", "slug": "-"},
}
REGEX_GROUP_VALUES = {"fmt": ("csv", "xlsx", "json", "pdf", "exe")}
# A filled-in form for whatever the page asks: the fields the product's forms use, with edge values.
FORM = {
    "title": "Slutsats",
    "body": "Text",
    "name": "Namn",
    "email": "person@example.se",
    "confirm": "on",
    "language": "sv",
    "year": "99999",
    "round": "99999999999999999999",
    "department": "99999",
    "group": "-1",
    "period": "99999",
    "days": "99999",
    "closes_on": "9999-12-31",
    "action": "all",
    "nav": "next",
    "statement": "99999999999999999999",
    "value": "7",
    "enabled": "1",
}


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _regex_to_template(pattern: str) -> str:
    """A regex pattern (``^o/(?P<org>[^/]+)/resultat/export\\.(?P<fmt>csv|xlsx)$``) as a route template."""
    text = pattern.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: f"<str:{m.group(1)}>", text)
    return text


def probe_urls() -> list[str]:
    urls = set()
    for raw in _patterns():
        template = _regex_to_template(raw) if ("(?P<" in raw or raw.startswith("^")) else raw
        if "(" in template or "[" in template:
            continue  # an unnamed regex group: not in this project
        names = re.findall(r"<(?:(\w+):)?(\w+)>", template)
        for values in PROBES.values():
            variants = [{}]
            for _converter, name in names:
                if name in REGEX_GROUP_VALUES:
                    variants = [{**v, name: option} for v in variants for option in REGEX_GROUP_VALUES[name]]
            for variant in variants:

                def fill(match, variant=variant, values=values):
                    converter, name = match.group(1) or "str", match.group(2)
                    if name in variant:
                        return variant[name]
                    return values.get(converter, values["str"])

                urls.add("/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, template))
    return sorted(urls)


@pytest.fixture
def world(organisation, other_organisation, settings, tmp_path):
    from tests.reports.conftest import make_closed_round

    settings.MEDIA_ROOT = tmp_path / "media"
    return make_closed_round(organisation)


ROLES = ["anonymous", "org_admin", "management", "dept_rep", "outsider", "platform_admin", "no_role_user"]


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_for_any_role(client, request, world, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    client.raise_request_exception = True
    urls = probe_urls()
    assert len(urls) > 100
    crashes = []
    for url in urls:
        if role != "platform_admin" and url.startswith("/admin/") and url.count("/") > 3:
            continue  # the admin's pages only open for a platform admin: the others are redirected
        for method, data in (("get", None), ("post", {}), ("post", FORM)):
            if data is FORM and url.startswith("/admin/"):
                continue  # Django's admin acts on any filled POST (it would delete the probing user itself)
            try:
                response = getattr(client, method)(url, data)
            except Exception as error:  # noqa: BLE001 - the view crashed; the probe collects every crash
                crashes.append(f"{method.upper()} {url}: {type(error).__name__}: {error}")
                continue
            if response.status_code >= 500:
                crashes.append(f"{method.upper()} {url}: {response.status_code}")
        if url.startswith("/konto/logga-ut") and role != "anonymous":
            client.force_login(request.getfixturevalue(role))  # logged out by the probe: log in again
    assert not crashes, f"{len(crashes)} crashes:\n" + "\n".join(c[:240] for c in crashes[:30])


def test_a_conclusion_for_year_99999_is_not_found_and_the_service_refuses_it(client, world, org_admin):
    from dimios_web.exceptions import DomainError
    from reports.services.conclusions import save_conclusion

    client.force_login(org_admin)
    response = client.post("/o/0580/arsrapport/99999/slutsatser/ny/", {"title": "Slutsats", "body": "Text"})
    assert response.status_code == 404
    with pytest.raises(DomainError, match="kalenderår|calendar year"):
        save_conclusion(organisation=world.organisation, year=99999, title="Slutsats", body="")
    assert (
        client.post("/o/0580/arsrapport/2025/slutsatser/ny/", {"title": "S", "body": "T"}).status_code == 302
    )

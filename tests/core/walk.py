"""Walking the site as a user would (issue 11): every page the home page links to, two levels deep, and a
respondent's whole flow. Used by the tests that break a service and expect the site to keep working."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.urls import reverse

SKIP = ("/static/", "/konto/logga-ut", "/admin/logout", "/i18n/")


def links(html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="(/[^"#]*)"', html):
        href = href.replace("&amp;", "&")
        if href.startswith(SKIP):
            continue
        if href.startswith("/admin/") and href.count("/") > 4:
            continue  # the admin's own object pages: its index and lists are enough here
        found.append(href)
    return found


def crawl(client, start: str = "/", *, limit: int = 120, depth: int = 2) -> dict[str, int]:
    """GET the start page and the site's pages it links to; the status of each (a redirect to another page
    of the site is followed). An exception in a view fails the test (the test client raises it)."""
    seen: dict[str, int] = {}
    queue = [(start, 0)]
    while queue and len(seen) < limit:
        path, level = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code in (301, 302):
            target = urlsplit(response["Location"])
            if not target.netloc:
                queue.insert(0, (target.path + (f"?{target.query}" if target.query else ""), level))
            continue
        content_type = response.get("Content-Type", "")
        if level < depth and response.status_code == 200 and content_type.startswith("text/html"):
            queue.extend((link, level + 1) for link in links(response.content.decode()) if link not in seen)
    return seen


def answer_whole_survey(client, link_path: str) -> list[tuple[str, int]]:
    """Open a personal link, answer every page with the middle of the scale, submit; every step's status."""
    steps = []
    response = client.get(link_path)
    steps.append((link_path, response.status_code))
    assert response.status_code == 302, steps
    welcome = client.get(response["Location"])
    steps.append((response["Location"], welcome.status_code))
    number = 1
    while number < 50:
        url = reverse("surveys:respond_page", args=[number])
        page = client.get(url)
        steps.append((url, page.status_code))
        if page.status_code == 302:
            break
        names = sorted(set(re.findall(r'name="(s\d+)"', page.content.decode())))
        response = client.post(url, {**{name: "4" for name in names}, "nav": "next"})
        steps.append((url + " POST", response.status_code))
        if response.status_code != 302 or response["Location"] == reverse("surveys:respond_summary"):
            break
        number += 1
    summary = client.get(reverse("surveys:respond_summary"))
    steps.append(("summary", summary.status_code))
    submitted = client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    steps.append(("submit", submitted.status_code))
    receipt = client.get(reverse("surveys:respond_receipt"))
    steps.append(("receipt", receipt.status_code))
    return steps

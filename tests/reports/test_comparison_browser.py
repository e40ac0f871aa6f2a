"""The comparison sets in Chromium (issue 15): an organisation admin names a network on the comparison
settings page and finds it, with the other sets, drawn as box plots in the dashboard's comparison section;
axe-core finds no WCAG 2.1 A/AA violation on the settings page, the network form and the dashboard, at
1366 and 375 px."""

from __future__ import annotations

import pytest

from surveys.models import ComparisonNetwork
from surveys.services.organisations import add_organisation, create_department
from tests.conftest import assert_no_axe_violations
from tests.reports.conftest import make_closed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEERS = ["0509", "0512", "0513", "0560", "0561", "0562"]


def test_an_admin_names_a_network_and_sees_it_among_the_comparison_sets(
    page, live_server, organisation, org_admin, browser_login
):
    make_closed_round(organisation)
    for code in PEERS:
        peer, _created = add_organisation(code=code)
        create_department(organisation=peer, name="Förvaltningen")
        make_closed_round(peer, per_department=6)
    browser_login(page, org_admin)
    page.goto(f"{live_server.url}/o/0580/jamforelser/")
    assert page.get_by_role("heading", name="Jämförelse med andra organisationer").is_visible()
    assert page.get_by_text("B3 Större stad").first.is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Lägg till nätverk").click()
    assert_no_axe_violations(page)
    page.get_by_label("Namn").fill("Östgötanätverket")
    options = page.locator("select[name=members] option")
    names = [options.nth(i).inner_text() for i in range(options.count())]
    chosen = [
        n for n in names if any(n.startswith(p) for p in ("Boxholm", "Finspång", "Kinda", "Ydre", "Ödeshög"))
    ]
    assert len(chosen) == 5, names
    page.get_by_label("Organisationer").select_option(label=chosen)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.get_by_text("sparades med 5 organisationer").is_visible()
    assert ComparisonNetwork.objects.get(organisation=organisation).members.count() == 5

    page.goto(f"{live_server.url}/o/0580/resultat/")
    page.wait_for_selector("#comparison-chart.chart-drawn svg.main-svg", timeout=20_000)
    section = page.locator("section[aria-labelledby=comparison-heading]")
    table = section.locator("table")
    assert table.get_by_text("Nätverk: Östgötanätverket").is_visible()
    assert table.get_by_text("Alla organisationer").is_visible()
    # One box per set that has enough organisations, drawn from the stored quartiles.
    assert page.locator("#comparison-chart g.trace.boxes path.box").count() >= 3
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.wait_for_selector("#comparison-chart.chart-drawn svg.main-svg", timeout=20_000)
    assert page.locator("#comparison-chart svg.main-svg").first.bounding_box()["width"] <= 375
    assert_no_axe_violations(page)

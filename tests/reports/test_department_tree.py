# ruff: noqa: F811 - pytest fixtures imported from tests.reports.dashboard_data
"""Department tables show the tree (issue 17): rows in tree order (not alphabetical), units indented by
their depth with a CSS class, and their level said to screen readers – on the departments page, the round's
response rates, the dashboard's department tables and the annual report. The report's response-rate
section gives departments and respondent groups separate tables under their own headings."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from reports.annual_figures import build_figures
from reports.selectors.report_content import get_report_content
from reports.services import building
from surveys.access import Visibility
from surveys.models import Invitation
from surveys.services.organisations import create_department
from tests.reports.dashboard_data import build_round, default_questionnaire  # noqa: F401 - fixtures
from tests.surveys.conftest import add_invitations

pytestmark = pytest.mark.django_db

# Three levels. Alphabetically "Barn och familj" and "Hemtjänst" would come first; in tree order they stand
# under their department.
TREE = [
    ("Socialförvaltningen", 0, "1"),
    ("Barn och familj", 1, "2"),
    ("Äldreomsorg", 1, "2"),
    ("Hemtjänst", 2, "3"),
    ("Utbildningsförvaltningen", 0, "1"),
]
PLAN = {
    ("Socialförvaltningen", "Chefer"): 5,
    ("Barn och familj", "Chefer"): 5,
    ("Äldreomsorg", "Strateger"): 5,
    ("Hemtjänst", "Chefer"): 6,
    ("Utbildningsförvaltningen", "Strateger"): 7,
}


@pytest.fixture
def tree(organisation):
    """The persona organisation (Socialförvaltningen › Äldreomsorg, Utbildningsförvaltningen) with a third
    level (Äldreomsorg › Hemtjänst) and a second unit under Socialförvaltningen."""
    social = organisation.departments.get(name="Socialförvaltningen")
    elderly = organisation.departments.get(name="Äldreomsorg")
    create_department(organisation=organisation, name="Barn och familj", parent=social)
    create_department(organisation=organisation, name="Hemtjänst", parent=elderly)
    return organisation


@pytest.fixture
def tree_round(tree, default_questionnaire):
    """A closed round on the tree with stored results and invitations in every department and group."""
    round_ = build_round(tree, year=2025, questionnaire=default_questionnaire, plan=PLAN, seed=7)
    groups = {g.name: g for g in tree.respondent_groups.all()}
    for i, ((department_name, group_name), n) in enumerate(PLAN.items()):
        department = tree.departments.get(name=department_name)
        invitations = add_invitations(round_, department, groups[group_name], n + 2, prefix=f"t{i}-")
        Invitation.objects.filter(pk__in=[inv.pk for inv in invitations[:n]]).update(submitted=True)
    return round_


def tree_rows(document, rows_xpath: str) -> list[tuple[str, int, str]]:
    """(name, depth, level said to screen readers) of each department row: the name without the hook mark
    and the hidden level, the depth from the cell's tree-depth-N class (and the row's data-depth)."""
    found = []
    for row in document.xpath(rows_xpath):
        header = row.xpath("./th[@scope='row']")[0]
        classes = [c for c in header.get("class", "").split() if c.startswith("tree-depth-")]
        assert len(classes) == 1, lxml_html.tostring(header)
        depth = int(classes[0].removeprefix("tree-depth-"))
        assert int(row.get("data-depth")) == depth
        hidden = header.xpath(".//span[contains(@class, 'visually-hidden')]")
        mark = header.xpath(".//span[@aria-hidden='true']")
        level = hidden[0].text_content().strip(", ").removeprefix("nivå ") if hidden else "1"
        # A unit: the hook mark (skipped by screen readers) and its level in words; a department: neither.
        assert bool(hidden) == bool(mark) == (depth > 0)
        name = header.text_content()
        for span in [*hidden, *mark]:
            name = name.replace(span.text_content(), "")
        found.append((name.strip(), depth, level))
    return found


def test_the_departments_page_lists_the_tree_in_order_with_depth_and_level(client, tree, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("surveys:department_list", args=[tree.code]))
    assert page.status_code == 200
    document = lxml_html.fromstring(page.content.decode())
    assert tree_rows(document, "//table//tbody/tr") == TREE


def test_the_round_response_rates_list_the_tree_and_keep_groups_apart(client, tree_round, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("maturity:round_rates", args=[tree_round.organisation.code, tree_round.pk]))
    document = lxml_html.fromstring(page.content.decode())
    assert tree_rows(document, "//table[@id='rates-departments']/tbody/tr") == TREE
    groups = [th.text_content() for th in document.xpath("//table[@id='rates-groups']/tbody/tr/th")]
    assert {"Chefer", "Strateger"} <= set(groups)
    assert not {name for name, _depth, _level in TREE} & set(groups)


def test_the_dashboard_department_table_and_matrix_table_show_the_tree(client, tree_round, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("reports:dashboard", args=[tree_round.organisation.code]))
    assert page.status_code == 200
    document = lxml_html.fromstring(page.content.decode())
    assert tree_rows(document, "//table[@id='departments-table']/tbody/tr") == TREE
    # The matrix table: the organisation first (no tree row), then its departments as a tree.
    matrix = document.xpath("//table[@id='matrix-table']/tbody/tr")
    assert matrix[0].get("data-depth") is None
    assert tree_rows(document, "//table[@id='matrix-table']/tbody/tr[@data-depth]") == TREE


def test_a_unit_s_dashboard_indents_its_units_below_it(client, tree_round, org_admin):
    client.force_login(org_admin)
    social = tree_round.organisation.departments.get(name="Socialförvaltningen")
    page = client.get(
        reverse("reports:dashboard", args=[tree_round.organisation.code]) + f"?department={social.pk}"
    )
    document = lxml_html.fromstring(page.content.decode())
    assert tree_rows(document, "//table[@id='departments-table']/tbody/tr") == TREE[:4]


def _report_html(organisation) -> str:
    content = get_report_content(organisation=organisation, year=2025, visibility=Visibility.everything())
    content["figures"] = build_figures(content)
    return building.render_print_html(content, toc_pages={})


def test_the_annual_report_gives_departments_and_groups_their_own_response_rate_tables(tree_round):
    document = lxml_html.fromstring(_report_html(tree_round.organisation))
    method = document.xpath("//section[@aria-labelledby='section-method']")[0]
    departments_block = method.xpath(".//div[@data-rates='departments']")
    groups_block = method.xpath(".//div[@data-rates='groups']")
    assert len(departments_block) == len(groups_block) == 1
    assert departments_block[0].xpath("./h4")[0].text_content() == "Svarsfrekvens per förvaltning"
    assert groups_block[0].xpath("./h4")[0].text_content() == "Svarsfrekvens per respondentgrupp"
    # The department table: the organisation, then the tree; no respondent group in it.
    rows = departments_block[0].xpath(".//tbody/tr")
    assert rows[0].xpath("./th")[0].text_content() == tree_round.organisation.name
    assert tree_rows(departments_block[0], ".//tbody/tr[@data-depth]") == TREE
    department_text = departments_block[0].text_content()
    assert "Chefer" not in department_text and "Strateger" not in department_text
    # The group table: only the groups, each with its own figures.
    group_rows = groups_block[0].xpath(".//tbody/tr")
    invited = {r.xpath("./th")[0].text_content(): r.xpath("./td")[0].text_content() for r in group_rows}
    assert invited["Chefer"] == "22" and invited["Strateger"] == "16"  # each cell's respondents + 2
    assert not any(name in groups_block[0].text_content() for name, _d, _l in TREE)

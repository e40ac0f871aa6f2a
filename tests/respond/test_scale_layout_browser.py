"""The answer scale on the respondent's page in Chromium (issue 17): on a desktop (1366 px) the six points of
a statement stand on one line – their labels share one top, left to right – with the new wording; on a
phone (375 px) they stack, one under the other. axe-core and no horizontal scrolling at both widths."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.services.questionnaires import ensure_default_questionnaire
from tests.conftest import assert_fits_and_accessible
from tests.factories import DEFAULT_SCALE_SV, InvitationFactory, RoundFactory, issue_link_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCALE = DEFAULT_SCALE_SV


@pytest.fixture
def first_page(live_server, page):
    """The first page of the open default questionnaire, opened through a personal link."""
    invitation = InvitationFactory(round=RoundFactory(questionnaire=ensure_default_questionnaire()))
    page.goto(live_server.url + reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    page.goto(live_server.url + reverse("surveys:respond_page", args=[1]))
    return page


def _labels(page) -> list[dict]:
    """The six point labels of the first statement: their text and bounding box."""
    statement = page.locator("fieldset[data-statement]").first
    boxes = []
    for number in range(1, 7):
        label = statement.locator(f"label[for$='-{number}']")
        box = label.bounding_box()
        assert box is not None
        boxes.append({"text": " ".join(label.inner_text().split()), **box})
    return boxes


def test_the_six_points_share_one_line_on_a_desktop_and_stack_on_a_phone(first_page):
    page = first_page
    page.set_viewport_size({"width": 1366, "height": 900})
    labels = _labels(page)
    assert [label["text"] for label in labels] == [f"{n} {text}" for n, text in enumerate(SCALE, 1)]
    tops = [label["y"] for label in labels]
    assert max(tops) - min(tops) < 1, tops  # one line
    lefts = [label["x"] for label in labels]
    assert lefts == sorted(lefts) and len(set(lefts)) == 6  # left to right
    page.screenshot(path="/tmp/scale-1366.png")

    page.set_viewport_size({"width": 375, "height": 800})
    labels = _labels(page)
    for above, below in zip(labels, labels[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"], (above, below)  # one under the other
    page.screenshot(path="/tmp/scale-375.png")
    assert_fits_and_accessible(page)

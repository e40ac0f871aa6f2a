"""The respondent's survey in Chromium: axe-core (WCAG 2.1 A/AA) on every page, a keyboard-only walk,
320 px without horizontal scrolling, the error summary taking focus, answers saved as they are given."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import DraftAnswer, Invitation, PooledResponse, Response, Round
from tests.conftest import assert_no_axe_violations
from tests.factories import InvitationFactory, RoundFactory, build_questionnaire, issue_link_token
from tests.respond.conftest import released

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def link(live_server):
    """An open round of four pages × three statements and a personal link to it."""
    questionnaire = build_questionnaire(categories_per_dimension=2, statements_per_category=3)
    invitation = InvitationFactory(round=RoundFactory(questionnaire=questionnaire))
    token = issue_link_token(invitation)
    return {
        "url": live_server.url + reverse("surveys:respond_start", args=[token]),
        "invitation": invitation,
        "round": invitation.round,
        "base": live_server.url,
    }


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def _wait_saved(page, statement_id: int) -> None:
    page.locator(f"#s{statement_id} .save-status").filter(has_text="Sparat").wait_for()


def test_every_respondent_page_passes_axe(page, link):
    base = link["base"]
    page.goto(link["url"])
    expect(page).to_have_url(f"{base}/enkat/")  # the token has left the address bar
    expect(page.get_by_role("heading", name="Din integritet")).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Börja svara").click()
    expect(page).to_have_url(f"{base}/enkat/sida/1/")
    assert_no_axe_violations(page)  # empty

    first = page.locator("fieldset[data-statement]").first
    statement_id = int(first.get_attribute("data-statement"))
    first.get_by_label("4").check()
    _wait_saved(page, statement_id)
    page.reload()
    assert first.get_by_label("4").is_checked()
    assert_no_axe_violations(page)  # partly answered

    # A tampered value: the page comes back with an error summary that takes focus.
    second = page.locator("fieldset[data-statement]").nth(1)
    second_id = int(second.get_attribute("data-statement"))
    page.evaluate(f"document.getElementById('s{second_id}-6').value = '7'")
    page.evaluate(f"document.getElementById('s{second_id}-6').checked = true")
    page.get_by_role("button", name="Spara och gå till nästa del").click()
    expect(page).to_have_url(f"{base}/enkat/sida/1/")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Fel:"))
    assert_no_axe_violations(page)  # with an error
    summary.get_by_role("link").first.click()
    expect(page.locator(f"#s{second_id}-1")).to_be_focused()

    page.goto(f"{base}/enkat/sammanfattning/")
    assert_no_axe_violations(page)  # summary
    page.get_by_role("button", name="Skicka in mina svar").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_no_axe_violations(page)  # summary with an error
    page.get_by_label("Ja, skicka in mina svar").check()
    page.get_by_role("button", name="Skicka in mina svar").click()
    expect(page).to_have_url(f"{base}/enkat/kvitto/")
    assert_no_axe_violations(page)  # receipt
    assert PooledResponse.objects.count() == 1 and not Response.objects.exists()  # sealed in the pool

    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Redan inskickat")).to_be_visible()
    assert_no_axe_violations(page)  # already submitted


def test_error_pages_pass_axe(page, link, live_server):
    base = link["base"]
    page.goto(f"{base}/s/{'x' * 43}/")
    expect(page.get_by_role("heading", name="Länken hittades inte")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"{base}/enkat/sida/1/")  # no session
    expect(page.get_by_role("heading", name="Öppna länken igen")).to_be_visible()
    assert_no_axe_violations(page)

    from django.utils import timezone

    Invitation.objects.filter(pk=link["invitation"].pk).update(revoked_at=timezone.now())
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Länken har dragits tillbaka")).to_be_visible()
    assert_no_axe_violations(page)

    Invitation.objects.filter(pk=link["invitation"].pk).update(revoked_at=None)
    Round.objects.filter(pk=link["round"].pk).update(status="closed")
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Tack – enkäten har stängt")).to_be_visible()
    assert_no_axe_violations(page)


def test_the_closed_round_page_with_results_passes_axe(page, link):
    from surveys.models import Answer, Statement
    from surveys.models import Response as R

    round_ = link["round"]
    statements = list(Statement.objects.filter(version=round_.questionnaire))
    for n in range(5):
        response = R.objects.create(
            round=round_, department=link["invitation"].department, group=link["invitation"].group
        )
        Answer.objects.bulk_create([Answer(response=response, statement=s, value=n + 1) for s in statements])
    Round.objects.filter(pk=round_.pk).update(status="closed")
    from maturity.services.results import compute_round_results

    compute_round_results(round_id=round_.pk)  # closing freezes the results
    page.goto(link["url"])
    expect(page.get_by_role("table")).to_be_visible()
    assert "40,0\u00a0%" in page.inner_text("table")  # values 1..5: mean 3 → 40 %
    assert_no_axe_violations(page)


def test_the_open_link_page_passes_axe_empty_and_with_errors(page, live_server):
    from tests.factories import DepartmentFactory, RespondentGroupFactory

    round_ = RoundFactory(open_link_enabled=True, open_link_key="oppen-lank-for-axe-1234")
    DepartmentFactory(organisation=round_.organisation)
    RespondentGroupFactory(organisation=round_.organisation)
    page.goto(live_server.url + reverse("surveys:respond_open", args=[round_.open_link_key]))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Börja svara").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_no_axe_violations(page)


def test_the_whole_survey_can_be_completed_with_the_keyboard_alone(page, link):
    page.goto(link["url"])
    pages_done = 0
    trail = []
    checked_pages = set()
    for _ in range(400):
        active = page.evaluate(
            "(() => { const a = document.activeElement; return a ? "
            "{tag: a.tagName, type: a.type || '', name: a.name || '', text: (a.textContent || '').trim(), "
            "checked: !!a.checked, id: a.id} : null; })()"
        )
        trail.append((page.url.rsplit("/", 3)[-2:], active))
        if page.url.endswith("/enkat/kvitto/"):
            break
        if active is None:
            page.wait_for_load_state()
            continue
        if page.url not in checked_pages:  # every questionnaire page, as it first appears
            checked_pages.add(page.url)
            assert_no_axe_violations(page)
        if active["tag"] == "INPUT" and active["type"] == "radio" and not active["checked"]:
            page.keyboard.press("ArrowRight")  # moves to the next step and chooses it
            page.keyboard.press("Tab")
        elif active["tag"] == "INPUT" and active["type"] == "checkbox" and not active["checked"]:
            page.keyboard.press("Space")
            page.keyboard.press("Tab")
        elif active["text"] in (
            "Börja svara",
            "Spara och gå till nästa del",
            "Spara och granska innan du skickar in",
            "Skicka in mina svar",
        ):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            pages_done += 1
        else:
            page.keyboard.press("Tab")
    assert page.url.endswith("/enkat/kvitto/"), f"stuck at {page.url}: {trail[-25:]}"
    assert pages_done >= 6  # start, four parts, submit
    assert {u.rsplit("/", 2)[-2] for u in checked_pages} >= {"1", "2", "3", "4", "sammanfattning"}
    response = released().get()
    assert response.answers.count() == 12
    assert set(response.answers.values_list("value", flat=True)) == {2}


def test_no_horizontal_scrolling_at_320_pixels(page, link):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(link["url"])
    assert _no_horizontal_scroll(page)
    page.goto(f"{link['base']}/enkat/sida/1/")
    assert _no_horizontal_scroll(page)
    second = page.locator("fieldset[data-statement]").nth(1)
    second_id = int(second.get_attribute("data-statement"))
    page.evaluate(f"document.getElementById('s{second_id}-6').value = 'x'")
    page.evaluate(f"document.getElementById('s{second_id}-6').checked = true")
    page.get_by_role("button", name="Spara och gå till nästa del").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert _no_horizontal_scroll(page)
    page.goto(f"{link['base']}/enkat/sammanfattning/")
    assert _no_horizontal_scroll(page)


def test_answers_are_saved_as_they_are_given_and_found_on_another_device(page, link, browser):
    page.goto(link["url"])
    page.get_by_role("link", name="Börja svara").click()
    fieldsets = page.locator("fieldset[data-statement]")
    ids = [int(fieldsets.nth(i).get_attribute("data-statement")) for i in range(3)]
    fieldsets.nth(0).get_by_label("5").check()
    fieldsets.nth(1).get_by_label("Vet ej").check()
    fieldsets.nth(0).get_by_label("3").check()  # changed mind: the later answer wins
    _wait_saved(page, ids[1])
    page.wait_for_function(
        f"() => document.querySelector('#s{ids[0]} .save-status').textContent === 'Sparat'"
    )
    assert page.locator("#progress").get_attribute("value") in ("2",)  # updated by the script
    assert page.locator("#progress-count").inner_text().startswith("2 av 12")
    saved = dict(DraftAnswer.objects.values_list("statement_id", "value"))
    assert saved == {ids[0]: 3, ids[1]: None}

    other = browser.new_context(locale="sv-SE")
    try:
        phone = other.new_page()
        phone.goto(link["url"])
        assert phone.url.endswith(f"/enkat/sida/1/#s{ids[2]}")
        assert phone.locator(f"#s{ids[0]}-3").is_checked()
        assert phone.locator(f"#s{ids[1]}-dk").is_checked()
    finally:
        other.close()


def test_the_accessibility_statement_is_linked_from_the_survey_and_passes_axe(page, link):
    page.goto(link["url"])
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    expect(page.get_by_role("heading", name="Tillgänglighetsredogörelse")).to_be_visible()
    expect(page.get_by_role("heading", name="Att svara på enkäten")).to_be_visible()
    assert_no_axe_violations(page)


def _save_requests(page) -> list[str]:
    """The bodies of the requests the page sends to the save address (fetch and beacon alike, also after
    the page is gone)."""
    sent: list[str] = []
    page.context.on(
        "request",
        lambda request: (
            sent.append(request.post_data or "")
            if request.url.endswith(reverse("surveys:respond_save")) and request.method == "POST"
            else None
        ),
    )
    return sent


def _wait_for_answers(expected: dict, seconds: float = 10) -> dict:
    import time

    deadline = time.monotonic() + seconds
    while True:
        saved = dict(DraftAnswer.objects.values_list("statement_id", "value"))
        if saved == expected or time.monotonic() > deadline:
            return saved
        time.sleep(0.1)


def test_several_answers_on_a_page_go_to_the_server_in_one_request(page, link):
    page.goto(link["url"])
    page.get_by_role("link", name="Börja svara").click()
    sent = _save_requests(page)
    # A slow test machine must not split the four clicks over two periods: 6 s here instead of 3 s.
    page.locator("#answers").evaluate("form => form.setAttribute('data-save-delay', '6000')")
    fieldsets = page.locator("fieldset[data-statement]")
    ids = [int(fieldsets.nth(i).get_attribute("data-statement")) for i in range(3)]
    fieldsets.nth(0).get_by_label("2").check()
    fieldsets.nth(1).get_by_label("6").check()
    fieldsets.nth(2).get_by_label("Vet ej").check()
    fieldsets.nth(0).get_by_label("4").check()  # changed mind before it was sent
    assert sent == []  # nothing sent per click
    expect(page.locator(f"#s{ids[0]} .save-status")).to_have_text(re.compile(r"^Sparar"))
    for statement in ids:
        _wait_saved(page, statement)
    assert len(sent) == 1, sent
    assert dict(DraftAnswer.objects.values_list("statement_id", "value")) == {
        ids[0]: 4,
        ids[1]: 6,
        ids[2]: None,
    }
    assert page.locator("#progress-count").inner_text().startswith("3 av 12")


def test_closing_the_page_sends_the_unsent_answers_in_a_beacon(page, link):
    page.goto(link["url"])
    page.get_by_role("link", name="Börja svara").click()
    sent = _save_requests(page)
    fieldsets = page.locator("fieldset[data-statement]")
    ids = [int(fieldsets.nth(i).get_attribute("data-statement")) for i in range(2)]
    fieldsets.nth(0).get_by_label("5").check()
    fieldsets.nth(1).get_by_label("1").check()
    assert not DraftAnswer.objects.exists()  # not sent yet: the page waits for more changes
    assert sent == []
    page.close(run_before_unload=True)
    # Only the beacon can bring them now: the page and its timer are gone. A beacon carries no CSRF header,
    # so the server taking it shows the token travelled in the body.
    assert _wait_for_answers({ids[0]: 5, ids[1]: 1}) == {ids[0]: 5, ids[1]: 1}


def test_an_answer_given_just_before_next_is_saved(page, link):
    page.goto(link["url"])
    page.get_by_role("link", name="Börja svara").click()
    sent = _save_requests(page)
    fieldsets = page.locator("fieldset[data-statement]")
    statement = int(fieldsets.nth(2).get_attribute("data-statement"))
    fieldsets.nth(2).get_by_label("3").check()
    page.get_by_role("button", name="Spara och gå till nästa del").click()
    page.wait_for_url(re.compile(r"/enkat/sida/2/$"))
    assert dict(DraftAnswer.objects.values_list("statement_id", "value")) == {statement: 3}
    assert sent == []  # the form carried it; no save of its own raced the page

"""The respondent's pages through Django's test client: the flow, resuming, submitting, refusals."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from surveys.models import Answer, Draft, DraftAnswer, Invitation, PooledResponse, Response, Round
from surveys.views.respond import SESSION_KEY
from tests.factories import InvitationFactory, StatementFactory, issue_link_token

from .conftest import answer_page, released

pytestmark = pytest.mark.django_db

PAGE_1 = "/enkat/sida/1/"


def test_personal_link_is_swapped_for_a_session_and_leaves_the_address_bar(client, token, invitation):
    response = client.get(reverse("surveys:respond_start", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:respond_welcome")
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    # The session holds ids only (never the token): the invitation and the context a save needs.
    draft = invitation.draft
    assert client.session[SESSION_KEY] == {
        "invitation": invitation.pk,
        "draft": draft.pk,
        "round": invitation.round_id,
        "questionnaire": invitation.round.questionnaire_id,
        "organisation": invitation.round.organisation_id,
    }
    start = client.get(response["Location"])
    assert start.status_code == 200
    # The pages after the swap have forms: no Referer to other sites, and the Origin header CSRF needs.
    assert start["Referrer-Policy"] == "same-origin"
    assert "no-store" in start["Cache-Control"]
    assert token not in start.content.decode()


def test_start_page_tells_who_runs_the_survey_how_long_it_takes_and_how_anonymity_works(
    respondent, survey_round
):
    html = respondent.get(reverse("surveys:respond_welcome")).content.decode()
    assert survey_round.organisation.name in html
    assert 'id="privacy-title"' in html
    assert "12" in html  # statements
    assert f'href="{PAGE_1}"' in html


def test_each_statement_is_a_fieldset_with_a_legend_and_labelled_radios_none_checked(respondent, statements):
    html = respondent.get(PAGE_1).content.decode()
    on_page = statements[:3]
    assert html.count("<fieldset") == 3
    for statement in on_page:
        assert f"<legend>{statement.text_sv}</legend>" in html
        for value in ["1", "2", "3", "4", "5", "6", "dk"]:
            input_id = f"s{statement.pk}-{value}"
            assert f'id="{input_id}"' in html
            assert f'<label for="{input_id}">' in html
    assert " checked" not in html
    assert "Vet ej" in html


def test_next_without_javascript_saves_the_answers_and_goes_to_the_next_part(
    respondent, statements, invitation
):
    a, b, _c = statements[:3]
    response = answer_page(respondent, 1, {a.pk: "4", b.pk: "dk"})
    assert response.status_code == 302
    assert response["Location"] == "/enkat/sida/2/"
    saved = dict(
        DraftAnswer.objects.filter(draft__invitation=invitation).values_list("statement_id", "value")
    )
    assert saved == {a.pk: 4, b.pk: None}


def test_previous_saves_and_goes_back(respondent, statements, invitation):
    response = answer_page(respondent, 2, {statements[3].pk: "6"}, nav="prev")
    assert response["Location"] == PAGE_1
    assert DraftAnswer.objects.get(draft__invitation=invitation).value == 6


def test_the_page_script_saves_each_answer_as_it_is_given(respondent, statements, invitation):
    url = reverse("surveys:respond_save")
    response = respondent.post(url, {"statement": statements[0].pk, "value": "2"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "answered": 1}
    response = respondent.post(url, {"statement": statements[0].pk, "value": "5"})
    assert response.json()["answered"] == 1
    assert DraftAnswer.objects.get(draft__invitation=invitation).value == 5


def test_saved_answers_are_shown_checked_when_the_page_is_opened_again(respondent, statements):
    answer_page(respondent, 1, {statements[0].pk: "3", statements[1].pk: "dk"})
    html = respondent.get(PAGE_1).content.decode()
    assert re.search(rf'id="s{statements[0].pk}-3" value="3" checked', html)
    assert re.search(rf'id="s{statements[1].pk}-dk" value="dk" checked', html)
    assert html.count(" checked") == 2


def test_opening_the_link_again_on_another_device_resumes_at_the_first_unanswered(
    client_factory, token, statements
):
    phone = client_factory()
    phone.get(reverse("surveys:respond_start", args=[token]))
    answer_page(phone, 1, {s.pk: "5" for s in statements[:3]})
    answer_page(phone, 2, {statements[3].pk: "2"})

    laptop = client_factory()
    response = laptop.get(reverse("surveys:respond_start", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == f"/enkat/sida/2/#s{statements[4].pk}"
    html = laptop.get("/enkat/sida/2/").content.decode()
    assert f'id="s{statements[3].pk}-2" value="2" checked' in html


def test_progress_indicator_shows_part_and_answered_count(respondent, statements):
    answer_page(respondent, 1, {statements[0].pk: "1"})
    html = respondent.get("/enkat/sida/2/").content.decode()
    assert '<progress id="progress" class="w-100" max="12" value="1"' in html
    assert "Del 2 av 4" in html


def test_summary_lists_unanswered_statements_with_links_back(respondent, statements):
    answer_page(respondent, 1, {s.pk: "4" for s in statements[:3]})
    html = respondent.get(reverse("surveys:respond_summary")).content.decode()
    for statement in statements[3:]:
        assert f'#s{statement.pk}"' in html
    for statement in statements[:3]:
        assert f'#s{statement.pk}"' not in html
    assert f'href="/enkat/sida/2/#s{statements[3].pk}"' in html


def test_submitting_with_unanswered_statements_needs_a_confirmation(respondent, statements, invitation):
    answer_page(respondent, 1, {statements[0].pk: "4"})
    response = respondent.post(reverse("surveys:respond_summary"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#id_confirm"' in html
    assert not Response.objects.exists()
    assert Draft.objects.filter(invitation=invitation).exists()

    response = respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:respond_receipt")
    submitted = released().get()
    assert list(submitted.answers.values_list("statement_id", "value")) == [(statements[0].pk, 4)]


def test_a_fully_answered_survey_is_submitted_without_confirmation(respondent, statements):
    for number in range(1, 5):
        answer_page(respondent, number, {s.pk: "3" for s in statements[(number - 1) * 3 : number * 3]})
    response = respondent.post(reverse("surveys:respond_summary"), {})
    assert response.status_code == 302
    assert released().get().answers.count() == 12


def test_submitting_moves_the_answers_to_a_response_without_the_invitation(
    respondent, statements, invitation
):
    answer_page(respondent, 1, {statements[0].pk: "6", statements[1].pk: "dk"})
    respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    # Anonymous: the answers wait in the sealed pool, no response row yet.
    assert not Response.objects.exists() and PooledResponse.objects.count() == 1
    response = released().get()
    assert response.invitation_id is None
    assert (response.round_id, response.department_id, response.group_id) == (
        invitation.round_id,
        invitation.department_id,
        invitation.group_id,
    )
    assert dict(response.answers.values_list("statement_id", "value")) == {
        statements[0].pk: 6,
        statements[1].pk: None,
    }
    assert not Draft.objects.exists()
    assert not DraftAnswer.objects.exists()
    invitation.refresh_from_db()
    assert invitation.submitted is True
    assert SESSION_KEY in respondent.session and "invitation" not in respondent.session[SESSION_KEY]


def test_receipt_then_the_link_shows_already_submitted_and_never_the_answers(
    client, respondent, token, statements
):
    answer_page(respondent, 1, {statements[0].pk: "6"})
    respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    receipt = respondent.get(reverse("surveys:respond_receipt"))
    assert receipt.status_code == 200
    assert "1 av 12" in receipt.content.decode()

    again = client.get(reverse("surveys:respond_start", args=[token]), follow=True)
    html = again.content.decode()
    assert again.status_code == 200
    assert "Redan inskickat" in html
    assert statements[0].text_sv not in html and "checked" not in html
    assert respondent.get(PAGE_1).status_code == 200
    assert "Redan inskickat" in respondent.get(PAGE_1).content.decode()


def test_a_double_clicked_submit_gives_exactly_one_response(respondent, statements, invitation):
    answer_page(respondent, 1, {statements[0].pk: "2"})
    first = respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    second = respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Redan inskickat" in second.content.decode()
    assert PooledResponse.objects.count() == 1
    assert released().count() == 1
    assert Answer.objects.count() == 1


def test_two_tabs_answering_at_once_share_one_draft(client, token, statements, invitation):
    client.get(reverse("surveys:respond_start", args=[token]))
    answer_page(client, 1, {statements[0].pk: "1"}, nav="stay")  # tab 1
    client.post(reverse("surveys:respond_save"), {"statement": statements[1].pk, "value": "2"})  # tab 2
    answer_page(client, 1, {statements[0].pk: "3"}, nav="stay")  # tab 1 again, changes its answer
    assert Draft.objects.count() == 1
    saved = dict(DraftAnswer.objects.values_list("statement_id", "value"))
    assert saved == {statements[0].pk: 3, statements[1].pk: 2}


@pytest.mark.parametrize("bad", ["7", "-1", "0", "tre", "3.5", ""])
def test_a_tampered_value_is_refused_with_a_clear_message_and_nothing_is_saved(respondent, statements, bad):
    response = answer_page(respondent, 1, {statements[0].pk: "4", statements[1].pk: bad})
    if bad == "":
        # An empty value is simply "not answered": the rest is saved.
        assert response.status_code == 302
        assert dict(DraftAnswer.objects.values_list("statement_id", "value")) == {statements[0].pk: 4}
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert f'href="#s{statements[1].pk}-1"' in html
    assert f'aria-describedby="s{statements[1].pk}-error"' in html
    assert not DraftAnswer.objects.exists()

    saved = respondent.post(reverse("surveys:respond_save"), {"statement": statements[0].pk, "value": bad})
    assert saved.status_code == 400
    assert saved.json()["ok"] is False
    assert not DraftAnswer.objects.exists()


def test_a_statement_of_another_questionnaire_is_refused(respondent, statements):
    foreign = StatementFactory(text_sv="Främmande", text_en="Foreign")
    response = answer_page(respondent, 1, {statements[0].pk: "4", foreign.pk: "4"})
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    saved = respondent.post(reverse("surveys:respond_save"), {"statement": foreign.pk, "value": "4"})
    assert saved.status_code == 400
    saved = respondent.post(reverse("surveys:respond_save"), {"statement": "abc", "value": "4"})
    assert saved.status_code == 400
    assert not DraftAnswer.objects.exists()


def test_a_page_out_of_range_goes_to_the_first_page(respondent):
    assert respondent.get("/enkat/sida/99/")["Location"] == PAGE_1


def test_an_expired_session_gives_a_page_that_says_to_open_the_link_again(client, db):
    for url in [PAGE_1, reverse("surveys:respond_welcome"), reverse("surveys:respond_summary")]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Öppna länken igen" in response.content.decode()
    saved = client.post(reverse("surveys:respond_save"), {"statement": 1, "value": "4"})
    assert saved.status_code == 403
    assert saved.json()["ok"] is False
    submitted = client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert submitted.status_code == 403
    assert not Response.objects.exists()


def test_a_revoked_invitation_link_says_it_was_withdrawn(client, invitation, token):
    from django.utils import timezone

    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    response = client.get(reverse("surveys:respond_start", args=[token]), follow=True)
    assert response.status_code == 410
    assert "Länken har dragits tillbaka" in response.content.decode()
    assert not Draft.objects.exists()


def test_revoking_while_answering_stops_saving_and_submitting(respondent, invitation, statements):
    from django.utils import timezone

    answer_page(respondent, 1, {statements[0].pk: "4"})
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert (
        respondent.post(
            reverse("surveys:respond_save"), {"statement": statements[1].pk, "value": "4"}
        ).status_code
        == 409
    )
    assert respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"}).status_code == 410
    assert not Response.objects.exists()


def test_an_unknown_token_gives_a_clear_not_found_page(client, db):
    response = client.get(reverse("surveys:respond_start", args=["x" * 43]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Länken hittades inte" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in html
    assert "set_language" not in html and 'action="/i18n/setlang/"' not in html


def test_unknown_tokens_are_rate_limited_per_ip_but_valid_respondents_never(client, token, settings):
    settings.DIMIOS_UNKNOWN_TOKEN_LIMIT = 3
    statuses = [client.get(f"/s/{'y' * 42}{n}/").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert client.get("/s/zzzzzzzzzzzzzzzzzzzzzzzzzz/")["Retry-After"] == "600"
    # The same address with a valid link still gets in, as often as it likes.
    for _ in range(5):
        assert client.get(reverse("surveys:respond_start", args=[token])).status_code == 302
    # Another address is not affected.
    assert client.get(f"/s/{'y' * 43}/", REMOTE_ADDR="10.0.0.9").status_code == 404


def test_a_submit_replayed_after_the_round_closed_shows_the_thank_you_and_stores_nothing(
    respondent, survey_round, statements
):
    answer_page(respondent, 1, {statements[0].pk: "4"})
    Round.objects.filter(pk=survey_round.pk).update(status="closed")
    response = respondent.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert response.status_code == 200
    assert "Tack" in response.content.decode()
    assert not Response.objects.exists()
    assert (
        respondent.post(
            reverse("surveys:respond_save"), {"statement": statements[1].pk, "value": "4"}
        ).status_code
        == 409
    )


def _close_with_responses(survey_round, statements, count):
    from surveys.models import Answer as A
    from surveys.models import Response as R
    from tests.factories import DepartmentFactory, RespondentGroupFactory

    department = DepartmentFactory(organisation=survey_round.organisation)
    group = RespondentGroupFactory(organisation=survey_round.organisation)
    for n in range(count):
        response = R.objects.create(round=survey_round, department=department, group=group)
        A.objects.bulk_create([A(response=response, statement=s, value=(n % 6) + 1) for s in statements])
    Round.objects.filter(pk=survey_round.pk).update(status="closed")
    # Closing freezes the results, as the close service does.
    from maturity.services.results import compute_round_results

    compute_round_results(round_id=survey_round.pk)


def test_after_the_round_closes_the_link_shows_the_organisations_result_summary(
    client, token, survey_round, statements
):
    _close_with_responses(survey_round, statements, 5)
    response = client.get(reverse("surveys:respond_start", args=[token]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tack" in html
    assert 'id="results-title"' in html
    # Values 1..5 for every statement: mean 3, (3 − 1) / 5 = 40 % in both dimensions and overall.
    assert "40,0\u00a0%" in html  # a no-break space (dimios_web.formatting)


def test_a_closed_round_without_stored_results_shows_no_figures(client, token, survey_round, statements):
    _close_with_responses(survey_round, statements, 5)
    from maturity.models import RoundResult

    RoundResult.objects.filter(round=survey_round).delete()
    html = client.get(reverse("surveys:respond_start", args=[token]), follow=True).content.decode()
    assert "Tack" in html
    assert 'id="results-title"' not in html


def test_after_the_round_closes_no_figures_are_shown_below_k_responses(
    client, token, survey_round, statements
):
    _close_with_responses(survey_round, statements, 4)
    html = client.get(reverse("surveys:respond_start", args=[token]), follow=True).content.decode()
    assert "Tack" in html
    assert 'id="results-title"' not in html


def test_english_is_a_switch_kept_for_the_session(respondent):
    assert "Del 1 av 4" in respondent.get(PAGE_1).content.decode()
    response = respondent.post(reverse("set_language"), {"language": "en", "next": PAGE_1})
    assert response["Location"] == PAGE_1
    html = respondent.get(PAGE_1).content.decode()
    assert "Part 1 of 4" in html
    assert "Don&#x27;t know" in html or "Don't know" in html
    assert 'lang="en"' in html
    assert "Part 2 of 4" in respondent.get("/enkat/sida/2/").content.decode()


def test_an_invitation_in_english_starts_in_english(client, survey_round):
    invitation = InvitationFactory(round=survey_round, language="en")
    token = issue_link_token(invitation)
    client.get(reverse("surveys:respond_start", args=[token]))
    assert "Part 1 of 4" in client.get(PAGE_1).content.decode()


def test_a_round_that_is_not_anonymous_links_the_response_to_its_invitation(client, db):
    from tests.factories import RoundFactory

    named_round = RoundFactory(anonymous=False)
    invitation = InvitationFactory(round=named_round)
    token = issue_link_token(invitation)
    client.get(reverse("surveys:respond_start", args=[token]))
    client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert Response.objects.get().invitation_id == invitation.pk


def test_a_draft_round_says_the_survey_has_not_opened(client, survey_round, token):
    Round.objects.filter(pk=survey_round.pk).update(status="draft")
    response = client.get(reverse("surveys:respond_start", args=[token]), follow=True)
    assert response.status_code == 200
    assert "har inte öppnat" in response.content.decode()


# --- Open link ---------------------------------------------------------------------------------------------


@pytest.fixture
def open_round(db):
    from tests.factories import DepartmentFactory, RespondentGroupFactory, RoundFactory

    round_ = RoundFactory(open_link_enabled=True, open_link_key="oppen-lank-nyckel-1234567")
    DepartmentFactory(organisation=round_.organisation, name="Kultur")
    RespondentGroupFactory(organisation=round_.organisation, name="Chefer")
    return round_


def test_an_open_link_asks_for_department_and_role_then_answers_anonymously(client, open_round):
    from surveys.models import Statement

    link = client.get(reverse("surveys:respond_open", args=[open_round.open_link_key]))
    assert link.status_code == 302
    assert link["Referrer-Policy"] == "no-referrer"
    url = link["Location"]
    assert url == reverse("surveys:respond_open_start")
    assert client.get(url).status_code == 200
    missing = client.post(url, {})
    assert 'id="error-summary"' in missing.content.decode()
    department = open_round.organisation.departments.get(name="Kultur")
    group = open_round.organisation.respondent_groups.get(name="Chefer")
    response = client.post(url, {"department": department.pk, "group": group.pk})
    assert response["Location"] == reverse("surveys:respond_welcome")
    start = client.get(response["Location"]).content.decode()
    assert "i samma webbläsare" in start and "Inga personuppgifter" in start
    assert "e-postadress, som raderas" not in start
    draft = Draft.objects.get()
    assert draft.invitation_id is None and draft.open_key_hash
    statement = Statement.objects.filter(version=open_round.questionnaire).first()
    answer_page(client, 1, {statement.pk: "5"})
    client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    submitted = released().get()
    assert (submitted.department, submitted.group, submitted.invitation) == (department, group, None)
    assert not Draft.objects.exists()
    # Submitting again from the same session is refused.
    assert (
        "Redan inskickat"
        in client.post(reverse("surveys:respond_summary"), {"confirm": "on"}).content.decode()
    )
    assert Response.objects.count() == 1


def test_a_disabled_open_link_is_not_found(client, open_round):
    Round.objects.filter(pk=open_round.pk).update(open_link_enabled=False)
    assert client.get(reverse("surveys:respond_open", args=[open_round.open_link_key])).status_code == 404


def test_the_open_link_page_without_a_session_says_to_open_the_link_again(client, db):
    assert client.get(reverse("surveys:respond_open_start")).status_code == 403


def test_an_open_link_of_a_closed_round_shows_the_thank_you(client, open_round):
    Round.objects.filter(pk=open_round.pk).update(status="closed")
    response = client.get(reverse("surveys:respond_open", args=[open_round.open_link_key]), follow=True)
    assert "Tack" in response.content.decode()


def test_a_department_of_another_organisation_is_refused_on_the_open_link(client, open_round):
    from tests.factories import DepartmentFactory

    foreign = DepartmentFactory()
    group = open_round.organisation.respondent_groups.get(name="Chefer")
    client.get(reverse("surveys:respond_open", args=[open_round.open_link_key]))
    response = client.post(
        reverse("surveys:respond_open_start"), {"department": foreign.pk, "group": group.pk}
    )
    assert response.status_code == 200
    assert not Draft.objects.exists()


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_large_statement_ids_are_never_written_with_a_thousands_separator(client, db):
    from tests.factories import CapabilityFactory, QuestionnaireVersionFactory, RoundFactory

    version = QuestionnaireVersionFactory()
    capability = CapabilityFactory(
        category__dimension__version=version, category__version=version, version=version
    )
    StatementFactory(id=1234567, capability=capability, version=version)
    invitation = InvitationFactory(round=RoundFactory(questionnaire=version))
    client.get(reverse("surveys:respond_start", args=[issue_link_token(invitation)]))
    html = client.get(PAGE_1).content.decode()
    assert 'data-statement="1234567"' in html
    assert 'name="s1234567"' in html
    assert answer_page(client, 1, {1234567: "4"}).status_code == 302
    assert DraftAnswer.objects.get().statement_id == 1234567


def test_the_closed_round_page_uses_the_stored_results_when_they_exist(
    client, token, survey_round, statements
):
    _close_with_responses(survey_round, statements, 5)  # 40 %, results computed at close
    # Responses added after the results were frozen do not change what is shown.
    from surveys.models import Answer as A
    from surveys.models import Response as R

    extra = R.objects.create(
        round=survey_round,
        department=R.objects.first().department,
        group=R.objects.first().group,
    )
    A.objects.bulk_create([A(response=extra, statement=s, value=6) for s in statements])
    html = client.get(reverse("surveys:respond_start", args=[token]), follow=True).content.decode()
    assert "40,0\u00a0%" in html  # a no-break space (dimios_web.formatting)
    assert "Bygger på 5 svar" in html

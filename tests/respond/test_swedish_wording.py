"""Issue 17, "Swedish that reads right", on the respondent's side: the answer time the start page promises is
the one the invitation and reminder e-mails promise; one unanswered statement is "det", several "dem"; the
scale of the open default questionnaire reads as a Swedish agreement scale."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from surveys.services import invitations
from surveys.services.responding import answer_minutes
from tests.respond.conftest import answer_page

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_start_page_and_both_e_mails_promise_the_same_answer_time(respondent, survey_round, statements):
    minutes = answer_minutes(len(statements))
    html = respondent.get(reverse("surveys:respond_welcome")).content.decode()
    assert f"Det tar ungefär {minutes} minuter." in html
    for kind in ("invitation", "reminder"):
        _subject, body = invitations.preview_message(round=survey_round, kind=kind, language="sv")
        assert f"Det tar ungefär {minutes} minuter att svara" in body, body
        assert "15 minuter" not in body
        _subject, body = invitations.preview_message(round=survey_round, kind=kind, language="en")
        assert f"about {minutes} minutes" in body, body


def test_the_open_default_questionnaire_takes_eleven_minutes_everywhere():
    """31 statements at about 20 seconds each (the e-mails used to say 15 minutes, the start page 11)."""
    assert answer_minutes(31) == 11
    assert answer_minutes(1) == 1


def test_one_unanswered_statement_is_it_and_several_are_them(respondent, statements):
    answer_page(respondent, 1, {s.pk: "4" for s in statements[:3]})
    answer_page(respondent, 2, {s.pk: "4" for s in statements[3:5]})
    answer_page(respondent, 3, {s.pk: "4" for s in statements[6:9]})
    answer_page(respondent, 4, {s.pk: "4" for s in statements[9:12]})
    html = respondent.get(reverse("surveys:respond_summary")).content.decode()
    assert "1 påstående är inte besvarat" in html
    assert "Du kan svara på det nu eller skicka in ändå – då räknas det som obesvarat." in html
    assert "svara på dem" not in html
    response = respondent.post(reverse("surveys:respond_summary"), {})
    html = response.content.decode()
    assert (
        "1 påstående är inte besvarat. Bekräfta att du vill skicka in ändå, eller gå tillbaka och svara "
        "på det." in html
    )


def test_several_unanswered_statements_are_them(respondent, statements):
    answer_page(respondent, 1, {statements[0].pk: "4"})
    html = respondent.get(reverse("surveys:respond_summary")).content.decode()
    assert "11 påståenden är inte besvarade" in html
    assert "Du kan svara på dem nu eller skicka in ändå – då räknas de som obesvarade." in html

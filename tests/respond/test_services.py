"""The respondent's services directly: all-or-nothing saves, submit refusals that leave nothing changed, and
the database constraints that back them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dimios_web.exceptions import DomainError
from surveys.models import Answer, Draft, DraftAnswer, Invitation, Response, Round
from surveys.services import responding
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(invitation):
    return responding.start_response(invitation=invitation)


def test_starting_records_the_day_and_opening_again_finds_the_same_draft(invitation):
    first = responding.start_response(invitation=invitation)
    again = responding.start_response(
        invitation=Invitation.objects.select_related("round").get(pk=invitation.pk)
    )
    assert first.pk == again.pk
    assert Invitation.objects.get(pk=invitation.pk).started_on == timezone.localdate()


@pytest.mark.parametrize("bad", [0, 7, -1, True, "4", 3.0])
def test_a_value_off_the_scale_is_refused_and_nothing_is_saved(draft, statements, bad):
    with pytest.raises(DomainError) as refused:
        responding.save_answers(draft=draft, answers={statements[0].pk: 4, statements[1].pk: bad})
    assert refused.value.code == responding.INVALID_ANSWER
    assert not DraftAnswer.objects.exists()


def test_one_foreign_statement_makes_the_whole_save_fail(draft, statements):
    foreign = StatementFactory()
    with pytest.raises(DomainError):
        responding.save_answers(draft=draft, answers={statements[0].pk: 4, foreign.pk: 4})
    assert not DraftAnswer.objects.exists()


def test_saving_again_replaces_the_answer_and_dont_know_is_stored_as_null(draft, statements):
    assert responding.save_answers(draft=draft, answers={statements[0].pk: 2}) == 1
    assert responding.save_answers(draft=draft, answers={statements[0].pk: None, statements[1].pk: 6}) == 2
    assert dict(DraftAnswer.objects.values_list("statement_id", "value")) == {
        statements[0].pk: None,
        statements[1].pk: 6,
    }


def test_a_submit_in_a_closed_round_is_refused_and_the_invitation_stays_unsubmitted(draft, survey_round):
    Round.objects.filter(pk=survey_round.pk).update(status="closed")
    with pytest.raises(DomainError) as refused:
        responding.submit_response(draft=draft, confirm_unanswered=True)
    assert refused.value.code == responding.ROUND_NOT_OPEN
    assert Invitation.objects.get(pk=draft.invitation_id).submitted is False  # the claim was rolled back
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert not Response.objects.exists()


def test_a_submit_of_a_revoked_invitation_is_refused(draft):
    Invitation.objects.filter(pk=draft.invitation_id).update(revoked_at=timezone.now())
    with pytest.raises(DomainError) as refused:
        responding.submit_response(draft=draft, confirm_unanswered=True)
    assert refused.value.code == responding.REVOKED
    assert not Response.objects.exists()


def test_without_confirmation_unanswered_statements_stop_the_submit(draft, statements):
    responding.save_answers(draft=draft, answers={statements[0].pk: 3})
    with pytest.raises(DomainError) as refused:
        responding.submit_response(draft=draft)
    assert refused.value.code == responding.CONFIRM_UNANSWERED
    assert refused.value.field == "confirm"
    assert Invitation.objects.get(pk=draft.invitation_id).submitted is False
    assert not Response.objects.exists()


def test_saving_after_the_submit_is_refused(draft, statements):
    responding.submit_response(draft=draft, confirm_unanswered=True)
    with pytest.raises(DomainError) as refused:
        responding.save_answers(draft=draft, answers={statements[0].pk: 3})
    assert refused.value.code == responding.ALREADY_SUBMITTED
    assert not DraftAnswer.objects.exists()


def test_an_open_link_draft_needs_a_department_and_group_of_the_round_organisation(survey_round):
    from tests.factories import DepartmentFactory, RespondentGroupFactory

    own_group = RespondentGroupFactory(organisation=survey_round.organisation)
    with pytest.raises(DomainError):
        responding.start_open_response(round=survey_round, department=DepartmentFactory(), group=own_group)
    assert not Draft.objects.exists()


def test_the_database_refuses_values_off_the_scale_and_a_second_answer_to_a_statement(draft, statements):
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftAnswer.objects.create(draft=draft, statement=statements[0], value=7)
    response = Response.objects.create(
        round=draft.round, department=draft.invitation.department, group=draft.invitation.group
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, statement=statements[0], value=0)
    Answer.objects.create(response=response, statement=statements[0], value=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, statement=statements[0], value=5)


@pytest.fixture
def flaky_bulk_create(monkeypatch):
    """The write of a save's answers (``_save_in_one_statement``) fails with "database is locked" the first
    ``n`` times, as SQLite's busy database refuses the statement."""
    from django.db import OperationalError

    from surveys.services import responding as module

    original = module._save_in_one_statement
    state = {"failures": 0, "calls": 0}

    def install(n):
        def write_answers(*args, **kwargs):
            state["calls"] += 1
            if state["calls"] <= n:
                raise OperationalError("database is locked")
            return original(*args, **kwargs)

        monkeypatch.setattr(module, "_save_in_one_statement", write_answers)
        return state

    return install


@pytest.mark.django_db(transaction=True)
def test_a_momentarily_busy_database_is_retried_and_the_answer_saved(
    invitation, statements, flaky_bulk_create
):
    draft = responding.start_response(invitation=invitation)
    state = flaky_bulk_create(2)
    assert responding.save_answers(draft=draft, answers={statements[0].pk: 5}) == 1
    assert state["calls"] == 3
    assert DraftAnswer.objects.get().value == 5


@pytest.mark.django_db(transaction=True)
def test_a_database_that_stays_busy_gives_a_try_again_message_not_an_error_page(
    client, token, statements, flaky_bulk_create
):
    from django.urls import reverse

    client.get(reverse("surveys:respond_start", args=[token]))
    flaky_bulk_create(100)
    saved = client.post(reverse("surveys:respond_save"), {"statement": statements[0].pk, "value": "4"})
    assert saved.status_code == 503
    assert "försök igen" in saved.json()["message"]
    page = client.post(
        reverse("surveys:respond_page", args=[1]), {f"s{statements[0].pk}": "4", "nav": "next"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="error-summary"' in html
    assert f'id="s{statements[0].pk}-4" value="4" checked' in html  # what was chosen is kept on the page
    assert not DraftAnswer.objects.exists()


def test_a_department_or_group_with_a_pooled_response_cannot_be_deleted(invitation, statements):
    from surveys.services.organisations import delete_department, delete_respondent_group

    draft = responding.start_response(invitation=invitation)
    responding.save_answers(draft=draft, answers={statements[0].pk: 3})
    responding.submit_response(draft=draft, confirm_unanswered=True)
    with pytest.raises(DomainError):
        delete_department(department=invitation.department)
    with pytest.raises(DomainError):
        delete_respondent_group(group=invitation.group)


def test_closing_the_round_releases_the_pool_so_the_results_include_every_submitted_answer(
    questionnaire, statements
):
    """No worker runs here: the close itself releases the pool before it computes the results."""
    from maturity.models import RoundResult
    from maturity.services.closing import close_round
    from surveys.models import PooledResponse
    from tests.factories import InvitationFactory, RoundFactory

    round_ = RoundFactory(questionnaire=questionnaire, status="open", anonymous=True)
    first = InvitationFactory(round=round_)
    for value in (2, 3, 4, 5, 6):
        invitation = InvitationFactory(round=round_, department=first.department, group=first.group)
        draft = responding.start_response(invitation=invitation)
        responding.save_answers(draft=draft, answers={statements[0].pk: value})
        responding.submit_response(draft=draft, confirm_unanswered=True)
    assert PooledResponse.objects.count() == 5 and not Response.objects.exists()
    close_round(round=round_)
    assert not PooledResponse.objects.exists()
    organisation = RoundResult.objects.get(round=round_, scope_key="organisation")
    assert organisation.n_respondents == 5
    assert organisation.figures["statements"][statements[0].code]["mean"] == 4.0

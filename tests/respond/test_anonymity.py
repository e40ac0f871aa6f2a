"""In an anonymous round nothing leads from a submitted response back to the invitation, its e-mail address
or its link token: not the response row, not its answers, not the SQL that wrote them."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Answer, Invitation, InvitationToken, Response
from surveys.tokens import hash_token

from .conftest import answer_page

pytestmark = pytest.mark.django_db


def _submit(client, statements):
    answer_page(client, 1, {statements[0].pk: "5", statements[1].pk: "dk"})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert response.status_code == 302
    return captured.captured_queries


def test_no_query_from_invitation_email_or_token_reaches_the_response(
    respondent, statements, invitation, token
):
    queries = _submit(respondent, statements)
    identifying = [invitation.email, token, hash_token(token), invitation.name or invitation.email]
    writes = [q["sql"] for q in queries if re.match(r'\s*INSERT INTO "surveys_(response|answer)"', q["sql"])]
    assert len(writes) == 2  # the response and its answers
    for sql in writes:
        for secret in identifying:
            assert secret not in sql
    response_insert = writes[0]
    assert '"invitation_id"' in response_insert
    # The one reference column is written as NULL.
    columns = re.search(r"\((.*?)\) VALUES", response_insert).group(1).replace('"', "").split(", ")
    values = re.search(r"VALUES \((.*)\)", response_insert).group(1)
    assert (
        dict(zip(columns, [v.strip() for v in values.split(", ")], strict=False))["invitation_id"] == "NULL"
    )


def test_the_stored_response_carries_department_group_and_round_and_nothing_of_the_invitation(
    respondent, statements, invitation, token
):
    _submit(respondent, statements)
    response = Response.objects.get()
    assert response.invitation_id is None
    assert not Response.objects.filter(invitation=invitation).exists()
    assert (
        not hasattr(Invitation.objects.get(pk=invitation.pk), "response")
        or Invitation.objects.filter(pk=invitation.pk, response__isnull=False).count() == 0
    )
    stored = {f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}
    assert set(stored) == {
        "id",
        "invitation_id",
        "round_id",
        "department_id",
        "group_id",
        "submitted_on",
        "external_id",
    }
    # A random key and a date (not a time): neither the order nor the moment of submission can be matched
    # against the ledger.
    assert response.pk.version == 4
    assert type(response.submitted_on).__name__ == "date"
    for value in stored.values():
        assert str(value) not in {invitation.email, token, hash_token(token)}
    answer_columns = {f.attname for f in Answer._meta.concrete_fields}
    assert answer_columns == {"id", "response_id", "statement_id", "value"}
    # The ledger only knows that the invitation is done; its tokens remain but lead nowhere.
    invitation.refresh_from_db()
    assert invitation.submitted is True
    assert InvitationToken.objects.filter(invitation=invitation).exists()


def test_the_session_no_longer_names_the_invitation_after_submitting(respondent, statements):
    from django.contrib.sessions.models import Session

    _submit(respondent, statements)
    for session in Session.objects.all():
        assert "invitation" not in session.get_decoded().get("dimios_respondent", {})

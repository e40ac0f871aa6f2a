"""In an anonymous round nothing leads from a submitted response back to the invitation, its e-mail address
or its link token: not the response row, not its answers, not the SQL that wrote them, not the response
pool they wait in. (What a reader of a PostgreSQL database can see – transaction ids, physical and id
order – is tested in test_database_reader.py.)"""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Answer, InvitationToken, PooledResponse, Response
from surveys.sealing import SealBroken, unseal
from surveys.services.pool import release_pool
from surveys.tokens import hash_token

from .conftest import answer_page, released

pytestmark = pytest.mark.django_db


def _submit(client, statements):
    answer_page(client, 1, {statements[0].pk: "5", statements[1].pk: "dk"})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("surveys:respond_summary"), {"confirm": "on"})
    assert response.status_code == 302
    return captured.captured_queries


def test_submitting_writes_no_response_only_a_sealed_pool_row_with_no_reference_back(
    respondent, statements, invitation, token
):
    queries = _submit(respondent, statements)
    sql = [q["sql"] for q in queries]
    assert not [q for q in sql if re.match(r'\s*INSERT INTO "surveys_(response|answer)"', q)]
    pool_inserts = [q for q in sql if re.match(r'\s*INSERT INTO "surveys_pooledresponse"', q)]
    assert len(pool_inserts) == 1
    columns = re.search(r"\((.*?)\) VALUES", pool_inserts[0]).group(1).replace('"', "").split(", ")
    assert set(columns) == {"id", "round_id", "department_id", "group_id", "sealed"}
    for secret in [invitation.email, token, hash_token(token)]:
        assert secret not in pool_inserts[0]
    pooled = PooledResponse.objects.get()
    sealed = bytes(pooled.sealed)
    # What a reader of the database sees: a Fernet token, not the answers – and no time in it either.
    with pytest.raises(ValueError):
        json.loads(sealed)
    assert b"answers" not in sealed and b"answers" not in base64.urlsafe_b64decode(sealed)
    assert base64.urlsafe_b64decode(sealed)[1:9] == bytes(8)  # the token's timestamp field is zero
    assert unseal(pooled.sealed) == {"answers": [[statements[0].pk, 5], [statements[1].pk, None]]}
    assert (pooled.round_id, pooled.department_id, pooled.group_id) == (
        invitation.round_id,
        invitation.department_id,
        invitation.group_id,
    )


def test_a_released_response_carries_department_group_and_round_and_nothing_of_the_invitation(
    respondent, statements, invitation, token
):
    _submit(respondent, statements)
    response = released().get()
    assert response.invitation_id is None
    assert not Response.objects.filter(invitation=invitation).exists()
    stored = {f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}
    # No time at all, and a random key: neither the order nor the moment of submission can be matched
    # against the ledger.
    assert set(stored) == {"id", "invitation_id", "round_id", "department_id", "group_id", "external_id"}
    assert response.pk.version == 4
    for value in stored.values():
        assert str(value) not in {invitation.email, token, hash_token(token)}
    answer_columns = {f.attname for f in Answer._meta.concrete_fields}
    assert answer_columns == {"id", "response_id", "statement_id", "value"}
    assert not PooledResponse.objects.exists()
    # The ledger only knows that the invitation is done; its tokens remain but lead nowhere.
    invitation.refresh_from_db()
    assert invitation.submitted is True
    assert InvitationToken.objects.filter(invitation=invitation).exists()


def test_the_release_touches_nothing_on_the_identity_side(respondent, statements, survey_round):
    _submit(respondent, statements)
    with CaptureQueriesContext(connection) as captured:
        release_pool(round_id=survey_round.pk, final=True)
    identity = ("surveys_invitation", "surveys_draft", "django_session", "surveys_auditevent")
    for query in captured.captured_queries:
        for table in identity:
            assert table not in query["sql"], query["sql"]
    assert Response.objects.count() == 1


def test_a_pooled_response_opens_after_the_secret_key_is_rotated(respondent, statements, settings):
    _submit(respondent, statements)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-test"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert released().get().answers.count() == 2


def test_a_pooled_response_cannot_be_opened_without_the_secret_key(respondent, statements, settings):
    _submit(respondent, statements)
    settings.SECRET_KEY = "not-the-key-it-was-sealed-with"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SealBroken):
        unseal(PooledResponse.objects.get().sealed)


def test_the_session_no_longer_names_the_invitation_after_submitting(respondent, statements):
    from django.contrib.sessions.models import Session

    _submit(respondent, statements)
    for session in Session.objects.all():
        assert "invitation" not in session.get_decoded().get("dimios_respondent", {})

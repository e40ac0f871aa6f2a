"""Two tabs and double clicks at the same moment, on PostgreSQL (real row locks, real parallel
transactions): exactly one response, one draft, and no answer lost or half-saved."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dimios_web.exceptions import DomainError
from surveys.models import Answer, Draft, DraftAnswer, Invitation, PooledResponse
from surveys.services import responding
from tests.conftest import require_postgres
from tests.respond.conftest import released

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 8


def _run_at_once(func, count: int = PARALLEL) -> list:
    """Run ``func(i)`` in ``count`` threads released together; return each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i):
        try:
            barrier.wait()
            results[i] = func(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def test_submits_at_the_same_moment_make_exactly_one_response(invitation, statements):
    draft = responding.start_response(invitation=invitation)
    responding.save_answers(draft=draft, answers={s.pk: 4 for s in statements[:5]})

    # Each "request" has loaded the draft before any of them submits.
    loaded = [Draft.objects.select_related("round").get(pk=draft.pk) for _ in range(PARALLEL)]

    def submit(i):
        return responding.submit_response(draft=loaded[i], confirm_unanswered=True)

    results = _run_at_once(submit)
    receipts = [r for r in results if isinstance(r, responding.Receipt)]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(receipts) == 1, results
    assert len(refusals) == PARALLEL - 1, results
    assert {r.code for r in refusals} == {responding.ALREADY_SUBMITTED}
    assert PooledResponse.objects.count() == 1
    assert released().count() == 1
    assert Answer.objects.count() == 5
    assert not Draft.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).submitted is True


def test_a_double_clicked_submit_over_http_makes_exactly_one_response(client, token, statements):
    client.get(reverse("surveys:respond_start", args=[token]))
    client.post(reverse("surveys:respond_save"), {"statement": statements[0].pk, "value": "6"})
    cookie = client.cookies["sessionid"].value

    def click(_i):
        tab = Client()
        tab.cookies["sessionid"] = cookie
        return tab.post(reverse("surveys:respond_summary"), {"confirm": "on"}).status_code

    statuses = _run_at_once(click, 4)
    assert sorted(statuses) == [200, 200, 200, 302], statuses  # one receipt, three "already submitted"
    assert released().count() == 1
    assert list(Answer.objects.values_list("value", flat=True)) == [6]


@pytest.fixture(params=[0, 60], ids=["new connections", "kept connections, prepared saves"])
def connections_kept(request, monkeypatch):
    """Run with a new database connection per request, and with kept ones (CONN_MAX_AGE, as in the compose
    file), where the save is a prepared statement: the thread's connections read the same settings."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", request.param)
    used: list[str] = []
    prepared = responding._prepared

    def spy(*args, **kwargs):
        name = prepared(*args, **kwargs)
        used.append(name)
        return name

    monkeypatch.setattr(responding, "_prepared", spy)
    yield used
    assert used, "no save ran"
    assert all(used) if request.param else not any(used), used


def test_two_tabs_saving_at_once_keep_one_draft_and_every_answer(client, token, statements, connections_kept):
    client.get(reverse("surveys:respond_start", args=[token]))
    cookie = client.cookies["sessionid"].value

    def save(i):
        tab = Client()
        tab.cookies["sessionid"] = cookie
        return tab.post(
            reverse("surveys:respond_save"), {"statement": statements[i].pk, "value": str(i % 6 + 1)}
        )

    results = _run_at_once(save)
    assert [r.status_code for r in results] == [200] * PARALLEL
    assert Draft.objects.count() == 1
    assert dict(DraftAnswer.objects.values_list("statement_id", "value")) == {
        statements[i].pk: i % 6 + 1 for i in range(PARALLEL)
    }


def test_opening_the_link_in_many_tabs_at_once_creates_one_draft(token, invitation):
    def open_link(_i):
        return Client().get(reverse("surveys:respond_start", args=[token])).status_code

    assert _run_at_once(open_link) == [302] * PARALLEL
    assert Draft.objects.filter(invitation=invitation).count() == 1


def test_saving_while_another_tab_submits_is_either_in_the_response_or_refused(
    client, token, statements, connections_kept
):
    client.get(reverse("surveys:respond_start", args=[token]))
    client.post(reverse("surveys:respond_save"), {"statement": statements[0].pk, "value": "1"})
    cookie = client.cookies["sessionid"].value

    def act(i):
        tab = Client()
        tab.cookies["sessionid"] = cookie
        if i == 0:
            return tab.post(reverse("surveys:respond_summary"), {"confirm": "on"}).status_code
        return tab.post(
            reverse("surveys:respond_save"), {"statement": statements[i].pk, "value": "3"}
        ).status_code

    statuses = _run_at_once(act, 6)
    assert statuses[0] == 302
    response = released().get()
    stored = set(response.answers.values_list("statement_id", flat=True))
    for i, status in enumerate(statuses[1:], start=1):
        # A save that was acknowledged made it into the response; a refused one did not.
        assert (status == 200) == (statements[i].pk in stored), (i, status, stored)
        assert status in (200, 403, 409)
    assert not Draft.objects.exists()
    assert not DraftAnswer.objects.exists()

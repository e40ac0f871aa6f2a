"""The session store (dimios_web/session_store.py): Django's database sessions, read with one plain query,
with the stock backend's behaviour for expired, unknown and tampered sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dimios_web.session_store import SessionStore

pytestmark = pytest.mark.django_db


def _stored(data: dict, *, expires_in: timedelta = timedelta(hours=1)) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_the_product_uses_it():
    assert settings.SESSION_ENGINE == "dimios_web.session_store"


def test_a_session_is_read_in_one_plain_query():
    key = _stored({"dimios_respondent": {"draft": 7, "round": 3}})
    with CaptureQueriesContext(connection) as captured:
        assert SessionStore(key).load() == {"dimios_respondent": {"draft": 7, "round": 3}}
    assert len(captured) == 1
    assert captured.captured_queries[0]["sql"].lstrip().upper().startswith("SELECT SESSION_DATA FROM")


def test_an_expired_session_is_not_read_and_its_key_is_dropped():
    key = _stored({"a": 1}, expires_in=timedelta(seconds=-1))
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None
    store["b"] = 2
    store.save()
    assert store.session_key != key  # a new session, not the expired one brought back


def test_an_unknown_key_reads_nothing():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


def test_tampered_session_data_reads_as_empty():
    key = _stored({"a": 1})
    Session.objects.filter(session_key=key).update(session_data="forged:data")
    assert SessionStore(key).load() == {}


def test_writing_cycling_and_deleting_are_the_stock_backends():
    key = _stored({"a": 1})
    store = SessionStore(key)
    store.load()
    store.cycle_key()
    assert store.session_key != key
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(store.session_key).load() == {"a": 1}
    store.delete()
    assert not Session.objects.exists()

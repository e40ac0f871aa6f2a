"""Django's database sessions (``django.contrib.sessions.backends.db``), with the session read as one plain
query.

Every respondent request reads its session, and the save is the most frequent request of the product:
the stock backend builds the read through the ORM (a queryset, a model instance), which cost about five
times the query itself (docs/performance.md, "Respondent path"). Everything else (writing, cycling keys,
deleting, ``clearsessions``) is the stock backend's."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session row if it exists and has not expired, else None (and the key is dropped, as the
        stock backend does, so a new session gets a new key)."""
        model, key = self.model, self.session_key
        if key is None:
            return None
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {connection.ops.quote_name(model._meta.db_table)} "
                "WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=key, session_data=row[0])

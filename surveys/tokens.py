"""Secrets for personal survey links. Only the SHA-256 hash of a token is ever stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.utils.crypto import salted_hmac

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG (at least 128 are required)


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store for it."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- The save token of a questionnaire page -----------------------------------------------------------
# The page carries the respondent's context (draft, round, questionnaire, owner), signed and bound to the
# session's key, so that an autosave needs neither the session's row nor a lookup: the HttpOnly session
# cookie and the page's token are both needed, and the save's own statement checks in the database that
# the draft may still be answered (docs/performance.md, "Respondent path"). The token is also the save's
# proof against cross-site request forgery (surveys/views/respond.py ``respond_save``).
#
# Its form: ``draft.round.questionnaire.invitation.open key hash.issued.mac``, the MAC an HMAC-SHA256 over
# the session key and the rest, with a key derived once a process from SECRET_KEY (django.core.signing's
# JSON, base64 and per-call key derivation were most of a save's own time). A token older than the session
# cookie's lifetime, from another session, or signed with an earlier SECRET_KEY is no token: the save then
# reads the session and passes Django's CSRF check instead.
SAVE_TOKEN_SALT = "dimios.respond.save"
_keys: dict[str, bytes] = {}


def _key() -> bytes:
    secret = settings.SECRET_KEY
    key = _keys.get(secret)
    if key is None:
        key = _keys.setdefault(secret, salted_hmac(SAVE_TOKEN_SALT, "save token key", secret=secret).digest())
    return key


def _mac(session_key: str, payload: str) -> str:
    digest = hmac.new(_key(), f"{session_key}|{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def save_token(context: list, session_key: str, *, issued: int | None = None) -> str:
    """``context`` is [draft id, round id, questionnaire id, invitation id or None, open key hash or ""]."""
    draft, round_id, questionnaire, invitation, open_key_hash = context
    stamp = int(time.time()) if issued is None else issued
    payload = (
        f"{int(draft)}.{int(round_id)}.{int(questionnaire)}.{'' if invitation is None else int(invitation)}"
    )
    payload += f".{open_key_hash or ''}.{stamp}"
    return f"{payload}.{_mac(session_key, payload)}"


def read_save_token(token: str, session_key: str | None) -> list | None:
    """The context a token was made with, or None (no session, another session, tampered or too old)."""
    if not token or not session_key or len(token) > 400:
        return None
    payload, _dot, mac = token.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(session_key, payload)):
        return None
    try:
        draft, round_id, questionnaire, invitation, open_key_hash, stamp = payload.split(".")
        age = time.time() - int(stamp)
        if not -60 <= age <= settings.SESSION_COOKIE_AGE:
            return None
        return [
            int(draft),
            int(round_id),
            int(questionnaire),
            int(invitation) if invitation else None,
            open_key_hash,
        ]
    except ValueError:
        return None

"""Secrets for personal survey links. Only the SHA-256 hash of a token is ever stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core import signing

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
# the draft may still be answered (docs/performance.md, "Respondent path").
SAVE_TOKEN_SALT = "dimios.respond.save"


def save_token(context: list, session_key: str) -> str:
    return signing.dumps(context, salt=f"{SAVE_TOKEN_SALT}:{session_key}")


def read_save_token(token: str, session_key: str | None) -> list | None:
    """The context a token was signed with, or None (no session, another session, tampered or too old)."""
    if not token or not session_key:
        return None
    try:
        value = signing.loads(
            token, salt=f"{SAVE_TOKEN_SALT}:{session_key}", max_age=settings.SESSION_COOKIE_AGE
        )
    except signing.BadSignature:
        return None
    return value if isinstance(value, list) else None

"""Sealed (encrypted and authenticated) payloads for the response pool.

A pooled response shares a transaction id with the invitation it came from for as long as it waits in the
pool (docs/respondent-privacy.md), so its answers are sealed with Fernet (AES-128-CBC with HMAC-SHA256, from
the ``cryptography`` library): a reader of the database learns that somebody submitted, never what. The key
is derived from ``SECRET_KEY`` (and ``SECRET_KEY_FALLBACKS``, so that rotating the secret key does not
strand responses still in the pool) and never stored in the database.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_CONTEXT = b"dimios-response-pool-v1:"


class SealBroken(Exception):
    """A sealed payload could not be opened with any of the keys (a wrong or rotated-away secret key, or a
    tampered row)."""


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(_CONTEXT + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def seal(payload: dict) -> bytes:
    # A Fernet token carries its creation time in clear; a fixed time keeps the moment of submission out.
    return _keys().encrypt_at_time(json.dumps(payload, separators=(",", ":")).encode(), current_time=0)


def unseal(token: bytes | memoryview) -> dict:
    try:
        return json.loads(_keys().decrypt(bytes(token)))
    except InvalidToken as error:
        raise SealBroken("a pooled response cannot be opened with the current secret keys") from error

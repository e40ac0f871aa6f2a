"""The address of the client behind the reverse proxies we trust (issue 11).

Each proxy appends the address it received the request from to ``X-Forwarded-For``; whatever the client
itself wrote there comes first and cannot be trusted. With ``DIMIOS_TRUSTED_PROXIES = n`` proxies in front
of the web process, the client is the n-th address from the right (the one the outermost trusted proxy
saw). With 0 (the default) the header is ignored and ``REMOTE_ADDR`` is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [v6]:port
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:  # v4:port
        address = address.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    trusted = int(getattr(settings, "DIMIOS_TRUSTED_PROXIES", 0) or 0)
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    # Fewer entries than trusted proxies: the request skipped some; the leftmost is still proxy-written.
    candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    return _valid(candidate) or remote

"""Fixtures for the identity tests: a real OpenID Connect provider (oidc-provider-mock, a Flask/authlib server
in a thread on loopback) and helpers that walk a browser-less login through it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests


@dataclass
class OIDCProvider:
    url: str

    def set_user(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        response.raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """The user picks ``sub`` on the provider's page: returns where the provider sends the browser."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@pytest.fixture
def oidc_provider() -> Iterator[OIDCProvider]:
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield OIDCProvider(url=f"http://localhost:{server.server_port}")


@pytest.fixture
def oidc_login(db, organisation, oidc_provider):
    """The organisation logs in through the provider (client id dimios-test, domain kommun.example)."""
    from dimios_web.identity.models import OrganisationLogin

    return OrganisationLogin.objects.create(
        organisation=organisation,
        protocol=OrganisationLogin.Protocol.OIDC,
        allowed_domains="kommun.example",
        oidc_issuer=oidc_provider.url,
        oidc_client_id="dimios-test",
        oidc_client_secret="test-secret",
    )


def sso_round_trip(client, provider: OIDCProvider, *, email: str, sub: str | None = None, **claims):
    """Start single sign-on on our login page with ``email``, log in at the provider as ``sub`` with these
    claims, and follow the provider's redirect back to us. Returns our final response."""
    sub = sub or email
    provider.set_user(sub, **{"email": email, "email_verified": True, **claims})
    start = client.post("/konto/sso/", {"email": email})
    assert start.status_code == 302, start.content[:500]
    back = provider.authorize(start["Location"], sub)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}", follow=True)

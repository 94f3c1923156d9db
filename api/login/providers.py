"""Authlib OAuth clients for the configured identity providers.

Owns: turning an `IdentityProvider` row (as a `ProviderConfig` snapshot) into an
Authlib Starlette client for the authorization-code flow with PKCE S256, nonce
and the `openid profile email` scope, and the discovery/RFC 9207 issuer checks
Authlib does not make.
Does not own: IdP configuration (`api.login.service`), the callback's decisions
(`api.login.router`), sessions.
Invariant: a client is only ever used for the exact row values it was built from.
Authlib's `OAuth.register()` returns its cached client for a known name even when
the secret or issuer changed (`oauth._clients`), so we never share one `OAuth`
registry across rows: each cached client is keyed by a fingerprint of the row
(id, issuer, client id, secret) and rebuilt after `CLIENT_TTL_SECONDS` so the
discovery document (which Authlib loads once per client) is refreshed."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth
from fastapi import FastAPI

from api.config import Settings

SCOPE = "openid profile email"
CLIENT_TTL_SECONDS = 3600.0
HTTP_TIMEOUT_SECONDS = 10.0


def discovery_url(issuer: str) -> str:
    # OIDC Discovery §4: strip a terminating "/" before appending the well-known path.
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def callback_url(settings: Settings, name: str) -> str:
    """The redirect URI for one IdP. Built from the configured public URL, never
    from the request's Host header, and distinct per IdP (RFC 9700 §4.4.2 mix-up
    defence: a code can only arrive at the route of the IdP that issued it)."""
    return f"{settings.public_url.rstrip('/')}/auth/{name}/callback"


def login_url(settings: Settings, name: str) -> str:
    return f"{settings.public_url.rstrip('/')}/login/{name}"


def _transport_errors() -> tuple[type[Exception], ...]:
    # Authlib 1.9's httpx integration uses httpx2 when it is installed (falling back
    # to httpx); their exception types are unrelated, so catch both.
    errors: list[type[Exception]] = [httpx.HTTPError]
    with contextlib.suppress(ImportError, AttributeError):
        errors.append(importlib.import_module("httpx2").HTTPError)
    return tuple(errors)


TRANSPORT_ERRORS = _transport_errors()


@dataclass(frozen=True)
class ProviderConfig:
    """A snapshot of one enabled `IdentityProvider` row, usable outside its session."""

    id: int
    name: str
    issuer: str
    client_id: str
    client_secret: str
    organization_id: int
    organization_slug: str
    organization_name: str
    default_role: str

    @property
    def fingerprint(self) -> str:
        material = "\x00".join(
            (str(self.id), self.name, self.issuer, self.client_id, self.client_secret)
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"ProviderConfig(name={self.name!r}, issuer={self.issuer!r})"


class ProviderClients:
    """Per-IdP Authlib clients, cached by row fingerprint (see the module docstring)."""

    def __init__(self, ttl_seconds: float = CLIENT_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._clients: dict[str, tuple[str, float, Any]] = {}

    def client_for(self, provider: ProviderConfig) -> Any:
        cached = self._clients.get(provider.name)
        now = time.monotonic()
        if (
            cached is not None
            and cached[0] == provider.fingerprint
            and now - cached[1] < self.ttl_seconds
        ):
            return cached[2]
        client = self._build(provider)
        self._clients[provider.name] = (provider.fingerprint, now, client)
        return client

    def forget(self, name: str) -> None:
        self._clients.pop(name, None)

    @staticmethod
    def _build(provider: ProviderConfig) -> Any:
        # A fresh registry per client: Authlib's registry is a name → client cache.
        registry = OAuth()
        return registry.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=discovery_url(provider.issuer),
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "timeout": HTTP_TIMEOUT_SECONDS,
            },
        )


def clients_of(app: FastAPI) -> ProviderClients:
    clients = getattr(app.state, "identity_provider_clients", None)
    if not isinstance(clients, ProviderClients):
        clients = ProviderClients()
        app.state.identity_provider_clients = clients
    return clients


async def discovered_issuer(client: Any) -> str | None:
    """The `issuer` of the provider's discovery document (loaded once per client)."""
    metadata = await client.load_server_metadata()
    issuer = metadata.get("issuer") if isinstance(metadata, dict) else None
    return issuer if isinstance(issuer, str) else None


async def sends_issuer(client: Any) -> bool:
    """Whether the provider advertises RFC 9207 `iss` in authorization responses."""
    metadata = await client.load_server_metadata()
    return isinstance(metadata, dict) and (
        metadata.get("authorization_response_iss_parameter_supported") is True
    )


def id_token_claims_options(provider: ProviderConfig) -> dict[str, dict[str, Any]]:
    """Claims checks for the ID token, passed to Authlib explicitly.

    Authlib by default only pins `iss` to the *discovery* issuer and never checks that
    `aud` contains our client id (it only checks `azp`), so both are stated here."""
    return {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }

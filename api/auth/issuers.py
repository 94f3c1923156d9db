"""Which issuers' access tokens the API accepts, and their keys.

Always this node itself (its own key file). In addition, each enabled identity
provider configured by the node admins is trusted as an issuer of access tokens
for *this node's audience* — so a member organization's IdP can hand scripts a
token directly — with keys fetched from that issuer's own `jwks_uri` (never from
the token). An IdP's tokens act for the organization the node's configuration
binds to that issuer; any organization claim in the token is ignored.

Remote key sets are cached (TTL), refreshed on an unknown `kid` at most once per
cooldown (single-flight), size-capped and fetched without following redirects,
so forged tokens with random key ids cannot make the node hammer an IdP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import structlog
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.validation import TrustedIssuer
from api.errors import Unauthorized
from api.models import IdentityProvider

log = structlog.get_logger("api.auth.issuers")

EXTERNAL_ALGORITHMS = ("RS256", "ES256", "PS256")
MAX_JWKS_BYTES = 64 * 1024


class RemoteJwks:
    """An issuer's remote key set: `get_by_kid` like joserfc's KeySet.

    The key set URL comes from the issuer's discovery document, whose `issuer`
    must equal the configured one (pinning); both are re-read on refresh."""

    def __init__(
        self,
        issuer: str,
        *,
        fetch: Callable[[str], dict[str, Any]],
        ttl_seconds: float = 300.0,
        cooldown_seconds: float = 30.0,
    ) -> None:
        self.issuer = issuer
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._cooldown = cooldown_seconds
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()
        self.fetches = 0

    def _refresh(self, *, forced: bool) -> None:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if (forced and age < self._cooldown) or (not forced and age < self._ttl):
                return  # someone refreshed meanwhile, or the cooldown holds
            self._fetched_at = time.monotonic()
            self.fetches += 1
            try:
                discovery = self._fetch(
                    self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                )
                if discovery.get("issuer") != self.issuer:
                    raise ValueError("discovery document names another issuer")
                jwks_uri = discovery.get("jwks_uri")
                if not isinstance(jwks_uri, str):
                    raise ValueError("discovery document has no jwks_uri")
                document = self._fetch(jwks_uri)
                self._keys = KeySet.import_key_set(
                    {"keys": [_public_only(k) for k in document.get("keys", [])]}
                )
            except (httpx.HTTPError, ValueError, JoseError, TypeError) as exc:
                log.warning("could not fetch issuer keys", issuer=self.issuer, error=str(exc))

    def get_by_kid(self, kid: str) -> Any:
        if self._keys is None or time.monotonic() - self._fetched_at >= self._ttl:
            self._refresh(forced=False)
        for attempt in (0, 1):
            if self._keys is not None:
                try:
                    return self._keys.get_by_kid(kid)
                except (ValueError, JoseError):
                    pass
            if attempt == 0:
                self._refresh(forced=True)
        raise Unauthorized("unknown signing key")


def _public_only(key: dict[str, Any]) -> dict[str, Any]:
    private_members = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}
    return {k: v for k, v in key.items() if k not in private_members}


def fetch_json(url: str) -> dict[str, Any]:
    with httpx.Client(timeout=5.0, follow_redirects=False) as client:
        response = client.get(url)
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError("key set too large")
        document = response.json()
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


class TrustedIssuers:
    """The allow-list, looked up by exact issuer string (the `iss` of a token)."""

    def __init__(
        self,
        own: TrustedIssuer,
        session_factory: sessionmaker[Session],
        *,
        audience: str,
        fetch: Callable[[str], dict[str, Any]] = fetch_json,
        refresh_seconds: float = 60.0,
        jwks_cooldown_seconds: float = 30.0,
    ) -> None:
        self.own = own
        self._session_factory = session_factory
        self._audience = audience
        self._fetch = fetch
        self._refresh_seconds = refresh_seconds
        self._jwks_cooldown = jwks_cooldown_seconds
        self._external: dict[str, TrustedIssuer] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def get(self, issuer: str) -> TrustedIssuer | None:
        if issuer == self.own.issuer:
            return self.own
        self._maybe_reload()
        return self._external.get(issuer)

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    def _maybe_reload(self) -> None:
        if time.monotonic() - self._loaded_at < self._refresh_seconds:
            return
        with self._lock:
            if time.monotonic() - self._loaded_at < self._refresh_seconds:
                return
            with self._session_factory() as session:
                issuers = list(
                    session.scalars(
                        select(IdentityProvider.issuer).where(IdentityProvider.enabled.is_(True))
                    )
                )
            external: dict[str, TrustedIssuer] = {}
            for issuer in issuers:
                known = self._external.get(issuer)
                external[issuer] = known or TrustedIssuer(
                    issuer=issuer,
                    audience=self._audience,
                    algorithms=EXTERNAL_ALGORITHMS,
                    keys=RemoteJwks(
                        issuer, fetch=self._fetch, cooldown_seconds=self._jwks_cooldown
                    ),
                )
            self._external = external
            self._loaded_at = time.monotonic()

"""Minting the node's own RFC 9068 access tokens.

For now only `offramp token` (development) mints; the identity work adds OAuth
grants that call the same function."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from joserfc import jwt

from api.auth.keys import SIGNING_ALGORITHM, NodeKeys
from api.config import Settings


def account_subject(account_id: int) -> str:
    return f"account:{account_id}"


def mint_access_token(
    settings: Settings,
    keys: NodeKeys,
    *,
    subject: str,
    client_id: str,
    organization_slug: str | None = None,
    scopes: Iterable[str] = (),
    ttl_seconds: int | None = None,
    now: int | None = None,
    extra_claims: dict[str, object] | None = None,
) -> str:
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, object] = {
        "iss": settings.issuer,
        "aud": settings.resolved_token_audience,
        "sub": subject,
        "client_id": client_id,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + (ttl_seconds or settings.access_token_ttl_seconds),
        "jti": secrets.token_urlsafe(16),
    }
    scope = " ".join(sorted(set(scopes)))
    if scope:
        claims["scope"] = scope
    if organization_slug:
        claims["org"] = organization_slug
    for name, value in (extra_claims or {}).items():
        claims.setdefault(name, value)
    header = {"alg": SIGNING_ALGORITHM, "typ": "at+jwt", "kid": keys.current.kid}
    return jwt.encode(header, claims, keys.current, algorithms=[SIGNING_ALGORITHM])

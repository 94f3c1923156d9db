"""Bearer-token validation: the only code that decides whether a token is good.

Accepts only tokens of allow-listed issuers (today: this node), signed with an
allow-listed algorithm by a key of *that issuer's* key set, typed `at+jwt`, for
this node's audience, and inside their `nbf`/`exp` window (small leeway). Keys are
never taken from the token (`jwk`/`jku`/`x5u` headers are refused)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode

from api.errors import Unauthorized

FORBIDDEN_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c"})
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
MAX_TOKEN_BYTES = 8192


class KeySource(Protocol):
    """Where an issuer's verification keys come from (a local KeySet or a remote one)."""

    def get_by_kid(self, kid: str) -> Any: ...


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    keys: KeySource


class IssuerLookup(Protocol):
    def get(self, issuer: str, /) -> TrustedIssuer | None: ...


@dataclass(frozen=True)
class ValidatedToken:
    issuer: str
    subject: str
    client_id: str | None
    scopes: frozenset[str]
    organization_slug: str | None
    claims: dict[str, Any]


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if len(token) > MAX_TOKEN_BYTES:
        raise Unauthorized("token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise Unauthorized("malformed token")
    try:
        header = json.loads(urlsafe_b64decode(parts[0].encode("ascii")))
        claims = json.loads(urlsafe_b64decode(parts[1].encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise Unauthorized("malformed token") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Unauthorized("malformed token")
    return header, claims


def validate_access_token(
    token: str, trusted: IssuerLookup, *, leeway_seconds: int = 30
) -> ValidatedToken:
    header, unverified = _peek(token)
    issuer = unverified.get("iss")
    config = trusted.get(issuer) if isinstance(issuer, str) else None
    if config is None:
        raise Unauthorized("untrusted issuer")
    algorithm = header.get("alg")
    if algorithm not in config.algorithms:
        raise Unauthorized("algorithm not allowed")
    if FORBIDDEN_HEADERS & header.keys():
        raise Unauthorized("embedded keys are not accepted")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYPES:
        raise Unauthorized("not an access token (typ must be at+jwt)")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise Unauthorized("unknown signing key")
    try:
        key = config.keys.get_by_kid(kid)
    except (ValueError, JoseError) as exc:
        raise Unauthorized("unknown signing key") from exc
    try:
        decoded = jwt.decode(token, key, algorithms=list(config.algorithms), registry=JWSRegistry())
    except (JoseError, ValueError) as exc:
        raise Unauthorized("invalid token signature") from exc
    registry = jwt.JWTClaimsRegistry(
        leeway=leeway_seconds,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.audience},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise Unauthorized(_claim_message(exc)) from exc
    claims = decoded.claims
    scope = claims.get("scope", "")
    org = claims.get("org")
    client_id = claims.get("client_id")
    return ValidatedToken(
        issuer=config.issuer,
        subject=str(claims["sub"]),
        client_id=client_id if isinstance(client_id, str) else None,
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        organization_slug=org if isinstance(org, str) else None,
        claims=claims,
    )


def _claim_message(exc: JoseError) -> str:
    claim = getattr(exc, "claim", None)
    error = getattr(exc, "error", None)
    if error == "missing_claim":
        return f"missing claim {claim!r}"
    if error == "expired_token":
        return "token expired"
    if claim == "nbf":
        return "token not yet valid"
    if claim == "iat":
        return "token issued in the future"
    return f"invalid claim {claim!r}"

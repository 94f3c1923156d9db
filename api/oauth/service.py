"""API-client use cases: register, list, revoke, and the client-secret hashing.

Owns the `api_client` rows and their secrets. Does not issue tokens
(`api.oauth.server`) nor decide what a client may read (`api.access`, fed by
`api.auth.principals`). Callers own the transaction; functions here only flush,
and every change is audited in the same transaction.

Invariants:
- a client_id matches `CLIENT_ID_PATTERN` ([A-Za-z0-9_-]); it never contains ':',
  so the token subject `client:<client_id>` cannot be parsed as anything else;
- the plaintext secret exists only in `create_client`'s return value; the row
  stores `scrypt$N$r$p$salt$hash` with a fresh 16-byte salt per secret, and
  comparison is constant-time.

Why scrypt with a modest cost: the secrets are 32 random bytes (256 bits), so
no work factor is needed against guessing; the hash is there so a leaked
database yields no usable credentials. scrypt (stdlib, memory-hard) at
N=2^14, r=8, p=1 costs ~16 MiB and some tens of milliseconds, which keeps the
token endpoint cheap while failed attempts are throttled by `ratelimit`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal
from api.access.principal import FEDERATION_SCOPE, SCOPE_ROLES
from api.audit import record_event
from api.errors import FieldError, NotFound, ValidationFailed
from api.models import ApiClient, Organization
from api.models.base import utcnow
from api.models.identity import CLIENT_KINDS

SCOPES = (*SCOPE_ROLES, FEDERATION_SCOPE)
# Scopes that act for an organization and so need one.
ORGANIZATION_SCOPES = frozenset({"entries:write", "curation"})
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
CLIENT_ID_PREFIX = "ofc_"
SECRET_PREFIX = "ofs_"  # noqa: S105 - a prefix secret scanners can recognise
SECRET_BYTES = 32

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32


def is_valid_client_id(client_id: str) -> bool:
    return CLIENT_ID_PATTERN.fullmatch(client_id) is not None


def generate_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_urlsafe(16)  # url-safe alphabet = [A-Za-z0-9_-]


def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_HASH_BYTES
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time check of `secret` against a `hash_secret` value; False if malformed."""
    try:
        scheme, n, r, p, salt_text, digest_text = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = _unb64(salt_text), _unb64(digest_text)
        # The parameters come from our own rows; still, refuse absurd ones.
        n_value, r_value, p_value = int(n), int(r), int(p)
        if not (2 <= n_value <= 2**20 and 1 <= r_value <= 32 and 1 <= p_value <= 16):
            return False
        actual = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=salt,
            n=n_value,
            r=r_value,
            p=p_value,
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_secret(secrets.token_urlsafe(SECRET_BYTES))


def burn_verification(secret: str) -> None:
    """Spend what a real check costs, for an unknown or revoked client_id, so the
    response time does not tell which client_ids exist."""
    verify_secret(secret, _dummy_hash())


def _validate(
    session: Session,
    *,
    name: str,
    kind: str,
    organization_slug: str | None,
    scopes: Iterable[str],
) -> tuple[str, Organization | None, list[str]]:
    errors: list[FieldError] = []
    clean_name = name.strip()
    if not clean_name or len(clean_name) > 200:
        errors.append(FieldError("name", "between 1 and 200 characters"))
    if kind not in CLIENT_KINDS:
        errors.append(FieldError("kind", f"one of {', '.join(CLIENT_KINDS)}"))
    requested = list(dict.fromkeys(scopes))  # de-duplicated, order kept
    unknown = [s for s in requested if s not in SCOPES]
    if unknown:
        errors.append(
            FieldError("scopes", f"unknown scope(s) {', '.join(unknown)}", allowed=list(SCOPES))
        )
    if FEDERATION_SCOPE in requested and kind != "peer":
        errors.append(FieldError("scopes", "federation is for peer nodes (kind peer)"))
    organization = None
    if organization_slug:
        organization = session.scalar(
            select(Organization).where(Organization.slug == organization_slug)
        )
        if organization is None:
            errors.append(FieldError("organization", f"no organization {organization_slug!r}"))
    elif kind == "publisher":
        errors.append(FieldError("organization", "a publisher client publishes for one"))
    elif ORGANIZATION_SCOPES & set(requested):
        errors.append(
            FieldError("organization", "entries:write and curation act for an organization")
        )
    if errors:
        raise ValidationFailed("The client has invalid fields.", errors=errors)
    return clean_name, organization, [s for s in SCOPES if s in requested]


def create_client(
    session: Session,
    *,
    name: str,
    kind: str,
    organization_slug: str | None,
    scopes: Iterable[str],
    created_by: Principal,
) -> tuple[ApiClient, str]:
    """Register a client; returns the row and its plaintext secret (shown once)."""
    clean_name, organization, granted = _validate(
        session, name=name, kind=kind, organization_slug=organization_slug, scopes=scopes
    )
    secret = generate_secret()
    client = ApiClient(
        client_id=generate_client_id(),
        secret_hash=hash_secret(secret),
        name=clean_name,
        kind=kind,
        organization_id=organization.id if organization else None,
        scopes=granted,
        created_by_account_id=created_by.account_id,
    )
    session.add(client)
    session.flush()
    record_event(
        session,
        principal=created_by,
        action="client.created",
        subject_type="api_client",
        subject_id=client.client_id,
        details={
            "name": client.name,
            "kind": kind,
            "organization": organization.slug if organization else None,
            "scopes": granted,
        },
    )
    return client, secret


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.scalars(select(ApiClient).order_by(ApiClient.created_at, ApiClient.id)))


def find_client(session: Session, client_id: str) -> ApiClient | None:
    if not is_valid_client_id(client_id):
        return None
    return session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))


def find_active_client(session: Session, client_id: str) -> ApiClient | None:
    client = find_client(session, client_id)
    return client if client is not None and client.revoked_at is None else None


def revoke_client(
    session: Session, client_id: str, *, revoked_by: Principal, now: datetime | None = None
) -> ApiClient:
    """Revoke a client. Its tokens stop working at their next use, because client
    principals are read from this table on every request. Idempotent."""
    client = find_client(session, client_id)
    if client is None:
        raise NotFound(f"No API client {client_id!r}.")
    if client.revoked_at is None:
        client.revoked_at = now or utcnow()
        session.flush()
        record_event(
            session,
            principal=revoked_by,
            action="client.revoked",
            subject_type="api_client",
            subject_id=client.client_id,
            details={"name": client.name},
        )
    return client


def organization_slugs(session: Session, clients: Iterable[ApiClient]) -> dict[int, str]:
    ids = {c.organization_id for c in clients if c.organization_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Organization.id, Organization.slug).where(Organization.id.in_(ids))
    )
    return {row.id: row.slug for row in rows}

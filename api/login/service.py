"""Login use cases: IdP configuration, sign-in, sign-out, API tokens for sessions.

Owns:
- the node admin's identity-provider configuration (validation, the discovery
  `issuer` pin checked at configuration time, removal — which ends the sessions
  signed in through that provider);
- the sign-in rule once the OIDC exchange has succeeded;
- sign-out and the `offramp-web` API token a signed-in person may mint for scripts;
- `safe_next`, the only place a post-login redirect target is accepted.
Does not own: the HTTP exchange with the IdP (`api.login.router`, `providers`),
cookie handling (`api.auth.sessions`), the visibility rule (`api.access`).

Sign-in rule (the invariant):
- the person is the account keyed by (configured issuer, `sub`) — never e-mail;
- the organization is the one *our* IdP row names — never a claim the IdP sends
  (`org`, `organization`, e-mail domain, …), so an IdP can only vouch for the one
  organization the node admin bound it to;
- a person's first-ever sign-in (no account yet) creates the account and grants the
  IdP's `default_role` in that organization;
- later sign-ins keep whatever roles the database holds; an account that exists but
  holds no role in the organization (an admin removed it) is refused (403) and is
  *not* re-granted the default role — otherwise removing someone would last only
  until their next sign-in. Their organization's admin must add them again."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import ANONYMOUS, Principal
from api.audit import record_event
from api.auth.keys import NodeKeys
from api.auth.principals import principal_for_account
from api.auth.sessions import (
    LOOPBACK_HOSTS,
    create_web_session,
    find_session,
    revoke_session,
    revoke_sessions_of_provider,
)
from api.auth.tokens import account_subject, mint_access_token
from api.config import Settings
from api.errors import AppError, Conflict, FieldError, NotFound, ValidationFailed
from api.login.providers import HTTP_TIMEOUT_SECONDS, ProviderConfig, discovery_url
from api.login.schemas import IDP_NAME_PATTERN
from api.models import Account, IdentityProvider, Membership, Organization
from api.organizations.service import ensure_account, get_organization, grant_role

DEFAULT_ROLES = ("reader", "publisher")
WEB_CLIENT_ID = "offramp-web"
MAX_DISCOVERY_BYTES = 512 * 1024
MAX_NEXT_LENGTH = 2000
_NAME = re.compile(IDP_NAME_PATTERN)


class LoginFailed(AppError):
    """A callback that must not sign anyone in; `error` is a stable machine code."""

    status = 400
    slug = "login-failed"
    title = "Sign-in failed"

    def __init__(self, detail: str, *, error: str) -> None:
        super().__init__(detail, error=error)
        self.error = error


class SignInRefused(AppError):
    status = 403
    slug = "sign-in-refused"
    title = "Sign-in refused"


# -- post-login redirect ------------------------------------------------------


def safe_next(value: str | None) -> str:
    """A same-site relative path to go to after login, or "/".

    Refuses anything a browser could resolve to another origin: scheme-relative
    `//evil`, `/\\evil` (browsers treat `\\` as `/`), absolute URLs and
    `javascript:`, and control characters or whitespace (browsers strip tabs and
    newlines, turning `/\\t/evil` into `//evil`)."""
    if not value or len(value) > MAX_NEXT_LENGTH:
        return "/"
    if not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


# -- identity-provider configuration ------------------------------------------


DiscoveryFetcher = Callable[[str], dict[str, Any]]


def _issuer_errors(issuer: str) -> list[FieldError]:
    try:
        parts = urlsplit(issuer)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return [FieldError("issuer", "not a URL")]
    if parts.query or parts.fragment or parts.username or parts.password or not port_ok:
        return [FieldError("issuer", "an issuer URL has no query, fragment or credentials")]
    if parts.scheme == "https" and parts.hostname:
        return []
    if parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
        return []  # development and tests only; a remote IdP must use https
    return [FieldError("issuer", "must be an https:// URL (http:// only on loopback)")]


def fetch_discovery(issuer: str) -> dict[str, Any]:
    """GET the provider's discovery document; any failure is a 422 on `issuer`."""
    url = discovery_url(issuer)
    try:
        with (
            httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False) as http,
            http.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise _discovery_error(f"{url} answered HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DISCOVERY_BYTES:
                    raise _discovery_error(f"{url} is larger than {MAX_DISCOVERY_BYTES} bytes")
    except httpx.HTTPError as exc:
        raise _discovery_error(f"could not fetch {url}: {type(exc).__name__}") from exc
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise _discovery_error(f"{url} is not JSON") from exc
    if not isinstance(document, dict):
        raise _discovery_error(f"{url} is not a JSON object")
    return document


def _discovery_error(message: str) -> ValidationFailed:
    return ValidationFailed(
        "The identity provider's discovery document could not be used.",
        errors=[FieldError("issuer", message)],
    )


def check_discovery(issuer: str, document: dict[str, Any]) -> None:
    """Pin: the document must name exactly the configured issuer (a mismatch is how a
    mix-up or a misconfigured tenant shows; Authlib would silently trust it)."""
    stated = document.get("issuer")
    if stated != issuer:
        raise ValidationFailed(
            "The discovery document names a different issuer.",
            errors=[
                FieldError(
                    "issuer",
                    f"discovery issuer is {stated!r}, configured {issuer!r}; they must be equal",
                    discovered=stated if isinstance(stated, str) else None,
                )
            ],
        )
    missing = [
        key
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document.get(key), str)
    ]
    if missing:
        raise _discovery_error(f"discovery document lacks {', '.join(missing)}")


def add_identity_provider(
    session: Session,
    *,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    organization: str,
    default_role: str = "reader",
    actor: Principal = ANONYMOUS,
    channel: str = "api",
    fetch: DiscoveryFetcher = fetch_discovery,
) -> IdentityProvider:
    errors: list[FieldError] = []
    if not _NAME.match(name):
        errors.append(FieldError("name", "lowercase letters, digits and inner hyphens, ≤ 64"))
    errors.extend(_issuer_errors(issuer))
    if not client_id.strip():
        errors.append(FieldError("client_id", "must not be empty"))
    if not client_secret:
        errors.append(FieldError("client_secret", "must not be empty"))
    if default_role not in DEFAULT_ROLES:
        errors.append(FieldError("default_role", f"one of {', '.join(DEFAULT_ROLES)}"))
    org = get_organization(session, organization)
    if org is None:
        errors.append(
            FieldError("organization", f"no organization {organization!r}; see /v1/organizations")
        )
    if errors:
        raise ValidationFailed("The identity provider has invalid fields.", errors=errors)
    assert org is not None
    if session.scalar(select(IdentityProvider.id).where(IdentityProvider.name == name)):
        raise Conflict(f"An identity provider named {name!r} exists already.")
    if session.scalar(select(IdentityProvider.id).where(IdentityProvider.issuer == issuer)):
        # One issuer, one organization: accounts are keyed by issuer, so a second row
        # for the same issuer would let one IdP vouch for two organizations.
        raise Conflict(f"The issuer {issuer!r} is configured already.")
    check_discovery(issuer, fetch(issuer))
    row = IdentityProvider(
        name=name,
        issuer=issuer,
        client_id=client_id.strip(),
        client_secret=client_secret,
        organization_id=org.id,
        default_role=default_role,
        enabled=True,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        principal=actor,
        action="identity_provider.added",
        subject_type="identity_provider",
        subject_id=name,
        channel=channel,
        details={"issuer": issuer, "organization": org.slug, "default_role": default_role},
    )
    return row


def list_identity_providers(session: Session) -> list[tuple[IdentityProvider, Organization]]:
    rows = session.execute(
        select(IdentityProvider, Organization)
        .join(Organization, Organization.id == IdentityProvider.organization_id)
        .order_by(IdentityProvider.name)
    ).all()
    return [(idp, org) for idp, org in rows]


def remove_identity_provider(
    session: Session, name: str, *, actor: Principal = ANONYMOUS, channel: str = "api"
) -> int:
    """Delete the provider and end the sessions signed in through it; returns how many.

    Accounts and memberships stay: re-adding the provider for the same issuer lets
    the same people back in with the roles they had."""
    row = session.scalar(select(IdentityProvider).where(IdentityProvider.name == name))
    if row is None:
        raise NotFound(f"No identity provider named {name!r}.")
    ended = revoke_sessions_of_provider(session, row.id)
    record_event(
        session,
        principal=actor,
        action="identity_provider.removed",
        subject_type="identity_provider",
        subject_id=name,
        channel=channel,
        details={"issuer": row.issuer, "sessions_ended": ended},
    )
    session.delete(row)
    session.flush()
    return ended


def provider_config(session: Session, name: str) -> ProviderConfig | None:
    """The enabled provider named `name`, as a detached snapshot."""
    found = session.execute(
        select(IdentityProvider, Organization)
        .join(Organization, Organization.id == IdentityProvider.organization_id)
        .where(IdentityProvider.name == name, IdentityProvider.enabled.is_(True))
    ).first()
    if found is None:
        return None
    idp, org = found
    return ProviderConfig(
        id=idp.id,
        name=idp.name,
        issuer=idp.issuer,
        client_id=idp.client_id,
        client_secret=idp.client_secret,
        organization_id=org.id,
        organization_slug=org.slug,
        organization_name=org.name,
        default_role=idp.default_role,
    )


# -- sign-in ------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    account_id: int
    organization_slug: str
    first_sign_in: bool


def sign_in(
    session: Session,
    *,
    provider: ProviderConfig,
    subject: str,
    display_name: str,
    operator: str,
    previous_session_token: str | None = None,
) -> SignedIn | SignInRefused:
    """Apply the sign-in rule (module docstring) after a verified ID token.

    Returns the refusal instead of raising it so the caller can commit its audit
    record — a removed member trying to come back is worth knowing about."""
    organization = session.get(Organization, provider.organization_id)
    if organization is None:  # pragma: no cover - the FK cascades the provider away
        return SignInRefused("The organization of this identity provider no longer exists.")
    existing = session.scalar(
        select(Account).where(Account.issuer == provider.issuer, Account.subject == subject)
    )
    first = existing is None
    account = ensure_account(
        session, issuer=provider.issuer, subject=subject, display_name=display_name
    )
    if first:
        grant_role(session, account=account, organization=organization, role=provider.default_role)
    elif display_name and account.display_name != display_name:
        account.display_name = display_name  # the IdP is the source of a person's name
    is_member = session.scalar(
        select(Membership.id).where(
            Membership.account_id == account.id,
            Membership.organization_id == organization.id,
        )
    )
    if not is_member:
        record_event(
            session,
            principal=Principal(
                kind="member",
                account_id=account.id,
                organization_id=organization.id,
                organization_slug=organization.slug,
                display_name=account.display_name,
            ),
            action="auth.sign_in_refused",
            subject_type="account",
            subject_id=str(account.id),
            channel="web",
            details={"identity_provider": provider.name, "reason": "not a member"},
        )
        return SignInRefused(
            f"You are not (or no longer) a member of {organization.name} on this node; "
            "ask your organization's admin to add you."
        )
    if previous_session_token:
        # Rotation: a browser that signs in again drops whatever session it had.
        previous = find_session(session, previous_session_token)
        if previous is not None:
            revoke_session(session, previous)
    token, row = create_web_session(
        session,
        account_id=account.id,
        organization_id=organization.id,
        identity_provider_id=provider.id,
    )
    principal = principal_for_account(
        session, account.id, organization.slug, operator=operator, channel="web"
    )
    record_event(
        session,
        principal=principal,
        action="auth.sign_in",
        subject_type="web_session",
        subject_id=str(row.id),
        channel="web",
        details={"identity_provider": provider.name, "first_sign_in": first},
    )
    return SignedIn(
        session_token=token,
        account_id=account.id,
        organization_slug=organization.slug,
        first_sign_in=first,
    )


def sign_out(session: Session, token: str) -> bool:
    """Revoke the session behind a cookie value; True if a live one was ended."""
    row = find_session(session, token)
    if row is None or row.revoked_at is not None:
        return False
    revoke_session(session, row)
    organization = session.get(Organization, row.organization_id)
    record_event(
        session,
        principal=Principal(
            kind="member",
            account_id=row.account_id,
            organization_id=row.organization_id,
            organization_slug=organization.slug if organization else None,
        ),
        action="auth.sign_out",
        subject_type="web_session",
        subject_id=str(row.id),
        channel="web",
    )
    return True


def issue_api_token(
    session: Session, settings: Settings, keys: NodeKeys, principal: Principal, *, session_id: int
) -> tuple[str, int]:
    """An access token for scripts, for a session-authenticated member. It carries
    the session's id (`sid`) and dies with the session: signing out revokes it."""
    assert principal.account_id is not None
    assert principal.organization_slug is not None
    ttl = settings.access_token_ttl_seconds
    token = mint_access_token(
        settings,
        keys,
        subject=account_subject(principal.account_id),
        client_id=WEB_CLIENT_ID,
        organization_slug=principal.organization_slug,
        ttl_seconds=ttl,
        extra_claims={"sid": session_id},
    )
    record_event(
        session,
        principal=principal,
        action="token.issued",
        subject_type="account",
        subject_id=str(principal.account_id),
        channel="web",
        details={"client_id": WEB_CLIENT_ID, "expires_in": ttl},
    )
    return token, ttl

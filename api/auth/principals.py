"""Turning an authenticated identity (a validated token, a browser session) into a
`Principal`: organization, roles and scopes, read from the database every time.

Owns the mapping identity → principal. Does not validate tokens
(`api.auth.validation`), authenticate sessions (`api.auth.sessions`) or decide
anything (`api.access`).

Invariant: roles come from our membership table, never from token claims; a token
that carries scopes keeps only the roles its scopes confer (`scoped_roles`); an
identity provider's token acts for the organization the node's configuration
binds to that issuer; a token minted for a browser session (`sid`) dies with it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal, scoped_roles
from api.access.principal import SCOPE_ROLES
from api.auth.validation import ValidatedToken
from api.errors import Unauthorized
from api.models import (
    Account,
    ApiClient,
    IdentityProvider,
    Membership,
    Organization,
    WebSession,
)
from api.models.base import utcnow


def principal_for_account(
    session: Session,
    account_id: int,
    organization_slug: str | None,
    *,
    operator: str,
    scopes: frozenset[str] | None = None,
    channel: str = "api",
) -> Principal:
    """One query: the account with its memberships (roles per organization)."""
    rows = session.execute(
        select(Account.display_name, Organization.id, Organization.slug, Membership.role)
        .select_from(Account)
        .outerjoin(Membership, Membership.account_id == Account.id)
        .outerjoin(Organization, Organization.id == Membership.organization_id)
        .where(Account.id == account_id)
    ).all()
    if not rows:
        raise Unauthorized("unknown account")
    by_org: dict[str, tuple[int, set[str]]] = {}
    for _name, org_id, slug, role in rows:
        if slug is not None:
            by_org.setdefault(slug, (org_id, set()))[1].add(role)
    if organization_slug is None and len(by_org) == 1:
        organization_slug = next(iter(by_org))
    if organization_slug is None or organization_slug not in by_org:
        raise Unauthorized("the account is not a member of the organization")
    org_id, roles = by_org[organization_slug]
    effective = scoped_roles(frozenset(roles), scopes)
    return Principal(
        kind="member",
        account_id=account_id,
        organization_id=org_id,
        organization_slug=organization_slug,
        roles=effective,
        scopes=scopes,
        display_name=rows[0][0],
        channel=channel,
        node_admin=organization_slug == operator and "admin" in effective,
    )


def principal_for_client(
    session: Session, client_id: str, scopes: Iterable[str], *, operator: str
) -> Principal:
    """A machine client: effective scopes are the token's ∩ the client's *current*
    grant, so revoking a client or narrowing its grant takes effect on the next
    request even for unexpired tokens; organization and roles come from the row."""
    row = session.execute(
        select(
            ApiClient.client_id,
            ApiClient.name,
            ApiClient.scopes,
            Organization.id,
            Organization.slug,
        )
        .outerjoin(Organization, Organization.id == ApiClient.organization_id)
        .where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
    ).first()  # one query: the client with its organization
    if row is None:
        raise Unauthorized("unknown or revoked client")
    found_id, name, granted, org_id, org_slug = row
    effective = frozenset(scopes) & frozenset(granted) & frozenset(SCOPE_ROLES)
    # entries:read confers reading, not a role a client acts with; roles mean nothing
    # without an organization.
    roles = frozenset(
        role for scope, role in SCOPE_ROLES.items() if scope in effective and role != "reader"
    )
    roles = roles if org_id is not None else frozenset()
    return Principal(
        kind="client",
        client_id=found_id,
        organization_id=org_id,
        organization_slug=org_slug,
        roles=roles,
        scopes=effective,
        display_name=name,
        channel="client",
        node_admin=org_slug is not None and org_slug == operator and "admin" in roles,
    )


def principal_for_external(
    session: Session, validated: ValidatedToken, *, operator: str
) -> Principal:
    """A token issued by a configured identity provider: the person is the account
    keyed by (issuer, subject); the organization is the one the node's configuration
    binds to that issuer — an `org` claim in the token is ignored. Its `scope`
    limits it: no scope, no roles and public entries only."""
    row = session.execute(
        select(Organization.slug)
        .join(IdentityProvider, IdentityProvider.organization_id == Organization.id)
        .where(IdentityProvider.issuer == validated.issuer, IdentityProvider.enabled.is_(True))
    ).first()
    if row is None:
        raise Unauthorized("untrusted issuer")
    account_id = session.scalar(
        select(Account.id).where(
            Account.issuer == validated.issuer, Account.subject == validated.subject
        )
    )
    if account_id is None:
        raise Unauthorized("unknown account; sign in once through this node first")
    return principal_for_account(
        session, account_id, row[0], operator=operator, scopes=validated.scopes
    )


def principal_for_subject(
    session: Session, validated: ValidatedToken, *, own_issuer: str, operator: str
) -> Principal:
    """Tokens of other trusted issuers map through `principal_for_external`; this
    node's own subjects are namespaced: `account:<id>` or `client:<client_id>`
    (client ids never contain ':', so the two cannot be confused)."""
    if validated.issuer != own_issuer:
        return principal_for_external(session, validated, operator=operator)
    kind, _, identifier = validated.subject.partition(":")
    if kind == "account" and identifier.isdigit():
        sid = validated.claims.get("sid")
        if sid is not None:
            _require_live_session(session, sid)
        scope = validated.claims.get("scope")
        return principal_for_account(
            session,
            int(identifier),
            validated.organization_slug,
            operator=operator,
            scopes=validated.scopes if isinstance(scope, str) else None,
        )
    if kind == "client":
        return principal_for_client(session, identifier, validated.scopes, operator=operator)
    raise Unauthorized("unsupported token subject")


def _require_live_session(session: Session, sid: object) -> None:
    """A token minted for a browser session is valid only while that session is."""
    if not isinstance(sid, int) or isinstance(sid, bool):
        raise Unauthorized("malformed session binding")
    row = session.get(WebSession, sid)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthorized("the session this token was issued for has ended")

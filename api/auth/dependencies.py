"""`CurrentPrincipal`: who is calling, resolved once per request.

The bearer token only says *who*; organization membership and roles are read
from the database on every request, so removing a member or a role takes effect
on their next request even while their token is unexpired."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.access import ANONYMOUS, Principal
from api.auth.validation import IssuerLookup, ValidatedToken, validate_access_token
from api.config import Settings
from api.errors import Unauthorized
from api.login.sessions import SESSION_COOKIE, principal_for_session
from api.models import Account, IdentityProvider, Membership, Organization
from api.oauth.principals import principal_for_client


def trusted_issuers(request: Request) -> IssuerLookup:
    trusted: IssuerLookup = request.app.state.trusted_issuers
    return trusted


def principal_for_account(
    session: Session, account_id: int, organization_slug: str | None
) -> Principal:
    account = session.get(Account, account_id)
    if account is None:
        raise Unauthorized("unknown account")
    rows = session.execute(
        select(Organization, Membership.role)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.account_id == account_id)
    ).all()
    by_org: dict[str, tuple[Organization, set[str]]] = {}
    for org, role in rows:
        by_org.setdefault(org.slug, (org, set()))[1].add(role)
    if organization_slug is None and len(by_org) == 1:
        organization_slug = next(iter(by_org))
    if organization_slug is None or organization_slug not in by_org:
        raise Unauthorized("the account is not a member of the organization")
    org, roles = by_org[organization_slug]
    return Principal(
        kind="member",
        account_id=account.id,
        organization_id=org.id,
        organization_slug=org.slug,
        roles=frozenset(roles),
        display_name=account.display_name,
    )


def principal_for_external(session: Session, validated: ValidatedToken) -> Principal:
    """A token issued by a configured identity provider: the person is the account
    keyed by (issuer, subject); the organization is the one the node's configuration
    binds to that issuer — an `org` claim in the token is ignored."""
    provider = session.scalar(
        select(IdentityProvider).where(
            IdentityProvider.issuer == validated.issuer, IdentityProvider.enabled.is_(True)
        )
    )
    if provider is None:
        raise Unauthorized("untrusted issuer")
    account = session.scalar(
        select(Account).where(
            Account.issuer == validated.issuer, Account.subject == validated.subject
        )
    )
    if account is None:
        raise Unauthorized("unknown account; sign in once through this node first")
    organization = session.get(Organization, provider.organization_id)
    if organization is None:
        raise Unauthorized("the identity provider's organization no longer exists")
    return principal_for_account(session, account.id, organization.slug)


def principal_for_subject(
    session: Session, validated: ValidatedToken, *, own_issuer: str | None = None
) -> Principal:
    """Tokens of other trusted issuers map through `principal_for_external`; this
    node's own subjects are namespaced: `account:<id>` or `client:<client_id>`
    (client ids never contain ':', so the two cannot be confused)."""
    if own_issuer is not None and validated.issuer != own_issuer:
        return principal_for_external(session, validated)
    kind, _, identifier = validated.subject.partition(":")
    if kind == "account" and identifier.isdigit():
        return principal_for_account(session, int(identifier), validated.organization_slug)
    if kind == "client":
        return principal_for_client(session, identifier, validated.scopes)
    raise Unauthorized("unsupported token subject")


async def get_principal(request: Request) -> Principal:
    """Anonymous callers are answered on the event loop; anything that needs the
    database or signature checks runs in the thread pool."""
    if "authorization" not in request.headers and SESSION_COOKIE not in request.cookies:
        return ANONYMOUS
    return await run_in_threadpool(resolve_principal, request)


def resolve_principal(request: Request) -> Principal:
    header = request.headers.get("authorization")
    if header is None:
        # No bearer token: a browser session cookie, if any (bearer requests never
        # look at the cookie). Unknown/expired/revoked → 401; unsafe methods need
        # X-CSRF-Token → else 403. Roles still come from principal_for_account.
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return ANONYMOUS
        principal = principal_for_session(request, cookie)
        request.state.principal = principal
        return principal
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use an Authorization: Bearer token", error="invalid_request")
    settings: Settings = request.app.state.settings
    validated = validate_access_token(
        token.strip(), trusted_issuers(request), leeway_seconds=settings.token_leeway_seconds
    )
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        principal = principal_for_subject(session, validated, own_issuer=settings.issuer)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]

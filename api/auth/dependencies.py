"""Route dependencies for *who is calling* and role requirements.

`CurrentPrincipal` resolves the caller once per request (anonymous callers never
touch the database). The `Annotated` aliases declare a route's requirement in its
signature — a reader of `def f(principal: Curator)` knows who may call it:

- `SignedIn`            - any member or machine client (401 otherwise);
- `Publisher`           - the publisher role in an organization;
- `Curator`             - a network curator;
- `CuratorOrNodeAdmin`  - a curator or a node administrator;
- `NodeAdmin`           - an administrator of this node.

The bearer token only says *who*; organization membership and roles are read
from the database on every request (`api.auth.principals`), so removing a member
or a role takes effect on their next request even while their token is valid."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.access import ANONYMOUS, Principal
from api.auth.permissions import (
    require_curator_or_node_admin,
    require_node_admin,
    require_role,
    require_signed_in,
)
from api.auth.principals import principal_for_subject
from api.auth.sessions import SESSION_COOKIE, principal_for_session
from api.auth.validation import IssuerLookup, validate_access_token
from api.config import Settings
from api.errors import Unauthorized


def trusted_issuers(request: Request) -> IssuerLookup:
    trusted: IssuerLookup = request.app.state.trusted_issuers
    return trusted


async def get_principal(request: Request) -> Principal:
    """Anonymous callers are answered on the event loop; anything that needs the
    database or signature checks runs in the thread pool."""
    if "authorization" not in request.headers and SESSION_COOKIE not in request.cookies:
        return ANONYMOUS
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    return await run_in_threadpool(resolve_principal, request)


def resolve_principal(request: Request, *, csrf_presented: str | None = None) -> Principal:
    """`csrf_presented`: a page form's `csrf_token` field (see `principal_for_session`)."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization")
    if header is None:
        # No bearer token: a browser session cookie, if any (bearer requests never
        # look at the cookie). Unknown/expired/revoked → 401; unsafe methods need
        # the session's CSRF token → else 403.
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return ANONYMOUS
        principal = principal_for_session(request, cookie, csrf_presented=csrf_presented)
        request.state.principal = principal
        return principal
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use an Authorization: Bearer token", error="invalid_request")
    validated = validate_access_token(
        token.strip(), trusted_issuers(request), leeway_seconds=settings.token_leeway_seconds
    )
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        principal = principal_for_subject(
            session,
            validated,
            own_issuer=settings.issuer,
            operator=settings.operator_organization,
        )
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def _signed_in(principal: CurrentPrincipal) -> Principal:
    require_signed_in(principal)
    return principal


def _publisher(principal: CurrentPrincipal) -> Principal:
    require_role(principal, "publisher", "Creating entries needs the publisher role.")
    return principal


def _curator(principal: CurrentPrincipal) -> Principal:
    require_role(principal, "curator", "Only curators may do this.")
    return principal


def _curator_or_node_admin(principal: CurrentPrincipal) -> Principal:
    require_curator_or_node_admin(principal)
    return principal


def _node_admin(principal: CurrentPrincipal) -> Principal:
    require_node_admin(principal)
    return principal


SignedIn = Annotated[Principal, Depends(_signed_in)]
Publisher = Annotated[Principal, Depends(_publisher)]
Curator = Annotated[Principal, Depends(_curator)]
CuratorOrNodeAdmin = Annotated[Principal, Depends(_curator_or_node_admin)]
NodeAdmin = Annotated[Principal, Depends(_node_admin)]

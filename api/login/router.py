"""HTTP surface of federated login: `/login/{idp}`, `/auth/{idp}/callback`,
`/logout`, `/v1/me`, `/v1/me/token` and the node admin's `/v1/identity-providers`.

Owns: the OIDC authorization-code exchange with each member IdP (via Authlib's
Starlette client) and the checks around it that Authlib does not make:
- the discovery document's `issuer` must equal the configured issuer (checked at
  configuration, at login and at the callback);
- an RFC 9207 `iss` callback parameter, when present, must equal it too;
- the pending login must hold a PKCE verifier and a nonce. oidc-provider-mock does
  not enforce PKCE; real IdPs (Entra ID, Keycloak, Okta, …) verify the
  `code_verifier` server-side, and this check makes sure we never run a
  code exchange without one, whatever the IdP does;
- state is one-shot and bound to the IdP's name: Authlib stores it under
  `_state_{idp}_{state}` and IdP names cannot contain "_", so a state issued for
  IdP B never resolves at IdP A's callback;
- the ID token's `iss`/`aud`/`sub`/`exp` are required explicitly (Authlib checks
  `aud` only through `azp`).
Does not own: the sign-in rule (`api.login.service`), session storage and cookie
attributes (`api.auth.sessions`), CSRF (`api.auth.csrf`).
Invariant: nothing from the callback's query string (code, state, iss) is logged —
the access log records route templates only — and nothing an IdP asserts decides
the organization."""

from __future__ import annotations

import re
from typing import Annotated, Any

from authlib.integrations.starlette_client import OAuthError
from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.auth.csrf import CSRF_HEADER, require_csrf_token
from api.auth.dependencies import NodeAdmin, SignedIn
from api.auth.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    current_session,
    find_session,
    is_live,
    set_session_cookie,
)
from api.config import Settings
from api.db import ReadSession, WriteSession
from api.errors import Forbidden, NotFound, ServiceUnavailable, problem_responses
from api.login import service
from api.login.providers import (
    TRANSPORT_ERRORS,
    ProviderConfig,
    callback_url,
    clients_of,
    discovered_issuer,
    id_token_claims_options,
    login_url,
    sends_issuer,
)
from api.login.schemas import (
    IDP_NAME_PATTERN,
    ApiTokenRead,
    IdentityProviderCreate,
    IdentityProviderRead,
    LoginOption,
    MeRead,
    OrganizationRef,
)
from api.login.service import LoginFailed, safe_next
from api.models import Account, IdentityProvider, Organization

router = APIRouter(tags=["login"])

IdpPath = Annotated[str, Path(pattern=IDP_NAME_PATTERN, max_length=64)]
NO_STORE = {"Cache-Control": "no-store"}
ERROR_CODE = re.compile(r"[a-z_]{1,64}")
# Unreachable provider, or a discovery document that is not JSON.
METADATA_ERRORS: tuple[type[Exception], ...] = (*TRANSPORT_ERRORS, ValueError)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def _load_provider(request: Request, name: str) -> ProviderConfig:
    with _factory(request)() as session:
        provider = service.provider_config(session, name)
    if provider is None:
        raise NotFound(f"No identity provider named {name!r}.")
    return provider


async def _pinned_client(request: Request, provider: ProviderConfig) -> Any:
    """The provider's Authlib client, after checking its discovery `issuer` pin."""
    clients = clients_of(request.app)
    client = clients.client_for(provider)
    try:
        discovered = await discovered_issuer(client)
    except METADATA_ERRORS as exc:
        clients.forget(provider.name)
        raise ServiceUnavailable("The identity provider could not be reached.") from exc
    if discovered != provider.issuer:
        clients.forget(provider.name)  # re-read the document next time
        raise LoginFailed(
            "The identity provider's discovery document names a different issuer.",
            error="discovery_issuer_mismatch",
        )
    return client


# -- login ----------------------------------------------------------------------


@router.get("/login", summary="Identity providers a member can sign in through")
def login_options(request: Request, session: ReadSession) -> list[LoginOption]:
    settings = _settings(request)
    return [
        LoginOption(
            name=idp.name,
            organization=OrganizationRef(slug=org.slug, name=org.name),
            login_url=login_url(settings, idp.name),
        )
        for idp, org in service.list_identity_providers(session)
        if idp.enabled
    ]


@router.get(
    "/login/{idp}",
    status_code=status.HTTP_302_FOUND,
    summary="Start signing in through an organization's identity provider",
    responses={302: {"description": "To the identity provider"}, **problem_responses(404, 503)},
)
async def login(
    idp: IdpPath,
    request: Request,
    next_path: Annotated[
        str | None,
        Query(alias="next", max_length=2000, description="Same-site path to return to"),
    ] = None,
) -> Response:
    provider = await run_in_threadpool(_load_provider, request, idp)
    client = await _pinned_client(request, provider)
    redirect_uri = callback_url(_settings(request), provider.name)
    # Authlib generates state, nonce (openid scope) and the PKCE verifier/S256 challenge.
    authorization = await client.create_authorization_url(redirect_uri)
    pending = {
        "redirect_uri": redirect_uri,
        "code_verifier": authorization.get("code_verifier"),
        "nonce": authorization.get("nonce"),
        # RFC 9700 §4.4.2.1: remember which issuer this request was sent to.
        "issuer": provider.issuer,
        "next": safe_next(next_path),
    }
    # Stored in the signed pending-login cookie under `_state_{idp}_{state}`; Authlib
    # keeps only one pending login per IdP per browser.
    await client.framework.set_state_data(request.session, authorization["state"], pending)
    return RedirectResponse(authorization["url"], status_code=302, headers=NO_STORE)


@router.get(
    "/auth/{idp}/callback",
    name="login_callback",
    status_code=status.HTTP_303_SEE_OTHER,
    summary="Where the identity provider sends the browser back",
    responses={
        303: {"description": "Signed in; to the page the sign-in started from"},
        **problem_responses(403, 404, 503),
        400: {"description": "Sign-in failed; `error` names the check that failed"},
    },
)
async def callback(idp: IdpPath, request: Request) -> Response:
    provider = await run_in_threadpool(_load_provider, request, idp)
    client = await _pinned_client(request, provider)
    state = request.query_params.get("state") or ""
    try:
        userinfo, next_path = await _exchange(request, client, provider, state)
    except Exception:
        # One attempt per state: whatever failed, the pending login is spent.
        if state:
            await client.framework.clear_state_data(request.session, state)
        raise
    subject = userinfo.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise LoginFailed("The ID token has no usable subject.", error="invalid_subject")
    name = userinfo.get("name")
    display_name = name.strip()[:200] if isinstance(name, str) and name.strip() else subject[:200]
    outcome = await run_in_threadpool(_finish_sign_in, request, provider, subject, display_name)
    # Rotation: the pending-login cookie is spent either way; the new session is a
    # fresh random token, never one the browser brought.
    request.session.clear()
    if not isinstance(outcome, service.SignedIn):
        raise outcome
    response = RedirectResponse(safe_next(next_path), status_code=303, headers=NO_STORE)
    set_session_cookie(response, outcome.session_token, _settings(request))
    return response


async def _exchange(
    request: Request, client: Any, provider: ProviderConfig, state: str
) -> tuple[dict[str, Any], str | None]:
    issuer_param = request.query_params.get("iss")
    if issuer_param is not None and issuer_param != provider.issuer:
        # RFC 9207: the response came from (or claims to come from) another issuer.
        raise LoginFailed(
            "The authorization response names a different issuer.", error="issuer_mismatch"
        )
    if issuer_param is None and await sends_issuer(client):
        # RFC 9207 §2.4: a provider that says it sends `iss` must send it; a response
        # without it may have been produced elsewhere (mix-up).
        raise LoginFailed(
            "The authorization response does not name its issuer, though the identity "
            "provider always does.",
            error="issuer_missing",
        )
    idp_error = request.query_params.get("error")
    if idp_error is not None:
        # The IdP declined (user cancelled, access_denied, …). Nothing can be granted by
        # an error response, so it is reported even without a matching state (IdPs often
        # omit it there); the code is reflected only if it looks like an OAuth error code.
        code = idp_error if ERROR_CODE.fullmatch(idp_error) else "oauth_error"
        raise LoginFailed(f"The identity provider did not sign you in ({code}).", error=code)
    pending = await client.framework.get_state_data(request.session, state) if state else None
    if not pending:
        raise LoginFailed(
            "No sign-in through this provider is pending in this browser for that state "
            "(expired, already used, or started elsewhere). Start again.",
            error="mismatching_state",
        )
    if not pending.get("code_verifier") or not pending.get("nonce"):
        raise LoginFailed(
            "The pending sign-in has no PKCE verifier or nonce; start again.",
            error="pkce_missing",
        )
    if pending.get("issuer") != provider.issuer:
        raise LoginFailed(
            "The sign-in was started with a different issuer; start again.",
            error="issuer_mismatch",
        )
    try:
        token = await client.authorize_access_token(
            request, claims_options=id_token_claims_options(provider)
        )
    except OAuthError as exc:
        error = str(getattr(exc, "error", None) or "oauth_error")
        raise LoginFailed(
            f"The identity provider refused the sign-in ({error}).", error=error
        ) from None
    except JoseError as exc:
        raise LoginFailed(
            f"The ID token is not valid ({type(exc).__name__}).", error="invalid_id_token"
        ) from exc
    except TRANSPORT_ERRORS as exc:
        raise ServiceUnavailable("The identity provider could not be reached.") from exc
    userinfo = token.get("userinfo") if isinstance(token, dict) else None
    if not userinfo:
        raise LoginFailed("The identity provider sent no ID token.", error="missing_id_token")
    if userinfo.get("iss") != provider.issuer:  # belt and braces: claims_options pins it
        raise LoginFailed("The ID token names a different issuer.", error="issuer_mismatch")
    next_path = pending.get("next")
    return dict(userinfo), next_path if isinstance(next_path, str) else None


def _finish_sign_in(
    request: Request, provider: ProviderConfig, subject: str, display_name: str
) -> service.SignedIn | service.SignInRefused:
    with _factory(request)() as session, session.begin():
        return service.sign_in(
            session,
            provider=provider,
            subject=subject,
            display_name=display_name,
            operator=_settings(request).operator_organization,
            previous_session_token=request.cookies.get(SESSION_COOKIE),
        )


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the browser session (needs X-CSRF-Token)",
    responses=problem_responses(403),
)
def logout(request: Request, session: WriteSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        row = find_session(session, token)
        # A dead or unknown session has nothing to protect; a live one may only be
        # ended by its own pages (else any site could sign our users out).
        if row is not None and is_live(row):
            require_csrf_token(request.headers.get(CSRF_HEADER), row.csrf_token)
            service.sign_out(session, token)
    response = Response(status_code=204, headers=NO_STORE)
    clear_session_cookie(response, _settings(request))
    return response


# -- who am I -----------------------------------------------------------------


@router.get(
    "/v1/me",
    summary="The caller's identity, organization and roles",
    responses=problem_responses(401),
)
def me(request: Request, response: Response, principal: SignedIn, session: ReadSession) -> MeRead:
    response.headers.update(NO_STORE)
    web = current_session(request)
    organization = (
        session.get(Organization, principal.organization_id)
        if principal.organization_id is not None
        else None
    )
    account = session.get(Account, principal.account_id) if principal.account_id else None
    return MeRead(
        kind="client" if principal.kind == "client" else "member",
        authenticated_by="session" if web is not None else "bearer",
        display_name=account.display_name if account else principal.display_name,
        issuer=account.issuer if account else None,
        subject=account.subject if account else None,
        organization=(
            OrganizationRef(slug=organization.slug, name=organization.name)
            if organization
            else None
        ),
        roles=sorted(principal.roles),
        client_id=principal.client_id,
        scopes=sorted(principal.scopes) if principal.scopes is not None else None,
        csrf_token=web.csrf_token if web else None,
        session_expires_at=web.expires_at if web else None,
    )


@router.post(
    "/v1/me/token",
    summary="Mint an API access token for scripts (browser session + X-CSRF-Token)",
    responses=problem_responses(401, 403),
)
def me_token(
    request: Request, response: Response, principal: SignedIn, session: WriteSession
) -> ApiTokenRead:
    web = current_session(request)
    if web is None:
        # A bearer token must not mint its own successor: that would make every
        # token, however short-lived, renewable forever.
        raise Forbidden("API tokens are issued to signed-in browser sessions only.")
    token, ttl = service.issue_api_token(
        session, _settings(request), request.app.state.node_keys, principal, session_id=web.id
    )
    response.headers.update(NO_STORE)
    assert principal.organization_slug is not None
    return ApiTokenRead(
        access_token=token, expires_in=ttl, organization=principal.organization_slug
    )


# -- identity-provider configuration (node admins) ------------------------------


def _idp_read(settings: Settings, idp: IdentityProvider, org: Organization) -> IdentityProviderRead:
    return IdentityProviderRead(
        name=idp.name,
        issuer=idp.issuer,
        client_id=idp.client_id,
        organization=OrganizationRef(slug=org.slug, name=org.name),
        default_role=idp.default_role,
        enabled=idp.enabled,
        created_at=idp.created_at,
        login_url=login_url(settings, idp.name),
        callback_url=callback_url(settings, idp.name),
    )


@router.post(
    "/v1/identity-providers",
    status_code=status.HTTP_201_CREATED,
    tags=["admin"],
    summary="Configure an organization's OIDC provider (node admins)",
    responses=problem_responses(401, 403, 409, 422),
)
def create_identity_provider(
    data: IdentityProviderCreate,
    request: Request,
    session: WriteSession,
    principal: NodeAdmin,
) -> IdentityProviderRead:
    settings = _settings(request)
    row = service.add_identity_provider(
        session,
        name=data.name,
        issuer=data.issuer,
        client_id=data.client_id,
        client_secret=data.client_secret.get_secret_value(),
        organization=data.organization,
        default_role=data.default_role,
        actor=principal,
    )
    clients_of(request.app).forget(row.name)
    _reload_trusted_issuers_after_commit(request, session)
    organization = session.get(Organization, row.organization_id)
    assert organization is not None
    return _idp_read(settings, row, organization)


@router.get(
    "/v1/identity-providers",
    tags=["admin"],
    summary="Configured OIDC providers (node admins; secrets are never returned)",
    responses=problem_responses(401, 403),
)
def list_identity_providers(
    request: Request, session: ReadSession, principal: NodeAdmin
) -> list[IdentityProviderRead]:
    settings = _settings(request)
    return [_idp_read(settings, idp, org) for idp, org in service.list_identity_providers(session)]


@router.delete(
    "/v1/identity-providers/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["admin"],
    summary="Remove an OIDC provider and end the sessions signed in through it",
    responses=problem_responses(401, 403, 404),
)
def delete_identity_provider(
    name: IdpPath, request: Request, session: WriteSession, principal: NodeAdmin
) -> Response:
    service.remove_identity_provider(session, name, actor=principal)
    clients_of(request.app).forget(name)
    _reload_trusted_issuers_after_commit(request, session)
    return Response(status_code=204)


def _reload_trusted_issuers_after_commit(request: Request, session: WriteSession) -> None:
    """The API's issuer allow-list follows IdP changes as soon as they commit."""
    trusted = request.app.state.trusted_issuers
    event.listen(session, "after_commit", lambda _s: trusted.invalidate(), once=True)

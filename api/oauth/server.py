"""The node as an OAuth 2 authorization server for machines (RFC 6749 §4.4).

Owns the token endpoint's protocol behaviour: Authlib's framework-agnostic
`AuthorizationServer` with `ClientCredentialsGrant` (client_secret_basic and
client_secret_post), scope narrowing, RFC 9068 token issuance through
`api.auth.tokens.mint_access_token`, the RFC 6749 §5.2 error bodies, throttling
of failed client authentication, and the RFC 8414 metadata document. Does not
own client rows (`api.oauth.service`), keys (`api.auth.keys`), or what a token
later allows (`api.auth.principals`, `api.access`).

Authlib's server is synchronous: the route awaits the form, then runs
`process_token_request` in a worker thread with a sync session. A server object
is built per request (cheap) so its storage callbacks close over that request's
session, and the audit rows it writes commit in that one transaction.

Invariants:
- every response of the token endpoint is `application/json` with
  `Cache-Control: no-store`; errors are `{"error", "error_description"}` with
  400, or 401 + `WWW-Authenticate: Basic` for `invalid_client`, or 429 +
  `Retry-After` for `slow_down` — OAuth bodies, not problem+json, because that is
  the contract OAuth client libraries parse;
- an unknown, revoked, or wrongly authenticated client gets the same status,
  body and (roughly) the same time: an unknown client_id is checked against a
  dummy hash;
- tokens carry `sub = client:<client_id>`, which `api.auth.dependencies` can only
  resolve to a client row — never to an account;
- no secret, token or Authorization header is logged (the `authlib` logger is
  kept above DEBUG, where it would log issued tokens)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import structlog
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import (
    ClientCredentialsGrant,
    InsecureTransportError,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    UnsupportedGrantTypeError,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from joserfc.util import urlsafe_b64decode
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import JSONResponse, Response

from api.access import Principal
from api.audit import record_event
from api.auth.keys import NodeKeys
from api.auth.tokens import mint_access_token
from api.config import Settings
from api.models import ApiClient, Organization
from api.oauth.ratelimit import FailureLimiter
from api.oauth.service import (
    SCOPES,
    burn_verification,
    find_active_client,
    is_valid_client_id,
    verify_secret,
)

# Authlib logs issued tokens and code verifiers at DEBUG; never let that through.
logging.getLogger("authlib").setLevel(logging.INFO)

log = structlog.get_logger("api.oauth")

GRANT_TYPES = ("client_credentials",)
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# Machine tokens are short-lived: a leaked one is useful for minutes, and a
# client re-authenticates cheaply. Capped by the node-wide lifetime setting.
CLIENT_TOKEN_TTL_SECONDS = 900
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
METADATA_PATH = "/.well-known/oauth-authorization-server"
JWKS_PATH = "/.well-known/jwks.json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_ALLOWED_DESCRIPTION_CHARS = {chr(c) for c in (0x20, 0x21, *range(0x23, 0x5C), *range(0x5D, 0x7F))}


def client_subject(client_id: str) -> str:
    """The `sub` of a client's tokens; the `client:` namespace keeps it apart from
    `account:<id>` subjects (RFC 9700 §4.15)."""
    return f"client:{client_id}"


def client_token_ttl(settings: Settings) -> int:
    return min(settings.access_token_ttl_seconds, CLIENT_TOKEN_TTL_SECONDS)


def server_metadata(settings: Settings) -> dict[str, Any]:
    """The RFC 8414 document. The one place it is built: whoever adds endpoints or
    grants (authorization code for browser login, revocation, ...) extends it here.

    There is no authorization endpoint (client_credentials only), so
    `response_types_supported`, which describes that endpoint's responses, is left
    out rather than published as an empty array, which metadata validators reject."""
    issuer = settings.issuer
    return {
        "issuer": issuer,
        "token_endpoint": issuer + TOKEN_PATH,
        "jwks_uri": issuer + JWKS_PATH,
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "scopes_supported": list(SCOPES),
        "service_documentation": issuer + "/docs",
    }


@dataclass
class OAuthClient:
    """Authlib's view of a client (its `ClientMixin` protocol).

    `row` is None for an unknown or revoked client_id: such a "phantom" client
    never authenticates, but still costs one hash check, so timing does not tell
    it apart from a wrong secret."""

    client_id: str
    row: ApiClient | None
    session: Session

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        if self.row is None:
            burn_verification(client_secret)
            return False
        return verify_secret(client_secret, self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES

    @property
    def granted_scopes(self) -> list[str]:
        granted = set(self.row.scopes) if self.row is not None else set()
        return [s for s in SCOPES if s in granted]

    @property
    def organization(self) -> Organization | None:
        if self.row is None or self.row.organization_id is None:
            return None
        return self.session.get(Organization, self.row.organization_id)


class TokenRequest(OAuth2Request):  # type: ignore[misc]
    """An already-parsed token request. The form goes in as the payload (not as
    `body=`, which Authlib 1.9 deprecates)."""

    def __init__(self, uri: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", uri, headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form_data = form

    @property
    def form(self) -> dict[str, str]:
        # Read by Authlib's client_secret_post authentication.
        return self._form_data

    @property
    def args(self) -> dict[str, str]:
        return {}


def grantable_scopes(requested: str | None, granted: Sequence[str]) -> list[str]:
    """Requested ∩ granted; all granted when no scope is requested.

    Unknown scopes, or a request of which nothing is granted, are `invalid_scope`.
    (A request naming some ungranted known scopes gets the rest, as RFC 6749 §3.3
    allows; the response's `scope` says what was issued.)"""
    if requested is None or not requested.strip():
        return list(granted)
    tokens = requested.split()
    if any(token not in SCOPES for token in tokens):
        raise InvalidScopeError(
            "Unknown scope requested; this server supports: " + " ".join(SCOPES) + "."
        )
    issued = [s for s in granted if s in tokens]
    if not issued:
        raise InvalidScopeError("None of the requested scopes is granted to this client.")
    return issued


class ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def validate_requested_scope(self) -> None:
        client: OAuthClient = self.request.client
        self.request.scope = " ".join(
            grantable_scopes(self.request.payload.scope, client.granted_scopes)
        )

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        # As Authlib's, but issuing the narrowed scope rather than the requested one.
        token = self.generate_token(scope=self.request.scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


@dataclass
class TokenContext:
    """What one token request needs besides the HTTP input."""

    session: Session
    settings: Settings
    keys: NodeKeys
    limiter: FailureLimiter
    remote_address: str
    presented_client_id: str | None


class NodeAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, context: TokenContext) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.context = context
        self.register_grant(ClientCredentials)
        self.register_token_generator("default", self._generate_token)

    # --- storage and framework hooks Authlib requires ---------------------------

    def query_client(self, client_id: str) -> OAuthClient:
        row = find_active_client(self.context.session, client_id)
        return OAuthClient(client_id=client_id, row=row, session=self.context.session)

    def save_token(self, token: dict[str, Any], request: TokenRequest) -> None:
        # JWTs are not stored (they are self-contained); issuing one is audited.
        client: OAuthClient = request.client
        assert client.row is not None
        organization = client.organization
        claims = _unverified_claims(token["access_token"])
        record_event(
            self.context.session,
            principal=Principal(
                kind="client",
                client_id=client.client_id,
                organization_id=organization.id if organization else None,
                organization_slug=organization.slug if organization else None,
                channel="client",
            ),
            action="token.issued",
            subject_type="api_client",
            subject_id=client.client_id,
            channel="client",
            details={
                "scope": token.get("scope", ""),
                "jti": claims.get("jti"),
                "expires_at": claims.get("exp"),
                "auth_method": request.auth_method,
                "remote_address": self.context.remote_address,
            },
        )

    def create_oauth2_request(self, request: TokenRequest) -> TokenRequest:
        return request

    def handle_response(
        self, status: int, body: Any, headers: Sequence[tuple[str, str]]
    ) -> Response:
        merged = {**dict(headers), **NO_STORE}
        merged.pop("Content-Type", None)  # JSONResponse sets it
        return JSONResponse(body, status_code=status, headers=merged)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    # --- behaviour this node changes -------------------------------------------

    def _generate_token(
        self,
        grant_type: str,
        client: OAuthClient,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        settings = self.context.settings
        scopes = sorted(set((scope or "").split()))
        ttl = client_token_ttl(settings)
        organization = client.organization
        token: dict[str, Any] = {
            "access_token": mint_access_token(
                settings,
                self.context.keys,
                subject=client_subject(client.client_id),
                client_id=client.client_id,
                organization_slug=organization.slug if organization else None,
                scopes=scopes,
                ttl_seconds=ttl,
            ),
            "token_type": "Bearer",
            "expires_in": ttl,
        }
        if scopes:
            token["scope"] = " ".join(scopes)
        return token

    def authenticate_client(
        self, request: TokenRequest, methods: Sequence[str], endpoint: str = "token"
    ) -> OAuthClient:
        try:
            client: OAuthClient = super().authenticate_client(request, methods, endpoint)
        except InvalidClientError:
            record_auth_failure(self.context)
            # One answer for unknown, revoked, wrong secret and missing credentials.
            raise InvalidClientError(
                status_code=401, description="Client authentication failed."
            ) from None
        return client

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        return error_response(error)


def record_auth_failure(context: TokenContext) -> None:
    """Count a failed client authentication for throttling and audit it (in the
    request's transaction)."""
    presented = context.presented_client_id
    well_formed = presented is not None and is_valid_client_id(presented)
    context.limiter.record_failure(context.session, context.remote_address, presented)
    record_event(
        context.session,
        principal=Principal(channel="client"),
        action="client.auth_failed",
        subject_type="api_client" if well_formed else None,
        subject_id=presented if well_formed else None,
        channel="client",
        details={
            "client_id": presented if well_formed else None,
            "client_id_malformed": presented is not None and not well_formed,
            "remote_address": context.remote_address,
        },
    )
    log.info("client authentication failed", remote_address=context.remote_address)


def _unverified_claims(token: str) -> dict[str, Any]:
    """Claims of a token this process just signed (for the audit record only)."""
    try:
        claims = json.loads(urlsafe_b64decode(token.split(".")[1].encode("ascii")))
    except (ValueError, IndexError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _description(error: OAuth2Error) -> str:
    if isinstance(error, UnsupportedGrantTypeError):
        # Authlib's text echoes the caller's grant_type; ours does not.
        return "This server supports grant_type=client_credentials only."
    text = str(error.get_error_description() or error.error)
    return "".join(c for c in text if c in _ALLOWED_DESCRIPTION_CHARS)[:300]


def error_response(error: OAuth2Error) -> Response:
    """RFC 6749 §5.2: `{"error", "error_description"}`; 401 + challenge for invalid_client."""
    status = 401 if isinstance(error, InvalidClientError) else 400
    headers = dict(NO_STORE)
    if status == 401:
        # RFC 6749 §5.2 requires the challenge when Basic was used; RFC 9110 wants one
        # on every 401, and it advertises the scheme to clients that used the form.
        headers["WWW-Authenticate"] = 'Basic realm="oauth", charset="UTF-8"'
    body = {"error": error.error, "error_description": _description(error)}
    return JSONResponse(body, status_code=status, headers=headers)


def throttled_response(retry_after: int) -> Response:
    # `slow_down` is RFC 8628's "back off" code; reusing it keeps one error format
    # (and one parser) for every answer of this endpoint.
    return JSONResponse(
        {
            "error": "slow_down",
            "error_description": (
                f"Too many failed client authentications; retry in {retry_after} seconds."
            ),
        },
        status_code=429,
        headers={**NO_STORE, "Retry-After": str(retry_after)},
    )


@dataclass(frozen=True)
class BasicCredentials:
    client_id: str
    client_secret: str


def parse_basic(header: str) -> BasicCredentials:
    """`Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).

    Raises InvalidClientError for anything malformed (Authlib's own parser lets
    undecodable bytes escape as an exception)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise InvalidRequestError("Only HTTP Basic is accepted in the Authorization header.")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClientError(
            status_code=401, description="Malformed Basic credentials."
        ) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator or not client_id or not secret:
        raise InvalidClientError(status_code=401, description="Malformed Basic credentials.")
    return BasicCredentials(unquote(client_id), unquote(secret))


def precheck(
    content_type: str | None, headers: Mapping[str, str], items: Sequence[tuple[str, str]]
) -> tuple[dict[str, str], str | None]:
    """Request-level checks Authlib leaves out; returns the form and the client_id
    the caller claims to be (for throttling), or raises an OAuth2Error."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise InvalidRequestError(f"The body must be {FORM_MEDIA_TYPE}.")
    form: dict[str, str] = {}
    for key, value in items:
        if key in form:
            # RFC 6749 §3.2: parameters MUST NOT be included more than once.
            raise InvalidRequestError("A request parameter is repeated.")
        form[key] = value
    claimed = form.get("client_id")
    authorization = headers.get("authorization")
    if authorization is not None:
        basic = parse_basic(authorization)
        if "client_secret" in form:
            raise InvalidRequestError("Use one client authentication method, not two.")
        if claimed is not None and claimed != basic.client_id:
            raise InvalidRequestError("client_id differs from the Basic credentials.")
        claimed = basic.client_id
    if not form.get("grant_type"):
        raise InvalidRequestError("The grant_type parameter is missing.")
    return form, claimed


def process_token_request(
    *,
    session_factory: sessionmaker[Session],
    settings: Settings,
    keys: NodeKeys,
    limiter: FailureLimiter,
    remote_address: str,
    content_type: str | None,
    headers: Mapping[str, str],
    items: Sequence[tuple[str, str]],
) -> Response:
    """The whole token endpoint, synchronously: checks, throttle, Authlib, audit, commit."""
    claimed: str | None = None
    try:
        form, claimed = precheck(content_type, headers, items)
    except InvalidClientError as error:
        # Malformed Basic credentials are a failed authentication like any other.
        with session_factory() as session, session.begin():
            record_auth_failure(
                TokenContext(session, settings, keys, limiter, remote_address, None)
            )
        return error_response(error)
    except OAuth2Error as error:
        return error_response(error)
    retry_after = limiter.retry_after(remote_address, claimed)
    if retry_after is not None:
        log.warning("token request throttled", remote_address=remote_address)
        return throttled_response(retry_after)
    try:
        request = TokenRequest(settings.issuer + TOKEN_PATH, headers, form)
    except InsecureTransportError:
        log.error("token endpoint refuses to work: OFFRAMP_PUBLIC_URL is not https")
        return error_response(InvalidRequestError("The token endpoint requires https."))
    with session_factory() as session, session.begin():
        context = TokenContext(session, settings, keys, limiter, remote_address, claimed)
        response: Response = NodeAuthorizationServer(context).create_token_response(request)
    # Leaving the block committed the audit rows; only now may the token go out.
    return response

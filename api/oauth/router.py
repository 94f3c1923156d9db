"""HTTP surface of the node's machine identity: `POST /oauth/token`, the RFC 8414
metadata document, and `/v1/clients` for node administrators. No rules live
here: protocol behaviour is `api.oauth.server`, client use cases
`api.oauth.service`, who is a node admin `api.auth.permissions`."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.access import Principal
from api.auth.dependencies import NodeAdmin
from api.auth.keys import KeyStore, NodeKeys
from api.config import Settings
from api.db import ReadSession, WriteSession
from api.errors import Forbidden, NotFound, problem_responses
from api.models import ApiClient
from api.oauth import service
from api.oauth.ratelimit import FailureLimiter
from api.oauth.schemas import ClientCreate, ClientCreated, ClientRead, OAuthError, TokenResponse
from api.oauth.server import (
    FORM_MEDIA_TYPE,
    METADATA_PATH,
    TOKEN_PATH,
    process_token_request,
    server_metadata,
)

router = APIRouter()

_limiter_lock = threading.Lock()


def limiter_for(app: FastAPI) -> FailureLimiter:
    """The app's failure limiter; its counters are in the database every process shares."""
    limiter: FailureLimiter | None = getattr(app.state, "oauth_limiter", None)
    if limiter is None:
        with _limiter_lock:
            limiter = getattr(app.state, "oauth_limiter", None)
            if limiter is None:
                limiter = FailureLimiter(app.state.session_factory)
                app.state.oauth_limiter = limiter
    return limiter


def signing_keys(app: FastAPI) -> NodeKeys:
    keys: KeyStore | NodeKeys = app.state.node_keys
    return keys.keys() if isinstance(keys, KeyStore) else keys


_OAUTH_ERROR_CONTENT = {"application/json": {"schema": OAuthError.model_json_schema()}}
_TOKEN_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            FORM_MEDIA_TYPE: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "scope": {
                            "type": "string",
                            "description": "space-separated; default: all granted scopes",
                        },
                        "client_id": {"type": "string", "description": "client_secret_post"},
                        "client_secret": {"type": "string", "description": "client_secret_post"},
                    },
                }
            }
        },
    }
}


@router.post(
    TOKEN_PATH,
    tags=["oauth"],
    summary="OAuth 2 token endpoint (client_credentials)",
    description=(
        "Authenticate with HTTP Basic (`client_secret_basic`) or form fields "
        "(`client_secret_post`). Errors follow RFC 6749 §5.2 (OAuth JSON, not problem+json)."
    ),
    response_model=TokenResponse,
    responses={
        400: {"description": "invalid_request, invalid_scope, …", "content": _OAUTH_ERROR_CONTENT},
        401: {"description": "invalid_client", "content": _OAUTH_ERROR_CONTENT},
        429: {"description": "slow_down: too many failures", "content": _OAUTH_ERROR_CONTENT},
    },
    openapi_extra=_TOKEN_FORM,
)
async def token(request: Request) -> Response:
    content_type = request.headers.get("content-type")
    items: list[tuple[str, str]] = []
    if (content_type or "").split(";")[0].strip().lower() == FORM_MEDIA_TYPE:
        form = await request.form()
        items = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    app: FastAPI = request.app
    settings: Settings = app.state.settings
    response: Response = await run_in_threadpool(
        process_token_request,
        session_factory=app.state.session_factory,
        settings=settings,
        keys=signing_keys(app),
        limiter=limiter_for(app),
        remote_address=request.client.host if request.client else "unknown",
        content_type=content_type,
        headers=request.headers,
        items=items,
    )
    return response


@router.get(METADATA_PATH, tags=["oauth"], summary="OAuth 2 authorization server metadata")
def metadata(request: Request) -> dict[str, Any]:
    return server_metadata(request.app.state.settings)


def _client_manager(principal: NodeAdmin) -> Principal:
    if principal.kind != "member":
        # A machine must not mint machines: that would let one leaked client
        # secret create others with any scope.
        raise Forbidden("API clients are managed by node administrators, not by clients.")
    return principal


ClientManager = Annotated[Principal, Depends(_client_manager)]
ClientIdPath = Annotated[str, Path(min_length=1, max_length=64)]


def _read(client: ApiClient, slugs: dict[int, str]) -> ClientRead:
    return ClientRead(
        client_id=client.client_id,
        name=client.name,
        kind=client.kind,
        organization=slugs.get(client.organization_id) if client.organization_id else None,
        scopes=list(client.scopes),
        created_at=client.created_at,
        revoked_at=client.revoked_at,
    )


@router.post(
    "/v1/clients",
    tags=["clients"],
    status_code=status.HTTP_201_CREATED,
    summary="Register an API client (node admins); the secret is shown once",
    responses=problem_responses(401, 403, 422),
)
def create_client(
    data: ClientCreate,
    response: Response,
    session: WriteSession,
    principal: ClientManager,
) -> ClientCreated:
    client, secret = service.create_client(
        session,
        name=data.name,
        kind=data.kind,
        organization_slug=data.organization,
        scopes=data.scopes,
        created_by=principal,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/v1/clients/{client.client_id}"
    read = _read(client, service.organization_slugs(session, [client]))
    return ClientCreated(**read.model_dump(), client_secret=secret)


@router.get(
    "/v1/clients",
    tags=["clients"],
    summary="API clients of this node (node admins); never includes secrets",
    responses=problem_responses(401, 403),
)
def list_clients(session: ReadSession, principal: ClientManager) -> list[ClientRead]:
    clients = service.list_clients(session)
    slugs = service.organization_slugs(session, clients)
    return [_read(client, slugs) for client in clients]


@router.get(
    "/v1/clients/{client_id}",
    tags=["clients"],
    summary="One API client (node admins)",
    responses=problem_responses(401, 403, 404),
)
def get_client(
    client_id: ClientIdPath, session: ReadSession, principal: ClientManager
) -> ClientRead:
    client = service.find_client(session, client_id)
    if client is None:
        raise NotFound(f"No API client {client_id!r}.")
    return _read(client, service.organization_slugs(session, [client]))


@router.delete(
    "/v1/clients/{client_id}",
    tags=["clients"],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API client; its tokens stop working at their next use",
    responses=problem_responses(401, 403, 404),
)
def revoke_client(
    client_id: ClientIdPath, session: WriteSession, principal: ClientManager
) -> Response:
    service.revoke_client(session, client_id, revoked_by=principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

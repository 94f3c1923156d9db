"""`/v1/federation/*` for peer nodes, and `/v1/peers` for node administrators."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api.access import ANONYMOUS
from api.auth.dependencies import NodeAdmin
from api.config import Settings
from api.db import ReadSession, WriteSession
from api.errors import FieldError, ValidationFailed, problem_responses
from api.federation import service
from api.federation.atom import canonical_query, search_feed
from api.federation.dependencies import CurrentPeer, Cursors
from api.federation.oai import make_oai_server
from api.federation.schemas import ChangesPage, Inventory, PeerCreate, PeerCreated, PeerRead
from api.federation.xmltext import NOT_XML
from api.models import Peer
from api.models.base import utcnow
from api.search.router import SearchQueryString, run_search
from api.vocabularies.registry import VocabularyRegistry

router = APIRouter()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _registry(request: Request) -> VocabularyRegistry:
    registry: VocabularyRegistry = request.app.state.vocabularies
    return registry


def _note_pulled(request: Request, peer: Peer) -> None:
    """Per-peer delivery state: when it last pulled (its own transaction, so a
    read of the feed never waits on or rolls back with it)."""
    factory = request.app.state.session_factory
    with factory() as session, session.begin():
        row = session.get(Peer, peer.id)
        if row is not None:
            row.last_pulled_at = utcnow()


@router.get(
    "/v1/federation/changes",
    tags=["federation"],
    summary="The changes this peer may receive, after a cursor",
    response_model=ChangesPage,
    responses=problem_responses(401, 403, 410, 422),
)
def changes(
    request: Request,
    session: ReadSession,
    peer: CurrentPeer,
    cursors: Cursors,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> ChangesPage:
    settings = _settings(request)
    position = service.start_position(cursors, peer, cursor)
    page = service.changes_page(
        session,
        peer,
        position,
        limit=limit or settings.federation_page_size,
        node_url=settings.issuer,
        registry=_registry(request),
        small_cell_k=settings.small_cell_k,
    )
    _note_pulled(request, peer)
    return ChangesPage(
        changes=page.changes, cursor=cursors.encode(peer.id, page.position), more=page.more
    )


@router.get(
    "/v1/federation/inventory",
    tags=["federation"],
    summary="Everything this peer may receive now, to reconcile after a 410",
    response_model=Inventory,
    responses=problem_responses(401, 403),
)
def inventory(
    request: Request, session: ReadSession, peer: CurrentPeer, cursors: Cursors
) -> Inventory:
    items, position = service.inventory(
        session,
        peer,
        registry=_registry(request),
        small_cell_k=_settings(request).small_cell_k,
    )
    return Inventory.model_validate({"items": items, "cursor": cursors.encode(peer.id, position)})


@router.get(
    "/v1/federation/entries/{entry_id}",
    tags=["federation"],
    summary="One entry as this peer receives it (404 unless it may)",
    responses=problem_responses(401, 403, 404),
)
def federated_entry(
    request: Request,
    session: ReadSession,
    peer: CurrentPeer,
    entry_id: Annotated[str, Path(max_length=40)],
) -> dict[str, object]:
    settings = _settings(request)
    return service.receivable_document(
        session,
        peer,
        entry_id,
        node_url=settings.issuer,
        registry=_registry(request),
        small_cell_k=settings.small_cell_k,
    )


@router.get(
    "/v1/federation/entries/{entry_id}/attachments/{attachment_id}",
    tags=["federation"],
    summary="An attachment of an entry this peer may receive (asked again on every fetch)",
    response_class=FileResponse,
    responses={
        **problem_responses(401, 403, 404),
        200: {"content": {"application/octet-stream": {}}, "description": "The document"},
    },
)
def federated_attachment(
    request: Request,
    session: ReadSession,
    peer: CurrentPeer,
    entry_id: Annotated[str, Path(max_length=40)],
    attachment_id: Annotated[str, Path(max_length=40)],
) -> FileResponse:
    attachment = service.receivable_attachment(session, peer, entry_id, attachment_id)
    return FileResponse(
        request.app.state.storage.path(attachment.storage_key),
        media_type=attachment.media_type,
        filename=attachment.filename,
    )


async def _oai(request: Request, arguments: dict[str, str]) -> Response:
    server = getattr(request.app.state, "oai_server", None)
    if server is None:
        server = make_oai_server(request.app.state.session_factory, _settings(request))
        request.app.state.oai_server = server
    body = await run_in_threadpool(server.handleRequest, arguments)
    return Response(body, media_type="text/xml; charset=utf-8")


@router.get(
    "/oai", tags=["federation"], summary="OAI-PMH 2.0 (public entries, oai_dc)",
    response_class=Response,
)  # fmt: skip
async def oai_get(request: Request) -> Response:
    return await _oai(request, dict(request.query_params))


@router.post(
    "/oai", tags=["federation"], summary="OAI-PMH 2.0 with a form body",
    response_class=Response,
)  # fmt: skip
async def oai_post(request: Request) -> Response:
    arguments: dict[str, str] = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        arguments.update({k: v for k, v in form.items() if isinstance(v, str)})
    return await _oai(request, arguments)


@router.get(
    "/feeds/search.atom",
    tags=["federation"],
    summary="Atom feed of public search results (the search API's parameters)",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **problem_responses(422)},
)
def search_atom(request: Request, params: SearchQueryString) -> Response:
    if NOT_XML.search(params.q):
        raise ValidationFailed(
            "The words contain a control character, which a feed cannot carry.",
            errors=[FieldError("query.q", "contains a control character (U+0000 to U+001F)")],
        )
    params = replace(params, sort="newest", page=1, per_page=min(params.per_page, 50))
    result = run_search(request, ANONYMOUS, params)
    settings = _settings(request)
    body = search_feed(
        result,
        node_url=settings.issuer,
        node_name=settings.node_name,
        query_string=canonical_query(list(request.query_params.multi_items())),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _read(view: service.PeerView) -> dict[str, object]:
    peer = view.peer
    return {
        "name": peer.name,
        "base_url": peer.base_url,
        "client_id": peer.client_id,
        "organizations": view.organizations,
        "harvests": peer.remote_client_id is not None,
        "last_pulled_at": peer.last_pulled_at,
        "last_harvest_at": peer.last_harvest_at,
        "harvest_failures": peer.harvest_failures,
        "next_harvest_at": peer.next_harvest_at,
        "last_error": peer.last_error,
        "created_at": peer.created_at,
    }


@router.post(
    "/v1/peers",
    tags=["federation"],
    summary="Register a peer node (node administrators)",
    status_code=status.HTTP_201_CREATED,
    response_model=PeerCreated,
    responses=problem_responses(401, 403, 409, 422),
)
def add_peer(session: WriteSession, principal: NodeAdmin, body: PeerCreate) -> PeerCreated:
    peer, secret = service.add_peer(
        session,
        name=body.name,
        base_url=body.base_url,
        organizations=body.organizations,
        remote_client_id=body.remote_client_id,
        remote_client_secret=body.remote_client_secret,
        created_by=principal,
    )
    view = service.PeerView(peer, sorted(dict.fromkeys(body.organizations)))
    return PeerCreated.model_validate({**_read(view), "client_secret": secret})


@router.get(
    "/v1/peers",
    tags=["federation"],
    summary="Peer nodes and their delivery and harvest state (node administrators)",
    response_model=list[PeerRead],
    responses=problem_responses(401, 403),
)
def list_peers(session: ReadSession, principal: NodeAdmin) -> list[PeerRead]:
    return [PeerRead.model_validate(_read(v)) for v in service.list_peers(session)]


@router.delete(
    "/v1/peers/{name}",
    tags=["federation"],
    summary="Remove a peer: revoke its access and drop what was harvested from it",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
def remove_peer(
    session: WriteSession, principal: NodeAdmin, name: Annotated[str, Path(max_length=40)]
) -> Response:
    service.remove_peer(session, name, removed_by=principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

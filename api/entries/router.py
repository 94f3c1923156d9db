"""`/v1/entries`: HTTP surface of the entries use cases.

Who may call each route is in its signature: `Publisher` to create, and the
loader dependencies (`VisibleEntry`, `EditableEntry`, `EntryFor(...)`) that load
the entry through the visibility rule and check the policy table. No rules live
here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from api.access import access_to
from api.attachments.service import delete_blobs_after_commit
from api.audit import record_read
from api.auth.dependencies import CurrentPrincipal, Publisher
from api.bounds import RevisionNumber
from api.db import ReadSession, WriteSession
from api.entries import repository, service
from api.entries.dependencies import (
    DeletableEntry,
    EditableEntry,
    EntryOrStub,
    SafetyGuard,
    VisibleEntry,
    small_cell_k_of,
)
from api.entries.schemas import (
    EntryCreate,
    EntryPage,
    EntryRead,
    EntryUpdate,
    RevisionList,
    RevisionRead,
)
from api.entries.views import entry_read, revision_read, revision_summary, summary_of
from api.errors import NotFound, problem_responses
from api.jsonld import JSONLD_MEDIA_TYPE, entry_jsonld
from api.vocabularies.router import registry_of

router = APIRouter(prefix="/v1/entries", tags=["entries"])


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 422))
def create_entry(
    data: EntryCreate,
    request: Request,
    response: Response,
    session: WriteSession,
    principal: Publisher,
) -> EntryRead:
    registry = registry_of(request)
    entry = service.create_entry(session, principal=principal, data=data, registry=registry)
    _etag(response, entry.version)
    response.headers["Location"] = f"/v1/entries/{entry.id}"
    return entry_read(session, entry, principal, registry, small_cell_k=small_cell_k_of(request))


@router.get("", summary="List the entries visible to the caller")
def list_entries(
    session: ReadSession,
    principal: CurrentPrincipal,
    kind: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    organization: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    entry_status: Annotated[list[str], Query(alias="status", max_length=10)] = [],  # noqa: B006
    featured: Annotated[
        bool | None, Query(description="Only entries a curator featured (true) or did not (false)")
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> EntryPage:
    filters = repository.EntryFilters(
        kind=kind, organization=organization, status=entry_status, featured=featured
    )
    items, total = repository.list_visible_entries(
        session, principal, filters, offset=(page - 1) * per_page, limit=per_page
    )
    return EntryPage(
        items=[summary_of(session, e, principal) for e in items],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get(
    "/{entry_id}",
    response_model=EntryRead,
    responses={
        **problem_responses(401, 403, 404),
        200: {"content": {JSONLD_MEDIA_TYPE: {}}, "description": "The entry (or, with "
              "Accept: application/ld+json, its schema.org JSON-LD: public entries only)"},
    },
)  # fmt: skip
def get_entry(
    entry: EntryOrStub,
    request: Request,
    response: Response,
    session: ReadSession,
    principal: CurrentPrincipal,
) -> EntryRead | Response:
    if JSONLD_MEDIA_TYPE in request.headers.get("accept", ""):
        settings = request.app.state.settings
        document = entry_jsonld(entry, node_url=settings.issuer, node_name=settings.node_name)
        if document is None:
            raise NotFound("No public entry with this id.")
        return JSONResponse(document, media_type=JSONLD_MEDIA_TYPE)
    view = entry_read(
        session, entry, principal, registry_of(request), small_cell_k=small_cell_k_of(request)
    )
    if view.restricted:
        return view  # a listed entry's public stub: nothing was read
    record_read(request.app.state.session_factory, principal=principal, entry=entry)
    _etag(response, entry.version)
    return view


@router.patch(
    "/{entry_id}",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def update_entry(
    entry: EditableEntry,
    data: EntryUpdate,
    request: Request,
    response: Response,
    session: WriteSession,
    principal: CurrentPrincipal,
    guard: SafetyGuard,
    if_match: Annotated[str | None, Header()] = None,
) -> EntryRead:
    registry = registry_of(request)
    service.update_entry(
        session,
        principal=principal,
        entry=entry,
        data=data,
        if_match=if_match,
        registry=registry,
        guard=guard,
    )
    _etag(response, entry.version)
    return entry_read(session, entry, principal, registry, small_cell_k=small_cell_k_of(request))


@router.delete(
    "/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 409, 412),
)
def delete_entry(
    entry: DeletableEntry,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    keys = service.delete_entry(session, principal=principal, entry=entry, if_match=if_match)
    delete_blobs_after_commit(session, request.app.state.storage, keys)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{entry_id}/revisions", responses=problem_responses(401, 403, 404))
def list_revisions(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> RevisionList:
    access = access_to(principal, entry)
    revisions = service.readable_revisions(session, principal=principal, entry=entry)
    return RevisionList(items=[revision_summary(r, access) for r in revisions])


@router.get("/{entry_id}/revisions/{number}", responses=problem_responses(401, 403, 404, 422))
def get_revision(
    entry: VisibleEntry,
    number: RevisionNumber,
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
) -> RevisionRead:
    revision = service.readable_revision(session, principal=principal, entry=entry, number=number)
    return revision_read(
        revision,
        access_to(principal, entry),
        registry_of(request),
        small_cell_k=small_cell_k_of(request),
    )

"""`/v1/collections`: curated, ordered lists of entries.

Reading is open to whoever may read the collection (public ones to anyone,
network ones to signed-in members); each item is shown only to callers who may
read its entry. Changes are for curators and node administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.dependencies import CuratorOrNodeAdmin, CurrentPrincipal
from api.collections import service
from api.collections.schemas import (
    CollectionCreate,
    CollectionItemRead,
    CollectionItemsUpdate,
    CollectionList,
    CollectionRead,
    CollectionSummary,
    CollectionUpdate,
)
from api.db import ReadSession, WriteSession
from api.entries.views import summary_of
from api.errors import problem_responses
from api.models import Collection

router = APIRouter(prefix="/v1/collections", tags=["collections"])

SlugPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


def _href(slug: str) -> str:
    return f"/v1/collections/{slug}"


def _summary(collection: Collection, item_count: int) -> CollectionSummary:
    return CollectionSummary(
        slug=collection.slug,
        title=collection.title,
        description=collection.description,
        visibility=collection.visibility,
        item_count=item_count,
        created_at=collection.created_at,
        updated_at=collection.updated_at,
        href=_href(collection.slug),
    )


def _read(session: Session, principal: Principal, collection: Collection) -> CollectionRead:
    rows = service.visible_items(session, principal, collection)
    items = [
        # Positions are renumbered over the visible items: stored positions with
        # gaps would reveal that something the caller may not read sits between.
        CollectionItemRead(position=n, note=item.note, entry=summary_of(session, entry, principal))
        for n, (item, entry) in enumerate(rows, start=1)
    ]
    return CollectionRead(
        **_summary(collection, len(items)).model_dump(),
        items=items,
    )


@router.get("", summary="Collections readable by the caller")
def list_collections(session: ReadSession, principal: CurrentPrincipal) -> CollectionList:
    rows = service.list_collections(session, principal)
    return CollectionList(items=[_summary(c, n) for c, n in rows])


@router.get(
    "/{slug}",
    summary="One collection with the items the caller may read, in order",
    responses=problem_responses(401, 404),
)
def get_collection(
    slug: SlugPath, session: ReadSession, principal: CurrentPrincipal
) -> CollectionRead:
    collection = service.get_readable_collection(session, principal, slug)
    return _read(session, principal, collection)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
)
def create_collection(
    data: CollectionCreate,
    response: Response,
    session: WriteSession,
    principal: CuratorOrNodeAdmin,
) -> CollectionRead:
    collection = service.create_collection(session, principal=principal, data=data)
    response.headers["Location"] = _href(collection.slug)
    return _read(session, principal, collection)


@router.patch("/{slug}", responses=problem_responses(401, 403, 404, 422))
def update_collection(
    slug: SlugPath,
    data: CollectionUpdate,
    session: WriteSession,
    principal: CuratorOrNodeAdmin,
) -> CollectionRead:
    collection = service.update_collection(session, principal=principal, slug=slug, data=data)
    return _read(session, principal, collection)


@router.put(
    "/{slug}/items",
    summary="Replace the items with an ordered list of published entries",
    responses=problem_responses(401, 403, 404, 422),
)
def set_items(
    slug: SlugPath,
    data: CollectionItemsUpdate,
    session: WriteSession,
    principal: CuratorOrNodeAdmin,
) -> CollectionRead:
    collection = service.set_items(session, principal=principal, slug=slug, items=data.items)
    return _read(session, principal, collection)


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
def delete_collection(
    slug: SlugPath, session: WriteSession, principal: CuratorOrNodeAdmin
) -> Response:
    service.delete_collection(session, principal=principal, slug=slug)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

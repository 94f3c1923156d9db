"""`/v1/me/saved-searches`, `/v1/me/alerts` and `/feeds/saved-searches/{id}.atom`.

Each route declares its action against `api.access.policy` (`SAVED_SEARCH_ACTIONS`:
a member manages their own saved searches only; another member's is a 404, a
machine client is refused with 403). The feed is for feed readers, which send no
bearer header: it answers to the saved search's feed key in the URL (`?key=`;
random, kept only as a hash, shown once, renewed by `POST …/feed-key`) or to its
owner signed in; anyone else gets the 404 a missing saved search gets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from api.access import Principal
from api.access.policy import may_manage_saved_search
from api.auth.dependencies import CurrentPrincipal, SignedIn
from api.config import Settings
from api.db import ReadSession, WriteSession
from api.entries.views import summary_of
from api.errors import problem_responses
from api.federation.atom import search_feed
from api.models import SavedSearch
from api.saved_searches import service
from api.saved_searches.schemas import (
    AlertList,
    AlertRead,
    FeedKey,
    SavedSearchCreate,
    SavedSearchCreated,
    SavedSearchList,
    SavedSearchRead,
    SavedSearchRef,
)
from api.vocabularies.router import registry_of

router = APIRouter(tags=["saved searches"])

SavedId = Annotated[int, Path(ge=1, le=2**62)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def href(saved_id: int) -> str:
    return f"/v1/me/saved-searches/{saved_id}"


def feed_href(saved_id: int) -> str:
    return f"/feeds/saved-searches/{saved_id}.atom"


def feed_url(request: Request, saved_id: int, key: str) -> str:
    return f"{_settings(request).issuer}{feed_href(saved_id)}?key={key}"


def read_of(saved: SavedSearch, new_count: int) -> SavedSearchRead:
    return SavedSearchRead(
        id=saved.id,
        name=saved.name,
        query=saved.query,
        search_href="/search" + (f"?{saved.query}" if saved.query else ""),
        feed_href=feed_href(saved.id),
        new_count=new_count,
        created_at=saved.created_at,
        checked_at=saved.checked_at,
        href=href(saved.id),
    )


def own(session: Session, principal: Principal, saved_id: int, action: str) -> SavedSearch:
    return service.get_own(session, principal, saved_id, action)


@router.get(
    "/v1/me/saved-searches",
    summary="Your saved searches, newest first, with their new alerts",
    responses=problem_responses(401, 403),
)
def list_saved(session: ReadSession, principal: SignedIn) -> SavedSearchList:
    rows = service.list_own(session, principal)
    counts = service.new_counts(session, principal, rows)
    return SavedSearchList(
        items=[read_of(s, counts.get(s.id, 0)) for s in rows],
        total=len(rows),
        limit=service.MAX_SAVED_SEARCHES,
    )


@router.post(
    "/v1/me/saved-searches",
    status_code=status.HTTP_201_CREATED,
    summary="Save a search (its address or query string), with a feed key shown once",
    responses=problem_responses(401, 403, 409, 422),
)
def save_search(
    request: Request,
    body: SavedSearchCreate,
    response: Response,
    session: WriteSession,
    principal: SignedIn,
) -> SavedSearchCreated:
    service.require_person(principal)
    query = service.validated_query(
        request.app.state.session_factory, registry_of(request), body.query
    )
    saved, key = service.create(session, principal, name=body.name, query=query)
    response.headers["Location"] = href(saved.id)
    response.headers["Cache-Control"] = "no-store"
    return SavedSearchCreated(
        **read_of(saved, 0).model_dump(), feed_key=key, feed_url=feed_url(request, saved.id, key)
    )


@router.get(
    "/v1/me/saved-searches/{saved_id}",
    summary="One of your saved searches",
    responses=problem_responses(401, 403, 404),
)
def get_saved(saved_id: SavedId, session: ReadSession, principal: SignedIn) -> SavedSearchRead:
    saved = own(session, principal, saved_id, "read_saved_search")
    return read_of(saved, service.new_counts(session, principal, [saved]).get(saved.id, 0))


@router.delete(
    "/v1/me/saved-searches/{saved_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one of your saved searches (its feed and alerts go with it)",
    responses=problem_responses(401, 403, 404),
)
def delete_saved(saved_id: SavedId, session: WriteSession, principal: SignedIn) -> Response:
    service.delete(session, own(session, principal, saved_id, "delete_saved_search"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/v1/me/saved-searches/{saved_id}/feed-key",
    summary="A new feed key (shown once; the previous one stops working)",
    responses=problem_responses(401, 403, 404),
)
def renew_feed_key(
    request: Request,
    saved_id: SavedId,
    response: Response,
    session: WriteSession,
    principal: SignedIn,
) -> FeedKey:
    saved = own(session, principal, saved_id, "renew_feed_key")
    key = service.renew_feed_key(session, saved)
    response.headers["Cache-Control"] = "no-store"
    return FeedKey(feed_key=key, feed_url=feed_url(request, saved.id, key))


@router.post(
    "/v1/me/saved-searches/{saved_id}/alerts/read",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark this saved search's alerts read (new_count starts again from 0)",
    responses=problem_responses(401, 403, 404),
)
def mark_read(saved_id: SavedId, session: WriteSession, principal: SignedIn) -> Response:
    service.mark_alerts_read(session, own(session, principal, saved_id, "read_alerts"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/v1/me/alerts",
    summary="Entries that matched your saved searches when checked, that you may read now",
    responses=problem_responses(401, 403, 404, 422),
)
def list_alerts(
    session: ReadSession,
    principal: SignedIn,
    saved_search: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    page: Annotated[int, Query(ge=1, le=1_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> AlertList:
    rows, total = service.list_alerts(
        session, principal, saved_id=saved_search, page=page, per_page=per_page
    )
    return AlertList(
        items=[
            AlertRead(
                id=alert.id,
                saved_search=SavedSearchRef(id=saved.id, name=saved.name, href=href(saved.id)),
                entry=summary_of(session, entry, principal),
                created_at=alert.created_at,
                new=service.is_new(alert, saved),
            )
            for alert, saved, entry in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


def feed_reader(
    session: Session, principal: Principal, saved: SavedSearch, key: str | None, settings: Settings
) -> Principal | None:
    """Who the feed is answered as: its owner signed in as themselves; with the
    right key, the saved search's member as they are now; else nobody (404)."""
    if may_manage_saved_search(principal, "read_saved_search", saved.account_id):
        return principal
    if service.key_matches(saved, key):
        return service.member_principal(session, saved, settings)
    return None


@router.get(
    "/feeds/saved-searches/{saved_id}.atom",
    tags=["federation"],
    summary="Atom feed of a saved search: the newest matching entries its member reads now",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **problem_responses(401, 404)},
)
def saved_search_feed(
    request: Request,
    saved_id: SavedId,
    principal: CurrentPrincipal,
    key: Annotated[str | None, Query(max_length=200, description="The feed key")] = None,
) -> Response:
    settings = _settings(request)
    factory = request.app.state.session_factory
    with factory() as session:
        saved = session.get(SavedSearch, saved_id)
        reader = feed_reader(session, principal, saved, key, settings) if saved else None
        if saved is None or reader is None:
            raise service.SavedSearchNotFound()
        session.expunge(saved)
    result = service.feed_results(
        factory, request.app.state.search_backend, registry_of(request), reader, saved
    )
    body = search_feed(
        result,
        node_url=settings.issuer,
        node_name=settings.node_name,
        query_string=saved.query,
        self_url=f"{settings.issuer}{feed_href(saved.id)}",
        title=saved.name,
    )
    return Response(
        body,
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )

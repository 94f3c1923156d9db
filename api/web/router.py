"""The web interface's pages: home, search, entry, collections, sign-in/out, language.

Owns: HTTP for the pages only. Every entry a page shows comes from the services
the API uses — `api.search.router.run_search` (engine, reader tags inside the
query), `api.entries.repository.get_visible_entry` / `list_visible_entries`
(`visible_clause`), `api.entries.views.entry_read`, `api.collections.service` —
so a page shows exactly what `/v1` would show the same caller, and an entry the
caller may not read is the 404 page, like one that does not exist.
Does not own: any rule about who may read what (`api.access`), nor writes to
entries (later pages)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.access import Principal, access_to
from api.audit import record_read
from api.auth.csrf import CSRF_FORM_FIELD, require_csrf_token
from api.auth.sessions import (
    SESSION_COOKIE,
    clear_session_cookie,
    cookie_secure,
    find_session,
    is_live,
)
from api.collections import service as collections_service
from api.config import Settings
from api.curation import repository as curation_repository
from api.db import ReadSession
from api.entries import repository
from api.entries import service as entries_service
from api.entries.dependencies import EntryNotFound, permitted_actions
from api.entries.repository import EntryFilters
from api.entries.schemas import EntrySummary
from api.entries.views import entry_read, revision_summary, shown_content, summary_of
from api.errors import NotFound, ServiceUnavailable
from api.jsonld import entry_jsonld
from api.login import service as login_service
from api.login.service import safe_next
from api.models import Entry
from api.search.router import SearchParams, SearchQueryString, find_related, run_search
from api.search.schemas import SearchHit
from api.web import search_page
from api.web.dependencies import Page
from api.web.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE_SECONDS, LANGUAGES
from api.web.templating import render

WEB_TAG = "web"
ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
HOME_COLLECTIONS = 6
HOME_RECENT = 8
HOME_FEATURED = 6
MAX_PAGE = 1_000  # the search API's limit
RELATED_ON_PAGE = 5


class WebRoute(APIRoute):
    """A page route. HTML forms submit every named field, so an untouched year box
    arrives as `year_from=`; pages read an empty value as an absent one (the API
    refuses it), so a filter form works without JavaScript. With JavaScript the
    form leaves empty fields out and the address is the API's query string."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def without_empty_values(request: Request) -> Response:
            pairs = parse_qsl(
                request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
            )
            if any(value == "" for _name, value in pairs):
                kept = [(name, value) for name, value in pairs if value != ""]
                request.scope["query_string"] = urlencode(kept).encode("latin-1")
                request = Request(request.scope, request.receive)
            return await handler(request)

        return without_empty_values


router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("/")
def home(page: Page, request: Request, session: ReadSession) -> HTMLResponse:
    collections = collections_service.list_collections(session, page.principal)
    # The newest entries the caller may read, from the engine (a database sort over
    # every visible entry costs ~100 ms at 10k entries; the engine answers in a few).
    recent = run_search(
        request, page.principal, SearchParams(sort="newest", per_page=HOME_RECENT, facets=())
    )
    featured = featured_entries(session, page.principal, limit=HOME_FEATURED)
    return render(
        page,
        "home.html",
        featured=featured,
        collections=[(c, n) for c, n in collections if n][:HOME_COLLECTIONS],
        recent=recent.hits,
        details=_hit_details(session, page.principal, recent.hits),
    )


def featured_entries(session: Session, principal: Principal, *, limit: int) -> list[EntrySummary]:
    """Entries a curator featured whose live version the caller reads (the API's
    `GET /v1/entries?featured=true`, the same query): never a listed entry's stub,
    never a version the caller only reviews."""
    rows, _total = repository.list_visible_entries(
        session, principal, EntryFilters(featured=True), offset=0, limit=limit
    )
    shown = []
    for row in rows:
        access = access_to(principal, row)
        if not (access.stub or access.review_only):
            shown.append(summary_of(session, row, principal))
    return shown


@dataclass(frozen=True)
class HitDetails:
    """What a result shows that the engine does not return with a hit."""

    language: str
    evidence_level: str | None


def _hit_details(
    session: Session, principal: Principal, hits: list[SearchHit]
) -> dict[str, HitDetails]:
    """Read through the same visibility rule, for these hits only (an entry changed
    or hidden since it was indexed simply has no details). The content shown is the
    one the caller may read (`shown_content`), not necessarily the live row."""
    if not hits:
        return {}
    rows, _ = repository.list_visible_entries(
        session, principal, EntryFilters(ids=[hit.id for hit in hits]), offset=0, limit=len(hits)
    )
    details = {}
    for row in rows:
        access = access_to(principal, row)
        if access.stub:
            continue  # a listed entry's stub shows neither language nor evidence level
        content = shown_content(session, row, access) or {}
        details[row.id] = HitDetails(
            content.get("language", row.language), content.get("evidence_level", row.evidence_level)
        )
    return details


@router.get("/search")
def search(
    page: Page, request: Request, params: SearchQueryString, session: ReadSession
) -> HTMLResponse:
    # Words searched: ask the engine why each hit matched (the API's `explain=true`),
    # for the "Matched:" line; the page's own links never carry `explain`.
    result = run_search(
        request, page.principal, dataclasses.replace(params, explain=bool(params.q.strip()))
    )
    details = _hit_details(session, page.principal, result.hits)
    suggestions = []
    if result.total == 0:
        for group, relaxed in search_page.relaxations(params):
            found = run_search(
                request, page.principal, dataclasses.replace(relaxed, per_page=1, facets=())
            )
            if found.total:
                suggestions.append((group, search_page.search_url(relaxed), found.total))
        suggestions.sort(key=lambda item: -item[2])
    last_page = max(1, min(MAX_PAGE, math.ceil(result.total / params.per_page)))
    return render(
        page,
        "search.html",
        params=params,
        result=result,
        details=details,
        chips=search_page.chips(params),
        regions=search_page.region_tree(
            page.registry, result.facets.get("region", {}), set(params.filters.get("region", ()))
        ),
        facets=search_page.list_facets(page.registry, result.facets, params),
        optional_facets=search_page.OPTIONAL_FACETS,
        suggestions=suggestions,
        page_numbers=search_page.page_numbers(min(params.page, last_page), last_page),
        last_page=last_page,
        search_url=search_page.search_url,
        export_url=search_page.export_url,
        export_rows=_settings(request).export_max_rows,
        matched=search_page.matched,
    )


def owner_buttons(actions: Sequence[str]) -> list[str]:
    """The workflow buttons the entry page shows for these allowed actions: publish
    replaces submit where the owner publishes directly (partners/private)."""
    shown = [a for a in ("publish", "restore") if a in actions]
    if "submit" in actions and "publish" not in actions:
        shown.insert(0, "submit")
    return shown


@router.get("/entries/{entry_id}")
def entry(entry_id: str, page: Page, request: Request, session: ReadSession) -> HTMLResponse:
    found = (
        repository.get_visible_or_listed_entry(session, page.principal, entry_id)
        if ENTRY_ID.fullmatch(entry_id)
        else None
    )
    if found is None:
        raise EntryNotFound()
    if access_to(page.principal, found).stub:
        # A listed entry the caller may not read: its public stub only (as the API
        # shows it), nothing read or recorded; members may ask for access.
        return render(
            page,
            "access_ask.html",
            stub=summary_of(session, found, page.principal),
            asked=[],
            reason="",
            errors={},
        )
    record_read(request.app.state.session_factory, principal=page.principal, entry=found)
    view = entry_read(
        session, found, page.principal, page.registry, small_cell_k=_settings(request).small_cell_k
    )
    revisions = entries_service.readable_revisions(session, principal=page.principal, entry=found)
    access = access_to(page.principal, found)
    actions = permitted_actions(session, page.principal, found)
    # What the reviewers said, for the owner whose entry came back with changes
    # requested (the thread is the API's `read_thread`, same policy).
    thread = curation_repository.comments_of(session, found.id) if "read_thread" in actions else []
    last_word = next(
        (
            t.comment
            for t in reversed(curation_repository.transitions_of(session, found.id))
            if t.action in ("request_changes", "return_hold", "reject") and t.comment
        ),
        None,
    )
    return render(
        page,
        "entry.html",
        entry=view,
        related=_related(request, session, page.principal, found),
        revisions=[revision_summary(r, access) for r in revisions],
        collections=collections_service.collections_containing(session, page.principal, found.id),
        permalink=f"{_settings(request).public_url.rstrip('/')}/entries/{found.id}",
        jsonld=_jsonld(found, _settings(request)),
        owner=access.owner,
        actions=actions,
        buttons=owner_buttons(actions),
        thread=thread,
        reviewer_said=last_word if "read_thread" in actions else None,
    )


def _related(
    request: Request, session: Session, principal: Principal, entry: Entry
) -> list[SearchHit]:
    """The API's related entries (`/v1/entries/{id}/related`, same search); the page
    still shows the entry when the engine is away, without them."""
    try:
        return find_related(request, session, principal, entry, RELATED_ON_PAGE)
    except ServiceUnavailable:
        return []


def _jsonld(entry: Entry, settings: Settings) -> Markup | None:
    """schema.org JSON-LD for a public entry's page (None for any other entry),
    escaped so no value can close the script element."""
    document = entry_jsonld(entry, node_url=settings.issuer, node_name=settings.node_name)
    if document is None:
        return None
    text = json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")
    return Markup(text)  # noqa: S704 - JSON with "<" escaped, inside a script element


@router.get("/collections")
def collections(page: Page, session: ReadSession) -> HTMLResponse:
    rows = collections_service.list_collections(session, page.principal)
    return render(page, "collections.html", collections=rows)


@router.get("/collections/{slug}")
def collection(slug: str, page: Page, session: ReadSession) -> HTMLResponse:
    found = collections_service.get_readable_collection(session, page.principal, slug)
    items = [
        # Numbered over the visible items only, as the API does.
        (n, item.note, summary_of(session, entry, page.principal))
        for n, (item, entry) in enumerate(
            collections_service.visible_items(session, page.principal, found), start=1
        )
    ]
    return render(page, "collection.html", collection=found, items=items)


@router.get("/sign-in")
def sign_in(
    page: Page,
    session: ReadSession,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> HTMLResponse:
    providers = [
        (idp, org) for idp, org in login_service.list_identity_providers(session) if idp.enabled
    ]
    return render(page, "sign_in.html", providers=providers, next_path=safe_next(next_path))


def _end_session(request: Request, cookie: str | None, presented: str | None) -> None:
    if not cookie:
        return
    with request.app.state.session_factory() as session, session.begin():
        row = find_session(session, cookie)
        # A dead session has nothing to protect; a live one is ended only by a form
        # of our own pages, which carries its CSRF token.
        if row is not None and is_live(row):
            require_csrf_token(presented, row.csrf_token)
            login_service.sign_out(session, cookie)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await request.form()
    presented = form.get(CSRF_FORM_FIELD)
    await run_in_threadpool(
        _end_session,
        request,
        request.cookies.get(SESSION_COOKIE),
        presented if isinstance(presented, str) else None,
    )
    response = RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"})
    clear_session_cookie(response, _settings(request))
    return response


@router.get("/language/{code}")
def switch_language(
    code: str,
    request: Request,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    if code not in LANGUAGES:
        raise NotFound(f"The interface is not available in {code!r}.")
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_MAX_AGE_SECONDS,
        path="/",
        secure=cookie_secure(_settings(request)),
        httponly=True,
        samesite="lax",
    )
    return response

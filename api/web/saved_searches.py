"""Saved searches in the browser: "Save this search" on the search page and the
"My saved searches" page (new alerts, the feed, a feed address for feed readers,
delete).

Owns: HTTP for these forms; errors at their inputs, the form kept. Does not own
any rule: the API's `api.saved_searches` service (the search endpoint's
validation, the per-account cap, ownership against `api.access.policy`, alerts
rechecked against the caller's visibility)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.auth.permissions import require_signed_in
from api.db import ReadSession, WriteSession
from api.entries.views import summary_of
from api.errors import Conflict, ValidationFailed
from api.saved_searches import router as saved_api
from api.saved_searches import service
from api.saved_searches.schemas import SavedSearchCreate
from api.vocabularies.router import registry_of
from api.web.dependencies import FormPage, Page
from api.web.editor import see_other
from api.web.forms import errors_by_anchor, schema_errors
from api.web.router import WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)
LATEST_ALERTS = 20


def _member(page: PageContext) -> None:
    require_signed_in(page.principal)  # the sign-in page for anonymous visitors
    service.require_person(page.principal)


def _page(
    page: PageContext,
    session: Session,
    *,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    feed: dict[str, Any] | None = None,
) -> HTMLResponse:
    rows = service.list_own(session, page.principal)
    counts = service.new_counts(session, page.principal, rows)
    alerts, total = service.list_alerts(
        session, page.principal, saved_id=None, page=1, per_page=LATEST_ALERTS
    )
    return render(
        page,
        "saved_searches.html",
        status=status,
        saved=[saved_api.read_of(s, counts.get(s.id, 0)) for s in rows],
        limit=service.MAX_SAVED_SEARCHES,
        alerts=[
            (alert, saved, summary_of(session, entry, page.principal))
            for alert, saved, entry in alerts
        ],
        alerts_total=total,
        values=dict(values or {"name": "", "query": ""}),
        errors=dict(errors or {}),
        feed=feed,
    )


@router.get("/saved-searches")
def saved_searches(page: Page, session: ReadSession) -> HTMLResponse:
    _member(page)
    return _page(page, session)


def _errors(refused: ValidationFailed | Conflict) -> dict[str, list[str]]:
    """The search's errors name `query.<parameter>`: shown at the address input."""
    grouped: dict[str, list[str]] = {}
    for error in refused.errors or []:
        field = str(error.get("field", ""))
        if field.startswith("query."):
            anchor, message = "field-query", f"{field.removeprefix('query.')}: {error['message']}"
        else:
            anchor, message = f"field-{field or 'name'}", str(error["message"])
        grouped.setdefault(anchor, []).append(message)
    return grouped or {"field-name": [refused.detail]}


@router.post("/saved-searches")
def save(request: Request, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    _member(page)
    values = {"name": posted.text("name"), "query": posted.text("query")}
    try:
        data = SavedSearchCreate.model_validate(values)
    except ValidationError as refused:
        errors = errors_by_anchor(schema_errors(refused))
        return _page(page, session, status=422, values=values, errors=errors)
    try:
        query = service.validated_query(
            request.app.state.session_factory, registry_of(request), data.query
        )
        saved, key = service.create(session, page.principal, name=data.name, query=query)
    except (ValidationFailed, Conflict) as refused:
        status = 409 if isinstance(refused, Conflict) else 422
        return _page(page, session, status=status, values=values, errors=_errors(refused))
    feed = {"name": saved.name, "url": saved_api.feed_url(request, saved.id, key)}
    return _page(page, session, status=201, feed=feed)


@router.post("/saved-searches/{saved_id}/feed-key")
def renew_key(request: Request, saved_id: int, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    _member(page)
    saved = service.get_own(session, page.principal, saved_id, "renew_feed_key")
    key = service.renew_feed_key(session, saved)
    feed = {"name": saved.name, "url": saved_api.feed_url(request, saved.id, key)}
    return _page(page, session, feed=feed)


@router.post("/saved-searches/{saved_id}/read")
def mark_read(saved_id: int, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    _member(page)
    service.mark_alerts_read(
        session, service.get_own(session, page.principal, saved_id, "read_alerts")
    )
    return see_other("/saved-searches")


@router.post("/saved-searches/{saved_id}/delete")
def delete(saved_id: int, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    _member(page)
    saved = service.get_own(session, page.principal, saved_id, "delete_saved_search")
    service.delete(session, saved)
    return see_other("/saved-searches")

"""Listed entries and access requests in the browser: a member who sees only the
public stub of a listed entry asks its owner for access; the owner's publishers
approve (for some days) or decline, and revoke grants.

Owns: HTTP for these forms; the reason's error at its input, the form kept.
Does not own: any rule. Asking goes through the API's `stub_entry` (the caller
sees only the stub, is signed in as a member of an organization) and
`request_access`; deciding through `EntryFor("manage_access")` as a plain call
(`load_entry`) and the API's `approve_request` / `decline_request` /
`revoke_grant` / `list_requests` / `list_grants`."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access_requests import router as access_api
from api.access_requests.schemas import AccessDecision, AccessRequestCreate
from api.db import ReadSession, WriteSession
from api.entries.dependencies import EntryNotFound
from api.entries.views import summary_of
from api.models import Entry
from api.web.dependencies import FormPage, Page
from api.web.editor import load_entry, see_other
from api.web.forms import errors_by_anchor, schema_errors
from api.web.router import ENTRY_ID, WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)


def _stub(session: Session, page: PageContext, entry_id: str) -> Entry:
    if not ENTRY_ID.fullmatch(entry_id):
        raise EntryNotFound()
    return access_api.stub_entry(entry_id, session, page.principal)


def _ask_page(
    page: PageContext,
    session: Session,
    entry: Entry,
    *,
    status: int = 200,
    reason: str = "",
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    asked = [r for r in access_api.my_requests(session, page.principal) if r.entry_id == entry.id]
    return render(
        page,
        "access_ask.html",
        status=status,
        stub=summary_of(session, entry, page.principal),
        asked=asked,
        reason=reason,
        errors=dict(errors or {}),
    )


@router.get("/entries/{entry_id}/access")
def ask(entry_id: str, page: Page, session: ReadSession) -> HTMLResponse:
    return _ask_page(page, session, _stub(session, page, entry_id))


@router.post("/entries/{entry_id}/access")
def send_request(entry_id: str, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    entry = _stub(session, page, entry_id)
    reason = posted.text("reason")
    try:
        data = AccessRequestCreate(reason=reason)
    except ValidationError as refused:
        errors = errors_by_anchor(schema_errors(refused))
        return _ask_page(page, session, entry, status=422, reason=reason, errors=errors)
    access_api.request_access(entry, data, session, page.principal)
    return see_other(f"/entries/{entry.id}/access")


def _manage_page(
    page: PageContext,
    session: Session,
    entry: Entry,
    *,
    status: int = 200,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    return render(
        page,
        "access_manage.html",
        status=status,
        entry=entry,
        requests=access_api.list_requests(entry, session),
        grants=access_api.list_grants(entry, session),
        errors=dict(errors or {}),
    )


@router.get("/entries/{entry_id}/access-requests")
def requests(entry_id: str, page: Page, session: ReadSession) -> HTMLResponse:
    entry = load_entry(session, page.principal, entry_id, "manage_access")
    return _manage_page(page, session, entry)


@router.post("/entries/{entry_id}/access-requests/{request_id}/{decision}")
def decide(
    entry_id: str, request_id: int, decision: str, posted: FormPage, session: WriteSession
) -> Response:
    page = posted.page
    if decision not in ("approve", "decline"):
        raise EntryNotFound()
    entry = load_entry(session, page.principal, entry_id, "manage_access")
    # Each request's inputs are named `<field>-<request id>` (several on one page).
    fields = {"comment": posted.text(f"comment-{request_id}") or None}
    if decision == "approve":
        fields["days"] = posted.text(f"days-{request_id}") or "90"
    try:
        data = AccessDecision.model_validate(fields)
    except ValidationError as refused:
        errors = {
            f"field-{error['field']}-{request_id}": [error["message"]]
            for error in schema_errors(refused)
        }
        return _manage_page(page, session, entry, status=422, errors=errors)
    if decision == "approve":
        access_api.approve_request(entry, request_id, session, page.principal, data)
    else:
        access_api.decline_request(entry, request_id, session, page.principal, data)
    return see_other(f"/entries/{entry.id}/access-requests")


@router.post("/entries/{entry_id}/grants/{grant_id}/revoke")
def revoke(entry_id: str, grant_id: int, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    entry = load_entry(session, page.principal, entry_id, "manage_access")
    access_api.revoke_grant(entry, grant_id, session, page.principal)
    return see_other(f"/entries/{entry.id}/access-requests")

"""The curator's pages: the review queue (filters, counts, duplicate hints) with
the safety holds, and the review page (what changed, field by field; the
findings of the guard; the thread) with the decision form.

Owns: HTTP for these pages and forms, and one form rule: requesting changes,
rejecting and returning a hold need a comment — the owner must learn what to do
(the API leaves it optional for scripts).
Does not own: any query or rule. The queue is the API's `review_queue` and
`safety_holds`, the diff the API's `diff_revisions`, the thread the API's
`add_comment`; an entry is reached with `visible_entry` (or, for a held one, the
hold capacity `held_or_visible_entry`, as `HoldFor`) and every decision is
checked with `check_action` — so a curator never sees or decides on their own
organization's entries, and a held partners entry shows only its findings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.permissions import require_role
from api.curation import repository as curation_repository
from api.curation import workflow
from api.curation.router import (
    COMMENT_ANCHORS,
    add_comment,
    diff_revisions,
    feature_entry,
    review_queue,
    set_tags,
    unfeature_entry,
)
from api.curation.safety_router import safety_holds
from api.curation.safety_views import finding_list
from api.curation.schemas import CommentCreate, TagsUpdate
from api.db import ReadSession, WriteSession
from api.entries import repository
from api.entries.dependencies import (
    EntryNotFound,
    check_action,
    held_or_visible_entry,
    permitted_actions,
)
from api.entries.views import entry_read
from api.errors import ValidationFailed
from api.models import Entry
from api.web import search_page
from api.web.dependencies import FormPage, Page
from api.web.editor import see_other
from api.web.i18n import gettext as _
from api.web.i18n import use_language
from api.web.router import ENTRY_ID, WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

CURATORS_ONLY = "Only curators may do this."
DECISIONS = ("approve", "request_changes", "reject", "release_hold", "return_hold")
NEEDS_COMMENT = ("request_changes", "reject", "return_hold")
REVIEW_ACTIONS = (*DECISIONS, "read_findings", "read_thread", "tag", "feature")
Filter = list[str]


@router.get("/review")
def queue(
    page: Page,
    request: Request,
    session: ReadSession,
    kind: Filter = Query([], max_length=10),
    region: Filter = Query([], max_length=10),
    program_type: Filter = Query([], max_length=10),
    number: int = Query(1, alias="page", ge=1, le=1000),
) -> HTMLResponse:
    principal = page.principal
    require_role(principal, "curator", CURATORS_ONLY)
    errors: dict[str, list[str]] = {}
    try:
        found = review_queue(
            request, session, principal, kind=kind, region=region, program_type=program_type,
            organization=[], page=number, per_page=20,
        )  # fmt: skip
    except ValidationFailed:
        with use_language(page.language):
            errors["field-region"] = [_("Choose a region or country from the list.")]
        found = review_queue(
            request, session, principal, kind=kind, region=[], program_type=program_type,
            organization=[], page=number, per_page=20,
        )  # fmt: skip
    held = safety_holds(session, principal, page=1, per_page=100)
    return render(
        page,
        "review_queue.html",
        status=422 if errors else 200,
        queue=found,
        held=held,
        chosen={"kind": kind, "region": region, "program_type": program_type},
        terms={name: page.registry.terms(name) for name in ("kind", "program_type")},
        regions=search_page.region_tree(page.registry, None, set(region)),
        errors=errors,
    )


def reviewable(session: Session, principal: Principal, entry_id: str, action: str) -> Entry:
    """The entry the curator acts on (a held one through the hold capacity), checked
    against the policy for `action` — the API's `HoldFor(action)`."""
    if not ENTRY_ID.fullmatch(entry_id):
        raise EntryNotFound()
    entry = held_or_visible_entry(entry_id, session, principal)
    check_action(session, principal, entry, action)
    return entry


def _review_page(
    page: PageContext,
    request: Request,
    session: Session,
    entry_id: str,
    *,
    status: int = 200,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    principal = page.principal
    if not ENTRY_ID.fullmatch(entry_id):
        raise EntryNotFound()
    entry = held_or_visible_entry(entry_id, session, principal)
    actions = permitted_actions(session, principal, entry)
    if not any(a in actions for a in REVIEW_ACTIONS):
        check_action(session, principal, entry, "approve")  # says why: 403 or 409
    readable = repository.get_visible_entry(session, principal, entry.id) is not None
    settings = request.app.state.settings
    view = (
        entry_read(session, entry, principal, page.registry, small_cell_k=settings.small_cell_k)
        if readable
        else None
    )
    diff = None
    published = entry.published_revision
    if readable and published and entry.working_revision != published:
        diff = diff_revisions(entry, request, session, principal, published, entry.working_revision)
    return render(
        page,
        "review.html",
        status=status,
        entry=entry,
        view=view,
        changes=[
            (name, as_text(change.get("from")), as_text(change.get("to")))
            for name, change in (diff.changes.items() if diff else [])
        ],
        diff=diff,
        findings=finding_list(session, principal, entry) if "read_findings" in actions else None,
        thread=curation_repository.comments_of(session, entry.id)
        if "read_thread" in actions
        else [],
        decisions=[a for a in DECISIONS if a in actions],
        may_comment="comment" in actions,
        may_tag="tag" in actions,
        may_feature="feature" in actions,
        anchors=sorted(COMMENT_ANCHORS),
        values=dict(values or {}),
        errors=dict(errors or {}),
    )


def as_text(value: Any) -> str:
    """A revision field's value as text a curator compares (lists one per line)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(as_text(item) for item in value)
    if isinstance(value, dict):
        return " · ".join(f"{k}: {as_text(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


@router.get("/review/{entry_id}")
def review(entry_id: str, page: Page, request: Request, session: ReadSession) -> HTMLResponse:
    return _review_page(page, request, session, entry_id)


@router.post("/review/{entry_id}/decision")
def decide(entry_id: str, posted: FormPage, request: Request, session: WriteSession) -> Response:
    page = posted.page
    decision, comment = posted.text("decision"), posted.text("comment")
    values = {"decision": decision, "comment": comment}
    if decision not in DECISIONS:
        with use_language(page.language):
            message = _("Choose a decision.")
        return _review_page(page, request, session, entry_id, status=422, values=values,
                            errors={"field-decision": [message]})  # fmt: skip
    entry = reviewable(session, page.principal, entry_id, decision)
    if decision in NEEDS_COMMENT and not comment:
        with use_language(page.language):
            message = _("Say what the organization should change, or why: they read it.")
        return _review_page(page, request, session, entry_id, status=422, values=values,
                            errors={"field-comment": [message]})  # fmt: skip
    run: Any = workflow.TRANSITIONS.get(decision) or workflow.HOLD_TRANSITIONS[decision]
    run(session, principal=page.principal, entry=entry, comment=comment or None)
    return see_other("/review")


@router.post("/review/{entry_id}/comments")
def comment(entry_id: str, posted: FormPage, request: Request, session: WriteSession) -> Response:
    page = posted.page
    entry = reviewable(session, page.principal, entry_id, "comment")
    values = {"thread_body": posted.text("body"), "thread_field": posted.text("field")}
    try:
        data = CommentCreate(body=values["thread_body"], field=values["thread_field"] or None)
        add_comment(entry, data, session, page.principal)
    except (ValidationError, ValidationFailed) as refused:
        fields = (
            {str(e["loc"][0]) for e in refused.errors()}
            if isinstance(refused, ValidationError)
            else {str(e["field"]) for e in refused.errors or []}
        )
        with use_language(page.language):
            errors = {
                **({"field-thread_body": [_("Write the comment.")]} if "body" in fields else {}),
                **({"field-thread_field": [_("Choose a field of the entry.")]}
                   if "field" in fields else {}),
            }  # fmt: skip
        return _review_page(page, request, session, entry_id, status=422, values=values,
                            errors=errors)  # fmt: skip
    return see_other(f"/review/{entry.id}#thread-title")


@router.post("/review/{entry_id}/tags")
def tags(entry_id: str, posted: FormPage, request: Request, session: WriteSession) -> Response:
    """Curator tags, comma-separated (the API normalises them)."""
    page = posted.page
    entry = reviewable(session, page.principal, entry_id, "tag")
    typed = posted.text("tags")
    try:
        data = TagsUpdate(tags=[t.strip() for t in typed.split(",") if t.strip()])
    except ValidationError:
        with use_language(page.language):
            message = _("At most 20 tags of at most 60 characters each.")
        return _review_page(page, request, session, entry_id, status=422,
                            values={"tags": typed}, errors={"field-tags": [message]})  # fmt: skip
    set_tags(entry, data, session, page.principal)
    return see_other(f"/review/{entry.id}#curation-title")


@router.post("/review/{entry_id}/featured")
def featured(entry_id: str, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    entry = reviewable(session, page.principal, entry_id, "feature")
    if posted.text("featured") == "yes":
        feature_entry(entry, session, page.principal)
    else:
        unfeature_entry(entry, session, page.principal)
    return see_other(f"/review/{entry.id}#curation-title")

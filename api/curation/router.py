"""Curation endpoints: workflow transitions, the review queue, review threads,
revision diffs, curator tags and featuring, and the organization event log.

Every entry is loaded through the visibility rule first (`WritableEntry`), so a
curator can never act on — or learn of — another organization's partners or
private entry: it is a 404 like any invisible entry."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import or_, select

from api.access import Principal, has_review_access, visible_clause
from api.audit import record_event
from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import is_curator, require_signed_in
from api.curation import workflow
from api.curation.duplicates_router import duplicate_reads
from api.curation.schemas import (
    ActionsRead,
    CommentCreate,
    CommentRead,
    CurationRead,
    DiffRead,
    EventPage,
    EventRead,
    QueueItem,
    QueuePage,
    RetractRequest,
    TagsUpdate,
    TransitionRead,
    TransitionRequest,
)
from api.db import ReadSession, WriteSession
from api.entries.dependencies import VisibleEntry, WritableEntry
from api.entries.schemas import EntryRead
from api.entries.service import CONTENT_FIELDS, visible_revision
from api.entries.views import entry_read, summary_of
from api.errors import FieldError, Forbidden, ValidationFailed, problem_responses
from api.models import Entry, EntryTransition, NotificationEvent, Organization, ReviewComment
from api.vocabularies.router import registry_of

router = APIRouter(tags=["curation"])

TRANSITION_RESPONSES = problem_responses(401, 403, 404, 409, 422)


def _owner(principal: Principal, entry: Entry) -> bool:
    return principal.organization_id == entry.organization_id


def _require_thread_access(principal: Principal, entry: Entry) -> None:
    require_signed_in(principal)
    if not (_owner(principal, entry) or has_review_access(principal, entry)):
        raise Forbidden("Review threads are for the owner organization and its reviewers.")


def _transition(action: str) -> Any:
    run = workflow.TRANSITIONS[action]

    def endpoint(
        entry: WritableEntry,
        request: Request,
        session: WriteSession,
        principal: CurrentPrincipal,
        data: TransitionRequest | None = None,
    ) -> EntryRead:
        run(session, principal=principal, entry=entry, comment=data.comment if data else None)
        return entry_read(session, entry, principal, registry_of(request))

    endpoint.__name__ = f"{action}_entry"
    return endpoint


for _action in workflow.TRANSITIONS:
    router.add_api_route(
        f"/v1/entries/{{entry_id}}/{_action.replace('_', '-')}",
        _transition(_action),
        methods=["POST"],
        responses=TRANSITION_RESPONSES,
        summary=f"Workflow: {_action.replace('_', ' ')}",
    )


@router.post("/v1/entries/{entry_id}/retract", responses=TRANSITION_RESPONSES)
def retract_entry(
    entry: WritableEntry,
    data: RetractRequest,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> EntryRead:
    workflow.retract(
        session, principal=principal, entry=entry, reason=data.reason, comment=data.comment
    )
    return entry_read(session, entry, principal, registry_of(request))


@router.get("/v1/entries/{entry_id}/actions", responses=problem_responses(404))
def entry_actions(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> ActionsRead:
    return ActionsRead(
        status=entry.status,
        review_status=entry.review_status,
        allowed=workflow.allowed_actions(session, principal, entry),
    )


@router.get("/v1/entries/{entry_id}/transitions", responses=problem_responses(401, 403, 404))
def list_transitions(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> list[TransitionRead]:
    _require_thread_access(principal, entry)
    rows = session.scalars(
        select(EntryTransition)
        .where(EntryTransition.entry_id == entry.id)
        .order_by(EntryTransition.id)
    )
    return [TransitionRead.model_validate(r, from_attributes=True) for r in rows]


@router.get("/v1/entries/{entry_id}/comments", responses=problem_responses(401, 403, 404))
def list_comments(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> list[CommentRead]:
    _require_thread_access(principal, entry)
    rows = session.scalars(
        select(ReviewComment).where(ReviewComment.entry_id == entry.id).order_by(ReviewComment.id)
    )
    return [CommentRead.model_validate(r, from_attributes=True) for r in rows]


@router.post(
    "/v1/entries/{entry_id}/comments",
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
)
def add_comment(
    entry: WritableEntry,
    data: CommentCreate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> CommentRead:
    _require_thread_access(principal, entry)
    anchors = {*CONTENT_FIELDS, "indicators", "visibility", "shared_with", "attachments"}
    if data.field is not None and data.field not in anchors:
        raise ValidationFailed(
            "A comment can be anchored to an entry field only.",
            errors=[FieldError("field", f"one of {', '.join(sorted(anchors))}")],
        )
    comment = ReviewComment(
        entry_id=entry.id,
        author_account_id=principal.account_id,
        author_organization_id=principal.organization_id,
        author_role="owner" if _owner(principal, entry) else "curator",
        field=data.field,
        body=data.body,
    )
    session.add(comment)
    if not _owner(principal, entry):
        session.add(
            NotificationEvent(
                organization_id=entry.organization_id,
                entry_id=entry.id,
                kind="commented",
                message=f"{entry.title!r}: a reviewer commented"
                + (f" on {data.field}" if data.field else ""),
                actor_account_id=principal.account_id,
            )
        )
    record_event(session, principal=principal, action="entry.commented", entry_id=entry.id)
    session.flush()
    return CommentRead.model_validate(comment, from_attributes=True)


@router.get("/v1/entries/{entry_id}/diff", responses=problem_responses(404, 422))
def diff_revisions(
    entry: VisibleEntry,
    session: ReadSession,
    principal: CurrentPrincipal,
    from_revision: Annotated[int, Query(alias="from", ge=1)],
    to_revision: Annotated[int, Query(alias="to", ge=1)],
) -> DiffRead:
    old, new = (
        visible_revision(session, principal=principal, entry=entry, number=number).content
        for number in (from_revision, to_revision)
    )
    changes = {
        field: {"from": old.get(field), "to": new.get(field)}
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    }
    return DiffRead(from_revision=from_revision, to_revision=to_revision, changes=changes)


TAG_PATTERN = re.compile(r"[^a-z0-9]+")


def normalize_tag(raw: str) -> str:
    return TAG_PATTERN.sub("-", raw.casefold()).strip("-")[:40]


def _require_curator_of(principal: Principal, entry: Entry) -> None:
    require_signed_in(principal)
    if not is_curator(principal):
        raise Forbidden("Only curators tag and feature entries.")
    if not _owner(principal, entry) and entry.visibility not in workflow.REVIEWED_VISIBILITIES:
        raise Forbidden("Curators act on network-wide and public entries only.")


@router.put("/v1/entries/{entry_id}/tags", responses=problem_responses(401, 403, 404, 422))
def set_tags(
    entry: WritableEntry, data: TagsUpdate, session: WriteSession, principal: CurrentPrincipal
) -> CurationRead:
    _require_curator_of(principal, entry)
    tags = sorted({t for t in (normalize_tag(raw) for raw in data.tags) if t})
    entry.tags = tags
    record_event(
        session, principal=principal, action="entry.tagged", entry_id=entry.id,
        details={"tags": tags},
    )  # fmt: skip
    session.flush()
    return CurationRead(tags=entry.tags, featured=entry.featured)


def _set_featured(
    entry: Entry, session: WriteSession, principal: Principal, featured: bool
) -> CurationRead:
    _require_curator_of(principal, entry)
    if featured and entry.status != "published":
        raise ValidationFailed(
            "Only published entries can be featured.",
            errors=[FieldError("status", f"is {entry.status}")],
        )
    entry.featured = featured
    record_event(
        session, principal=principal, entry_id=entry.id,
        action="entry.featured" if featured else "entry.unfeatured",
    )  # fmt: skip
    session.flush()
    return CurationRead(tags=entry.tags, featured=entry.featured)


@router.put("/v1/entries/{entry_id}/featured", responses=problem_responses(401, 403, 404, 422))
def feature_entry(
    entry: WritableEntry, session: WriteSession, principal: CurrentPrincipal
) -> CurationRead:
    return _set_featured(entry, session, principal, True)


@router.delete("/v1/entries/{entry_id}/featured", responses=problem_responses(401, 403, 404))
def unfeature_entry(
    entry: WritableEntry, session: WriteSession, principal: CurrentPrincipal
) -> CurationRead:
    return _set_featured(entry, session, principal, False)


@router.get("/v1/review/queue", responses=problem_responses(401, 403, 422))
def review_queue(
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    kind: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    region: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    program_type: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    organization: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> QueuePage:
    """Entries awaiting a curator, oldest submission first. Only entries whose
    requested visibility is public or network ever appear (the `review` tag)."""
    require_signed_in(principal)
    if not is_curator(principal):
        raise Forbidden("The review queue is for curators.")
    registry = registry_of(request)
    unknown = [
        FieldError("query.region", f"{code!r} is not a region code")
        for code in region
        if not registry.is_valid("region", code, allow_deprecated=True)
    ]
    if unknown:
        raise ValidationFailed("Unknown filter values.", errors=unknown)
    query = select(Entry).where(
        visible_clause(principal),
        or_(
            Entry.status.in_(("submitted", "changes_requested")),
            Entry.review_status.in_(("submitted", "changes_requested")),
        ),
    )
    if kind:
        query = query.where(Entry.kind.in_(kind))
    if organization:
        query = query.join(Organization, Organization.id == Entry.organization_id).where(
            Organization.slug.in_(organization)
        )
    rows = [e for e in session.scalars(query.order_by(Entry.submitted_at, Entry.id))
            if has_review_access(principal, e)]  # fmt: skip
    if region:
        wanted = set(region)
        rows = [e for e in rows if wanted & set(registry.expand_regions(e.regions))]
    if program_type:
        rows = [e for e in rows if set(program_type) & set(e.program_types)]
    counts = {"submitted": 0, "changes_requested": 0}
    for entry in rows:
        counts[workflow.review_state(entry) or "submitted"] += 1
    waiting = [e for e in rows if workflow.review_state(e) == "submitted"]
    window = waiting[(page - 1) * per_page : page * per_page]
    items = []
    for entry in window:
        duplicates = duplicate_reads(session, entry, principal)
        items.append(
            QueueItem(
                **summary_of(entry).model_dump(),
                review_status=workflow.review_state(entry),
                requested_visibility=entry.requested_visibility,
                submitted_at=entry.submitted_at,
                possible_duplicates=duplicates,
            )
        )
    return QueuePage(items=items, total=len(waiting), page=page, per_page=per_page, counts=counts)


@router.get("/v1/events", responses=problem_responses(401))
def organization_events(
    session: ReadSession,
    principal: CurrentPrincipal,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EventPage:
    """What happened to your organization's entries, in order; follow with `after`."""
    require_signed_in(principal)
    rows = list(
        session.scalars(
            select(NotificationEvent)
            .where(
                NotificationEvent.organization_id == principal.organization_id,
                NotificationEvent.id > after,
            )
            .order_by(NotificationEvent.id)
            .limit(limit)
        )
    )
    return EventPage(
        items=[EventRead.model_validate(r, from_attributes=True) for r in rows],
        next_after=rows[-1].id if rows else None,
    )

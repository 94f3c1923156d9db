"""Curation endpoints: workflow transitions, the review queue, review threads,
revision diffs, curator tags and featuring, and the organization event log.

Each route declares what it does: `EntryFor(action)` loads the entry through the
visibility rule (404 when the caller may not read it — a curator never learns of
another organization's partners or private entry) and checks the policy table;
`Curator`/`SignedIn` state role requirements. No rule is decided here."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from api.access import access_to, shows_safety_detail
from api.access.redaction import SAFETY_REASONS
from api.audit import record_event
from api.auth.dependencies import Curator, CurrentPrincipal, SignedIn
from api.bounds import CursorAfter, RevisionFrom, RevisionTo
from api.curation import repository, workflow
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
from api.entries.dependencies import (
    CommentableEntry,
    EntryFor,
    SafetyGuard,
    ThreadEntry,
    VisibleEntry,
    permitted_actions,
    small_cell_k_of,
)
from api.entries.schemas import EntryRead
from api.entries.service import CONTENT_FIELDS, check_if_match, readable_revision
from api.entries.views import entry_read, revision_content, summary_of
from api.errors import FieldError, ValidationFailed, problem_responses
from api.models import Entry, NotificationEvent, ReviewComment
from api.vocabularies.router import registry_of

router = APIRouter(tags=["curation"])

TRANSITION_RESPONSES = problem_responses(401, 403, 404, 409, 412, 422)


def _transition(action: str) -> Any:
    run = workflow.TRANSITIONS[action]

    def endpoint(
        entry: Entry,
        request: Request,
        response: Response,
        session: WriteSession,
        principal: CurrentPrincipal,
        guard: SafetyGuard,
        data: TransitionRequest | None = None,
        if_match: Annotated[str | None, Header()] = None,
    ) -> EntryRead:
        check_if_match(entry, if_match, required=False)
        extra = {"guard": guard} if action in workflow.GUARDED else {}
        run(session, principal=principal, entry=entry, comment=data.comment if data else None,
            **extra)  # fmt: skip
        response.headers["ETag"] = f'"{entry.version}"'
        return entry_read(
            session, entry, principal, registry_of(request), small_cell_k=small_cell_k_of(request)
        )

    endpoint.__name__ = f"{action}_entry"
    # Annotations are strings here (postponed evaluation) and FastAPI resolves them in
    # the module's globals, where `action` does not exist: give it the real one.
    endpoint.__annotations__["entry"] = Annotated[Entry, Depends(EntryFor(action))]
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
    entry: Annotated[Entry, Depends(EntryFor("retract"))],
    data: RetractRequest,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> EntryRead:
    workflow.retract(
        session, principal=principal, entry=entry, reason=data.reason, comment=data.comment
    )
    return entry_read(
        session, entry, principal, registry_of(request), small_cell_k=small_cell_k_of(request)
    )


@router.get("/v1/entries/{entry_id}/actions", responses=problem_responses(404))
def entry_actions(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> ActionsRead:
    """What the caller may do with the entry now (the policy table applied)."""
    access = access_to(principal, entry)
    return ActionsRead(
        status=entry.status,
        review_status=entry.review_status if (access.owner or access.review) else None,
        allowed=permitted_actions(session, principal, entry),
    )


@router.get("/v1/entries/{entry_id}/transitions", responses=problem_responses(401, 403, 404))
def list_transitions(
    entry: ThreadEntry, session: ReadSession, principal: CurrentPrincipal
) -> list[TransitionRead]:
    """The workflow steps, with who and why — except the comment of a safety
    retraction, which only curators of other organizations read."""
    detail = shows_safety_detail(access_to(principal, entry))
    shown = []
    for row in repository.transitions_of(session, entry.id):
        read = TransitionRead.model_validate(row, from_attributes=True)
        if row.reason in SAFETY_REASONS and not detail:
            read.comment = None
        shown.append(read)
    return shown


@router.get("/v1/entries/{entry_id}/comments", responses=problem_responses(401, 403, 404))
def list_comments(entry: ThreadEntry, session: ReadSession) -> list[CommentRead]:
    return [
        CommentRead.model_validate(r, from_attributes=True)
        for r in repository.comments_of(session, entry.id)
    ]


COMMENT_ANCHORS = frozenset({*CONTENT_FIELDS, "indicators", "visibility", "shared_with",
                             "attachments"})  # fmt: skip


@router.post(
    "/v1/entries/{entry_id}/comments",
    status_code=201,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_comment(
    entry: CommentableEntry,
    data: CommentCreate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> CommentRead:
    if data.field is not None and data.field not in COMMENT_ANCHORS:
        raise ValidationFailed(
            "A comment can be anchored to an entry field only.",
            errors=[FieldError("field", f"one of {', '.join(sorted(COMMENT_ANCHORS))}")],
        )
    owner = principal.organization_id == entry.organization_id
    comment = ReviewComment(
        entry_id=entry.id,
        author_account_id=principal.account_id,
        author_organization_id=principal.organization_id,
        author_role="owner" if owner else "curator",
        field=data.field,
        body=data.body,
    )
    session.add(comment)
    if not owner:
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
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    from_revision: RevisionFrom,
    to_revision: RevisionTo,
) -> DiffRead:
    """Field-by-field changes between two revisions the caller may both read, as
    each is shown to the caller (owner-only fields never appear, small cells are
    "< k" on both sides)."""
    access = access_to(principal, entry)
    registry, k = registry_of(request), small_cell_k_of(request)
    old, new = (
        revision_content(
            readable_revision(session, principal=principal, entry=entry, number=number),
            access,
            registry,
            small_cell_k=k,
        )
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


@router.put("/v1/entries/{entry_id}/tags", responses=problem_responses(401, 403, 404, 409, 422))
def set_tags(
    entry: Annotated[Entry, Depends(EntryFor("tag"))],
    data: TagsUpdate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> CurationRead:
    tags = sorted({t for t in (normalize_tag(raw) for raw in data.tags) if t})
    entry.tags = tags
    record_event(
        session, principal=principal, action="entry.tagged", entry_id=entry.id,
        details={"tags": tags},
    )  # fmt: skip
    session.flush()
    return CurationRead(tags=entry.tags, featured=entry.featured)


def _set_featured(
    entry: Entry, session: WriteSession, principal: Any, featured: bool
) -> CurationRead:
    entry.featured = featured
    record_event(
        session, principal=principal, entry_id=entry.id,
        action="entry.featured" if featured else "entry.unfeatured",
    )  # fmt: skip
    session.flush()
    return CurationRead(tags=entry.tags, featured=entry.featured)


@router.put("/v1/entries/{entry_id}/featured", responses=problem_responses(401, 403, 404, 409))
def feature_entry(
    entry: Annotated[Entry, Depends(EntryFor("feature"))],
    session: WriteSession,
    principal: CurrentPrincipal,
) -> CurationRead:
    return _set_featured(entry, session, principal, True)


@router.delete("/v1/entries/{entry_id}/featured", responses=problem_responses(401, 403, 404, 409))
def unfeature_entry(
    entry: Annotated[Entry, Depends(EntryFor("feature"))],
    session: WriteSession,
    principal: CurrentPrincipal,
) -> CurationRead:
    return _set_featured(entry, session, principal, False)


@router.get("/v1/review/queue", responses=problem_responses(401, 403, 422))
def review_queue(
    request: Request,
    session: ReadSession,
    principal: Curator,
    kind: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    region: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    program_type: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    organization: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> QueuePage:
    """Entries awaiting a curator of another organization, oldest submission first.
    Only entries whose requested visibility is public or network ever appear (the
    `review` capacity of the visibility rule); each shows what was submitted."""
    registry = registry_of(request)
    unknown = [
        FieldError("query.region", f"{code!r} is not a region code")
        for code in region
        if not registry.is_valid("region", code, allow_deprecated=True)
    ]
    if unknown:
        raise ValidationFailed("Unknown filter values.", errors=unknown)
    shown = []
    for entry in repository.review_candidates(session, principal, kind=kind,
                                              organization=organization):  # fmt: skip
        summary = summary_of(session, entry, principal)
        if region and not set(region) & set(registry.expand_regions(summary.regions)):
            continue
        if program_type and not set(program_type) & set(summary.program_types):
            continue
        shown.append((entry, summary))
    counts = {"submitted": 0, "changes_requested": 0}
    for entry, _ in shown:
        counts[workflow.review_state(entry) or "submitted"] += 1
    waiting = [(e, s) for e, s in shown if workflow.review_state(e) == "submitted"]
    window = waiting[(page - 1) * per_page : page * per_page]
    items = [
        QueueItem(
            **summary.model_dump(),
            review_status=workflow.review_state(entry),
            requested_visibility=entry.requested_visibility,
            submitted_at=entry.submitted_at,
            possible_duplicates=duplicate_reads(session, entry, principal),
        )
        for entry, summary in window
    ]
    return QueuePage(items=items, total=len(waiting), page=page, per_page=per_page, counts=counts)


@router.get("/v1/events", responses=problem_responses(401))
def organization_events(
    session: ReadSession,
    principal: SignedIn,
    after: CursorAfter = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EventPage:
    """What happened to your organization's entries, in order; follow with `after`.
    Only events about entries the caller may read now (a token without
    `entries:read` sees those of public entries only)."""
    rows = repository.organization_events(session, principal, after=after, limit=limit)
    return EventPage(
        items=[EventRead.model_validate(r, from_attributes=True) for r in rows],
        next_after=rows[-1].id if rows else None,
    )

"""The entry workflow (SPEC §3): the mechanics of every transition, in one place.

    draft → submitted → (changes_requested → submitted)* → published | rejected
    published → retracted → (restore) published

Entries asking for `public` or `network` visibility need a curator's approval;
`partners`/`private` ones are published by their owner directly. An edit of a
published entry is a pending revision that goes through the same gate, while
the published revision stays live (`review_status` tracks the pending one).
Restoring a retracted entry brings back its last *approved* revision and
visibility; a pending revision needs its own review.

Who may take which step in which state is the policy table
(`api.access.policy`), checked by the route's `EntryFor(action)` dependency
before these functions run; they keep only state mechanics. Each records an
`EntryTransition`, an audit event and a notification for the owner
organization, and — through the entry row — the search outbox, all in the
caller's transaction.

Invariant: a published revision never changes, and an entry has at most one live
published revision (`published_revision`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.access import Principal
from api.access.rule import REVIEWED_VISIBILITIES
from api.audit import record_event
from api.entries import repository
from api.entries.service import apply_revision_content
from api.errors import Conflict, FieldError, ValidationFailed
from api.models import Entry, EntryTransition, NotificationEvent
from api.models.base import utcnow

RETRACTION_REASONS = (
    "safety_risk",
    "consent_withdrawn",
    "factual_error",
    "duplicate",
    "out_of_scope",
    "owner_request",
    "other",
)
# workflow action → audit event name
AUDIT_ACTIONS = {
    "publish": "entry.published",
    "submit": "entry.submitted",
    "approve": "entry.approved",
    "request_changes": "entry.changes_requested",
    "reject": "entry.rejected",
    "retract": "entry.retracted",
    "restore": "entry.restored",
}


def needs_review(visibility: str) -> bool:
    return visibility in REVIEWED_VISIBILITIES


def review_state(entry: Entry) -> str | None:
    """The state of the revision awaiting review, if any."""
    if entry.status in ("submitted", "changes_requested"):
        return entry.status
    return entry.review_status


def _record(
    session: Session,
    principal: Principal,
    entry: Entry,
    *,
    action: str,
    from_status: str,
    comment: str | None,
    notify: str | None,
    revision: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        EntryTransition(
            entry_id=entry.id,
            action=action,
            from_status=from_status,
            to_status=review_state(entry) or entry.status,
            revision=revision,
            actor_account_id=principal.account_id,
            actor_organization_id=principal.organization_id,
            comment=comment,
        )
    )
    record_event(
        session,
        principal=principal,
        action=AUDIT_ACTIONS[action],
        entry_id=entry.id,
        details={"from": from_status, "to": entry.status, "comment": comment, **(details or {})},
    )
    if notify:
        session.add(
            NotificationEvent(
                organization_id=entry.organization_id,
                entry_id=entry.id,
                kind=notify,
                message=f"{entry.title!r}: {notify.replace('_', ' ')}"
                + (f" — {comment}" if comment else ""),
                actor_account_id=principal.account_id,
            )
        )
    session.flush()


def _apply_working_revision(session: Session, entry: Entry) -> int:
    """Publish the working revision: it becomes the one live published revision."""
    revision = repository.get_revision(session, entry.id, entry.working_revision)
    if revision is None:
        raise Conflict("The working revision is missing.")
    now = utcnow()
    apply_revision_content(entry, revision.content)
    entry.visibility = str(revision.content["visibility"])
    if revision.published_at is None:  # a restored entry re-publishes its frozen revision
        revision.published_at = now
    entry.published_revision = revision.number
    if entry.published_at is None:
        entry.published_at = now
    entry.status = "published"
    entry.review_status = None
    entry.requested_visibility = None
    entry.updated_at = now
    return revision.number


def _finish(session: Session, entry: Entry) -> Entry:
    session.flush()
    return entry


def publish(session: Session, *, principal: Principal, entry: Entry, comment: str | None) -> Entry:
    """The owner publishes directly — only what needs no review (partners/private)."""
    before = entry.status
    number = _apply_working_revision(session, entry)
    _record(session, principal, entry, action="publish", from_status=before, comment=comment,
            notify="published", revision=number)  # fmt: skip
    return _finish(session, entry)


def submit(session: Session, *, principal: Principal, entry: Entry, comment: str | None) -> Entry:
    wanted = repository.working_visibility(session, entry)
    if not needs_review(wanted):
        return publish(session, principal=principal, entry=entry, comment=comment)
    before = review_state(entry) or entry.status
    now = utcnow()
    if entry.status == "published":
        entry.review_status = "submitted"
    else:
        entry.status = "submitted"
    entry.requested_visibility = wanted
    entry.submitted_at = now
    entry.updated_at = now
    _record(session, principal, entry, action="submit", from_status=before, comment=comment,
            notify="submitted", revision=entry.working_revision)  # fmt: skip
    return _finish(session, entry)


def approve(session: Session, *, principal: Principal, entry: Entry, comment: str | None) -> Entry:
    before = review_state(entry) or entry.status
    number = _apply_working_revision(session, entry)
    _record(session, principal, entry, action="approve", from_status=before, comment=comment,
            notify="approved", revision=number)  # fmt: skip
    return _finish(session, entry)


def request_changes(
    session: Session, *, principal: Principal, entry: Entry, comment: str | None
) -> Entry:
    before = review_state(entry) or entry.status
    if entry.status == "published":
        entry.review_status = "changes_requested"
    else:
        entry.status = "changes_requested"
    entry.updated_at = utcnow()
    _record(
        session,
        principal,
        entry,
        action="request_changes",
        from_status=before,
        comment=comment,
        notify="changes_requested",
        revision=entry.working_revision,
    )
    return _finish(session, entry)


def reject(session: Session, *, principal: Principal, entry: Entry, comment: str | None) -> Entry:
    before = review_state(entry) or entry.status
    if entry.status == "published":
        entry.review_status = "rejected"
        entry.requested_visibility = None
    else:
        entry.status = "rejected"
    entry.updated_at = utcnow()
    _record(session, principal, entry, action="reject", from_status=before, comment=comment,
            notify="rejected", revision=entry.working_revision)  # fmt: skip
    return _finish(session, entry)


def retract(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    reason: str,
    comment: str | None,
) -> Entry:
    if reason not in RETRACTION_REASONS:
        raise ValidationFailed(
            "Unknown retraction reason.",
            errors=[FieldError("reason", f"one of {', '.join(RETRACTION_REASONS)}")],
        )
    before = entry.status
    now = utcnow()
    entry.status = "retracted"
    entry.review_status = None
    entry.requested_visibility = None
    entry.retracted_at = now
    entry.retraction_reason = reason
    entry.featured = False
    entry.updated_at = now
    _record(session, principal, entry, action="retract", from_status=before, comment=comment,
            notify="retracted", details={"reason": reason})  # fmt: skip
    return _finish(session, entry)


def restore(session: Session, *, principal: Principal, entry: Entry, comment: str | None) -> Entry:
    """Bring a retracted entry back as it was last approved: its published revision
    and the visibility it had. A pending revision stays pending (its own review)."""
    now = utcnow()
    entry.status = "published"
    entry.review_status = None
    entry.requested_visibility = None
    entry.retracted_at = None
    entry.retraction_reason = None
    entry.updated_at = now
    _record(session, principal, entry, action="restore", from_status="retracted",
            comment=comment, notify="restored", revision=entry.published_revision)  # fmt: skip
    return _finish(session, entry)


TRANSITIONS: dict[str, Callable[..., Entry]] = {
    "publish": publish,
    "submit": submit,
    "approve": approve,
    "request_changes": request_changes,
    "reject": reject,
    "restore": restore,
}

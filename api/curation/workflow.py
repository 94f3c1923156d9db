"""The entry workflow (SPEC §3): the mechanics of every transition, in one place.

    draft → submitted → (changes_requested → submitted)* → published | rejected
    published → retracted → (restore) published
    submit/publish → held → (release) submitted | published, (return) changes_requested

Entries asking for `public` or `network` visibility need a curator's approval;
`partners`/`private` ones are published by their owner directly. An edit of a
published entry is a pending revision that goes through the same gate, while
the published revision stays live (`review_status` tracks the pending one).
Restoring a retracted entry brings back its last *approved* revision and
visibility; a pending revision needs its own review.

Do no harm: a submission or direct publication beyond the organization
(public, network or partners — never private) is scanned first
(`api.safety.holds`); if the guard finds identifiers of people, small cells or
the hidden organization's name, the entry is *held* for a curator of another
organization, who releases it (it goes on to review, or — partners — is
published) or returns it to the owner (changes requested). Editing a held entry
withdraws it; submitting it again scans again.

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
from api.access.redaction import SAFETY_REASONS
from api.access.rule import REVIEWED_VISIBILITIES
from api.audit import record_event
from api.entries import repository
from api.entries.service import apply_revision_content
from api.errors import Conflict, FieldError, ValidationFailed
from api.models import Entry, EntryTransition, NotificationEvent
from api.models.base import utcnow
from api.safety import holds
from api.safety.holds import SubmissionGuard

RETRACTION_REASONS = (
    "safety",
    "consent_withdrawn",
    "factual_error",
    "duplicate",
    "out_of_scope",
    "owner_request",
    "other",
)
# Older clients and rows say `safety_risk`; it is recorded as `safety`.
RETRACTION_ALIASES = {"safety_risk": "safety"}
# workflow action → audit event name
AUDIT_ACTIONS = {
    "publish": "entry.published",
    "submit": "entry.submitted",
    "approve": "entry.approved",
    "request_changes": "entry.changes_requested",
    "reject": "entry.rejected",
    "retract": "entry.retracted",
    "restore": "entry.restored",
    "hold": "entry.held",
    "release_hold": "entry.hold_released",
    "return_hold": "entry.hold_returned",
}


def needs_review(visibility: str) -> bool:
    return visibility in REVIEWED_VISIBILITIES


def review_state(entry: Entry) -> str | None:
    """The state of the revision awaiting review (or held), if any."""
    if entry.status in ("submitted", "held", "changes_requested"):
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
    reason: str | None = None,
    message: str | None = None,
) -> None:
    """`message`: the owner's notification when it must not quote `comment`."""
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
            reason=reason,
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
                message=message
                or f"{entry.title!r}: {notify.replace('_', ' ')}"
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
    # Partners normally change at once; a sharing the guard deferred lives only here.
    slugs = list(revision.content.get("shared_with") or [])
    found = repository.organizations_by_slug(session, slugs)
    entry.partners = [found[slug] for slug in slugs if slug in found]
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


def _hold_if_flagged(
    session: Session,
    principal: Principal,
    entry: Entry,
    *,
    wanted: str,
    guard: SubmissionGuard,
    comment: str | None,
) -> bool:
    """Scan what the submission would show beyond the organization; hold it for a
    curator if anything is found. Private entries are never held."""
    if wanted == "private":
        return False
    revision = repository.get_revision(session, entry.id, entry.working_revision)
    if revision is None:
        raise Conflict("The working revision is missing.")
    found = holds.scan_submission(session, entry, revision.content, guard, wanted=wanted)
    rows = holds.record_scan(
        session, entry, entry.working_revision, holds.not_released(session, entry, found)
    )
    if not rows:
        return False
    before = review_state(entry) or entry.status
    now = utcnow()
    if entry.status == "published":
        entry.review_status = "held"
    else:
        entry.status = "held"
    entry.requested_visibility = wanted if needs_review(wanted) else None
    entry.submitted_at = now
    entry.updated_at = now
    _record(session, principal, entry, action="hold", from_status=before, comment=comment,
            notify="held", revision=entry.working_revision,
            details={"findings": holds.detector_counts(rows)})  # fmt: skip
    return True


def _publish(
    session: Session, principal: Principal, entry: Entry, *, action: str, comment: str | None
) -> Entry:
    before = review_state(entry) or entry.status
    number = _apply_working_revision(session, entry)
    notify = "published" if action == "publish" else "hold_released"
    _record(session, principal, entry, action=action, from_status=before, comment=comment,
            notify=notify, revision=number)  # fmt: skip
    return _finish(session, entry)


def publish(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    comment: str | None,
    guard: SubmissionGuard,
) -> Entry:
    """The owner publishes directly — only what needs no review (partners/private),
    unless the guard holds it."""
    wanted = repository.working_visibility(session, entry)
    if _hold_if_flagged(session, principal, entry, wanted=wanted, guard=guard, comment=comment):
        return _finish(session, entry)
    return _publish(session, principal, entry, action="publish", comment=comment)


def submit(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    comment: str | None,
    guard: SubmissionGuard,
) -> Entry:
    wanted = repository.working_visibility(session, entry)
    if not needs_review(wanted):
        return publish(session, principal=principal, entry=entry, comment=comment, guard=guard)
    if _hold_if_flagged(session, principal, entry, wanted=wanted, guard=guard, comment=comment):
        return _finish(session, entry)
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


def release_hold(
    session: Session, *, principal: Principal, entry: Entry, comment: str | None
) -> Entry:
    """A curator lets a held submission through: on to review (public/network), or
    published (partners — its owner had asked to publish it)."""
    holds.release(session, entry, principal)
    wanted = repository.working_visibility(session, entry)
    if not needs_review(wanted):
        return _publish(session, principal, entry, action="release_hold", comment=comment)
    before = review_state(entry) or entry.status
    if entry.status == "published":
        entry.review_status = "submitted"
    else:
        entry.status = "submitted"
    entry.updated_at = utcnow()
    _record(session, principal, entry, action="release_hold", from_status=before,
            comment=comment, notify="hold_released", revision=entry.working_revision)  # fmt: skip
    return _finish(session, entry)


def return_hold(
    session: Session, *, principal: Principal, entry: Entry, comment: str | None
) -> Entry:
    """A curator returns a held submission to its owner (changes requested); the
    findings stay open for the owner to fix or explain."""
    before = review_state(entry) or entry.status
    if entry.status == "published":
        entry.review_status = "changes_requested"
    else:
        entry.status = "changes_requested"
    entry.updated_at = utcnow()
    _record(session, principal, entry, action="return_hold", from_status=before,
            comment=comment, notify="returned", revision=entry.working_revision)  # fmt: skip
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
    reason = RETRACTION_ALIASES.get(reason, reason)
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
    # The detail of a safety retraction is for curators (api.access.redaction):
    # the owner's notification says why in general terms only.
    message = f"{entry.title!r}: retracted for safety" if reason in SAFETY_REASONS else None
    _record(session, principal, entry, action="retract", from_status=before, comment=comment,
            notify="retracted", details={"reason": reason}, reason=reason,
            message=message)  # fmt: skip
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
# Transitions that scan the submission first (they take a `guard`).
GUARDED = frozenset({"publish", "submit"})
# The curator's answers to a hold (routes load the entry through the hold capacity).
HOLD_TRANSITIONS: dict[str, Callable[..., Entry]] = {
    "release_hold": release_hold,
    "return_hold": return_hold,
}

"""SQL of the curation domain: transition log, review threads, the review queue's
candidates and the organization event log. Every query over entries applies the
visibility rule (`api.access.visible_clause`) for the caller."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.access import Principal, access_to, organization_known_clause, visible_clause
from api.access.policy import relations
from api.models import Entry, EntryTransition, NotificationEvent, Organization, ReviewComment


def transitions_of(session: Session, entry_id: str) -> list[EntryTransition]:
    return list(
        session.scalars(
            select(EntryTransition)
            .where(EntryTransition.entry_id == entry_id)
            .order_by(EntryTransition.id)
        )
    )


def comments_of(session: Session, entry_id: str) -> list[ReviewComment]:
    return list(
        session.scalars(
            select(ReviewComment)
            .where(ReviewComment.entry_id == entry_id)
            .order_by(ReviewComment.id)
        )
    )


def review_candidates(
    session: Session,
    principal: Principal,
    *,
    kind: Sequence[str] = (),
    organization: Sequence[str] = (),
) -> list[Entry]:
    """Entries under review that `principal` reviews — in the `review` capacity and as
    a curator of another organization — oldest submission first."""
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
            Organization.slug.in_(organization), organization_known_clause(principal)
        )
    return [
        entry
        for entry in session.scalars(query.order_by(Entry.submitted_at, Entry.id))
        if access_to(principal, entry).review
        and "curator" in relations(principal, entry.organization_id)
    ]


def organization_events(
    session: Session, principal: Principal, *, after: int, limit: int
) -> list[NotificationEvent]:
    """The caller's organization's events about entries the caller may read now."""
    readable = select(Entry.id).where(visible_clause(principal))
    return list(
        session.scalars(
            select(NotificationEvent)
            .where(
                NotificationEvent.organization_id == principal.organization_id,
                NotificationEvent.id > after,
                NotificationEvent.entry_id.in_(readable),
            )
            .order_by(NotificationEvent.id)
            .limit(limit)
        )
    )

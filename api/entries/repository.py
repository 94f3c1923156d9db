"""All SQL over entries. Every read takes the caller and applies `api.access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.access import (
    Principal,
    organization_known_clause,
    visible_clause,
    visible_or_listed_clause,
)
from api.models import Entry, EntryRevision, Organization


@dataclass(frozen=True)
class EntryFilters:
    kind: Sequence[str] = ()
    organization: Sequence[str] = ()
    status: Sequence[str] = ()
    ids: Sequence[str] = ()
    # Featured by a curator (Home's "featured entries"); None: either.
    featured: bool | None = None


def get_visible_entry(session: Session, principal: Principal, entry_id: str) -> Entry | None:
    return session.scalar(select(Entry).where(Entry.id == entry_id, visible_clause(principal)))


def get_visible_or_listed_entry(
    session: Session, principal: Principal, entry_id: str
) -> Entry | None:
    """The entry if the caller may read it, or see its stub (listed entries)."""
    return session.scalar(
        select(Entry).where(Entry.id == entry_id, visible_or_listed_clause(principal))
    )


def list_visible_entries(
    session: Session,
    principal: Principal,
    filters: EntryFilters,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Entry], int]:
    """Entries the caller may read, and the stubs of listed ones (views mark them)."""
    query = select(Entry).where(visible_or_listed_clause(principal))
    if filters.ids:
        query = query.where(Entry.id.in_(filters.ids))
    if filters.kind:
        query = query.where(Entry.kind.in_(filters.kind))
    if filters.status:
        query = query.where(Entry.status.in_(filters.status))
    if filters.featured is not None:
        query = query.where(Entry.featured.is_(filters.featured))
    if filters.organization:
        # Only entries whose organization the caller may know match its name.
        query = query.join(Organization, Organization.id == Entry.organization_id).where(
            Organization.slug.in_(filters.organization), organization_known_clause(principal)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Entry.published_at.desc().nulls_last(), Entry.updated_at.desc(), Entry.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def organizations_by_slug(session: Session, slugs: Sequence[str]) -> dict[str, Organization]:
    if not slugs:
        return {}
    rows = session.scalars(select(Organization).where(Organization.slug.in_(slugs)))
    return {row.slug: row for row in rows}


def get_revision(session: Session, entry_id: str, number: int) -> EntryRevision | None:
    return session.scalar(
        select(EntryRevision).where(
            EntryRevision.entry_id == entry_id, EntryRevision.number == number
        )
    )


def list_revisions(session: Session, entry_id: str) -> list[EntryRevision]:
    query = select(EntryRevision).where(EntryRevision.entry_id == entry_id)
    return list(session.scalars(query.order_by(EntryRevision.number)))


def working_visibility(session: Session, entry: Entry) -> str:
    """The visibility the working revision asks for: the live one, unless a pending
    revision of a published entry says otherwise."""
    if entry.requested_visibility:
        return entry.requested_visibility
    if entry.published_revision is None or entry.working_revision == entry.published_revision:
        return entry.visibility
    revision = get_revision(session, entry.id, entry.working_revision)
    return str(revision.content["visibility"]) if revision else entry.visibility

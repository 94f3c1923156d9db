"""All SQL over entries. Every read takes the caller and applies `api.access`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.access import Principal, entry_reader_tags, visible_clause
from api.models import Entry, EntryReader, EntryRevision, Organization


@dataclass(frozen=True)
class EntryFilters:
    kind: Sequence[str] = ()
    organization: Sequence[str] = ()
    status: Sequence[str] = ()
    ids: Sequence[str] = ()


def get_visible_entry(session: Session, principal: Principal, entry_id: str) -> Entry | None:
    return session.scalar(select(Entry).where(Entry.id == entry_id, visible_clause(principal)))


def list_visible_entries(
    session: Session,
    principal: Principal,
    filters: EntryFilters,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Entry], int]:
    query = select(Entry).where(visible_clause(principal))
    if filters.ids:
        query = query.where(Entry.id.in_(filters.ids))
    if filters.kind:
        query = query.where(Entry.kind.in_(filters.kind))
    if filters.status:
        query = query.where(Entry.status.in_(filters.status))
    if filters.organization:
        query = query.join(Organization, Organization.id == Entry.organization_id).where(
            Organization.slug.in_(filters.organization)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Entry.published_at.desc().nulls_last(), Entry.updated_at.desc(), Entry.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def replace_reader_tags(session: Session, entry: Entry) -> None:
    """Rewrite the derived reader-tag rows of `entry` (same transaction as the change)."""
    wanted = entry_reader_tags(entry)
    current = set(session.scalars(select(EntryReader.tag).where(EntryReader.entry_id == entry.id)))
    stale = current - wanted
    if stale:
        session.execute(
            delete(EntryReader).where(EntryReader.entry_id == entry.id, EntryReader.tag.in_(stale))
        )
    for tag in sorted(wanted - current):
        session.add(EntryReader(entry_id=entry.id, tag=tag))
    session.flush()


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


def list_revisions(session: Session, entry_id: str, *, published_only: bool) -> list[EntryRevision]:
    query = select(EntryRevision).where(EntryRevision.entry_id == entry_id)
    if published_only:
        query = query.where(EntryRevision.published_at.is_not(None))
    return list(session.scalars(query.order_by(EntryRevision.number)))

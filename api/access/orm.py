"""The rule applied to database rows: the SQL visibility clause, ORM → facts
adapters, and the flush hook that keeps `entry_reader` rows derived.

Owns no rule of its own: every decision is `api.access.rule`. The `entry_reader`
rows are the rule's tags materialised, rewritten by a session hook for every
flushed entry whose status, visibility, partners or review state changed — in
the same transaction as the change, so no caller can forget or race it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, event, exists, insert, select
from sqlalchemy.orm import Session

from api.access.principal import Principal
from api.access.rule import (
    EntryAccess,
    EntryFacts,
    RevisionFacts,
    entry_access,
    principal_tags,
)
from api.models import Entry, EntryReader, EntryRevision, Organization


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: true for the entries `principal` may read."""
    return exists(
        select(EntryReader.entry_id).where(
            EntryReader.entry_id == Entry.id,
            EntryReader.tag.in_(sorted(principal_tags(principal))),
        )
    )


def search_filter_tags(principal: Principal) -> list[str]:
    """The tags a search engine query must intersect with a document's `readers`."""
    return sorted(principal_tags(principal))


def entry_facts(entry: Entry) -> EntryFacts:
    return EntryFacts(
        owner_id=entry.organization_id,
        status=entry.status,
        visibility=entry.visibility,
        partner_ids=frozenset(p.id for p in entry.partners),
        review_status=entry.review_status,
        requested_visibility=entry.requested_visibility,
        working_revision=entry.working_revision,
        published_revision=entry.published_revision,
    )


def access_to(principal: Principal, entry: Entry) -> EntryAccess:
    return entry_access(principal, entry_facts(entry))


def revision_facts(session: Session, revisions: Sequence[EntryRevision]) -> list[RevisionFacts]:
    """Facts of revisions, their partner slugs resolved to ids in one query
    (organization slugs never change, so a snapshot's slugs name the same orgs)."""
    slugs = {s for r in revisions for s in r.content.get("shared_with") or []}
    ids: dict[str, int] = {}
    if slugs:
        query = select(Organization.slug, Organization.id).where(Organization.slug.in_(slugs))
        ids = {slug: org_id for slug, org_id in session.execute(query)}
    return [
        RevisionFacts(
            number=r.number,
            published=r.published_at is not None,
            visibility=str(r.content.get("visibility", "private")),
            partner_ids=frozenset(ids[s] for s in r.content.get("shared_with") or [] if s in ids),
        )
        for r in revisions
    ]


# -- keeping entry_reader rows derived --------------------------------------------

_PENDING_TAGS = "offramp.access.entries"


@event.listens_for(Session, "before_flush")
def _collect_entries(session: Session, _context: Any, _instances: Any) -> None:
    touched: dict[str, Entry] = session.info.setdefault(_PENDING_TAGS, {})
    for obj in session.new:
        if isinstance(obj, Entry):
            touched[obj.id] = obj
    for obj in session.dirty:
        if isinstance(obj, Entry) and session.is_modified(obj):
            touched[obj.id] = obj


@event.listens_for(Session, "after_flush")
def _rewrite_reader_tags(session: Session, _context: Any) -> None:
    touched: dict[str, Entry] = session.info.pop(_PENDING_TAGS, {})
    live = [e for e in touched.values() if e not in session.deleted]
    if not live:
        return
    connection = session.connection()
    with session.no_autoflush:
        wanted = {entry.id: entry_facts(entry).tags for entry in live}
    existing: dict[str, set[str]] = {}
    for entry_id, tag in connection.execute(
        select(EntryReader.entry_id, EntryReader.tag).where(
            EntryReader.entry_id.in_(sorted(wanted))
        )
    ):
        existing.setdefault(entry_id, set()).add(tag)
    for entry_id, tags in wanted.items():
        stale = existing.get(entry_id, set()) - tags
        if stale:
            connection.execute(
                delete(EntryReader).where(
                    EntryReader.entry_id == entry_id, EntryReader.tag.in_(sorted(stale))
                )
            )
    rows = [
        {"entry_id": entry_id, "tag": tag}
        for entry_id, tags in wanted.items()
        for tag in sorted(tags - existing.get(entry_id, set()))
    ]
    if rows:
        connection.execute(insert(EntryReader), rows)


@event.listens_for(Session, "after_rollback")
def _forget_entries(session: Session) -> None:
    session.info.pop(_PENDING_TAGS, None)

"""The rule applied to database rows: the SQL visibility clause, ORM → facts
adapters, and the flush hook that keeps `entry_reader` rows (and the gap-map cells
beside them, `api.access.cells`) derived.

Owns no rule of its own: every decision is `api.access.rule`. The `entry_reader`
rows are the rule's tags materialised, rewritten by a session hook for every
flushed entry whose status, visibility, partners or review state changed — in
the same transaction as the change, so no caller can forget or race it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, event, exists, false, insert, or_, select
from sqlalchemy.orm import Session

from api.access.cells import rewrite_gap_cells
from api.access.principal import Principal
from api.access.redaction import knows_organization
from api.access.rule import (
    LISTED,
    NETWORK,
    REVIEW,
    EntryAccess,
    EntryFacts,
    RevisionFacts,
    entry_access,
    entry_tag,
    org_tag,
    principal_tags,
)
from api.models import (
    AccessGrant,
    Entry,
    EntryPartner,
    EntryReader,
    EntryRevision,
    GapCell,
    GapReaders,
    Organization,
)
from api.models.base import utcnow


def _unexpired(now: datetime) -> ColumnElement[bool]:
    return or_(EntryReader.expires_at.is_(None), EntryReader.expires_at > now)


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: true for the entries `principal` may read."""
    return exists(
        select(EntryReader.entry_id).where(
            EntryReader.entry_id == Entry.id,
            EntryReader.tag.in_(sorted(principal_tags(principal))),
            _unexpired(utcnow()),
        )
    )


def visible_or_listed_clause(principal: Principal) -> ColumnElement[bool]:
    """`visible_clause`, or the entry is listed: for the few surfaces that show stubs
    (the entry itself, the entry list, search) — never for content surfaces."""
    return exists(
        select(EntryReader.entry_id).where(
            EntryReader.entry_id == Entry.id,
            EntryReader.tag.in_(sorted(principal_tags(principal) | {LISTED})),
            _unexpired(utcnow()),
        )
    )


def _live_tags(principal: Principal) -> list[str]:
    """The tags through which a caller reads an entry's live version: all of theirs
    but the reviewer's (a curator reviewing a widening does not read the live text)."""
    return sorted(principal_tags(principal) - {REVIEW})


def live_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: a *published* entry the caller reads as its owner or
    as a reader of its live version — `visible_clause` without the reviewer capacity
    (`EntryAccess.owner or .live`). For surfaces built on published content only
    (indicator comparisons, gap maps, trackers): a curator who only reviews a pending
    widening must not count or see the live version."""
    return (Entry.status == "published") & exists(
        select(EntryReader.entry_id).where(
            EntryReader.entry_id == Entry.id,
            EntryReader.tag.in_(_live_tags(principal)),
            _unexpired(utcnow()),
        )
    )


def gap_cell_readable_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `GapCell` (`api.access.cells`): the cell's entry is one
    `live_clause` admits through a lasting reader tag (a set holding one of the
    caller's tags). With `expiring_only_clause` it is exactly `live_clause`."""
    return GapCell.readers.in_(
        select(GapReaders.readers).where(GapReaders.tag.in_(_live_tags(principal)))
    )


def expiring_only_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: `live_clause` admits the entry only through reader
    tags with an expiry (an unexpired grant) — what gap-map cells leave out, since
    time and not a write ends them. Found from the grant rows, which are few."""
    tags = _live_tags(principal)
    now = utcnow()
    return (
        (Entry.status == "published")
        & Entry.id.in_(
            select(EntryReader.entry_id).where(
                EntryReader.tag.in_(tags),
                EntryReader.expires_at.is_not(None),
                EntryReader.expires_at > now,
            )
        )
        & ~exists(
            select(EntryReader.entry_id).where(
                EntryReader.entry_id == Entry.id,
                EntryReader.tag.in_(tags),
                EntryReader.expires_at.is_(None),
            )
        )
    )


def search_filter_tags(principal: Principal, session: Session) -> list[str]:
    """The tags a search engine query must intersect with a document's `readers`:
    the caller's tags, and an `entry_tag` per entry its organization holds an
    unexpired grant to (the grant rows of `entry_reader` carry their expiry; a tag
    earned otherwise has none and is already among the caller's tags)."""
    tags = principal_tags(principal)
    org_id = principal.organization_id
    if org_id is None or org_tag(org_id) not in tags:
        return sorted(tags)
    granted = session.scalars(
        select(EntryReader.entry_id).where(
            EntryReader.tag == org_tag(org_id),
            EntryReader.expires_at.is_not(None),
            EntryReader.expires_at > utcnow(),
        )
    )
    return sorted(tags | {entry_tag(entry_id) for entry_id in granted})


def peer_receivable_clause(hosted: frozenset[int]) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: the same decision as `rule.peer_receives`."""
    shared = exists(
        select(EntryPartner.entry_id).where(
            EntryPartner.entry_id == Entry.id, EntryPartner.organization_id.in_(sorted(hosted))
        )
    )
    return and_(
        Entry.status == "published",
        Entry.origin_node.is_(None),
        or_(Entry.visibility == "public", and_(Entry.visibility == "partners", shared)),
    )


def peer_facts(entry: Entry) -> EntryFacts:
    """The facts `peer_receives` needs; grants are this node's business, not a peer's."""
    return replace(entry_facts(entry), grant_ids=frozenset())


def entry_facts(entry: Entry, *, now: datetime | None = None) -> EntryFacts:
    moment = now or utcnow()
    return EntryFacts(
        owner_id=entry.organization_id,
        status=entry.status,
        visibility=entry.visibility,
        partner_ids=frozenset(p.id for p in entry.partners),
        review_status=entry.review_status,
        requested_visibility=entry.requested_visibility,
        working_revision=entry.working_revision,
        published_revision=entry.published_revision,
        grant_ids=frozenset(g.organization_id for g in entry.grants if g.expires_at > moment),
        listed=bool(entry.listed),
        organization_display=entry.organization_display or "named",
    )


def access_to(principal: Principal, entry: Entry) -> EntryAccess:
    return entry_access(principal, entry_facts(entry))


def organization_shown(principal: Principal, entry: Entry) -> Organization | None:
    """The entry's organization if `principal` may know it, else None (render "a
    member organization"). Every surface that names an entry's organization calls
    this — entry views, lists, search hits, queues, collections, duplicate hints,
    audit and read logs, and future exports, feeds, OAI-PMH, federation, JSON-LD."""
    return entry.organization if knows_organization(principal, entry_facts(entry)) else None


def organization_known_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: the caller may know the entry's organization (the
    same decision as `knows_organization`), for filters by organization — a filter
    must not find an entry whose organization it would not show."""
    tags = principal_tags(principal)
    org_id = principal.organization_id
    if org_id is None or org_tag(org_id) not in tags:
        return or_(
            Entry.organization_display == "named",
            Entry.organization_display == "network" if NETWORK in tags else false(),
        )
    partner_of = exists(
        select(EntryPartner.entry_id).where(
            EntryPartner.entry_id == Entry.id, EntryPartner.organization_id == org_id
        )
    )
    return or_(
        Entry.organization_display.in_(("named", "network")),
        Entry.organization_id == org_id,
        (Entry.organization_display == "partners") & partner_of,
    )


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
    touched: dict[str, Entry | None] = session.info.setdefault(_PENDING_TAGS, {})
    for obj in session.new:
        if isinstance(obj, Entry):
            touched[obj.id] = obj
        elif isinstance(obj, AccessGrant):
            touched.setdefault(obj.entry_id, None)
    for obj in session.dirty:
        if isinstance(obj, Entry) and session.is_modified(obj):
            touched[obj.id] = obj
        elif isinstance(obj, AccessGrant) and session.is_modified(obj):
            touched.setdefault(obj.entry_id, None)


@event.listens_for(Session, "after_flush")
def _rewrite_reader_tags(session: Session, _context: Any) -> None:
    touched: dict[str, Entry | None] = session.info.pop(_PENDING_TAGS, {})
    with session.no_autoflush:
        entries = {
            entry_id: entry if entry is not None else session.get(Entry, entry_id)
            for entry_id, entry in touched.items()
        }
    live = {k: e for k, e in entries.items() if e is not None and e not in session.deleted}
    if not live:
        return
    connection = session.connection()
    # Grants are read afresh (the entry's `grants` collection may predate them); a
    # grant's tag carries its expiry, unless the same tag is also earned otherwise.
    grants: dict[str, dict[int, datetime]] = {}
    for entry_id, org_id, expires_at in connection.execute(
        select(AccessGrant.entry_id, AccessGrant.organization_id, AccessGrant.expires_at).where(
            AccessGrant.entry_id.in_(sorted(live)), AccessGrant.revoked_at.is_(None)
        )
    ):
        if isinstance(expires_at, datetime) and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        held = grants.setdefault(entry_id, {})
        held[org_id] = max(expires_at, held.get(org_id, expires_at))
    wanted: dict[str, dict[str, datetime | None]] = {}
    with session.no_autoflush:
        for entry_id, entry in live.items():
            facts = replace(entry_facts(entry), grant_ids=frozenset())
            base = facts.tags
            tag_rows: dict[str, datetime | None] = dict.fromkeys(base)
            if facts.status == "published":
                for org_id, expires_at in grants.get(entry_id, {}).items():
                    tag = org_tag(org_id)
                    if tag not in base:
                        tag_rows[tag] = expires_at
            wanted[entry_id] = tag_rows
    connection.execute(delete(EntryReader).where(EntryReader.entry_id.in_(sorted(wanted))))
    rows = [
        {"entry_id": entry_id, "tag": tag, "expires_at": expires_at}
        for entry_id, tags in wanted.items()
        for tag, expires_at in sorted(tags.items())
    ]
    if rows:
        connection.execute(insert(EntryReader), rows)
    lasting = {
        entry_id: [tag for tag, expires_at in tags.items() if expires_at is None]
        for entry_id, tags in wanted.items()
    }
    with session.no_autoflush:
        rewrite_gap_cells(connection, live, lasting)


@event.listens_for(Session, "after_rollback")
def _forget_entries(session: Session) -> None:
    session.info.pop(_PENDING_TAGS, None)

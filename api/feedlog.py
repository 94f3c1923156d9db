"""The federation feed log: for every flushed change of an entry, and for every
peer, whether that peer gained, kept (with new content) or lost the entry —
written as `federation_event` rows in the same transaction as the change.

Owns the write side of the feed. The decision is `api.access.peer_receives`; this
module compares it with what each peer was last announced (`federation_delivery`)
and records the difference:
- the peer may receive it and has not got this content → ``upsert``;
- the peer had it and may not any more (narrowed, retracted, deleted) → ``tombstone``,
  for exactly the peers that lost it;
- nothing changed for the peer (an unchanged re-save, a private draft) → nothing.

Rows carry no payload: the feed re-reads the entry when it serves them. On
PostgreSQL each row stores its transaction id (`pg_current_xact_id()`), which is
what makes the feed's order gap-free (see `api.federation.feed`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, event, insert, literal, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session
from sqlalchemy.sql.elements import ColumnElement

from api.access import PUBLIC, peer_facts, peer_knows_organization, peer_partner_ids, peer_receives
from api.models import (
    Attachment,
    Collection,
    CollectionItem,
    Entry,
    FederationDelivery,
    FederationEvent,
    OaiRecord,
    Organization,
    Peer,
    PeerOrganization,
)
from api.models.base import utcnow

# Live fields a peer receives (never internal notes, review state, safety findings).
EXPORTED_FIELDS = (
    "kind", "title", "summary", "body", "language", "authors", "program_types", "regions",
    "settings", "target_populations", "actors", "evaluation_design", "evidence_level",
    "period_start", "period_end", "links", "license",
    # Structured evidence, a program profile's design fields, a policy framework's
    # fields: content, as in every revision (a peer's practitioners compare them too).
    "findings", "lessons", "recommendations", "profile", "policy",
)  # fmt: skip


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def exported_content(entry: Entry, hosted: frozenset[int]) -> dict[str, Any]:
    """What a peer hosting `hosted` is told about the entry, before presentation
    (small cells): the fingerprinted part of the feed document."""
    facts = peer_facts(entry)
    shared = peer_partner_ids(hosted, facts)
    content: dict[str, Any] = {name: _jsonable(getattr(entry, name)) for name in EXPORTED_FIELDS}
    content["indicators"] = [
        {"code": i.code, "value": i.value, "note": i.note} for i in entry.indicators
    ]
    content["visibility"] = entry.visibility
    content["shared_with"] = sorted(p.slug for p in entry.partners if p.id in shared)
    content["organization"] = (
        _organization(entry).name if peer_knows_organization(hosted, facts) else None
    )
    content["published_at"] = _jsonable(entry.published_at)
    content["attachments"] = _attachments(entry)
    return content


def _attachments(entry: Entry) -> list[dict[str, Any]]:
    """References, not content: a peer fetches each through its own URL, which
    asks the rule again (`/v1/federation/entries/{id}/attachments/{aid}`)."""
    session = object_session(entry)
    if session is None:
        return []
    rows = session.execute(
        select(
            Attachment.id,
            Attachment.filename,
            Attachment.media_type,
            Attachment.size_bytes,
            Attachment.sha256,
        )
        .where(Attachment.entry_id == entry.id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [dict(row._mapping) for row in rows]


def _organization(entry: Entry) -> Organization:
    """The entry's organization, also for a row inserted by id in this flush."""
    if entry.organization is not None:
        return entry.organization
    session = object_session(entry)
    organization = session.get(Organization, entry.organization_id) if session else None
    if organization is None:
        raise LookupError(f"entry {entry.id} has no organization")
    return organization


def fingerprint(content: Mapping[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def xid_expression(connection: Connection) -> ColumnElement[int]:
    if connection.dialect.name == "postgresql":
        return literal_column("pg_current_xact_id()::text::bigint", BigInteger)
    return literal(0, BigInteger)


def peers_hosting(connection: Connection) -> dict[int, frozenset[int]]:
    """Every peer with the organizations it hosts."""
    peers: dict[int, set[int]] = {pid: set() for pid in connection.scalars(select(Peer.id))}
    for peer_id, org_id in connection.execute(
        select(PeerOrganization.peer_id, PeerOrganization.organization_id)
    ):
        peers.setdefault(peer_id, set()).add(org_id)
    return {pid: frozenset(orgs) for pid, orgs in peers.items()}


def announce(
    session: Session,
    entries: Mapping[str, Entry | None],
    peers: Mapping[int, frozenset[int]],
) -> int:
    """Write the events `entries` (id → current row, None if deleted) mean for
    `peers` (id → hosted organizations); returns how many. Caller's transaction."""
    if not peers or not entries:
        return 0
    connection = session.connection()
    delivered = {
        (d.peer_id, d.entry_id): d
        for d in connection.execute(
            select(
                FederationDelivery.peer_id,
                FederationDelivery.entry_id,
                FederationDelivery.sha256,
                FederationDelivery.version,
                FederationDelivery.removed,
            ).where(
                FederationDelivery.entry_id.in_(sorted(entries)),
                FederationDelivery.peer_id.in_(sorted(peers)),
            )
        )
    }
    now = utcnow()
    events: list[dict[str, Any]] = []
    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    with session.no_autoflush:
        for entry_id, entry in sorted(entries.items()):
            for peer_id, hosted in sorted(peers.items()):
                before = delivered.get((peer_id, entry_id))
                decided = _decide(entry, hosted, before)
                if decided is None:
                    continue
                action, sha, version = decided
                key = {"peer_id": peer_id, "entry_id": entry_id}
                row = {**key, "sha256": sha, "version": version,
                       "removed": action == "tombstone", "updated_at": now}  # fmt: skip
                (new_rows if before is None else changed).append(row)
                events.append({**key, "action": action, "version": version, "created_at": now})
    if new_rows:
        connection.execute(insert(FederationDelivery), new_rows)
    for row in changed:
        connection.execute(
            update(FederationDelivery)
            .where(
                FederationDelivery.peer_id == row["peer_id"],
                FederationDelivery.entry_id == row["entry_id"],
            )
            .values(**{k: v for k, v in row.items() if k not in ("peer_id", "entry_id")})
        )
    if events:
        connection.execute(insert(FederationEvent).values(xid=xid_expression(connection)), events)
    return len(events)


def _decide(
    entry: Entry | None, hosted: frozenset[int], before: Any
) -> tuple[str, str, int] | None:
    """(action, fingerprint, version) to announce to one peer, or None: nothing
    changed for it. `before` is its delivery row (sha256, version, removed) or None."""
    if entry is not None and peer_receives(
        hosted, peer_facts(entry), harvested=entry.origin_node is not None
    ):
        sha = fingerprint(exported_content(entry, hosted))
        if before is not None and not before.removed and before.sha256 == sha:
            return None
        return "upsert", sha, entry.version
    if before is None or before.removed:
        return None
    return "tombstone", before.sha256, max(entry.version if entry else 0, before.version)


def oai_sets(entry: Entry, collections: Iterable[str] = ()) -> list[str]:
    """OAI-PMH setSpecs of an entry: per program type, per region and per public
    collection (slugs) it is in."""
    return sorted(
        [f"program_type:{code}" for code in entry.program_types or []]
        + [f"region:{code}" for code in entry.regions or []]
        + [f"collection:{slug}" for slug in collections]
    )


def _public_collections(connection: Connection, entry_ids: Iterable[str]) -> dict[str, list[str]]:
    """The public collections (slugs) each entry is in. A network collection is no
    set: its name and membership are not for the public."""
    found: dict[str, list[str]] = {}
    rows = connection.execute(
        select(CollectionItem.entry_id, Collection.slug)
        .join(Collection, Collection.id == CollectionItem.collection_id)
        .where(CollectionItem.entry_id.in_(sorted(entry_ids)), Collection.visibility == PUBLIC)
    )
    for entry_id, slug in rows:
        found.setdefault(entry_id, []).append(slug)
    return found


def touch(session: Session, entry_ids: Iterable[str]) -> None:
    """Have the next flush re-check these entries' feed state although no entry row
    changed (e.g. a collection they are in was renamed, published or emptied)."""
    touched = _touched(session)
    for entry_id in entry_ids:
        touched.setdefault(entry_id, None)


def record_public(session: Session, entries: Mapping[str, Entry | None]) -> None:
    """Keep `oai_record` for the public (anonymous) audience, the way `announce`
    keeps deliveries for a peer: a record appears when an entry becomes public,
    changes when its public content does, and turns `deleted` (for good) when it
    stops being public."""
    if not entries:
        return
    connection = session.connection()
    known = {
        row.entry_id: row
        for row in connection.execute(
            select(OaiRecord.entry_id, OaiRecord.sha256, OaiRecord.deleted, OaiRecord.sets).where(
                OaiRecord.entry_id.in_(sorted(entries))
            )
        )
    }
    collections = _public_collections(connection, entries)
    now = utcnow().replace(microsecond=0)
    with session.no_autoflush:
        for entry_id, entry in sorted(entries.items()):
            before = known.get(entry_id)
            if entry is not None and peer_receives(
                frozenset(), peer_facts(entry), harvested=entry.origin_node is not None
            ):
                sha = fingerprint(exported_content(entry, frozenset()))
                sets = oai_sets(entry, collections.get(entry_id, ()))
                # A set membership change is a change of the record (OAI-PMH 2.0
                # §2.7.1): a new datestamp, so incremental harvesters see it.
                if (
                    before is not None
                    and not before.deleted
                    and before.sha256 == sha
                    and list(before.sets or []) == sets
                ):
                    continue
                values = {"sha256": sha, "sets": sets, "datestamp": now, "deleted": False}
            elif before is not None and not before.deleted:
                values = {"datestamp": now, "deleted": True}
            else:
                continue
            if before is None:
                connection.execute(insert(OaiRecord).values(entry_id=entry_id, **values))
            else:
                connection.execute(
                    update(OaiRecord).where(OaiRecord.entry_id == entry_id).values(**values)
                )


# -- the flush hook ------------------------------------------------------------------

_PENDING = "offramp.feedlog.entries"


def _touched(session: Session) -> dict[str, Entry | None]:
    touched: dict[str, Entry | None] = session.info.setdefault(_PENDING, {})
    return touched


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    touched = _touched(session)
    for obj in session.new:
        if isinstance(obj, Entry):
            touched[obj.id] = obj
        elif isinstance(obj, Attachment):
            touched.setdefault(obj.entry_id, None)
    renamed: list[int] = []
    for obj in session.dirty:
        if isinstance(obj, Entry) and session.is_modified(obj):
            touched[obj.id] = obj
        elif isinstance(obj, Organization) and session.is_modified(obj):
            renamed.append(obj.id)
    if renamed:
        # Peers and the public are told the organization's name: its entries'
        # exported content changed (re-announced where the name is shown).
        with session.no_autoflush:
            ids = session.scalars(select(Entry.id).where(Entry.organization_id.in_(renamed)))
            for entry_id in ids:
                touched.setdefault(entry_id, None)
    for obj in session.deleted:
        if isinstance(obj, Entry):
            touched[obj.id] = obj


@event.listens_for(Session, "after_flush")
def _write_events(session: Session, _context: Any) -> None:
    touched: dict[str, Entry | None] = session.info.pop(_PENDING, {})
    if not touched:
        return
    with session.no_autoflush:
        current: dict[str, Entry | None] = {}
        for entry_id, entry in touched.items():
            row = entry if entry is not None else session.get(Entry, entry_id)
            current[entry_id] = None if row is None or row in session.deleted else row
    record_public(session, current)
    peers = peers_hosting(session.connection())
    if peers:
        announce(session, current, peers)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def entries_by_id(session: Session, ids: Iterable[str]) -> dict[str, Entry | None]:
    wanted = sorted(set(ids))
    found = {e.id: e for e in session.scalars(select(Entry).where(Entry.id.in_(wanted)))}
    return {entry_id: found.get(entry_id) for entry_id in wanted}

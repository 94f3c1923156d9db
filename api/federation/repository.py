"""SQL of the federation domain: peers, feed events, the inventory, provenance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, and_, delete, literal_column, or_, select
from sqlalchemy.orm import Session

from api.access import peer_receivable_clause
from api.federation.cursor import Position
from api.models import (
    Entry,
    FederatedEntry,
    FederationEvent,
    Organization,
    Peer,
    PeerOrganization,
)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# The oldest transaction of *this* database still running at the statement's
# snapshot (else the snapshot's xmax): every event with a smaller xid is settled.
# Transactions of other databases on the same server cannot write our events, so
# they are left out; one that ended between the snapshot and the look at
# pg_stat_activity is kept in, which only makes the horizon lower (safe).
SETTLED_HORIZON = """(SELECT COALESCE(
    (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
     WHERE (x::text::bigint % 4294967296) NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL)),
    pg_snapshot_xmax(s)::text::bigint)
 FROM pg_current_snapshot() AS s)"""


def _settled(session: Session) -> list[ColumnElement[bool]]:
    """On PostgreSQL, only events of transactions older than every one still
    running: a running transaction holds an xid ≥ the horizon, so its events
    (whatever their ids) are served after it commits, in their place — never
    skipped. On SQLite writers are serialized, so ids are already in commit order
    and everything visible is settled."""
    if not _is_postgres(session):
        return []
    return [FederationEvent.xid < literal_column(SETTLED_HORIZON, BigInteger)]


def events_after(
    session: Session, peer_id: int, position: Position, limit: int
) -> list[FederationEvent]:
    query = (
        select(FederationEvent)
        .where(
            FederationEvent.peer_id == peer_id,
            or_(
                FederationEvent.xid > position.xid,
                and_(FederationEvent.xid == position.xid, FederationEvent.id > position.id),
            ),
            *_settled(session),
        )
        .order_by(FederationEvent.xid, FederationEvent.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def head_position(session: Session, peer_id: int) -> Position:
    """A position no later than any event not yet settled: everything before it
    has been served or is visible now; everything after will be."""
    if _is_postgres(session):
        horizon = session.scalar(select(literal_column(SETTLED_HORIZON, BigInteger)))
        return Position(int(horizon or 0) - 1, 2**62)
    last = session.execute(
        select(FederationEvent.xid, FederationEvent.id)
        .where(FederationEvent.peer_id == peer_id)
        .order_by(FederationEvent.xid.desc(), FederationEvent.id.desc())
        .limit(1)
    ).first()
    return Position(last[0], last[1]) if last else Position()


def last_event_before(session: Session, peer_id: int, moment: datetime) -> Position | None:
    row = session.execute(
        select(FederationEvent.xid, FederationEvent.id)
        .where(FederationEvent.peer_id == peer_id, FederationEvent.created_at < moment)
        .order_by(FederationEvent.xid.desc(), FederationEvent.id.desc())
        .limit(1)
    ).first()
    return Position(row[0], row[1]) if row else None


def prune_events(session: Session, peer_id: int, before_id_position: Position) -> None:
    session.execute(
        delete(FederationEvent).where(
            FederationEvent.peer_id == peer_id,
            or_(
                FederationEvent.xid < before_id_position.xid,
                and_(
                    FederationEvent.xid == before_id_position.xid,
                    FederationEvent.id <= before_id_position.id,
                ),
            ),
        )
    )


def receivable_entries(
    session: Session, hosted: frozenset[int], ids: Sequence[str] | None = None
) -> list[Entry]:
    query = select(Entry).where(peer_receivable_clause(hosted)).order_by(Entry.id)
    if ids is not None:
        query = query.where(Entry.id.in_(ids))
    return list(session.scalars(query))


def get_peer(session: Session, name: str) -> Peer | None:
    return session.scalar(select(Peer).where(Peer.name == name))


def peer_for_client(session: Session, client_id: str) -> Peer | None:
    return session.scalar(select(Peer).where(Peer.client_id == client_id))


def list_peers(session: Session) -> list[Peer]:
    return list(session.scalars(select(Peer).order_by(Peer.name)))


def hosted_organizations(session: Session, peer_id: int) -> list[Organization]:
    return list(
        session.scalars(
            select(Organization)
            .join(PeerOrganization, PeerOrganization.organization_id == Organization.id)
            .where(PeerOrganization.peer_id == peer_id)
            .order_by(Organization.slug)
        )
    )


def provenance(session: Session, origin_node: str, origin_id: str) -> FederatedEntry | None:
    return session.scalar(
        select(FederatedEntry).where(
            FederatedEntry.origin_node == origin_node, FederatedEntry.origin_id == origin_id
        )
    )


def provenance_of_peer(session: Session, peer_id: int) -> list[FederatedEntry]:
    return list(session.scalars(select(FederatedEntry).where(FederatedEntry.peer_id == peer_id)))


def organizations_by_slug(session: Session, slugs: Sequence[str]) -> dict[str, Organization]:
    if not slugs:
        return {}
    shadow = select(Peer.organization_id)
    rows = session.scalars(
        select(Organization).where(Organization.slug.in_(slugs), Organization.id.not_in(shadow))
    )
    return {o.slug: o for o in rows}


def peer_at(session: Session, base_url: str) -> Peer | None:
    return session.scalar(select(Peer).where(Peer.base_url == base_url))


def all_entry_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Entry.id).order_by(Entry.id)))


def entries_by_ids(session: Session, ids: Sequence[str]) -> list[Entry]:
    return list(session.scalars(select(Entry).where(Entry.id.in_(ids))))


def forget_provenance(session: Session, peer_id: int) -> None:
    session.execute(delete(FederatedEntry).where(FederatedEntry.peer_id == peer_id))


def known_origin_ids(session: Session, origin_node: str, ids: Sequence[str]) -> set[str]:
    return set(
        session.scalars(
            select(FederatedEntry.origin_id).where(
                FederatedEntry.origin_node == origin_node, FederatedEntry.origin_id.in_(ids)
            )
        )
    )


def harvest_schedule(session: Session) -> list[tuple[str, datetime | None]]:
    """Peers we hold credentials for, with when each is due next."""
    rows = session.execute(
        select(Peer.name, Peer.next_harvest_at).where(Peer.remote_client_id.is_not(None))
    )
    return [(name, due) for name, due in rows]

"""Federation: peer nodes, the per-peer change feed, what each peer was sent, and
the provenance of entries harvested from peers.

- `Peer`: another node. It calls us with OAuth client credentials we issued
  (`client_id`, an `api_client` of kind ``peer``); we call it with the ones it
  issued us (`remote_client_id`/`remote_client_secret`, stored as given because
  they must be presented, like an identity provider's secret). It hosts some of
  our partner organizations (`PeerOrganization`); entries it harvests from us are
  owned here by its own organization row (`organization_id`).
- `FederationEvent`: one row per (peer, entry) change of what that peer may
  receive, written in the same transaction as the change; no payload (the feed
  re-reads current state). `xid` is the writing transaction's id on PostgreSQL
  (0 on SQLite) and orders the feed together with `id` (see api.federation.feed).
- `FederationDelivery`: per (peer, entry) the fingerprint and version last
  announced, and whether the peer lost the entry since (`removed`).
- `FederatedEntry`: provenance of an entry harvested from a peer; kept after a
  tombstone deletes the entry, so a late or replayed create cannot resurrect it.
- `FederatedAttachment`: a reference to an attachment of a harvested entry. The
  document stays at its origin and is fetched on demand through the origin's
  per-peer URL, which asks the origin's rule again (api.federation.attachments).

`entry_id` in events and deliveries is deliberately not a foreign key: the
tombstone for a deleted entry must outlive it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow

FEED_ACTIONS = ("upsert", "tombstone")


class Peer(Base):
    __tablename__ = "peer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    base_url: Mapped[str] = mapped_column(String(500), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    remote_client_id: Mapped[str | None] = mapped_column(String(200))
    remote_client_secret: Mapped[str | None] = mapped_column(String(500))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Serving our feed to it.
    last_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    floor_xid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    floor_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Harvesting its feed.
    harvest_cursor: Mapped[str | None] = mapped_column(Text)
    last_harvest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    harvest_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_harvest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class PeerOrganization(Base):
    """One of our partner organizations whose members the peer hosts."""

    __tablename__ = "peer_organization"

    peer_id: Mapped[int] = mapped_column(
        ForeignKey("peer.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class FederationEvent(Base):
    __tablename__ = "federation_event"
    __table_args__ = (
        CheckConstraint(f"action IN {FEED_ACTIONS!r}", name="action"),
        Index("ix_federation_event_peer_position", "peer_id", "xid", "id"),
        # Ids must never be reused after pruning (SQLite reuses max(id)+1 otherwise),
        # or new events would sort before the floor of pruned ones.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    xid: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FederationDelivery(Base):
    __tablename__ = "federation_delivery"

    peer_id: Mapped[int] = mapped_column(
        ForeignKey("peer.id", ondelete="CASCADE"), primary_key=True
    )
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FederatedEntry(Base):
    __tablename__ = "federated_entry"
    __table_args__ = (UniqueConstraint("origin_node", "origin_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("peer.id", ondelete="CASCADE"), index=True)
    origin_node: Mapped[str] = mapped_column(String(500))
    origin_id: Mapped[str] = mapped_column(String(200))
    entry_id: Mapped[str | None] = mapped_column(
        ForeignKey("entry.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    origin_organization: Mapped[str | None] = mapped_column(String(200))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OaiRecord(Base):
    """What the public OAI-PMH endpoint has said about an entry: kept after the
    entry stops being public (`deleted`), as `deletedRecord=persistent` promises.
    Written by `api.feedlog` in the same transaction as the change; `datestamp`
    (whole seconds) is the time of the last change harvesters must see, and the
    field `from`/`until` select on."""

    __tablename__ = "oai_record"

    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    sets: Mapped[list[str]] = mapped_column(JSON, default=list)
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class FederatedAttachment(Base):
    __tablename__ = "federated_attachment"
    __table_args__ = (UniqueConstraint("entry_id", "origin_attachment_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # ours, like Attachment.id
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    origin_attachment_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

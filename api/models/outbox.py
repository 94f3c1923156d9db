"""The search outbox: one row per "this entry may look different to search now".

Rows name an entry, never a payload — the indexer re-reads current state. They
are written in the same transaction as the change (see `api.outbox`) and deleted
only after the search engine confirmed the write. `entry_id` is deliberately not
a foreign key: the row announcing a deletion must outlive the entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow


class SearchOutbox(Base):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when the row failed `attempts` times on its own: parked (the dead letter),
    # no longer claimed until `offramp outbox retry` clears it.
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class SearchReindex(Base):
    """A full reindex in progress (finished_at NULL) — see indexer.maintenance.

    While one is active, the outbox consumer journals every entry it indexes, so
    changes applied to the old index during the rebuild can be re-applied to the
    new one after the swap."""

    __tablename__ = "search_reindex"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SearchReindexJournal(Base):
    __tablename__ = "search_reindex_journal"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    reindex_id: Mapped[int] = mapped_column(
        ForeignKey("search_reindex.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[str] = mapped_column(String(40))

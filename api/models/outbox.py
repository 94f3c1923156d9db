"""The search outbox: one row per "this entry may look different to search now".

Rows name an entry, never a payload — the indexer re-reads current state. They
are written in the same transaction as the change (see `api.outbox`) and deleted
only after the search engine confirmed the write. `entry_id` is deliberately not
a foreign key: the row announcing a deletion must outlive the entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow


class SearchOutbox(Base):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

"""A member's saved searches and the alerts the checker records for them.

A saved search belongs to one account acting for one organization (the one it
was saved as): its feed and its alerts are evaluated as that member's *current*
principal, read afresh each time (`api.saved_searches`). The feed key is stored
only as its SHA-256; the key itself is shown once. An alert row only says "this
entry matched when it was checked": whether its member may still read the entry
is decided again on every read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow


class SavedSearch(Base):
    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # The normalised `GET /v1/search` query string (words, filters, years).
    query: Mapped[str] = mapped_column(Text)
    feed_key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The alert checker's watermark: entries published after it are new.
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Alerts created after this are counted as new (`new_count`).
    alerts_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SavedSearchAlert(Base):
    __tablename__ = "saved_search_alert"
    __table_args__ = (
        UniqueConstraint("saved_search_id", "entry_id"),
        Index("ix_saved_search_alert_entry_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_search.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

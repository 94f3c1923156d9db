"""Findings of the sensitive-data guard on submitted entries (`api.safety.holds`).

A row says that one detector found one identifier in one field of one revision:
where (`span_start`/`span_end`, for those who may read the field) and a snippet
of context in which every identifier is masked. The identifier itself is never
stored. Rows are never indexed, federated or logged in clear; they are read by
the owner organization and, while the entry is held, by curators (of another
organization, and for a partners entry without the snippet).

`status`: `open` (nobody has answered it), `explained` (the owner said why it may
stay; `explanation`), `resolved` (`resolution`: `fixed` — a later scan did not
find it; `released` — a curator let it through; `rescanned` — carried over to a
newer revision's row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow

FINDING_STATUSES = ("open", "explained", "resolved")


class SafetyFinding(Base):
    __tablename__ = "safety_finding"
    __table_args__ = (CheckConstraint(f"status IN {FINDING_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(120))
    detector: Mapped[str] = mapped_column(String(32))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    snippet: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    explanation: Mapped[str | None] = mapped_column(Text)
    explained_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    explained_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

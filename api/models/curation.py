"""Curation records: the transition log, review comments, collections and the
notification event log.

`EntryTransition` rows are the who/when/why of every workflow step and are only
inserted. `NotificationEvent` rows are the organization-facing event log (an
outbox that mail or chat integrations follow by cursor); like the audit log,
they name entries by id without a foreign key so they outlive deletions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow


class EntryTransition(Base):
    __tablename__ = "entry_transition"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    revision: Mapped[int | None] = mapped_column(Integer)
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    actor_organization_id: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    # The retraction reason of a `retract` step: a `safety` retraction's comment is
    # for curators only (api.access.redaction.shows_safety_detail).
    reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewComment(Base):
    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    author_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    author_organization_id: Mapped[int | None] = mapped_column(Integer)
    author_role: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Collection(Base):
    __tablename__ = "collection"
    __table_args__ = (CheckConstraint("visibility IN ('public', 'network')", name="visibility"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(16))
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CollectionItem(Base):
    __tablename__ = "collection_item"
    __table_args__ = (UniqueConstraint("collection_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(1000))


class NotificationEvent(Base):
    __tablename__ = "notification_event"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer, index=True)
    entry_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    actor_account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

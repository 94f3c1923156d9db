"""Access requests and the time-limited grants they lead to.

A member asks for access to a *listed* restricted entry (its existence and stub
are public by the owner's choice); the owner organization approves or declines.
An approval is an `AccessGrant` to the requester's organization, until
`expires_at` or until revoked — a reader tag in the one visibility rule
(`api.access`), kept in `entry_reader` with the grant's expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow

REQUEST_STATUSES = ("pending", "approved", "declined", "withdrawn")


class AccessRequest(Base):
    __tablename__ = "access_request"
    __table_args__ = (CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    requester_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    requester_organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_account_id: Mapped[int | None] = mapped_column(Integer)
    decision_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessGrant(Base):
    __tablename__ = "access_grant"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("access_request.id", ondelete="SET NULL")
    )
    granted_by_account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

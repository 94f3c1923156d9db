"""Evidence around an entry that changes on its own clock, outside the entry's revisions.

- `RecommendationFollowUp` - the management response to one recommendation of an
  evaluation (action, responsible unit, due date, status), updated by the owner
  organization without a new revision or a new review: progress on a
  recommendation is not a change of what the evaluation says.
- `EvidenceRating` - a curator's evidence label for one outcome (an indicator
  code) of an entry. Append-only in meaning: a changed or withdrawn rating is
  never deleted nor rewritten, it gets `ended_at` and `end_reason`, so the
  rating history stays visible.
- `RatingDispute` - the owner organization's objection to a rating, in words.

Readers of these rows are exactly the readers of their entry (`api.evidence`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow

FOLLOW_UP_STATUSES = ("planned", "in_progress", "done", "not_accepted")
EFFECTS = ("improved", "no_effect", "worsened", "mixed")
RATING_END_REASONS = ("changed", "withdrawn")


class RecommendationFollowUp(Base):
    __tablename__ = "recommendation_follow_up"
    __table_args__ = (
        CheckConstraint(f"status IN {FOLLOW_UP_STATUSES!r}", name="status"),
        UniqueConstraint("entry_id", "recommendation_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    recommendation_id: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(Text, default="")
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    updated_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidenceRating(Base):
    __tablename__ = "evidence_rating"
    __table_args__ = (
        CheckConstraint(f"effect IN {EFFECTS!r}", name="effect"),
        CheckConstraint(
            f"end_reason IS NULL OR end_reason IN {RATING_END_REASONS!r}", name="end_reason"
        ),
        Index("ix_evidence_rating_entry_outcome", "entry_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(64))
    effect: Mapped[str] = mapped_column(String(16))
    evaluation_design: Mapped[str] = mapped_column(String(64))
    evidence_level: Mapped[str] = mapped_column(String(64))
    reasoning: Mapped[str] = mapped_column(Text)
    # Who rated is kept for the audit log, never shown: readers see "a curator".
    rated_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(16))
    end_comment: Mapped[str | None] = mapped_column(Text)


class RatingDispute(Base):
    __tablename__ = "rating_dispute"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    rating_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_rating.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The gap map's count: kind and region first (always asked), then the reader sets,
# then what it groups and filters on, so the count is read from the index alone.
GAP_CELL_COUNT_COLUMNS = ("kind", "region", "readers", "program_type", "evidence_level",
                          "evaluation_design", "year")  # fmt: skip


class GapCell(Base):
    """Derived: one row per published entry and gap-map cell it falls in — a region
    it names or one above it, by a program type it names — with what the gap map
    filters on and the key of the entry's lasting reader tags (`GapReaders`).

    Rewritten with `entry_reader` by the flush hook of `api.access.orm`, in the
    write's transaction, so the gap map counts a few index rows per cell instead of
    testing every entry against the visibility rule, and is never stale."""

    __tablename__ = "gap_cell"
    __table_args__ = (
        Index("ix_gap_cell_count", *GAP_CELL_COUNT_COLUMNS),
        # The published entries in a region (or under it): indicator region filters.
        Index("ix_gap_cell_region_entry", "region", "entry_id"),
    )

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    region: Mapped[str] = mapped_column(String(64), primary_key=True)
    program_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    readers: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    evidence_level: Mapped[str | None] = mapped_column(String(64))
    evaluation_design: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int | None] = mapped_column()  # of period_end, what the gap map filters on


class GapReaders(Base):
    """Derived: the tags of one set of lasting reader tags (`entry_reader` rows without
    an expiry), under the key `GapCell.readers` names: a caller counts the cells of
    every set holding one of their tags."""

    __tablename__ = "gap_readers"

    readers: Mapped[str] = mapped_column(String(40), primary_key=True)
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)

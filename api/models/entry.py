"""Entries, their revisions, indicator values, partners and reader tags.

An `Entry` row holds the *live* content: what readers see. Every saved change is
an append-only `EntryRevision` with a full snapshot; once a revision has been
published its row never changes again (enforced by a flush hook below).
`EntryReader` rows are derived from status, visibility, owner and partners by
`api.access.reader_tags` and rewritten in the same transaction as any change to
those."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from api.models.access import AccessGrant
from api.models.base import Base, UTCDateTime, utcnow
from api.models.organization import Organization

VISIBILITIES = ("public", "network", "partners", "private")
# `held`: submitted with sensitive-data findings, waiting for a curator (api.safety.holds).
STATUSES = (
    "draft", "submitted", "held", "changes_requested", "published", "rejected", "retracted"
)  # fmt: skip
ORGANIZATION_DISPLAYS = ("named", "network", "partners")


ID_FILTER_COLUMNS = ("id", "status", "kind", "regions", "program_types")
POLICY_COLUMNS = ("kind", "status", "id", "policy")


class Entry(Base):
    __tablename__ = "entry"
    __table_args__ = (
        CheckConstraint(f"visibility IN {VISIBILITIES!r}", name="visibility"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(
            f"organization_display IN {ORGANIZATION_DISPLAYS!r}", name="organization_display"
        ),
        UniqueConstraint("origin_node", "origin_id"),
        Index("ix_entry_organization_status", "organization_id", "status"),
        # The published entries of one kind (evidence surfaces; migration evidence_0003).
        Index("ix_entry_kind_status", "kind", "status"),
        # SQLite only (PostgreSQL has no b-tree over `json`, and reads its heap well):
        # the columns the evidence surfaces filter on, so testing one indicator's
        # entries against a region filter or reading the policy frameworks reads index
        # pages, not the wide entry rows (migration evidence_0004).
        Index("ix_entry_id_filters", *ID_FILTER_COLUMNS).ddl_if(dialect="sqlite"),
        Index("ix_entry_policies", *POLICY_COLUMNS).ddl_if(dialect="sqlite"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    program_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_populations: Mapped[list[str]] = mapped_column(JSON, default=list)
    actors: Mapped[list[str]] = mapped_column(JSON, default=list)
    evaluation_design: Mapped[str | None] = mapped_column(String(64))
    evidence_level: Mapped[str | None] = mapped_column(String(64))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    license: Mapped[str | None] = mapped_column(String(64))
    # For the owner organization and the curators reviewing it only (api.access.redaction).
    internal_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(String(16))
    # Who may learn which organization published it (api.access.redaction.knows_organization).
    organization_display: Mapped[str] = mapped_column(
        String(16), default="named", server_default="named"
    )
    status: Mapped[str] = mapped_column(String(24), index=True)
    version: Mapped[int] = mapped_column(Integer)
    working_revision: Mapped[int] = mapped_column(Integer, default=1)
    published_revision: Mapped[int | None] = mapped_column(Integer)
    origin_node: Mapped[str | None] = mapped_column(String(500))
    origin_id: Mapped[str | None] = mapped_column(String(200))
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Review of the working revision of an already published entry (its own status
    # stays "published" meanwhile): submitted | held | changes_requested | rejected.
    review_status: Mapped[str | None] = mapped_column(String(24))
    # The visibility the entry asks for while under review (may be wider than the live one).
    requested_visibility: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Structured evidence (api.entries.schemas.EvidenceItem / Recommendation) and a
    # program profile's design fields (ProgramProfile): content, in every revision.
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    lessons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    recommendations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # A policy_framework entry's structured fields (api.entries.schemas.PolicyFields):
    # jurisdiction, level, impediment types, effect, status, source. Content, in
    # every revision; read live by the by-country table (api.evidence.policy).
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # The program profile (an entry of the same organization) this entry belongs to:
    # a program keeps its identity across its evaluations (its timeline).
    program_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # The owner reveals that a restricted entry exists: its stub (title, kind,
    # organization, regions, program types) is public; its content is not.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    featured: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    partners: Mapped[list[Organization]] = relationship(
        secondary="entry_partner", lazy="selectin", order_by=Organization.slug
    )
    grants: Mapped[list[AccessGrant]] = relationship(
        lazy="selectin",
        primaryjoin="and_(AccessGrant.entry_id == Entry.id, AccessGrant.revoked_at.is_(None))",
        viewonly=True,
    )
    indicators: Mapped[list[IndicatorValue]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="IndicatorValue.position",
        passive_deletes=True,
    )

    # The ORM refuses an UPDATE whose WHERE version=<read> matches no row, so two
    # writers racing past the If-Match check cannot both win.
    __mapper_args__ = {"version_id_col": version}


class EntryPartner(Base):
    __tablename__ = "entry_partner"

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class EntryReader(Base):
    """Derived: one row per reader tag of an entry (see api.access)."""

    __tablename__ = "entry_reader"
    # Grant rows only (those with an expiry): what every member's search reads.
    __table_args__ = (
        Index(
            "ix_entry_reader_grant",
            "tag",
            "expires_at",
            sqlite_where=text("expires_at IS NOT NULL"),
            postgresql_where=text("expires_at IS NOT NULL"),
        ),
        # The visibility probe (`EXISTS … entry_id = ? AND tag IN (…) AND unexpired`)
        # answered from one b-tree, without a second look-up for the expiry (migration
        # access_0002): an index on PostgreSQL; on SQLite the table is WITHOUT ROWID,
        # so its primary key holds the expiry.
        Index("ix_entry_reader_probe", "entry_id", "tag", "expires_at").ddl_if(
            dialect="postgresql"
        ),
        {"sqlite_with_rowid": False},
    )

    entry_id: Mapped[str] = mapped_column(
        ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    # Tags from an access grant lapse at its expiry (api.access.orm checks it).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IndicatorValue(Base):
    __tablename__ = "indicator_value"
    # One indicator's values across entries (GET /v1/indicators/{code}; evidence_0003).
    __table_args__ = (Index("ix_indicator_value_code_entry", "code", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)


class EntryRevision(Base):
    """A saved state of an entry's content. Append-only; published ones are frozen."""

    __tablename__ = "entry_revision"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PublishedRevisionIsImmutable(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _freeze_published_revisions(session: Session, _context: Any, _instances: Any) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if not isinstance(obj, EntryRevision):
            continue
        history = inspect(obj).attrs.published_at.history
        before = [*history.deleted, *history.unchanged]
        if any(value is not None for value in before) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise PublishedRevisionIsImmutable(f"revision {obj.number} is published")

"""State every API and worker process shares, kept in the database (never in a
process): failed client authentications for throttling, and the version of the
node's configuration (vocabularies, identity providers) each process watches.

Why tables and not Redis: the database is already shared by every process, on
SQLite and PostgreSQL alike; failures are rare (a few rows per attacked client
and address for five minutes), so the extra store would buy nothing but one more
service to run, back up and secure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, BigIntPK, UTCDateTime, utcnow


class ClientAuthFailure(Base):
    """One failed client authentication at the token endpoint, under one throttling key."""

    __tablename__ = "client_auth_failure"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ConfigVersion(Base):
    """A counter per kind of configuration, bumped in the transaction that changes it."""

    __tablename__ = "config_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)

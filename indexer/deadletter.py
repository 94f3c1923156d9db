"""Parked outbox rows (the dead letter): list them, hand them back to the
indexer, or drop them. Used by `offramp outbox list|retry|drop`.

Retrying clears `parked_at` and `attempts` (the indexer claims the rows again on
its next poll); dropping deletes parked rows only — the entry's index document
then stays as it was, which `offramp check-index` reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from api.models import SearchOutbox


@dataclass(frozen=True)
class ParkedRow:
    id: int
    entry_id: str
    attempts: int
    parked_at: datetime
    last_error: str | None


def _which(ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [SearchOutbox.parked_at.is_not(None)]
    if ids is not None:
        clauses.append(SearchOutbox.id.in_(ids))
    return clauses


def list_parked(session: Session) -> list[ParkedRow]:
    rows = session.scalars(
        select(SearchOutbox).where(*_which(None)).order_by(SearchOutbox.id)
    ).all()
    return [
        ParkedRow(r.id, r.entry_id, r.attempts, r.parked_at, r.last_error)  # type: ignore[arg-type]
        for r in rows
    ]


def retry_parked(session: Session, ids: Sequence[int] | None) -> int:
    """Unpark rows (all when `ids` is None); returns how many."""
    result = session.execute(
        update(SearchOutbox).where(*_which(ids)).values(parked_at=None, attempts=0)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def drop_parked(session: Session, ids: Sequence[int] | None) -> int:
    """Delete parked rows (all when `ids` is None); returns how many."""
    result = session.execute(delete(SearchOutbox).where(*_which(ids)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""Drain the search outbox into the search backend.

claim → coalesce → re-read → build → apply → confirm → delete. Outbox rows are
removed only after the backend confirms the write, so a crash anywhere means the
batch is retried, never lost; since each entry's *current* state is re-read, a
retried or coalesced row can never apply an older state over a newer one.

Concurrency: on PostgreSQL the claim is `FOR UPDATE SKIP LOCKED` inside a
transaction held until the engine confirmed, plus a transaction-scoped advisory
lock per entry, so several workers never process the same entry at once (which
could otherwise let an older read land after a newer one). A killed worker's
transaction rolls back and its rows become claimable at once. SQLite has one
writer; run one indexer per SQLite database (the embedded default runs it
in-process)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import SearchOutbox, SearchReindex, SearchReindexJournal
from api.models.base import utcnow
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import BackendError, SearchBackend
from indexer.documents import plan_writes
from indexer.source import load_sources
from indexer.thesaurus import thesaurus_of


@dataclass(frozen=True)
class DrainResult:
    rows: int
    upserted: int
    deleted: int


@dataclass(frozen=True)
class OutboxLag:
    rows: int
    oldest_age_seconds: float


def outbox_lag(session: Session) -> OutboxLag:
    count, oldest = session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at))
    ).one()
    if not count or oldest is None:
        return OutboxLag(0, 0.0)
    if oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return OutboxLag(int(count), max(0.0, (utcnow() - oldest).total_seconds()))


class OutboxConsumer:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        backend: SearchBackend,
        registry: Callable[[], VocabularyRegistry],
        *,
        batch_size: int = 500,
    ) -> None:
        self.session_factory = session_factory
        self.backend = backend
        self.registry = registry
        self.batch_size = batch_size
        self._thesaurus_of: VocabularyRegistry | None = None  # registry last applied

    def drain_once(self) -> DrainResult:
        """Process one batch. Raises BackendError (rows kept) if the engine failed."""
        with self.session_factory() as session, session.begin():
            postgres = session.get_bind().dialect.name == "postgresql"
            query = select(SearchOutbox.id, SearchOutbox.entry_id).order_by(SearchOutbox.id)
            if postgres:
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query.limit(self.batch_size)).all()
            if not rows:
                return DrainResult(0, 0, 0)
            entry_ids = sorted({entry_id for _, entry_id in rows})
            if postgres:
                entry_ids = [e for e in entry_ids if _try_entry_lock(session, e)]
            row_ids = [row_id for row_id, entry_id in rows if entry_id in set(entry_ids)]
            if not row_ids:
                return DrainResult(0, 0, 0)
            sources = load_sources(session, entry_ids)
            registry = self.registry()
            documents, removals = plan_writes(entry_ids, sources, registry)
            try:
                if registry is not self._thesaurus_of:
                    # Synonyms follow the vocabulary (a no-op for the embedded engine).
                    self.backend.apply_thesaurus(thesaurus_of(registry))
                    self._thesaurus_of = registry
                if documents:
                    self.backend.upsert(documents)
                if removals:
                    self.backend.delete(removals)
            except BackendError as exc:
                session.rollback()
                self._record_failure(row_ids, exc)
                raise
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
            _journal_for_reindex(session, entry_ids)
        return DrainResult(len(row_ids), len(documents), len(removals))

    def drain(self, *, max_batches: int | None = None) -> DrainResult:
        """Drain until the outbox is empty (or `max_batches`); raises on engine failure."""
        total = DrainResult(0, 0, 0)
        batches = 0
        while max_batches is None or batches < max_batches:
            result = self.drain_once()
            if result.rows == 0:
                break
            total = DrainResult(
                total.rows + result.rows,
                total.upserted + result.upserted,
                total.deleted + result.deleted,
            )
            batches += 1
        return total

    def _record_failure(self, row_ids: list[int], exc: BaseException) -> None:
        with self.session_factory() as session, session.begin():
            session.execute(
                update(SearchOutbox)
                .where(SearchOutbox.id.in_(row_ids))
                .values(attempts=SearchOutbox.attempts + 1, last_error=str(exc)[:500])
            )


def _journal_for_reindex(session: Session, entry_ids: list[str]) -> None:
    """While a full reindex builds a new index, remember what we wrote to the old one.

    Checked inside the claim transaction: a change committed after the reindex
    started can only be claimed after that, so it is always journaled."""
    active = session.scalars(
        select(SearchReindex.id).where(SearchReindex.finished_at.is_(None))
    ).all()
    for reindex_id in active:
        session.add_all(
            SearchReindexJournal(reindex_id=reindex_id, entry_id=entry_id) for entry_id in entry_ids
        )


def _try_entry_lock(session: Session, entry_id: str) -> bool:
    key = zlib.crc32(entry_id.encode()) - 2**31
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))

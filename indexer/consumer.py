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
in-process).

Dead letter: when a batch fails, the engine's health decides whose fault it is.
Engine unavailable → nothing is counted, the batch is retried after a back-off.
Engine healthy → the batch is retried entry by entry (each in a savepoint), the
entries that succeed are confirmed, and each row of an entry that fails on its
own counts an attempt; at `max_attempts` the row is *parked* (`parked_at`, with
`last_error`) and no longer claimed, so one entry that can never be indexed does
not hold back the others. `offramp outbox list|retry|drop` shows and handles
parked rows; /readyz and /metrics count them."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import SearchOutbox, SearchReindex, SearchReindexJournal
from api.models.base import utcnow
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import BackendError, SearchBackend
from indexer.documents import plan_writes
from indexer.source import load_sources
from indexer.thesaurus import thesaurus_of

log = structlog.get_logger("indexer")


@dataclass(frozen=True)
class DrainResult:
    rows: int
    upserted: int
    deleted: int


@dataclass(frozen=True)
class OutboxLag:
    rows: int
    oldest_age_seconds: float
    parked: int = 0


def outbox_lag(session: Session) -> OutboxLag:
    """Rows waiting (and the age of the oldest), and rows parked."""
    count, oldest = session.execute(
        select(func.count(SearchOutbox.id), func.min(SearchOutbox.created_at)).where(
            SearchOutbox.parked_at.is_(None)
        )
    ).one()
    parked = int(
        session.scalar(
            select(func.count(SearchOutbox.id)).where(SearchOutbox.parked_at.is_not(None))
        )
        or 0
    )
    if not count or oldest is None:
        return OutboxLag(0, 0.0, parked)
    if oldest.tzinfo is None:
        from datetime import UTC

        oldest = oldest.replace(tzinfo=UTC)
    return OutboxLag(int(count), max(0.0, (utcnow() - oldest).total_seconds()), parked)


class OutboxConsumer:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        backend: SearchBackend,
        registry: Callable[[], VocabularyRegistry],
        *,
        batch_size: int = 500,
        max_attempts: int = 5,
    ) -> None:
        self.session_factory = session_factory
        self.backend = backend
        self.registry = registry
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self._thesaurus_of: VocabularyRegistry | None = None  # registry last applied

    def drain_once(self) -> DrainResult:
        """Process one batch. Raises BackendError (rows kept) if the engine failed."""
        with self.session_factory() as session, session.begin():
            postgres = session.get_bind().dialect.name == "postgresql"
            query = (
                select(SearchOutbox.id, SearchOutbox.entry_id)
                .where(SearchOutbox.parked_at.is_(None))
                .order_by(SearchOutbox.id)
            )
            if postgres:
                query = query.with_for_update(skip_locked=True)
            claimed = session.execute(query.limit(self.batch_size)).all()
            if not claimed:
                return DrainResult(0, 0, 0)
            entry_ids = sorted({entry_id for _, entry_id in claimed})
            if postgres:
                entry_ids = [e for e in entry_ids if _try_entry_lock(session, e)]
            wanted = set(entry_ids)
            rows = [(row_id, entry_id) for row_id, entry_id in claimed if entry_id in wanted]
            if not rows:
                return DrainResult(0, 0, 0)
            try:
                try:
                    with session.begin_nested():
                        upserted, deleted = self._apply(session, entry_ids)
                except Exception as exc:
                    return self._isolate(session, rows, exc)
            except _EngineDown as down:
                failure = down
            else:
                self._confirm(session, rows)
                return DrainResult(len(rows), upserted, deleted)
        # The claim transaction has rolled back; note the error on the rows, keep them.
        with self.session_factory() as session, session.begin():
            session.execute(
                update(SearchOutbox)
                .where(SearchOutbox.id.in_([r for r, _ in rows]))
                .values(last_error=_describe(failure.cause))
            )
        if isinstance(failure.cause, BackendError):
            raise failure.cause
        raise BackendError(_describe(failure.cause)) from failure.cause

    def _apply(self, session: Session, entry_ids: list[str]) -> tuple[int, int]:
        sources = load_sources(session, entry_ids)
        registry = self.registry()
        documents, removals = plan_writes(entry_ids, sources, registry)
        if registry is not self._thesaurus_of:
            # Synonyms follow the vocabulary (a no-op for the embedded engine).
            self.backend.apply_thesaurus(thesaurus_of(registry))
            self._thesaurus_of = registry
        if documents:
            self.backend.upsert(documents)
        if removals:
            self.backend.delete(removals)
        return len(documents), len(removals)

    def _confirm(self, session: Session, rows: list[tuple[int, str]]) -> None:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r for r, _ in rows])))
        _journal_for_reindex(session, sorted({entry_id for _, entry_id in rows}))

    def _isolate(
        self, session: Session, rows: list[tuple[int, str]], exc: Exception
    ) -> DrainResult:
        """The batch failed: an engine outage (rows kept, raise for the back-off) or
        some entries of it (retry one by one; count and park those that fail)."""
        if self.backend.health().get("status") != "ok":
            raise _EngineDown(exc)
        by_entry: dict[str, list[int]] = {}
        for row_id, entry_id in rows:
            by_entry.setdefault(entry_id, []).append(row_id)
        done: list[tuple[int, str]] = []
        upserted = deleted = 0
        for entry_id, row_ids in by_entry.items():
            try:
                with session.begin_nested():
                    up, down = self._apply(session, [entry_id])
            except Exception as entry_exc:
                self._count_failure(session, row_ids, entry_exc)
                continue
            upserted, deleted = upserted + up, deleted + down
            done.extend((row_id, entry_id) for row_id in row_ids)
        self._confirm(session, done)
        return DrainResult(len(done), upserted, deleted)

    def _count_failure(self, session: Session, row_ids: list[int], exc: Exception) -> None:
        error = _describe(exc)
        session.execute(
            update(SearchOutbox)
            .where(SearchOutbox.id.in_(row_ids))
            .values(attempts=SearchOutbox.attempts + 1, last_error=error)
        )
        parked = session.execute(
            update(SearchOutbox)
            .where(
                SearchOutbox.id.in_(row_ids),
                SearchOutbox.attempts >= self.max_attempts,
            )
            .values(parked_at=utcnow())
        )
        if parked.rowcount:  # type: ignore[attr-defined]
            log.error("outbox rows parked", rows=row_ids, error=error)
        else:
            log.warning("entry failed to index; will retry", rows=row_ids, error=error)

    def drain(
        self,
        *,
        max_batches: int | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> DrainResult:
        """Drain until the outbox is empty (or `max_batches`, or `should_stop()` says
        so between batches: a shutdown finishes the current batch only); raises on
        engine failure."""
        total = DrainResult(0, 0, 0)
        batches = 0
        while (max_batches is None or batches < max_batches) and not should_stop():
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


class _EngineDown(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _try_entry_lock(session: Session, entry_id: str) -> bool:
    key = zlib.crc32(entry_id.encode()) - 2**31
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))

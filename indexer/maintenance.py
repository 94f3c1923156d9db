"""Index maintenance: full rebuild with an atomic swap, and the consistency check.

`reindex` builds a fresh index from the database (searches keep answering from
the old one), swaps it in, and re-enqueues every entry that was indexed into the
*old* index while the new one was being built (a journal kept by the consumers),
so the result converges to the database exactly.

`check` compares, by fingerprint, the documents the database implies with what
the engine holds: missing (should be searchable, is not), stale (content or
readers differ) and extra (searchable but should not be — e.g. retracted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import SearchReindex, SearchReindexJournal
from api.models.base import utcnow
from api.outbox import mark_dirty
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import SearchBackend, SearchDocument
from indexer.consumer import outbox_lag
from indexer.documents import build_document, plan_writes
from indexer.source import iter_published_sources, load_sources
from indexer.thesaurus import thesaurus_of


@dataclass
class IndexReport:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    pending_outbox_rows: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def _documents(session: Session, registry: VocabularyRegistry) -> Iterator[SearchDocument]:
    for source in iter_published_sources(session):
        document = build_document(source, registry)
        if document is not None:
            yield document


def check_index(
    session_factory: sessionmaker[Session], backend: SearchBackend, registry: VocabularyRegistry
) -> IndexReport:
    with session_factory() as session:
        expected = {d["id"]: d["fingerprint"] for d in _documents(session, registry)}
        pending = outbox_lag(session).rows
    actual = backend.fingerprints()
    return IndexReport(
        missing=sorted(expected.keys() - actual.keys()),
        stale=sorted(i for i in expected.keys() & actual.keys() if expected[i] != actual[i]),
        extra=sorted(actual.keys() - expected.keys()),
        pending_outbox_rows=pending,
    )


def repair_index(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    report: IndexReport,
) -> int:
    """Re-read and re-apply every entry the report names; returns how many."""
    ids = sorted({*report.missing, *report.stale, *report.extra})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        with session_factory() as session:
            sources = load_sources(session, chunk)
        documents, removals = plan_writes(chunk, sources, registry)
        if documents:
            backend.upsert(documents)
        if removals:
            backend.delete(removals)
    return len(ids)


def reindex(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Rebuild, swap, then hand what changed meanwhile back to the outbox.

    Returns (documents loaded, entries re-enqueued). While the rebuild runs, the
    consumers keep indexing into the old index and journal each entry they touch
    (`SearchReindex`); after the swap those entries get fresh outbox rows, so the
    indexer — with its per-entry ordering — applies their current state to the
    new index. Nothing changed during a rebuild is lost."""
    with session_factory() as session, session.begin():
        now = utcnow()
        # A reindex that died without finishing is superseded by this one.
        session.execute(
            update(SearchReindex).where(SearchReindex.finished_at.is_(None)).values(finished_at=now)
        )
        marker = SearchReindex(started_at=now)
        session.add(marker)
        session.flush()
        reindex_id = marker.id
    try:
        with session_factory() as session:
            backend.apply_thesaurus(thesaurus_of(registry))  # the new index's synonyms
            loaded = backend.rebuild(_documents(session, registry), progress=progress)
    finally:
        with session_factory() as session, session.begin():
            touched = sorted(
                set(
                    session.scalars(
                        select(SearchReindexJournal.entry_id).where(
                            SearchReindexJournal.reindex_id == reindex_id
                        )
                    )
                )
            )
            mark_dirty(session, touched)
            session.execute(
                update(SearchReindex)
                .where(SearchReindex.id == reindex_id)
                .values(finished_at=utcnow())
            )
            session.execute(
                delete(SearchReindexJournal).where(SearchReindexJournal.reindex_id == reindex_id)
            )
    return loaded, len(touched)

"""Index maintenance: full rebuild with an atomic swap, and the consistency check.

`reindex` builds a fresh index from the database (searches keep answering from
the old one), swaps it in, then runs `check` + repair so that changes which were
indexed into the *old* index while the new one was being built are not lost:
the result converges to the database exactly.

`check` compares, by fingerprint, the documents the database implies with what
the engine holds: missing (should be searchable, is not), stale (content or
readers differ) and extra (searchable but should not be — e.g. retracted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import SearchBackend, SearchDocument
from indexer.consumer import outbox_lag
from indexer.documents import build_document, plan_writes
from indexer.source import iter_published_sources, load_sources


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
) -> tuple[int, IndexReport]:
    with session_factory() as session:
        loaded = backend.rebuild(_documents(session, registry), progress=progress)
    report = check_index(session_factory, backend, registry)
    if not report.clean:
        repair_index(session_factory, backend, registry, report)
    return loaded, report

"""The embedded search backend: tantivy indexes in a local directory.

Owns: the on-disk layout under `path`, opening and reopening indexes, the
single-writer discipline across processes, the generation swap of `rebuild`,
and running searches (pagination, sort, disjunctive facet counts, highlights).
Layout: `CURRENT` names the live generation; `indexes/<generation>/main` holds
the documents and `indexes/<generation>/vocab` one document per indexed plain
term (typo and prefix words are expanded against it once per search, see
`embedded_query.expand`); `layout.lock` serialises generation creation/swaps.

Does not: decide how user text becomes a query, the schema or highlight matching
(`embedded_query.py`); it never passes user text to tantivy's query parser.

Invariants:
- Every search ANDs the caller's `readers` clause, so totals, hits and facet
  counts only ever cover documents the caller may read.
- `CURRENT` is only ever replaced whole (`os.replace`): every process sees
  either the old or the new generation, and each search re-checks it and the
  indexes' meta.json (three `stat` calls, ~µs), so a swap or a commit by any
  process is visible to the next search.
- At most one tantivy writer per generation directory exists at a time: the
  lockfile is taken per batch and released (by consuming the writer) at once.
- The vocabulary holds every term of the main index (a superset: it is written
  before the main commit, and terms of deleted documents stay until a rebuild).

Matching strategy: stop words (English, French) are ignored; a document
matches if it matches any query unit (a word, or words naming a vocabulary
concept: its other names and the entries tagged with it match too), and ranks
by how many units it matches, then by BM25, in which rare words weigh more.
A query of three units or more first asks for entries matching at least
half of them, and accepts fewer only while that finds under
`ENOUGH_CANDIDATES` entries (cheaper exact totals on long questions). So no
word is required and none is dropped by position: the least informative
words simply add least (Meilisearch's `matchingStrategy: "frequency"` drops the
most frequent words first; the orders agree where it matters, the embedded set
is the wider one). Quoted phrases are not phrase queries: quotes are
separators. A first-letter typo counts as one edit (Meilisearch: 2).

Not covered: an upsert that commits to the old generation just before a rebuild
swaps (and whose change the rebuild's document stream predates) is lost from the
new generation; the fingerprint consistency check is what repairs that.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Order, Query

from indexer.backends import embedded_query as eq
from indexer.backends.base import (
    FACETS,
    HIGHLIGHT_FIELDS,
    MAX_FACET_VALUES,
    TEXT_FIELDS,
    BackendError,
    Hit,
    Match,
    SearchDocument,
    SearchQuery,
    SearchResult,
)
from indexer.backends.language import Thesaurus

_Sig = tuple[int, int, int]  # (inode, mtime_ns, size): changes when a file is replaced
# Facet counts walk the index while the main query runs: tantivy releases the GIL
# while it searches, so a query's facet walks and its ranking overlap on the cores.
_FACET_WALKERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facet-walk")
_VOCAB_HEAP = 15_000_000  # an upsert adds at most a few thousand short terms


def _sig(path: Path) -> _Sig | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class _Part:
    """One tantivy index of a generation, reloaded when its meta.json changes."""

    index: Any
    meta: Path
    sig: _Sig | None

    def refresh(self) -> bool:
        """Reload if another writer committed; False if the directory is gone."""
        sig = _sig(self.meta)
        if sig is None:
            return False
        if sig != self.sig:
            self.index.reload()
            self.sig = sig
        return True


@dataclass
class _Live:
    generation: str
    main: _Part  # the documents
    vocab: _Part  # one document per ALL_PLAIN term, for typo/prefix expansion
    current_sig: _Sig | None


class EmbeddedBackend:
    name = "embedded"

    def __init__(
        self,
        path: Path,
        *,
        writer_heap_bytes: int = 128_000_000,
        lock_timeout_seconds: float = 10.0,
        batch_size: int = 2_000,
    ) -> None:
        self.path = Path(path)
        self.writer_heap_bytes = writer_heap_bytes
        self.lock_timeout_seconds = lock_timeout_seconds
        self.batch_size = batch_size
        self._live_state: _Live | None = None
        self._state_lock = threading.Lock()  # guards _live_state
        self._write_lock = threading.Lock()  # one writer per process at a time

    # ------------------------------------------------------------ layout

    @property
    def _current_file(self) -> Path:
        return self.path / "CURRENT"

    @property
    def _indexes(self) -> Path:
        return self.path / "indexes"

    def _read_current(self) -> str | None:
        try:
            name = self._current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def _write_current(self, generation: str) -> None:
        tmp = self.path / f".CURRENT.{generation}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(generation + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._current_file)
        dir_fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    @contextlib.contextmanager
    def _layout_lock(self) -> Iterator[None]:
        """Serialises generation creation/swap across processes (not searches or upserts)."""
        self._indexes.mkdir(parents=True, exist_ok=True)
        with open(self.path / "layout.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _new_generation(self) -> tuple[str, Path, Any, Any]:
        # Time-ordered names make leftovers easy to read; the suffix avoids clashes.
        generation = f"g{time.time_ns()}-{secrets.token_hex(4)}"
        directory = self._indexes / generation
        (directory / "main").mkdir(parents=True)
        (directory / "vocab").mkdir()
        main = tantivy.Index(eq.SCHEMA, path=str(directory / "main"), reuse=False)
        eq.register_analyzers(main)
        vocab = tantivy.Index(eq.VOCAB_SCHEMA, path=str(directory / "vocab"), reuse=False)
        return generation, directory, main, vocab

    @staticmethod
    def _open_part(directory: Path, schema: Any) -> _Part:
        meta = directory / "meta.json"
        if not meta.exists():
            raise FileNotFoundError(meta)
        try:
            index = tantivy.Index(schema, path=str(directory), reuse=True)
        except ValueError as exc:  # "An index exists but the schema does not match."
            raise BackendError(
                f"search index {directory} has an outdated schema; run a rebuild ({exc})"
            ) from exc
        eq.register_analyzers(index)
        # Manual: _Part.refresh reloads on a changed meta.json, so other processes'
        # commits are visible on the next search rather than ~1 s later.
        index.config_reader(reload_policy="manual")
        sig = _sig(meta)
        index.reload()
        return _Part(index, meta, sig)

    def _open(self, generation: str) -> _Live:
        directory = self._indexes / generation
        main = self._open_part(directory / "main", eq.SCHEMA)
        vocab = self._open_part(directory / "vocab", eq.VOCAB_SCHEMA)
        return _Live(generation, main, vocab, None)

    def _live(self, *, create: bool = False) -> _Live:
        if create and self._read_current() is None:
            self.ensure_ready()
        with self._state_lock:
            for _attempt in range(5):
                current_sig = _sig(self._current_file)
                if current_sig is None:
                    raise BackendError(f"no search index at {self.path} (ensure_ready not run)")
                state = self._live_state
                if state is None or state.current_sig != current_sig:
                    generation = self._read_current()
                    if generation is None:
                        continue
                    if state is None or state.generation != generation:
                        try:
                            state = self._open(generation)
                        except FileNotFoundError:
                            # Swapped and deleted between reading CURRENT and opening: re-read.
                            continue
                    state.current_sig = current_sig
                    self._live_state = state
                if state.main.refresh() and state.vocab.refresh():
                    return state
                state.current_sig = None  # directory deleted by a swap: re-resolve
        raise BackendError(f"search index at {self.path} keeps changing; retry")

    # ------------------------------------------------------------ lifecycle

    def ensure_ready(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if self._read_current() is None:
            with self._layout_lock():
                if self._read_current() is None:
                    generation, _directory, main, vocab = self._new_generation()
                    del main, vocab
                    self._write_current(generation)
        self._live()

    def close(self) -> None:
        with self._state_lock:
            self._live_state = None

    def health(self) -> dict[str, Any]:
        try:
            state = self._live()
            return {"status": "ok", "documents": int(state.main.index.searcher().num_docs)}
        except Exception as exc:  # health never raises
            return {"status": "unavailable", "error": f"{type(exc).__name__}: {exc}"}

    # ------------------------------------------------------------ writes

    def _writer(self, index: Any, threads: int, heap: int | None = None) -> Any:
        """Take the directory's writer lock, retrying while another writer
        (in this or another process) holds it, up to lock_timeout_seconds."""
        deadline = time.monotonic() + self.lock_timeout_seconds
        delay = 0.01
        while True:
            try:
                return index.writer(heap_size=heap or self.writer_heap_bytes, num_threads=threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise BackendError(f"cannot open index writer: {exc}") from exc
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BackendError(
                        f"index writer busy for {self.lock_timeout_seconds:.1f}s: {exc}"
                    ) from exc
                time.sleep(min(delay, remaining))
                delay = min(delay * 2, 0.25)

    @staticmethod
    def _release(writer: Any) -> None:
        # Consuming the writer waits for merges and releases the lockfile; merely
        # dropping it could abandon merges and let small segments pile up.
        with contextlib.suppress(Exception):
            writer.wait_merging_threads()

    def _extend_vocabulary(self, vocab: _Part, terms: set[str]) -> None:
        """Add the terms the vocabulary lacks. Runs under the main writer lock, so
        its own lock is uncontended; a duplicate (stale reader) is harmless."""
        if not terms:
            return
        vocab.refresh()
        searcher = vocab.index.searcher()
        # doc_freq per term (~µs): a term-set query ordered by term would have to
        # materialise every known term as a string (measured ~0.4 s for 100 docs).
        missing = {t for t in terms if not searcher.doc_freq(eq.VOCAB_TERM, t)}
        if not missing:
            return
        writer = self._writer(vocab.index, 1, _VOCAB_HEAP)
        try:
            for term in sorted(missing):
                writer.add_document(tantivy.Document(**{eq.VOCAB_TERM: [term]}))
            writer.commit()
        finally:
            self._release(writer)
            del writer

    def _write(self, op: Callable[[Any], None], size: int, terms: set[str]) -> None:
        # If a rebuild swaps generations while we write, the write may land in the
        # retired directory (or fail because it was deleted): redo it on the new
        # one. Every op is idempotent (delete-by-id then add).
        for _attempt in range(3):
            state = self._live(create=True)
            failure: Exception | None = None
            with self._write_lock:
                writer = self._writer(state.main.index, 1 if size < 1_000 else 0)
                try:
                    # Vocabulary first: if the main commit then fails, extra terms
                    # match nothing; the reverse order could hide typo matches.
                    self._extend_vocabulary(state.vocab, terms)
                    op(writer)
                    writer.commit()
                except Exception as exc:
                    failure = exc
                finally:
                    self._release(writer)
                    del writer
            if self._read_current() != state.generation:
                continue
            if isinstance(failure, BackendError):
                raise failure
            if failure is not None:
                raise BackendError(f"index write failed: {failure}") from failure
            self._live()  # meta.json changed: reload so the write is visible on return
            return
        raise BackendError("search index was swapped repeatedly during a write; retry")

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        if not documents:
            return
        prepared = [(d["id"], eq.to_tantivy(d)) for d in documents]  # bad input raises here
        terms = eq.vocabulary_of(documents)

        def op(writer: Any) -> None:
            for doc_id, doc in prepared:
                # Delete then add in one commit: the delete only hits older opstamps,
                # so a re-upsert replaces and a repeated id in the batch keeps the last.
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(doc)

        self._write(op, len(prepared), terms)

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return

        def op(writer: Any) -> None:
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

        # Terms only in deleted documents stay in the vocabulary (they match nothing).
        self._write(op, len(ids), set())

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        self.path.mkdir(parents=True, exist_ok=True)
        with self._layout_lock():  # one rebuild at a time, across processes
            generation, directory, main, vocab = self._new_generation()
            try:
                count = self._load(main, documents, progress)
                main.reload()
                # The vocabulary is read back from the finished term dictionary.
                terms = main.searcher().terms_with_prefix(eq.ALL_PLAIN, "")
                writer = vocab.writer(heap_size=self.writer_heap_bytes, num_threads=1)
                try:
                    for term, _count in terms:
                        writer.add_document(tantivy.Document(**{eq.VOCAB_TERM: [term]}))
                    writer.commit()
                finally:
                    self._release(writer)
                    del writer
                del main, vocab
                new_state = self._open(generation)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            self._write_current(generation)
            with self._state_lock:
                new_state.current_sig = _sig(self._current_file)
                self._live_state = new_state
            # Old generations (and leftovers of crashed rebuilds): open searchers
            # keep working on Linux since their segment files stay mmapped.
            for child in self._indexes.iterdir():
                if child.name != generation:
                    shutil.rmtree(child, ignore_errors=True)
        return count

    def _load(
        self,
        index: Any,
        documents: Iterable[SearchDocument],
        progress: Callable[[int], None] | None,
    ) -> int:
        # A fresh, private directory: nobody else can hold its lock.
        writer = index.writer(heap_size=self.writer_heap_bytes, num_threads=0)
        count = 0
        try:
            seen: set[str] = set()
            for doc in documents:
                doc_id = doc["id"]
                if doc_id in seen:  # keep the last version, as upsert would
                    writer.delete_documents_by_term("id", doc_id)
                seen.add(doc_id)
                writer.add_document(eq.to_tantivy(doc))
                count += 1
                if progress is not None and count % self.batch_size == 0:
                    progress(count)
            writer.commit()
        finally:
            self._release(writer)
            del writer
        if progress is not None and count % self.batch_size != 0:
            progress(count)
        return count

    # ------------------------------------------------------------ reads

    def fingerprints(self) -> dict[str, str]:
        try:
            searcher = self._live().main.index.searcher()
            # The filter drops terms whose documents were all deleted (count 0).
            terms = searcher.terms_with_prefix(
                eq.ID_FINGERPRINT, "", filter_query=Query.all_query()
            )
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"fingerprints failed: {exc}") from exc
        out: dict[str, str] = {}
        for term, _count in terms:
            doc_id, _sep, fingerprint = term.partition(eq.ID_SEPARATOR)
            out[doc_id] = fingerprint
        return out

    def apply_thesaurus(self, thesaurus: Thesaurus) -> None:
        """Nothing to store: each `SearchQuery` carries the thesaurus."""

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            return self._search(query)
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"search failed: {type(exc).__name__}: {exc}") from exc

    def _search(self, query: SearchQuery) -> SearchResult:
        state = self._live()
        searcher = state.main.index.searcher()
        expansions = eq.expand(state.vocab.index.searcher(), eq.parse_words(query.text))
        base = [eq.readers_clause(query.readers)]
        year = eq.year_clause(query.year_from, query.year_to)
        if year is not None:
            base.append(year)
        facet_filters = {
            f: eq.facet_clause(f, values) for f, values in query.filters.items() if values
        }
        n_docs = int(searcher.num_docs)
        offset = min(max(0, query.offset), n_docs)
        # Never ask tantivy for more than exists; a limit of 0 panics (notes §4.2).
        window = max(1, min(max(0, query.limit), n_docs - offset))
        newest = query.sort == "newest" or not expansions

        query_units = eq.units(expansions, query.thesaurus)
        minimum = eq.first_minimum(len(query_units))

        def facets_for(at_least: int) -> list[Future[dict[str, dict[str, int]]]]:
            matching = eq.text_filter(query_units, at_least) if query_units else None
            return _facet_walks(searcher, query.facets, matching, base, facet_filters)

        # Counted under the first threshold while the page is ranked; counted again
        # only in the rare case the threshold is lowered below.
        walks = facets_for(minimum)
        while True:
            text = eq.text_query(query_units, minimum) if query_units else None
            main = eq.conjunction(text, [*base, *facet_filters.values()])
            if newest:
                total, addresses = _newest_page(searcher, main, offset, window)
            else:
                res = searcher.search(main, window, count=True, offset=offset)
                total, addresses = res.count, [a for _score, a in res.hits]
            # Too few: accept entries matching fewer units. The threshold depends on
            # the query and filters only, never on the page, so pages stay consistent.
            if minimum <= 1 or total >= eq.ENOUGH_CANDIDATES:
                break
            minimum -= 1
            for walk in walks:
                walk.cancel()
            walks = facets_for(minimum)

        hits: list[Hit] = []
        highlighter = eq.Highlighter(expansions)
        for address in addresses[: max(0, query.limit)]:
            document = eq.stored_display(searcher.doc(address).to_dict())
            highlights = {f: highlighter.render(document.get(f) or "") for f in HIGHLIGHT_FIELDS}
            hits.append(Hit(id=document["id"], document=document, highlights=highlights))
        if query.explain and hits and query_units:
            hits = _explain(searcher, query_units, hits)

        facets: dict[str, dict[str, int]] = {
            f: {} for f in dict.fromkeys(query.facets) if f in FACETS
        }
        # With no hit the shared walk finds nothing either; a selected facet still
        # counts its other values under the other filters.
        for walk in walks:
            facets.update(walk.result())
        return SearchResult(total=total, hits=hits, facets=facets)


def _explain(searcher: Any, query_units: Sequence[eq.Unit], hits: list[Hit]) -> list[Hit]:
    """Which unit matched which hit where: one small search per (unit, field,
    way of matching), restricted to the page's ids. Opt-in: about 13 searches per unit."""
    by_id = {hit.id: hit for hit in hits}
    page = eq.ids_clause(by_id)
    found: dict[str, list[Match]] = {hit.id: [] for hit in hits}

    def matching(q: Any) -> set[str]:
        res = searcher.search(eq.conjunction(q, [page]), len(by_id), count=False)
        return {searcher.doc(a).to_dict()["id"][0] for _s, a in res.hits}

    for unit in query_units:
        matched = matching(unit.query())
        if not matched:
            continue
        explained: set[str] = set()
        own = tuple(e.word.text for e in unit.expansions)
        for field in TEXT_FIELDS:
            literal = eq.must([eq.exact_word_query(e.word, (field,)) for e in unit.expansions])
            for doc_id in matching(literal) & matched:
                found[doc_id].append(Match(unit.text, field, "word"))
                explained.add(doc_id)
            alternatives = [a for a in unit.alternatives if a != own]
            if alternatives:
                synonym = eq.should([eq.name_query(a, (field,)) for a in alternatives])
                for doc_id in matching(synonym) & matched:
                    found[doc_id].append(Match(unit.text, field, "synonym"))
                    explained.add(doc_id)
        for concept in unit.concepts:
            for doc_id in matching(eq.tag_query((concept,))) & matched:
                found[doc_id].append(Match(unit.text, concept.facet, "tag", concept.code))
                explained.add(doc_id)
        for doc_id in matched - explained:
            found[doc_id].append(Match(unit.text, "text", "typo"))
    return [
        Hit(hit.id, hit.document, hit.highlights, tuple(dict.fromkeys(found[hit.id])))
        for hit in hits
    ]


def _count(searcher: Any, query: Any) -> int:
    return int(searcher.search(query, 1, count=True).count)


def _newest_page(searcher: Any, query: Any, offset: int, limit: int) -> tuple[int, list[Any]]:
    """`published_at` desc, then id asc, exactly (stable pages).

    tantivy sorts by one fast field and breaks ties by doc address, which moves
    with merges. So the page is found by date, and the (at most two) date groups
    that may straddle the page edges are re-read ordered by id."""
    res = searcher.search(
        query, limit, count=True, order_by_field="published_at", offset=offset, order=Order.Desc
    )
    total, hits = int(res.count), list(res.hits)
    if not hits:
        return total, []
    high, low = hits[0][0], hits[-1][0]

    def by_id(date: int, skip: int, take: int) -> list[Any]:
        group = eq.conjunction(query, [eq.published_clause(date)])
        found = searcher.search(
            group, take, count=False, order_by_field="id", offset=skip, order=Order.Asc
        )
        return [a for _id, a in found.hits]

    # Docs with a later date than `high` all precede the page.
    before = _count(searcher, eq.conjunction(query, [eq.published_clause(high, after=True)]))
    n_high = sum(1 for k, _ in hits if k == high)
    page = by_id(high, offset - before, n_high)
    if low != high:
        middle = [(k, a) for k, a in hits if low < k < high]
        # Groups strictly inside the page are complete: sort them by (date desc, id).
        keyed = [(-k, searcher.doc(a).to_dict()["id"][0], i) for i, (k, a) in enumerate(middle)]
        page += [middle[i][1] for _k, _id, i in sorted(keyed)]
        page += by_id(low, 0, sum(1 for k, _ in hits if k == low))
    return total, page


def _facet_walks(
    searcher: Any,
    requested: Sequence[str],
    text: Any | None,
    base: list[Any],
    facet_filters: dict[str, Any],
) -> list[Future[dict[str, dict[str, int]]]]:
    """Disjunctive counts, each walk started on its own thread: each facet counts
    under every filter except its own.

    Facets without a selection share the full query and one term walk; each
    selected facet needs its own walk without its own clause."""
    wanted = [f for f in dict.fromkeys(requested) if f in FACETS]
    walks: list[tuple[Any, list[str]]] = []
    shared = [f for f in wanted if f not in facet_filters]
    if shared:
        walks.append((eq.conjunction(text, [*base, *facet_filters.values()]), shared))
    for f in wanted:
        if f in facet_filters:
            others = [q for g, q in facet_filters.items() if g != f]
            walks.append((eq.conjunction(text, [*base, *others]), [f]))
    return [_FACET_WALKERS.submit(_walk, searcher, query, names) for query, names in walks]


def _walk(searcher: Any, query: Any, names: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {name: {} for name in names}
    prefix = names[0] + eq.FACET_SEPARATOR if len(names) == 1 else ""
    # Sorted by count desc, then term: the first MAX_FACET_VALUES per facet are its top.
    for term, count in searcher.terms_with_prefix(eq.FACET_VALUES, prefix, filter_query=query):
        name, _sep, value = term.partition(eq.FACET_SEPARATOR)
        counts = out.get(name)
        if counts is not None and count > 0 and len(counts) < MAX_FACET_VALUES:
            counts[value] = int(count)
    return out

"""The Meilisearch search backend: `SearchBackend` through Meilisearch's official
Python client (`meilisearch` on PyPI, sync, over `requests`).

Owns: the index's settings (stop words and vocabulary synonyms included), the
translation of `SearchQuery` into one multi-search request (filter strings
included), the mapping of engine responses onto `SearchResult` (and, on request,
of `_matchesPosition` onto explanations), waiting for every asynchronous write
(task) to finish, and the build-then-swap rebuild.

Deliberately does not: retry (the outbox consumer retries a failed write later, so
every failure surfaces as `BackendError`), decide who may read what (the caller
passes `SearchQuery.readers`, derived in `api.access`), or use tenant tokens (the
API proxies every search, so the visibility filter is added here, server side).
The client is not thread-safe (one shared headers dict per client), so each
thread gets its own. Documents are serialized here (`_json_bytes`: lone
surrogates become "?") and handed to the client as raw JSON.

Invariants:
- every filter value reaches Meilisearch only through `quote_filter_value` (always
  double-quoted, `\\` and `"` escaped), and attribute names only from the
  allow-lists in `base`; the readers clause is its own element of the `filter`
  array, which Meilisearch parses element by element and ANDs, so no user value
  can widen it;
- a write returns only after its task `succeeded`; `failed`, `canceled`, a task
  timeout, an HTTP error or a transport error all raise `BackendError`.

Written against Meilisearch v1.28.2 (docker-compose.yml) and the documentation at
https://www.meilisearch.com/docs/ (paths cited below are relative to it)."""

from __future__ import annotations

import functools
import html
import json
import logging
import secrets
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import meilisearch
import meilisearch.errors
import pydantic

from indexer.backends.base import (
    DISPLAY_FIELDS,
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
from indexer.backends.highlight import (
    POST_SENTINEL,
    PRE_SENTINEL,
    sentinels_to_html,
    strip_sentinels,
)
from indexer.backends.language import STOP_WORDS, Thesaurus, content_words, fold

log = logging.getLogger(__name__)

PRIMARY_KEY = "id"
READERS_FIELD = "readers"
# Meilisearch only uses the first 10 query words (reference/api/search.mdx, "Query (q)";
# learn/advanced/known_limitations); anything longer is cut here so a pasted page of
# text costs nothing. 1 kB bounds the request whatever the words are.
MAX_QUERY_WORDS = 10
MAX_QUERY_BYTES = 1024
# Documents per add-documents task. Also bounded by bytes: the default HTTP payload
# limit is 100 MB (`payload_too_large`, known_limitations / --http-payload-size-limit)
# and attachment_text can be large.
BATCH_DOCUMENTS = 5_000
BATCH_BYTES = 32 * 1024 * 1024
DELETE_BATCH = 10_000
FETCH_PAGE = 1_000
# Task polling interval (the official client's `wait_for_task` polls at a fixed
# interval; most small writes finish within one).
POLL_INTERVAL_SECONDS = 0.02
REBUILD_INFIX = "_rebuild_"

# Index settings (reference/api/settings.mdx; PATCH /indexes/{uid}/settings is async).
SETTINGS: dict[str, Any] = {
    # List order is the attribute ranking order (`attribute` rule).
    "searchableAttributes": list(TEXT_FIELDS),
    "filterableAttributes": [*FACETS, READERS_FIELD, "year"],
    "sortableAttributes": ["published_at", "year"],
    # What a hit needs, plus `fingerprint` (small; lets a hit be checked against the
    # database when debugging). `readers`, body and attachment_text never leave the
    # engine in search responses. (The documents API ignores this list since v0.28 —
    # meilisearch/specifications#143 — so `fingerprints()` does not depend on it.)
    "displayedAttributes": [*DISPLAY_FIELDS, "fingerprint"],
    # The v1.x default. NOT the newer ["…", "attributeRank", "sort", "wordPosition", …]
    # default the current docs show: those two rules only exist since v1.36
    # (changelog/v1.36), so v1.28.2 would reject them.
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    # Word length thresholds of the default typo budget, made explicit because the
    # embedded backend mirrors them (resources/internals/typo_tolerance.mdx).
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
    # Default is 100 values, sorted alphabetically, so the 101st region code would
    # silently vanish (notes §3.5). Sorting by count keeps the largest values when the
    # cap bites, as a terms aggregation does (`sortFacetValuesBy`, v1.3+;
    # reference/api/settings.mdx, faceting object).
    "faceting": {"maxValuesPerFacet": MAX_FACET_VALUES, "sortFacetValuesBy": {"*": "count"}},
    # maxTotalHits caps totalHits and how deep one can page (default 1000; notes §3.4).
    # We want exact totals, so it is set far above the corpus size. Trade-off: page/
    # hitsPerPage "are resource-intensive … particularly likely if maxTotalHits is set
    # to a value higher than its default" (reference/api/search.mdx, "Number of
    # results per page"; notes §1.9 quotes "may result in queries taking seconds"
    # above 20000). A corpus of thousands of evaluations keeps candidate sets small;
    # lower this if the corpus grows by orders of magnitude.
    "pagination": {"maxTotalHits": 1_000_000},
    # Tokenizer defaults, stated so a manual change on the server is reverted.
    "separatorTokens": [],
    "nonSeparatorTokens": [],
    # The same stop words as the embedded engine (language.py), sorted: a query's
    # "how", "the", "des" neither match nor count against an entry.
    "stopWords": sorted(STOP_WORDS),
    # `synonyms` (the vocabulary's names) is added by apply_thesaurus: until a
    # process has the vocabulary it leaves the index's synonyms as they are.
}
# Drop the most frequent (least informative) query words first when not all
# words match (reference/api/search.mdx, "Matching strategy"; v1.9+): an entry
# matching the rare words of a question ranks first; the `words` ranking rule
# puts entries matching more words above those matching fewer.
MATCHING_STRATEGY = "frequency"
# Explanations: a short crop of long fields, highlighted, names the words matched.
EXPLAIN_CROP_WORDS = 12
# Settings whose list order carries no meaning (Meilisearch returns them sorted).
_UNORDERED_SETTINGS = frozenset(
    {"filterableAttributes", "sortableAttributes", "displayedAttributes", "stopWords"}
)


class MeilisearchError(BackendError):
    """A failure reported by Meilisearch or on the way to it.

    `code` is Meilisearch's error code (reference/errors/error_codes.mdx) when there
    is one — e.g. `index_not_found`, `invalid_search_filter`, or a task's
    `error.code` — else a local one: `timeout`, `unreachable`, `task_timeout`,
    `task_canceled`, `http_<status>`, `bad_response`."""

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


# ---------------------------------------------------------------------------
# Filter construction: the only place values are put into filter expressions.


def quote_filter_value(value: str) -> str:
    """`value` as a double-quoted filter string literal.

    Meilisearch's filter parser (crates/filter-parser/src/value.rs) reads a quoted
    value up to the first `"` not preceded by a backslash, turns `\\"` into `"`, then
    unescapes the fragment with the `unescaper` crate (`\\\\` → `\\`, and `\\n`,
    `\\u…` etc. are interpreted). So escaping the backslash first and then the quote
    makes every backslash in the literal part of an escape pair we chose: the value
    can neither end the literal early nor smuggle in an escape sequence. This is the
    documented requirement since v1.4 ("you have to escape all the `\\` characters",
    engine-team changelog v1.4; laravel/scout#958 does the same).

    Lone surrogates (possible in a Python str, impossible in stored UTF-8 text) become
    `?`, the same substitution `_json_bytes` applies to documents, so such a value
    matches exactly what was stored for it."""
    value = _scrub_surrogates(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def in_clause(attribute: str, values: Iterable[str]) -> str:
    """`attribute IN ["v1", "v2"]` for an allow-listed attribute name."""
    if attribute not in _FILTER_ATTRIBUTES:
        raise ValueError(f"not a filterable attribute: {attribute!r}")
    return f"{attribute} IN [{', '.join(quote_filter_value(v) for v in values)}]"


def year_clause(year_from: int | None, year_to: int | None) -> str | None:
    parts = []
    if year_from is not None:
        parts.append(f"year >= {int(year_from)}")
    if year_to is not None:
        parts.append(f"year <= {int(year_to)}")
    return " AND ".join(parts) if parts else None


_FILTER_ATTRIBUTES = frozenset(SETTINGS["filterableAttributes"])


def build_filter(query: SearchQuery, *, without: str | None = None) -> list[str]:
    """The `filter` array for `query` (elements are ANDed by Meilisearch), omitting the
    clause of facet `without` (for that facet's disjunctive counts). The readers
    clause is always the first element."""
    clauses = [in_clause(READERS_FIELD, query.readers)]
    for facet in FACETS:  # fixed order: the request body is deterministic
        values = query.filters.get(facet)
        if facet == without or not values:
            continue
        clauses.append(in_clause(facet, values))
    years = year_clause(query.year_from, query.year_to)
    if years is not None:
        clauses.append(years)
    return clauses


def normalize_text(text: str) -> str:
    """The query string as sent: NULs and highlight sentinels removed, whitespace
    collapsed, at most MAX_QUERY_WORDS words and MAX_QUERY_BYTES bytes."""
    cleaned = strip_sentinels(_scrub_surrogates(text).replace("\x00", " "))
    joined = " ".join(cleaned.split()[:MAX_QUERY_WORDS])
    return joined.encode("utf-8")[:MAX_QUERY_BYTES].decode("utf-8", "ignore").strip()


def page_window(offset: int, limit: int) -> tuple[int, int, int]:
    """(page, hitsPerPage, skip) such that page `page` of size `hitsPerPage` holds
    results [offset, offset + limit), starting `skip` hits into the page.

    page/hitsPerPage is the only mode with an exhaustive `totalHits`; offset/limit
    only gives `estimatedTotalHits` (reference/api/search.mdx, "Exhaustive and
    estimated total number of search results"). Our API's offsets are multiples of
    the limit, which maps exactly; for any other offset the smallest page size
    ≥ limit whose page contains the whole window is used, and the extra hits are
    dropped here. hitsPerPage 0 returns no hits but an exhaustive totalHits (ibid.,
    "Number of results per page")."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    if limit == 0:
        return 1, 0, 0
    if offset % limit == 0:
        return offset // limit + 1, limit, 0
    size = limit
    while offset // size != (offset + limit - 1) // size:
        size += 1
    page = offset // size
    return page + 1, size, offset - page * size


# ---------------------------------------------------------------------------
# Helpers.


def _scrub_surrogates(text: str) -> str:
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return "".join("?" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


def _json_bytes(payload: Any) -> bytes:
    # Serialized here rather than by httpx so a stray lone surrogate cannot raise
    # UnicodeEncodeError mid-request ("replace" turns it into "?").
    return json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8", "replace")


def _clean_document(document: SearchDocument) -> dict[str, Any]:
    cleaned: dict[str, Any] = dict(document)
    # highlight.py: the sentinels are stripped from inputs, so any sentinel in
    # `_formatted` was inserted by the engine around a match.
    for name in TEXT_FIELDS:
        value = cleaned.get(name)
        if isinstance(value, str):
            cleaned[name] = strip_sentinels(value)
    return cleaned


def _batches(documents: Iterable[SearchDocument]) -> Iterator[list[bytes]]:
    """Serialized documents grouped into add-documents payloads."""
    batch: list[bytes] = []
    size = 0
    for document in documents:
        encoded = _json_bytes(_clean_document(document))
        if batch and (len(batch) >= BATCH_DOCUMENTS or size + len(encoded) > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(encoded)
        size += len(encoded) + 1
    if batch:
        yield batch


def _settings_match(current: Any, desired: Any, *, unordered: bool = False) -> bool:
    """Whether `current` (GET settings) already has every value of `desired`."""
    if isinstance(desired, dict):
        return isinstance(current, dict) and all(
            current.get(key) == value
            if key == "synonyms"  # a whole map: a removed name must go too
            else _settings_match(current.get(key), value, unordered=key in _UNORDERED_SETTINGS)
            for key, value in desired.items()
        )
    if isinstance(desired, list) and unordered:
        return isinstance(current, list) and sorted(map(str, current)) == sorted(desired)
    return bool(current == desired)


# ---------------------------------------------------------------------------


class MeilisearchBackend:
    name = "meilisearch"

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None,
        index_uid: str = "entries",
        timeout_seconds: float = 5.0,
        task_timeout_seconds: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.index_uid = index_uid
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._task_timeout = task_timeout_seconds
        self.settings: dict[str, Any] = dict(SETTINGS)
        # The official client keeps one mutable headers dict per client and sets
        # Content-Type on it for each request ("We cannot ensure our SDKs are
        # thread-safe", meilisearch/meilisearch#1365): one client per thread.
        self._local = threading.local()

    # -- the official client -------------------------------------------------

    @property
    def _client(self) -> meilisearch.Client:
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            # requests takes float seconds; the client's annotation says int.
            timeout: Any = self._timeout
            client = meilisearch.Client(self.url, self._api_key, timeout=timeout)
            self._local.client = client
        return client

    def _index(self, uid: str | None = None) -> Any:
        return self._client.index(uid or self.index_uid)

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        """One request through the official client, its failures as MeilisearchError."""
        try:
            return call()
        except meilisearch.errors.MeilisearchApiError as exc:
            # Error bodies are {message, code, type, link} (reference/errors/overview).
            code = str(exc.code or f"http_{exc.status_code}")
            raise MeilisearchError(
                f"{what}: HTTP {exc.status_code} {code}: {exc.message}",
                code=code,
                status=exc.status_code,
            ) from exc
        except meilisearch.errors.MeilisearchTimeoutError as exc:
            raise MeilisearchError(
                f"{what}: timed out after {self._timeout}s", code="timeout"
            ) from exc
        except meilisearch.errors.MeilisearchCommunicationError as exc:
            raise MeilisearchError(f"{what}: {exc.message}", code="unreachable") from exc
        except (ValueError, pydantic.ValidationError) as exc:  # a body that is not the API's
            raise MeilisearchError(
                f"{what}: unexpected response: {exc}", code="bad_response"
            ) from exc

    def _write(self, what: str, call: Callable[[], Any]) -> dict[str, Any]:
        """A write: send it, then wait for its task to succeed; returns the task."""
        enqueued = self._call(what, call)
        # 202 {taskUid, indexUid, status: "enqueued", type, enqueuedAt}
        # (capabilities/indexing/tasks_and_batches/async_operations.mdx).
        task_uid = getattr(enqueued, "task_uid", None)
        if not isinstance(task_uid, int):
            raise MeilisearchError(f"{what}: no taskUid in response", code="bad_response")
        return self._wait(task_uid)

    def _wait(self, task_uid: int) -> dict[str, Any]:
        """Poll the task until it is finished (reference/api/tasks).

        A 202 only means "enqueued" (notes §3.2: silent failures); `failed` carries
        `error {message, code, type, link}` and means no change was made; `canceled`
        also means the write did not happen. Both raise. The client's
        `wait_for_task` returns on any final status and raises on its timeout."""
        try:
            task = self._call(
                f"task {task_uid}",
                lambda: self._client.wait_for_task(
                    task_uid,
                    timeout_in_ms=int(self._task_timeout * 1000),
                    interval_in_ms=int(POLL_INTERVAL_SECONDS * 1000),
                ),
            )
        except MeilisearchError as exc:
            if (
                exc.code == "timeout"
                and isinstance(exc.__cause__, meilisearch.errors.MeilisearchTimeoutError)
                and "waiting for task" in str(exc.__cause__)
            ):
                raise MeilisearchError(
                    f"task {task_uid} still unfinished after {self._task_timeout}s",
                    code="task_timeout",
                ) from exc
            raise
        status = task.status
        if status == "succeeded":
            return {"uid": task.uid, "type": task.type, "details": task.details or {}}
        if status == "failed":
            error = task.error or {}
            code = str(error.get("code") or "task_failed")
            raise MeilisearchError(
                f"task {task_uid} ({task.type}) failed: {code}: {error.get('message', '')}",
                code=code,
            )
        if status == "canceled":
            raise MeilisearchError(
                f"task {task_uid} ({task.type}) was canceled by task {task.canceled_by}",
                code="task_canceled",
            )
        raise MeilisearchError(f"task {task_uid}: unknown status {status!r}", code="bad_response")

    # -- index management ---------------------------------------------------

    def _create_index(self, uid: str) -> None:
        """POST /indexes {uid, primaryKey}; an existing index is fine. The error
        arrives in the task (index creation is async) or, defensively, as an
        HTTP error."""
        try:
            self._write(
                "create index", lambda: self._client.create_index(uid, {"primaryKey": PRIMARY_KEY})
            )
        except MeilisearchError as exc:
            if exc.code != "index_already_exists":
                raise

    def _delete_index(self, uid: str) -> None:
        try:
            self._write("delete index", lambda: self._client.delete_index(uid))
        except MeilisearchError as exc:
            if exc.code != "index_not_found":
                raise

    def _apply_settings(self, uid: str, *, force: bool) -> None:
        """PATCH the settings, unless (when not `force`) the index already has them.

        Any settings update may re-index the whole index, even an identical one on
        versions before v1.52 (notes §3.3; meilisearch/meilisearch#3242), so a
        restart must not PATCH unchanged settings."""
        if not force:
            current = self._call("get settings", lambda: self._index(uid).get_settings())
            if _settings_match(current, self.settings):
                return
        self._write("settings", lambda: self._index(uid).update_settings(self.settings))

    def apply_thesaurus(self, thesaurus: Thesaurus) -> None:
        """Set `synonyms` from the vocabulary; PATCHes only when it changed
        (a settings change re-indexes the whole index, notes §3.3)."""
        synonyms = thesaurus.synonyms_setting()
        if synonyms == self.settings.get("synonyms"):
            return
        self.settings = {**self.settings, "synonyms": synonyms}
        self._apply_settings(self.index_uid, force=False)

    def ensure_ready(self) -> None:
        self._create_index(self.index_uid)
        self._apply_settings(self.index_uid, force=False)

    def drop(self) -> None:
        """Delete the live index and any rebuild leftovers (tests, resets)."""
        prefix = self.index_uid + REBUILD_INFIX
        offset = 0
        leftovers: list[str] = []
        while True:
            page = self._call(
                "list indexes",
                functools.partial(self._client.get_raw_indexes, {"offset": offset, "limit": 100}),
            )
            results = page.get("results", []) if isinstance(page, dict) else []
            leftovers.extend(r["uid"] for r in results if str(r.get("uid", "")).startswith(prefix))
            offset += len(results)
            if not results or offset >= int(page.get("total", 0)):
                break
        for uid in [self.index_uid, *leftovers]:
            self._delete_index(uid)

    # -- writes -------------------------------------------------------------

    def _add_documents(self, uid: str, batch: list[bytes]) -> None:
        # POST = add or *replace* (PUT would merge into the old document):
        # reference/api/documents.mdx, "Add or replace documents". primaryKey is
        # only honoured on the first addition; the index is created with it anyway.
        payload = b"[" + b",".join(batch) + b"]"
        task = self._write(
            "add documents",
            lambda: self._index(uid).add_documents_raw(
                payload, primary_key=PRIMARY_KEY, content_type="application/json"
            ),
        )
        details = task.get("details") or {}
        received, indexed = details.get("receivedDocuments"), details.get("indexedDocuments")
        if isinstance(received, int) and isinstance(indexed, int) and indexed < received:
            # Notes §1.3: compare indexedDocuments with receivedDocuments.
            raise MeilisearchError(
                f"only {indexed} of {received} documents indexed (task {task.get('uid')})",
                code="documents_not_indexed",
            )

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        # Last version of an id wins, as it would in sequence.
        unique = list({doc["id"]: doc for doc in documents}.values())
        for batch in _batches(unique):
            self._add_documents(self.index_uid, batch)

    def delete(self, ids: Sequence[str]) -> None:
        # POST /indexes/{uid}/documents/delete-batch [ids]; missing ids are not an
        # error (reference/api/documents/delete-documents-by-batch.mdx).
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), DELETE_BATCH):
            chunk: list[str | int] = list(ids[start : start + DELETE_BATCH])
            self._write("delete documents", functools.partial(self._delete_batch, chunk))

    def _delete_batch(self, ids: list[str | int]) -> Any:
        # The client deprecates deleting by ids in favour of a filter (which would
        # need `id` filterable); the server's delete-batch route is current.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return self._index().delete_documents(ids)

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build `{uid}_rebuild_<random>`, swap it with the live index, drop the old.

        Flow from reference/api/indexes/swap-indexes.mdx (atomic; swaps documents,
        settings and task history) and notes §1.4. Searches keep using the live uid
        throughout. The live index must exist for the swap, so it is created (empty)
        first if missing."""
        tmp = f"{self.index_uid}{REBUILD_INFIX}{secrets.token_hex(4)}"
        loaded = 0
        try:
            self._create_index(self.index_uid)
            self._create_index(tmp)
            # Settings before documents: one indexing pass instead of two
            # (capabilities/indexing/advanced/indexing_best_practices.mdx).
            self._apply_settings(tmp, force=True)
            for batch in _batches(documents):
                self._add_documents(tmp, batch)
                loaded += len(batch)
                if progress is not None:
                    progress(loaded)
            pair: list[Mapping[str, list[str] | bool]] = [{"indexes": [self.index_uid, tmp]}]
            self._write("swap indexes", lambda: self._client.swap_indexes(pair))
        except BaseException:
            try:
                self._delete_index(tmp)
            except MeilisearchError as cleanup_error:
                log.warning("could not delete rebuild index %s: %s", tmp, cleanup_error)
            raise
        # `tmp` now holds the old documents. The new index is already live, so failing
        # the rebuild here would misreport it; `drop()` or an operator removes it.
        try:
            self._delete_index(tmp)
        except MeilisearchError as exc:
            log.warning("rebuild swapped in, but the old index %s was not deleted: %s", tmp, exc)
        return loaded

    # -- reads --------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        requested = [f for f in dict.fromkeys(query.facets) if f in FACETS]
        selected = [f for f in requested if query.filters.get(f)]
        unselected = [f for f in requested if f not in selected]
        q = normalize_text(query.text)
        page, hits_per_page, skip = page_window(query.offset, query.limit)

        main: dict[str, Any] = {
            "indexUid": self.index_uid,
            "q": q,
            "filter": build_filter(query),
            "page": page,
            "hitsPerPage": hits_per_page,
            "attributesToRetrieve": list(DISPLAY_FIELDS),
            "attributesToHighlight": list(HIGHLIGHT_FIELDS),
            "highlightPreTag": PRE_SENTINEL,
            "highlightPostTag": POST_SENTINEL,
            "matchingStrategy": MATCHING_STRATEGY,
        }
        if query.explain and q:
            # Which fields matched (`_matchesPosition`), and the matched words of the
            # long fields in short highlighted crops.
            main["showMatchesPosition"] = True
            main["attributesToCrop"] = [f"{f}:{EXPLAIN_CROP_WORDS}" for f in _EXPLAIN_CROPPED]
        if unselected:
            main["facets"] = unselected
        if query.sort == "newest" or not q:
            main["sort"] = ["published_at:desc"]
        queries = [main]
        # Disjunctive facets: a selected facet's counts are computed without its own
        # clause, so selecting region=014 still shows its siblings' counts.
        for facet in selected:
            queries.append(
                {
                    "indexUid": self.index_uid,
                    "q": q,
                    "filter": build_filter(query, without=facet),
                    "facets": [facet],
                    # Page mode, not `limit: 0`: facetDistribution is exhaustive only
                    # in page mode (meilisearch/documentation#2868; "the paginated
                    # search … is more exhaustive than the non-paginated one",
                    # meilisearch/meilisearch#5403), as in the main query, so both
                    # kinds of counts agree. hitsPerPage 0 returns no hits.
                    "page": 1,
                    "hitsPerPage": 0,
                    "matchingStrategy": MATCHING_STRATEGY,
                }
            )
        # reference/api/multi-search: {"queries": [...]} → {"results": [...]} in order;
        # without "federation" every query gets its own result.
        response = self._call("multi-search", lambda: self._client.multi_search(queries))
        results = response.get("results") if isinstance(response, dict) else None
        if not isinstance(results, list) or len(results) != len(queries):
            raise MeilisearchError("multi-search: unexpected response shape", code="bad_response")

        first = results[0]
        hits = [
            self._hit(raw, query.thesaurus if query.explain and q else None)
            for raw in first.get("hits", [])[skip : skip + query.limit]
        ]
        total = first.get("totalHits")
        if not isinstance(total, int):
            raise MeilisearchError("multi-search: no totalHits", code="bad_response")
        facets: dict[str, dict[str, int]] = {}
        distribution = first.get("facetDistribution") or {}
        for facet in unselected:
            facets[facet] = _counts(distribution.get(facet))
        for facet, result in zip(selected, results[1:], strict=True):
            facets[facet] = _counts((result.get("facetDistribution") or {}).get(facet))
        return SearchResult(total=total, hits=hits, facets={f: facets[f] for f in requested})

    @staticmethod
    def _hit(raw: dict[str, Any], explain: Thesaurus | None = None) -> Hit:
        document = {name: raw.get(name) for name in DISPLAY_FIELDS}
        formatted = raw.get("_formatted") or {}
        highlights: dict[str, str] = {}
        for name in HIGHLIGHT_FIELDS:
            value = formatted.get(name, raw.get(name))
            if isinstance(value, str):
                highlights[name] = sentinels_to_html(value)
            else:
                highlights[name] = html.escape("" if value is None else str(value), quote=False)
        matches = _matches(raw, formatted, document, explain) if explain is not None else ()
        return Hit(id=str(raw.get("id")), document=document, highlights=highlights, matches=matches)

    def fingerprints(self) -> dict[str, str]:
        # POST /indexes/{uid}/documents/fetch (v1.2+; the GET variant is slated for
        # deprecation): reference/api/documents.mdx, "Get documents with POST".
        found: dict[str, str] = {}
        offset = 0
        while True:
            body = {"fields": ["id", "fingerprint"], "offset": offset, "limit": FETCH_PAGE}
            page = self._call(
                "documents/fetch",
                functools.partial(
                    self._client.http.post, f"indexes/{self.index_uid}/documents/fetch", body
                ),
            )
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise MeilisearchError("documents/fetch: unexpected shape", code="bad_response")
            for document in page["results"]:
                found[str(document.get("id"))] = str(document.get("fingerprint", ""))
            offset += len(page["results"])
            if not page["results"] or offset >= int(page.get("total", 0)):
                return found

    def health(self) -> dict[str, Any]:
        try:
            # GET /health → {"status": "available"} (reference/api/health.mdx).
            status = self._call("health", lambda: self._client.health())
            state = status.get("status") if isinstance(status, dict) else None
            if state != "available":
                return {"status": "unavailable", "error": f"engine_{str(state)[:20]}"}
            # {numberOfDocuments, isIndexing, fieldDistribution} (GET /indexes/{uid}/stats).
            stats = self._call(
                "stats", lambda: self._client.http.get(f"indexes/{self.index_uid}/stats")
            )
            if not isinstance(stats, dict):
                return {"status": "unavailable", "error": "bad_response"}
            return {
                "status": "ok",
                "documents": int(stats.get("numberOfDocuments", 0)),
                "indexing": bool(stats.get("isIndexing", False)),
            }
        except MeilisearchError as exc:
            # The code only: /readyz shows this without authentication.
            return {"status": "unavailable", "error": exc.code}
        except Exception as exc:  # never raise from a health probe
            return {"status": "unavailable", "error": type(exc).__name__}

    def close(self) -> None:
        self._local = threading.local()  # requests opens a connection per call


_EXPLAIN_CROPPED = tuple(f for f in TEXT_FIELDS if f not in HIGHLIGHT_FIELDS)


def _marked_words(text: str) -> list[str]:
    """The words the engine wrapped in highlight sentinels, folded."""
    out = []
    for part in text.split(PRE_SENTINEL)[1:]:
        out.extend(content_words(part.split(POST_SENTINEL, 1)[0]))
    return out


def _matches(
    raw: dict[str, Any],
    formatted: dict[str, Any],
    document: dict[str, Any],
    thesaurus: Thesaurus,
) -> tuple[Match, ...]:
    """Per matched field (`_matchesPosition` keys), the words Meilisearch marked;
    a word that is a name of a vocabulary concept the entry is tagged with is
    reported as that tag. Meilisearch does not say whether a synonym or a typo
    matched, so every match is reported as `word` (or `tag`)."""
    positions = raw.get("_matchesPosition")
    if not isinstance(positions, dict):
        return ()
    out: list[Match] = []
    for field in TEXT_FIELDS:
        if field not in positions:
            continue
        value = formatted.get(field)
        marked = _marked_words(value) if isinstance(value, str) else []
        for word in dict.fromkeys(marked) or [""]:
            out.append(Match(word, field, "word"))
    tagged = {
        (facet, code)
        for facet in ("program_type", "target_population", "setting")
        for code in document.get(facet) or []
    }
    found = [m.query for m in out if m.field == "vocabulary_text"]
    for match in thesaurus.match([fold(w) for w in found]):
        for concept in match.concepts:
            if (concept.facet, concept.code) in tagged:
                words = " ".join(found[match.start : match.end])
                out.append(Match(words, concept.facet, "tag", concept.code))
    return tuple(dict.fromkeys(out))


def _counts(distribution: Any) -> dict[str, int]:
    if not isinstance(distribution, dict):
        return {}
    return {str(k): int(v) for k, v in distribution.items() if isinstance(v, int) and v > 0}


__all__ = [
    "SETTINGS",
    "MeilisearchBackend",
    "MeilisearchError",
    "build_filter",
    "in_clause",
    "normalize_text",
    "page_window",
    "quote_filter_value",
]

"""The `SearchBackend` protocol and the search document/query/result shapes.

Both engines (embedded tantivy, Meilisearch) implement exactly this, and one
behavioural test suite runs against each. Visibility is part of every query
(`SearchQuery.readers`, never empty): a document matches only if its `readers`
intersect the caller's tags, so totals, facet counts and highlights can never
include a document the caller may not read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypedDict

from indexer.backends.language import EMPTY_THESAURUS, Thesaurus

# Public facet names (API parameters) == document field names; all are list[str].
FACETS: tuple[str, ...] = (
    "region",
    "country",
    "program_type",
    "kind",
    "target_population",
    "setting",
    "evaluation_design",
    "evidence_level",
    "language",
    "organization",
    # Policy frameworks' structured fields (empty on other entries); `jurisdiction`
    # is the framework's own code, not expanded to ancestors like `region`.
    "impediment_type",
    "policy_status",
    "policy_level",
    "jurisdiction",
)
# Full-text fields, most important first. `vocabulary_text` names the entry's
# tags by their labels and aliases (indexer.documents).
TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "vocabulary_text",
    "findings",
    "lessons",
    "recommendations",
    "body",
    "attachment_text",
    "organization_name",
)
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "summary")
# Returned with each hit so the API answers without a database round trip.
DISPLAY_FIELDS: tuple[str, ...] = (
    "id",
    "title",
    "summary",
    "organization",
    "organization_name",
    "display_regions",
    "program_type",
    "kind",
    "published_date",
    # For explanations: which of the entry's tags a query named.
    "target_population",
    "setting",
    # A harvested entry's origin, which every surface shows ("" for our own).
    "origin_node",
    "origin_id",
)
MAX_FACET_VALUES = 500


class SearchDocument(TypedDict):
    id: str
    title: str
    summary: str
    # An evaluation's structured findings, lessons and recommendations (their
    # texts, one per line): searched, and named when a hit is explained.
    findings: str
    lessons: str
    recommendations: str
    body: str
    attachment_text: str
    organization_name: str
    # facets (each a list of codes; region holds the entry's codes plus all M49 ancestors)
    region: list[str]
    country: list[str]
    program_type: list[str]
    kind: list[str]
    target_population: list[str]
    setting: list[str]
    evaluation_design: list[str]
    evidence_level: list[str]
    language: list[str]
    organization: list[str]
    impediment_type: list[str]
    policy_status: list[str]
    policy_level: list[str]
    jurisdiction: list[str]
    display_regions: list[str]  # the codes as the entry states them, for display
    year: int | None  # publication year
    published_at: int  # unix seconds, for "newest" sort (0 when unknown)
    published_date: str | None  # YYYY-MM-DD
    readers: list[str]  # reader tags (see api.access)
    origin_node: str  # the peer a harvested entry comes from, "" for the node's own
    origin_id: str  # its id there, "" for the node's own
    fingerprint: str  # changes whenever the document content changes
    vocabulary_text: str  # the tags' labels and aliases, one per line


@dataclass(frozen=True)
class SearchQuery:
    readers: Sequence[str]
    text: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: Literal["relevance", "newest"] = "relevance"
    offset: int = 0
    limit: int = 20
    facets: Sequence[str] = FACETS
    # Vocabulary concepts: the embedded engine expands query words naming one
    # (Meilisearch gets the same as its `synonyms` setting, `apply_thesaurus`).
    thesaurus: Thesaurus = EMPTY_THESAURUS
    explain: bool = False  # fill Hit.matches

    def __post_init__(self) -> None:
        if not self.readers:
            raise ValueError("a search must name the caller's reader tags")
        unknown = set(self.filters) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facets: {sorted(unknown)}")


@dataclass(frozen=True)
class Hit:
    id: str
    document: dict[str, Any]  # DISPLAY_FIELDS from the stored document
    highlights: dict[str, str]  # HIGHLIGHT_FIELDS, HTML-escaped, matches wrapped in <mark>
    # With SearchQuery.explain: what matched, in query order.
    matches: tuple[Match, ...] = ()


@dataclass(frozen=True)
class Match:
    """One reason a hit matched: query word(s) `query` found in `field` (a text
    field, or a facet for a tag), `via` "word" (itself or its stem), "typo"
    (typo or prefix; field "text" when the engine cannot tell which),
    "synonym" (another name of a vocabulary concept) or "tag" (the entry is
    tagged with the concept the words name)."""

    query: str
    field: str
    via: Literal["word", "typo", "synonym", "tag"]
    code: str | None = None  # the tag's code, for "tag"


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]


class BackendError(Exception):
    """The engine failed or is unreachable; the caller retries later (nothing is lost)."""


class SearchBackend(Protocol):
    name: str

    def ensure_ready(self) -> None:
        """Create the index if missing and apply settings (idempotent)."""

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Insert or replace; returns only once the engine confirmed the write
        and it is visible to searches. Raises BackendError otherwise."""

    def delete(self, ids: Sequence[str]) -> None:
        """Remove documents (missing ids are fine); confirmed like `upsert`."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def apply_thesaurus(self, thesaurus: Thesaurus) -> None:
        """Make the engine's synonyms follow `thesaurus` (idempotent, cheap when
        unchanged). The embedded engine reads it from each query instead."""

    def fingerprints(self) -> dict[str, str]:
        """Every indexed id with its fingerprint (for the consistency check)."""

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a fresh index with current settings, load `documents`, swap it in
        atomically (searches keep answering from the old index meanwhile), drop
        the old one. Returns the number of documents loaded."""

    def health(self) -> dict[str, Any]:
        """`{"status": "ok"}` or `{"status": "unavailable", "error": "..."}`; never raises."""

    def close(self) -> None: ...

"""Related entries ("more like this"): a search built from an entry.

The query is the entry's title words, then its summary's most frequent content
words (stop words dropped, at most `MAX_KEYWORDS`), run through
`api.search.service.search_entries` — so the one visibility filter (and the
per-caller organization naming) applies exactly as on `/v1/search`. Ranking is
by tiers, each searched with the same words: entries sharing a program type
*and* a region with it first, then a program type, then a region, then words
only; within a tier, by relevance. The entry itself is never among them.

The words, program types and regions are those the caller is shown
(`api.entries.views.summary_of`): a curator reviewing a pending revision finds
entries like the revision, never like a live text it may not read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from api.access import Principal
from api.search.schemas import SearchHit
from api.search.service import search_entries
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import SearchBackend
from indexer.backends.language import content_words

DEFAULT_RELATED = 5
MAX_RELATED = 20
MAX_KEYWORDS = 12


def _useful(word: str) -> bool:
    return len(word) > 2 and not word.isdigit()


def _known(registry: VocabularyRegistry, vocabulary: str, codes: Sequence[str]) -> list[str]:
    return sorted({c for c in codes if registry.is_valid(vocabulary, c, allow_deprecated=True)})


def keywords(title: str, summary: str) -> str:
    """The query words: title words first, then the summary's most frequent ones."""
    chosen = dict.fromkeys(w for w in content_words(title) if _useful(w))
    counts = Counter(w for w in content_words(summary) if _useful(w))
    for word, _count in counts.most_common():
        chosen.setdefault(word)
    return " ".join(list(chosen)[:MAX_KEYWORDS])


def related_entries(
    session_factory: sessionmaker[Session],
    *,
    backend: SearchBackend,
    registry: VocabularyRegistry,
    principal: Principal,
    entry_id: str,
    title: str,
    summary: str,
    program_types: Sequence[str],
    regions: Sequence[str],
    limit: int = DEFAULT_RELATED,
) -> list[SearchHit]:
    text = keywords(title, summary)
    # Codes removed from a vocabulary since the entry was tagged are no filter (a
    # filter on them would be refused as unknown).
    types = _known(registry, "program_type", program_types)
    places = _known(registry, "region", regions)
    tiers: list[dict[str, list[str]]] = []
    if types and places:
        tiers.append({"program_type": types, "region": places})
    if types:
        tiers.append({"program_type": types})
    if places:
        tiers.append({"region": places})
    tiers.append({})
    found: dict[str, SearchHit] = {}
    for filters in tiers:
        result = search_entries(
            session_factory,
            backend=backend,
            registry=registry,
            principal=principal,
            text=text,
            filters=filters,
            year_from=None,
            year_to=None,
            sort="relevance",
            page=1,
            # Enough to find `limit` new ones after the entry itself and earlier tiers.
            per_page=limit + 1 + len(found),
        )
        for hit in result.hits:
            if hit.id != entry_id and len(found) < limit:
                found.setdefault(hit.id, hit)
        if len(found) >= limit:
            break
    return list(found.values())

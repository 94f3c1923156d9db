"""Schema, analyzers and query side of the embedded (tantivy) backend.

Owns: the tantivy schemas (documents and vocabulary) and analyzer definitions,
turning user text into query words (typo budget, prefix on the last word),
expanding typo/prefix words against the vocabulary, building the text,
visibility, facet and year queries from Query constructors, converting a
`SearchDocument` into a tantivy document, and deciding which stored words a
highlight marks.

Does not: open, write or swap index directories, run searches or shape results
(`embedded.py`). It never hands user text to tantivy's query parser: the parser
lets a user address any indexed field (`readers:public`, notes §4.2), so user
text is tokenized here with the plain analyzer and only ever becomes term and
fuzzy queries on the text fields.

Ranking per word: exact stemmed BM25 (title highest) + exact plain BM25, then
constant scores for prefix completions > one typo > two typos, so an exact
match always outranks a typo match (fuzzy scores are constant in tantivy).

Invariant: nothing built from user text can match outside the text fields; the
caller always ANDs the `readers` clause, so results can only narrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tantivy
from tantivy import FieldType, Filter, Occur, Order, Query, TextAnalyzerBuilder, Tokenizer

from indexer.backends.base import DISPLAY_FIELDS, FACETS, TEXT_FIELDS, SearchDocument
from indexer.backends.highlight import mark_spans
from indexer.backends.language import STOP_WORDS, Concept, Thesaurus

PLAIN_TOKENIZER = "offramp_plain"
STEMMED_TOKENIZER = "offramp_en"
FRENCH_TOKENIZER = "offramp_fr"
FRENCH_SUFFIX = "_fr"  # `title_fr` …: the French-stemmed copy of a text field
# Entries in these languages have their text stemmed in French; all others in
# English. A document's `vocabulary_text` (EN and FR names) goes to both.
FRENCH_LANGUAGES = frozenset({"fr"})
# One unstemmed, folded copy of every text field: the target of the exact-plain,
# fuzzy and prefix clauses. One field instead of five keeps each query word at
# one fuzzy automaton (fuzzy scores are constant anyway, so per-field weighting
# of typo matches would buy nothing).
ALL_PLAIN = "all_plain"
# Stemmed BM25 weight per field: title highest (the brief's ranking promise).
FIELD_BOOSTS: Mapping[str, float] = {
    "title": 4.0,
    "summary": 2.0,
    "vocabulary_text": 1.5,
    # Structured findings and lessons are short statements of results: above the
    # free body text, below the summary.
    "findings": 1.5,
    "lessons": 1.5,
    "recommendations": 1.25,
    "body": 1.0,
    "attachment_text": 0.75,
    "organization_name": 1.0,
}
# Fuzzy hits score a constant 1.0 (tantivy#563): an exact word must outweigh it,
# so the stemmed exact clause is multiplied on top of the field boost.
EXACT_STEM_BOOST = 3.0
# Typo matches score a constant by edit distance (prefix completion, 1, 2 edits),
# below any exact match's BM25, like Meilisearch's "typo" ranking rule.
TYPO_WEIGHTS = (0.8, 0.5, 0.25)
# Each query unit (a word, or words naming a vocabulary concept) a document
# matches adds this constant: far above any BM25 sum, so a document matching
# more of the query always ranks first, and BM25 (rare words weigh more) orders
# documents matching as many.
UNIT_WEIGHT = 1_000.0
TAG_BOOST = 6.0  # a tag named by the query counts like a title word
SYNONYM_BOOST = 0.8  # another name of the concept: a little below the words typed
MAX_EXPANSIONS = 128  # per word; beyond it the native fuzzy query is cheaper than a huge OR
MAX_QUERY_WORDS = 10  # Meilisearch uses only the first 10 query words
MAX_QUERY_CHARS = 20_000  # bound the analyzer's work on hostile input
FACET_VALUES = "facet_values"
FACET_SEPARATOR = ":"  # facet names contain none, so the first one splits name from value
ID_FINGERPRINT = "id_fingerprint"
ID_SEPARATOR = "\x1f"  # ids are `[A-Za-z0-9_-]` (Meilisearch's rule), so never contain it
LIST_FIELDS = frozenset((*FACETS, "display_regions", "readers"))
STORED_FIELDS = frozenset(DISPLAY_FIELDS)
assert set(FIELD_BOOSTS) == set(TEXT_FIELDS)


def plain_analyzer() -> Any:
    # remove_long first: tokens over 40 bytes are noise (base64, URLs) in both copies.
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
        .build()
    )


def stemmed_analyzer(language: str = "english") -> Any:
    # One stop list for both languages (language.STOP_WORDS, the one Meilisearch
    # gets too): a French entry quoting English is not stemmed, but stays findable.
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(40))
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
        .filter(Filter.custom_stopword(sorted(STOP_WORDS)))
        .filter(Filter.stemmer(language))
        .build()
    )


PLAIN = plain_analyzer()
STEMMED = stemmed_analyzer("english")
FRENCH = stemmed_analyzer("french")


def register_analyzers(index: Any) -> None:
    """Tokenizers are not persisted with the index: call after every open (notes §4.1)."""
    index.register_tokenizer(PLAIN_TOKENIZER, PLAIN)
    index.register_tokenizer(STEMMED_TOKENIZER, STEMMED)
    index.register_tokenizer(FRENCH_TOKENIZER, FRENCH)


def build_schema() -> Any:
    sb = tantivy.SchemaBuilder()
    # fast: the "newest" sort breaks date ties by id via order_by_field.
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    # "freq" (no positions): BM25 needs term frequencies only, and no phrase queries are built.
    for name in TEXT_FIELDS:
        sb.add_text_field(
            name,
            stored=name in STORED_FIELDS,
            tokenizer_name=STEMMED_TOKENIZER,
            index_option="freq",
        )
        sb.add_text_field(
            name + FRENCH_SUFFIX, tokenizer_name=FRENCH_TOKENIZER, index_option="freq"
        )
    sb.add_text_field(ALL_PLAIN, tokenizer_name=PLAIN_TOKENIZER, index_option="freq")
    # Facets: raw terms for filtering; the stored copy only where a hit displays it.
    for name in FACETS:
        sb.add_text_field(
            name, stored=name in STORED_FIELDS, tokenizer_name="raw", index_option="basic"
        )
    # Every facet value once more as "facet:value": facet counts come from one walk
    # of this field's term dictionary (`terms_with_prefix` with the query as filter),
    # measured ~10x faster than terms aggregations on fast fields (3.6 vs 39 ms for
    # 10 facets over 100k docs) and exact (deleted docs are not counted).
    sb.add_text_field(FACET_VALUES, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("display_regions", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("origin_node", "origin_id"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("readers", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("published_at", indexed=True, fast=True)
    sb.add_text_field("published_date", stored=True, tokenizer_name="raw", index_option="basic")
    # "id<US>fingerprint" as one term: fingerprints() reads the term dictionary
    # (~0.1 s for 100k docs) instead of loading every stored document.
    sb.add_text_field(ID_FINGERPRINT, tokenizer_name="raw", index_option="basic")
    return sb.build()


SCHEMA = build_schema()

# The vocabulary index: one document per distinct ALL_PLAIN term (a superset:
# terms of deleted documents stay until the next rebuild, matching nothing).
VOCAB_TERM = "term"


def build_vocab_schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field(VOCAB_TERM, fast=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


VOCAB_SCHEMA = build_vocab_schema()


def to_tantivy(doc: SearchDocument) -> Any:
    fields: dict[str, Any] = {
        "id": [doc["id"]],
        "published_at": [int(doc["published_at"] or 0)],
        ID_FINGERPRINT: [doc["id"] + ID_SEPARATOR + doc["fingerprint"]],
        "display_regions": list(doc["display_regions"]),
        "readers": list(doc["readers"]),
        "origin_node": [doc["origin_node"]] if doc.get("origin_node") else [],
        "origin_id": [doc["origin_id"]] if doc.get("origin_id") else [],
    }
    texts = [doc.get(name) or "" for name in TEXT_FIELDS]
    french = bool(set(doc["language"]) & FRENCH_LANGUAGES)
    for name, text in zip(TEXT_FIELDS, texts, strict=True):
        # Stemmed in the entry's language; stored (title, summary) either way.
        if name == "vocabulary_text" or not french:
            fields[name] = [text]
        elif name in STORED_FIELDS:
            fields[name] = [text]  # stored; its English stems do no harm
        if name == "vocabulary_text" or french:
            fields[name + FRENCH_SUFFIX] = [text]
    fields[ALL_PLAIN] = texts
    for name in FACETS:
        fields[name] = list(doc[name])  # type: ignore[literal-required]
    fields[FACET_VALUES] = [
        name + FACET_SEPARATOR + value for name in FACETS for value in fields[name]
    ]
    if doc["year"] is not None:
        fields["year"] = [int(doc["year"])]
    if doc["published_date"]:
        fields["published_date"] = [doc["published_date"]]
    return tantivy.Document(**{k: v for k, v in fields.items() if v})


def stored_display(stored: Mapping[str, list[Any]]) -> dict[str, Any]:
    """DISPLAY_FIELDS from `Document.to_dict()` (every value is a list there)."""
    out: dict[str, Any] = {}
    for name in DISPLAY_FIELDS:
        values = stored.get(name, [])
        if name in LIST_FIELDS:
            out[name] = list(values)
        elif name == "published_date":
            out[name] = values[0] if values else None
        else:
            out[name] = values[0] if values else ""
    return out


# ---------------------------------------------------------------- query words


def typo_budget(word: str) -> int:
    """Meilisearch's defaults: <5 chars exact, 5-8 one typo, ≥9 two."""
    n = len(word)
    return 0 if n < 5 else 1 if n < 9 else 2


@dataclass(frozen=True)
class QueryWord:
    text: str  # plain-analyzed (lowercased, folded)
    stem: str | None  # English stem; None for stop words
    typos: int
    prefix: bool  # last word, still being typed
    stem_fr: str | None = None  # French stem


def _stem(analyzer: Any, token: str) -> str | None:
    stems = analyzer.analyze(token)
    return stems[0] if stems else None


def parse_words(text: str) -> list[QueryWord]:
    """The first MAX_QUERY_WORDS content words of `text`; never raises.

    Stop words (English and French) are left out, unless the text has nothing
    else (a search for "the who" still searches). Syntax has no meaning: quotes,
    AND/OR/NOT, `field:value`, `*` and brackets are separators or plain words.
    The last word is a prefix unless the text ends in whitespace (the user
    finished typing it), as in Meilisearch."""
    text = text.replace("\x00", " ")[:MAX_QUERY_CHARS]
    tokens = [t for t in PLAIN.analyze(text) if t]
    if not tokens:
        return []
    prefix_last = not text[-1].isspace()
    kept = [t for t in tokens if t not in STOP_WORDS] or tokens
    kept = kept[:MAX_QUERY_WORDS]
    words = []
    for i, token in enumerate(kept):
        words.append(
            QueryWord(
                text=token,
                stem=_stem(STEMMED, token),
                typos=typo_budget(token),
                # A one-letter prefix would expand to a large share of the
                # vocabulary for little value; it stays an exact word.
                prefix=prefix_last and i == len(kept) - 1 and len(token) > 1,
                stem_fr=_stem(FRENCH, token),
            )
        )
    return words


@dataclass(frozen=True)
class Expansion:
    """A query word with the vocabulary terms its typo/prefix budget reaches.

    `levels[d]` holds the terms at exactly d edits (d=0: prefix completions);
    None when there were more than MAX_EXPANSIONS, in which case the word falls
    back to tantivy's own fuzzy query on the main index (same matches, but the
    automaton then walks every segment's dictionary on every execution)."""

    word: QueryWord
    levels: tuple[frozenset[str], ...] | None

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*self.levels) if self.levels else frozenset()


def expand(vocabulary: Any, words: Sequence[QueryWord]) -> list[Expansion]:
    """Resolve typo and prefix matches once per search against the vocabulary index.

    Why: a distance-2 fuzzy query on the main index cost ~5 ms per execution at
    100k docs (6 segments), and a search runs its text query 2-5 times (hits,
    facet walks, newest tie-breaks). On the one-segment vocabulary it costs
    ~1.2 ms once; the main index then sees plain term queries (~0.05 ms)."""
    out = []
    for word in words:
        if not (word.typos or word.prefix):
            out.append(Expansion(word, ()))
            continue
        levels: list[frozenset[str]] = []
        seen: set[str] = {word.text}
        for distance in range(0 if word.prefix else 1, word.typos + 1):
            found = vocabulary.search(
                Query.fuzzy_term_query(
                    VOCAB_SCHEMA,
                    VOCAB_TERM,
                    word.text,
                    distance=distance,
                    transposition_cost_one=True,
                    prefix=word.prefix,
                ),
                MAX_EXPANSIONS + 1,
                count=True,
                order_by_field=VOCAB_TERM,
                order=Order.Asc,
            )
            if found.count > MAX_EXPANSIONS:
                break
            level = frozenset(term for term, _address in found.hits) - seen
            seen |= level
            levels.append(level)
        else:
            if len(seen) <= MAX_EXPANSIONS:
                out.append(Expansion(word, tuple(levels)))
                continue
        out.append(Expansion(word, None))
    return out


def _stem_terms(word_en: str | None, word_fr: str | None, fields: Iterable[str]) -> list[Any]:
    """BM25 term queries for a word's stems on `fields` (both language copies)."""
    clauses = []
    for name in fields:
        boost = EXACT_STEM_BOOST * FIELD_BOOSTS[name]
        if word_en:
            term = Query.term_query(SCHEMA, name, word_en, index_option="freq")
            clauses.append(Query.boost_query(term, boost))
        if word_fr:
            term = Query.term_query(SCHEMA, name + FRENCH_SUFFIX, word_fr, index_option="freq")
            clauses.append(Query.boost_query(term, boost))
    return clauses


def _typo_clauses(expansion: Expansion) -> list[Any]:
    word = expansion.word
    clauses: list[Any] = []
    if expansion.levels is None:
        fuzzy = Query.fuzzy_term_query(
            SCHEMA,
            ALL_PLAIN,
            word.text,
            distance=word.typos,
            transposition_cost_one=True,
            prefix=word.prefix,
        )
        clauses.append(Query.const_score_query(fuzzy, TYPO_WEIGHTS[word.typos]))
    else:
        first = 0 if word.prefix else 1
        for distance, terms in enumerate(expansion.levels, start=first):
            if terms:
                any_term = Query.boolean_query(
                    [(Occur.Should, Query.term_query(SCHEMA, ALL_PLAIN, t, "basic")) for t in terms]
                )
                clauses.append(Query.const_score_query(any_term, TYPO_WEIGHTS[distance]))
    return clauses


def should(clauses: Sequence[Any]) -> Any:
    return Query.boolean_query([(Occur.Should, c) for c in clauses])


def must(clauses: Sequence[Any]) -> Any:
    return Query.boolean_query([(Occur.Must, c) for c in clauses])


def word_query(expansion: Expansion, fields: Iterable[str] = TEXT_FIELDS) -> Any:
    """The word itself (stemmed, either language), exactly, with typos or as prefix."""
    word = expansion.word
    clauses = _stem_terms(word.stem, word.stem_fr, fields)
    clauses.append(Query.term_query(SCHEMA, ALL_PLAIN, word.text, "freq"))
    clauses.extend(_typo_clauses(expansion))
    return should(clauses)


def exact_word_query(word: QueryWord, fields: Iterable[str]) -> Any:
    """The word or its stem in `fields` (no typos): for explanations."""
    return should(_stem_terms(word.stem, word.stem_fr, fields))


def name_query(name: Sequence[str], fields: Iterable[str] = TEXT_FIELDS) -> Any:
    """Every word of a concept's other name (folded words), stemmed, in `fields`."""
    fields = tuple(fields)
    per_word = []
    for w in name:
        clauses = _stem_terms(_stem(STEMMED, w) or w, _stem(FRENCH, w) or w, fields)
        per_word.append(Query.boost_query(should(clauses), SYNONYM_BOOST))
    return must(per_word)


def plain_name_query(name: Sequence[str]) -> Any:
    """Every word of a concept's other name, as written (folded), in any text
    field: one term query per word keeps a concept with many names cheap
    (stemmed per field and language it cost ~12 term queries per word)."""
    words = [Query.term_query(SCHEMA, ALL_PLAIN, w, "freq") for w in name]
    return Query.boost_query(must(words), SYNONYM_BOOST)


def tag_query(concepts: Sequence[Concept]) -> Any:
    """Entries tagged with any of `concepts` (facet fields are raw codes)."""
    return should(
        [
            Query.boost_query(Query.term_query(SCHEMA, c.facet, c.code, "basic"), TAG_BOOST)
            for c in concepts
        ]
    )


@dataclass(frozen=True)
class Unit:
    """What the ranking counts as one part of the query: a word, or consecutive
    words naming vocabulary concepts (with the concepts' other names)."""

    expansions: tuple[Expansion, ...]
    concepts: tuple[Concept, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()

    @property
    def text(self) -> str:
        return " ".join(e.word.text for e in self.expansions)

    def literal(self) -> Any:
        return must([word_query(e) for e in self.expansions])

    def query(self) -> Any:
        clauses = [self.literal()]
        own = tuple(e.word.text for e in self.expansions)
        clauses.extend(plain_name_query(alt) for alt in self.alternatives if alt != own)
        if self.concepts:
            clauses.append(tag_query(self.concepts))
        return should(clauses)


def units(expansions: Sequence[Expansion], thesaurus: Thesaurus) -> list[Unit]:
    """Group query words into units; words naming a concept become one unit."""
    found = thesaurus.match([e.word.text for e in expansions]) if len(thesaurus) else []
    out: list[Unit] = []
    i = 0
    for match in found:
        out.extend(Unit((e,)) for e in expansions[i : match.start])
        out.append(
            Unit(
                tuple(expansions[match.start : match.end]),
                match.concepts,
                tuple(thesaurus.alternatives(match)),
            )
        )
        i = match.end
    out.extend(Unit((e,)) for e in expansions[i:])
    return out


ENOUGH_CANDIDATES = 20  # fewer matches at a minimum: lower it (see first_minimum)


def first_minimum(n_units: int) -> int:
    """How many units a document must match on the first try: half of a long
    query's (a question's filler words rarely all match; its content words
    mostly do), one otherwise. Fewer candidates keep exact totals cheap."""
    return 1 if n_units < 3 else (n_units + 1) // 2


def text_query(query_units: Sequence[Unit], minimum: int = 1) -> Any:
    """Documents matching at least `minimum` units; each matched unit adds
    UNIT_WEIGHT on top of its BM25, so more matched units rank first."""
    clauses = []
    for unit in query_units:
        q = unit.query()
        clauses.append((Occur.Should, Query.const_score_query(q, UNIT_WEIGHT)))
        clauses.append((Occur.Should, q))
    # Each unit is two clauses matching the same documents.
    return Query.boolean_query(clauses, minimum_number_should_match=2 * max(1, minimum))


def text_filter(query_units: Sequence[Unit], minimum: int = 1) -> Any:
    """The documents `text_query` matches, unscored (for facet counts): half the clauses."""
    clauses = [(Occur.Should, Query.const_score_query(u.query(), 1.0)) for u in query_units]
    return Query.boolean_query(clauses, minimum_number_should_match=max(1, minimum))


def ids_clause(ids: Iterable[str]) -> Any:
    return _any_of("id", ids)


def vocabulary_of(documents: Iterable[SearchDocument]) -> set[str]:
    """The plain terms `documents` put into ALL_PLAIN (what the vocabulary must hold)."""
    terms: set[str] = set()
    for doc in documents:
        for name in TEXT_FIELDS:
            terms.update(PLAIN.analyze(doc.get(name) or ""))
    return terms


def _any_of(field: str, values: Iterable[str]) -> Any:
    # A Should of term queries beats term_set_query ~3x for short lists (notes §4.3).
    terms = [
        (Occur.Should, Query.term_query(SCHEMA, field, v, "basic")) for v in dict.fromkeys(values)
    ]
    return Query.const_score_query(Query.boolean_query(terms), 0.0)


def readers_clause(readers: Sequence[str]) -> Any:
    return _any_of("readers", readers)


def facet_clause(facet: str, values: Sequence[str]) -> Any:
    return _any_of(facet, values)


def year_clause(year_from: int | None, year_to: int | None) -> Any | None:
    if year_from is None and year_to is None:
        return None
    if year_from is not None and year_to is not None and year_from > year_to:
        return Query.empty_query()
    rng = Query.range_query(SCHEMA, "year", FieldType.Integer, year_from, year_to)
    return Query.const_score_query(rng, 0.0)


def published_clause(date: int, *, after: bool = False) -> Any:
    """`published_at == date`, or `> date` with `after`."""
    if after:
        rng = Query.range_query(
            SCHEMA, "published_at", FieldType.Integer, date, None, include_lower=False
        )
    else:
        rng = Query.range_query(SCHEMA, "published_at", FieldType.Integer, date, date)
    return Query.const_score_query(rng, 0.0)


def conjunction(scored: Any | None, filters: Iterable[Any]) -> Any:
    clauses = [(Occur.Must, q) for q in filters]
    if scored is not None:
        clauses.insert(0, (Occur.Must, scored))
    return Query.boolean_query(clauses)


# ------------------------------------------------------------------ highlights


def within_distance(a: str, b: str, k: int) -> bool:
    """Optimal-string-alignment distance(a, b) <= k (a transposition costs 1, as
    in the fuzzy queries: `transposition_cost_one=True`)."""
    la, lb = len(a), len(b)
    if abs(la - lb) > k:
        return False
    if a == b:
        return True
    if k == 0:
        return False
    before: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ai = a[i - 1]
        best = i
        for j in range(1, lb + 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ai != b[j - 1]))
            if i > 1 and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, before[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > k:  # every later row is at least this row's minimum
            return False
        before, prev = prev, cur
    return prev[lb] <= k


def prefix_within(token: str, word: str, k: int) -> bool:
    """Some prefix of `token` is within `k` edits of `word` (tantivy's fuzzy prefix)."""
    if token.startswith(word):
        return True
    lo, hi = max(0, len(word) - k), min(len(token), len(word) + k)
    return any(within_distance(token[:p], word, k) for p in range(lo, hi + 1))


class Highlighter:
    """Marks stored words that the query's clauses would have matched.

    tantivy's SnippetGenerator ignores fuzzy matches (tantivy#2576), so this
    re-derives matches in Python from the plain analyzer's character offsets:
    a token matches a word exactly, by stem, or as one of the word's expansions
    (edit distance is recomputed only for words that fell back to the native
    fuzzy query). One instance per search: decisions are cached per token."""

    def __init__(self, expansions: Sequence[Expansion]) -> None:
        self.expansions = list(expansions)
        self._terms = [e.terms for e in self.expansions]
        self._cache: dict[str, bool] = {}

    def matches(self, token: str) -> bool:
        hit = self._cache.get(token)
        if hit is None:
            hit = self._cache[token] = self._match(token)
        return hit

    def _match(self, token: str) -> bool:
        stem: str | None = None
        for expansion, terms in zip(self.expansions, self._terms, strict=True):
            w = expansion.word
            if token == w.text or token in terms:
                return True
            if expansion.levels is None:  # native fuzzy fallback: same test in Python
                if w.prefix and prefix_within(token, w.text, w.typos):
                    return True
                if not w.prefix and within_distance(token, w.text, w.typos):
                    return True
            if w.stem:
                if stem is None:
                    stems = STEMMED.analyze(token)
                    stem = stems[0] if stems else ""
                if stem == w.stem:
                    return True
        return False

    def render(self, text: str) -> str:
        if not self.expansions or not text:
            return mark_spans(text, ())
        spans = [
            (t.char_offset_from, t.char_offset_to)
            for t in PLAIN.pre_tokenize(text).tokens
            if self.matches(t.text)
        ]
        return mark_spans(text, spans)

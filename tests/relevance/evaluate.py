"""Running the judged relevance set against a search backend, and the metrics.

Shared by `tests/search/test_relevance.py` (asserts the targets on both engines)
and `bench/relevance_bench.py` (prints the table). The baseline is a plain BM25
OR query (tantivy's query parser, English stemming and stop words) over title,
summary, body and the English labels of the entry's tags, on the same corpus."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from api.vocabularies.registry import VocabularyRegistry, shipped_registry
from indexer.backends.base import SearchBackend, SearchDocument, SearchQuery
from indexer.documents import EntrySource, build_document
from indexer.thesaurus import thesaurus_of
from tests.relevance.corpus import Program, load
from tests.relevance.judgments import QUERY_TYPES, JudgedQuery, judged

K = 10
Ranker = Callable[[str], list[str]]


def documents(registry: VocabularyRegistry | None = None) -> list[SearchDocument]:
    registry = registry or shipped_registry()
    out = []
    for n, p in enumerate(load()):
        source = EntrySource(
            id=p.id, status="published", visibility="public", organization_id=1,
            organization_slug="relevance-corpus", organization_name="Relevance corpus",
            partner_ids=(), kind="evaluation", title=p.title, summary=p.summary, body=p.body,
            language=p.language, program_types=p.program_types, regions=p.regions,
            settings=p.settings, target_populations=p.target_populations,
            evaluation_design=None, evidence_level=None,
            published_at=datetime(2015 + n % 10, 1 + n % 12, 1, tzinfo=UTC), attachment_texts=(),
        )  # fmt: skip
        document = build_document(source, registry)
        assert document is not None
        out.append(document)
    return out


def load_backend(backend: SearchBackend) -> None:
    backend.apply_thesaurus(thesaurus_of(shipped_registry()))
    backend.upsert(documents())


def engine_ranker(backend: SearchBackend) -> Ranker:
    thesaurus = thesaurus_of(shipped_registry())

    def rank(text: str) -> list[str]:
        query = SearchQuery(readers=["public"], text=text, limit=K, facets=(), thesaurus=thesaurus)
        return [hit.id for hit in backend.search(query).hits]

    return rank


class Baseline:
    """Plain BM25, words ORed (tantivy's default parser), English analyzer."""

    FIELDS = ("title", "summary", "body", "tags")

    def __init__(self, programs: Sequence[Program], registry: VocabularyRegistry) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in self.FIELDS:
            builder.add_text_field(name, tokenizer_name="en_stem")
        self.schema = builder.build()
        self._dir = tempfile.TemporaryDirectory()
        self.index = tantivy.Index(self.schema, path=str(Path(self._dir.name)))
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for p in programs:
            labels = [
                term.label
                for vocabulary, codes in (
                    ("program_type", p.program_types),
                    ("target_population", p.target_populations),
                    ("setting", p.settings),
                    ("region", p.regions),
                )
                for code in codes
                if (term := registry.get(vocabulary, code)) is not None
            ]
            writer.add_document(
                tantivy.Document(
                    id=p.id, title=p.title, summary=p.summary, body=p.body, tags=" ".join(labels)
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def __call__(self, text: str) -> list[str]:
        query, _errors = self.index.parse_query_lenient(text, list(self.FIELDS))
        searcher = self.index.searcher()
        hits = searcher.search(query, K).hits
        return [searcher.doc(address)["id"][0] for _score, address in hits]

    def close(self) -> None:
        self._dir.cleanup()


@dataclass(frozen=True)
class Scores:
    ndcg: float
    mrr: float
    top3: float  # share of queries with >= 1 relevant entry in the top 3
    recall: float  # relevant entries found in the top 10 / min(10, relevant)
    zero_hits: int  # queries with a relevant entry but no hit at all
    queries: int


def ndcg_at_k(ranked: Sequence[str], grades: dict[str, int]) -> float:
    gain = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:K]))
    ideal_grades = sorted(grades.values(), reverse=True)[:K]
    ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
    return gain / ideal if ideal else 0.0


def score(results: Sequence[tuple[list[str], dict[str, int]]]) -> Scores:
    n = len(results)
    ndcg = mrr = top3 = recall = 0.0
    zero = 0
    for ranked, grades in results:
        ndcg += ndcg_at_k(ranked, grades)
        first = next((i for i, d in enumerate(ranked) if grades.get(d)), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        top3 += 1.0 if first is not None and first < 3 else 0.0
        found = sum(1 for d in ranked[:K] if grades.get(d))
        recall += found / min(K, len(grades)) if grades else 0.0
        zero += 1 if grades and not ranked else 0
    return Scores(ndcg / n, mrr / n, top3 / n, recall / n, zero, n)


def evaluate(rank: Ranker) -> dict[str, Any]:
    """Scores per query type and overall, plus each query's ranking."""
    runs: list[tuple[JudgedQuery, list[str], dict[str, int]]] = [
        (query, rank(query.text), grades) for query, grades in judged()
    ]
    by_type = {kind: score([(r, g) for q, r, g in runs if q.kind == kind]) for kind in QUERY_TYPES}
    return {"overall": score([(r, g) for _q, r, g in runs]), "types": by_type, "runs": runs}

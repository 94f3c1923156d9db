"""The judged relevance set (tests/relevance) on every engine: practitioners'
questions in their words and languages find what a practitioner would want.

Targets (the figures per type are printed by bench/relevance_bench.py): nDCG@10
at least 0.8 overall, no query type below the plain BM25 OR baseline computed
here on the same corpus, and no query without hits when a relevant entry exists."""

from __future__ import annotations

import pytest

from api.vocabularies.registry import shipped_registry
from indexer.backends.base import SearchBackend
from tests.relevance.corpus import load
from tests.relevance.evaluate import Baseline, engine_ranker, evaluate, load_backend
from tests.relevance.judgments import QUERY_TYPES, judged


@pytest.fixture(scope="module")
def baseline() -> dict[str, object]:
    ranker = Baseline(load(), shipped_registry())
    try:
        return evaluate(ranker)
    finally:
        ranker.close()


def test_the_judged_set_is_large_and_varied() -> None:
    queries = judged()
    assert len(load()) >= 150
    assert len(queries) >= 60
    assert {q.kind for q, _ in queries} == set(QUERY_TYPES)
    assert all(grades for _q, grades in queries)  # every query has relevant entries


def test_relevance_targets(backend: SearchBackend, baseline: dict[str, object]) -> None:
    load_backend(backend)
    result = evaluate(engine_ranker(backend))
    overall = result["overall"]

    assert overall.ndcg >= 0.8, overall
    assert overall.zero_hits == 0, [q.text for q, ranked, _g in result["runs"] if not ranked]
    for kind in QUERY_TYPES:
        ours, theirs = result["types"][kind], baseline["types"][kind]  # type: ignore[index]
        assert ours.ndcg >= theirs.ndcg, (kind, ours, theirs)
        assert ours.top3 >= theirs.top3, (kind, ours, theirs)


def test_the_issue_examples(backend: SearchBackend) -> None:
    load_backend(backend)
    rank = engine_ranker(backend)
    grades = {q.text: g for q, g in judged()}

    def best(text: str, n: int) -> list[str]:
        """The top n, each asserted to be what the question asks for (grade 2)."""
        top = rank(text)[:n]
        assert len(top) == n, (text, top)
        assert all(grades[text].get(d) == 2 for d in top), (text, top, grades[text])
        return top

    # Was 1 hit, two of three clearly relevant evaluations missing.
    best("reintegrating women returning from Syria", 5)
    # Was 0 hits: every word had to match, and "how" is in no entry.
    best("how to help people leave extremist groups", 3)
    # Filler words ranked "What worked and what did not: …" first.
    question = "what has been tried for reintegrating returnee women in Eastern Africa"
    best(question, 1)
    assert not {"w01", "w02", "w04"} & set(rank(question)), rank(question)
    # A French question finds French entries and English ones tagged alike.
    french = best("réinsertion des femmes rapatriées", 5)
    assert {"en", "fr"} == {p.language for p in load() if p.id in french}

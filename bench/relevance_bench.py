"""Relevance on the judged set (tests/relevance): nDCG@10, MRR, "≥ 1 relevant in
the top 3", recall@10 and zero-hit queries, per query type and engine, next to a
plain BM25 OR-query baseline computed in the same run on the same corpus.

    .venv/bin/python bench/relevance_bench.py             # embedded engine
    MEILI_URL=http://127.0.0.1:7700 MEILI_MASTER_KEY=… .venv/bin/python bench/relevance_bench.py
    .venv/bin/python bench/relevance_bench.py --worst 10  # also the weakest queries

With `--before DIR` (a checkout of an earlier revision, e.g. a `git worktree`
of main), the embedded engine of that checkout runs the same queries on the
same corpus in a subprocess: the "before" row. Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.vocabularies.registry import shipped_registry
from indexer.backends.base import SearchBackend
from indexer.backends.embedded import EmbeddedBackend
from tests.relevance.corpus import load
from tests.relevance.evaluate import (
    Baseline,
    Scores,
    engine_ranker,
    evaluate,
    load_backend,
    ndcg_at_k,
)
from tests.relevance.judgments import QUERY_TYPES


def row(label: str, kind: str, s: Scores) -> str:
    return (
        f"| {label:<22} | {kind:<8} | {s.queries:>3} | {s.ndcg:.3f} | {s.mrr:.3f} |"
        f" {s.top3:.3f} | {s.recall:.3f} | {s.zero_hits:>4} |"
    )


def table(results: dict[str, dict[str, Any]]) -> None:
    print(
        "| ranking                | type     |   n | nDCG@10 |  MRR  | top-3 | recall@10 | zero |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind in (*QUERY_TYPES, "overall"):
        for label, result in results.items():
            s = result["overall"] if kind == "overall" else result["types"][kind]
            print(row(label, kind, s))


# Runs inside the earlier checkout: its own document builder and engine.
_BEFORE = """
import json, sys, tempfile
from datetime import UTC, datetime
from pathlib import Path
from api.vocabularies.registry import shipped_registry
from indexer.backends.base import SearchQuery
from indexer.backends.embedded import EmbeddedBackend
from indexer.documents import EntrySource, build_document
data = json.load(sys.stdin)
registry = shipped_registry()
docs = []
for n, p in enumerate(data["programs"]):
    source = EntrySource(
        id=p["id"], status="published", visibility="public", organization_id=1,
        organization_slug="relevance-corpus", organization_name="Relevance corpus",
        partner_ids=(), kind="evaluation", title=p["title"], summary=p["summary"],
        body=p["body"], language=p["language"], program_types=tuple(p["program_types"]),
        regions=tuple(p["regions"]), settings=tuple(p["settings"]),
        target_populations=tuple(p["target_populations"]), evaluation_design=None,
        evidence_level=None, attachment_texts=(),
        published_at=datetime(2015 + n % 10, 1 + n % 12, 1, tzinfo=UTC),
    )
    docs.append(build_document(source, registry))
with tempfile.TemporaryDirectory() as tmp:
    backend = EmbeddedBackend(Path(tmp) / "search")
    backend.ensure_ready()
    backend.upsert(docs)
    out = {}
    for text in data["queries"]:
        result = backend.search(SearchQuery(readers=["public"], text=text, limit=10))
        out[text] = [hit.id for hit in result.hits]
json.dump(out, sys.stdout)
"""


def before(checkout: Path) -> dict[str, Any]:
    from tests.relevance.judgments import QUERIES

    payload = {
        "programs": [dataclasses.asdict(p) for p in load()],
        "queries": [q.text for q in QUERIES],
    }
    python = checkout / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", _BEFORE],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        check=True,
    )
    rankings: dict[str, list[str]] = json.loads(done.stdout)
    return evaluate(lambda text: rankings[text])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worst", type=int, default=0, help="list the N weakest queries")
    parser.add_argument("--before", type=Path, help="checkout of an earlier revision")
    args = parser.parse_args()

    results: dict[str, dict[str, Any]] = {}
    baseline = Baseline(load(), shipped_registry())
    results["BM25 OR baseline"] = evaluate(baseline)
    baseline.close()
    if args.before:
        results["embedded, before"] = before(args.before)

    backends: list[tuple[str, SearchBackend]] = []
    tmp = tempfile.TemporaryDirectory()
    embedded = EmbeddedBackend(Path(tmp.name) / "search")
    embedded.ensure_ready()
    backends.append(("embedded (tantivy)", embedded))
    if os.environ.get("MEILI_URL"):
        from indexer.backends.meilisearch import MeilisearchBackend

        meili = MeilisearchBackend(
            os.environ["MEILI_URL"],
            api_key=os.environ.get("MEILI_MASTER_KEY"),
            index_uid=f"relevance_{uuid.uuid4().hex[:8]}",
        )
        meili.ensure_ready()
        backends.append(("meilisearch", meili))
    try:
        for label, backend in backends:
            load_backend(backend)
            results[label] = evaluate(engine_ranker(backend))
    finally:
        for _label, backend in backends:
            drop = getattr(backend, "drop", None)
            if callable(drop):
                drop()
            backend.close()
        tmp.cleanup()

    queries = results["BM25 OR baseline"]["overall"].queries
    print(f"corpus: {len(load())} entries; judged queries: {queries}")
    table(results)
    if args.worst:
        for label, result in results.items():
            if label in ("BM25 OR baseline", "embedded, before"):
                continue
            runs = sorted(result["runs"], key=lambda r: ndcg_at_k(r[1], r[2]))
            print(f"\nweakest queries, {label}:")
            for query, ranked, grades in runs[: args.worst]:
                ndcg = ndcg_at_k(ranked, grades)
                print(f"  {ndcg:.2f}  [{query.kind}] {query.text!r} → {ranked[:5]}")


if __name__ == "__main__":
    main()

"""Search backend fixtures: every backend under test, and a document factory.

`backend` runs each test once per engine: the embedded tantivy backend (always,
in the test's temp dir) and Meilisearch when MEILI_URL names a server (a fresh
`test_<random>` index per test, dropped afterwards)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer.backends.base import SearchBackend, SearchDocument
from indexer.backends.embedded import EmbeddedBackend

_ids = itertools.count(1)


def make_doc(**overrides: Any) -> SearchDocument:
    """A valid public document; ids are Meilisearch-safe (`[A-Za-z0-9_-]`)."""
    n = next(_ids)
    doc: dict[str, Any] = {
        "id": f"doc-{n}",
        "title": f"Evaluation number {n}",
        "summary": "A short summary of the evaluation.",
        "findings": "",
        "lessons": "",
        "recommendations": "",
        "body": "The body text of the evaluation report.",
        "attachment_text": "",
        "organization_name": "Example Organisation",
        "region": ["150", "155"],
        "country": ["DE"],
        "program_type": ["reintegration"],
        "kind": ["evaluation"],
        "target_population": ["adults"],
        "setting": ["community"],
        "evaluation_design": ["qualitative"],
        "evidence_level": ["emerging"],
        "language": ["en"],
        "organization": ["example-org"],
        "impediment_type": [],
        "policy_status": [],
        "policy_level": [],
        "jurisdiction": [],
        "display_regions": ["155"],
        "year": 2023,
        "published_at": 1_700_000_000,
        "published_date": "2023-11-14",
        "readers": ["public"],
        "origin_node": "",
        "origin_id": "",
        "fingerprint": f"fp-{n}",
        "vocabulary_text": "",
    }
    unknown = set(overrides) - set(doc)
    if unknown:
        raise TypeError(f"unknown SearchDocument fields: {sorted(unknown)}")
    doc.update(overrides)
    return doc  # type: ignore[return-value]


def _params() -> list[Any]:
    return [
        "embedded",
        pytest.param(
            "meilisearch",
            marks=pytest.mark.skipif(not os.environ.get("MEILI_URL"), reason="MEILI_URL not set"),
        ),
    ]


@pytest.fixture(params=_params())
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        embedded = EmbeddedBackend(tmp_path / "search")
        embedded.ensure_ready()
        yield embedded
        embedded.close()
        return
    from indexer.backends.meilisearch import MeilisearchBackend  # written alongside

    meili: Any = MeilisearchBackend(
        url=os.environ["MEILI_URL"],
        api_key=os.environ.get("MEILI_MASTER_KEY"),
        index_uid=f"test_{uuid.uuid4().hex[:12]}",
    )
    meili.ensure_ready()
    try:
        yield meili
    finally:
        drop = getattr(meili, "drop", None)
        if callable(drop):
            drop()
        meili.close()

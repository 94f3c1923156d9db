"""HTTP-contract tests of `MeilisearchBackend` against the scripted fake on loopback.

What is asserted: the exact requests the backend sends (paths, query strings,
bodies, auth header, task polling) and how it maps the engine's answers and
failures. What is not: Meilisearch's behaviour itself — that is the shared suite's
job (tests/search/test_backend_suite.py with MEILI_URL set). The filter escaper is
checked with a port of Meilisearch's quoted-value grammar
(crates/filter-parser/src/value.rs: `quoted_by` then the `unescaper` crate)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.backends import meilisearch as meili_module
from indexer.backends.base import FACETS, BackendError, Match, SearchDocument, SearchQuery
from indexer.backends.highlight import POST_SENTINEL, PRE_SENTINEL
from indexer.backends.language import STOP_WORDS, Concept, Thesaurus
from indexer.backends.meilisearch import (
    MeilisearchBackend,
    MeilisearchError,
    build_filter,
    in_clause,
    normalize_text,
    page_window,
    quote_filter_value,
)
from tests.search.fake_meili import FakeMeili, Reply, TaskScript, meili_error

UID = "entries"
KEY = "test-master-key-0123456789"

# What Meilisearch v1.28 returns for GET /indexes/{uid}/settings on a fresh index.
DEFAULT_SETTINGS: dict[str, Any] = {
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
    },
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "searchCutoffMs": None,
}

# The settings contract, written out rather than imported so a change is deliberate.
EXPECTED_SETTINGS: dict[str, Any] = {
    "searchableAttributes": [
        "title",
        "summary",
        "vocabulary_text",
        "findings",
        "lessons",
        "recommendations",
        "body",
        "attachment_text",
        "organization_name",
    ],
    "filterableAttributes": [
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
        "impediment_type",
        "policy_status",
        "policy_level",
        "jurisdiction",
        "readers",
        "year",
    ],
    "sortableAttributes": ["published_at", "year"],
    "displayedAttributes": [
        "id",
        "title",
        "summary",
        "organization",
        "organization_name",
        "display_regions",
        "program_type",
        "kind",
        "published_date",
        "target_population",
        "setting",
        "origin_node",
        "origin_id",
        "fingerprint",
    ],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
    "faceting": {"maxValuesPerFacet": 500, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": 1_000_000},
    "separatorTokens": [],
    "nonSeparatorTokens": [],
    "stopWords": sorted(STOP_WORDS),
}

HOSTILE = [
    'a" OR readers = "public',
    "back\\slash",
    "trailing\\",
    '\\"',
    "]",
    '"] OR readers IN ["public',
    "Côte d\u2019Ivoire — 東京 🦀",
    "\\n\\u0041",
    "x" * 10_000,
]


# -- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FakeMeili]:
    fake = FakeMeili().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server: FakeMeili) -> FakeMeili:
    server.reset()
    return server


@pytest.fixture
def backend(fake: FakeMeili) -> Iterator[MeilisearchBackend]:
    b = MeilisearchBackend(
        fake.url, api_key=KEY, index_uid=UID, timeout_seconds=2.0, task_timeout_seconds=5.0
    )
    yield b
    b.close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def make_doc(doc_id: str, **overrides: Any) -> SearchDocument:
    doc: dict[str, Any] = {
        "id": doc_id,
        "title": f"Title {doc_id}",
        "summary": "A summary",
        "findings": "",
        "lessons": "",
        "recommendations": "",
        "body": "Body text",
        "attachment_text": "",
        "organization_name": "Org",
        "region": ["002", "014", "KE"],
        "country": ["KE"],
        "program_type": ["mentoring"],
        "kind": ["evaluation"],
        "target_population": [],
        "setting": [],
        "evaluation_design": [],
        "evidence_level": [],
        "language": ["en"],
        "organization": ["org-1"],
        "impediment_type": [],
        "policy_status": [],
        "policy_level": [],
        "jurisdiction": [],
        "display_regions": ["KE"],
        "year": 2021,
        "published_at": 1_600_000_000,
        "published_date": "2020-09-13",
        "readers": ["public", "org:1"],
        "origin_node": "",
        "origin_id": "",
        "fingerprint": f"fp-{doc_id}",
    }
    doc.update(overrides)
    return doc  # type: ignore[return-value]


def task_polls(fake: FakeMeili, uid: int) -> int:
    return len(fake.calls("GET", f"/tasks/{uid}"))


# -- ensure_ready -------------------------------------------------------------


def test_ensure_ready_creates_index_and_applies_settings(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.on("GET", f"/indexes/{UID}/settings", Reply(json=DEFAULT_SETTINGS))

    backend.ensure_ready()

    assert fake.sequence() == [
        ("POST", "/indexes"),
        ("GET", f"/indexes/{UID}/settings"),
        ("PATCH", f"/indexes/{UID}/settings"),
    ]
    assert fake.calls("POST", "/indexes")[0].json == {"uid": UID, "primaryKey": "id"}
    assert fake.calls("PATCH")[0].json == EXPECTED_SETTINGS
    assert fake.calls("PATCH")[0].headers["content-type"] == "application/json"
    # Both tasks (create 0, settings 1) were polled until they succeeded.
    assert task_polls(fake, 0) == 3
    assert task_polls(fake, 1) == 3
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in fake.requests)


def test_ensure_ready_accepts_existing_index_and_skips_unchanged_settings(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.next_tasks(TaskScript(("failed",), error=meili_error("index_already_exists")))
    current = dict(DEFAULT_SETTINGS)
    # As returned by the engine: unordered lists sorted, nested objects complete.
    current.update(
        {
            **EXPECTED_SETTINGS,
            "filterableAttributes": sorted(EXPECTED_SETTINGS["filterableAttributes"]),
            "displayedAttributes": sorted(EXPECTED_SETTINGS["displayedAttributes"]),
            "typoTolerance": DEFAULT_SETTINGS["typoTolerance"],
        }
    )
    fake.on("GET", f"/indexes/{UID}/settings", Reply(json=current))

    backend.ensure_ready()

    assert fake.sequence() == [("POST", "/indexes"), ("GET", f"/indexes/{UID}/settings")]


def test_ensure_ready_patches_when_one_setting_differs(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    current = {**DEFAULT_SETTINGS, **EXPECTED_SETTINGS, "pagination": {"maxTotalHits": 1000}}
    fake.on("GET", f"/indexes/{UID}/settings", Reply(json=current))
    backend.ensure_ready()
    assert fake.calls("PATCH", f"/indexes/{UID}/settings")[0].json == EXPECTED_SETTINGS


def test_ensure_ready_raises_on_other_creation_failure(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.next_tasks(TaskScript(("failed",), error=meili_error("invalid_index_uid")))
    with pytest.raises(MeilisearchError) as info:
        backend.ensure_ready()
    assert info.value.code == "invalid_index_uid"


def test_no_key_sends_no_secret(fake: FakeMeili) -> None:
    b = MeilisearchBackend(fake.url, api_key=None, index_uid=UID)
    try:
        assert b.health()["status"] == "unavailable"  # stats unscripted → 501
    finally:
        b.close()
    assert fake.requests
    # The official client always sends the header; a Meilisearch started without a
    # master key does not check it, so no secret (there is none) leaves the process.
    assert {r.headers.get("authorization") for r in fake.requests} == {"Bearer None"}


# -- writes and tasks ---------------------------------------------------------


def test_upsert_posts_documents_and_waits_for_the_task(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    docs = [make_doc("e-1"), make_doc("e-2", title=f"Evil {PRE_SENTINEL}x{POST_SENTINEL}")]

    backend.upsert(docs)

    (post,) = fake.calls("POST", f"/indexes/{UID}/documents")
    assert post.query == {"primaryKey": "id"}
    assert post.headers["content-type"] == "application/json"
    assert post.json[0] == docs[0]
    assert post.json[1]["title"] == "Evil x"  # sentinels never reach the index
    assert fake.sequence(polls=True) == [
        ("POST", f"/indexes/{UID}/documents"),
        ("GET", "/tasks/0"),
        ("GET", "/tasks/0"),
        ("GET", "/tasks/0"),
    ]


def test_upsert_nothing_sends_nothing(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    backend.upsert([])
    backend.delete([])
    assert fake.requests == []


def test_upsert_batches_and_awaits_each_batch(
    fake: FakeMeili, backend: MeilisearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meili_module, "BATCH_DOCUMENTS", 2)
    fake.next_tasks(TaskScript(("succeeded",)), TaskScript(("succeeded",)))
    backend.upsert([make_doc("a"), make_doc("b"), make_doc("c"), make_doc("a", title="new")])

    assert fake.sequence(polls=True) == [
        ("POST", f"/indexes/{UID}/documents"),
        ("GET", "/tasks/0"),
        ("POST", f"/indexes/{UID}/documents"),
        ("GET", "/tasks/1"),
    ]
    first, second = fake.calls("POST", f"/indexes/{UID}/documents")
    assert [d["id"] for d in first.json] == ["a", "b"]
    assert [d["id"] for d in second.json] == ["c"]
    assert first.json[0]["title"] == "new"  # the last version of a duplicate id wins


def test_upsert_raises_when_fewer_documents_were_indexed(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.next_tasks(
        TaskScript(("succeeded",), details={"receivedDocuments": 2, "indexedDocuments": 1})
    )
    with pytest.raises(MeilisearchError) as info:
        backend.upsert([make_doc("a"), make_doc("b")])
    assert info.value.code == "documents_not_indexed"


def test_delete_posts_delete_batch(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    backend.delete(["e-1", "e-2", "e-1"])
    (call,) = fake.calls("POST", f"/indexes/{UID}/documents/delete-batch")
    assert call.json == ["e-1", "e-2"]
    assert task_polls(fake, 0) == 3


def test_failed_task_raises_with_its_code(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    error = meili_error("invalid_document_id", "Document identifier `a:b` is invalid.")
    fake.next_tasks(TaskScript(("enqueued", "processing", "failed"), error=error))
    with pytest.raises(BackendError) as info:
        backend.upsert([make_doc("a:b")])
    assert isinstance(info.value, MeilisearchError)
    assert info.value.code == "invalid_document_id"
    assert "invalid_document_id" in str(info.value)


def test_canceled_task_raises(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    fake.next_tasks(TaskScript(("enqueued", "canceled")))
    with pytest.raises(MeilisearchError) as info:
        backend.delete(["e-1"])
    assert info.value.code == "task_canceled"


def test_task_that_never_finishes_times_out(fake: FakeMeili) -> None:
    fake.next_tasks(TaskScript(("enqueued", "processing")))
    b = MeilisearchBackend(fake.url, api_key=KEY, index_uid=UID, task_timeout_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(MeilisearchError) as info:
        b.delete(["e-1"])
    b.close()
    assert info.value.code == "task_timeout"
    assert time.monotonic() - started < 2.0


def test_missing_task_raises(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    fake.on(
        "POST",
        f"/indexes/{UID}/documents/delete-batch",
        Reply(
            202,
            {
                "taskUid": 12345,
                "indexUid": UID,
                "status": "enqueued",
                "type": "documentDeletion",
                "enqueuedAt": "2026-01-01T00:00:00.000000Z",
            },
        ),
    )
    with pytest.raises(MeilisearchError) as info:
        backend.delete(["e-1"])
    assert info.value.code == "task_not_found"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_raise(fake: FakeMeili, backend: MeilisearchBackend, status: int) -> None:
    fake.on("POST", f"/indexes/{UID}/documents", Reply(status, body=b"<html>bad gateway</html>"))
    fake.on("POST", "/multi-search", Reply(status, meili_error("internal", type_="internal")))
    with pytest.raises(BackendError) as write_error:
        backend.upsert([make_doc("a")])
    assert isinstance(write_error.value, MeilisearchError)
    assert write_error.value.code == f"http_{status}"
    assert write_error.value.status == status
    with pytest.raises(MeilisearchError) as search_error:
        backend.search(SearchQuery(readers=["public"]))
    assert search_error.value.code == "internal"


def test_client_error_carries_the_meilisearch_code(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.on("POST", "/multi-search", Reply(400, meili_error("invalid_search_filter", "bad")))
    with pytest.raises(MeilisearchError) as info:
        backend.search(SearchQuery(readers=["public"], text="x"))
    assert (info.value.code, info.value.status) == ("invalid_search_filter", 400)


def test_slow_response_times_out(fake: FakeMeili) -> None:
    fake.on("POST", "/multi-search", Reply(json={"results": []}, delay=1.5))
    b = MeilisearchBackend(fake.url, api_key=KEY, index_uid=UID, timeout_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(BackendError) as info:
        b.search(SearchQuery(readers=["public"]))
    b.close()
    assert isinstance(info.value, MeilisearchError)
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 1.2


def test_connection_refused_raises() -> None:
    b = MeilisearchBackend(closed_port_url(), api_key=KEY, timeout_seconds=1.0)
    try:
        for call in (
            b.ensure_ready,
            lambda: b.upsert([make_doc("a")]),
            lambda: b.delete(["a"]),
            lambda: b.search(SearchQuery(readers=["public"])),
            b.fingerprints,
        ):
            with pytest.raises(MeilisearchError) as info:
                call()
            assert info.value.code == "unreachable"
    finally:
        b.close()


def test_non_json_success_raises(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    fake.on("POST", "/multi-search", Reply(200, body=b"not json"))
    with pytest.raises(MeilisearchError) as info:
        backend.search(SearchQuery(readers=["public"]))
    assert info.value.code == "bad_response"


# -- search: the request ------------------------------------------------------


def empty_result(**extra: Any) -> dict[str, Any]:
    return {"hits": [], "totalHits": 0, "facetDistribution": {}, **extra}


def script_search(fake: FakeMeili, *results: dict[str, Any]) -> None:
    fake.on("POST", "/multi-search", Reply(json={"results": list(results)}))


def sent_queries(fake: FakeMeili) -> list[dict[str, Any]]:
    (call,) = fake.calls("POST", "/multi-search")
    assert call.headers["authorization"] == f"Bearer {KEY}"
    # No federation (the official client sends it as null): one result per query.
    assert set(call.json) <= {"queries", "federation"}
    assert call.json.get("federation") is None
    queries: list[dict[str, Any]] = call.json["queries"]
    return queries


def test_search_without_selected_facets_sends_one_query(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    script_search(fake, empty_result())
    backend.search(SearchQuery(readers=["public", "org:7"], text="  mentoring  youth "))

    assert sent_queries(fake) == [
        {
            "indexUid": UID,
            "q": "mentoring youth",
            "filter": ['readers IN ["public", "org:7"]'],
            "page": 1,
            "hitsPerPage": 20,
            "attributesToRetrieve": [
                "id",
                "title",
                "summary",
                "organization",
                "organization_name",
                "display_regions",
                "program_type",
                "kind",
                "published_date",
                "target_population",
                "setting",
                "origin_node",
                "origin_id",
            ],
            "attributesToHighlight": ["title", "summary"],
            "highlightPreTag": PRE_SENTINEL,
            "highlightPostTag": POST_SENTINEL,
            "matchingStrategy": "frequency",
            "facets": list(FACETS),
        }
    ]


def test_search_adds_one_disjunctive_query_per_selected_facet(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    script_search(fake, empty_result(), empty_result(), empty_result())
    query = SearchQuery(
        readers=["network"],
        text="exit",
        filters={"region": ["014", "KE"], "kind": ["evaluation"], "language": []},
        year_from=2019,
        year_to=2022,
        sort="newest",
        offset=40,
        limit=20,
    )
    backend.search(query)

    main, region, kind = sent_queries(fake)
    assert main["filter"] == [
        'readers IN ["network"]',
        'region IN ["014", "KE"]',
        'kind IN ["evaluation"]',
        "year >= 2019 AND year <= 2022",
    ]
    assert (main["page"], main["hitsPerPage"]) == (3, 20)
    assert main["sort"] == ["published_at:desc"]
    assert main["facets"] == [f for f in FACETS if f not in ("region", "kind")]
    assert region == {
        "indexUid": UID,
        "q": "exit",
        "filter": [
            'readers IN ["network"]',
            'kind IN ["evaluation"]',
            "year >= 2019 AND year <= 2022",
        ],
        "facets": ["region"],
        "page": 1,
        "hitsPerPage": 0,
        "matchingStrategy": "frequency",
    }
    assert kind["filter"] == [
        'readers IN ["network"]',
        'region IN ["014", "KE"]',
        "year >= 2019 AND year <= 2022",
    ]
    assert kind["facets"] == ["kind"]


def test_search_requests_only_the_asked_facets(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    script_search(fake, empty_result())
    backend.search(
        SearchQuery(readers=["public"], filters={"region": ["014"]}, facets=["country", "readers"])
    )
    (main,) = sent_queries(fake)  # region selected but not asked for: no sub-query
    assert main["facets"] == ["country"]  # `readers` is never a facet
    assert main["filter"] == ['readers IN ["public"]', 'region IN ["014"]']


def test_search_without_facets_omits_the_parameter(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    script_search(fake, empty_result())
    result = backend.search(SearchQuery(readers=["public"], text="a", facets=[]))
    (main,) = sent_queries(fake)
    assert "facets" not in main
    assert "sort" not in main  # relevance with text: ranking rules decide
    assert result.facets == {}


def test_search_escapes_hostile_values(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    script_search(fake, empty_result(), empty_result())
    backend.search(
        SearchQuery(readers=['pub"lic', "org:1\\"], filters={"country": HOSTILE}, year_from=2020)
    )
    main, country = sent_queries(fake)
    expected_country = (
        "country IN ["
        r'"a\" OR readers = \"public", '
        r'"back\\slash", '
        r'"trailing\\", '
        r'"\\\"", '
        r'"]", '
        r'"\"] OR readers IN [\"public", '
        '"Côte d\u2019Ivoire — 東京 🦀", '
        r'"\\n\\u0041", '
        f'"{"x" * 10_000}"'
        "]"
    )
    assert main["filter"] == [
        r'readers IN ["pub\"lic", "org:1\\"]',
        expected_country,
        "year >= 2020",
    ]
    assert country["filter"] == [r'readers IN ["pub\"lic", "org:1\\"]', "year >= 2020"]
    for clause in main["filter"][:2]:
        attribute, values = parse_in_clause(clause)
        assert values == (HOSTILE if attribute == "country" else ['pub"lic', "org:1\\"])


def test_search_text_is_cleaned_and_capped(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    script_search(fake, empty_result())
    words = " ".join(f"w{i}" for i in range(30))
    backend.search(SearchQuery(readers=["public"], text=f"nul\x00byte {PRE_SENTINEL}{words}"))
    (main,) = sent_queries(fake)
    assert main["q"] == "nul byte w0 w1 w2 w3 w4 w5 w6 w7"
    assert normalize_text("é" * 5000) == "é" * 512  # 1 kB, cut on a character boundary
    assert normalize_text("\u2028 \t\n") == ""


def test_empty_text_sorts_by_newest(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    script_search(fake, empty_result())
    backend.search(SearchQuery(readers=["public"], text="\x00 "))
    (main,) = sent_queries(fake)
    assert main["q"] == ""
    assert main["sort"] == ["published_at:desc"]


@pytest.mark.parametrize(
    ("offset", "limit", "expected"),
    [
        (0, 20, (1, 20, 0)),
        (40, 20, (3, 20, 0)),
        (0, 0, (1, 0, 0)),
        (5, 10, (1, 15, 5)),
        (25, 10, (3, 12, 1)),
    ],
)
def test_page_window(offset: int, limit: int, expected: tuple[int, int, int]) -> None:
    assert page_window(offset, limit) == expected


@given(st.integers(0, 3000), st.integers(1, 200))
def test_page_window_covers_the_requested_slice(offset: int, limit: int) -> None:
    page, size, skip = page_window(offset, limit)
    start = (page - 1) * size
    assert size >= limit
    assert start + skip == offset
    assert skip + limit <= size


def test_search_general_offset_slices_the_page(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    hits = [{"id": f"e-{i}", "title": "t", "summary": "s"} for i in range(15)]
    script_search(fake, {"hits": hits, "totalHits": 40, "facetDistribution": {}})
    result = backend.search(SearchQuery(readers=["public"], offset=5, limit=10, facets=[]))
    (main,) = sent_queries(fake)
    assert (main["page"], main["hitsPerPage"]) == (1, 15)
    assert [h.id for h in result.hits] == [f"e-{i}" for i in range(5, 15)]
    assert result.total == 40


# -- search: the response -----------------------------------------------------


def test_search_maps_hits_totals_facets_and_highlights(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    hit = {
        "id": "e-1",
        "title": "<script>alert(1)</script> exit work",
        "summary": "Mentoring & exit",
        "organization": ["org-1"],
        "organization_name": "Org",
        "display_regions": ["KE"],
        "program_type": ["mentoring"],
        "kind": ["evaluation"],
        "published_date": "2021-03-01",
        "fingerprint": "fp",
        "_formatted": {
            "id": "e-1",
            "title": f"<script>alert(1)</script> {PRE_SENTINEL}exit{POST_SENTINEL} work",
            "summary": f"Mentoring & {PRE_SENTINEL}exit{POST_SENTINEL}",
        },
    }
    plain = {"id": "e-2", "title": "No <b>match</b>", "summary": None}
    script_search(
        fake,
        {
            "hits": [hit, plain],
            "totalHits": 42,
            "totalPages": 3,
            "facetDistribution": {"country": {"KE": 2, "UG": 0}, "kind": {"evaluation": 2}},
        },
        {"hits": [], "totalHits": 57, "facetDistribution": {"region": {"014": 40, "KE": 2}}},
    )
    result = backend.search(
        SearchQuery(
            readers=["public"],
            text="exit",
            filters={"region": ["KE"]},
            facets=["region", "country", "kind", "language"],
        )
    )
    assert result.total == 42
    assert [h.id for h in result.hits] == ["e-1", "e-2"]
    first = result.hits[0]
    assert first.document == {
        "id": "e-1",
        "title": "<script>alert(1)</script> exit work",
        "summary": "Mentoring & exit",
        "organization": ["org-1"],
        "organization_name": "Org",
        "display_regions": ["KE"],
        "program_type": ["mentoring"],
        "kind": ["evaluation"],
        "published_date": "2021-03-01",
        "target_population": None,
        "setting": None,
        "origin_node": None,  # a document indexed before origins were stored
        "origin_id": None,
    }
    assert first.highlights == {
        "title": "&lt;script&gt;alert(1)&lt;/script&gt; <mark>exit</mark> work",
        "summary": "Mentoring &amp; <mark>exit</mark>",
    }
    assert result.hits[1].highlights == {"title": "No &lt;b&gt;match&lt;/b&gt;", "summary": ""}
    assert result.facets == {
        "region": {"014": 40, "KE": 2},  # from the disjunctive sub-query
        "country": {"KE": 2},  # zero counts omitted
        "kind": {"evaluation": 2},
        "language": {},
    }


def test_search_rejects_a_response_of_the_wrong_shape(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    script_search(fake)  # no results for one query
    with pytest.raises(MeilisearchError) as info:
        backend.search(SearchQuery(readers=["public"]))
    assert info.value.code == "bad_response"


# -- the filter escaper, against a port of the engine's grammar ---------------


def _unescape(fragment: str) -> str:
    """`unescaper::unescape` for the escapes we may produce; anything else fails,
    so an escaper emitting `\\n` or `\\u…` would be caught."""
    out: list[str] = []
    i = 0
    while i < len(fragment):
        ch = fragment[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = fragment[i + 1 : i + 2]
        if nxt not in ("\\", '"'):
            raise ValueError(f"escape \\{nxt} at {i} would be interpreted by the engine")
        out.append(nxt)
        i += 2
    return "".join(out)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """Meilisearch's `quoted_by('"')` + unescape, from the opening quote at `start`;
    returns (value, index after the closing quote)."""
    assert text[start] == '"'
    i = start + 1
    escaped_quote = False
    while True:
        if i >= len(text):
            raise ValueError("missing closing quote")
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            if i + 1 >= len(text):
                raise ValueError("malformed value")
            escaped_quote |= text[i + 1] == '"'
            i += 2
            continue
        i += 1
    raw = text[start + 1 : i]
    if escaped_quote:
        raw = raw.replace('\\"', '"')  # Rust `str::replace`: left to right, non-overlapping
    return _unescape(raw), i + 1


def parse_in_clause(clause: str) -> tuple[str, list[str]]:
    """Parse `attr IN ["v", …]` exactly; fails on anything left over."""
    match = re.match(r"([a-z_]+) IN \[", clause)
    if match is None:
        raise ValueError(f"not an IN clause: {clause[:80]!r}")
    pos = match.end()
    values: list[str] = []
    while True:
        value, pos = _quoted(clause, pos)
        values.append(value)
        if clause.startswith(", ", pos):
            pos += 2
            continue
        if clause.startswith("]", pos):
            pos += 1
            break
        raise ValueError(f"unexpected text at {pos}: {clause[pos : pos + 20]!r}")
    if pos != len(clause):
        raise ValueError(f"trailing text: {clause[pos:]!r}")
    return match.group(1), values


hostile_text = st.text(alphabet=st.sampled_from("\\\"'[],()= ORANDINT\nu0{}"), max_size=30)
any_text = st.one_of(st.text(max_size=60), hostile_text)


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=6))
def test_quoted_values_parse_back_exactly(values: list[str]) -> None:
    attribute, parsed = parse_in_clause(in_clause("region", values))
    assert attribute == "region"
    assert parsed == values


@settings(max_examples=200, deadline=None)
@given(
    st.lists(any_text, min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(FACETS), st.lists(any_text, max_size=3), max_size=4),
)
def test_filter_array_keeps_every_value_in_its_clause(
    readers: list[str], filters: dict[str, list[str]]
) -> None:
    query = SearchQuery(readers=readers, filters=filters)
    clauses = build_filter(query)
    assert parse_in_clause(clauses[0]) == ("readers", readers)
    expected = [(f, filters[f]) for f in FACETS if filters.get(f)]
    assert [parse_in_clause(c) for c in clauses[1:]] == expected


def test_quote_filter_value_examples() -> None:
    assert quote_filter_value("014") == '"014"'
    assert quote_filter_value('a"b') == r'"a\"b"'
    assert quote_filter_value("a\\") == r'"a\\"'
    assert quote_filter_value("\ud800x") == '"?x"'  # lone surrogate, as stored
    with pytest.raises(ValueError, match="not a filterable attribute"):
        in_clause("title", ["x"])


# -- rebuild ------------------------------------------------------------------


def test_rebuild_builds_swaps_and_drops(
    fake: FakeMeili, backend: MeilisearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meili_module, "BATCH_DOCUMENTS", 2)
    fake.next_tasks(TaskScript(("failed",), error=meili_error("index_already_exists")))
    seen: list[int] = []

    loaded = backend.rebuild((make_doc(f"e-{i}") for i in range(5)), progress=seen.append)

    assert loaded == 5
    assert seen == [2, 4, 5]
    creates = fake.calls("POST", "/indexes")
    assert creates[0].json == {"uid": UID, "primaryKey": "id"}
    tmp = creates[1].json["uid"]
    assert re.fullmatch(rf"{UID}_rebuild_[0-9a-f]{{8}}", tmp)
    assert creates[1].json == {"uid": tmp, "primaryKey": "id"}
    assert fake.sequence() == [
        ("POST", "/indexes"),
        ("POST", "/indexes"),
        ("PATCH", f"/indexes/{tmp}/settings"),
        ("POST", f"/indexes/{tmp}/documents"),
        ("POST", f"/indexes/{tmp}/documents"),
        ("POST", f"/indexes/{tmp}/documents"),
        ("POST", "/swap-indexes"),
        ("DELETE", f"/indexes/{tmp}"),
    ]
    assert fake.calls("PATCH")[0].json == EXPECTED_SETTINGS
    batches = [c.json for c in fake.calls("POST", f"/indexes/{tmp}/documents")]
    assert [[d["id"] for d in b] for b in batches] == [["e-0", "e-1"], ["e-2", "e-3"], ["e-4"]]
    assert fake.calls("POST", "/swap-indexes")[0].json == [{"indexes": [UID, tmp]}]
    # Every write was awaited before the next request: each task polled to success.
    polled = {r.path for r in fake.requests if r.path.startswith("/tasks/")}
    assert polled == {f"/tasks/{i}" for i in range(8)}


def test_rebuild_failure_deletes_the_new_index_and_raises(
    fake: FakeMeili, backend: MeilisearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meili_module, "BATCH_DOCUMENTS", 2)
    error = meili_error("invalid_document_id", "bad id")
    fake.next_tasks(
        TaskScript(("succeeded",)),  # live index
        TaskScript(("succeeded",)),  # tmp index
        TaskScript(("succeeded",)),  # settings
        TaskScript(("succeeded",)),  # batch 1
        TaskScript(("processing", "failed"), error=error),  # batch 2
    )
    with pytest.raises(MeilisearchError) as info:
        backend.rebuild([make_doc(f"e-{i}") for i in range(4)])
    assert info.value.code == "invalid_document_id"
    tmp = fake.calls("POST", "/indexes")[1].json["uid"]
    assert fake.sequence()[-1] == ("DELETE", f"/indexes/{tmp}")
    assert fake.calls("POST", "/swap-indexes") == []
    assert fake.calls("DELETE", f"/indexes/{UID}") == []  # the live index is untouched


def test_rebuild_failed_swap_deletes_the_new_index(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.next_tasks(
        *[TaskScript(("succeeded",))] * 4,
        TaskScript(("failed",), error=meili_error("invalid_swap_indexes")),
    )
    with pytest.raises(MeilisearchError) as info:
        backend.rebuild([make_doc("e-1")])
    assert info.value.code == "invalid_swap_indexes"
    tmp = fake.calls("POST", "/indexes")[1].json["uid"]
    assert fake.sequence()[-2:] == [("POST", "/swap-indexes"), ("DELETE", f"/indexes/{tmp}")]


def test_drop_deletes_the_index_and_rebuild_leftovers(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    listing = {
        "results": [{"uid": UID}, {"uid": f"{UID}_rebuild_0a1b2c3d"}, {"uid": "other"}],
        "offset": 0,
        "limit": 100,
        "total": 3,
    }
    fake.on("GET", "/indexes", Reply(json=listing))
    fake.next_tasks(TaskScript(("failed",), error=meili_error("index_not_found")))
    backend.drop()
    assert fake.sequence() == [
        ("GET", "/indexes"),
        ("DELETE", f"/indexes/{UID}"),
        ("DELETE", f"/indexes/{UID}_rebuild_0a1b2c3d"),
    ]


# -- fingerprints and health --------------------------------------------------


def test_fingerprints_pages_through_documents(
    fake: FakeMeili, backend: MeilisearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meili_module, "FETCH_PAGE", 2)
    path = f"/indexes/{UID}/documents/fetch"
    fake.on(
        "POST",
        path,
        Reply(
            json={
                "results": [{"id": "a", "fingerprint": "1"}, {"id": "b", "fingerprint": "2"}],
                "offset": 0,
                "limit": 2,
                "total": 3,
            }
        ),
        Reply(
            json={"results": [{"id": "c", "fingerprint": "3"}], "offset": 2, "limit": 2, "total": 3}
        ),
    )
    assert backend.fingerprints() == {"a": "1", "b": "2", "c": "3"}
    bodies = [c.json for c in fake.calls("POST", path)]
    assert bodies == [
        {"fields": ["id", "fingerprint"], "offset": 0, "limit": 2},
        {"fields": ["id", "fingerprint"], "offset": 2, "limit": 2},
    ]


def test_fingerprints_of_a_missing_index_raise(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    fake.on("POST", f"/indexes/{UID}/documents/fetch", Reply(404, meili_error("index_not_found")))
    with pytest.raises(MeilisearchError) as info:
        backend.fingerprints()
    assert info.value.code == "index_not_found"


def test_health_ok(fake: FakeMeili, backend: MeilisearchBackend) -> None:
    stats = {"numberOfDocuments": 12, "isIndexing": False, "fieldDistribution": {}}
    fake.on("GET", f"/indexes/{UID}/stats", Reply(json=stats))
    assert backend.health() == {"status": "ok", "documents": 12, "indexing": False}
    assert fake.sequence() == [("GET", "/health"), ("GET", f"/indexes/{UID}/stats")]


@pytest.mark.parametrize(
    ("health", "stats", "error"),
    [
        (Reply(503, meili_error("internal", type_="internal")), None, "internal"),
        (Reply(json={"status": "starting"}), None, "engine_starting"),
        (None, Reply(404, meili_error("index_not_found")), "index_not_found"),
        (None, Reply(200, body=b"[]"), "bad_response"),
    ],
)
def test_health_unavailable(
    fake: FakeMeili,
    backend: MeilisearchBackend,
    health: Reply | None,
    stats: Reply | None,
    error: str,
) -> None:
    if health is not None:
        fake.on("GET", "/health", health)
    if stats is not None:
        fake.on("GET", f"/indexes/{UID}/stats", stats)
    assert backend.health() == {"status": "unavailable", "error": error}


def test_health_when_down_never_raises() -> None:
    b = MeilisearchBackend(closed_port_url(), api_key=KEY, timeout_seconds=0.5)
    try:
        assert b.health() == {"status": "unavailable", "error": "unreachable"}
    finally:
        b.close()


def test_health_timeout(fake: FakeMeili) -> None:
    fake.on("GET", "/health", Reply(json={"status": "available"}, delay=1.0))
    b = MeilisearchBackend(fake.url, api_key=KEY, timeout_seconds=0.2)
    try:
        assert b.health() == {"status": "unavailable", "error": "timeout"}
    finally:
        b.close()


# -- relevance: synonyms from the vocabulary, explanations ----------------------


def test_apply_thesaurus_patches_synonyms_only_when_they_change(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    thesaurus = Thesaurus(
        [Concept("program_type", "ddr", "DDR", ("DDR", "disarmament", "désarmement"))]
    )
    synonyms = {
        "ddr": ["desarmement", "disarmament"],
        "desarmement": ["ddr", "disarmament"],
        "disarmament": ["ddr", "desarmement"],
    }
    current = {**DEFAULT_SETTINGS, **EXPECTED_SETTINGS}
    fake.on("GET", f"/indexes/{UID}/settings", Reply(json=current))

    backend.apply_thesaurus(thesaurus)

    [patch] = fake.calls("PATCH", f"/indexes/{UID}/settings")
    assert patch.json == {**EXPECTED_SETTINGS, "synonyms": synonyms}
    # Same vocabulary again: nothing sent (a settings change re-indexes everything).
    before = len(fake.requests)
    backend.apply_thesaurus(thesaurus)
    assert len(fake.requests) == before
    # Another process with the same vocabulary: the engine already has it.
    fake.reset()
    fake.on("GET", f"/indexes/{UID}/settings", Reply(json={**current, "synonyms": synonyms}))
    other = MeilisearchBackend(fake.url, api_key=KEY, index_uid=UID)
    other.apply_thesaurus(thesaurus)
    assert fake.sequence() == [("GET", f"/indexes/{UID}/settings")]
    other.close()


def test_explain_asks_for_match_positions_and_maps_them(
    fake: FakeMeili, backend: MeilisearchBackend
) -> None:
    thesaurus = Thesaurus([Concept("target_population", "women", "Women", ("Women", "femmes"))])
    hit = {
        "id": "e-1",
        "title": "Support after return",
        "summary": "Mentoring",
        "target_population": ["women"],
        "_formatted": {
            "title": "Support after return",
            "summary": f"{PRE_SENTINEL}Mentoring{POST_SENTINEL}",
            "vocabulary_text": f"{PRE_SENTINEL}Women{POST_SENTINEL}\nfemmes…",
            "body": "",
        },
        "_matchesPosition": {
            "summary": [{"start": 0, "length": 9}],
            "vocabulary_text": [{"start": 0, "length": 5}],
        },
    }
    script_search(fake, {"hits": [hit], "totalHits": 1, "totalPages": 1})

    result = backend.search(
        SearchQuery(
            readers=["public"],
            text="femmes mentoring",
            facets=[],
            thesaurus=thesaurus,
            explain=True,
        )
    )

    [main] = fake.calls("POST", "/multi-search")[0].json["queries"]
    assert main["showMatchesPosition"] is True
    assert main["attributesToCrop"] == [
        "vocabulary_text:12",
        "findings:12",
        "lessons:12",
        "recommendations:12",
        "body:12",
        "attachment_text:12",
        "organization_name:12",
    ]
    assert result.hits[0].matches == (
        Match("mentoring", "summary", "word"),
        Match("women", "vocabulary_text", "word"),
        Match("women", "target_population", "tag", "women"),
    )
    # Without explain nothing extra is asked for.
    script_search(fake, {"hits": [], "totalHits": 0, "totalPages": 0})
    backend.search(SearchQuery(readers=["public"], text="femmes", facets=[]))
    [plain] = fake.calls("POST", "/multi-search")[-1].json["queries"]
    assert "showMatchesPosition" not in plain
    assert "attributesToCrop" not in plain

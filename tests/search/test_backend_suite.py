"""The behavioural contract every search backend keeps (run once per engine).

Assertions are on sets and membership; order is asserted only where the
contract fixes it (newest sort, exact-before-typo, pagination without overlap)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.backends.base import (
    DISPLAY_FIELDS,
    FACETS,
    HIGHLIGHT_FIELDS,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    SearchResult,
)
from tests.search.conftest import make_doc

PUBLIC = ("public",)


def run(backend: SearchBackend, text: str = "", **kwargs: Any) -> SearchResult:
    kwargs.setdefault("readers", PUBLIC)
    return backend.search(SearchQuery(text=text, **kwargs))


def ids(result: SearchResult) -> set[str]:
    return {hit.id for hit in result.hits}


def ordered(result: SearchResult) -> list[str]:
    return [hit.id for hit in result.hits]


def only_marks(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


# ------------------------------------------------------------------ basics


def test_upsert_then_search_returns_display_fields_and_highlights(backend: SearchBackend) -> None:
    doc = make_doc(
        id="mombasa-1",
        title="Community reintegration in Mombasa",
        organization=["coast-org"],
        program_type=["reintegration", "mentoring"],
        display_regions=["254"],
        published_date="2021-03-04",
    )
    backend.upsert([doc, make_doc(title="Unrelated prison education")])

    result = run(backend, "mombasa")

    assert result.total == 1
    (hit,) = result.hits
    assert hit.id == "mombasa-1"
    assert set(DISPLAY_FIELDS) <= set(hit.document)
    assert hit.document["id"] == "mombasa-1"
    assert hit.document["title"] == "Community reintegration in Mombasa"
    assert hit.document["organization"] == ["coast-org"]
    assert sorted(hit.document["program_type"]) == ["mentoring", "reintegration"]
    assert hit.document["display_regions"] == ["254"]
    assert hit.document["published_date"] == "2021-03-04"
    assert set(hit.highlights) == set(HIGHLIGHT_FIELDS)
    assert "<mark>Mombasa</mark>" in hit.highlights["title"]


def test_a_harvested_documents_origin_comes_back_with_its_hit(backend: SearchBackend) -> None:
    """The API marks a harvested hit with its origin from the hit alone."""
    backend.upsert([
        make_doc(id="harvested-1", title="Mentoring returnees", origin_node="https://a.example",
                 origin_id="ent_origin1"),
        make_doc(id="local-1", title="Mentoring returnees at home"),
    ])  # fmt: skip

    hits = {hit.id: hit.document for hit in run(backend, "mentoring").hits}

    assert (hits["harvested-1"]["origin_node"], hits["harvested-1"]["origin_id"]) == (
        "https://a.example",
        "ent_origin1",
    )
    assert (hits["local-1"]["origin_node"], hits["local-1"]["origin_id"]) == ("", "")


def test_delete_removes_and_ignores_missing_ids(backend: SearchBackend) -> None:
    keep, gone = make_doc(title="Mentoring alpha"), make_doc(title="Mentoring beta")
    backend.upsert([keep, gone])
    assert ids(run(backend, "mentoring")) == {keep["id"], gone["id"]}

    backend.delete([gone["id"], "never-indexed"])

    result = run(backend, "mentoring")
    assert ids(result) == {keep["id"]}
    assert result.total == 1


def test_reupsert_replaces_without_duplicates(backend: SearchBackend) -> None:
    backend.upsert([make_doc(id="same", title="Original wording", fingerprint="v1")])
    backend.upsert([make_doc(id="same", title="Revised wording", fingerprint="v2")])

    everything = run(backend)
    assert everything.total == 1
    assert ordered(everything) == ["same"]
    assert run(backend, "original").total == 0
    assert run(backend, "revised").hits[0].document["title"] == "Revised wording"
    assert backend.fingerprints() == {"same": "v2"}


def test_repeated_id_in_one_batch_keeps_the_last(backend: SearchBackend) -> None:
    backend.upsert(
        [
            make_doc(id="dup", title="First version", fingerprint="a"),
            make_doc(id="dup", title="Second version", fingerprint="b"),
        ]
    )
    assert run(backend).total == 1
    assert backend.fingerprints() == {"dup": "b"}


# ---------------------------------------------------------------- matching


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("rehabilitaton", "rehabilitation"),  # 14 chars: up to 2 typos
        ("reintegraton", "reintegration"),
        ("disengagment", "disengagement"),
        ("rehabilitatoin", "rehabilitation"),  # transposition counts as one typo
        ("mentorign", "mentoring"),
    ],
)
def test_typos_are_tolerated(backend: SearchBackend, typed: str, word: str) -> None:
    target = make_doc(body=f"An evaluation of {word} services for former fighters.")
    backend.upsert([target, make_doc(body="Vocational training in prisons.")])

    assert ids(run(backend, typed)) == {target["id"]}
    assert ids(run(backend, f"{typed} services")) == {target["id"]}


def test_short_words_allow_no_typo(backend: SearchBackend) -> None:
    backend.upsert([make_doc(body="Youth mentoring in the capital.")])
    assert run(backend, "youth mentoring").total == 1
    # 4 letters: exact only (and, typed to the end, no prefix either).
    assert run(backend, "yuth ").total == 0


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("disengag", "Disengagement from armed groups"),
        # Not a stem of the word either, so only prefix matching can find it.
        ("rehabil", "Rehabilitation in armed groups"),
    ],
)
def test_prefix_on_last_word(backend: SearchBackend, typed: str, title: str) -> None:
    target = make_doc(title=title)
    backend.upsert([target, make_doc(title="Prison education")])

    result = run(backend, typed)

    assert ids(result) == {target["id"]}
    assert f"<mark>{typed.capitalize()}" in result.hits[0].highlights["title"]
    assert ids(run(backend, f"armed {typed}")) == {target["id"]}


@pytest.mark.parametrize("exact_first", [True, False])
def test_exact_match_ranks_above_typo_match(backend: SearchBackend, exact_first: bool) -> None:
    # Both insertion orders, so a tie broken by insertion order cannot pass.
    typo = make_doc(id="typo", title="Community reintegraton support", body="")
    exact = make_doc(id="exact", title="Community reintegration support", body="")
    for doc in [exact, typo] if exact_first else [typo, exact]:
        backend.upsert([doc])

    result = run(backend, "reintegration")

    assert ordered(result) == ["exact", "typo"]


def test_entries_matching_more_words_rank_first(backend: SearchBackend) -> None:
    both = make_doc(body="Peer mentoring for returning youth.")
    first = make_doc(body="Peer mentoring for adults.")
    second = make_doc(body="Sports for returning youth.")
    backend.upsert([first, second, both])

    result = run(backend, "mentoring youth")

    assert ordered(result)[0] == both["id"]
    assert ids(run(backend, "mentoring")) == {both["id"], first["id"]}


def test_least_informative_words_are_dropped_first(backend: SearchBackend) -> None:
    # No entry has both words: the rare one decides, wherever it is in the query.
    common = [make_doc(body=f"Programme report {n}.") for n in range(6)]
    rare = make_doc(id="rare", body="Peer mentoring.")
    backend.upsert([*common, rare])

    for text in ("programme mentoring", "mentoring programme"):
        assert ordered(run(backend, text))[0] == "rare"


def test_stop_words_are_ignored(backend: SearchBackend) -> None:
    target = make_doc(id="target", title="Helping people leave extremist groups", body="")
    filler = make_doc(id="filler", title="How to write what has been done", body="")
    french = make_doc(id="fr", title="Comment et pourquoi les jeunes", body="", language=["fr"])
    backend.upsert([target, filler, french])

    result = run(backend, "how to help people leave extremist groups")

    assert ordered(result)[0] == "target"
    assert "filler" not in ids(result)
    assert "fr" not in ids(run(backend, "comment et pourquoi aider "))


@pytest.mark.parametrize(
    "field",
    [
        "title",
        "summary",
        "findings",
        "lessons",
        "recommendations",
        "body",
        "attachment_text",
        "organization_name",
    ],
)
def test_every_text_field_is_searched(backend: SearchBackend, field: str) -> None:
    target = make_doc(**{field: "Findings on xylophonist outreach"})
    backend.upsert([target, make_doc()])
    assert ids(run(backend, "xylophonist")) == {target["id"]}


def test_title_match_ranks_above_body_match(backend: SearchBackend) -> None:
    in_body = make_doc(id="in-body", title="Annual report", body="A note on resilience work.")
    in_title = make_doc(id="in-title", title="Resilience work", body="A note.")
    backend.upsert([in_body, in_title])
    assert ordered(run(backend, "resilience")) == ["in-title", "in-body"]


# --------------------------------------------------------------- highlights


def test_highlights_escape_stored_markup(backend: SearchBackend) -> None:
    doc = make_doc(
        title='Returnees <script>alert("x")</script> & families',
        summary="<b>Bold</b> claims about returnees",
    )
    backend.upsert([doc])

    (hit,) = run(backend, "returnees").hits

    title, summary = hit.highlights["title"], hit.highlights["summary"]
    assert "<mark>Returnees</mark>" in title
    assert "&lt;script&gt;" in title
    assert "&amp;" in title
    assert "<mark>returnees</mark>" in summary
    for html in (title, summary):
        assert "<" not in only_marks(html)


def test_highlights_mark_typo_matches_and_always_return_both_fields(
    backend: SearchBackend,
) -> None:
    backend.upsert([make_doc(title="Reintegration outcomes", summary="Nothing to see here.")])

    (hit,) = run(backend, "reintegraton").hits

    assert "<mark>Reintegration</mark>" in hit.highlights["title"]
    assert hit.highlights["summary"] == "Nothing to see here."


def test_empty_text_highlights_are_plain_escaped_text(backend: SearchBackend) -> None:
    backend.upsert([make_doc(title="A <i>title</i>", summary="x > y")])
    (hit,) = run(backend).hits
    assert hit.highlights == {"title": "A &lt;i&gt;title&lt;/i&gt;", "summary": "x &gt; y"}


# ------------------------------------------------------------- visibility


def test_readers_filter(backend: SearchBackend) -> None:
    private = make_doc(id="private", title="Internal disengagement review", readers=["org:7"])
    public = make_doc(id="public", title="Published disengagement review")
    backend.upsert([private, public])

    assert ids(run(backend, "disengagement")) == {"public"}
    assert ids(run(backend, "disengagement", readers=["public", "org:7"])) == {"public", "private"}
    assert ids(run(backend, "internal", readers=["org:8"])) == set()
    assert ids(run(backend, readers=["org:7"])) == {"private"}


def test_totals_and_facets_never_count_invisible_documents(backend: SearchBackend) -> None:
    backend.upsert(
        [
            make_doc(title="Mentoring", region=["002"], readers=["public"]),
            make_doc(title="Mentoring", region=["002"], readers=["org:1"]),
            make_doc(title="Mentoring", region=["019"], readers=["org:1"]),
        ]
    )
    for text in ("", "mentoring"):
        result = run(backend, text)
        assert result.total == 1
        assert result.facets["region"] == {"002": 1}
        assert all(set(counts.values()) == {1} for counts in result.facets.values() if counts)

    insider = run(backend, "mentoring", readers=["public", "org:1"])
    assert insider.total == 3
    assert insider.facets["region"] == {"002": 2, "019": 1}


# ---------------------------------------------------------- filters/facets


PARENT_REGION = {"014": "002", "015": "002", "155": "150", "154": "150", "005": "419"}


def facet_corpus() -> list[SearchDocument]:
    """Twelve documents spread over regions, types and languages, two of them private."""
    rows = [
        ("014", ["KE"], ["reintegration"], ["en"], 2016),
        ("014", ["KE", "SO"], ["reintegration", "mentoring"], ["en", "so"], 2018),
        ("014", ["UG"], ["mentoring"], ["en"], 2019),
        ("015", ["MA"], ["reintegration"], ["fr", "ar"], 2020),
        ("015", ["TN"], ["deradicalisation"], ["ar"], 2021),
        ("155", ["DE"], ["mentoring"], ["de"], 2017),
        ("155", ["DE", "AT"], ["exit-program"], ["de", "en"], 2022),
        ("154", ["SE"], ["exit-program"], ["sv"], 2015),
        ("154", ["NO"], ["exit-program", "mentoring"], ["en"], None),
        ("005", ["CO"], ["reintegration"], ["es"], 2019),
        ("014", ["KE"], ["mentoring"], ["en"], 2020),  # private
        ("015", ["MA"], ["exit-program"], ["fr"], 2021),  # private
    ]
    docs = []
    for i, (region, country, ptype, language, year) in enumerate(rows):
        # Every third is a policy framework with its structured fields.
        framework = i % 3 == 0
        policy = {
            "impediment_type": (["travel_ban", "licensing"] if i % 2 == 0 else ["aml_cft_rule"])
            if framework else [],
            "policy_status": (["in_force"] if i < 6 else ["repealed"]) if framework else [],
            "policy_level": (["regional"] if i == 9 else ["national"]) if framework else [],
            "jurisdiction": country[:1] if framework else [],
        }  # fmt: skip
        docs.append(
            make_doc(
                **policy,
                id=f"f{i:02d}",
                title=f"Programme review {i}",
                body="Evaluation of a community programme.",
                region=[region, PARENT_REGION[region]],
                country=country,
                program_type=ptype,
                language=language,
                year=year,
                published_at=1_600_000_000 + i * 86_400,
                readers=["org:3"] if i >= 10 else ["public"],
            )
        )
    return docs


@pytest.fixture
def corpus(backend: SearchBackend) -> list[SearchDocument]:
    docs = facet_corpus()
    backend.upsert(docs)
    return [d for d in docs if d["readers"] == ["public"]]


def matching(docs: Sequence[SearchDocument], **filters: Sequence[str]) -> set[str]:
    return {
        d["id"]
        for d in docs
        if all(set(d[f]) & set(values) for f, values in filters.items())  # type: ignore[literal-required]
    }


def test_facet_values_or_within_and_across(backend: SearchBackend, corpus: list[Any]) -> None:
    within = run(backend, filters={"country": ["KE", "MA"]})
    assert ids(within) == matching(corpus, country=["KE", "MA"]) == {"f00", "f01", "f03"}

    across = run(backend, filters={"country": ["KE", "MA"], "program_type": ["mentoring"]})
    assert ids(across) == {"f01"}
    assert across.total == 1

    with_text = run(backend, "programme", filters={"region": ["155"], "language": ["en"]})
    assert ids(with_text) == {"f06"}


def test_facet_counts_are_disjunctive(backend: SearchBackend, corpus: list[Any]) -> None:
    result = run(backend, filters={"region": ["014"]})

    assert result.total == 3
    # The selected facet still shows its siblings, counted without its own filter...
    assert result.facets["region"]["014"] == 3
    assert result.facets["region"]["015"] == 2
    assert result.facets["region"]["155"] == 2
    # ...while the other facets are narrowed by the selection.
    assert result.facets["country"] == {"KE": 2, "SO": 1, "UG": 1}
    assert result.facets["program_type"] == {"reintegration": 2, "mentoring": 2}

    two = run(backend, filters={"region": ["014"], "program_type": ["mentoring"]})
    assert two.total == 2
    assert two.facets["region"] == {"014": 2, "002": 2, "155": 1, "154": 1, "150": 2}
    assert sum(result.facets["region"].values()) == 2 * len(corpus)  # each doc: code + parent
    assert two.facets["program_type"] == {"reintegration": 2, "mentoring": 2}


def test_facet_count_equals_total_when_filtering_on_it(
    backend: SearchBackend, corpus: list[Any]
) -> None:
    unfiltered = run(backend, limit=50)
    assert unfiltered.total == len(corpus)
    checked = 0
    for facet in FACETS:
        counts = unfiltered.facets[facet]
        assert counts, facet
        for value, count in counts.items():
            assert count == len(matching(corpus, **{facet: [value]})), (facet, value)
            assert run(backend, filters={facet: [value]}, limit=1).total == count, (facet, value)
            checked += 1
    assert checked >= 30


def test_policy_filters_and_facets(backend: SearchBackend, corpus: list[Any]) -> None:
    """Policy frameworks' fields filter and count like the other facets."""
    travel = run(backend, filters={"impediment_type": ["travel_ban"]})
    assert ids(travel) == matching(corpus, impediment_type=["travel_ban"]) == {"f00", "f06"}
    repealed = run(backend, filters={"policy_status": ["repealed"], "policy_level": ["national"]})
    assert ids(repealed) == {"f06"}
    frameworks = run(backend, filters={"policy_status": ["in_force", "repealed"]})
    assert frameworks.facets["impediment_type"] == {"travel_ban": 2, "licensing": 2,
                                                    "aml_cft_rule": 2}  # fmt: skip
    assert frameworks.facets["policy_status"] == {"in_force": 2, "repealed": 2}
    assert frameworks.facets["policy_level"] == {"national": 3, "regional": 1}
    assert frameworks.facets["jurisdiction"] == {"KE": 1, "MA": 1, "DE": 1, "CO": 1}


def test_only_requested_facets_are_returned(backend: SearchBackend, corpus: list[Any]) -> None:
    result = run(backend, facets=["language"])
    assert set(result.facets) == {"language"}
    assert result.facets["language"]["en"] == 5
    assert run(backend, facets=[]).facets == {}


def test_year_range_is_inclusive_and_excludes_undated(
    backend: SearchBackend, corpus: list[Any]
) -> None:
    def years(**kwargs: Any) -> set[int | None]:
        found = ids(run(backend, limit=50, **kwargs))
        return {d["year"] for d in corpus if d["id"] in found}

    assert years(year_from=2018, year_to=2020) == {2018, 2019, 2020}
    assert years(year_from=2021) == {2021, 2022}
    assert years(year_to=2016) == {2015, 2016}
    assert years(year_from=2020, year_to=2019) == set()
    assert None in years()


# ------------------------------------------------------ sort and paging


def test_sort_newest(backend: SearchBackend, corpus: list[Any]) -> None:
    result = run(backend, "programme", sort="newest", limit=50)
    expected = sorted(corpus, key=lambda d: -d["published_at"])
    assert ordered(result) == [d["id"] for d in expected]


def test_empty_text_lists_all_visible_newest_first(
    backend: SearchBackend, corpus: list[Any]
) -> None:
    result = run(backend, limit=50)
    assert result.total == len(corpus) == 10
    assert ordered(result) == [d["id"] for d in sorted(corpus, key=lambda d: -d["published_at"])]


@pytest.mark.parametrize(("text", "sort"), [("", "newest"), ("renewal", "relevance")])
def test_pagination_is_exact_and_stable(backend: SearchBackend, text: str, sort: str) -> None:
    # Equal dates on purpose: ties must still page without overlap or gaps.
    docs = [
        make_doc(body="Community renewal work.", published_at=1_650_000_000 + (i % 3))
        for i in range(23)
    ]
    backend.upsert(docs)

    pages = [run(backend, text, sort=sort, offset=o, limit=10) for o in (0, 10, 20)]

    assert [p.total for p in pages] == [23, 23, 23]
    assert [len(p.hits) for p in pages] == [10, 10, 3]
    seen = [hit_id for page in pages for hit_id in ordered(page)]
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == {d["id"] for d in docs}
    # Asking again gives the same page.
    assert ordered(run(backend, text, sort=sort, offset=10, limit=10)) == ordered(pages[1])


def test_limit_zero_counts_without_hits(backend: SearchBackend, corpus: list[Any]) -> None:
    result = run(backend, limit=0)
    assert result.total == len(corpus)
    assert result.hits == []
    assert result.facets["region"]["014"] == 3
    beyond = run(backend, offset=1_000, limit=10)
    assert beyond.total == len(corpus)
    assert beyond.hits == []


# ---------------------------------------------------------------- hostile

HOSTILE = [
    '"rehabilitation',
    '"readers public"',
    "rehabilitation OR private",
    " OR ",
    "AND",
    "NOT rehabilitation",
    "rehabilitation AND NOT",
    "\\",
    "rehab\\ilitation\\",
    "((rehabilitation)",
    ")",
    "*",
    "rehab*",
    "readers:public",
    "readers:org\\:9",
    "title:x",
    "title:secret OR readers:*",
    "-readers:public",
    "\x00",
    "secret\x00rehabilitation",
    "🙂🙂 rehabilitation 🚀",
    "إعادة التأهيل rehabilitation",
    "?!.,;:[]{}<>~^",
    "a" * 10_000,
    "secret " * 2_000,
    "<script>alert(1)</script>",
    "",
    " ",
]


@pytest.fixture
def mixed(backend: SearchBackend) -> set[str]:
    words = "rehabilitation secret readers public title private org"
    public = [make_doc(id=f"pub{i}", title=f"Rehabilitation programme {i}") for i in range(3)]
    private = [
        make_doc(id=f"priv{i}", title=f"{words} x", body=words, readers=["org:9"]) for i in range(3)
    ]
    backend.upsert(public + private)
    return {d["id"] for d in public}


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]))
def test_hostile_text_never_raises_nor_widens(
    backend: SearchBackend, mixed: set[str], text: str
) -> None:
    result = run(backend, text)
    assert ids(result) <= mixed
    assert result.total <= len(mixed)
    for counts in result.facets.values():
        assert all(count <= len(mixed) for count in counts.values())
    for hit in result.hits:
        for html in hit.highlights.values():
            assert "<" not in only_marks(html)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=80))
def test_arbitrary_text_never_raises_nor_widens(
    backend: SearchBackend, mixed: set[str], text: str
) -> None:
    result = run(backend, text)
    assert ids(result) <= mixed
    assert result.total <= len(mixed)


# ----------------------------------------------------------- maintenance


def test_fingerprints_follow_upserts_and_deletes(backend: SearchBackend) -> None:
    assert backend.fingerprints() == {}
    backend.upsert([make_doc(id="a", fingerprint="a1"), make_doc(id="b", fingerprint="b1")])
    assert backend.fingerprints() == {"a": "a1", "b": "b1"}
    backend.upsert([make_doc(id="a", fingerprint="a2"), make_doc(id="c", fingerprint="c1")])
    backend.delete(["b"])
    assert backend.fingerprints() == {"a": "a2", "c": "c1"}


def test_rebuild_swaps_while_searches_keep_answering(backend: SearchBackend) -> None:
    old = [make_doc(id=f"old{i}", title="Legacy mentoring entry") for i in range(15)]
    new = [make_doc(id=f"new{i}", title="Fresh mentoring entry") for i in range(40)]
    backend.upsert(old)
    seen_during: list[SearchResult] = []
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                totals.append(run(backend, "mentoring").total)
            except BaseException as exc:  # recorded and asserted below
                errors.append(exc)
                return

    def feed() -> Iterator[SearchDocument]:
        for i, doc in enumerate(new):
            if i == 20:  # mid-load, the old index still answers
                seen_during.append(run(backend, "mentoring", limit=50))
            yield doc

    progress: list[int] = []
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        loaded = backend.rebuild(feed(), progress=progress.append)
    finally:
        stop.set()
        thread.join()

    assert loaded == len(new)
    assert not errors
    assert totals
    assert set(totals) <= {len(old), len(new)}
    assert ids(seen_during[0]) == {d["id"] for d in old}
    assert progress
    assert progress[-1] == len(new)
    assert progress == sorted(progress)
    assert set(backend.fingerprints()) == {d["id"] for d in new}
    after = run(backend, "mentoring", limit=50)
    assert after.total == len(new)
    assert ids(after) == {d["id"] for d in new}
    # The rebuilt index takes writes as usual.
    backend.upsert([make_doc(id="later", title="Mentoring afterwards")])
    assert run(backend, "mentoring").total == len(new) + 1


def test_rebuild_with_nothing_empties_the_index(backend: SearchBackend) -> None:
    backend.upsert([make_doc()])
    assert backend.rebuild(iter(())) == 0
    assert backend.fingerprints() == {}
    assert run(backend).total == 0


def test_health(backend: SearchBackend) -> None:
    backend.upsert([make_doc(), make_doc()])
    health = backend.health()
    assert health["status"] == "ok"
    assert health.get("documents", 2) == 2

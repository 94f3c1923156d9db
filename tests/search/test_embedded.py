"""Embedded-backend specifics: the directory layout shared by processes, the
single-writer lock, generation swaps, and the query details only tantivy needs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.backends import embedded_query
from indexer.backends.base import BackendError, SearchQuery
from indexer.backends.embedded import EmbeddedBackend
from indexer.backends.embedded_query import (
    Expansion,
    Highlighter,
    parse_words,
    prefix_within,
    typo_budget,
    within_distance,
)
from tests.search.conftest import make_doc

ROOT = Path(__file__).resolve().parents[2]

HOLD_WRITER = """
import sys, time, tantivy
from pathlib import Path
root = Path(sys.argv[1])
generation = (root / "CURRENT").read_text().strip()
index = tantivy.Index.open(str(root / "indexes" / generation / "main"))
writer = index.writer(heap_size=15_000_000, num_threads=1)
print("locked", flush=True)
time.sleep(120)
"""

SEARCH = """
import sys
from pathlib import Path
from indexer.backends.base import SearchQuery
from indexer.backends.embedded import EmbeddedBackend
backend = EmbeddedBackend(Path(sys.argv[1]))
result = backend.search(SearchQuery(readers=["public"], text=sys.argv[2]))
print(result.total, ",".join(sorted(h.id for h in result.hits)))
"""


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.fixture
def search_dir(tmp_path: Path) -> Path:
    return tmp_path / "search"


@pytest.fixture
def backend(search_dir: Path) -> Iterator[EmbeddedBackend]:
    embedded = EmbeddedBackend(search_dir, lock_timeout_seconds=0.5)
    embedded.ensure_ready()
    yield embedded
    embedded.close()


@pytest.fixture
def writer_holder(backend: EmbeddedBackend, search_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the live generation's writer lock."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(search_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def q(text: str = "", **kwargs: object) -> SearchQuery:
    kwargs.setdefault("readers", ["public"])
    return SearchQuery(text=text, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------- processes and locks


def test_other_process_searches_while_writer_is_held(
    backend: EmbeddedBackend, search_dir: Path
) -> None:
    backend.upsert([make_doc(id="held", title="Mentoring while locked")])
    writer = backend._live().main.index.writer(heap_size=15_000_000, num_threads=1)
    try:
        out = python(SEARCH, str(search_dir), "mentoring").stdout.split()
        assert out == ["1", "held"]
        assert backend.search(q("mentoring")).total == 1
    finally:
        writer.wait_merging_threads()


def test_upsert_gives_up_when_another_process_keeps_the_lock(
    backend: EmbeddedBackend, writer_holder: subprocess.Popen[str]
) -> None:
    started = time.monotonic()
    with pytest.raises(BackendError, match="busy"):
        backend.upsert([make_doc(title="Blocked")])
    assert 0.4 <= time.monotonic() - started < 5
    with pytest.raises(BackendError, match="busy"):
        backend.delete(["anything"])
    # Reads are unaffected, and nothing half-written became visible.
    assert backend.search(q("blocked")).total == 0
    assert backend.health()["status"] == "ok"


def test_lock_released_by_sigkill_lets_a_waiting_upsert_proceed(
    search_dir: Path, backend: EmbeddedBackend, writer_holder: subprocess.Popen[str]
) -> None:
    patient = EmbeddedBackend(search_dir, lock_timeout_seconds=20)
    errors: list[BaseException] = []

    def upsert() -> None:
        try:
            patient.upsert([make_doc(id="after-kill", title="Written after the kill")])
        except BaseException as exc:  # asserted below
            errors.append(exc)

    thread = threading.Thread(target=upsert)
    thread.start()
    time.sleep(0.4)
    assert thread.is_alive(), "upsert should be waiting for the lock"
    os.kill(writer_holder.pid, signal.SIGKILL)
    writer_holder.wait(timeout=10)
    thread.join(timeout=20)

    assert not thread.is_alive()
    assert errors == []
    assert [h.id for h in backend.search(q("written")).hits] == ["after-kill"]


def test_writes_by_one_instance_are_seen_by_another_at_once(search_dir: Path) -> None:
    first, second = EmbeddedBackend(search_dir), EmbeddedBackend(search_dir)
    first.ensure_ready()
    assert second.search(q()).total == 0  # second now holds a searcher
    first.upsert([make_doc(id="x", title="Resettlement")])
    assert [h.id for h in second.search(q("resettlement")).hits] == ["x"]
    second.delete(["x"])
    assert first.search(q("resettlement")).total == 0


def test_reopening_an_existing_index_sees_the_documents(search_dir: Path) -> None:
    first = EmbeddedBackend(search_dir)
    first.ensure_ready()
    first.upsert([make_doc(id=f"d{i}", title="Kept across restarts") for i in range(5)])
    first.close()
    del first

    again = EmbeddedBackend(search_dir)
    again.ensure_ready()  # idempotent: must not start an empty generation
    assert again.search(q("restarts")).total == 5
    assert set(again.fingerprints()) == {f"d{i}" for i in range(5)}


def test_rebuild_is_seen_by_other_instances_and_processes(search_dir: Path) -> None:
    builder, reader = EmbeddedBackend(search_dir), EmbeddedBackend(search_dir)
    builder.ensure_ready()
    builder.upsert([make_doc(id="old", title="Before the rebuild")])
    assert reader.search(q("rebuild")).total == 1
    old_generation = (search_dir / "CURRENT").read_text().strip()

    builder.rebuild([make_doc(id="new", title="After the rebuild")])

    assert [h.id for h in reader.search(q("rebuild")).hits] == ["new"]
    assert python(SEARCH, str(search_dir), "rebuild").stdout.split() == ["1", "new"]
    generations = [p.name for p in (search_dir / "indexes").iterdir()]
    assert generations == [(search_dir / "CURRENT").read_text().strip()]
    assert old_generation not in generations
    # The reader writes into the new generation, not the retired one.
    reader.upsert([make_doc(id="newer", title="Rebuild follow-up")])
    assert {h.id for h in builder.search(q("rebuild")).hits} == {"new", "newer"}


def test_rebuild_failure_keeps_the_old_index(backend: EmbeddedBackend, search_dir: Path) -> None:
    backend.upsert([make_doc(id="survivor", title="Still here")])

    def broken() -> Iterator[dict[str, object]]:
        yield dict(make_doc(title="Half loaded"))
        raise RuntimeError("source database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken())  # type: ignore[arg-type]
    assert [h.id for h in backend.search(q("still")).hits] == ["survivor"]
    assert len(list((search_dir / "indexes").iterdir())) == 1


def test_health_reports_unavailable_without_raising(tmp_path: Path) -> None:
    missing = EmbeddedBackend(tmp_path / "nothing-here")
    health = missing.health()
    assert health["status"] == "unavailable"
    assert "ensure_ready" in health["error"]
    with pytest.raises(BackendError):
        missing.search(q())


def test_upsert_creates_the_index_when_missing(tmp_path: Path) -> None:
    fresh = EmbeddedBackend(tmp_path / "fresh")
    fresh.upsert([make_doc(title="First ever")])
    assert fresh.search(q("first")).total == 1


# ------------------------------------------------------------- query details


def test_newest_breaks_date_ties_by_id(backend: EmbeddedBackend) -> None:
    same = 1_700_000_000
    docs = [make_doc(id=i, published_at=same) for i in ("c", "a", "e", "b", "d")]
    docs += [make_doc(id="z-new", published_at=same + 10), make_doc(id="0-old", published_at=1)]
    backend.upsert(docs[:3])
    backend.upsert(docs[3:])  # two segments, so doc addresses do not follow ids
    expected = ["z-new", "a", "b", "c", "d", "e", "0-old"]

    assert [h.id for h in backend.search(q(limit=10)).hits] == expected
    pages = [backend.search(q(offset=o, limit=2)).hits for o in range(0, 8, 2)]
    assert [h.id for page in pages for h in page] == expected


def test_words_matching_nothing_never_hide_the_others(backend: EmbeddedBackend) -> None:
    doc = make_doc(id="m", title="Mentoring returning youth")
    backend.upsert([doc, make_doc(id="other", body="Vocational training")])
    assert [h.id for h in backend.search(q("mentoring youth")).hits] == ["m"]
    # No document has every word; wherever the unknown word is, the others match.
    for text in ("mentoring youth qqqqzzzz", "qqqqzzzz mentoring youth"):
        result = backend.search(q(text))
        assert [h.id for h in result.hits] == ["m"]
        assert (
            result.hits[0].highlights["title"]
            == "<mark>Mentoring</mark> returning <mark>youth</mark>"
        )


def test_all_facets_are_counted_with_many_values(backend: EmbeddedBackend) -> None:
    # tantivy's terms aggregation returns 10 buckets unless told otherwise.
    backend.upsert([make_doc(country=[f"C{i:02d}"]) for i in range(25)])
    counts = backend.search(q()).facets["country"]
    assert len(counts) == 25
    assert set(counts.values()) == {1}


def test_parse_words_caps_and_flags() -> None:
    words = parse_words("One two three four five six seven eight nine ten eleven")
    assert [w.text for w in words][-1] == "ten"
    assert len(words) == 10
    assert [w.prefix for w in words] == [False] * 9 + [True]
    assert parse_words("disengag ")[-1].prefix is False  # finished word
    assert parse_words("the")[0].stem is None  # stop word: plain match only
    assert parse_words("x")[0].prefix is False  # one letter would expand too far
    assert parse_words("\x00\x00") == []
    assert [w.text for w in parse_words("readers:public title:x")] == [
        "readers",
        "public",
        "title",
        "x",
    ]


@pytest.mark.parametrize(
    ("word", "budget"), [("kenya", 1), ("yuth", 0), ("mentoring", 2), ("mentorin", 1)]
)
def test_typo_budget(word: str, budget: int) -> None:
    assert typo_budget(word) == budget


@pytest.mark.parametrize(
    ("a", "b", "k", "expected"),
    [
        ("mentoring", "mentoring", 0, True),
        ("mentorign", "mentoring", 1, True),  # transposition
        ("mentorng", "mentoring", 1, True),  # deletion
        ("mnetorign", "mentoring", 2, True),
        ("mnetorign", "mentoring", 1, False),
        ("abc", "xyz", 2, False),
        ("", "ab", 2, True),
        ("", "abc", 2, False),
    ],
)
def test_within_distance(a: str, b: str, k: int, expected: bool) -> None:
    assert within_distance(a, b, k) is expected
    assert within_distance(b, a, k) is expected


def test_prefix_within() -> None:
    assert prefix_within("disengagement", "disengag", 1)
    assert prefix_within("disengagement", "disnegag", 1)
    assert not prefix_within("dis", "disengag", 1)
    assert not prefix_within("reengagement", "disengag", 1)


def test_highlighter_marks_exact_stemmed_expanded_and_fallback_words() -> None:
    programmes, reintegraton, disen = parse_words("programmes reintegraton disen")
    expansions = [
        Expansion(programmes, ()),  # matches by stem only
        Expansion(reintegraton, None),  # too many expansions: edit distance in Python
        Expansion(disen, (frozenset({"disengagement"}),)),  # prefix completion
    ]
    marked = Highlighter(expansions).render(
        "Programme for <Reintegration> & Disengagement; reintegrate; disenchanted"
    )
    assert marked == (
        "<mark>Programme</mark> for &lt;<mark>Reintegration</mark>&gt; &amp; "
        "<mark>Disengagement</mark>; <mark>reintegrate</mark>; disenchanted"
    )
    assert Highlighter([]).render("<b>") == "&lt;b&gt;"


def test_typo_matches_use_the_vocabulary_after_rebuild_and_upsert(
    backend: EmbeddedBackend,
) -> None:
    backend.rebuild([make_doc(id="r", body="Resocialisation after prison")])
    backend.upsert([make_doc(id="u", body="Disengagement coaching")])
    assert [h.id for h in backend.search(q("resocialisaton")).hits] == ["r"]
    assert [h.id for h in backend.search(q("disengagment coaching")).hits] == ["u"]


def test_words_with_too_many_expansions_fall_back_to_native_fuzzy(
    backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = ["mentoring", "mentored", "mentors", "mentor", "mentorship"]
    backend.upsert([make_doc(id=w, title=f"{w.title()} scheme") for w in words])
    expected = {h.id for h in backend.search(q("mentr")).hits}
    assert expected == set(words)

    monkeypatch.setattr(embedded_query, "MAX_EXPANSIONS", 2)
    (expansion,) = embedded_query.expand(
        backend._live().vocab.index.searcher(), parse_words("mentr")
    )
    assert expansion.levels is None
    result = backend.search(q("mentr"))
    assert {h.id for h in result.hits} == expected
    assert all("<mark>" in h.highlights["title"] for h in result.hits)

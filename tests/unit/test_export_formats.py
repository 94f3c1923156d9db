"""The export writers over any text: every record comes back whole from `csv`,
`rispy` and `bibtexparser`, no CSV cell can start a formula, and the keywords
extracted for related entries are content words."""

from __future__ import annotations

import csv
import io

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from api.search.export import ExportRecord, bibtex_text, one_line, to_bibtex, to_csv, to_ris
from api.search.related import MAX_KEYWORDS, keywords
from api.vocabularies.registry import shipped_registry

REGISTRY = shipped_registry()
# Any printable text, with the characters that carry structure in the three formats.
text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs", "Cc")),
        st.sampled_from(list("\n\r\t{}@=+-\"',%\\&#_$~")),
    ),
    max_size=60,
)
# Blank values are the edge: a field must be left out, not written empty.
text = text | st.sampled_from(["", " ", "\n", " { ", "@"])


@st.composite
def records(draw: st.DrawFn) -> list[ExportRecord]:
    count = draw(st.integers(min_value=0, max_value=4))
    return [
        ExportRecord(
            id=f"entry{n}",
            url=f"https://node.example/entries/entry{n}",
            title=draw(text),
            kind=draw(st.sampled_from(["evaluation", "program_profile", "lessons_learned"])),
            organization=draw(st.none() | text),
            authors=tuple(draw(st.lists(text, max_size=3))),
            year=draw(st.none() | st.integers(min_value=1990, max_value=2030)),
            countries=("KE",),
            regions=("014",),
            program_types=("reintegration",),
            evaluation_design=draw(st.none() | st.just("mixed_methods")),
            evidence_level=None,
            summary=draw(text),
            language="en",
            license=draw(st.none() | text),
        )
        for n in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(records())
def test_csv_keeps_every_record_and_starts_no_formula(rows: list[ExportRecord]) -> None:
    parsed = list(csv.DictReader(io.StringIO(to_csv(rows), newline="")))
    assert [p["id"] for p in parsed] == [r.id for r in rows]
    for record, row in zip(rows, parsed, strict=True):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
        assert row["title"] in (record.title, "'" + record.title)
        organization = record.organization or ""
        assert row["organization"] in (organization, "'" + organization)


@settings(max_examples=150, deadline=None)
@given(records())
def test_ris_keeps_every_record_whole(rows: list[ExportRecord]) -> None:
    parsed = rispy.loads(to_ris(rows, REGISTRY))
    assert [p["id"] for p in parsed] == [r.id for r in rows]
    for record, reference in zip(rows, parsed, strict=True):
        assert reference.get("title", "") == one_line(record.title)
        organization = one_line(record.organization or "")
        assert reference.get("publisher", "") == organization
        assert reference.get("authors", []) == [a for a in map(one_line, record.authors) if a]


@settings(max_examples=150, deadline=None)
@given(records())
def test_bibtex_keeps_every_record_whole(rows: list[ExportRecord]) -> None:
    library = bibtexparser.parse_string(
        to_bibtex(rows, REGISTRY), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == [r.id for r in rows]
    for record, entry in zip(rows, library.entries, strict=True):
        assert ("institution" in entry.fields_dict) == bool(bibtex_text(record.organization or ""))
        assert entry["url"] == record.url


def test_keywords_are_title_words_then_frequent_summary_words() -> None:
    query = keywords(
        "The Reintegration of returnees in 2024",
        "Mentoring helps. Mentoring and families; families, mentoring, jobs.",
    )
    assert query.split() == ["reintegration", "returnees", "mentoring", "families", "helps",
                             "jobs"]  # fmt: skip
    many = keywords(" ".join(f"word{n}x" for n in range(30)), "")
    assert len(many.split()) == MAX_KEYWORDS


def test_bibtex_escapes_latex_specials_and_reads_back_as_written() -> None:
    record = ExportRecord(
        id="e_1", url="https://node.example/entries/e_1", title="Cost & effect: 50% of #1 a_b $",
        kind="evaluation", organization="R&D unit", authors=("Ng, A.",), year=2024,
        countries=(), regions=(), program_types=(), evaluation_design=None,
        evidence_level=None, summary="Back\\slash ~ tilde", language="fr", license=None,
    )  # fmt: skip
    written = to_bibtex([record], REGISTRY)
    assert r"Cost \& effect: 50\% of \#1 a\_b \$" in written
    assert "https://node.example/entries/e_1}" in written  # the URL as it is
    entry = bibtexparser.parse_string(
        written, append_middleware=[LatexDecodingMiddleware()]
    ).entries[0]
    assert entry["title"] == record.title
    assert entry["institution"] == "R&D unit"
    assert entry["abstract"] == record.summary
    assert entry["url"] == record.url

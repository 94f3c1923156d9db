"""Tests for the synthetic demo data generator (api/demo/generator.py).

The vocabularies and regions are read here straight from the data files, not
through the generator's own helper, so a generator bug cannot hide itself.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from api.demo.generator import (
    MEDIA_TYPES,
    DemoDataset,
    DemoEntry,
    DemoOrganization,
    generate,
)

DATA = Path(__file__).resolve().parents[2] / "api" / "vocabularies" / "data"
MAJOR_REGIONS = {"002", "019", "142", "150", "009"}
KINDS = {"evaluation", "lessons_learned", "program_profile", "policy_framework"}
VISIBILITIES = {"public", "network", "partners", "private"}
ID_RE = re.compile(r"^[a-z0-9-]{16,26}$")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def vocab() -> dict[str, dict[str, dict[str, Any]]]:
    data = yaml.safe_load((DATA / "vocabularies.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def regions() -> dict[str, dict[str, str]]:
    with (DATA / "regions.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def dataset() -> tuple[list[DemoOrganization], list[DemoEntry]]:
    ds = generate(320)
    return ds.organizations, list(ds.entries)


@pytest.fixture(scope="module")
def entries(dataset: tuple[list[DemoOrganization], list[DemoEntry]]) -> list[DemoEntry]:
    return dataset[1]


@pytest.fixture(scope="module")
def orgs(dataset: tuple[list[DemoOrganization], list[DemoEntry]]) -> list[DemoOrganization]:
    return dataset[0]


def ancestors(regions: dict[str, dict[str, str]], code: str) -> set[str]:
    out: set[str] = set()
    parent = regions[code]["parent"]
    while parent:
        out.add(parent)
        parent = regions[parent]["parent"]
    return out


def countries_of(entry: DemoEntry, regions: dict[str, dict[str, str]]) -> list[str]:
    return [c for c in entry.regions if regions[c]["level"] == "country"]


# --------------------------------------------------------------------------- determinism


def test_same_arguments_give_identical_output(entries: list[DemoEntry]) -> None:
    again = generate(320)
    assert list(again.entries) == entries
    assert again.organizations == generate(320).organizations


def test_prefix_stability() -> None:
    small = list(generate(40).entries)
    large = list(itertools.islice(generate(500).entries, 40))
    assert small == large
    assert len(small) == 40


def test_seed_changes_output(entries: list[DemoEntry]) -> None:
    other = list(itertools.islice(generate(320, seed=7).entries, 20))
    assert [e.id for e in other] != [e.id for e in entries[:20]]
    assert [e.title for e in other] != [e.title for e in entries[:20]]


def test_entries_is_a_lazy_generator() -> None:
    ds = generate(10**9)
    assert isinstance(ds, DemoDataset)
    assert isinstance(ds.entries, Iterator)
    first = list(itertools.islice(ds.entries, 3))
    assert len(first) == 3


def test_negative_size_rejected() -> None:
    with pytest.raises(ValueError, match="size"):
        generate(-1)


def test_zero_size_is_empty() -> None:
    assert list(generate(0).entries) == []


def test_streams_twenty_thousand_entries() -> None:
    started = time.perf_counter()
    count = 0
    ids: set[str] = set()
    for entry in generate(20_000).entries:
        count += 1
        ids.add(entry.id)
    elapsed = time.perf_counter() - started
    assert count == 20_000
    assert len(ids) == 20_000
    # No strict timing assertion; printed for information (pytest -s).
    print(f"generated 20k demo entries in {elapsed:.2f}s")


def test_dataclasses_are_frozen(entries: list[DemoEntry]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        entries[0].title = "changed"  # type: ignore[misc]


# --------------------------------------------------------------------------- organizations


def test_organizations(orgs: list[DemoOrganization], regions: dict[str, dict[str, str]]) -> None:
    assert 40 <= len(orgs) <= 60
    slugs = [o.slug for o in orgs]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)
    assert {o.kind for o in orgs} == {"ngo", "government", "research", "international"}
    covered: set[str] = set()
    for org in orgs:
        assert org.name.endswith("(demo)"), org.name
        assert regions[org.country]["level"] == "country"
        covered |= ancestors(regions, org.country)
    assert covered >= MAJOR_REGIONS


def test_entries_reference_known_organizations(
    orgs: list[DemoOrganization], entries: list[DemoEntry]
) -> None:
    slugs = {o.slug for o in orgs}
    assert {e.organization for e in entries} <= slugs
    # Most organizations publish something in the default demo.
    assert len({e.organization for e in entries}) >= 30


# --------------------------------------------------------------------------- ids


def test_ids_unique_and_url_safe(entries: list[DemoEntry]) -> None:
    ids = [e.id for e in entries]
    assert len(set(ids)) == len(ids)
    for entry_id in ids:
        assert ID_RE.fullmatch(entry_id), entry_id


# --------------------------------------------------------------------------- coverage


def test_size_and_kinds(entries: list[DemoEntry]) -> None:
    assert len(entries) == 320
    assert {e.kind for e in entries} == KINDS


def test_every_program_type_appears(entries: list[DemoEntry], vocab: dict[str, Any]) -> None:
    used = {code for e in entries for code in e.program_types}
    assert used == set(vocab["program_type"])


def test_country_and_region_coverage(
    entries: list[DemoEntry], regions: dict[str, dict[str, str]]
) -> None:
    countries = {c for e in entries for c in countries_of(e, regions)}
    assert len(countries) >= 40
    covered: set[str] = set()
    for country in countries:
        covered |= ancestors(regions, country)
    required = set(MAJOR_REGIONS)
    required |= {
        code
        for code, row in regions.items()
        if row["level"] == "subregion" and ancestors(regions, code) & MAJOR_REGIONS
    }
    assert len(required) >= 5 + 15
    assert required <= covered, sorted(required - covered)


def test_some_entries_carry_an_m49_region_code(
    entries: list[DemoEntry], regions: dict[str, dict[str, str]]
) -> None:
    tagged = [e for e in entries if any(regions[c]["level"] != "country" for c in e.regions)]
    assert tagged
    assert len(tagged) < len(entries) / 3


def test_visibility_status_coverage(entries: list[DemoEntry]) -> None:
    visibilities = Counter(e.visibility for e in entries)
    assert set(visibilities) == VISIBILITIES
    assert visibilities["public"] > len(entries) / 2
    statuses = Counter(e.status for e in entries)
    assert set(statuses) == {"published", "draft"}
    assert 0.8 <= statuses["published"] / len(entries) <= 0.97


def test_languages(entries: list[DemoEntry]) -> None:
    languages = Counter(e.language for e in entries)
    assert set(languages) >= {"en", "fr", "es", "ar", "ru", "id"}
    assert languages["en"] > len(entries) * 0.7
    for entry in entries:
        if entry.language != "en":
            assert "written in English" in entry.body


def test_indicators_and_attachments_present(entries: list[DemoEntry]) -> None:
    with_indicators = [e for e in entries if e.indicators]
    assert len(with_indicators) >= len(entries) / 4
    assert any(not e.indicators for e in entries)
    with_attachments = [e for e in entries if e.attachments]
    assert 8 <= len(with_attachments) <= len(entries) / 10
    assert {a.media_type for e in with_attachments for a in e.attachments} == set(MEDIA_TYPES)
    assert all(1 <= len(e.attachments) <= 2 for e in with_attachments)


def test_returnee_women_eastern_africa(
    entries: list[DemoEntry], regions: dict[str, dict[str, str]]
) -> None:
    matches = [
        e
        for e in entries
        if {"returnee_repatriation", "reintegration"} & set(e.program_types)
        and {"women", "returnees"} <= set(e.target_populations)
        and any("014" in ancestors(regions, c) for c in countries_of(e, regions))
        and "women" in e.title.lower()
        and "women" in e.summary.lower()
        and "reintegrat" in (e.title + e.summary).lower()
    ]
    assert len(matches) >= 3
    assert len({e.kind for e in matches}) >= 2


def test_domain_vocabulary_appears_in_text(entries: list[DemoEntry]) -> None:
    text = " ".join(f"{e.title} {e.summary} {e.body}" for e in entries).lower()
    for word in (
        "rehabilitation",
        "reintegration",
        "disengagement",
        "deradicalisation",
        "returnees",
        "women",
        "mentoring",
        "prison",
        "probation",
        "amnesty",
    ):
        assert word in text, word


def assert_guaranteed_coverage(
    entries: list[DemoEntry], vocab: dict[str, Any], regions: dict[str, dict[str, str]]
) -> None:
    """What the generator promises for every size >= 300 and every seed."""
    assert {e.kind for e in entries} == KINDS
    assert {c for e in entries for c in e.program_types} == set(vocab["program_type"])
    assert {e.visibility for e in entries} == VISIBILITIES
    assert {e.status for e in entries} == {"published", "draft"}
    assert {e.language for e in entries} >= {"en", "fr", "es", "ar", "ru", "id"}
    media = {a.media_type for e in entries for a in e.attachments}
    assert media == set(MEDIA_TYPES)
    assert any(e.indicators for e in entries)
    countries = {c for e in entries for c in countries_of(e, regions)}
    assert len(countries) >= 40
    covered = set().union(*(ancestors(regions, c) for c in countries))
    subregions = {
        code
        for code, row in regions.items()
        if row["level"] == "subregion" and ancestors(regions, code) & MAJOR_REGIONS
    }
    assert MAJOR_REGIONS | subregions <= covered
    women = [
        e
        for e in entries
        if "women" in e.target_populations
        and "returnee_repatriation" in e.program_types
        and any("014" in ancestors(regions, c) for c in countries_of(e, regions))
    ]
    assert len(women) >= 3


@pytest.mark.parametrize(("size", "seed"), [(300, 1), (300, 424242), (301, 20261128)])
def test_coverage_guaranteed_for_other_seeds_and_sizes(
    size: int, seed: int, vocab: dict[str, Any], regions: dict[str, dict[str, str]]
) -> None:
    entries = list(generate(size, seed=seed).entries)
    assert len(entries) == size
    assert_guaranteed_coverage(entries, vocab, regions)


def test_default_dataset_meets_guarantees(
    entries: list[DemoEntry], vocab: dict[str, Any], regions: dict[str, dict[str, str]]
) -> None:
    assert_guaranteed_coverage(entries, vocab, regions)


# --------------------------------------------------------------------------- per-entry rules


def test_codes_are_valid(
    entries: list[DemoEntry], vocab: dict[str, Any], regions: dict[str, dict[str, str]]
) -> None:
    for e in entries:
        assert e.kind in vocab["kind"]
        assert 1 <= len(e.program_types) <= 3
        assert len(set(e.program_types)) == len(e.program_types)
        assert set(e.program_types) <= set(vocab["program_type"])
        assert e.settings
        assert set(e.settings) <= set(vocab["setting"])
        assert e.target_populations
        assert set(e.target_populations) <= set(vocab["target_population"])
        assert e.actors
        assert set(e.actors) <= set(vocab["actor"])
        assert e.evidence_level in vocab["evidence_level"]
        if e.evaluation_design is not None:
            assert e.evaluation_design in vocab["evaluation_design"]
        if e.kind == "evaluation":
            assert e.evaluation_design not in (None, "none")
        countries = countries_of(e, regions)
        assert 1 <= len(countries) <= 3
        assert all(code in regions for code in e.regions)
        assert all(re.fullmatch(r"[A-Z]{2}", c) for c in countries)
        non_countries = [c for c in e.regions if c not in countries]
        assert len(non_countries) <= 1
        assert e.license in {"CC-BY-4.0", "CC-BY-NC-4.0", "all-rights-reserved"}


def test_text_fields(entries: list[DemoEntry]) -> None:
    for e in entries:
        assert e.title
        assert "\n" not in e.title
        sentences = re.findall(r"[.!?](?=\s|$)", e.summary)
        assert 1 <= len(sentences) <= 3, e.summary
        for heading in ("## Context", "## What was done", "## Findings", "## Lessons"):
            assert heading in e.body
        assert "## Recommendations" in e.body
        assert "synthetic demo data" in e.body.lower()
        assert "{" not in e.title + e.summary + e.body, "unfilled template slot"
        assert e.authors
        assert len(set(e.authors)) == len(e.authors)
        assert all(re.fullmatch(r"\S+ \S+", a) for a in e.authors)


def test_dates(entries: list[DemoEntry]) -> None:
    for e in entries:
        assert e.period_start <= e.period_end
        assert date(2012, 1, 1) <= e.published_at <= date(2026, 12, 31)
        assert e.period_start.year >= 2000


def test_indicator_values_valid_for_units(entries: list[DemoEntry], vocab: dict[str, Any]) -> None:
    units = {code: term["unit"] for code, term in vocab["indicator"].items()}
    seen_units: set[str] = set()
    for e in entries:
        codes = [i.code for i in e.indicators]
        assert len(set(codes)) == len(codes)
        values = {i.code: i.value for i in e.indicators}
        for ind in e.indicators:
            assert ind.code in units
            unit = units[ind.code]
            seen_units.add(unit)
            value = ind.value
            assert isinstance(value, float)
            if unit in ("percent", "score"):
                assert 0.0 <= value <= 100.0, (ind.code, value)
            elif unit in ("count", "months"):
                assert value >= 0, (ind.code, value)
                assert value == int(value), (ind.code, value)
            elif unit == "currency_usd":
                assert value >= 0
            elif unit == "effect_size":
                assert -5.0 <= value <= 5.0
            else:
                pytest.fail(f"unknown unit {unit}")
        if "participants_completed" in values:
            assert values["participants_completed"] <= values["participants_enrolled"]
        if "evaluation_sample_size" in values:
            assert values["evaluation_sample_size"] <= values["participants_enrolled"]
    assert seen_units >= {"count", "percent", "months", "currency_usd", "score", "effect_size"}


def test_shared_with_rules(entries: list[DemoEntry], orgs: list[DemoOrganization]) -> None:
    slugs = {o.slug for o in orgs}
    for e in entries:
        if e.visibility == "partners":
            assert 1 <= len(e.shared_with) <= 2
            assert len(set(e.shared_with)) == len(e.shared_with)
            assert e.organization not in e.shared_with
            assert set(e.shared_with) <= slugs
        else:
            assert e.shared_with == []


def test_links_use_example_domains(entries: list[DemoEntry]) -> None:
    hosts: set[str] = set()
    for e in entries:
        for url, title in e.links:
            assert title
            parts = urlsplit(url)
            assert parts.scheme == "https"
            host = parts.hostname or ""
            assert host in ("example.org", "example.net") or host.endswith(
                (".example.org", ".example.net")
            ), url
            hosts.add(host)
    assert hosts


def test_attachment_codewords_only_in_attachments(entries: list[DemoEntry]) -> None:
    codewords: list[str] = []
    for e in entries:
        own_text = f"{e.title}\n{e.summary}\n{e.body}".lower()
        for att in e.attachments:
            assert att.media_type in MEDIA_TYPES
            assert att.title
            assert att.paragraphs
            assert re.fullmatch(r"[a-z0-9-]+\.(pdf|docx|md|txt)", att.filename)
            ext = att.filename.rsplit(".", 1)[1]
            expected = {"pdf": 0, "docx": 1, "md": 2, "txt": 3}[ext]
            assert att.media_type == MEDIA_TYPES[expected]
            assert re.fullmatch(r"[a-z]+", att.codeword)
            attachment_text = " ".join(att.paragraphs).lower()
            assert att.codeword in attachment_text
            assert att.codeword not in own_text
            assert att.codeword not in att.title.lower()
            codewords.append(att.codeword)
    assert len(set(codewords)) == len(codewords)

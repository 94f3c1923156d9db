"""The demo data shows every evidence feature: findings with follow-ups, ratings with
history and disputes, program profiles with every structured field — and every
generated value passes the API's own schema and vocabulary checks."""

from __future__ import annotations

from api.demo.generator import generate
from api.entries.schemas import EvidenceItem, ProgramProfile
from api.entries.validation import check_codes
from api.vocabularies.registry import shipped_registry


def test_the_demo_covers_every_evidence_feature() -> None:
    entries = list(generate(400).entries)
    evidence = [e.evidence for e in entries if e.evidence is not None]
    assert sum(bool(e.findings) for e in evidence) > 50
    assert sum(len(e.follow_ups) for e in evidence) > 50
    assert {f.status for e in evidence for f in e.follow_ups} == {
        "planned", "in_progress", "done", "not_accepted"}  # fmt: skip
    ratings = [r for e in evidence for r in e.ratings]
    assert any(r.earlier for r in ratings)
    assert any(r.dispute for r in ratings)
    profiles = [e.profile for e in evidence if e.profile]
    full = [p for p in profiles if all(v not in (None, "", []) for v in p.values())]
    assert len(full) > 5


def test_demo_evidence_is_valid_input() -> None:
    registry = shipped_registry()
    for entry in generate(200).entries:
        e = entry.evidence
        assert e is not None
        for item in [*e.findings, *e.lessons, *e.recommendations]:
            EvidenceItem.model_validate(item)
        if e.profile:
            ProgramProfile.model_validate(e.profile)
        values = {"findings": e.findings, "lessons": e.lessons,
                  "recommendations": e.recommendations, "profile": e.profile}  # fmt: skip
        assert check_codes(registry, values) == []
        for rating in e.ratings:
            assert registry.is_valid("indicator", rating.outcome)
            assert registry.is_valid("evidence_level", rating.evidence_level)

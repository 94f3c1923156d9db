"""The demo data shows every evidence feature: findings with follow-ups, ratings with
history and disputes, program profiles with every structured field — and every
generated value passes the API's own schema and vocabulary checks."""

from __future__ import annotations

from api.demo.generator import generate
from api.entries.schemas import POLICY_EFFECTS, EvidenceItem, PolicyFields, ProgramProfile
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


def test_policy_frameworks_cover_thirty_countries_in_every_region() -> None:
    """The by-country table of the demo is filled: policy frameworks in 30 countries
    or more, in all five M49 regions, with every level, status, effect and type."""
    registry = shipped_registry()
    frameworks = [e for e in generate(320).entries if e.kind == "policy_framework"]
    policies = [e.policy for e in frameworks]
    assert all(p is not None for p in policies)
    countries = {
        p["jurisdiction"] for p in policies if p and registry.is_country(p["jurisdiction"])
    }
    assert len(countries) >= 30, sorted(countries)
    major = {a for c in countries for a in registry.ancestors(c)} & {"002", "019", "142", "150",
                                                                     "009"}  # fmt: skip
    assert major == {"002", "019", "142", "150", "009"}
    assert {p["level"] for p in policies if p} == {"global", "regional", "national", "local"}
    assert {p["status"] for p in policies if p} == {"in_force", "repealed", "proposed"}
    assert {p["effect"] for p in policies if p} == set(POLICY_EFFECTS)
    assert {t for p in policies if p for t in p["impediment_types"]} == {
        t.code for t in registry.terms("impediment_type")}  # fmt: skip
    for p in policies:
        assert p is not None
        assert p["effect_text"]
        assert p["source"]["citation"]
        assert p["source"]["url"]
        assert (p["source"]["adopted"] is None) == (p["status"] == "proposed")
        assert (p["source"]["repealed"] is not None) == (p["status"] == "repealed")
    assert all(e.policy is None for e in generate(320).entries if e.kind != "policy_framework")


def test_demo_policy_fields_are_valid_input_and_deterministic() -> None:
    registry = shipped_registry()
    first = [e.policy for e in generate(200).entries]
    assert first == [e.policy for e in generate(200).entries]
    assert first != [e.policy for e in generate(200, seed=7).entries]
    for policy in first:
        if policy is None:
            continue
        PolicyFields.model_validate(policy)
        assert check_codes(registry, {"policy": policy}) == []

"""Checks of entry fields against the live vocabularies, partners and indicator units.

Returns every problem at once (one `FieldError` per bad value, named by its
path, e.g. `program_types[1]`), so a form can show them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.errors import FieldError
from api.vocabularies.registry import WORLD, VocabularyRegistry

# entry field -> vocabulary it draws codes from
LIST_FIELDS = {
    "program_types": "program_type",
    "regions": "region",
    "settings": "setting",
    "target_populations": "target_population",
    "actors": "actor",
}
SINGLE_FIELDS = {
    "kind": "kind",
    "language": "language",
    "evaluation_design": "evaluation_design",
    "evidence_level": "evidence_level",
}


def _unknown(field: str, vocabulary: str, code: str, *, deprecated: bool) -> FieldError:
    message = (
        f"{code!r} is a deprecated {vocabulary} code"
        if deprecated
        else f"{code!r} is not a {vocabulary} code"
    )
    return FieldError(
        field,
        message,
        code=code,
        vocabulary=vocabulary,
        valid_codes=f"/v1/vocabularies/{vocabulary}",
    )


def check_codes(
    registry: VocabularyRegistry,
    values: Mapping[str, Any],
    *,
    already_used: Mapping[str, set[str]] | None = None,
) -> list[FieldError]:
    """Vocabulary checks for the fields present in `values`.

    A deprecated code is refused unless the entry already carries it
    (`already_used`), so old entries stay editable while new ones use current codes."""
    used = already_used or {}
    errors: list[FieldError] = []

    def check(field: str, vocabulary: str, code: str) -> None:
        if registry.is_valid(vocabulary, code):
            return
        known_but_deprecated = registry.is_valid(vocabulary, code, allow_deprecated=True)
        if known_but_deprecated and code in used.get(field.split("[")[0], set()):
            return
        errors.append(_unknown(field, vocabulary, code, deprecated=known_but_deprecated))

    for field, vocabulary in SINGLE_FIELDS.items():
        code = values.get(field)
        if code is not None:
            check(field, vocabulary, code)
    for field, vocabulary in LIST_FIELDS.items():
        for index, code in enumerate(values.get(field) or []):
            check(f"{field}[{index}]", vocabulary, code)
        duplicates = _duplicates(values.get(field) or [])
        if duplicates:
            errors.append(FieldError(field, f"repeated codes: {', '.join(duplicates)}"))
    for index, indicator in enumerate(values.get("indicators") or []):
        code = indicator["code"]
        if not registry.is_valid("indicator", code):
            errors.append(
                _unknown(f"indicators[{index}].code", "indicator", code, deprecated=False)
            )
            continue
        problem = registry.check_indicator_value(code, indicator["value"])
        if problem:
            unit = registry.indicator_unit(code)
            errors.append(FieldError(f"indicators[{index}].value", problem, code=code, unit=unit))
    for field in ("findings", "lessons", "recommendations"):
        for index, item in enumerate(values.get(field) or []):
            for key, vocabulary in (("program_types", "program_type"), ("outcomes", "indicator")):
                for n, code in enumerate(item.get(key) or []):
                    check(f"{field}[{index}].{key}[{n}]", vocabulary, code)
    profile = values.get("profile") or {}
    for index, code in enumerate(profile.get("disciplines") or []):
        check(f"profile.disciplines[{index}]", "actor", code)
    policy = values.get("policy") or {}
    if policy:
        jurisdiction = policy["jurisdiction"]
        before = len(errors)
        check("policy.jurisdiction", "region", jurisdiction)
        if len(errors) == before:
            errors.extend(_level_problems(registry, policy["level"], jurisdiction))
        for index, code in enumerate(policy.get("impediment_types") or []):
            check(f"policy.impediment_types[{index}]", "impediment_type", code)
        duplicates = _duplicates(policy.get("impediment_types") or [])
        if duplicates:
            errors.append(
                FieldError("policy.impediment_types", f"repeated codes: {', '.join(duplicates)}")
            )
        errors.extend(_source_problems(policy["status"], policy.get("source") or {}))
    return errors


def _level_problems(
    registry: VocabularyRegistry, level: str, jurisdiction: str
) -> list[FieldError]:
    """The jurisdiction matches the level: global is World, regional an area below
    it, national and local a country (M49 has no subnational codes)."""
    is_country = registry.is_country(jurisdiction)
    if level == "global" and jurisdiction != WORLD:
        problem = f"a global framework has jurisdiction {WORLD} (World)"
    elif level == "regional" and (is_country or jurisdiction == WORLD):
        problem = "a regional framework has a region code (not a country, not World)"
    elif level in ("national", "local") and not is_country:
        problem = f"a {level} framework has a country code"
    else:
        return []
    return [FieldError("policy.jurisdiction", problem, code=jurisdiction, level=level)]


def _source_problems(status: str, source: Mapping[str, Any]) -> list[FieldError]:
    """Dates agree with the status: a proposal is not adopted yet, only a repealed
    framework has a repeal date, and it comes after the adoption."""
    adopted, repealed = source.get("adopted"), source.get("repealed")
    errors: list[FieldError] = []
    if status == "proposed" and adopted:
        errors.append(FieldError("policy.source.adopted", "a proposed framework is not adopted"))
    if repealed and status != "repealed":
        errors.append(
            FieldError("policy.source.repealed", "only a repealed framework has a repeal date")
        )
    if adopted and repealed and str(repealed) < str(adopted):
        errors.append(FieldError("policy.source.repealed", "repealed before it was adopted"))
    return errors


def _duplicates(codes: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for code in codes:
        if code in seen and code not in repeated:
            repeated.append(code)
        seen.add(code)
    return repeated

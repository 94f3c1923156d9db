"""Checks of entry fields against the live vocabularies, partners and indicator units.

Returns every problem at once (one `FieldError` per bad value, named by its
path, e.g. `program_types[1]`), so a form can show them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.errors import FieldError
from api.vocabularies.registry import VocabularyRegistry

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
    return errors


def _duplicates(codes: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for code in codes:
        if code in seen and code not in repeated:
            repeated.append(code)
        seen.add(code)
    return repeated

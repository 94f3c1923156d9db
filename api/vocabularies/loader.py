"""Reading the shipped controlled vocabularies into `Term` values.

This module owns the on-disk format: `data/regions.csv` (UN M49 hierarchy plus
ISO 3166-1 countries), `data/vocabularies.yaml` (every other curated list) and
the ISO 639-1 language list taken from `pycountry`. It knows nothing about
validation or hierarchy queries; `registry.py` does that.

Invariant: `load_shipped_terms()` returns every vocabulary in `VOCABULARY_NAMES`,
each in file order with `sort_order` equal to the term's position within its
vocabulary, and never two terms with the same (vocabulary, code). Malformed
data files raise `ValueError` at load time rather than producing partial lists.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pycountry
import yaml

# Data is read through importlib.resources so an installed wheel (where the
# package may live in a zip) behaves like a source checkout.
_PACKAGE = "api.vocabularies"
_REGIONS_FILE = "regions.csv"
_VOCABULARIES_FILE = "vocabularies.yaml"
_ALIASES_FILE = "aliases.yaml"
MAX_ALIAS_WORDS = 4

REGION_LEVELS: tuple[str, ...] = ("world", "region", "subregion", "intermediate", "country")

VOCABULARY_NAMES: tuple[str, ...] = (
    "region",
    "program_type",
    "setting",
    "target_population",
    "actor",
    "evaluation_design",
    "evidence_level",
    "kind",
    "indicator",
    "impediment_type",
    "language",
)

# The vocabularies that live in vocabularies.yaml; region and language come from elsewhere.
_YAML_VOCABULARIES: tuple[str, ...] = tuple(
    name for name in VOCABULARY_NAMES if name not in ("region", "language")
)
_YAML_TERM_KEYS = frozenset({"label", "note", "unit"})


@dataclass(frozen=True, slots=True)
class Term:
    """One code of one vocabulary, as shipped or as later stored in the database."""

    vocabulary: str
    code: str
    label: str
    parent: str | None = None
    level: str | None = None
    note: str | None = None
    unit: str | None = None
    deprecated: bool = False
    replaced_by: str | None = None
    sort_order: int = 0
    # Other names for search (synonyms, demonyms, French names): see data/aliases.yaml.
    aliases: tuple[str, ...] = ()


def _read_data_text(filename: str) -> str:
    # utf-8-sig tolerates a BOM left behind by spreadsheet editors.
    return resources.files(_PACKAGE).joinpath("data", filename).read_text(encoding="utf-8-sig")


def _optional(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def _parse_regions(text: str) -> list[Term]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    required = {"code", "name", "level", "parent"}
    missing = required - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{_REGIONS_FILE}: missing columns {sorted(missing)}")
    terms: list[Term] = []
    for line_no, row in enumerate(reader, start=2):
        code = (row["code"] or "").strip()
        label = (row["name"] or "").strip()
        level = (row["level"] or "").strip()
        if not code or not label:
            raise ValueError(f"{_REGIONS_FILE}:{line_no}: empty code or name")
        if level not in REGION_LEVELS:
            raise ValueError(f"{_REGIONS_FILE}:{line_no}: unknown level {level!r}")
        terms.append(
            Term(
                vocabulary="region",
                code=code,
                label=label,
                parent=_optional(row["parent"]),
                level=level,
                sort_order=len(terms),
            )
        )
    return terms


def _yaml_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected a string, got {type(value).__name__}")
    return value


def _parse_yaml_vocabularies(text: str) -> list[Term]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)  # noqa: S506 - always a safe loader
    if not isinstance(document, dict):
        raise ValueError(f"{_VOCABULARIES_FILE}: top level must be a mapping")
    unexpected = set(document) - set(_YAML_VOCABULARIES)
    if unexpected:
        raise ValueError(
            f"{_VOCABULARIES_FILE}: unknown vocabularies {sorted(map(str, unexpected))}"
        )
    terms: list[Term] = []
    for name in _YAML_VOCABULARIES:
        entries = document.get(name)
        if not isinstance(entries, dict) or not entries:
            raise ValueError(f"{_VOCABULARIES_FILE}: {name} must be a non-empty mapping")
        for position, (code, body) in enumerate(entries.items()):
            # YAML 1.1 turns bare yes/no/on/off into booleans; a non-string key
            # means a code needs quoting in the file, not a silent conversion.
            if not isinstance(code, str) or not code:
                raise ValueError(f"{_VOCABULARIES_FILE}: {name}: code {code!r} is not a string")
            where = f"{_VOCABULARIES_FILE}: {name}.{code}"
            if not isinstance(body, dict):
                raise ValueError(f"{where}: expected a mapping with a label")
            extra = set(body) - _YAML_TERM_KEYS
            if extra:
                raise ValueError(f"{where}: unknown keys {sorted(map(str, extra))}")
            label = _yaml_str(body.get("label"), where)
            if not label:
                raise ValueError(f"{where}: missing label")
            terms.append(
                Term(
                    vocabulary=name,
                    code=code,
                    label=label,
                    note=_yaml_str(body.get("note"), where),
                    unit=_yaml_str(body.get("unit"), where),
                    sort_order=position,
                )
            )
    return terms


def _languages() -> list[Term]:
    pairs = sorted(
        (language.alpha_2, language.name)
        for language in pycountry.languages
        if getattr(language, "alpha_2", None)
    )
    return [
        Term(vocabulary="language", code=code, label=name, sort_order=position)
        for position, (code, name) in enumerate(pairs)
    ]


def clean_alias(value: str) -> str:
    """An alias as stored: whitespace collapsed; "" when empty or longer than
    MAX_ALIAS_WORDS words (a synonym, not a description)."""
    words = value.split()
    return " ".join(words) if 0 < len(words) <= MAX_ALIAS_WORDS else ""


def _parse_aliases(text: str) -> dict[tuple[str, str], tuple[str, ...]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)  # noqa: S506 - always a safe loader
    if not isinstance(document, dict):
        raise ValueError(f"{_ALIASES_FILE}: top level must be a mapping")
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for vocabulary, codes in document.items():
        if vocabulary not in VOCABULARY_NAMES or not isinstance(codes, dict):
            raise ValueError(f"{_ALIASES_FILE}: {vocabulary!r} is not a vocabulary mapping")
        for code, aliases in codes.items():
            where = f"{_ALIASES_FILE}: {vocabulary}.{code}"
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ValueError(f"{where}: expected a list of strings")
            cleaned = [clean_alias(a) for a in aliases]
            if not all(cleaned):
                raise ValueError(f"{where}: an alias is empty or over {MAX_ALIAS_WORDS} words")
            out[(str(vocabulary), str(code))] = tuple(dict.fromkeys(cleaned))
    return out


def _french_region_names() -> dict[str, str]:
    """French names of M49 areas and countries from CLDR (Babel)."""
    from babel import Locale

    return {str(code): str(name) for code, name in Locale("fr").territories.items()}


def _with_aliases(terms: list[Term]) -> list[Term]:
    aliases = _parse_aliases(_read_data_text(_ALIASES_FILE))
    known = {(t.vocabulary, t.code) for t in terms}
    unknown = sorted(set(aliases) - known)
    if unknown:
        raise ValueError(f"{_ALIASES_FILE}: unknown terms {unknown}")
    french = _french_region_names()
    out = []
    for term in terms:
        names = list(aliases.get((term.vocabulary, term.code), ()))
        if term.vocabulary == "region" and term.code in french:
            names.insert(0, french[term.code])
        names = [n for n in dict.fromkeys(names) if n.casefold() != term.label.casefold()]
        out.append(dataclasses.replace(term, aliases=tuple(names)) if names else term)
    return out


@functools.lru_cache(maxsize=1)
def _shipped_terms() -> tuple[Term, ...]:
    terms = _with_aliases(
        [
            *_parse_regions(_read_data_text(_REGIONS_FILE)),
            *_parse_yaml_vocabularies(_read_data_text(_VOCABULARIES_FILE)),
            *_languages(),
        ]
    )
    seen: set[tuple[str, str]] = set()
    for term in terms:
        key = (term.vocabulary, term.code)
        if key in seen:
            raise ValueError(f"duplicate code {term.code!r} in vocabulary {term.vocabulary!r}")
        seen.add(key)
    return tuple(terms)


def load_shipped_terms() -> list[Term]:
    """All shipped terms, grouped by vocabulary in `VOCABULARY_NAMES` order.

    The parse is cached; each call returns a new list so callers may mutate it.
    """
    return list(_shipped_terms())

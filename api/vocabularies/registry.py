"""Lookups, validation and region hierarchy queries over a set of vocabulary terms.

This module owns the rules for using controlled vocabularies: which codes are
valid (and whether deprecated ones are still accepted), how a region code
expands to its UN M49 ancestors for search, and which values an indicator's
unit allows.

Invariant: a `VocabularyRegistry` is immutable once built and derives everything
from the terms it was given, so the same class serves the shipped defaults and
the database-backed vocabulary table. Region ancestor chains are precomputed at
construction; a region whose parent is missing (or part of a cycle) keeps the
chain that exists instead of failing.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from api.vocabularies.loader import VOCABULARY_NAMES, Term, load_shipped_terms

REGION = "region"
INDICATOR = "indicator"
WORLD = "001"
COUNTRY_LEVEL = "country"


class UnknownVocabulary(LookupError):
    """Raised when a caller names a vocabulary the registry does not know."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown vocabulary: {name!r}")
        self.name = name


def _sort_key(term: Term) -> tuple[int, str]:
    return (term.sort_order, term.code)


class VocabularyRegistry:
    """Immutable index over vocabulary terms; see the module docstring."""

    def __init__(self, terms: Iterable[Term]) -> None:
        # Known vocabularies always exist, even with no terms, so a freshly
        # migrated database does not turn ordinary lookups into errors.
        by_vocabulary: dict[str, dict[str, Term]] = {name: {} for name in VOCABULARY_NAMES}
        for term in terms:
            codes = by_vocabulary.setdefault(term.vocabulary, {})
            if term.code in codes:
                raise ValueError(f"duplicate code {term.code!r} in vocabulary {term.vocabulary!r}")
            codes[term.code] = term
        self._by_vocabulary = by_vocabulary
        self._ordered: dict[str, tuple[Term, ...]] = {
            name: tuple(sorted(codes.values(), key=_sort_key))
            for name, codes in by_vocabulary.items()
        }
        extra_names = sorted(set(by_vocabulary) - set(VOCABULARY_NAMES))
        self._names: tuple[str, ...] = (*VOCABULARY_NAMES, *extra_names)

        regions = by_vocabulary[REGION]
        self._ancestors: dict[str, tuple[str, ...]] = {
            code: self._walk_up(code, regions) for code in regions
        }
        countries_under: dict[str, set[str]] = {}
        for code, term in regions.items():
            if term.level != COUNTRY_LEVEL:
                continue
            countries_under.setdefault(code, set()).add(code)
            for ancestor in self._ancestors[code]:
                countries_under.setdefault(ancestor, set()).add(code)
        self._countries_under: dict[str, frozenset[str]] = {
            code: frozenset(members) for code, members in countries_under.items()
        }

    @staticmethod
    def _walk_up(code: str, regions: dict[str, Term]) -> tuple[str, ...]:
        chain: list[str] = []
        seen = {code}
        parent = regions[code].parent
        # Stops at a parent that is not a known region: the database may gain a
        # country before its region, and a cycle must not hang startup.
        while parent is not None and parent in regions and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = regions[parent].parent
        return tuple(chain)

    def _codes(self, name: str) -> dict[str, Term]:
        try:
            return self._by_vocabulary[name]
        except KeyError:
            raise UnknownVocabulary(name) from None

    def names(self) -> list[str]:
        """Vocabulary names: the standard ones in canonical order, then any extras sorted."""
        return list(self._names)

    def terms(self, name: str) -> list[Term]:
        """All terms of a vocabulary, deprecated ones included, in display order."""
        self._codes(name)
        return list(self._ordered[name])

    def get(self, name: str, code: str) -> Term | None:
        return self._codes(name).get(code)

    def is_valid(self, name: str, code: str, *, allow_deprecated: bool = False) -> bool:
        """Whether `code` may be used; deprecated codes only when `allow_deprecated`.

        `allow_deprecated` exists so entries saved before a deprecation still
        validate on re-read while new writes are steered to the replacement.
        """
        term = self.get(name, code)
        if term is None:
            return False
        return allow_deprecated or not term.deprecated

    def replacement(self, name: str, code: str) -> str | None:
        """The `replaced_by` code of a deprecated term, else None."""
        term = self.get(name, code)
        if term is None or not term.deprecated:
            return None
        return term.replaced_by

    def ancestors(self, region_code: str) -> list[str]:
        """Known ancestors of a region, nearest first; [] for the root or an unknown code."""
        return list(self._ancestors.get(region_code, ()))

    def expand_regions(self, codes: Iterable[str]) -> list[str]:
        """The given codes plus all their ancestors, de-duplicated and sorted.

        Unknown codes are kept as given: rejecting them is validation's job,
        and dropping them here would hide the problem.
        """
        expanded: set[str] = set()
        for code in codes:
            expanded.add(code)
            expanded.update(self._ancestors.get(code, ()))
        return sorted(expanded)

    def is_country(self, code: str) -> bool:
        term = self._by_vocabulary[REGION].get(code)
        return term is not None and term.level == COUNTRY_LEVEL

    def countries_under(self, region_code: str) -> set[str]:
        """Countries whose ancestor chain contains `region_code`; a country is under itself."""
        return set(self._countries_under.get(region_code, ()))

    def region_tree(self) -> list[dict[str, Any]]:
        """The region hierarchy as nested dicts for pickers and facets.

        The first root is World ("001"). Regions whose chain never reaches a
        known root (missing parent, or a parent cycle) follow as further roots
        so no country silently disappears from the picker; every region
        appears exactly once.
        """
        regions = self._ordered[REGION]
        children: dict[str, list[Term]] = {}
        roots: list[Term] = []
        for term in regions:
            ancestors = self._ancestors[term.code]
            if ancestors:
                children.setdefault(ancestors[0], []).append(term)
            else:
                roots.append(term)
        roots.sort(key=lambda term: (term.code != WORLD, term.sort_order, term.code))
        placed: set[str] = set()

        def node(term: Term) -> dict[str, Any]:
            placed.add(term.code)
            entry: dict[str, Any] = {
                "code": term.code,
                "label": term.label,
                "level": term.level,
                "children": [
                    node(child) for child in children.get(term.code, ()) if child.code not in placed
                ],
            }
            if term.level == COUNTRY_LEVEL:
                entry["ancestors"] = list(self._ancestors[term.code])
            return entry

        tree = [node(root) for root in roots]
        # Members of a parent cycle have ancestors yet hang under no root.
        tree.extend(node(term) for term in regions if term.code not in placed)
        return tree

    def indicator_unit(self, code: str) -> str | None:
        term = self._by_vocabulary[INDICATOR].get(code)
        return None if term is None else term.unit

    def check_indicator_value(self, code: str, value: float) -> str | None:
        """None when `value` is acceptable for the indicator's unit, else a message.

        Indicators are aggregates, so every unit is non-negative except effect
        sizes. A unit this code does not know only gets the finiteness check,
        so a newly added unit is not rejected before its rule exists.
        """
        term = self._by_vocabulary[INDICATOR].get(code)
        if term is None:
            return "unknown indicator"
        # bool is an int subclass; True as a count is almost certainly a client bug.
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{term.label}: value must be a number"
        if not math.isfinite(value):
            return f"{term.label}: value must be a finite number"
        unit = term.unit
        if unit == "count":
            whole = isinstance(value, int) or value.is_integer()
            if value < 0 or not whole:
                return f"{term.label}: a count must be a whole number of at least 0"
        elif unit in ("percent", "score"):
            if not 0 <= value <= 100:
                kind = "a percentage" if unit == "percent" else "a score"
                return f"{term.label}: {kind} must be between 0 and 100"
        elif unit == "months":
            if value < 0:
                return f"{term.label}: a number of months must be at least 0"
        elif unit == "currency_usd":
            if value < 0:
                return f"{term.label}: an amount in USD must be at least 0"
        elif unit == "effect_size" and not -5 <= value <= 5:
            return f"{term.label}: an effect size must be between -5 and 5"
        return None


@functools.lru_cache(maxsize=1)
def shipped_registry() -> VocabularyRegistry:
    """A registry over the shipped data files only, built once per process."""
    return VocabularyRegistry(load_shipped_terms())

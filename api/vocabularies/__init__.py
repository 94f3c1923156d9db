"""Controlled vocabularies: regions, program types, indicators, languages and the rest.

This package owns the shipped term lists (`data/`) and the rules for using them.
`loader` turns the data files into `Term` values; `registry` answers lookups,
validity and region-hierarchy questions over any set of terms, so the same code
serves the shipped defaults and the database-backed vocabulary table.
"""

from api.vocabularies.loader import VOCABULARY_NAMES, Term, load_shipped_terms
from api.vocabularies.registry import UnknownVocabulary, VocabularyRegistry, shipped_registry

__all__ = [
    "VOCABULARY_NAMES",
    "Term",
    "UnknownVocabulary",
    "VocabularyRegistry",
    "load_shipped_terms",
    "shipped_registry",
]

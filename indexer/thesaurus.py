"""The search thesaurus of a vocabulary registry: every program type, target
population, setting, region and impediment type with its label and aliases (`language.Concept`).

Used at index time (each document's `vocabulary_text` names its tags by all
their names), by the API (the embedded engine expands query words with it; the
explanation of a hit names the tags it matched) and for Meilisearch's
`synonyms` setting. A registry is immutable, so its thesaurus is built once."""

from __future__ import annotations

import functools

from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.language import Concept, Thesaurus

# Document facet → vocabulary; the tags a query word may name.
CONCEPT_FACETS: dict[str, str] = {
    "program_type": "program_type",
    "target_population": "target_population",
    "setting": "setting",
    "region": "region",
    "impediment_type": "impediment_type",
}
WORLD = "001"  # every entry is in the world: naming it says nothing


def concept(registry: VocabularyRegistry, facet: str, code: str) -> Concept | None:
    term = registry.get(CONCEPT_FACETS[facet], code)
    if term is None or (facet == "region" and code == WORLD):
        return None
    return Concept(facet=facet, code=code, label=term.label, names=(term.label, *term.aliases))


@functools.lru_cache(maxsize=4)
def thesaurus_of(registry: VocabularyRegistry) -> Thesaurus:
    concepts = []
    for facet, vocabulary in CONCEPT_FACETS.items():
        for term in registry.terms(vocabulary):
            found = concept(registry, facet, term.code)
            if found is not None and not term.deprecated:
                concepts.append(found)
    return Thesaurus(concepts)

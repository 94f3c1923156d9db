"""Pure: the current state of an entry → its search document (or none).

Only published entries are searchable; a draft, submitted, rejected or retracted
entry has no document, so the indexer deletes it from the engine. Region codes
are expanded to every M49 ancestor (an entry tagged only KE is found under 014,
202, 002 and 001), and `readers` are the tags that may read the entry's *live published* version
(`api.access.search_tags`): search shows published content only, so a curator
reviewing a pending widening of a private entry never finds its live text.
The organization's name and facet value are stored only if every reader may know
it (`api.access.organization_indexable`): an entry published with its
organization hidden is not found by that name, and adds no `organization` facet
value; the API names its organization per caller."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.access import organization_indexable, search_tags
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import SearchDocument
from indexer.backends.language import vocabulary_text
from indexer.thesaurus import CONCEPT_FACETS, concept


@dataclass(frozen=True)
class EntrySource:
    """What the document builder needs of an entry, read in one place (indexer.source)."""

    id: str
    status: str
    visibility: str
    organization_id: int
    organization_slug: str
    organization_name: str
    partner_ids: tuple[int, ...]
    kind: str
    title: str
    summary: str
    body: str
    language: str
    program_types: tuple[str, ...]
    regions: tuple[str, ...]
    settings: tuple[str, ...]
    target_populations: tuple[str, ...]
    evaluation_design: str | None
    evidence_level: str | None
    published_at: datetime | None
    attachment_texts: tuple[str, ...]
    review_status: str | None = None
    requested_visibility: str | None = None
    organization_display: str = "named"
    # The texts of the structured findings, lessons and recommendations.
    findings: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    # A policy framework's structured fields (api.entries.schemas.PolicyFields).
    policy: Mapping[str, Any] | None = None
    # Harvested from a peer (api.federation.harvest): where it comes from.
    origin_node: str | None = None
    origin_id: str | None = None


def fingerprint(document: dict[str, object]) -> str:
    # The key order is fixed by build_document and the values are str, int, None
    # and lists of str, whose repr is stable; repr is ~40% cheaper than JSON, and
    # this runs for every entry twice per reindex.
    values = tuple(v for k, v in document.items() if k != "fingerprint")
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def _codes(values: Sequence[str | None]) -> list[str]:
    return sorted({v for v in values if v})


def build_document(source: EntrySource, registry: VocabularyRegistry) -> SearchDocument | None:
    if source.status != "published":
        return None
    readers = search_tags(
        entry_id=source.id,
        status=source.status,
        visibility=source.visibility,
        owner_id=source.organization_id,
        partner_ids=source.partner_ids,
    )
    published = source.published_at
    policy = source.policy or {}
    named = organization_indexable(
        display=source.organization_display,
        owner_id=source.organization_id,
        partner_ids=source.partner_ids,
        readers=readers,
    )
    document: SearchDocument = {
        "id": source.id,
        "title": source.title,
        "summary": source.summary,
        "findings": "\n".join(source.findings),
        "lessons": "\n".join(source.lessons),
        "recommendations": "\n".join(source.recommendations),
        "body": source.body,
        "attachment_text": "\n\n".join(source.attachment_texts),
        "organization_name": source.organization_name if named else "",
        "region": registry.expand_regions(source.regions),
        "country": _codes([c for c in source.regions if registry.is_country(c)]),
        "program_type": _codes(source.program_types),
        "kind": [source.kind],
        "target_population": _codes(source.target_populations),
        "setting": _codes(source.settings),
        "evaluation_design": _codes([source.evaluation_design]),
        "evidence_level": _codes([source.evidence_level]),
        "language": [source.language],
        "organization": [source.organization_slug] if named else [],
        "impediment_type": _codes(policy.get("impediment_types") or []),
        "policy_status": _codes([policy.get("status")]),
        "policy_level": _codes([policy.get("level")]),
        "jurisdiction": _codes([policy.get("jurisdiction")]),
        "display_regions": list(source.regions),
        "year": published.year if published else None,
        "published_at": int(published.timestamp()) if published else 0,
        "published_date": published.date().isoformat() if published else None,
        "readers": sorted(readers),
        "origin_node": source.origin_node or "",
        "origin_id": source.origin_id or "",
        "fingerprint": "",
        "vocabulary_text": "",
    }
    # The entry's tags by all their names (labels and aliases, EN/FR): a query
    # naming a tag finds the entry whatever words its text uses.
    tags = [
        found
        for facet in CONCEPT_FACETS
        for code in document[facet]  # type: ignore[literal-required]
        if (found := concept(registry, facet, code)) is not None
    ]
    document["vocabulary_text"] = vocabulary_text(tags)
    document["fingerprint"] = fingerprint(dict(document))
    return document


def plan_writes(
    entry_ids: Sequence[str], sources: Mapping[str, EntrySource], registry: VocabularyRegistry
) -> tuple[list[SearchDocument], list[str]]:
    """Split entries into documents to upsert and ids to delete (gone or unpublished)."""
    documents: list[SearchDocument] = []
    removals: list[str] = []
    for entry_id in entry_ids:
        source = sources.get(entry_id)
        document = build_document(source, registry) if source else None
        if document is None:
            removals.append(entry_id)
        else:
            documents.append(document)
    return documents, removals

"""schema.org JSON-LD of an entry, for search engines and linked-data tools:
public entries only (what an anonymous caller reads), and never an organization
the public may not know. The context is the schema.org IRI, written out, never
fetched: nothing here resolves remote contexts."""

from __future__ import annotations

from typing import Any

from api.access import ANONYMOUS, entry_access, entry_facts, organization_shown
from api.models import Entry

JSONLD_MEDIA_TYPE = "application/ld+json"
KIND_TYPES = {"evaluation": "Report", "lessons_learned": "Article", "case_study": "Article"}


def entry_jsonld(entry: Entry, *, node_url: str, node_name: str) -> dict[str, Any] | None:
    """The JSON-LD document, or None if the public may not read the entry."""
    if not entry_access(ANONYMOUS, entry_facts(entry)).live:
        return None
    organization = organization_shown(ANONYMOUS, entry)
    url = f"{node_url}/entries/{entry.id}"
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": KIND_TYPES.get(entry.kind, "CreativeWork"),
        "@id": url,
        "url": url,
        "name": entry.title,
        "abstract": entry.summary,
        "inLanguage": entry.language,
        "keywords": list(entry.program_types or []),
        "spatialCoverage": [{"@type": "Place", "name": code} for code in entry.regions or []],
        "author": [{"@type": "Person", "name": name} for name in entry.authors or []],
        "publisher": {"@type": "Organization", "name": organization.name}
        if organization
        else {"@type": "Organization", "name": node_name},
    }
    if entry.published_at:
        document["datePublished"] = entry.published_at.date().isoformat()
    if entry.license:
        document["license"] = entry.license
    if entry.origin_node and entry.origin_id:
        document["isBasedOn"] = f"{entry.origin_node}/entries/{entry.origin_id}"
    return document

"""Search use case: validate the request, build the engine query, map the answer.

Visibility is the caller's reader tags from `api.access`, passed into the engine
query, so hits, totals, facet counts and highlights all respect it. A hit whose
document carries no organization (published with it hidden, see
`indexer.documents`) is named per caller by `api.access.organization_shown`. Every facet
value is checked against its vocabulary (or the organization directory) before
it reaches an engine; unknown ones are a 422 naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.access import Principal, organization_shown, search_filter_tags
from api.entries.schemas import POLICY_LEVELS, POLICY_STATUSES, OrganizationRef, Origin
from api.entries.views import organization_ref
from api.errors import FieldError, ServiceUnavailable, ValidationFailed
from api.models import Entry, Organization
from api.search.schemas import MatchReason, SearchHit, SearchResponse
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import BackendError, Hit, SearchBackend, SearchQuery
from indexer.thesaurus import CONCEPT_FACETS, thesaurus_of

FACET_VOCABULARY = {
    "region": "region",
    "country": "region",
    "program_type": "program_type",
    "kind": "kind",
    "target_population": "target_population",
    "setting": "setting",
    "evaluation_design": "evaluation_design",
    "evidence_level": "evidence_level",
    "language": "language",
    "impediment_type": "impediment_type",
    "jurisdiction": "region",
}
# Facets whose codes are fixed by the entry schema rather than a vocabulary.
FIXED_FACET_CODES: dict[str, tuple[str, ...]] = {
    "policy_status": POLICY_STATUSES,
    "policy_level": POLICY_LEVELS,
}
MAX_QUERY_WORDS_CHARS = 1_000


def _current_code(registry: VocabularyRegistry, vocabulary: str, code: str) -> str:
    """Follow `replaced_by` to the live code (chains arise when a replacement is
    itself deprecated later; the seen-set only guards against a corrupt table)."""
    seen = {code}
    while (replacement := registry.replacement(vocabulary, code)) and replacement not in seen:
        seen.add(replacement)
        code = replacement
    return code


def _same_concept(registry: VocabularyRegistry, vocabulary: str, code: str) -> set[str]:
    """`code`, the live code it resolves to, and every deprecated code resolving to
    that one: filtering by an old code finds entries tagged with its replacement,
    and filtering by the replacement finds entries still tagged with old codes."""
    current = _current_code(registry, vocabulary, code)
    same = {code, current}
    same.update(
        term.code
        for term in registry.terms(vocabulary)
        if term.deprecated and _current_code(registry, vocabulary, term.code) == current
    )
    return same


def _check_filters(
    session_factory: sessionmaker[Session],
    registry: VocabularyRegistry,
    filters: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    errors: list[FieldError] = []
    checked: dict[str, list[str]] = {}
    for facet, values in filters.items():
        if not values:
            continue
        accepted: list[str] = []
        if facet == "organization":
            with session_factory() as session:
                known = set(
                    session.scalars(select(Organization.slug).where(Organization.slug.in_(values)))
                )
            for value in values:
                if value not in known:
                    errors.append(
                        FieldError(
                            f"query.{facet}",
                            f"no organization {value!r}",
                            value=value,
                            valid_codes="/v1/organizations",
                        )
                    )
            accepted = sorted(known)
        elif facet in FIXED_FACET_CODES:
            allowed = FIXED_FACET_CODES[facet]
            for value in values:
                if value not in allowed:
                    errors.append(
                        FieldError(
                            f"query.{facet}",
                            f"{value!r} is not a {facet} code; one of {', '.join(allowed)}",
                            value=value,
                        )
                    )
            accepted = [v for v in values if v in allowed]
        else:
            vocabulary = FACET_VOCABULARY[facet]
            for value in values:
                valid = registry.is_valid(vocabulary, value, allow_deprecated=True)
                if facet == "country" and valid:
                    valid = registry.is_country(value)
                if not valid:
                    errors.append(
                        FieldError(
                            f"query.{facet}",
                            f"{value!r} is not a {facet} code",
                            value=value,
                            valid_codes=f"/v1/vocabularies/{vocabulary}",
                        )
                    )
                    continue
                # Entries indexed before a code was deprecated still carry it, and
                # newer ones carry its replacement: a filter on either finds both.
                accepted.extend(_same_concept(registry, vocabulary, value))
        checked[facet] = sorted(set(accepted))
    if errors:
        raise ValidationFailed("Some filter values are not known codes.", errors=errors)
    return checked


def _hidden_organizations(
    session_factory: sessionmaker[Session], principal: Principal, entry_ids: Sequence[str]
) -> dict[str, OrganizationRef]:
    """How each hit indexed without its organization names it for this caller."""
    if not entry_ids:
        return {}
    with session_factory() as session:
        entries = session.scalars(select(Entry).where(Entry.id.in_(entry_ids)))
        return {e.id: organization_ref(organization_shown(principal, e)) for e in entries}


def _origin(document: Mapping[str, Any]) -> Origin | None:
    """Where a hit harvested from a peer comes from (federation): every surface marks
    such an entry with its origin. Stored in the search document (an entry's origin
    never changes), so a page of hits needs no database round trip for it."""
    node, origin_id = document.get("origin_node"), document.get("origin_id")
    return Origin(node=node, id=origin_id) if node and origin_id else None


def _reasons(registry: VocabularyRegistry, hit: Hit) -> list[MatchReason]:
    out = []
    for match in hit.matches:
        label = None
        if match.via == "tag" and match.code and match.field in CONCEPT_FACETS:
            term = registry.get(CONCEPT_FACETS[match.field], match.code)
            label = term.label if term else None
        field = "tags" if match.field == "vocabulary_text" else match.field
        out.append(
            MatchReason(words=match.query, field=field, via=match.via, code=match.code, label=label)
        )
    return out


def check_request(
    session_factory: sessionmaker[Session],
    registry: VocabularyRegistry,
    filters: Mapping[str, Sequence[str]],
    year_from: int | None,
    year_to: int | None,
) -> dict[str, list[str]]:
    """The checks a search makes before it asks the engine (a 422 naming the
    parameter), also run on a query saved for later (`api.saved_searches`)."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ValidationFailed(
            "year_from is after year_to.",
            errors=[FieldError("query.year_from", "must not be after year_to")],
        )
    return _check_filters(session_factory, registry, filters)


def search_entries(
    session_factory: sessionmaker[Session],
    *,
    backend: SearchBackend,
    registry: VocabularyRegistry,
    principal: Principal,
    text: str,
    filters: Mapping[str, Sequence[str]],
    year_from: int | None,
    year_to: int | None,
    sort: str,
    page: int,
    per_page: int,
    facets: Sequence[str] = (),
    explain: bool = False,
) -> SearchResponse:
    checked = check_request(session_factory, registry, filters, year_from, year_to)
    with session_factory() as session:
        readers = search_filter_tags(principal, session)
    query = SearchQuery(
        readers=readers,
        text=text.replace("\x00", " ").strip(),
        filters=checked,
        year_from=year_from,
        year_to=year_to,
        sort="newest" if sort == "newest" else "relevance",
        offset=(page - 1) * per_page,
        limit=per_page,
        facets=tuple(facets),
        thesaurus=thesaurus_of(registry),
        explain=explain,
    )
    try:
        result = backend.search(query)
    except BackendError as exc:
        raise ServiceUnavailable("Search is temporarily unavailable; try again shortly.") from exc
    unnamed = _hidden_organizations(
        session_factory,
        principal,
        [hit.id for hit in result.hits if not hit.document.get("organization")],
    )
    hits = []
    for hit in result.hits:
        doc = hit.document
        published = doc.get("published_date")
        kinds = doc.get("kind") or [""]
        hits.append(
            SearchHit(
                id=hit.id,
                kind=kinds[0] if isinstance(kinds, list) else str(kinds),
                title=doc.get("title", ""),
                summary=doc.get("summary", ""),
                organization=OrganizationRef(
                    slug=doc["organization"][0], name=doc.get("organization_name", "")
                )
                if doc.get("organization")
                else unnamed.get(hit.id, organization_ref(None)),
                regions=list(doc.get("display_regions") or []),
                program_types=list(doc.get("program_type") or []),
                published_at=date.fromisoformat(published) if published else None,
                highlights=hit.highlights,
                origin=_origin(doc),
                **({"matches": _reasons(registry, hit)} if explain else {}),
            )
        )
    return SearchResponse(
        query=text,
        total=result.total,
        page=page,
        per_page=per_page,
        hits=hits,
        facets=result.facets,
    )

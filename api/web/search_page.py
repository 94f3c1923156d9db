"""The search page's model: facets (region as a tree), filter chips, links, and the
filters to relax when nothing matches. Pure functions over the search service's
answer and the vocabulary registry; no I/O.

Every link is built from `SearchParams` with the API's parameter names, so a page
address is a valid `/v1/search` query string and the other way round."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from api.search.router import SearchParams
from api.search.schemas import MatchReason
from api.search.service import FACET_VOCABULARY, FIXED_FACET_CODES
from api.vocabularies.registry import WORLD, VocabularyRegistry
from indexer.backends.base import FACETS

# Facets shown as lists of checkboxes, in page order (region is the tree above them).
LIST_FACETS: tuple[str, ...] = (
    "kind",
    "program_type",
    "target_population",
    "setting",
    "evaluation_design",
    "evidence_level",
    "language",
    "impediment_type",
    "policy_status",
    "policy_level",
)
# Shown only when the results have values for them (policy frameworks' fields).
OPTIONAL_FACETS: frozenset[str] = frozenset({"impediment_type", "policy_status", "policy_level"})
DEFAULT_PARAMS = SearchParams()


def export_url(params: SearchParams, format: str) -> str:
    """`/v1/search/export?format=…&…`: the same query (words, filters, years, sort)
    as a file; the export has its own page size, so `page`/`per_page` are left out."""
    query = search_url(params, page=1, per_page=DEFAULT_PARAMS.per_page).partition("?")[2]
    return f"/v1/search/export?{urlencode([('format', format)])}" + (f"&{query}" if query else "")


def search_url(params: SearchParams, **changes: Any) -> str:
    """`/search?…` for `params` with `changes` applied; defaults are left out."""
    if changes:
        params = dataclasses.replace(params, **changes)
    items: list[tuple[str, str | int]] = []
    if params.q:
        items.append(("q", params.q))
    for facet in FACETS:
        items.extend((facet, value) for value in params.filters.get(facet, ()))
    if params.year_from is not None:
        items.append(("year_from", params.year_from))
    if params.year_to is not None:
        items.append(("year_to", params.year_to))
    if params.sort != DEFAULT_PARAMS.sort:
        items.append(("sort", params.sort))
    if params.per_page != DEFAULT_PARAMS.per_page:
        items.append(("per_page", params.per_page))
    if params.page != 1:
        items.append(("page", params.page))
    return "/search" + (f"?{urlencode(items)}" if items else "")


def _without(params: SearchParams, facet: str, value: str | None = None) -> SearchParams:
    filters = {name: list(values) for name, values in params.filters.items()}
    filters[facet] = [v for v in filters.get(facet, []) if value is not None and v != value]
    return dataclasses.replace(params, filters=filters, page=1)


@dataclass(frozen=True)
class Chip:
    """One active filter, with the address of the same search without it."""

    kind: str  # a facet name, "q" or "years"
    vocabulary: str | None  # for the label; None: show `value` as it is
    value: str
    remove_url: str


def chips(params: SearchParams) -> list[Chip]:
    found: list[Chip] = []
    if params.q:
        found.append(Chip("q", None, params.q, search_url(params, q="", page=1)))
    for facet in FACETS:
        for value in params.filters.get(facet, ()):
            found.append(
                Chip(
                    facet,
                    FACET_VOCABULARY.get(facet),
                    value,
                    search_url(_without(params, facet, value)),
                )
            )
    if params.year_from is not None or params.year_to is not None:
        span = f"{params.year_from or '…'}\u2013{params.year_to or '…'}"
        found.append(
            Chip("years", None, span, search_url(params, year_from=None, year_to=None, page=1))
        )
    return found


def relaxations(params: SearchParams) -> list[tuple[str, SearchParams]]:
    """Each group of filters (the words, one facet, the year range) and the same
    search without it: when nothing matches, the page runs these and suggests the
    one that brings back most — the narrowest filter."""
    groups: list[tuple[str, SearchParams]] = []
    if params.q:
        groups.append(("q", dataclasses.replace(params, q="", page=1)))
    for facet in FACETS:
        if params.filters.get(facet):
            groups.append((facet, _without(params, facet)))
    if params.year_from is not None or params.year_to is not None:
        groups.append(("years", dataclasses.replace(params, year_from=None, year_to=None, page=1)))
    return groups


@dataclass(frozen=True)
class FacetValue:
    code: str
    count: int
    checked: bool


@dataclass(frozen=True)
class Facet:
    name: str
    vocabulary: str
    values: list[FacetValue]


def list_facets(
    registry: VocabularyRegistry,
    counts: Mapping[str, Mapping[str, int]],
    params: SearchParams,
) -> list[Facet]:
    """Values with a count, and selected ones even at 0 (so they can be unticked);
    most frequent first, then in the vocabulary's order."""
    facets = []
    for name in LIST_FACETS:
        vocabulary = FACET_VOCABULARY.get(name, name)
        fixed = FIXED_FACET_CODES.get(name)
        order = {code: n for n, code in enumerate(fixed)} if fixed else {
            term.code: n for n, term in enumerate(registry.terms(vocabulary))
        }  # fmt: skip
        selected = set(params.filters.get(name, ()))
        facet_counts = counts.get(name, {})
        codes = {code for code, count in facet_counts.items() if count > 0} | selected
        values = [
            FacetValue(code, facet_counts.get(code, 0), code in selected)
            for code in sorted(
                codes, key=lambda c: (-facet_counts.get(c, 0), order.get(c, 1 << 30))
            )
        ]
        facets.append(Facet(name, vocabulary, values))
    return facets


@dataclass(frozen=True)
class RegionNode:
    code: str
    level: str
    count: int | None  # None: no counts (a picker, not a facet)
    checked: bool
    open: bool  # a descendant is selected: show the branch unfolded
    children: list[RegionNode]


def region_tree(
    registry: VocabularyRegistry, counts: Mapping[str, int] | None, selected: set[str]
) -> list[RegionNode]:
    """Region → sub-region → country. As a facet (`counts` given) it is pruned to
    regions with results or selected; as a picker (`counts` None) every region is
    there. World is the implicit root and is not shown."""

    def build(node: Mapping[str, Any]) -> RegionNode | None:
        children = [built for child in node["children"] if (built := build(child)) is not None]
        code = node["code"]
        count = None if counts is None else counts.get(code, 0)
        checked = code in selected
        if counts is not None and not (count or checked or children):
            return None
        return RegionNode(
            code=code,
            level=node["level"],
            count=count,
            checked=checked,
            open=any(child.checked or child.open for child in children),
            children=children,
        )

    roots: list[RegionNode] = []
    for root in registry.region_tree():
        top = root["children"] if root["code"] == WORLD else [root]
        roots.extend(built for child in top if (built := build(child)) is not None)
    return roots


def page_numbers(page: int, last: int, width: int = 2) -> list[int | None]:
    """1 … p-2 p-1 p p+1 p+2 … last; None stands for a gap."""
    shown = sorted({1, last, *range(max(1, page - width), min(last, page + width) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and isinstance(numbers[-1], int) and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


# Where a match was found, for the "Matched:" line (the template names each in words).
MATCH_PLACES = (
    "program_type",
    "target_population",
    "setting",
    "region",
    "title",
    "summary",
    "body",
    "attachment_text",
    "organization_name",
    "tags",
    "text",
)
MATCHED_SHOWN = 5


def matched(reasons: Sequence[MatchReason]) -> list[tuple[str, str]]:
    """The "Matched:" line of a hit from the search service's explanation
    (`explain=true`, `api.search.service._reasons`): (words, place) pairs, once
    each, tags first (they say what the entry is about, not only which words it
    uses), a tag's name not repeated under "tags", at most MATCHED_SHOWN. An
    unknown place is left out rather than shown as a raw name."""
    tags = [r for r in reasons if r.via in ("tag", "synonym") and r.field in FACET_VOCABULARY]
    tagged_words = {r.words for r in tags}
    # The names of the entry's tags (`tags`) say again what a tag match says.
    rest = [
        r for r in reasons if r not in tags and not (r.field == "tags" and r.words in tagged_words)
    ]
    pairs = dict.fromkeys((r.words, r.field) for r in [*tags, *rest] if r.field in MATCH_PLACES)
    return list(pairs)[:MATCHED_SHOWN]

"""`GET /v1/search`, and the query-string contract it shares with the web search page."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.dependencies import CurrentPrincipal
from api.db import ReadSession
from api.entries.dependencies import VisibleEntry
from api.entries.views import summary_of
from api.errors import FieldError, ValidationFailed, problem_responses
from api.models import Entry
from api.search import export, related, service
from api.search.schemas import RelatedEntries, SearchHit, SearchResponse
from api.vocabularies.router import registry_of
from indexer.backends.base import FACETS

router = APIRouter(prefix="/v1", tags=["search"])

Values = Annotated[list[str], Query(max_length=50)]
Sort = Literal["relevance", "newest"]


@dataclass(frozen=True)
class SearchParams:
    """One search request as its query string states it (the API's names)."""

    q: str = ""
    page: int = 1
    per_page: int = 20
    sort: Sort = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    # Facets to count: None = not stated (the web page counts all, the API none).
    facets: tuple[str, ...] | None = None
    explain: bool = False


def _facet_names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise ValidationFailed(
            "Unknown facet names.",
            errors=[
                FieldError(
                    "query.facets",
                    f"{name!r} is not a facet; facets are {', '.join(FACETS)}",
                    value=name,
                )
                for name in unknown
            ],
        )
    return names


def search_params(
    q: Annotated[str, Query(max_length=10_000, description="Words; typos tolerated")] = "",
    page: Annotated[int, Query(ge=1, le=1_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: Sort = "relevance",
    region: Values = [],  # noqa: B006 - FastAPI copies defaults per request
    country: Values = [],  # noqa: B006
    program_type: Values = [],  # noqa: B006
    kind: Values = [],  # noqa: B006
    target_population: Values = [],  # noqa: B006
    setting: Values = [],  # noqa: B006
    evaluation_design: Values = [],  # noqa: B006
    evidence_level: Values = [],  # noqa: B006
    language: Values = [],  # noqa: B006
    organization: Values = [],  # noqa: B006
    impediment_type: Values = [],  # noqa: B006
    policy_status: Annotated[
        list[str], Query(max_length=50, description="in_force, repealed or proposed")
    ] = [],  # noqa: B006
    policy_level: Annotated[
        list[str], Query(max_length=50, description="global, regional, national or local")
    ] = [],  # noqa: B006
    jurisdiction: Annotated[
        list[str],
        Query(max_length=50, description="A policy framework's own jurisdiction (region code)"),
    ] = [],  # noqa: B006
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    facets: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Comma-separated facets to count, e.g. `region,program_type`;"
            " none unless asked",
        ),
    ] = None,
    explain: Annotated[
        bool, Query(description="Per hit, which words matched in which fields (and how)")
    ] = False,
) -> SearchParams:
    return SearchParams(
        q=q,
        page=page,
        per_page=per_page,
        sort=sort,
        filters={
            "region": region,
            "country": country,
            "program_type": program_type,
            "kind": kind,
            "target_population": target_population,
            "setting": setting,
            "evaluation_design": evaluation_design,
            "evidence_level": evidence_level,
            "language": language,
            "organization": organization,
            "impediment_type": impediment_type,
            "policy_status": policy_status,
            "policy_level": policy_level,
            "jurisdiction": jurisdiction,
        },
        year_from=year_from,
        year_to=year_to,
        facets=_facet_names(facets),
        explain=explain,
    )


async def _search_params_on_the_loop(**arguments: Any) -> SearchParams:
    """`search_params` as a coroutine: FastAPI runs a plain function dependency in
    the thread pool, a hop (and a wait for the GIL) per request for what is a few
    microseconds of parsing; `search_params` stays a function for saved searches."""
    return search_params(**arguments)


_search_params_on_the_loop.__signature__ = inspect.signature(search_params)  # type: ignore[attr-defined]

SearchQueryString = Annotated[SearchParams, Depends(_search_params_on_the_loop)]


def run_search(request: Request, principal: Principal, params: SearchParams) -> SearchResponse:
    # No session dependency: only an organization filter needs the database, and
    # the service opens one for that.
    return service.search_entries(
        request.app.state.session_factory,
        backend=request.app.state.search_backend,
        registry=registry_of(request),
        principal=principal,
        text=params.q,
        filters=params.filters,
        year_from=params.year_from,
        year_to=params.year_to,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        facets=FACETS if params.facets is None else params.facets,
        explain=params.explain,
    )


@router.get(
    "/search",
    summary="Search entries by words, region, program type and other facets",
    responses=problem_responses(401, 422, 503),
    response_model=SearchResponse,
)
def search(request: Request, principal: CurrentPrincipal, params: SearchQueryString) -> Response:
    # Serialised here, once: the response model is already validated, and skipping
    # FastAPI's second validation pass matters on this hot path (facets carry
    # hundreds of values).
    if params.facets is None:  # the API counts facets only when asked
        params = dataclasses.replace(params, facets=())
    result = run_search(request, principal, params)
    # A hit's `matches` appears only with explain=true.
    hidden: Any = None if params.explain else {"hits": {"__all__": {"matches"}}}
    return Response(result.model_dump_json(exclude=hidden), media_type="application/json")


EXPORT_DESCRIPTION = f"""The hits of the same query as `GET /v1/search` (same parameters,
same errors), as a file: CSV, RIS or BibTeX. At most {export.EXPORT_ROWS:,} rows per
file (the node's `OFFRAMP_EXPORT_MAX_ROWS`), in the search's order; `page=2` gives
the next ones (`per_page` is ignored). `X-Total-Count` is the number of hits, and a `Link`
header with `rel="next"` names the next page while there are more. Only what the
caller may read: an organization hidden from the caller is left out (never an
author, publisher or institution); body, indicators, attachments and protected
fields are never exported."""


@router.get(
    "/search/export",
    summary="Export the hits of a search as CSV, RIS or BibTeX",
    description=EXPORT_DESCRIPTION,
    responses={
        **problem_responses(401, 422, 503),
        200: {
            "content": {media.split(";")[0]: {} for media in export.MEDIA_TYPES.values()},
            "description": "The file",
        },
    },
)
def export_search(
    request: Request,
    principal: CurrentPrincipal,
    params: SearchQueryString,
    session: ReadSession,
    format: Annotated[
        export.ExportFormat, Query(description="`csv`, `ris` (RIS) or `bibtex` (BibTeX)")
    ],
) -> Response:
    rows: int = request.app.state.settings.export_max_rows
    params = dataclasses.replace(params, per_page=rows, facets=(), explain=False)
    result = run_search(request, principal, params)
    records = export.export_records(
        session,
        principal,
        registry_of(request),
        [hit.id for hit in result.hits],
        public_url=request.app.state.settings.public_url,
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename(format, params.q)}"',
        "X-Total-Count": str(result.total),
    }
    if result.total > params.page * rows:
        following = request.url.include_query_params(page=params.page + 1)
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'
    body = export.render(format, records, registry_of(request))
    return Response(body, media_type=export.MEDIA_TYPES[format], headers=headers)


def find_related(
    request: Request, session: Session, principal: Principal, entry: Entry, limit: int
) -> list[SearchHit]:
    """Related entries of a readable `entry`, as the caller is shown it (also for
    the web entry page)."""
    shown = summary_of(session, entry, principal)
    return related.related_entries(
        request.app.state.session_factory,
        backend=request.app.state.search_backend,
        registry=registry_of(request),
        principal=principal,
        entry_id=entry.id,
        title=shown.title,
        summary=shown.summary,
        program_types=shown.program_types,
        regions=shown.regions,
        limit=limit,
    )


@router.get(
    "/entries/{entry_id}/related",
    summary='Entries like this one ("more like this") that the caller may read',
    description="Up to `limit` entries sharing program types and regions with the entry"
    " and similar in words, those sharing both ranked first; never the entry itself."
    " An entry the caller may not read is a 404.",
    responses=problem_responses(401, 404, 422, 503),
    response_model=RelatedEntries,
)
def get_related(
    entry: VisibleEntry,
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=related.MAX_RELATED)] = related.DEFAULT_RELATED,
) -> Response:
    hits = find_related(request, session, principal, entry, limit)
    body = RelatedEntries(entry_id=entry.id, items=hits)
    hidden: Any = {"items": {"__all__": {"matches"}}}
    return Response(body.model_dump_json(exclude=hidden), media_type="application/json")

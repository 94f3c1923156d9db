"""`GET /v1/search`, and the query-string contract it shares with the web search page."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from api.access import Principal
from api.auth.dependencies import CurrentPrincipal
from api.errors import FieldError, ValidationFailed, problem_responses
from api.search import service
from api.search.schemas import SearchResponse
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


SearchQueryString = Annotated[SearchParams, Depends(search_params)]


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

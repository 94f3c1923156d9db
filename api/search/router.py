"""`GET /v1/search`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.auth.dependencies import CurrentPrincipal
from api.errors import problem_responses
from api.search import service
from api.search.schemas import SearchResponse
from api.vocabularies.router import registry_of

router = APIRouter(prefix="/v1", tags=["search"])

Values = Annotated[list[str], Query(max_length=50)]


@router.get(
    "/search",
    summary="Search entries by words, region, program type and other facets",
    responses=problem_responses(401, 422, 503),
    response_model=SearchResponse,
)
def search(
    request: Request,
    principal: CurrentPrincipal,
    q: Annotated[str, Query(max_length=10_000, description="Words; typos tolerated")] = "",
    page: Annotated[int, Query(ge=1, le=1_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: Literal["relevance", "newest"] = "relevance",
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
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> Response:
    filters = {
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
    }
    # Serialised here, once: the response model is already validated, and skipping
    # FastAPI's second validation pass matters on this hot path (facets carry
    # hundreds of values). No session dependency either: only an organization
    # filter needs the database, and the service opens one for that.
    result = service.search_entries(
        request.app.state.session_factory,
        backend=request.app.state.search_backend,
        registry=registry_of(request),
        principal=principal,
        text=q,
        filters=filters,
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return Response(result.model_dump_json(), media_type="application/json")

"""The response contract of `GET /v1/search` (SPEC §4; field names are a contract)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from api.entries.schemas import OrganizationRef, Origin


class SearchHit(BaseModel):
    id: str
    kind: str
    title: str
    summary: str
    organization: OrganizationRef
    regions: list[str]
    program_types: list[str]
    published_at: date | None
    highlights: dict[str, str]
    origin: Origin | None = None  # the peer node an entry was harvested from


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]

"""The response contract of `GET /v1/search` (SPEC §4; field names are a contract)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from api.entries.schemas import OrganizationRef, Origin


class MatchReason(BaseModel):
    """Why a hit matched (with `explain=true`): the query words `words` were found
    in `field` — a text field (`title`, `summary`, `findings`, `lessons`,
    `recommendations` — an evaluation's structured items —, `body`,
    `attachment_text`, `organization_name`, `tags` = the names of the entry's tags, or `text` when
    a typo or prefix matched), or a tag facet (`program_type`,
    `target_population`, `setting`, `region`) — `via` the word itself or its
    stem (`word`), a `typo`/prefix, another name of the vocabulary concept the
    words name (`synonym`), or the entry being tagged with it (`tag`, with the
    tag's `code` and `label`)."""

    words: str
    field: str
    via: Literal["word", "typo", "synonym", "tag"]
    code: str | None = None
    label: str | None = None


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
    matches: list[MatchReason] = []


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]


class RelatedEntries(BaseModel):
    """`GET /v1/entries/{id}/related`: entries like `entry_id`, most alike first."""

    entry_id: str
    items: list[SearchHit]

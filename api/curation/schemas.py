"""Bodies of the curation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import EntrySummary

Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = None


class RetractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="safety_risk, consent_withdrawn, factual_error, duplicate, "
                        "out_of_scope, owner_request or other")  # fmt: skip
    comment: Comment | None = None


class TransitionRead(BaseModel):
    action: str
    from_status: str
    to_status: str
    revision: int | None
    actor_account_id: int | None
    comment: str | None
    created_at: datetime


class ActionsRead(BaseModel):
    status: str
    review_status: str | None
    allowed: list[str]


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Comment
    field: Annotated[str, StringConstraints(max_length=64)] | None = None


class CommentRead(BaseModel):
    id: int
    author_account_id: int | None
    author_role: str
    field: str | None
    body: str
    created_at: datetime


class TagsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: Annotated[list[Annotated[str, StringConstraints(max_length=60)]], Field(max_length=20)]


class CurationRead(BaseModel):
    tags: list[str]
    featured: bool


class DuplicateRead(BaseModel):
    entry_id: str
    title: str
    organization: str
    reasons: list[str]


class QueueItem(EntrySummary):
    review_status: str | None
    requested_visibility: str | None
    submitted_at: datetime | None
    possible_duplicates: list[DuplicateRead]


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]


class DiffRead(BaseModel):
    from_revision: int
    to_revision: int
    changes: dict[str, dict[str, Any]]


class EventRead(BaseModel):
    id: int
    entry_id: str | None
    kind: str
    message: str
    created_at: datetime


class EventPage(BaseModel):
    items: list[EventRead]
    next_after: int | None

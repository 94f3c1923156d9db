"""Bodies of the curation endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import EntrySummary
from api.safety import guidance

Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: Comment | None = None


class RetractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="safety, consent_withdrawn, factual_error, duplicate, "
                        "out_of_scope, owner_request or other (`safety_risk` is read as "
                        "`safety`). The comment of a `safety` retraction is shown to curators "
                        "of other organizations only; the owner learns that it was retracted "
                        "for safety.")  # fmt: skip
    comment: Comment | None = None


class TransitionRead(BaseModel):
    action: str
    from_status: str
    to_status: str
    revision: int | None
    actor_account_id: int | None
    comment: str | None
    reason: str | None = Field(default=None, description="The retraction reason, if any")
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
    organization: str | None = Field(
        description="Its organization's slug; null when it is published with its "
        "organization hidden from you"
    )
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


class FindingRead(BaseModel):
    """One finding of the sensitive-data guard. The identifier itself is never
    stored: `snippet` is its context with every identifier masked."""

    id: int
    revision: int
    field: str = Field(description="e.g. body, indicators[2].note, attachments[<id>]")
    detector: str
    label: str
    status: str = Field(description="open, explained or resolved")
    resolution: str | None = Field(description="fixed, released or rescanned, once resolved")
    explanation: str | None
    snippet: str | None = Field(
        description="Masked context; null for a curator of a held partners entry, who "
        "sees only fields and kinds of finding"
    )
    start: int | None = Field(description="Offsets in the field (for those who may read it)")
    end: int | None
    created_at: datetime


class FindingList(BaseModel):
    revision: int = Field(description="The revision these findings are about")
    held: bool
    items: list[FindingRead]


class ExplanationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    explanation: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ] = Field(description=guidance.text(guidance.EXPLANATION))


class HoldOutcome(BaseModel):
    entry_id: str
    outcome: str = Field(description="released or returned")
    status: str = Field(description="Where the submission went: submitted (on to review), "
                        "published, or changes_requested")  # fmt: skip


class SafetyHoldItem(BaseModel):
    """A held submission as a curator sees it: for a public or network one, the
    entry and the masked snippets; for a partners one, only its kind and which
    fields hold which kinds of finding (SPEC §2)."""

    entry_id: str
    kind: str
    asked_visibility: str
    held_at: datetime | None
    content_shown: bool
    entry: EntrySummary | None
    findings: list[FindingRead]
    allowed: list[str]


class SafetyHoldPage(BaseModel):
    items: list[SafetyHoldItem]
    total: int
    page: int
    per_page: int

"""Bodies of the access-request endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import OrganizationRef

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
MAX_GRANT_DAYS = 365


class AccessRequestCreate(BaseModel):
    """Who asks is taken from the caller's token, never from the body."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why you need the content (the owner reads it)")


class AccessDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: Annotated[int, Field(ge=1, le=MAX_GRANT_DAYS)] = Field(
        default=90, description="How long the grant lasts (approve only)"
    )
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class AccessRequestRead(BaseModel):
    id: int
    entry_id: str
    organization: OrganizationRef
    reason: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_comment: str | None


class AccessGrantRead(BaseModel):
    id: int
    entry_id: str
    organization: OrganizationRef
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

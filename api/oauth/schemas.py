"""Request and response bodies of `/v1/clients` and the OAuth documents.

Invariant: no model here except `ClientCreated` has a field that can hold a
secret, and `ClientCreated` is only ever returned by the create call."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Scope = Literal["entries:read", "entries:write", "curation", "admin", "federation"]


class ClientCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Sahel Pathways CMS"])
    kind: Literal["publisher", "peer"] = "publisher"
    organization: str | None = Field(
        default=None, description="slug of the organization the client acts for"
    )
    scopes: list[Scope] = Field(default_factory=list, max_length=5)


class ClientRead(BaseModel):
    client_id: str
    name: str
    kind: str
    organization: str | None
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    client_secret: str = Field(description="shown once; only a hash is stored")


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str | None = None


class OAuthError(BaseModel):
    error: str
    error_description: str | None = None

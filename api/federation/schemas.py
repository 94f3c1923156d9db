"""Bodies of `/v1/peers` and `/v1/federation/*`.

Only `PeerCreated` has a field holding a secret, and only the create call returns it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from api.entries.schemas import EvidenceItems, PolicyFields, ProgramProfile


class PeerCreate(BaseModel):
    name: str = Field(min_length=1, max_length=40, examples=["sahel-hub"])
    base_url: str = Field(max_length=500, examples=["https://hub.example.org"])
    organizations: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="slugs of our partner organizations whose members the peer hosts",
    )
    remote_client_id: str | None = Field(default=None, max_length=200)
    remote_client_secret: str | None = Field(default=None, max_length=500)


class PeerRead(BaseModel):
    name: str
    base_url: str
    client_id: str
    organizations: list[str]
    harvests: bool = Field(description="whether we hold credentials to pull its feed")
    last_pulled_at: datetime | None
    last_harvest_at: datetime | None
    harvest_failures: int
    next_harvest_at: datetime | None
    last_error: str | None
    created_at: datetime


class PeerCreated(PeerRead):
    client_secret: str = Field(description="the peer's secret for calling us; shown once")


class ChangesPage(BaseModel):
    changes: list[dict[str, Any]] = Field(
        description="upserts ({action, id, version, sha256, origin, entry}) and "
        "tombstones ({action, id, version}), oldest first"
    )
    cursor: str = Field(description="pass back as ?cursor= for what follows")
    more: bool


class InventoryItem(BaseModel):
    id: str
    version: int
    sha256: str


class Inventory(BaseModel):
    items: list[InventoryItem]
    cursor: str


class FederatedIndicator(BaseModel):
    code: str = Field(max_length=64)
    value: float | None
    display: str = Field(default="", max_length=64)
    note: str | None = Field(default=None, max_length=500)


class FederatedAttachment(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # goes into a URL path here
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    url: str = Field(max_length=1000)


class FederatedContent(BaseModel):
    """The content of an upsert, as a harvester validates it before storing."""

    kind: str = Field(max_length=40)
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=20_000)
    body: str = Field(default="", max_length=500_000)
    language: str = Field(max_length=8)
    authors: list[str] = Field(default_factory=list, max_length=200)
    program_types: list[str] = Field(default_factory=list, max_length=50)
    regions: list[str] = Field(default_factory=list, max_length=200)
    settings: list[str] = Field(default_factory=list, max_length=50)
    target_populations: list[str] = Field(default_factory=list, max_length=50)
    actors: list[str] = Field(default_factory=list, max_length=50)
    evaluation_design: str | None = Field(default=None, max_length=64)
    evidence_level: str | None = Field(default=None, max_length=64)
    period_start: date | None = None
    period_end: date | None = None
    links: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    license: str | None = Field(default=None, max_length=64)
    indicators: list[FederatedIndicator] = Field(default_factory=list, max_length=200)
    visibility: Literal["public", "partners"]
    shared_with: list[str] = Field(default_factory=list, max_length=200)
    organization: str | None = Field(default=None, max_length=200)
    published_at: datetime | None = None
    attachments: list[FederatedAttachment] = Field(default_factory=list, max_length=100)
    # Validated with the same schemas as a local write (an origin without them sends none).
    findings: EvidenceItems = []
    lessons: EvidenceItems = []
    recommendations: EvidenceItems = []
    profile: ProgramProfile | None = None
    policy: PolicyFields | None = None

    @field_validator("attachments")
    @classmethod
    def _distinct_documents(cls, value: list[FederatedAttachment]) -> list[FederatedAttachment]:
        if len({a.id for a in value}) != len(value):
            raise ValueError("an attachment id is listed twice")
        return value


class FederatedOrigin(BaseModel):
    node: str = Field(max_length=500)
    id: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=1000)


class FederatedUpsert(BaseModel):
    action: Literal["upsert"]
    id: str = Field(max_length=200)
    version: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    origin: FederatedOrigin
    entry: FederatedContent


class FederatedTombstone(BaseModel):
    action: Literal["tombstone"]
    id: str = Field(max_length=200)
    version: int = Field(ge=0)

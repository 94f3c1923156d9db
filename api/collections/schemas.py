"""Request and response bodies of the collections API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import EntrySummary

CollectionVisibility = Literal["public", "network"]
Slug = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
    ),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1_000)]
EntryIdIn = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
]
MAX_ITEMS = 500


class CollectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug = Field(description="Stable, URL-safe name; cannot be changed later")
    title: Title
    description: Description = ""
    visibility: CollectionVisibility = "public"


class CollectionUpdate(BaseModel):
    """A partial update: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    visibility: CollectionVisibility | None = None


class CollectionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: EntryIdIn
    note: Note | None = None


class CollectionItemsUpdate(BaseModel):
    """The complete, ordered list of items; it replaces the current one."""

    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[CollectionItemIn], Field(max_length=MAX_ITEMS)]


class CollectionItemRead(BaseModel):
    position: int = Field(description="1-based position among the items the caller can see")
    note: str | None
    entry: EntrySummary


class CollectionSummary(BaseModel):
    slug: str
    title: str
    description: str
    visibility: CollectionVisibility
    item_count: int = Field(description="Items visible to the caller")
    created_at: datetime
    updated_at: datetime
    href: str


class CollectionRead(CollectionSummary):
    items: list[CollectionItemRead]


class CollectionList(BaseModel):
    items: list[CollectionSummary]

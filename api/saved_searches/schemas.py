"""Request and response shapes of saved searches and alerts."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import EntrySummary

NAME_MAX = 200


def _printable(value: str) -> str:
    """A name is one line of text: it becomes a feed's title (XML refuses control
    characters) and a table cell."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must not contain control characters (tabs, line breaks, …)")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    AfterValidator(_printable),
]


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="What the member calls it")
    query: str = Field(
        max_length=10_000,
        description="A search address (`/search?…`, `/v1/search?…`, a full URL) or its"
        " query string; validated like `GET /v1/search`",
    )


class SavedSearchRead(BaseModel):
    id: int
    name: str
    query: str = Field(description="The normalised query string (words, filters, years)")
    search_href: str = Field(description="The search page for this query")
    feed_href: str = Field(description="The Atom feed; feed readers add `?key=<feed key>`")
    new_count: int = Field(description="Alerts since last marked read that the caller may read")
    created_at: datetime
    checked_at: datetime
    href: str


class SavedSearchCreated(SavedSearchRead):
    feed_key: str = Field(description="Shown once; only its hash is kept")
    feed_url: str = Field(description="The feed's address with its key, for a feed reader")


class FeedKey(BaseModel):
    feed_key: str = Field(description="Shown once; the previous key stops working")
    feed_url: str


class SavedSearchList(BaseModel):
    items: list[SavedSearchRead]
    total: int
    limit: int = Field(description="How many saved searches an account may keep")


class SavedSearchRef(BaseModel):
    id: int
    name: str
    href: str


class AlertRead(BaseModel):
    id: int
    saved_search: SavedSearchRef
    entry: EntrySummary
    created_at: datetime
    new: bool = Field(description="Created after the saved search's alerts were marked read")


class AlertList(BaseModel):
    items: list[AlertRead]
    total: int
    page: int
    per_page: int

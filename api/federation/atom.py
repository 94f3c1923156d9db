"""Atom feeds of public search results (`/feeds/search.atom?<search params>`), so
anyone can follow a search in a feed reader.

Always answered as the anonymous caller, whoever asks: the search filter then
returns public entries only (the same rule as every other egress), a feed URL
shared with others shows them exactly what it shows its author, and a hidden
organization stays hidden. Newest first; each entry's id is its permalink."""

from __future__ import annotations

from datetime import UTC, datetime, time
from urllib.parse import urlencode

from feedgen.feed import FeedGenerator

from api.federation.xmltext import xml_text
from api.search.schemas import SearchResponse


def search_feed(
    result: SearchResponse,
    *,
    node_url: str,
    node_name: str,
    query_string: str,
    self_url: str | None = None,
    title: str | None = None,
) -> bytes:
    """`self_url`/`title`: another feed of search results (a member's saved search,
    `api.saved_searches`, whose results are the caller's to decide); by default the
    public feed of `query_string`."""
    feed = FeedGenerator()
    if self_url is None:
        self_url = f"{node_url}/feeds/search.atom" + (f"?{query_string}" if query_string else "")
    feed.id(self_url)
    if title is None:
        title = f"search for “{result.query}”" if result.query else "new entries"
    feed.title(xml_text(f"{node_name}: {title}"))
    feed.link(href=self_url, rel="self")
    feed.link(href=f"{node_url}/search?{query_string}", rel="alternate")
    feed.author({"name": xml_text(node_name)})
    newest = datetime(2026, 1, 1, tzinfo=UTC)
    for hit in reversed(result.hits):  # feedgen prepends: add oldest first
        item = feed.add_entry()
        url = f"{node_url}/entries/{hit.id}"
        item.id(url)
        item.title(xml_text(hit.title))
        item.link(href=url)
        item.summary(xml_text(hit.summary or hit.title))
        if hit.organization.slug:
            item.author({"name": xml_text(hit.organization.name)})
        else:
            item.author({"name": xml_text(node_name)})
        for code in hit.program_types:
            item.category(term=xml_text(code), label=xml_text(code))
        if hit.published_at:
            stamp = datetime.combine(hit.published_at, time(0), tzinfo=UTC)
            item.published(stamp)
            item.updated(stamp)
            newest = max(newest, stamp)
        else:
            item.updated(newest)
    feed.updated(newest)
    atom: bytes = feed.atom_str(pretty=True)
    return atom


def canonical_query(pairs: list[tuple[str, str]]) -> str:
    return urlencode([(k, v) for k, v in pairs if k not in ("page", "per_page")])

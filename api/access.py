"""The visibility rule: who may read which entry. The only place it is written.

The rule is expressed as *reader tags* (SPEC §2). An entry carries the tags that
may read it; a caller holds tags; the caller may read the entry iff the sets
intersect. Everything that reads entries — single reads, lists, totals,
attachments, revisions, and the search index's filter — derives from the two
functions below, through `visible_clause` (SQL) or `search_filter_tags` (engine).

Tags:
- ``public``   : anyone, anonymous included, on published ``public`` entries;
- ``network``  : any signed-in member of this node, on published ``network`` entries;
- ``org:<id>`` : the owner organization always (every status), and each partner
                 organization of a published ``partners`` entry;
- ``review``   : curators, on entries under review (or retracted) whose requested
                 visibility is ``public`` or ``network`` — never ``partners``/``private``.

Organization *ids* (not slugs) are used so a renamed organization keeps access.
Invariant: nothing outside this module decides readability."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, exists, select

from api.models import Entry, EntryReader

PUBLIC = "public"
NETWORK = "network"
REVIEW = "review"
REVIEW_STATUSES = frozenset({"submitted", "changes_requested"})


def org_tag(organization_id: int) -> str:
    return f"org:{organization_id}"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, with everything authorization needs, read fresh per request."""

    kind: Literal["anonymous", "member", "client"] = "anonymous"
    account_id: int | None = None
    organization_id: int | None = None
    organization_slug: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    client_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    display_name: str | None = None
    channel: str = "api"  # how the caller came in: api (bearer token), web (session), client

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def has_role(self, role: str) -> bool:
        return role in self.roles


ANONYMOUS = Principal()


def principal_tags(principal: Principal) -> frozenset[str]:
    tags = {PUBLIC}
    if principal.kind == "client" and "entries:read" not in principal.scopes:
        # A machine client reads beyond public entries only when granted entries:read.
        return frozenset(tags)
    if principal.organization_id is not None:
        tags.add(NETWORK)
        tags.add(org_tag(principal.organization_id))
        if principal.has_role("curator"):
            tags.add(REVIEW)
    return frozenset(tags)


def reader_tags(
    *,
    status: str,
    visibility: str,
    owner_id: int,
    partner_ids: Iterable[int],
    review_status: str | None = None,
    requested_visibility: str | None = None,
) -> frozenset[str]:
    """Tags that may read an entry.

    `review_status`/`requested_visibility` describe a pending revision of a
    published entry under review; curators see it only if it asks for public or
    network visibility. Retracted public/network entries stay visible to curators
    (who may restore them) and to the owner — no one else."""
    tags = {org_tag(owner_id)}
    if status == "published":
        if visibility == "public":
            tags.add(PUBLIC)
        elif visibility == "network":
            tags.add(NETWORK)
        elif visibility == "partners":
            tags.update(org_tag(p) for p in partner_ids)
    wanted = requested_visibility or visibility
    under_review = status in REVIEW_STATUSES or review_status in REVIEW_STATUSES
    if (under_review or status == "retracted") and wanted in ("public", "network"):
        tags.add(REVIEW)
    return frozenset(tags)


def entry_reader_tags(entry: Entry) -> frozenset[str]:
    return reader_tags(
        status=entry.status,
        visibility=entry.visibility,
        owner_id=entry.organization_id,
        partner_ids=[p.id for p in entry.partners],
        review_status=entry.review_status,
        requested_visibility=entry.requested_visibility,
    )


def has_review_access(principal: Principal, entry: Entry) -> bool:
    """The caller reads this entry as one of its reviewers (curators, `review` tag)."""
    return REVIEW in (principal_tags(principal) & entry_reader_tags(entry))


def may_see_unpublished(principal: Principal, entry: Entry) -> bool:
    """Unpublished revisions: the owner organization, and curators reviewing it."""
    return principal.organization_id == entry.organization_id or has_review_access(principal, entry)


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """SQL predicate over `Entry`: true for the entries `principal` may read."""
    return exists(
        select(EntryReader.entry_id).where(
            EntryReader.entry_id == Entry.id,
            EntryReader.tag.in_(sorted(principal_tags(principal))),
        )
    )


def search_filter_tags(principal: Principal) -> list[str]:
    """The tags a search engine query must intersect with a document's `readers`."""
    return sorted(principal_tags(principal))

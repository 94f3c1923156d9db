"""The visibility rule (SPEC §2): who may read which entry, which revision of it,
and in which capacity. The only place it is written; pure (no I/O), so a
property test can run it over tens of thousands of random histories.

The rule is *reader tags*. An entry carries the tags that may read it; a caller
holds tags; the caller may read the entry iff the sets intersect:
- ``public``   : anyone, anonymous included, on published ``public`` entries;
- ``network``  : any signed-in member of this node, on published ``network`` entries;
- ``org:<id>`` : the owner organization always (every status), and each partner
                 organization of a published ``partners`` entry;
- ``review``   : curators, on entries under review — held by the sensitive-data
                 guard included — (or retracted) whose requested visibility is
                 ``public`` or ``network`` — never ``partners``/``private``;
- ``org:<id>`` also for an organization granted access to a published entry, until the
                 grant expires or is revoked (access requests).

A *listed* restricted entry also carries ``listed``, which no caller holds: it
marks the entry whose stub (title, kind, organization, regions, program types)
anyone may see — a separate, opt-in capacity (`EntryAccess.stub`) that only the
surfaces built to show stubs query for; every other surface sees nothing.

The tags decide *whether* an entry is readable (the SQL `EXISTS` clause and the
search filter both use them). `entry_access` adds *in which capacity* — owner,
reader of the live version, reviewer — because that decides which content and
which fields are shown: a curator reviewing a private entry's widening to public
reads the revision under review, never the live private content.

History obeys the same rule: a non-owner reads a revision only if it was
published and the caller could read the entry under *that revision's own*
visibility and partner list (and may read the entry now); reviewers also read
the one revision they are reviewing.

A held *partners* submission is not readable by curators: they act on its hold
(`may_see_hold`) knowing only its kind and the findings' fields and detectors
(SPEC §2: a partners entry is never shown to other organizations' curators).

Organization *ids* (not slugs) are used so a renamed organization keeps access."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from api.access.principal import Principal

PUBLIC = "public"
NETWORK = "network"
REVIEW = "review"
LISTED = "listed"
# `held`: submitted with sensitive-data findings, until a curator releases or returns it.
HELD = "held"
REVIEW_STATUSES = frozenset({"submitted", HELD, "changes_requested"})
REVIEWED_VISIBILITIES = frozenset({"public", "network"})


def org_tag(organization_id: int) -> str:
    return f"org:{organization_id}"


def principal_tags(principal: Principal) -> frozenset[str]:
    tags = {PUBLIC}
    if not principal.reads_beyond_public:
        # A token without entries:read reads like an anonymous caller.
        return frozenset(tags)
    if principal.organization_id is not None:
        tags.add(NETWORK)
        tags.add(org_tag(principal.organization_id))
        if principal.has_role("curator"):
            tags.add(REVIEW)
    return frozenset(tags)


def live_tags(*, visibility: str, partner_ids: Iterable[int]) -> frozenset[str]:
    """Tags that may read a *published* version with this visibility (owner aside)."""
    if visibility == "public":
        return frozenset({PUBLIC})
    if visibility == "network":
        return frozenset({NETWORK})
    if visibility == "partners":
        return frozenset(org_tag(p) for p in partner_ids)
    return frozenset()


def reader_tags(
    *,
    status: str,
    visibility: str,
    owner_id: int,
    partner_ids: Iterable[int],
    review_status: str | None = None,
    requested_visibility: str | None = None,
    grant_ids: Iterable[int] = (),
    listed: bool = False,
) -> frozenset[str]:
    """Tags that may read an entry in some capacity (the `entry_reader` rows).

    `review_status`/`requested_visibility` describe a pending revision of a
    published entry under review. Retracted public/network entries stay visible to
    curators (who may restore them) and to the owner — no one else. `grant_ids`
    are organizations holding an unexpired access grant."""
    tags = {org_tag(owner_id)}
    if status == "published":
        tags |= live_tags(visibility=visibility, partner_ids=partner_ids)
        tags.update(org_tag(g) for g in grant_ids)
        if listed and visibility != "public":
            tags.add(LISTED)
    wanted = requested_visibility or visibility
    under_review = status in REVIEW_STATUSES or review_status in REVIEW_STATUSES
    if (under_review or status == "retracted") and wanted in REVIEWED_VISIBILITIES:
        tags.add(REVIEW)
    return frozenset(tags)


def entry_tag(entry_id: str) -> str:
    """The search-document tag of one entry, held by a caller whose organization has
    an unexpired access grant to it (`granted_entry_tags` in `api.access.orm`)."""
    return f"entry:{entry_id}"


def search_tags(
    *, entry_id: str, status: str, visibility: str, owner_id: int, partner_ids: Iterable[int]
) -> frozenset[str]:
    """Tags of a search document: who may read the *live published* version.

    No `review` tag: search shows published content only, and a curator reviewing
    a private entry's widening must not find its live private text. A non-public
    published document also carries its own `entry_tag`: grants are decided at query
    time from the database (the caller holds the tags of its unexpired grants), so
    a grant that expires or is revoked stops finding the entry at once, without a
    reindex."""
    if status != "published":
        return frozenset({org_tag(owner_id)})
    tags = {org_tag(owner_id)} | live_tags(visibility=visibility, partner_ids=partner_ids)
    if visibility != "public":
        tags.add(entry_tag(entry_id))
    return frozenset(tags)


@dataclass(frozen=True, slots=True)
class EntryFacts:
    """What the rule needs to know about an entry, independent of the ORM."""

    owner_id: int
    status: str
    visibility: str  # of the live row
    partner_ids: frozenset[int]  # of the live row
    review_status: str | None = None  # of the pending revision of a published entry
    requested_visibility: str | None = None  # while under review
    working_revision: int = 1
    published_revision: int | None = None
    grant_ids: frozenset[int] = frozenset()  # organizations with an unexpired grant
    listed: bool = False
    organization_display: str = "named"

    @property
    def held(self) -> bool:
        return HELD in (self.status, self.review_status)

    @property
    def under_review(self) -> bool:
        return self.status in REVIEW_STATUSES or self.review_status in REVIEW_STATUSES

    @property
    def review_visibility(self) -> str:
        return self.requested_visibility or self.visibility

    @property
    def review_revision(self) -> int | None:
        """The revision curators are asked to review, if any."""
        if self.under_review and self.review_visibility in REVIEWED_VISIBILITIES:
            return self.working_revision
        return None

    @property
    def tags(self) -> frozenset[str]:
        return reader_tags(
            status=self.status,
            visibility=self.visibility,
            owner_id=self.owner_id,
            partner_ids=self.partner_ids,
            review_status=self.review_status,
            requested_visibility=self.requested_visibility,
            grant_ids=self.grant_ids,
            listed=self.listed,
        )


@dataclass(frozen=True, slots=True)
class RevisionFacts:
    number: int
    published: bool
    visibility: str
    partner_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class EntryAccess:
    """In which capacities a caller reads an entry (all False: it does not exist for them)."""

    owner: bool = False
    live: bool = False  # reads the published version as a member of its audience
    review: bool = False  # reviews it (or, retracted, may restore it) as a curator
    stub: bool = False  # sees only the public stub of a listed entry it cannot read

    @property
    def readable(self) -> bool:
        return self.owner or self.live or self.review

    @property
    def review_only(self) -> bool:
        """A reviewer who is not in the live version's audience."""
        return self.review and not (self.owner or self.live)


NO_ACCESS = EntryAccess()
STUB_ONLY = EntryAccess(stub=True)


def entry_access(principal: Principal, entry: EntryFacts) -> EntryAccess:
    tags = principal_tags(principal)
    entry_tags = entry.tags
    if not tags & entry_tags:
        return STUB_ONLY if LISTED in entry_tags else NO_ACCESS
    owner = org_tag(entry.owner_id) in tags
    live = entry.status == "published" and bool(
        tags
        & (
            live_tags(visibility=entry.visibility, partner_ids=entry.partner_ids)
            | {org_tag(g) for g in entry.grant_ids}
        )
    )
    review = REVIEW in tags and REVIEW in entry_tags
    if not (owner or live or review):
        return STUB_ONLY if LISTED in entry_tags else NO_ACCESS
    return EntryAccess(owner=owner, live=live, review=review)


def may_read_revision(principal: Principal, entry: EntryFacts, revision: RevisionFacts) -> bool:
    access = entry_access(principal, entry)
    if access.owner:
        return True
    if not access.readable:
        return False
    if access.review and revision.number == entry.review_revision:
        return True
    if not revision.published:
        return False
    tags = principal_tags(principal)
    return bool(tags & live_tags(visibility=revision.visibility, partner_ids=revision.partner_ids))


def may_see_hold(principal: Principal, entry: EntryFacts) -> bool:
    """Whether `principal` may act on the entry's hold as a curator: a curator of
    another organization, while the entry is held. For a held partners/private
    entry this is *not* reading it: the caller learns its kind and the findings'
    fields and detectors, nothing of its content or organization."""
    tags = principal_tags(principal)
    return entry.held and REVIEW in tags and org_tag(entry.owner_id) not in tags


def shown_revision(access: EntryAccess, entry: EntryFacts) -> int | None:
    """The revision whose content a caller is shown instead of the live row, if any:
    a reviewer outside the live version's audience sees the revision under review,
    never the live text of a published entry it could not otherwise read."""
    if access.review_only and entry.status == "published":
        return entry.review_revision
    return None

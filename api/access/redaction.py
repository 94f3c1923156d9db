"""Field-level redaction: the one step every view applies before it renders an
entry, a revision, a diff, an event or an audit record.

Some fields belong to the owner organization only — who else it shares with, its
pending work — and some also to the curator reviewing it; nobody else ever sees
them, on any surface (SPEC §2: "partners never learn of each other"). Views build
a full mapping and pass it through `redact`; they never decide this themselves.

Two more decisions live here because every surface must take them the same way:

- *the organization* (`knows_organization`): an entry's `organization_display`
  may hide which organization published it — `network`: members of this node
  know it, the public sees "a member organization"; `partners`: only the owner
  and its partner organizations know it. Every surface that names an entry's
  organization — entry, lists, revisions, search hits and facets, the review and
  safety queues, collections, duplicate hints, audit and read logs, and any
  future export, feed, OAI-PMH or federation endpoint or JSON-LD rendering —
  asks `knows_organization` (or `api.access.orm.organization_shown`), and the
  search index asks `organization_indexable` before it stores the name.
- *a safety retraction's detail* (`shows_safety_detail`): only curators of other
  organizations read why the network retracted an entry for safety.

Invariant: a field not listed here is as readable as the entry or revision it
belongs to; a field listed here is removed (or nulled) for everyone the capacity
does not entitle to it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from api.access.principal import Principal
from api.access.rule import NETWORK, PUBLIC, EntryAccess, EntryFacts, org_tag, principal_tags

# The owner organization only.
OWNER_FIELDS = frozenset({"shared_with", "pending_revision"})
# The owner organization and the curators reviewing the entry.
REVIEW_FIELDS = frozenset(
    {"review_status", "requested_visibility", "internal_notes", "retraction_reason", "comment"}
)
PROTECTED_FIELDS = OWNER_FIELDS | REVIEW_FIELDS


def hidden_fields(access: EntryAccess) -> frozenset[str]:
    if access.owner:
        return frozenset()
    if access.review:
        return OWNER_FIELDS
    return PROTECTED_FIELDS


def redact(data: Mapping[str, Any], access: EntryAccess, *, null: bool = False) -> dict[str, Any]:
    """`data` without the fields `access` does not entitle to; with `null=True` they
    are kept as None (for response models whose fields are always present)."""
    hidden = hidden_fields(access)
    if null:
        return {k: (None if k in hidden else v) for k, v in data.items()}
    return {k: v for k, v in data.items() if k not in hidden}


# -- the organization behind an entry ----------------------------------------------

ORGANIZATION_DISPLAYS = ("named", "network", "partners")


def organization_tags(
    *, display: str, owner_id: int, partner_ids: Iterable[int]
) -> frozenset[str] | None:
    """Reader tags that may know the organization (None: everyone who reads the entry)."""
    if display == "network":
        return frozenset({NETWORK, org_tag(owner_id)})
    if display == "partners":
        return frozenset({org_tag(owner_id), *(org_tag(p) for p in partner_ids)})
    return None


def knows_organization(principal: Principal, entry: EntryFacts) -> bool:
    """Whether `principal` may learn which organization published `entry`.

    The one decision for every surface, present and future (exports, feeds,
    OAI-PMH, federation, JSON-LD): call this (or `api.access.orm.organization_shown`),
    never test `organization_display` yourself."""
    allowed = organization_tags(
        display=entry.organization_display, owner_id=entry.owner_id, partner_ids=entry.partner_ids
    )
    return allowed is None or bool(principal_tags(principal) & allowed)


def organization_indexable(
    *, display: str, owner_id: int, partner_ids: Iterable[int], readers: Collection[str]
) -> bool:
    """Whether a search document read by `readers` may carry the organization (its
    name as searchable text and its facet value): only if every reader may know it,
    since one document answers every caller."""
    if display == "network":
        return PUBLIC not in readers  # every other tag is held by members only
    allowed = organization_tags(display=display, owner_id=owner_id, partner_ids=partner_ids)
    return allowed is None or set(readers) <= allowed


# -- safety retractions ------------------------------------------------------------

# `safety_risk` is the name older rows carry.
SAFETY_REASONS = frozenset({"safety", "safety_risk"})


def shows_safety_detail(access: EntryAccess) -> bool:
    """Whether the caller reads *why* the network retracted an entry for safety (the
    comment): curators of other organizations only. Everyone else — the owner
    included — learns that it was retracted for safety, without detail."""
    return access.review and not access.owner


def peer_knows_organization(hosted: frozenset[int], entry: EntryFacts) -> bool:
    """`knows_organization` for a peer node: it knows what anyone may know, and what
    an organization it hosts may know — never what only this node's members may."""
    allowed = organization_tags(
        display=entry.organization_display, owner_id=entry.owner_id, partner_ids=entry.partner_ids
    )
    return allowed is None or bool(({PUBLIC} | {org_tag(o) for o in hosted}) & allowed)

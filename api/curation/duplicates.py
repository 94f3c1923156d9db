"""Possible duplicates of an entry, for reviewers and the owner organization.

Two signals, each cheap and explainable: another entry carries an attachment
with the same SHA-256 ("same attachment"), or another entry of the same
organization has a near-identical title ("near-identical title": casefolded,
punctuation and whitespace runs collapsed, `difflib` ratio ≥ 0.9).

It does not decide who may ask (the router and the review queue do). It does
apply the visibility rule: every candidate comes from a query filtered by
`api.access.visible_clause` for the caller, so a duplicate the caller may not
read — another organization's private entry with the same file, say — is never
reported, not even as a count.

Nor does it reveal an organization the caller may not know
(`api.access.knows_organization`): a candidate's organization is named only if
the caller may know it, and the same-organization title signal is used only when
the caller knows the organization of both entries — otherwise it would tell that
two entries, one of them published with its organization hidden, share it.

Work is bounded: the checksum match is one indexed `IN` query over the entry's
own (few) checksums, and titles are compared only with the same organization's
most recently updated `MAX_TITLE_CANDIDATES` entries, never the whole node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal, access_to, organization_shown, visible_clause
from api.models import Attachment, Entry, Organization

SAME_ATTACHMENT = "same attachment"
NEAR_IDENTICAL_TITLE = "near-identical title"
TITLE_RATIO = 0.9
MAX_TITLE_CANDIDATES = 2_000
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    entry_id: str
    title: str
    organization_slug: str | None  # None: the caller may not know it
    reasons: list[str] = field(default_factory=list)


def normalize_title(title: str) -> str:
    return _NOT_WORD.sub(" ", title.casefold()).strip()


def titles_near_identical(a: str, b: str) -> bool:
    """Both titles normalized first; an empty normalized title matches nothing."""
    left, right = normalize_title(a), normalize_title(b)
    if not left or not right:
        return False
    if left == right:
        return True
    # autojunk would discard frequent characters in titles over 200 characters.
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    # The cheap upper bounds reject most pairs before the quadratic ratio().
    return (
        matcher.real_quick_ratio() >= TITLE_RATIO
        and matcher.quick_ratio() >= TITLE_RATIO
        and matcher.ratio() >= TITLE_RATIO
    )


def find_duplicates(
    session: Session, entry: Entry, principal: Principal, *, shown_title: str
) -> list[DuplicateCandidate]:
    """Other entries visible to `principal` that may duplicate `entry`, strongest first.

    `shown_title` is the entry's title as the caller is shown it. A candidate that
    the caller reads only as the reviewer of a pending revision of a published
    entry is left out: its live title is not the caller's to see or compare."""
    reasons: dict[str, list[str]] = {}
    found: dict[str, tuple[str, str]] = {}

    checksums = list(
        session.scalars(select(Attachment.sha256).where(Attachment.entry_id == entry.id).distinct())
    )
    if checksums:
        rows = session.execute(
            select(Entry.id, Entry.title, Organization.slug)
            .join(Attachment, Attachment.entry_id == Entry.id)
            .join(Organization, Organization.id == Entry.organization_id)
            .where(
                Attachment.sha256.in_(checksums),
                Entry.id != entry.id,
                visible_clause(principal),
            )
            .distinct()
        ).all()
        for entry_id, title, slug in rows:
            found[entry_id] = (title, slug)
            reasons.setdefault(entry_id, []).append(SAME_ATTACHMENT)

    same_org = (
        session.execute(
            select(Entry.id, Entry.title, Organization.slug)
            .join(Organization, Organization.id == Entry.organization_id)
            .where(
                Entry.organization_id == entry.organization_id,
                Entry.id != entry.id,
                visible_clause(principal),
            )
            .order_by(Entry.updated_at.desc(), Entry.id)
            .limit(MAX_TITLE_CANDIDATES)
        ).all()
        if organization_shown(principal, entry) is not None
        else []
    )
    by_title: set[str] = set()
    for entry_id, title, slug in same_org:
        if titles_near_identical(shown_title, title):
            found[entry_id] = (title, slug)
            reasons.setdefault(entry_id, []).append(NEAR_IDENTICAL_TITLE)
            by_title.add(entry_id)

    shown: dict[str, str | None] = {}
    for candidate in session.scalars(select(Entry).where(Entry.id.in_(sorted(found)))):
        if candidate.status == "published" and access_to(principal, candidate).review_only:
            continue
        organization = organization_shown(principal, candidate)
        if organization is None and candidate.id in by_title:
            reasons[candidate.id].remove(NEAR_IDENTICAL_TITLE)
            if not reasons[candidate.id]:
                continue
        shown[candidate.id] = organization.slug if organization else None
    candidates = [
        DuplicateCandidate(
            entry_id=entry_id,
            title=title,
            organization_slug=shown[entry_id],
            reasons=reasons[entry_id],
        )
        for entry_id, (title, _) in found.items()
        if entry_id in shown
    ]
    candidates.sort(key=lambda c: (-len(c.reasons), c.title.casefold(), c.entry_id))
    return candidates

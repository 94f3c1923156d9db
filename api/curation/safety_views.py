"""What a caller is shown of the sensitive-data guard's holds: findings and the
curators' safety queue. For the API routes (`api.curation.safety_router`) and web
pages alike; no access rule is decided here.

A curator who acts on a held partners entry only through the hold capacity
(`api.access.may_see_hold`) is shown its kind and each finding's field, detector,
status and explanation — never a snippet, offsets, the entry or its organization.
The owner, and curators who read the entry as its reviewers (public/network), also
see the masked snippets and the entry's summary."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.access import Principal, access_to, entry_facts, may_see_hold
from api.curation.schemas import FindingList, FindingRead, SafetyHoldItem
from api.entries.dependencies import permitted_actions
from api.entries.repository import working_visibility
from api.entries.views import summary_of
from api.models import Entry, SafetyFinding
from api.safety import repository as safety_repository
from api.safety.guard import LABELS


def shows_content(principal: Principal, entry: Entry) -> bool:
    """Whether the caller may see the findings' snippets (and the entry): its owner,
    and curators who read it as its reviewer — not those who only act on the hold."""
    access = access_to(principal, entry)
    return access.owner or access.review


def finding_read(row: SafetyFinding, *, content: bool) -> FindingRead:
    return FindingRead(
        id=row.id,
        revision=row.revision,
        field=row.field,
        detector=row.detector,
        label=LABELS.get(row.detector, row.detector),
        status=row.status,
        resolution=row.resolution,
        explanation=row.explanation,
        snippet=row.snippet if content else None,
        start=row.span_start if content else None,
        end=row.span_end if content else None,
        created_at=row.created_at,
    )


def finding_list(session: Session, principal: Principal, entry: Entry) -> FindingList:
    """The findings of the entry's working revision, as `principal` may see them."""
    content = shows_content(principal, entry)
    rows = safety_repository.findings_of(session, entry.id, revision=entry.working_revision)
    return FindingList(
        revision=entry.working_revision,
        held=entry_facts(entry).held,
        items=[finding_read(row, content=content) for row in rows],
    )


def hold_item(session: Session, principal: Principal, entry: Entry) -> SafetyHoldItem:
    """A held entry as the safety queue shows it to `principal`."""
    content = shows_content(principal, entry)
    rows = safety_repository.findings_of(session, entry.id, revision=entry.working_revision)
    return SafetyHoldItem(
        entry_id=entry.id,
        kind=entry.kind,
        asked_visibility=working_visibility(session, entry),
        held_at=entry.submitted_at,
        content_shown=content,
        entry=summary_of(session, entry, principal) if content else None,
        findings=[finding_read(row, content=content) for row in rows],
        allowed=permitted_actions(session, principal, entry),
    )


def holds_for(session: Session, principal: Principal) -> list[Entry]:
    """The held entries `principal` may release or return, oldest first."""
    return [
        entry
        for entry in safety_repository.held_entries(session)
        if may_see_hold(principal, entry_facts(entry))
    ]

"""SQL of the safety domain: findings, held entries, attachments' text to scan.

Reads here decide no access: their callers (the workflow, the routes that declare
`EntryFor`/`HoldFor` actions) have already applied the visibility rule or the
hold capacity (`api.access.may_see_hold`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import Attachment, Entry, SafetyFinding

UNRESOLVED = ("open", "explained")


def findings_of(
    session: Session,
    entry_id: str,
    *,
    revision: int | None = None,
    statuses: Collection[str] = (),
) -> list[SafetyFinding]:
    query = select(SafetyFinding).where(SafetyFinding.entry_id == entry_id)
    if revision is not None:
        query = query.where(SafetyFinding.revision == revision)
    if statuses:
        query = query.where(SafetyFinding.status.in_(sorted(statuses)))
    return list(session.scalars(query.order_by(SafetyFinding.id)))


def findings_of_entries(
    session: Session, entries: Sequence[Entry]
) -> dict[str, list[SafetyFinding]]:
    """The findings of each entry's working revision, in one query."""
    wanted = {entry.id: entry.working_revision for entry in entries}
    found: dict[str, list[SafetyFinding]] = {entry_id: [] for entry_id in wanted}
    if not wanted:
        return found
    rows = session.scalars(
        select(SafetyFinding)
        .where(SafetyFinding.entry_id.in_(sorted(wanted)))
        .order_by(SafetyFinding.id)
    )
    for row in rows:
        if row.revision == wanted[row.entry_id]:
            found[row.entry_id].append(row)
    return found


def get_finding(session: Session, entry_id: str, finding_id: int) -> SafetyFinding | None:
    return session.scalar(
        select(SafetyFinding).where(
            SafetyFinding.id == finding_id, SafetyFinding.entry_id == entry_id
        )
    )


def released_keys(session: Session, entry_id: str) -> set[tuple[str, str, str]]:
    """(field, detector, snippet) of every finding a curator has let through."""
    rows = session.execute(
        select(SafetyFinding.field, SafetyFinding.detector, SafetyFinding.snippet).where(
            SafetyFinding.entry_id == entry_id, SafetyFinding.resolution == "released"
        )
    )
    return {(field, detector, snippet) for field, detector, snippet in rows}


def held_entries(session: Session) -> list[Entry]:
    """Every held submission, oldest first (callers filter by capacity)."""
    return list(
        session.scalars(
            select(Entry)
            .where(or_(Entry.status == "held", Entry.review_status == "held"))
            .order_by(Entry.submitted_at, Entry.id)
        )
    )


def get_held_entry(session: Session, entry_id: str) -> Entry | None:
    return session.scalar(
        select(Entry).where(
            Entry.id == entry_id, or_(Entry.status == "held", Entry.review_status == "held")
        )
    )


def attachment_texts(session: Session, entry_id: str) -> list[tuple[str, str, str]]:
    """(id, filename, extracted text) of the entry's attachments."""
    rows = session.execute(
        select(Attachment.id, Attachment.filename, Attachment.extracted_text)
        .where(Attachment.entry_id == entry_id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [(attachment_id, filename, text) for attachment_id, filename, text in rows]

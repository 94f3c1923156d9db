"""Reading entries' current state for indexing: the only SQL the indexer runs over
entries. Loads in bulk (one query per table per batch), never per entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from api.models import Attachment, Entry, EntryPartner, Organization
from indexer.documents import EntrySource

# The explicit join supplies the organization; skip the mapper's eager loads.
_LEAN = (lazyload(Entry.organization), lazyload(Entry.partners), lazyload(Entry.indicators))


def load_sources(session: Session, entry_ids: Sequence[str]) -> dict[str, EntrySource]:
    """Current state of the given entries that still exist (missing ids are absent)."""
    if not entry_ids:
        return {}
    rows = session.execute(
        select(Entry, Organization.slug, Organization.name)
        .join(Organization, Organization.id == Entry.organization_id)
        .where(Entry.id.in_(entry_ids))
        .options(*_LEAN)
        .execution_options(populate_existing=True)
    ).all()
    return _assemble(session, rows)


def iter_published_sources(session: Session, batch_size: int = 2000) -> Iterator[EntrySource]:
    """Every published entry, in id order, in batches (for reindex and checks)."""
    last = ""
    while True:
        rows = session.execute(
            select(Entry, Organization.slug, Organization.name)
            .join(Organization, Organization.id == Entry.organization_id)
            .where(Entry.status == "published", Entry.id > last)
            .options(*_LEAN)
            .order_by(Entry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        yield from _assemble(session, rows).values()
        last = rows[-1][0].id
        session.expunge_all()


def _assemble(session: Session, rows: Sequence[Any]) -> dict[str, EntrySource]:
    ids = [row[0].id for row in rows]
    partners: dict[str, list[int]] = defaultdict(list)
    for entry_id, org_id in session.execute(
        select(EntryPartner.entry_id, EntryPartner.organization_id).where(
            EntryPartner.entry_id.in_(ids)
        )
    ):
        partners[entry_id].append(org_id)
    texts: dict[str, list[str]] = defaultdict(list)
    for entry_id, text in session.execute(
        select(Attachment.entry_id, Attachment.extracted_text)
        .where(Attachment.entry_id.in_(ids))
        .order_by(Attachment.created_at, Attachment.id)
    ):
        texts[entry_id].append(text)
    sources: dict[str, EntrySource] = {}
    for row in rows:
        entry: Entry = row[0]
        slug: str = row[1]
        name: str = row[2]
        sources[entry.id] = EntrySource(
            id=entry.id,
            status=entry.status,
            visibility=entry.visibility,
            organization_id=entry.organization_id,
            organization_slug=slug,
            organization_name=name,
            partner_ids=tuple(sorted(partners[entry.id])),
            kind=entry.kind,
            title=entry.title,
            summary=entry.summary,
            body=entry.body,
            language=entry.language,
            program_types=tuple(entry.program_types),
            regions=tuple(entry.regions),
            settings=tuple(entry.settings),
            target_populations=tuple(entry.target_populations),
            evaluation_design=entry.evaluation_design,
            evidence_level=entry.evidence_level,
            published_at=entry.published_at,
            attachment_texts=tuple(texts[entry.id]),
            review_status=entry.review_status,
            requested_visibility=entry.requested_visibility,
        )
    return sources

"""Turning entry rows into response bodies (what each caller is shown)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.access import Principal
from api.attachments.service import list_attachments
from api.entries.schemas import (
    AttachmentRead,
    EntryRead,
    EntrySummary,
    IndicatorRead,
    OrganizationRef,
    Origin,
    RevisionRead,
    RevisionSummary,
)
from api.models import Attachment, Entry, EntryRevision
from api.rendering import render_markdown
from api.vocabularies.registry import VocabularyRegistry


def entry_href(entry_id: str) -> str:
    return f"/v1/entries/{entry_id}"


def summary_of(entry: Entry) -> EntrySummary:
    return EntrySummary(
        id=entry.id,
        kind=entry.kind,
        title=entry.title,
        summary=entry.summary,
        organization=OrganizationRef(slug=entry.organization.slug, name=entry.organization.name),
        language=entry.language,
        program_types=list(entry.program_types),
        regions=list(entry.regions),
        visibility=entry.visibility,
        status=entry.status,
        version=entry.version,
        published_at=entry.published_at,
        updated_at=entry.updated_at,
        href=entry_href(entry.id),
    )


def attachment_of(attachment: Attachment) -> AttachmentRead:
    return AttachmentRead(
        id=attachment.id,
        filename=attachment.filename,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        created_at=attachment.created_at,
        href=f"{entry_href(attachment.entry_id)}/attachments/{attachment.id}/content",
    )


def entry_read(
    session: Session, entry: Entry, principal: Principal, registry: VocabularyRegistry
) -> EntryRead:
    is_owner = principal.organization_id == entry.organization_id
    pending = (
        entry.working_revision
        if is_owner
        and entry.published_revision is not None
        and entry.working_revision != entry.published_revision
        else None
    )
    indicators = []
    for item in entry.indicators:
        term = registry.get("indicator", item.code)
        indicators.append(
            IndicatorRead(
                code=item.code,
                label=term.label if term else None,
                unit=term.unit if term else None,
                value=item.value,
                note=item.note,
            )
        )
    base = summary_of(entry).model_dump()
    return EntryRead(
        **base,
        body=entry.body,
        body_html=render_markdown(entry.body),
        authors=list(entry.authors),
        settings=list(entry.settings),
        target_populations=list(entry.target_populations),
        actors=list(entry.actors),
        evaluation_design=entry.evaluation_design,
        evidence_level=entry.evidence_level,
        period_start=entry.period_start,
        period_end=entry.period_end,
        indicators=indicators,
        attachments=[attachment_of(a) for a in list_attachments(session, entry.id)],
        links=list(entry.links),
        license=entry.license,
        shared_with=[p.slug for p in entry.partners] if is_owner else None,
        origin=Origin(node=entry.origin_node, id=entry.origin_id)
        if entry.origin_node and entry.origin_id
        else None,
        created_at=entry.created_at,
        pending_revision=pending,
        review_status=entry.review_status,
        tags=list(entry.tags or []),
        featured=bool(entry.featured),
        retracted_at=entry.retracted_at,
        retraction_reason=entry.retraction_reason,
    )


def revision_summary(revision: EntryRevision) -> RevisionSummary:
    return RevisionSummary(
        number=revision.number,
        created_at=revision.created_at,
        published_at=revision.published_at,
        comment=revision.comment,
        href=f"{entry_href(revision.entry_id)}/revisions/{revision.number}",
    )


def revision_read(revision: EntryRevision) -> RevisionRead:
    return RevisionRead(**revision_summary(revision).model_dump(), content=revision.content)

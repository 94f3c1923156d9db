"""Turning entry and revision rows into response bodies: what each caller is shown.

Every view goes through these steps, the decisions owned elsewhere, in this order:
1. *which content* — the live row, except for a reviewer outside the live
   version's audience, who is shown the revision under review (a curator
   reviewing a private entry's widening never sees the private live text);
2. *which fields* — `api.access.redact` removes owner-only and reviewer-only
   fields for everyone else;
3. *which organization* — `api.access.organization_shown`: the organization, or
   "A member organization" to a caller who may not know it;
4. *which indicator values* — `api.safety.protect_indicators`: anyone but the
   owner sees a value computed on fewer than k people as "< k", without its note
   (entry, revisions, and diffs, which compare revisions as shown).
Views never decide readability: their callers loaded the entry through the
visibility rule, and revisions are filtered by `may_read_revision`. A new
surface that renders entries (an export, a feed, federation) renders them
through these functions and so inherits all four steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from api.access import (
    EntryAccess,
    Principal,
    access_to,
    entry_facts,
    organization_shown,
    redact,
)
from api.access.rule import shown_revision
from api.attachments.service import readable_documents
from api.entries import repository
from api.entries.schemas import (
    AttachmentRead,
    EntryRead,
    EntrySummary,
    IndicatorRead,
    OrganizationRef,
    Origin,
    ProfileRead,
    RevisionRead,
    RevisionSummary,
)
from api.models import Attachment, Entry, EntryRevision, FederatedAttachment, Organization
from api.rendering import render_markdown
from api.safety import guidance
from api.safety.small_cells import Indicator, protect_cohort, protect_indicators
from api.vocabularies.registry import VocabularyRegistry

SUMMARY_CONTENT = ("kind", "title", "summary", "language", "program_types", "regions")


def entry_href(entry_id: str) -> str:
    return f"/v1/entries/{entry_id}"


def shown_content(session: Session, entry: Entry, access: EntryAccess) -> Mapping[str, Any] | None:
    """The revision content shown instead of the live row, if any (see module doc)."""
    number = shown_revision(access, entry_facts(entry))
    revision = repository.get_revision(session, entry.id, number) if number else None
    return revision.content if revision is not None else None


def _summary_fields(entry: Entry, content: Mapping[str, Any] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(entry, name) for name in SUMMARY_CONTENT}
    fields["visibility"] = entry.visibility
    if content is not None:
        fields.update({name: content[name] for name in SUMMARY_CONTENT if name in content})
        fields["visibility"] = content.get("visibility", entry.visibility)
    fields["program_types"] = list(fields["program_types"])
    fields["regions"] = list(fields["regions"])
    return fields


def organization_ref(organization: Organization | None) -> OrganizationRef:
    """How an organization is named to a caller: itself, or hidden (None)."""
    if organization is None:
        return OrganizationRef(
            slug=None, name=guidance.text(guidance.HIDDEN_ORGANIZATION), hidden=True
        )
    return OrganizationRef(slug=organization.slug, name=organization.name)


def summary_of(session: Session, entry: Entry, principal: Principal) -> EntrySummary:
    access = access_to(principal, entry)
    organization = organization_ref(organization_shown(principal, entry))
    if access.stub:
        return _stub(entry, organization)
    return _summary(
        entry, _summary_fields(entry, shown_content(session, entry, access)), organization
    )


def _summary(
    entry: Entry, fields: Mapping[str, Any], organization: OrganizationRef
) -> EntrySummary:
    return EntrySummary(
        id=entry.id,
        organization=organization,
        organization_display=entry.organization_display,
        status=entry.status,
        version=entry.version,
        published_at=entry.published_at,
        updated_at=entry.updated_at,
        href=entry_href(entry.id),
        listed=bool(entry.listed),
        **fields,
    )


def _stub(entry: Entry, organization: OrganizationRef) -> EntrySummary:
    """The public stub of a listed entry: who (as the caller may know it), what kind,
    where, which program types — never its summary, body, indicators or attachments."""
    fields = _summary_fields(entry, None) | {"summary": ""}
    return _summary(entry, fields, organization).model_copy(
        update={
            "restricted": True,
            "version": 0,
            "access_requests_href": f"{entry_href(entry.id)}/access-requests",
        }
    )


def attachment_of(attachment: Attachment | FederatedAttachment) -> AttachmentRead:
    return AttachmentRead(
        id=attachment.id,
        filename=attachment.filename,
        media_type=attachment.media_type,
        size_bytes=attachment.size_bytes,
        sha256=attachment.sha256,
        created_at=attachment.created_at,
        href=f"{entry_href(attachment.entry_id)}/attachments/{attachment.id}/content",
    )


def _indicators(
    registry: VocabularyRegistry,
    items: Sequence[Mapping[str, Any]],
    *,
    owner: bool,
    small_cell_k: int,
) -> list[IndicatorRead]:
    terms = [registry.get("indicator", item["code"]) for item in items]
    shown = protect_indicators(
        [
            Indicator(item["code"], item["value"], term.unit if term else None, item.get("note"))
            for item, term in zip(items, terms, strict=True)
        ],
        k=small_cell_k,
        viewer_is_owner=owner,
    )
    return [
        IndicatorRead(
            code=item.code,
            label=term.label if term else None,
            unit=item.unit,
            value=item.value,
            display=item.display,
            suppressed=item.suppressed,
            note=item.note,
        )
        for item, term in zip(shown, terms, strict=True)
    ]


def _program_shown(session: Session, principal: Principal, program_id: str | None) -> str | None:
    """The program an entry belongs to, only if the caller may read that profile."""
    if program_id is None:
        return None
    visible = repository.get_visible_entry(session, principal, program_id)
    return program_id if visible is not None else None


def profile_read(
    profile: Mapping[str, Any] | None, *, owner: bool, small_cell_k: int
) -> ProfileRead | None:
    """A program profile as the caller may see it: a cohort of fewer than k people
    is "< k" (its size removed) for anyone but the owner, as indicator counts are."""
    if not profile:
        return None
    size = profile.get("cohort_size")
    shown = protect_cohort(size, k=small_cell_k, viewer_is_owner=owner)
    fields = dict(profile)
    if shown is not None:
        fields["cohort_size"] = None if shown.suppressed else size
        fields["cohort_size_display"] = shown.display
    return ProfileRead(**fields)


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def entry_read(
    session: Session,
    entry: Entry,
    principal: Principal,
    registry: VocabularyRegistry,
    *,
    small_cell_k: int,
) -> EntryRead:
    access = access_to(principal, entry)
    if access.stub:
        organization = organization_ref(organization_shown(principal, entry))
        return EntryRead(
            **_stub(entry, organization).model_dump(),
            body="", body_html="", authors=[], settings=[], target_populations=[], actors=[],
            evaluation_design=None, evidence_level=None, period_start=None, period_end=None,
            indicators=[], attachments=[], links=[], license=None, shared_with=None,
            origin=None, created_at=entry.created_at, pending_revision=None,
            review_status=None, tags=[], featured=False, retracted_at=None,
            retraction_reason=None,
        )  # fmt: skip
    content = shown_content(session, entry, access)
    source: Mapping[str, Any] = (
        content
        if content is not None
        else {
            "authors": entry.authors,
            "body": entry.body,
            "settings": entry.settings,
            "target_populations": entry.target_populations,
            "actors": entry.actors,
            "evaluation_design": entry.evaluation_design,
            "evidence_level": entry.evidence_level,
            "period_start": entry.period_start,
            "period_end": entry.period_end,
            "links": entry.links,
            "license": entry.license,
            "internal_notes": entry.internal_notes,
            "findings": entry.findings,
            "lessons": entry.lessons,
            "recommendations": entry.recommendations,
            "profile": entry.profile,
            "policy": entry.policy,
            "program_id": entry.program_id,
            "indicators": [
                {"code": i.code, "value": i.value, "note": i.note} for i in entry.indicators
            ],
        }
    )
    pending = (
        entry.working_revision
        if entry.published_revision is not None
        and entry.working_revision != entry.published_revision
        else None
    )
    fields: dict[str, Any] = {
        **_summary(
            entry,
            _summary_fields(entry, content),
            organization_ref(organization_shown(principal, entry)),
        ).model_dump(),
        "body": source["body"],
        "body_html": render_markdown(source["body"]),
        "authors": list(source["authors"]),
        "settings": list(source["settings"]),
        "target_populations": list(source["target_populations"]),
        "actors": list(source["actors"]),
        "evaluation_design": source["evaluation_design"],
        "evidence_level": source["evidence_level"],
        "period_start": _date(source["period_start"]),
        "period_end": _date(source["period_end"]),
        "indicators": _indicators(
            registry, source["indicators"], owner=access.owner, small_cell_k=small_cell_k
        ),
        "attachments": [attachment_of(a) for a in readable_documents(session, entry)],
        "links": list(source["links"]),
        "license": source["license"],
        "findings": list(source.get("findings") or []),
        "lessons": list(source.get("lessons") or []),
        "recommendations": list(source.get("recommendations") or []),
        "profile": profile_read(
            source.get("profile"), owner=access.owner, small_cell_k=small_cell_k
        ),
        "policy": source.get("policy"),
        "program_id": _program_shown(session, principal, source.get("program_id")),
        "internal_notes": source.get("internal_notes") or "",
        "shared_with": [p.slug for p in entry.partners],
        "origin": Origin(node=entry.origin_node, id=entry.origin_id)
        if entry.origin_node and entry.origin_id
        else None,
        "created_at": entry.created_at,
        "pending_revision": pending,
        "review_status": entry.review_status,
        "requested_visibility": entry.requested_visibility,
        "tags": list(entry.tags or []),
        "featured": bool(entry.featured),
        "retracted_at": entry.retracted_at,
        "retraction_reason": entry.retraction_reason,
    }
    return EntryRead(**redact(fields, access, null=True))


def revision_summary(revision: EntryRevision, access: EntryAccess) -> RevisionSummary:
    fields = {
        "number": revision.number,
        "created_at": revision.created_at,
        "published_at": revision.published_at,
        "comment": revision.comment,
        "href": f"{entry_href(revision.entry_id)}/revisions/{revision.number}",
    }
    return RevisionSummary(**redact(fields, access, null=True))


def revision_content(
    revision: EntryRevision,
    access: EntryAccess,
    registry: VocabularyRegistry,
    *,
    small_cell_k: int,
) -> dict[str, Any]:
    """A revision's snapshot as the caller may see it: owner-only fields removed, and
    small-cell indicators shown as "< k" to anyone but the owner."""
    content = redact(revision.content, access)
    if not access.owner and content.get("indicators"):
        content["indicators"] = [
            {"code": shown.code, "value": None, "note": None, "display": shown.display,
             "suppressed": True}
            if shown.suppressed
            else raw
            for raw, shown in zip(
                content["indicators"],
                _indicators(registry, content["indicators"], owner=False,
                            small_cell_k=small_cell_k),
                strict=True,
            )
        ]  # fmt: skip
    if not access.owner and content.get("profile"):
        shown = profile_read(content["profile"], owner=False, small_cell_k=small_cell_k)
        if shown is not None and shown.cohort_size_display and shown.cohort_size is None:
            content["profile"] = {**content["profile"], "cohort_size": None,
                                  "cohort_size_display": shown.cohort_size_display}  # fmt: skip
    return content


def revision_read(
    revision: EntryRevision,
    access: EntryAccess,
    registry: VocabularyRegistry,
    *,
    small_cell_k: int,
) -> RevisionRead:
    return RevisionRead(
        **revision_summary(revision, access).model_dump(),
        content=revision_content(revision, access, registry, small_cell_k=small_cell_k),
    )

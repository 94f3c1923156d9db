"""Entry use cases: create, edit, delete, publish, revisions.

Services flush, never commit (the request's unit of work does). Every saved
change appends an `EntryRevision`; reader tags are rewritten in the same
transaction whenever status, visibility or partners change.

Live content vs. working revision: for an entry that was never published, the
live row *is* the working copy. Once published, content edits are saved as a new
revision and go live only when that revision is published, so readers keep seeing
the published text meanwhile. Visibility and partner changes apply at once."""

from __future__ import annotations

import secrets
from base64 import b32encode
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.access import Principal, may_see_unpublished, reader_tags
from api.audit import record_event
from api.auth.permissions import is_owner_publisher
from api.curation.workflow import widens_into_review
from api.entries import repository
from api.entries.schemas import EntryCreate, EntryUpdate
from api.entries.validation import check_codes
from api.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    ValidationFailed,
)
from api.models import Entry, EntryReader, EntryRevision, IndicatorValue
from api.models.base import utcnow
from api.vocabularies.registry import VocabularyRegistry

CONTENT_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "language",
    "authors",
    "program_types",
    "regions",
    "settings",
    "target_populations",
    "actors",
    "evaluation_design",
    "evidence_level",
    "period_start",
    "period_end",
    "links",
    "license",
)
SHARING_FIELDS = ("visibility", "shared_with")


def new_entry_id() -> str:
    return b32encode(secrets.token_bytes(10)).decode("ascii").lower()


class EntryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No entry with this id is visible to you.")


def require_editor(principal: Principal, entry: Entry) -> None:
    """Only publishers of the owner organization edit an entry they can see."""
    if not is_owner_publisher(principal, entry):
        raise Forbidden("Only publishers of the owner organization may change this entry.")


def require_publisher(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthorized("Sign in to create entries.", error="invalid_request")
    if principal.organization_id is None or not principal.has_role("publisher"):
        raise Forbidden("Creating entries needs the publisher role in an organization.")


def check_if_match(entry: Entry, if_match: str | None, *, required: bool = True) -> None:
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Send If-Match with the ETag you read, so edits never overwrite each other.",
                current_version=entry.version,
            )
        return
    candidates = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" in candidates or str(entry.version) in candidates:
        return
    raise PreconditionFailed(
        f"The entry is at version {entry.version}; reload it and apply your change again.",
        current_version=entry.version,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(entry: Entry, indicators: list[dict[str, Any]]) -> dict[str, Any]:
    content = {name: _jsonable(getattr(entry, name)) for name in CONTENT_FIELDS}
    content["indicators"] = indicators
    content["visibility"] = entry.visibility
    content["shared_with"] = [p.slug for p in entry.partners]
    return content


def _indicator_dicts(entry: Entry) -> list[dict[str, Any]]:
    return [{"code": i.code, "value": i.value, "note": i.note} for i in entry.indicators]


def _set_indicators(entry: Entry, indicators: list[dict[str, Any]]) -> None:
    entry.indicators = [
        IndicatorValue(code=item["code"], value=item["value"], note=item.get("note"), position=n)
        for n, item in enumerate(indicators)
    ]


def _resolve_partners(
    session: Session, slugs: list[str], owner_id: int
) -> tuple[list[Any], list[FieldError]]:
    found = repository.organizations_by_slug(session, slugs)
    errors: list[FieldError] = []
    partners = []
    for index, slug in enumerate(slugs):
        org = found.get(slug)
        if org is None:
            errors.append(
                FieldError(
                    f"shared_with[{index}]",
                    f"no organization with slug {slug!r}",
                    valid_codes="/v1/organizations",
                )
            )
        elif org.id == owner_id:
            errors.append(FieldError(f"shared_with[{index}]", "the owner always has access"))
        elif org not in partners:
            partners.append(org)
    return partners, errors


def _model_values(model: EntryCreate | EntryUpdate, fields: set[str]) -> dict[str, Any]:
    dumped = model.model_dump(mode="json", include=fields)
    # Keep dates as dates for the ORM; model_dump(mode="json") made them strings.
    for name in ("period_start", "period_end"):
        if name in fields:
            dumped[name] = getattr(model, name)
    return dumped


def create_entry(
    session: Session,
    *,
    principal: Principal,
    data: EntryCreate,
    registry: VocabularyRegistry,
) -> Entry:
    require_publisher(principal)
    assert principal.organization_id is not None
    values = _model_values(data, set(EntryCreate.model_fields))
    errors = check_codes(registry, values)
    partners, partner_errors = _resolve_partners(
        session, values.pop("shared_with"), principal.organization_id
    )
    errors += partner_errors
    if errors:
        raise ValidationFailed("Some fields have values that are not allowed.", errors=errors)
    indicators = values.pop("indicators")
    now = utcnow()
    entry = Entry(
        id=new_entry_id(),
        organization_id=principal.organization_id,
        status="draft",
        working_revision=1,
        created_by_account_id=principal.account_id,
        created_at=now,
        updated_at=now,
        **values,
    )
    entry.partners = partners
    _set_indicators(entry, indicators)
    session.add(entry)
    session.flush()
    _append_revision(session, entry, principal=principal, number=1, comment=None)
    repository.replace_reader_tags(session, entry)
    record_event(session, principal=principal, action="entry.created", entry_id=entry.id)
    return entry


def _append_revision(
    session: Session,
    entry: Entry,
    *,
    principal: Principal,
    number: int,
    comment: str | None,
    content: dict[str, Any] | None = None,
) -> EntryRevision:
    revision = EntryRevision(
        entry_id=entry.id,
        number=number,
        content=content or snapshot(entry, _indicator_dicts(entry)),
        comment=comment,
        created_by_account_id=principal.account_id,
    )
    session.add(revision)
    session.flush()
    return revision


def update_entry(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    data: EntryUpdate,
    if_match: str | None,
    registry: VocabularyRegistry,
) -> Entry:
    require_editor(principal, entry)
    check_if_match(entry, if_match)
    if entry.status in ("retracted", "rejected"):
        raise Conflict(f"A {entry.status} entry cannot be edited.", allowed=[])
    if entry.status == "submitted" or entry.review_status == "submitted":
        raise Conflict(
            "The entry is under review; wait for the curators' decision before editing.",
            allowed=[],
        )
    fields = set(data.model_fields_set) - {"comment"}
    values = _model_values(data, fields)
    already_used = {
        name: set(getattr(entry, name) or [])
        for name in ("program_types", "regions", "settings", "target_populations", "actors")
    }
    for name in ("kind", "language", "evaluation_design", "evidence_level"):
        current = getattr(entry, name)
        already_used[name] = {current} if current else set()
    errors = check_codes(registry, values, already_used=already_used)
    partners = None
    if "shared_with" in values:
        partners, partner_errors = _resolve_partners(
            session, values.pop("shared_with"), entry.organization_id
        )
        errors += partner_errors
    start = values.get("period_start", entry.period_start)
    end = values.get("period_end", entry.period_end)
    if start and end and end < start:
        errors.append(FieldError("period_end", "period_end is before period_start"))
    if errors:
        raise ValidationFailed("Some fields have values that are not allowed.", errors=errors)

    base = _working_content(session, entry)
    content = dict(base)
    for name, value in values.items():
        content[name] = _jsonable(value)
    if partners is not None:
        content["shared_with"] = [p.slug for p in partners]

    sharing_changed = False
    # Once published, widening into public/network waits for review (it lives in the
    # new revision only); narrowing or sharing with partners applies at once.
    if (
        "visibility" in values
        and values["visibility"] != entry.visibility
        and (
            entry.published_revision is None
            or not widens_into_review(entry.visibility, values["visibility"])
        )
    ):
        entry.visibility = values["visibility"]
        sharing_changed = True
    if partners is not None and [p.id for p in partners] != [p.id for p in entry.partners]:
        entry.partners = partners
        sharing_changed = True
    if entry.published_revision is None:
        apply_revision_content(entry, content)
    number = entry.working_revision + 1
    entry.working_revision = number
    if entry.review_status == "rejected":
        entry.review_status = None
    entry.updated_at = utcnow()
    session.flush()
    _append_revision(
        session, entry, principal=principal, number=number, comment=data.comment, content=content
    )
    if sharing_changed:
        repository.replace_reader_tags(session, entry)
        record_event(
            session,
            principal=principal,
            action="entry.visibility_changed",
            entry_id=entry.id,
            details={"visibility": entry.visibility, "shared_with": content["shared_with"]},
        )
    record_event(
        session,
        principal=principal,
        action="entry.updated",
        entry_id=entry.id,
        details={"revision": number, "fields": sorted(fields)},
    )
    return entry


def _working_content(session: Session, entry: Entry) -> dict[str, Any]:
    revision = repository.get_revision(session, entry.id, entry.working_revision)
    if revision is None:
        return snapshot(entry, _indicator_dicts(entry))
    return dict(revision.content)


def apply_revision_content(entry: Entry, content: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        value = content[name]
        if name in ("period_start", "period_end") and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(entry, name, value)
    _set_indicators(entry, content["indicators"])


def delete_entry(
    session: Session, *, principal: Principal, entry: Entry, if_match: str | None
) -> list[str]:
    """Delete a never-published draft; returns storage keys of its attachments."""
    require_editor(principal, entry)
    check_if_match(entry, if_match, required=False)
    if entry.status not in ("draft", "rejected") or entry.published_revision is not None:
        raise Conflict("Only drafts that were never published can be deleted.", allowed=[])
    from api.attachments.service import attachment_storage_keys

    keys = attachment_storage_keys(session, entry.id)
    record_event(session, principal=principal, action="entry.deleted", entry_id=entry.id)
    session.delete(entry)
    session.flush()
    return keys


def insert_entry(
    session: Session,
    *,
    entry_id: str,
    organization_id: int,
    values: dict[str, Any],
    partners: list[Any],
    indicators: list[dict[str, Any]],
    status: str,
    published_at: datetime | None,
    account_id: int | None = None,
) -> Entry:
    """Insert a complete entry with its first revision and reader tags, without
    per-entry queries — for trusted bulk sources (demo data, imports) whose values
    were validated by the caller. Published entries get a published revision 1."""
    now = utcnow()
    entry = Entry(
        id=entry_id,
        organization_id=organization_id,
        status=status,
        working_revision=1,
        published_revision=1 if status == "published" else None,
        published_at=published_at if status == "published" else None,
        created_by_account_id=account_id,
        created_at=published_at or now,
        updated_at=published_at or now,
        **values,
    )
    entry.partners = partners
    _set_indicators(entry, indicators)
    session.add(entry)
    # Revisions and reader tags have no ORM relationship to Entry, so the unit of
    # work would not order their INSERTs after the entry's: flush it first.
    session.flush()
    content = {name: _jsonable(values.get(name)) for name in CONTENT_FIELDS}
    content["indicators"] = indicators
    content["visibility"] = values["visibility"]
    content["shared_with"] = [p.slug for p in partners]
    session.add(
        EntryRevision(
            entry_id=entry_id,
            number=1,
            content=content,
            created_by_account_id=account_id,
            created_at=published_at or now,
            published_at=published_at if status == "published" else None,
        )
    )
    tags = reader_tags(
        status=status,
        visibility=values["visibility"],
        owner_id=organization_id,
        partner_ids=[p.id for p in partners],
    )
    session.add_all(EntryReader(entry_id=entry_id, tag=tag) for tag in sorted(tags))
    return entry


def visible_revision(
    session: Session, *, principal: Principal, entry: Entry, number: int
) -> EntryRevision:
    """Revision `number` of an entry the caller can see: published revisions for every
    reader, unpublished ones only for the owner and reviewing curators."""
    revision = repository.get_revision(session, entry.id, number)
    if revision is None or (
        revision.published_at is None and not may_see_unpublished(principal, entry)
    ):
        raise NotFound(f"No revision {number} of this entry is visible to you.")
    return revision

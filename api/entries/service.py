"""Entry use cases: create, edit, delete, publish, revisions.

Services flush, never commit (the request's unit of work does), and decide no
permission: routes declare the action (`api.entries.dependencies.EntryFor`) and
the policy table decides. Every saved change appends an `EntryRevision`; reader
tags follow status, visibility and partners through the session hook in
`api.access.orm`, in the same transaction.

Live content vs. working revision: for an entry that was never published, the
live row *is* the working copy. Once published, content edits are saved as a new
revision and go live only when that revision is published, so readers keep seeing
the published text meanwhile. Visibility and partner changes apply at once — except
sharing a published entry with organizations that could not read it, when the
sensitive-data guard finds something in the published content: that change then
waits in the new revision, to be published (and held for a curator) like a
submission."""

from __future__ import annotations

import secrets
from base64 import b32encode
from copy import deepcopy
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.access import Principal, entry_facts, may_read_revision, revision_facts
from api.access.policy import widens_into_review
from api.access.rule import REVIEWED_VISIBILITIES
from api.attachments.service import attachment_storage_keys
from api.audit import record_event
from api.entries import repository
from api.entries.schemas import POLICY_KIND, EntryCreate, EntryUpdate
from api.entries.validation import check_codes
from api.errors import (
    Conflict,
    FieldError,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from api.models import Entry, EntryRevision, IndicatorValue
from api.models.base import utcnow
from api.safety import holds
from api.safety.guard import Finding
from api.safety.holds import SubmissionGuard, withdraw
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
    "internal_notes",
    "findings",
    "lessons",
    "recommendations",
    "profile",
    "policy",
    "program_id",
)
EVIDENCE_FIELDS = {"findings": "f", "lessons": "l", "recommendations": "r"}
# Content fields added after entries existed: older snapshots lack them.
_LATER_FIELDS: dict[str, Any] = {"internal_notes": "", "findings": [], "lessons": [],
                                 "recommendations": [], "profile": None,
                                 "program_id": None, "policy": None}  # fmt: skip
SHARING_FIELDS = ("visibility", "shared_with", "listed", "organization_display")


def new_entry_id() -> str:
    return b32encode(secrets.token_bytes(10)).decode("ascii").lower()


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
    content["listed"] = bool(entry.listed)
    content["organization_display"] = entry.organization_display
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


def check_program(
    session: Session, program_id: str | None, organization_id: int, entry_id: str | None = None
) -> list[FieldError]:
    """`program_id` names a program profile of the same organization (never another
    organization's: an error must not reveal what exists elsewhere), not the entry itself."""
    if program_id is None:
        return []
    program = session.get(Entry, program_id)
    if (
        program is None
        or program.organization_id != organization_id
        or program.kind != "program_profile"
        or program.id == entry_id
    ):
        return [FieldError("program_id", "not a program profile of your organization")]
    return []


def check_policy_kind(kind: str, policy: Any, *, kind_changed: bool = False) -> list[FieldError]:
    """Policy fields belong to policy frameworks only: `policy` on another kind is an
    error on `policy` — or on `kind` when the kind is what changed."""
    if policy is None or kind == POLICY_KIND:
        return []
    if kind_changed:
        return [FieldError("kind", f"an entry with policy fields is a {POLICY_KIND}; "
                           "clear policy (null) to change its kind")]  # fmt: skip
    return [FieldError("policy", f"only entries of kind {POLICY_KIND} carry policy fields",
                       kind=kind)]  # fmt: skip


def _policy_codes_in_use(policy: dict[str, Any] | None) -> dict[str, set[str]]:
    """The policy codes an entry already carries: deprecated ones stay editable."""
    if not policy:
        return {}
    return {
        "policy.jurisdiction": {policy["jurisdiction"]},
        "policy.impediment_types": set(policy.get("impediment_types") or []),
    }


def number_items(values: dict[str, Any]) -> list[FieldError]:
    """Give findings, lessons and recommendations without an id the next free one
    (`f1`, `l2`, `r3`…), in place; a repeated id is an error naming the item."""
    errors: list[FieldError] = []
    for field, prefix in EVIDENCE_FIELDS.items():
        if field in values and values[field] is None:
            values[field] = []  # null clears the list (never a JSON null in the column)
        items = values.get(field)
        if not items:
            continue
        taken: set[str] = set()
        for index, item in enumerate(items):
            if item.get("id") is None:
                continue
            if item["id"] in taken:
                errors.append(FieldError(f"{field}[{index}].id", f"repeated id {item['id']!r}"))
            taken.add(item["id"])
        counter = 0
        for item in items:
            if item.get("id") is None:
                counter += 1
                while f"{prefix}{counter}" in taken:
                    counter += 1
                item["id"] = f"{prefix}{counter}"
                taken.add(item["id"])
    return errors


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
    assert principal.organization_id is not None, "route requires a publisher (Publisher)"
    values = _model_values(data, set(EntryCreate.model_fields))
    errors = check_codes(registry, values) + number_items(values)
    errors += check_policy_kind(values["kind"], values.get("policy"))
    errors += check_program(session, values.get("program_id"), principal.organization_id)
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
    guard: SubmissionGuard,
) -> Entry:
    check_if_match(entry, if_match)
    fields = set(data.model_fields_set) - {"comment"}
    values = _model_values(data, fields)
    already_used = {
        name: set(getattr(entry, name) or [])
        for name in ("program_types", "regions", "settings", "target_populations", "actors")
    }
    for name in ("kind", "language", "evaluation_design", "evidence_level"):
        current = getattr(entry, name)
        already_used[name] = {current} if current else set()
    already_used.update(_policy_codes_in_use(entry.policy))
    errors = check_codes(registry, values, already_used=already_used) + number_items(values)
    if values.get("program_id") is not None:
        errors += check_program(session, values["program_id"], entry.organization_id, entry.id)
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
    if "kind" in values or "policy" in values:
        # The kind and policy this revision will have (the working one's otherwise).
        errors += check_policy_kind(
            str(values.get("kind", base.get("kind"))),
            values["policy"] if "policy" in values else base.get("policy"),
            kind_changed="policy" not in values,
        )
    if errors:
        raise ValidationFailed("Some fields have values that are not allowed.", errors=errors)
    content = dict(base)
    for name, value in values.items():
        content[name] = _jsonable(value)
    if partners is not None:
        content["shared_with"] = [p.slug for p in partners]

    deferred = _sharing_deferred(session, entry, values.get("visibility"), partners, guard)
    sharing_changed = False
    # Who may learn the organization applies at once, either way: hiding it must
    # not wait, and naming it again is the owner's call alone.
    display = values.get("organization_display")
    if display is not None and display != entry.organization_display:
        entry.organization_display = display
        sharing_changed = True
    # Once published, widening into public/network waits for review (it lives in the
    # new revision only); narrowing or sharing with partners applies at once.
    if (
        "visibility" in values
        and not deferred
        and values["visibility"] != entry.visibility
        and (
            entry.published_revision is None
            or not widens_into_review(entry.visibility, values["visibility"])
        )
    ):
        entry.visibility = values["visibility"]
        sharing_changed = True
    if (
        partners is not None
        and not deferred
        and [p.id for p in partners] != [p.id for p in entry.partners]
    ):
        entry.partners = partners
        sharing_changed = True
    if "listed" in values and values["listed"] != entry.listed:
        entry.listed = values["listed"]  # the owner's choice; applies at once
        sharing_changed = True
    if entry.published_revision is None:
        apply_revision_content(entry, content)
    number = entry.working_revision + 1
    entry.working_revision = number
    if entry.review_status == "rejected":
        entry.review_status = None
    # Changing a held submission withdraws it; submitting again scans again.
    withdrawn = withdraw(entry)
    if not withdrawn and entry.requested_visibility is not None and "visibility" in values:
        # The visibility asked for changed while curators look at it (changes were
        # requested): they keep the review only if it still needs them.
        wanted = values["visibility"]
        entry.requested_visibility = wanted if wanted in REVIEWED_VISIBILITIES else None
    entry.updated_at = utcnow()
    session.flush()
    _append_revision(
        session, entry, principal=principal, number=number, comment=data.comment, content=content
    )
    if deferred:
        holds.record_scan(session, entry, number, deferred)
    if sharing_changed:
        record_event(
            session,
            principal=principal,
            action="entry.visibility_changed",
            entry_id=entry.id,
            details={
                "visibility": entry.visibility,
                "shared_with": content["shared_with"],
                "listed": entry.listed,
                "organization_display": entry.organization_display,
            },
        )
    record_event(
        session,
        principal=principal,
        action="entry.updated",
        entry_id=entry.id,
        details={"revision": number, "fields": sorted(fields)},
    )
    return entry


def _sharing_deferred(
    session: Session,
    entry: Entry,
    visibility: str | None,
    partners: list[Any] | None,
    guard: SubmissionGuard,
) -> list[Finding]:
    """The guard's findings in the published content when this change would show it
    to organizations that could not read it (a published private entry shared with
    partners, or partners added) — then the change waits; else nothing."""
    if entry.published_revision is None or (visibility or entry.visibility) != "partners":
        return []
    before = {p.id for p in entry.partners} if entry.visibility == "partners" else set()
    after = {p.id for p in partners} if partners is not None else {p.id for p in entry.partners}
    if after <= before:
        return []
    live = repository.get_revision(session, entry.id, entry.published_revision)
    return holds.sharing_findings(session, entry, live.content, guard) if live else []


def _working_content(session: Session, entry: Entry) -> dict[str, Any]:
    revision = repository.get_revision(session, entry.id, entry.working_revision)
    if revision is None:
        return snapshot(entry, _indicator_dicts(entry))
    return dict(revision.content)


def apply_revision_content(entry: Entry, content: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        if name in _LATER_FIELDS:
            value = deepcopy(content.get(name, _LATER_FIELDS[name]))
        else:
            value = content[name]
        if name in ("period_start", "period_end") and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(entry, name, value)
    _set_indicators(entry, content["indicators"])


def delete_entry(
    session: Session, *, principal: Principal, entry: Entry, if_match: str | None
) -> list[str]:
    """Delete a never-published draft (the policy allows it only for drafts and
    rejected submissions); returns storage keys of its attachments."""
    check_if_match(entry, if_match, required=False)
    if entry.published_revision is not None:
        raise Conflict("Only entries that were never published can be deleted.", allowed=[])
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
    content["listed"] = bool(values.get("listed", False))
    content["organization_display"] = values.get("organization_display", "named")
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
    return entry


def readable_revisions(
    session: Session, *, principal: Principal, entry: Entry
) -> list[EntryRevision]:
    """The revisions of an entry the caller may read (`api.access.may_read_revision`)."""
    revisions = repository.list_revisions(session, entry.id)
    facts = entry_facts(entry)
    return [
        revision
        for revision, revision_fact in zip(
            revisions, revision_facts(session, revisions), strict=True
        )
        if may_read_revision(principal, facts, revision_fact)
    ]


def readable_revision(
    session: Session, *, principal: Principal, entry: Entry, number: int
) -> EntryRevision:
    """Revision `number`, if the caller may read it; else 404 (like a missing one)."""
    revision = repository.get_revision(session, entry.id, number)
    if revision is None or not may_read_revision(
        principal, entry_facts(entry), revision_facts(session, [revision])[0]
    ):
        raise NotFound(f"No revision {number} of this entry is visible to you.")
    return revision

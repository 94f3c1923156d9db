"""Bulk import use case: validate every row, then create all entries or none.

Every row is checked the way the API checks a `POST /v1/entries` body — the
`EntryCreate` schema, vocabulary codes (`check_codes`: deprecated codes are
refused on new entries) and partner organizations — and *all* problems of *all*
rows are collected before anything is written. Only when there are none are the
entries created, each through `api.entries.service.create_entry`, the API's own
path, so revisions, reader tags, the audit log and the search outbox are written
exactly as for an entry created over HTTP. They are drafts of the organization:
publishing stays the workflow's business.

This module flushes and never commits: the caller owns the one transaction the
whole import runs in (`api.cli_curation`), so a failure at any row — a validation
error or a database error — leaves the database as it was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal
from api.audit import record_event
from api.entries.schemas import EntryCreate
from api.entries.service import check_policy_kind, create_entry
from api.entries.validation import check_codes
from api.errors import NotFound
from api.imports.formats import RawRow, RowError
from api.models import Organization
from api.vocabularies.registry import VocabularyRegistry


@dataclass(slots=True)
class ImportReport:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    created_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class OrganizationNotFound(NotFound):
    def __init__(self, slug: str) -> None:
        super().__init__(f"There is no organization {slug!r}; see `offramp org create`.")


def importer(organization: Organization) -> Principal:
    """Who the import acts as: a publisher of the organization, on the command line.

    No account: the operator running the CLI has shell access to the node, not an
    identity in it; `channel="cli"` marks every audit event of the import."""
    return Principal(
        kind="member",
        organization_id=organization.id,
        organization_slug=organization.slug,
        roles=frozenset({"publisher"}),
        display_name="offramp import",
        channel="cli",
    )


def _field(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "row"


# One adapter per field, carrying the field's own constraints (its FieldInfo).
_FIELD_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(Annotated[info.annotation, info])  # type: ignore[arg-type]
    for name, info in EntryCreate.model_fields.items()
}


def _well_formed_fields(raw: dict[str, Any], failed: set[int | str]) -> dict[str, Any]:
    """The fields of a row that failed `EntryCreate`, each validated on its own."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        adapter = _FIELD_ADAPTERS.get(name)
        if adapter is None or name in failed:
            continue
        try:
            values[name] = adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError:
            continue
    return values


def validate_rows(
    session: Session,
    *,
    organization: Organization,
    rows: Sequence[RawRow],
    registry: VocabularyRegistry,
) -> tuple[list[EntryCreate], list[RowError]]:
    """Every row as `EntryCreate`, and every problem of every row."""
    models: list[EntryCreate] = []
    errors: list[RowError] = []
    wanted_partners: list[tuple[int, int, str]] = []
    for raw in rows:
        try:
            model = EntryCreate.model_validate(raw.values)
        except ValidationError as exc:
            problems = exc.errors()
            errors.extend(RowError(raw.number, _field(p["loc"]), p["msg"]) for p in problems)
            # Still check the codes of the fields that are well formed, so a row's
            # unknown codes are reported together with its missing title.
            values = _well_formed_fields(raw.values, {p["loc"][0] for p in problems if p["loc"]})
        else:
            models.append(model)
            values = model.model_dump(mode="json")
        errors.extend(
            RowError(raw.number, problem["field"], problem["message"])
            for problem in [*check_codes(registry, values),
                            *(check_policy_kind(values["kind"], values.get("policy"))
                              if "kind" in values else [])]
        )  # fmt: skip
        wanted_partners.extend(
            (raw.number, index, slug) for index, slug in enumerate(values.get("shared_with", []))
        )
    slugs = {slug for _, _, slug in wanted_partners}
    known = (
        set(session.scalars(select(Organization.slug).where(Organization.slug.in_(slugs))))
        if slugs
        else set()
    )
    for number, index, slug in wanted_partners:
        where = f"shared_with[{index}]"
        if slug not in known:
            errors.append(RowError(number, where, f"no organization with slug {slug!r}"))
        elif slug == organization.slug:
            errors.append(RowError(number, where, "the owner always has access"))
    errors.sort(key=lambda e: (e.row or 0, e.field))
    return models, errors


def import_entries(
    session: Session,
    *,
    organization_slug: str,
    rows: Sequence[RawRow],
    registry: VocabularyRegistry,
    dry_run: bool,
    source: str,
) -> ImportReport:
    """Validate all rows; unless `dry_run` or a row is invalid, create them all as drafts.

    Nothing is written when the report has errors or on a dry run; the caller
    still decides whether to commit."""
    organization = session.scalar(
        select(Organization).where(Organization.slug == organization_slug)
    )
    if organization is None:
        raise OrganizationNotFound(organization_slug)
    models, errors = validate_rows(session, organization=organization, rows=rows, registry=registry)
    report = ImportReport(rows=len(rows), errors=errors)
    if errors or dry_run:
        return report
    principal = importer(organization)
    for model in models:
        entry = create_entry(session, principal=principal, data=model, registry=registry)
        report.created_ids.append(entry.id)
    record_event(
        session,
        principal=principal,
        action="entries.imported",
        subject_type="organization",
        subject_id=organization.slug,
        details={
            "source": source,
            "count": len(report.created_ids),
            "entry_ids": report.created_ids,
        },
    )
    return report

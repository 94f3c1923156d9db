"""Who read an organization's non-public entries and attachments, and when — for
the owner organization (`GET /v1/entries/{id}/reads`,
`GET /v1/organizations/{slug}/reads`).

Every such read is already in the audit log (`api.audit.record_read`, which
refuses the read if it cannot record it); this module only shows those records to
the owner. Who may ask: the `read_reads` action of the policy table (the owner
organization's publishers and admins) and, for the organization's whole log,
`ReadAuditOrganization` (its admins and publishers, node admins).

Invariant: a reader from another organization appears as that organization only;
the person (account) is shown only when the reader belongs to the owner
organization itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.db import ReadSession
from api.entries.dependencies import EntryFor
from api.entries.schemas import OrganizationRef
from api.errors import problem_responses
from api.models import Account, AuditEvent, Entry, Organization
from api.organizations.dependencies import ReadAuditOrganization

router = APIRouter(tags=["audit"])

READ_ACTIONS = ("entry.read", "attachment.read")


class Reader(BaseModel):
    account_id: int
    display_name: str


class ReadRecord(BaseModel):
    occurred_at: datetime
    entry_id: str
    attachment_id: str | None = Field(description="Set when a document was downloaded")
    reader_organization: OrganizationRef | None = Field(
        description="The reader's organization (null: none, e.g. a node operator's CLI)"
    )
    reader: Reader | None = Field(
        description="The person — only when they belong to your organization"
    )
    channel: str = Field(description="api, web, client or cli")


class ReadPage(BaseModel):
    items: list[ReadRecord]
    total: int
    page: int
    per_page: int


Page = Annotated[int, Query(ge=1, le=10_000)]
PerPage = Annotated[int, Query(ge=1, le=200)]


def reads_page(
    session: Session, where: ColumnElement[bool], owner_id: int, *, page: int, per_page: int
) -> ReadPage:
    query = select(AuditEvent).where(AuditEvent.action.in_(READ_ACTIONS), where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return ReadPage(
        items=_records(session, rows, owner_id), total=total, page=page, per_page=per_page
    )


def _records(session: Session, rows: Sequence[AuditEvent], owner_id: int) -> list[ReadRecord]:
    org_ids = {r.actor_organization_id for r in rows if r.actor_organization_id is not None}
    organizations = {
        o.id: OrganizationRef(slug=o.slug, name=o.name)
        for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))
    }
    own_people = {
        r.actor_account_id
        for r in rows
        if r.actor_organization_id == owner_id and r.actor_account_id is not None
    }
    names = {
        account_id: name
        for account_id, name in session.execute(
            select(Account.id, Account.display_name).where(Account.id.in_(own_people))
        )
    }
    return [
        ReadRecord(
            occurred_at=r.occurred_at,
            entry_id=r.entry_id or "",
            attachment_id=r.subject_id if r.subject_type == "attachment" else None,
            reader_organization=organizations.get(r.actor_organization_id)
            if r.actor_organization_id is not None
            else None,
            reader=Reader(account_id=r.actor_account_id, display_name=names[r.actor_account_id])
            if r.actor_account_id in names
            else None,
            channel=r.channel,
        )
        for r in rows
    ]


@router.get(
    "/v1/entries/{entry_id}/reads",
    summary="Who read this non-public entry or its documents, and when (owner only)",
    responses=problem_responses(401, 403, 404, 422),
)
def entry_reads(
    entry: Annotated[Entry, Depends(EntryFor("read_reads"))],
    session: ReadSession,
    page: Page = 1,
    per_page: PerPage = 50,
) -> ReadPage:
    return reads_page(
        session,
        AuditEvent.entry_id == entry.id,
        entry.organization_id,
        page=page,
        per_page=per_page,
    )


@router.get(
    "/v1/organizations/{slug}/reads",
    summary="Who read the organization's non-public entries and documents, and when",
    responses=problem_responses(401, 403, 404, 422),
)
def organization_reads(
    organization: ReadAuditOrganization,
    session: ReadSession,
    page: Page = 1,
    per_page: PerPage = 50,
) -> ReadPage:
    own = select(Entry.id).where(Entry.organization_id == organization.id)
    return reads_page(
        session, AuditEvent.entry_id.in_(own), organization.id, page=page, per_page=per_page
    )

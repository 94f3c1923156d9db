"""`GET /v1/audit-events`: who did what, for those entitled to know.

Node admins see every event. Curators see what concerns entries they may read
now (by the visibility rule) and their own domains; an organization's admins see
events about its entries and by its members. Details pass through the same
redaction as every other view; people of other organizations appear as their
organization only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, or_, select

from api.access import (
    Principal,
    access_to,
    organization_shown,
    redact,
    shows_safety_detail,
    visible_clause,
)
from api.access.redaction import SAFETY_REASONS
from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import refusal, require_signed_in
from api.db import ReadSession
from api.errors import problem_responses
from api.models import AuditEvent, Entry

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])


class AuditEventRead(BaseModel):
    id: int
    occurred_at: datetime
    action: str
    actor_kind: str
    actor_account_id: int | None
    actor_organization_id: int | None
    actor_client_id: str | None
    channel: str
    entry_id: str | None
    subject_type: str | None
    subject_id: str | None
    details: dict[str, Any]


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    total: int
    page: int
    per_page: int


CURATOR_SUBJECTS = ("organization", "collection", "vocabulary_term")


def _audit_reader(principal: CurrentPrincipal) -> Principal:
    require_signed_in(principal)
    if not (principal.node_admin or principal.has_role("curator") or principal.has_role("admin")):
        raise refusal(principal, "admin", "Audit events are for organization admins and curators.")
    return principal


AuditReader = Annotated[Principal, Depends(_audit_reader)]


def _scope(principal: Principal) -> ColumnElement[bool] | None:
    """Which events the caller may list (None: all — node admins)."""
    if principal.node_admin:
        return None
    conditions: list[ColumnElement[bool]] = []
    if principal.has_role("curator"):
        # What curators may read now, and the curators' own domains.
        readable = select(Entry.id).where(visible_clause(principal))
        conditions += [
            AuditEvent.entry_id.in_(readable),
            and_(AuditEvent.entry_id.is_(None), AuditEvent.subject_type.in_(CURATOR_SUBJECTS)),
        ]
    if principal.has_role("admin") and principal.organization_id is not None:
        # Its entries; its members' actions — on entries only where the admin may read
        # them too (a member's read of another organization's private entry is not
        # for its admins to learn about).
        own = select(Entry.id).where(Entry.organization_id == principal.organization_id)
        readable = select(Entry.id).where(visible_clause(principal))
        by_members = AuditEvent.actor_organization_id == principal.organization_id
        conditions += [
            AuditEvent.entry_id.in_(own),
            and_(by_members, AuditEvent.entry_id.is_(None)),
            and_(by_members, AuditEvent.entry_id.in_(readable)),
        ]
    return or_(*conditions)


def _shown(
    session: ReadSession, principal: Principal, rows: list[AuditEvent]
) -> list[AuditEventRead]:
    """Each event as the caller may see it: details redacted by the caller's capacity
    on the entry; people of other organizations named by organization only."""
    ids = {row.entry_id for row in rows if row.entry_id}
    entries = {e.id: e for e in session.scalars(select(Entry).where(Entry.id.in_(ids)))}
    shown = []
    for row in rows:
        read = AuditEventRead.model_validate(row, from_attributes=True)
        entry = entries.get(row.entry_id) if row.entry_id else None
        if entry is not None and not principal.node_admin:
            access = access_to(principal, entry)
            details = read.details
            if details.get("reason") in SAFETY_REASONS and not shows_safety_detail(access):
                details = {k: v for k, v in details.items() if k != "comment"}
            read.details = redact(details, access)
            if (
                row.actor_organization_id == entry.organization_id
                and organization_shown(principal, entry) is None
            ):
                read.actor_organization_id = None
        if not principal.node_admin and row.actor_organization_id != principal.organization_id:
            read.actor_account_id = None
        shown.append(read)
    return shown


@router.get("", responses=problem_responses(401, 403))
def list_audit_events(
    session: ReadSession,
    principal: AuditReader,
    entry_id: Annotated[str | None, Query(max_length=40)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> AuditEventPage:
    """Node admins see every event. Curators see events about entries they may read
    now and about organizations, collections and vocabularies; an organization's
    admins see events about its entries and by its members."""
    query = select(AuditEvent)
    scope = _scope(principal)
    if scope is not None:
        query = query.where(scope)
    if entry_id:
        query = query.where(AuditEvent.entry_id == entry_id)
    if action:
        query = query.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(
        session.scalars(
            query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return AuditEventPage(
        items=_shown(session, principal, rows), total=total, page=page, per_page=per_page
    )

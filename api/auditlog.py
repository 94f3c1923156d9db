"""`GET /v1/audit-events`: who did what, for those entitled to know.

Curators and node admins see every event; an organization's admins see the
events about their own organization's entries. Nobody else sees any."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import is_curator, is_node_admin, require_signed_in
from api.db import ReadSession
from api.errors import Forbidden, problem_responses
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


@router.get("", responses=problem_responses(401, 403))
def list_audit_events(
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
    entry_id: str | None = None,
    action: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> AuditEventPage:
    require_signed_in(principal)
    query = select(AuditEvent)
    if not (is_curator(principal) or is_node_admin(principal, request.app.state.settings)):
        if not principal.has_role("admin") or principal.organization_id is None:
            raise Forbidden("Audit events are for organization admins and curators.")
        own_entries = select(Entry.id).where(Entry.organization_id == principal.organization_id)
        query = query.where(AuditEvent.entry_id.in_(own_entries))
    if entry_id:
        query = query.where(AuditEvent.entry_id == entry_id)
    if action:
        query = query.where(AuditEvent.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return AuditEventPage(
        items=[AuditEventRead.model_validate(row, from_attributes=True) for row in rows],
        total=total,
        page=page,
        per_page=per_page,
    )

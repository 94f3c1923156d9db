"""Writing the audit log. One function; the row goes into the caller's transaction,
so an action and its audit record commit or fail together."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.orm import Session

from api.access import Principal
from api.models import AuditEvent


def record_event(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entry_id: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    channel: str = "api",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = AuditEvent(
        action=action,
        actor_kind=principal.kind,
        actor_account_id=principal.account_id,
        actor_organization_id=principal.organization_id,
        actor_client_id=principal.client_id,
        channel=channel,
        entry_id=entry_id,
        subject_type=subject_type or ("entry" if entry_id else None),
        subject_id=subject_id or entry_id,
        details=details or {},
        request_id=request_id if isinstance(request_id, str) else None,
    )
    session.add(event)
    session.flush()
    return event

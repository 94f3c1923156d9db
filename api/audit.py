"""Writing the audit log. `record_event` puts the row into the caller's transaction,
so an action and its audit record commit or fail together; `record_read` audits
reads of non-public entries and attachments in a transaction of its own."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.access import Principal
from api.errors import ServiceUnavailable
from api.models import AuditEvent, Entry

log = structlog.get_logger("api.audit")


def record_event(
    session: Session,
    *,
    principal: Principal,
    action: str,
    entry_id: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    channel: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    event = AuditEvent(
        action=action,
        actor_kind=principal.kind,
        actor_account_id=principal.account_id,
        actor_organization_id=principal.organization_id,
        actor_client_id=principal.client_id,
        channel=channel or ("client" if principal.kind == "client" else principal.channel),
        entry_id=entry_id,
        subject_type=subject_type or ("entry" if entry_id else None),
        subject_id=subject_id or entry_id,
        details=details or {},
        request_id=request_id if isinstance(request_id, str) else None,
    )
    session.add(event)
    session.flush()
    return event


def is_sensitive_read(entry: Entry) -> bool:
    """Reads of anything but a published public entry are audited."""
    return not (entry.status == "published" and entry.visibility == "public")


def record_read(
    session_factory: sessionmaker[Session],
    *,
    principal: Principal,
    entry: Entry,
    action: str = "entry.read",
    subject_type: str | None = None,
    subject_id: str | None = None,
) -> None:
    """Audit a read of a non-public entry in its own committed transaction.

    Fails closed: if the record cannot be written, the read is refused (503)
    rather than served unrecorded."""
    if not is_sensitive_read(entry):
        return
    try:
        with session_factory() as session, session.begin():
            record_event(
                session,
                principal=principal,
                action=action,
                entry_id=entry.id,
                subject_type=subject_type,
                subject_id=subject_id,
                details={"visibility": entry.visibility, "status": entry.status},
            )
    except Exception as exc:  # any failure to record means no answer
        log.error("audit write failed; refusing the read", entry_id=entry.id, error=str(exc))
        raise ServiceUnavailable("The access could not be recorded; try again.") from exc

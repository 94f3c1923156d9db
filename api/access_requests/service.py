"""Access-request use cases: ask, decide, grant, revoke. Services flush only.

The requester's identity and organization come from the caller's token; a grant
goes to the requester's organization, lasts until `expires_at` (at most a year)
or until revoked, and becomes a reader tag of the entry through the one rule
(`api.access`: the flush hook rewrites `entry_reader`, with the grant's expiry).
Every step is audited and notified to the organization concerned."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal
from api.audit import record_event
from api.errors import Conflict, NotFound
from api.models import AccessGrant, AccessRequest, Entry, NotificationEvent
from api.models.base import utcnow


def request_access(
    session: Session, *, principal: Principal, entry: Entry, reason: str
) -> AccessRequest:
    assert principal.organization_id is not None, "route requires a member (StubEntry)"
    pending = session.scalar(
        select(AccessRequest).where(
            AccessRequest.entry_id == entry.id,
            AccessRequest.requester_organization_id == principal.organization_id,
            AccessRequest.status == "pending",
        )
    )
    if pending is not None:
        raise Conflict("Your organization has asked already; the owner has not answered yet.")
    request = AccessRequest(
        entry_id=entry.id,
        requester_account_id=principal.account_id,
        requester_organization_id=principal.organization_id,
        reason=reason,
    )
    session.add(request)
    session.add(
        NotificationEvent(
            organization_id=entry.organization_id,
            entry_id=entry.id,
            kind="access_requested",
            message=f"{entry.title!r}: {principal.organization_slug} asks for access",
            actor_account_id=principal.account_id,
        )
    )
    session.flush()
    record_event(session, principal=principal, action="access.requested", entry_id=entry.id,
                 details={"request": request.id})  # fmt: skip
    return request


def requests_of(session: Session, entry: Entry) -> list[AccessRequest]:
    return list(
        session.scalars(
            select(AccessRequest)
            .where(AccessRequest.entry_id == entry.id)
            .order_by(AccessRequest.id.desc())
        )
    )


def my_requests(session: Session, principal: Principal) -> list[AccessRequest]:
    return list(
        session.scalars(
            select(AccessRequest)
            .where(AccessRequest.requester_organization_id == principal.organization_id)
            .order_by(AccessRequest.id.desc())
        )
    )


def _pending(session: Session, entry: Entry, request_id: int) -> AccessRequest:
    request = session.get(AccessRequest, request_id)
    if request is None or request.entry_id != entry.id:
        raise NotFound("No such access request for this entry.")
    if request.status != "pending":
        raise Conflict(f"This request was {request.status} already.")
    return request


def approve(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    request_id: int,
    days: int,
    comment: str | None,
) -> AccessGrant:
    request = _pending(session, entry, request_id)
    now = utcnow()
    request.status = "approved"
    request.decided_at = now
    request.decided_by_account_id = principal.account_id
    request.decision_comment = comment
    grant = AccessGrant(
        entry_id=entry.id,
        organization_id=request.requester_organization_id,
        request_id=request.id,
        granted_by_account_id=principal.account_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(grant)
    session.add(
        NotificationEvent(
            organization_id=request.requester_organization_id,
            entry_id=entry.id,
            kind="access_granted",
            message=f"{entry.title!r}: access granted for {days} days",
            actor_account_id=principal.account_id,
        )
    )
    session.flush()
    record_event(session, principal=principal, action="access.granted", entry_id=entry.id,
                 details={"request": request.id, "grant": grant.id, "days": days})  # fmt: skip
    return grant


def decline(
    session: Session, *, principal: Principal, entry: Entry, request_id: int, comment: str | None
) -> AccessRequest:
    request = _pending(session, entry, request_id)
    request.status = "declined"
    request.decided_at = utcnow()
    request.decided_by_account_id = principal.account_id
    request.decision_comment = comment
    session.flush()
    record_event(session, principal=principal, action="access.declined", entry_id=entry.id,
                 details={"request": request.id})  # fmt: skip
    return request


def grants_of(session: Session, entry: Entry) -> list[AccessGrant]:
    return list(
        session.scalars(
            select(AccessGrant).where(AccessGrant.entry_id == entry.id).order_by(AccessGrant.id)
        )
    )


def revoke(session: Session, *, principal: Principal, entry: Entry, grant_id: int) -> AccessGrant:
    grant = session.get(AccessGrant, grant_id)
    if grant is None or grant.entry_id != entry.id:
        raise NotFound("No such grant for this entry.")
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        session.flush()
        record_event(session, principal=principal, action="access.revoked", entry_id=entry.id,
                     details={"grant": grant.id})  # fmt: skip
    return grant

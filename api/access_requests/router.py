"""`/v1/entries/{id}/access-requests`, `/grants` and `/v1/me/access-requests`.

Asking is for signed-in members who see only the public stub of a listed entry
(`StubEntry`); deciding, listing and revoking is the owner organization's
publishers' (`manage_access` in the policy table, `EntryFor`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from api.access import access_to
from api.access_requests import service
from api.access_requests.schemas import (
    AccessDecision,
    AccessGrantRead,
    AccessRequestCreate,
    AccessRequestRead,
)
from api.auth.dependencies import CurrentPrincipal, SignedIn
from api.auth.permissions import require_signed_in
from api.bounds import DatabaseId
from api.db import ReadSession, WriteSession
from api.entries.dependencies import EntryFor, EntryId, visible_or_listed_entry
from api.entries.schemas import OrganizationRef
from api.errors import Conflict, Forbidden, problem_responses
from api.models import AccessGrant, AccessRequest, Entry, Organization

router = APIRouter(tags=["access requests"])

ManagedEntry = Annotated[Entry, Depends(EntryFor("manage_access"))]


def stub_entry(entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal) -> Entry:
    """A listed entry the caller sees only as a stub: the one it may ask access to."""
    entry = visible_or_listed_entry(entry_id, session, principal)
    require_signed_in(principal)
    if principal.organization_id is None:
        raise Forbidden("Access is granted to organizations: sign in as a member of one.")
    if not access_to(principal, entry).stub:
        raise Conflict("You may read this entry already.")
    return entry


StubEntry = Annotated[Entry, Depends(stub_entry)]


def _org(session: ReadSession | WriteSession, organization_id: int) -> OrganizationRef:
    organization = session.get(Organization, organization_id)
    assert organization is not None
    return OrganizationRef(slug=organization.slug, name=organization.name)


def _request_read(session: ReadSession | WriteSession, row: AccessRequest) -> AccessRequestRead:
    return AccessRequestRead(
        id=row.id, entry_id=row.entry_id, organization=_org(session, row.requester_organization_id),
        reason=row.reason, status=row.status, created_at=row.created_at,
        decided_at=row.decided_at, decision_comment=row.decision_comment,
    )  # fmt: skip


def _grant_read(session: ReadSession | WriteSession, row: AccessGrant) -> AccessGrantRead:
    return AccessGrantRead(
        id=row.id, entry_id=row.entry_id, organization=_org(session, row.organization_id),
        created_at=row.created_at, expires_at=row.expires_at, revoked_at=row.revoked_at,
    )  # fmt: skip


@router.post(
    "/v1/entries/{entry_id}/access-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask the owner of a listed entry for access (members)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def request_access(
    entry: StubEntry, data: AccessRequestCreate, session: WriteSession, principal: CurrentPrincipal
) -> AccessRequestRead:
    row = service.request_access(session, principal=principal, entry=entry, reason=data.reason)
    return _request_read(session, row)


@router.get(
    "/v1/entries/{entry_id}/access-requests",
    summary="Requests for access to an entry (its owner organization)",
    responses=problem_responses(401, 403, 404, 409),
)
def list_requests(entry: ManagedEntry, session: ReadSession) -> list[AccessRequestRead]:
    return [_request_read(session, r) for r in service.requests_of(session, entry)]


@router.post(
    "/v1/entries/{entry_id}/access-requests/{request_id}/approve",
    summary="Grant the requesting organization access for some days",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def approve_request(
    entry: ManagedEntry,
    request_id: DatabaseId,
    session: WriteSession,
    principal: CurrentPrincipal,
    data: AccessDecision | None = None,
) -> AccessGrantRead:
    decision = data or AccessDecision()
    grant = service.approve(
        session, principal=principal, entry=entry, request_id=request_id,
        days=decision.days, comment=decision.comment,
    )  # fmt: skip
    return _grant_read(session, grant)


@router.post(
    "/v1/entries/{entry_id}/access-requests/{request_id}/decline",
    summary="Decline a request for access",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def decline_request(
    entry: ManagedEntry,
    request_id: DatabaseId,
    session: WriteSession,
    principal: CurrentPrincipal,
    data: AccessDecision | None = None,
) -> AccessRequestRead:
    row = service.decline(
        session, principal=principal, entry=entry, request_id=request_id,
        comment=data.comment if data else None,
    )  # fmt: skip
    return _request_read(session, row)


@router.get(
    "/v1/entries/{entry_id}/grants",
    summary="Organizations granted access to an entry (its owner organization)",
    responses=problem_responses(401, 403, 404, 409),
)
def list_grants(entry: ManagedEntry, session: ReadSession) -> list[AccessGrantRead]:
    return [_grant_read(session, g) for g in service.grants_of(session, entry)]


@router.delete(
    "/v1/entries/{entry_id}/grants/{grant_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a grant at once",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def revoke_grant(
    entry: ManagedEntry, grant_id: DatabaseId, session: WriteSession, principal: CurrentPrincipal
) -> Response:
    service.revoke(session, principal=principal, entry=entry, grant_id=grant_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/v1/me/access-requests",
    summary="Your organization's requests for access and their answers",
    responses=problem_responses(401),
)
def my_requests(session: ReadSession, principal: SignedIn) -> list[AccessRequestRead]:
    return [_request_read(session, r) for r in service.my_requests(session, principal)]

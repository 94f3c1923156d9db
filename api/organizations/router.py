"""`/v1/organizations`: the directory of member organizations, and membership
management. Who may act is declared in each route's signature (see
`api.organizations.dependencies` and `api.auth.dependencies`); which roles a
caller may grant is the policy (`api.access.policy.may_grant`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.access import Principal
from api.access.policy import may_grant
from api.audit import record_event
from api.auth.dependencies import CuratorOrNodeAdmin, CurrentPrincipal
from api.bounds import DatabaseId
from api.db import ReadSession, WriteSession
from api.errors import FieldError, Forbidden, NotFound, ValidationFailed, problem_responses
from api.models import ROLES, Account, Organization
from api.organizations import service
from api.organizations.dependencies import (
    EditableOrganization,
    ManagedOrganization,
    OrganizationBySlug,
)

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])

Role = Annotated[str, Path(max_length=16)]


class OrganizationRead(BaseModel):
    slug: str
    name: str
    country: str | None


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None


class OrganizationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None


class MemberRead(BaseModel):
    account_id: int
    display_name: str
    issuer: str
    subject: str
    roles: list[str]


class MemberCreate(BaseModel):
    """Pre-provision a person by their identity provider's issuer and subject."""

    model_config = ConfigDict(extra="forbid")

    issuer: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    roles: Annotated[list[str], Field(min_length=1, max_length=4)]


def _read(organization: Organization) -> OrganizationRead:
    return OrganizationRead(
        slug=organization.slug, name=organization.name, country=organization.country
    )


def _member_read(account: Account, roles: list[str]) -> MemberRead:
    return MemberRead(
        account_id=account.id,
        display_name=account.display_name,
        issuer=account.issuer,
        subject=account.subject,
        roles=roles,
    )


def _check_grantable(
    principal: Principal, role: str, organization: Organization, field: str
) -> None:
    if role not in ROLES:
        raise ValidationFailed(
            "Unknown role.", errors=[FieldError(field, f"one of {', '.join(ROLES)}")]
        )
    if not may_grant(principal, role, organization.id):
        raise Forbidden(
            f"You may not grant or revoke the {role!r} role here: roles are granted within "
            "one's own organization and never above one's own; curator only by node admins."
        )


def _audit_role(
    session: WriteSession,
    principal: Principal,
    action: str,
    organization: Organization,
    account: Account,
    role: str,
) -> None:
    record_event(
        session,
        principal=principal,
        action=action,
        subject_type="account",
        subject_id=str(account.id),
        details={"organization": organization.slug, "role": role},
    )


def _account(session: ReadSession | WriteSession, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


@router.get("", summary="Member organizations of this node")
def list_organizations(session: ReadSession) -> list[OrganizationRead]:
    return [_read(o) for o in service.list_organizations(session)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
def create_organization(
    data: OrganizationCreate, session: WriteSession, principal: CuratorOrNodeAdmin
) -> OrganizationRead:
    organization = service.create_organization(
        session, slug=data.slug, name=data.name, country=data.country
    )
    record_event(
        session,
        principal=principal,
        action="organization.created",
        subject_type="organization",
        subject_id=organization.slug,
    )
    return _read(organization)


@router.get("/{slug}", responses=problem_responses(404))
def get_organization(organization: OrganizationBySlug) -> OrganizationRead:
    return _read(organization)


@router.patch("/{slug}", responses=problem_responses(401, 403, 404, 422))
def update_organization(
    organization: EditableOrganization,
    data: OrganizationUpdate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> OrganizationRead:
    service.update_organization(session, organization, name=data.name, country=data.country)
    record_event(
        session,
        principal=principal,
        action="organization.updated",
        subject_type="organization",
        subject_id=organization.slug,
        details=data.model_dump(exclude_none=True),
    )
    return _read(organization)


@router.get("/{slug}/members", responses=problem_responses(401, 403, 404))
def list_members(organization: ManagedOrganization, session: ReadSession) -> list[MemberRead]:
    return [_member_read(a, roles) for a, roles in service.list_members(session, organization)]


@router.post(
    "/{slug}/members",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 422),
)
def add_member(
    organization: ManagedOrganization,
    data: MemberCreate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> MemberRead:
    for index, role in enumerate(data.roles):
        _check_grantable(principal, role, organization, f"roles[{index}]")
    account = service.ensure_account(
        session, issuer=data.issuer, subject=data.subject, display_name=data.display_name
    )
    for role in sorted(set(data.roles)):
        service.grant_role(session, account=account, organization=organization, role=role)
        _audit_role(session, principal, "role.granted", organization, account, role)
    roles = {a.id: r for a, r in service.list_members(session, organization)}[account.id]
    return _member_read(account, roles)


@router.put(
    "/{slug}/members/{account_id}/roles/{role}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def grant_role(
    organization: ManagedOrganization,
    account_id: DatabaseId,
    role: Role,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> Response:
    _check_grantable(principal, role, organization, "path.role")
    account = _account(session, account_id)
    service.grant_role(session, account=account, organization=organization, role=role)
    _audit_role(session, principal, "role.granted", organization, account, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{slug}/members/{account_id}/roles/{role}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_role(
    organization: ManagedOrganization,
    account_id: DatabaseId,
    role: Role,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> Response:
    _check_grantable(principal, role, organization, "path.role")
    account = _account(session, account_id)
    if not service.revoke_role(session, account=account, organization=organization, role=role):
        raise NotFound("This account does not hold that role here.")
    _audit_role(session, principal, "role.revoked", organization, account, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

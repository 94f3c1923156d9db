"""`/v1/organizations`: the directory of member organizations, and membership
management for curators, node admins and each organization's own admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.access import Principal
from api.audit import record_event
from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import (
    is_node_admin,
    may_manage_members,
    require_curator_or_node_admin,
    require_signed_in,
)
from api.db import ReadSession, WriteSession
from api.errors import FieldError, Forbidden, NotFound, ValidationFailed, problem_responses
from api.models import ROLES, Account, Organization
from api.organizations import service

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])

Slug = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


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


def _organization(session: ReadSession | WriteSession, slug: str) -> Organization:
    organization = service.get_organization(session, slug)
    if organization is None:
        raise NotFound(f"No organization with slug {slug!r}.")
    return organization


def _check_manage(request: Request, principal: Principal, organization: Organization) -> None:
    require_signed_in(principal)
    if not may_manage_members(principal, request.app.state.settings, organization.id):
        raise Forbidden("Only this organization's admins, curators or node admins may do this.")


def _check_grantable(request: Request, principal: Principal, role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed(
            "Unknown role.", errors=[FieldError("role", f"one of {', '.join(ROLES)}")]
        )
    if role == "curator" and not is_node_admin(principal, request.app.state.settings):
        raise Forbidden("Only node administrators grant the curator role.")


@router.get("", summary="Member organizations of this node")
def list_organizations(session: ReadSession) -> list[OrganizationRead]:
    return [_read(o) for o in service.list_organizations(session)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403, 409, 422)
)
def create_organization(
    data: OrganizationCreate,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> OrganizationRead:
    require_curator_or_node_admin(principal, request.app.state.settings)
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
def get_organization(slug: Slug, session: ReadSession) -> OrganizationRead:
    return _read(_organization(session, slug))


@router.patch("/{slug}", responses=problem_responses(401, 403, 404, 422))
def update_organization(
    slug: Slug,
    data: OrganizationUpdate,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> OrganizationRead:
    organization = _organization(session, slug)
    _check_manage(request, principal, organization)
    service.update_organization(session, organization, name=data.name, country=data.country)
    record_event(
        session,
        principal=principal,
        action="organization.updated",
        subject_type="organization",
        subject_id=slug,
        details=data.model_dump(exclude_none=True),
    )
    return _read(organization)


@router.get("/{slug}/members", responses=problem_responses(401, 403, 404))
def list_members(
    slug: Slug, request: Request, session: ReadSession, principal: CurrentPrincipal
) -> list[MemberRead]:
    organization = _organization(session, slug)
    _check_manage(request, principal, organization)
    return [_member_read(a, roles) for a, roles in service.list_members(session, organization)]


def _member_read(account: Account, roles: list[str]) -> MemberRead:
    return MemberRead(
        account_id=account.id,
        display_name=account.display_name,
        issuer=account.issuer,
        subject=account.subject,
        roles=roles,
    )


@router.post(
    "/{slug}/members",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 422),
)
def add_member(
    slug: Slug,
    data: MemberCreate,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> MemberRead:
    organization = _organization(session, slug)
    _check_manage(request, principal, organization)
    for role in data.roles:
        _check_grantable(request, principal, role)
    account = service.ensure_account(
        session, issuer=data.issuer, subject=data.subject, display_name=data.display_name
    )
    for role in sorted(set(data.roles)):
        service.grant_role(session, account=account, organization=organization, role=role)
        _audit_role(session, principal, "role.granted", organization, account, role)
    roles = {a.id: r for a, r in service.list_members(session, organization)}[account.id]
    return _member_read(account, roles)


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


@router.put(
    "/{slug}/members/{account_id}/roles/{role}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
def grant_role(
    slug: Slug,
    account_id: int,
    role: str,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> Response:
    organization = _organization(session, slug)
    _check_manage(request, principal, organization)
    _check_grantable(request, principal, role)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    service.grant_role(session, account=account, organization=organization, role=role)
    _audit_role(session, principal, "role.granted", organization, account, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{slug}/members/{account_id}/roles/{role}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
def revoke_role(
    slug: Slug,
    account_id: int,
    role: str,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> Response:
    organization = _organization(session, slug)
    _check_manage(request, principal, organization)
    _check_grantable(request, principal, role)
    account = session.get(Account, account_id)
    if account is None or not service.revoke_role(
        session, account=account, organization=organization, role=role
    ):
        raise NotFound("This account does not hold that role here.")
    _audit_role(session, principal, "role.revoked", organization, account, role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

"""Loader dependencies for organizations: fetch by slug *and* check who may act on it.

- `OrganizationBySlug` - any organization of the directory (public data);
- `ManagedOrganization` - its own admins and curators, and node admins, manage its
  members (which roles each may grant is `api.access.policy.may_grant`);
- `EditableOrganization` - its own admins, curators and node admins edit its
  name and country;
- `ReadAuditOrganization` - its own admins and publishers, and node admins, see
  who read its non-public entries (`api.readlog`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from api.access import Principal
from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import refusal, require_signed_in
from api.db import ReadSession
from api.errors import NotFound
from api.models import Organization
from api.organizations import service

Slug = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


def organization_by_slug(slug: Slug, session: ReadSession) -> Organization:
    organization = service.get_organization(session, slug)
    if organization is None:
        raise NotFound(f"No organization with slug {slug!r}.")
    return organization


OrganizationBySlug = Annotated[Organization, Depends(organization_by_slug)]


def is_org_admin(principal: Principal, organization: Organization) -> bool:
    return principal.node_admin or (
        principal.organization_id == organization.id and principal.has_role("admin")
    )


def managed_organization(
    organization: OrganizationBySlug, principal: CurrentPrincipal
) -> Organization:
    require_signed_in(principal)
    own_curator = principal.organization_id == organization.id and principal.has_role("curator")
    if not (is_org_admin(principal, organization) or own_curator):
        raise refusal(
            principal, "admin", "Only this organization's admins or node admins manage its members."
        )
    return organization


def editable_organization(
    organization: OrganizationBySlug, principal: CurrentPrincipal
) -> Organization:
    require_signed_in(principal)
    if not (is_org_admin(principal, organization) or principal.has_role("curator")):
        raise refusal(
            principal, "admin", "Only this organization's admins, curators or node admins may."
        )
    return organization


ManagedOrganization = Annotated[Organization, Depends(managed_organization)]
EditableOrganization = Annotated[Organization, Depends(editable_organization)]


def read_audit_organization(
    organization: OrganizationBySlug, principal: CurrentPrincipal
) -> Organization:
    require_signed_in(principal)
    own = principal.organization_id == organization.id and (
        principal.has_role("admin") or principal.has_role("publisher")
    )
    if not (own or principal.node_admin):
        raise refusal(
            principal,
            "admin",
            "Only this organization's admins and publishers (or node admins) see who read "
            "its entries.",
        )
    return organization


ReadAuditOrganization = Annotated[Organization, Depends(read_audit_organization)]

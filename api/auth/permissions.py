"""Role checks that are not the visibility rule: who may administer what.

- node admin: role `admin` in the node's operator organization
  (`OFFRAMP_OPERATOR_ORGANIZATION`); configures IdPs, API clients, peers.
- curator: role `curator` (a network coordinator, member of some organization).
- organization admin: role `admin` in that organization; manages its members.

Reading entries is never decided here — that is `api.access`."""

from __future__ import annotations

from api.access import Principal
from api.config import Settings
from api.errors import Forbidden, Unauthorized
from api.models import Entry


def require_signed_in(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthorized("Sign in first.", error="invalid_request")


def is_node_admin(principal: Principal, settings: Settings) -> bool:
    return (
        principal.has_role("admin")
        and principal.organization_slug == settings.operator_organization
    )


def require_node_admin(principal: Principal, settings: Settings) -> None:
    require_signed_in(principal)
    if not is_node_admin(principal, settings):
        raise Forbidden("Only administrators of this node may do this.")


def is_curator(principal: Principal) -> bool:
    return principal.has_role("curator")


def is_owner_publisher(principal: Principal, entry: Entry) -> bool:
    """A publisher of the organization that owns `entry`."""
    return principal.organization_id == entry.organization_id and principal.has_role("publisher")


def require_curator_or_node_admin(principal: Principal, settings: Settings) -> None:
    require_signed_in(principal)
    if not (is_curator(principal) or is_node_admin(principal, settings)):
        raise Forbidden("Only curators or node administrators may do this.")


def may_manage_members(principal: Principal, settings: Settings, organization_id: int) -> bool:
    if is_curator(principal) or is_node_admin(principal, settings):
        return True
    return principal.organization_id == organization_id and principal.has_role("admin")

"""Turning a validated client token into a `Principal`.

Owns the mapping *client row + token scopes → principal* (organization, roles,
effective scopes). Does not validate tokens (`api.auth.validation`) nor decide
readability (`api.access`, which reads `Principal.scopes`).

Invariant: the principal is built from the database on every request. The
effective scopes are the token's scopes ∩ the client's *current* grant, so
revoking a client or narrowing its grant takes effect on the next request, even
for tokens that are still unexpired. Organization and roles come from the row,
never from token claims."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from api.access import Principal
from api.errors import Unauthorized
from api.models import Organization
from api.oauth.service import SCOPES, find_active_client

# Which role each scope confers on a machine client.
SCOPE_ROLES = {"entries:write": "publisher", "curation": "curator", "admin": "admin"}


def principal_for_client(session: Session, client_id: str, scopes: Iterable[str]) -> Principal:
    client = find_active_client(session, client_id)
    if client is None:
        raise Unauthorized("unknown or revoked client")
    effective = frozenset(scopes) & frozenset(client.scopes) & frozenset(SCOPES)
    organization = (
        session.get(Organization, client.organization_id)
        if client.organization_id is not None
        else None
    )
    roles = frozenset(role for scope, role in SCOPE_ROLES.items() if scope in effective)
    return Principal(
        kind="client",
        client_id=client.client_id,
        organization_id=organization.id if organization else None,
        organization_slug=organization.slug if organization else None,
        # Roles that act for an organization mean nothing without one.
        roles=roles if organization else frozenset(),
        scopes=effective,
        display_name=client.name,
        channel="client",
    )

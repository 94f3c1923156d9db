"""Who is calling: the `Principal`, built once per request from the database.

Owns the shape of a caller and nothing else: how a token or session becomes a
principal is `api.auth.principals`; what a principal may read is `api.access.rule`;
what it may do is `api.access.policy`.

`scopes` is None when nothing limits the caller beyond its roles (a browser
session, a token this node minted for a member, the CLI). A token that carries
OAuth scopes — a machine client's, or one issued by a member's own identity
provider — is limited by them: roles are intersected with the roles its scopes
confer, and reading beyond public entries needs `entries:read`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Which role each OAuth scope confers (a token's roles never exceed its scopes).
SCOPE_ROLES = {
    "entries:read": "reader",
    "entries:write": "publisher",
    "curation": "curator",
    "admin": "admin",
}
ROLE_SCOPES = {role: scope for scope, role in SCOPE_ROLES.items()}
# A peer node pulling the federation feed (api.federation). Confers no role and no
# reading beyond public entries anywhere else: what a peer receives is decided by
# `rule.peer_receives` from the organizations it hosts, on the federation routes only.
FEDERATION_SCOPE = "federation"
NON_ROLE_SCOPES = frozenset({FEDERATION_SCOPE})


@dataclass(frozen=True, slots=True)
class Principal:
    """Everything authorization needs about the caller, read fresh per request."""

    kind: Literal["anonymous", "member", "client"] = "anonymous"
    account_id: int | None = None
    organization_id: int | None = None
    organization_slug: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    client_id: str | None = None
    scopes: frozenset[str] | None = None
    display_name: str | None = None
    channel: str = "api"  # how the caller came in: api (bearer token), web (session), client, cli
    # Admin of the node's operator organization (OFFRAMP_OPERATOR_ORGANIZATION):
    # resolved together with the roles, so no rule needs the settings.
    node_admin: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def reads_beyond_public(self) -> bool:
        return self.scopes is None or "entries:read" in self.scopes

    def missing_scope(self, role: str) -> str | None:
        """The scope this caller's token lacks for `role`, if a scope is what stops it."""
        scope = ROLE_SCOPES.get(role)
        if self.scopes is None or scope is None or scope in self.scopes:
            return None
        return scope


ANONYMOUS = Principal()


def scoped_roles(roles: frozenset[str], scopes: frozenset[str] | None) -> frozenset[str]:
    """The roles a caller keeps under a token's scopes (all of them when unscoped)."""
    if scopes is None:
        return roles
    return frozenset(role for role in roles if ROLE_SCOPES.get(role) in scopes)

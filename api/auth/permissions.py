"""Role requirements that do not depend on an entry: signed in, publisher, curator,
node admin. Raising the right refusal is owned here (401 with a challenge for no
credentials, 403 — `insufficient_scope` when a token's scope is what is missing).

Entry actions are the policy table (`api.access.policy`); reading is the
visibility rule (`api.access.rule`). Routes declare these requirements through the
`Annotated` dependencies in `api.auth.dependencies`."""

from __future__ import annotations

from api.access import Principal
from api.errors import Forbidden, InsufficientScope, Unauthorized


def require_signed_in(principal: Principal) -> None:
    if principal.is_anonymous:
        raise Unauthorized("Sign in first.", error=None)


def refusal(principal: Principal, role: str, message: str) -> Forbidden:
    """The 403 for a caller without `role`: `insufficient_scope` if its token's scope
    is what withholds it."""
    scope = principal.missing_scope(role)
    if scope is not None:
        return InsufficientScope(message + f" (the token lacks the {scope!r} scope)", scope=scope)
    return Forbidden(message)


def require_role(principal: Principal, role: str, message: str) -> None:
    require_signed_in(principal)
    if not principal.has_role(role) or principal.organization_id is None:
        raise refusal(principal, role, message)


def require_node_admin(principal: Principal) -> None:
    require_signed_in(principal)
    if not principal.node_admin:
        raise refusal(principal, "admin", "Only administrators of this node may do this.")


def require_curator_or_node_admin(principal: Principal) -> None:
    require_signed_in(principal)
    if not (principal.has_role("curator") or principal.node_admin):
        raise refusal(principal, "curator", "Only curators or node administrators may do this.")

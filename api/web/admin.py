"""Node administration: organizations, identity providers, API clients, peer nodes.

Owns: HTTP for the administration page and its forms; errors anchored to the
section's inputs (`field-<section>-<name>`), the form filled back in.
Does not own: any rule or write. Each form runs the API's own route function
(`create_organization`, `create_identity_provider`, `delete_identity_provider`,
`create_client`, `revoke_client`, and the federation's `add_peer`, `list_peers`,
`remove_peer`) after the same checks as its route's dependencies
(`require_node_admin`; API clients only by a person, never by a client).
Invariant: a new client's or peer's secret is shown once, in the answer to the
form that created it (never in an address, never again: only its hash is kept);
the secret we hold to harvest a peer is never sent back at all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, get_args

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.permissions import require_node_admin
from api.db import ReadSession, WriteSession
from api.errors import AppError, Conflict, Forbidden
from api.federation import router as federation_api
from api.federation.schemas import PeerCreate
from api.login import router as login_api
from api.login.schemas import IdentityProviderCreate
from api.oauth import router as oauth_api
from api.oauth.schemas import ClientCreate, Scope
from api.organizations import router as organizations_api
from api.web.dependencies import FormPage, Page, PostedForm
from api.web.editor import see_other
from api.web.forms import schema_errors
from api.web.router import WEB_TAG, WebRoute
from api.web.templating import PageContext, render

# Inputs are named `<section>-<field>` (ids `field-<section>-<field>`): three forms
# on one page, each error next to its own form's input.
router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

SCOPES = get_args(Scope)


def _admin(principal: Principal) -> Principal:
    require_node_admin(principal)
    if principal.kind != "member":
        raise Forbidden("API clients are managed by node administrators, not by clients.")
    return principal


def _page(
    page: PageContext,
    request: Request,
    session: Session,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    created_secret: Any = None,
    created_kind: str = "client",
) -> HTMLResponse:
    principal = page.principal
    return render(
        page,
        "admin.html",
        status=status,
        organizations=organizations_api.list_organizations(session),
        providers=login_api.list_identity_providers(request, session, principal),
        clients=oauth_api.list_clients(session, principal),
        peers=federation_api.list_peers(session, principal),
        scopes=SCOPES,
        values=dict(values or {}),
        errors=dict(errors or {}),
        created=created_secret,
        created_kind=created_kind,
    )


@router.get("/admin")
def admin(page: Page, request: Request, session: ReadSession) -> HTMLResponse:
    _admin(page.principal)
    return _page(page, request, session)


def refused_errors(
    section: str, refused: AppError | ValidationError, first: str
) -> dict[str, list[str]]:
    """Errors by the section's input ids; an error without a field (a conflict) goes
    to the section's first input."""
    items = (
        schema_errors(refused)
        if isinstance(refused, ValidationError)
        else [dict(e) for e in refused.errors or []] or [{"field": "", "message": refused.detail}]
    )
    found: dict[str, list[str]] = {}
    for item in items:
        name = str(item.get("field") or first).split("[")[0].split(".")[0] or first
        found.setdefault(f"field-{section}-{name}", []).append(str(item.get("message", "")))
    return found


def _submit(
    posted: PostedForm,
    request: Request,
    session: Session,
    section: str,
    first: str,
    values: dict[str, Any],
    run: Callable[[], Any],
) -> Response:
    page = posted.page
    try:
        result = run()
    except (ValidationError, AppError) as refused:
        if isinstance(refused, AppError) and refused.status not in (409, 422):
            raise
        if section == "peer" and isinstance(refused, Conflict) and " at " in refused.detail:
            first = "base_url"  # another peer has this address, not this name
        return _page(
            page, request, session, status=422, values={section: values},
            errors=refused_errors(section, refused, first),
        )  # fmt: skip
    if section in ("client", "peer"):
        # The secret, once: in this answer only.
        return _page(
            page, request, session, status=201, created_secret=result, created_kind=section
        )
    return see_other(f"/admin#{section}-title")


@router.post("/admin/organizations")
def create_organization(posted: FormPage, request: Request, session: WriteSession) -> Response:
    principal = _admin(posted.page.principal)
    values = {n: posted.text(f"org-{n}") for n in ("slug", "name", "country")}

    def run() -> Any:
        data = organizations_api.OrganizationCreate(
            slug=values["slug"], name=values["name"], country=values["country"].upper() or None
        )
        return organizations_api.create_organization(data, session, principal)

    return _submit(posted, request, session, "org", "slug", values, run)


@router.post("/admin/identity-providers")
def create_identity_provider(posted: FormPage, request: Request, session: WriteSession) -> Response:
    principal = _admin(posted.page.principal)
    names = ("name", "issuer", "client_id", "client_secret", "organization", "default_role")
    values = {n: posted.text(f"idp-{n}") for n in names}

    def run() -> Any:
        data = IdentityProviderCreate.model_validate(values)
        return login_api.create_identity_provider(data, request, session, principal)

    # The secret is never sent back into the form.
    shown = {k: v for k, v in values.items() if k != "client_secret"}
    return _submit(posted, request, session, "idp", "name", shown, run)


@router.post("/admin/identity-providers/{name}/remove")
def remove_identity_provider(
    name: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    principal = _admin(posted.page.principal)
    login_api.delete_identity_provider(name, request, session, principal)
    return see_other("/admin#idp-title")


@router.post("/admin/clients")
def create_client(posted: FormPage, request: Request, session: WriteSession) -> Response:
    principal = _admin(posted.page.principal)
    values: dict[str, Any] = {
        "name": posted.text("client-name"),
        "kind": posted.text("client-kind") or "publisher",
        "organization": posted.text("client-organization") or None,
        "scopes": posted.lists().get("client-scopes", []),
    }

    def run() -> Any:
        data = ClientCreate.model_validate(values)
        return oauth_api.create_client(data, Response(), session, principal)

    return _submit(posted, request, session, "client", "name", values, run)


@router.post("/admin/clients/{client_id}/revoke")
def revoke_client(
    client_id: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    principal = _admin(posted.page.principal)
    oauth_api.revoke_client(client_id, session, principal)
    return see_other("/admin#client-title")


@router.post("/admin/peers")
def add_peer(posted: FormPage, request: Request, session: WriteSession) -> Response:
    """Register a peer node: the API's `add_peer` (node administrators, like
    `POST /v1/peers`); the answer shows the secret it calls us with, once."""
    principal = posted.page.principal
    require_node_admin(principal)
    values: dict[str, Any] = {
        "name": posted.text("peer-name"),
        "base_url": posted.text("peer-base_url"),
        "organizations": posted.lists().get("peer-organizations", []),
        "remote_client_id": posted.text("peer-remote_client_id") or None,
        "remote_client_secret": posted.text("peer-remote_client_secret") or None,
    }

    def run() -> Any:
        body = PeerCreate.model_validate(values)
        return federation_api.add_peer(session, principal, body)

    # The secret we would harvest with is never sent back into the form.
    shown = {k: v for k, v in values.items() if k != "remote_client_secret"}
    return _submit(posted, request, session, "peer", "name", shown, run)


@router.post("/admin/peers/{name}/remove")
def remove_peer(name: str, posted: FormPage, session: WriteSession) -> Response:
    principal = posted.page.principal
    require_node_admin(principal)
    federation_api.remove_peer(session, principal, name)
    return see_other("/admin#peer-title")

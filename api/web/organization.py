"""My organization: the member's entries by state, members and roles for those who
manage them, and who read the organization's non-public entries.

Owns: HTTP for the page and its role form.
Does not own: any query or rule. Entries come from
`api.entries.repository.list_visible_entries` (the visibility rule; a member sees
what the API would list them), members from the API's `list_members` /
`grant_role` / `revoke_role` behind `managed_organization` (org admins and
curators, node admins; `api.access.policy.may_grant` decides which roles), the
read log from the API's `organization_reads` behind `read_audit_organization`
(the organization's admins and publishers). A section the member may not see is
left out, not shown empty."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.access.policy import grantable_roles
from api.auth.permissions import require_signed_in
from api.curation import repository as curation_repository
from api.curation.workflow import review_state
from api.db import ReadSession, WriteSession
from api.entries import repository
from api.entries.repository import EntryFilters
from api.entries.views import summary_of
from api.errors import AppError, NotFound, ValidationFailed
from api.models import Organization
from api.organizations import router as organizations_api
from api.organizations.dependencies import managed_organization, read_audit_organization
from api.organizations.service import get_organization
from api.readlog import organization_reads
from api.web.dependencies import FormPage, Page
from api.web.editor import see_other
from api.web.i18n import gettext as _
from api.web.i18n import use_language
from api.web.router import WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

# The page's groups, in the order a publisher works through them.
GROUPS = ("changes_requested", "held", "draft", "submitted", "published", "rejected", "retracted")
GROUP_SHOWN = 25  # the newest of each state; the rest through search by organization
READS_SHOWN = 50


def _organization(session: Session, page: PageContext) -> Organization:
    require_signed_in(page.principal)
    slug = page.principal.organization_slug
    found = get_organization(session, slug) if slug else None
    if found is None:
        raise NotFound("You do not belong to an organization on this node.")
    return found


def _allowed(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except AppError as refused:
        if refused.status in (401, 403):
            return False
        raise
    return True


def _page(
    page: PageContext,
    session: Session,
    organization: Organization,
    *,
    status: int = 200,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    principal = page.principal
    groups: dict[str, list[Any]] = {}
    counts: dict[str, int] = {}
    said: dict[str, str] = {}
    titles: dict[str, str] = {}
    for state in GROUPS:
        # One page per state, newest first, through the visibility rule.
        rows, counts[state] = repository.list_visible_entries(
            session, principal, EntryFilters(organization=[organization.slug], status=[state]),
            offset=0, limit=GROUP_SHOWN,
        )  # fmt: skip
        groups[state] = []
        for entry in rows:
            groups[state].append((summary_of(session, entry, principal), review_state(entry)))
            titles[entry.id] = entry.title
            if (review_state(entry) or state) in ("changes_requested", "rejected"):
                comments = [
                    t.comment
                    for t in curation_repository.transitions_of(session, entry.id)
                    if t.action in ("request_changes", "return_hold", "reject") and t.comment
                ]
                if comments:
                    said[entry.id] = comments[-1]
    members = None
    if _allowed(managed_organization, organization, principal):
        members = organizations_api.list_members(organization, session)
    reads = None
    if _allowed(read_audit_organization, organization, principal):
        reads = organization_reads(organization, session, page=1, per_page=READS_SHOWN)
    return render(
        page,
        "organization.html",
        status=status,
        organization=organization,
        groups=groups,
        counts=counts,
        said=said,
        members=members,
        roles=grantable_roles(principal, organization.id),
        reads=reads,
        titles=titles,
        errors=dict(errors or {}),
    )


@router.get("/my-organization")
def my_organization(page: Page, session: ReadSession) -> HTMLResponse:
    return _page(page, session, _organization(session, page))


@router.post("/my-organization/members/{account_id}/roles")
def change_role(account_id: int, posted: FormPage, session: WriteSession) -> Response:
    """Grant or revoke one role: the API's routes, with the API's checks."""
    page = posted.page
    organization = managed_organization(_organization(session, page), page.principal)
    role, change = posted.text("role"), posted.text("change")
    try:
        if change == "revoke":
            organizations_api.revoke_role(organization, account_id, role, session, page.principal)
        else:
            organizations_api.grant_role(organization, account_id, role, session, page.principal)
    except ValidationFailed:
        # Only an unknown role gets here (the form offers the grantable ones).
        with use_language(page.language):
            message = _("Choose one of the roles offered.")
        errors = {f"field-role-{account_id}": [message]}
        return _page(page, session, organization, status=422, errors=errors)
    return see_other("/my-organization#members-title")

"""Collections and featured entries, managed by curators in the browser.

Owns: HTTP for `/curation/collections` (list, create; the featured entries, changed at
`/curation/featured`),
`/curation/collections/{slug}` (edit, add and remove items) and their forms;
errors anchored to the section's inputs (`field-<section>-<name>`), the form
filled back in. One form convenience: an entry is named by its id or by its
address (`…/entries/{id}`), which curators copy from the address bar.
Does not own: any query or rule. Collections are read and written by the API's
`api.collections.service` behind the same check as `CuratorOrNodeAdmin`
(`require_curator_or_node_admin`); the items shown are the service's
`visible_items` for the curator, and adding or removing one sends the whole list
to `set_items` exactly as `PUT /v1/collections/{slug}/items` does (so, as there,
the list a curator saves is the list they see). Featuring is the API's
`feature_entry` / `unfeature_entry` on an entry loaded as `EntryFor("feature")`
does (`load_entry`: the visibility rule, then the policy); the featured list is
`list_visible_entries` with the `featured` filter, as `GET /v1/entries?featured=true`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.permissions import require_curator_or_node_admin
from api.collections import service
from api.collections.schemas import (
    CollectionCreate,
    CollectionItemIn,
    CollectionUpdate,
)
from api.curation.router import feature_entry, unfeature_entry
from api.db import ReadSession, WriteSession
from api.entries.views import summary_of
from api.errors import AppError
from api.models import Collection
from api.web.admin import refused_errors
from api.web.dependencies import FormPage, Page, PostedForm
from api.web.editor import load_entry, see_other
from api.web.i18n import gettext as _
from api.web.i18n import use_language
from api.web.router import WEB_TAG, WebRoute, featured_entries
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

BASE = "/curation/collections"
FEATURED = "/curation/featured"
FEATURED_SHOWN = 100
VISIBILITIES = ("public", "network")


def _curator(principal: Principal) -> Principal:
    require_curator_or_node_admin(principal)
    return principal


def entry_id_of(typed: str) -> str:
    """An entry's id from what a curator typed: the id, or its page's address."""
    return typed.strip().split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]


def _list_page(
    page: PageContext,
    session: Session,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    principal = page.principal
    return render(
        page,
        "collections_manage.html",
        status=status,
        collections=service.list_collections(session, principal),
        featured=featured_entries(session, principal, limit=FEATURED_SHOWN),
        visibilities=VISIBILITIES,
        values=dict(values or {}),
        errors=dict(errors or {}),
    )


def _collection_page(
    page: PageContext,
    session: Session,
    collection: Collection,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    principal = page.principal
    items = [
        (item.note, summary_of(session, entry, principal))
        for item, entry in service.visible_items(session, principal, collection)
    ]
    return render(
        page,
        "collection_manage.html",
        status=status,
        collection=collection,
        items=items,
        visibilities=VISIBILITIES,
        values=dict(values or {}),
        errors=dict(errors or {}),
    )


def _refusal(
    run: Callable[[], Any], section: str, first: str
) -> tuple[Any, dict[str, list[str]] | None]:
    """Run a service call; a refusal (422, 409, or an entry not visible / not
    allowed) becomes errors at the section's inputs, anything else propagates."""
    try:
        return run(), None
    except (ValidationError, AppError) as refused:
        if isinstance(refused, AppError) and refused.status not in (403, 404, 409, 422):
            raise
        return None, refused_errors(section, refused, first)


@router.get(BASE)
def collections(page: Page, session: ReadSession) -> HTMLResponse:
    _curator(page.principal)
    return _list_page(page, session)


@router.post(BASE)
def create_collection(posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    principal = _curator(page.principal)
    values = {n: posted.text(f"new-{n}") for n in ("slug", "title", "description", "visibility")}

    def run() -> Collection:
        data = CollectionCreate(
            slug=values["slug"],
            title=values["title"],
            description=values["description"],
            visibility=values["visibility"] or "public",
        )
        return service.create_collection(session, principal=principal, data=data)

    made, errors = _refusal(run, "new", "slug")
    if errors is not None:
        return _list_page(page, session, status=422, values={"new": values}, errors=errors)
    return see_other(f"{BASE}/{made.slug}")


@router.get(BASE + "/{slug}")
def collection(slug: str, page: Page, session: ReadSession) -> HTMLResponse:
    principal = _curator(page.principal)
    return _collection_page(
        page, session, service.get_readable_collection(session, principal, slug)
    )


@router.post(BASE + "/{slug}")
def update_collection(slug: str, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    principal = _curator(page.principal)
    found = service.get_readable_collection(session, principal, slug)
    values = {n: posted.text(f"edit-{n}") for n in ("title", "description", "visibility")}

    def run() -> Collection:
        data = CollectionUpdate.model_validate(values)
        return service.update_collection(session, principal=principal, slug=slug, data=data)

    _made, errors = _refusal(run, "edit", "title")
    if errors is not None:
        return _collection_page(
            page, session, found, status=422, values={"edit": values}, errors=errors
        )
    return see_other(f"{BASE}/{slug}")


def _set_items(
    posted: PostedForm,
    session: Session,
    found: Collection,
    items: list[CollectionItemIn],
    values: dict[str, str],
) -> Response:
    page = posted.page
    principal = page.principal
    slug = found.slug

    def run() -> Collection:
        return service.set_items(session, principal=principal, slug=slug, items=items)

    _made, errors = _refusal(run, "item", "entry_id")
    if errors is not None:
        # The service names the list position; on this form it is the one input.
        shown = {"field-item-entry_id": [m for ms in errors.values() for m in ms]}
        return _collection_page(
            page, session, found, status=422, values={"item": values}, errors=shown
        )
    return see_other(f"{BASE}/{slug}#items-title")


def _current(session: Session, principal: Principal, found: Collection) -> list[CollectionItemIn]:
    return [
        CollectionItemIn(entry_id=entry.id, note=item.note)
        for item, entry in service.visible_items(session, principal, found)
    ]


@router.post(BASE + "/{slug}/items")
def add_item(slug: str, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    principal = _curator(page.principal)
    found = service.get_readable_collection(session, principal, slug)
    values = {"entry_id": posted.text("item-entry_id"), "note": posted.text("item-note")}
    try:
        added = CollectionItemIn(
            entry_id=entry_id_of(values["entry_id"]), note=values["note"] or None
        )
    except ValidationError as refused:
        with use_language(page.language):
            message = _("Give the entry's id or the address of its page.")
        errors = refused_errors("item", refused, "entry_id")
        if "field-item-entry_id" in errors:
            errors["field-item-entry_id"] = [message]
        return _collection_page(
            page, session, found, status=422, values={"item": values}, errors=errors
        )
    return _set_items(posted, session, found, [*_current(session, principal, found), added], values)


@router.post(BASE + "/{slug}/items/{entry_id}/remove")
def remove_item(slug: str, entry_id: str, posted: FormPage, session: WriteSession) -> Response:
    page = posted.page
    principal = _curator(page.principal)
    found = service.get_readable_collection(session, principal, slug)
    kept = [item for item in _current(session, principal, found) if item.entry_id != entry_id]
    return _set_items(posted, session, found, kept, {})


@router.post(FEATURED)
def feature(posted: FormPage, session: WriteSession) -> Response:
    """Feature (or, with `featured=no`, stop featuring) an entry; a refusal — not
    visible, not published, the curator's own organization's — is shown at the input."""
    page = posted.page
    principal = _curator(page.principal)
    typed = posted.text("feature-entry_id")
    values = {"entry_id": typed}

    def run() -> Any:
        entry = load_entry(session, principal, entry_id_of(typed), "feature")
        if posted.text("featured") == "no":
            return unfeature_entry(entry, session, principal)
        return feature_entry(entry, session, principal)

    _done, errors = _refusal(run, "feature", "entry_id")
    if errors is not None:
        shown = {"field-feature-entry_id": [m for ms in errors.values() for m in ms]}
        return _list_page(page, session, status=422, values={"feature": values}, errors=shown)
    return see_other(f"{BASE}#featured-title")

"""The publisher's pages: the entry editor (create, edit, If-Match conflicts), the
documents of an entry (upload, remove) and the workflow buttons of the entry page
(submit, publish, retract, restore, delete).

Owns: HTTP for these forms only — reading the posted form, showing the API's
field errors next to their inputs with the form filled back in, and redirecting
after a write (303, so a reload never posts twice).
Does not own: validation (`EntryCreate`/`EntryUpdate` and `api.entries.service`),
the workflow (`api.curation.workflow`), or who may do what: each route loads the
entry with `api.entries.dependencies.visible_entry` and checks the action with
`check_action` — the same two steps as the API's `EntryFor(action)` — so an entry
the caller may not read is the 404 page and a refused action the 403/409 page.
Invariant: every POST here went through `FormPage`, which checked the form's CSRF
token against the session before anything was read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.access import Principal, access_to
from api.attachments import service as attachments_service
from api.attachments.service import delete_blobs_after_commit
from api.auth.permissions import require_role
from api.curation import workflow
from api.db import ReadSession, WriteSession
from api.entries import service as entries_service
from api.entries.dependencies import (
    EntryNotFound,
    check_action,
    permitted_actions,
    submission_guard,
    visible_entry,
)
from api.entries.schemas import EntryCreate, EntryUpdate
from api.entries.views import attachment_of, revision_content
from api.errors import AppError, PreconditionFailed, ValidationFailed
from api.models import Entry
from api.organizations.service import list_organizations
from api.web.dependencies import FormPage, Page
from api.web.forms import (
    CHOICE_FIELDS,
    LINE_FIELDS,
    TEXT_FIELDS,
    EntryForm,
    editor_values,
    errors_by_anchor,
    form_from_content,
    form_from_submission,
    payload_from_form,
    schema_errors,
)
from api.web.i18n import gettext as _
from api.web.i18n import use_language
from api.web.router import ENTRY_ID, WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

PUBLISHER_ONLY = "Creating entries needs the publisher role."
# Workflow buttons of the entry page → the workflow function they run.
BUTTONS = ("submit", "publish", "restore")


def load_entry(session: Session, principal: Principal, entry_id: str, action: str) -> Entry:
    """The entry through the visibility rule, on which the caller may do `action` now
    (the API's `EntryFor(action)`, called with the page's principal)."""
    if not ENTRY_ID.fullmatch(entry_id):
        raise EntryNotFound()
    entry = visible_entry(entry_id, session, principal)
    check_action(session, principal, entry, action)
    return entry


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def _partners(session: Session, principal: Principal) -> list[tuple[str, str]]:
    return [
        (org.slug, org.name)
        for org in list_organizations(session)
        if org.id != principal.organization_id
    ]


def _editor(
    page: PageContext,
    session: Session,
    form: EntryForm,
    *,
    action: str,
    status: int = 200,
    version: int | None = None,
    entry: Entry | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    values = editor_values(
        page.registry, form, partners=_partners(session, page.principal), action=action,
        heading="",  # the template names the page: new entry or edit
    )  # fmt: skip
    return render(
        page,
        "editor.html",
        status=status,
        version=version,
        entry_id=entry.id if entry else None,
        conflict=conflict,
        problem=problem,
        **values,
    )


def _validated(
    model: type[EntryCreate] | type[EntryUpdate],
    form: EntryForm,
    payload: Mapping[str, Any] | None = None,
) -> Any:
    """The schema's object (of `payload`, else the whole form), or None with
    `form.errors` set (anchored to inputs)."""
    try:
        return model.model_validate(payload_from_form(form) if payload is None else payload)
    except ValidationError as error:
        form.errors = errors_by_anchor(schema_errors(error))
        return None


# -- create ---------------------------------------------------------------------


@router.get("/entries/new")
def new_entry(page: Page, session: ReadSession) -> HTMLResponse:
    require_role(page.principal, "publisher", PUBLISHER_ONLY)
    form = EntryForm(values={"visibility": "private", "language": page.language})
    return _editor(page, session, form, action="/entries/new")


@router.post("/entries/new")
def create_entry(posted: FormPage, request: Request, session: WriteSession) -> Response:
    page = posted.page
    require_role(page.principal, "publisher", PUBLISHER_ONLY)
    form = form_from_submission(posted.lists())
    data = _validated(EntryCreate, form)
    if data is not None:
        try:
            entry = entries_service.create_entry(
                session, principal=page.principal, data=data, registry=page.registry
            )
        except ValidationFailed as refused:
            form.errors = errors_by_anchor(refused.errors or [])
        else:
            return see_other(f"/entries/{entry.id}")
    return _editor(page, session, form, action="/entries/new", status=422)


# -- edit -----------------------------------------------------------------------


def working_content(
    session: Session, request: Request, principal: Principal, entry: Entry
) -> Mapping[str, Any]:
    """The working revision as the owner may read it (through `readable_revision`)."""
    revision = entries_service.readable_revision(
        session, principal=principal, entry=entry, number=entry.working_revision
    )
    return revision_content(
        revision,
        access_to(principal, entry),
        request.app.state.vocabularies,
        small_cell_k=request.app.state.settings.small_cell_k,
    )


@router.get("/entries/{entry_id}/edit")
def edit_entry(entry_id: str, page: Page, request: Request, session: ReadSession) -> HTMLResponse:
    entry = load_entry(session, page.principal, entry_id, "edit")
    form = form_from_content(working_content(session, request, page.principal, entry))
    return _editor(
        page, session, form, action=f"/entries/{entry.id}/edit", version=entry.version,
        entry=entry,
    )  # fmt: skip


def differences(theirs: EntryForm, mine: EntryForm) -> list[tuple[str, str, str]]:
    """(field, their value, my value) for every field the two versions disagree on,
    each value as text a person can compare."""

    def rows(form: EntryForm) -> str:
        return "\n".join(
            " · ".join(part for part in (r["code"], r["value"], r["note"]) if part)
            for r in form.indicators
        )

    found = []
    for name in TEXT_FIELDS:
        a, b = theirs.values.get(name, "").strip(), mine.values.get(name, "").strip()
        if a != b:
            found.append((name, a, b))
    for name in CHOICE_FIELDS:
        a, b = ", ".join(theirs.choices.get(name, [])), ", ".join(mine.choices.get(name, []))
        if sorted(theirs.choices.get(name, [])) != sorted(mine.choices.get(name, [])):
            found.append((name, a, b))
    for name in LINE_FIELDS:
        a = "\n".join(x.strip() for x in theirs.lines.get(name, "").splitlines() if x.strip())
        b = "\n".join(x.strip() for x in mine.lines.get(name, "").splitlines() if x.strip())
        if a != b:
            found.append((name, a, b))
    if rows(theirs) != rows(mine):
        found.append(("indicators", rows(theirs), rows(mine)))
    return found


def _comparable(name: str, value: Any) -> Any:
    """Checkbox lists compare as sets: the form lists them in the vocabulary's order."""
    return sorted(value) if name in CHOICE_FIELDS and isinstance(value, list) else value


@router.post("/entries/{entry_id}/edit")
def save_entry(
    entry_id: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    page = posted.page
    entry = load_entry(session, page.principal, entry_id, "edit")
    form = form_from_submission(posted.lists())
    action = f"/entries/{entry.id}/edit"
    # Only what the person changed is sent, as a PATCH would: an untouched form adds
    # no revision, and the history says which fields each save changed.
    before = payload_from_form(
        form_from_content(working_content(session, request, page.principal, entry))
    )
    changed = {
        k: v
        for k, v in payload_from_form(form).items()
        if _comparable(k, before.get(k)) != _comparable(k, v)
    }
    if not changed:
        return see_other(f"/entries/{entry.id}")
    data = _validated(EntryUpdate, form, changed)
    if data is not None:
        try:
            entries_service.update_entry(
                session,
                principal=page.principal,
                entry=entry,
                data=data,
                if_match=f'"{posted.text("version")}"',
                registry=page.registry,
                guard=submission_guard(request),
            )
        except ValidationFailed as refused:
            form.errors = errors_by_anchor(refused.errors or [])
        except PreconditionFailed:
            # Someone saved since this form was loaded: show both versions. Saving
            # again (the form now carries the current version) keeps mine; the
            # link reloads theirs.
            theirs = form_from_content(working_content(session, request, page.principal, entry))
            return _editor(
                page, session, form, action=action, status=409,
                version=entry.version, entry=entry, conflict=differences(theirs, form),
            )  # fmt: skip
        else:
            return see_other(f"/entries/{entry.id}")
    return _editor(
        page, session, form, action=action, status=422,
        version=entry.version, entry=entry,
    )  # fmt: skip


# -- documents ------------------------------------------------------------------


def _documents(
    page: PageContext,
    session: Session,
    entry: Entry,
    *,
    status: int = 200,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    files = [attachment_of(a) for a in attachments_service.list_attachments(session, entry.id)]
    return render(
        page,
        "documents.html",
        status=status,
        entry=entry,
        files=files,
        errors=dict(errors or {}),
        may_detach="detach" in permitted_actions(session, page.principal, entry),
    )


@router.get("/entries/{entry_id}/documents")
def documents(entry_id: str, page: Page, session: ReadSession) -> HTMLResponse:
    entry = load_entry(session, page.principal, entry_id, "attach")
    return _documents(page, session, entry)


@router.post("/entries/{entry_id}/documents")
def upload_document(
    entry_id: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    page = posted.page
    entry = load_entry(session, page.principal, entry_id, "attach")
    upload = posted.file("file")
    if upload is None:
        with use_language(page.language):  # routes run outside a render
            message = _("Choose a document to upload.")
        return _documents(page, session, entry, status=422, errors={"field-file": [message]})
    try:
        attachments_service.add_attachment(
            session,
            principal=page.principal,
            entry=entry,
            filename=upload.filename,
            chunks=iter(lambda: upload.file.read(1024 * 1024), b""),
            storage=request.app.state.storage,
            settings=request.app.state.settings,
        )
    except AppError as refused:
        if refused.status not in (413, 415, 422):
            raise
        # The server's own words: the upload's problem detail, at the file input.
        return _documents(
            page, session, entry, status=refused.status,
            errors={"field-file": [refused.detail]},
        )  # fmt: skip
    return see_other(f"/entries/{entry.id}/documents")


@router.post("/entries/{entry_id}/documents/{attachment_id}/remove")
def remove_document(
    entry_id: str, attachment_id: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    page = posted.page
    entry = load_entry(session, page.principal, entry_id, "detach")
    attachment = attachments_service.get_attachment(session, entry, attachment_id)
    attachments_service.remove_attachment(
        session,
        principal=page.principal,
        entry=entry,
        attachment=attachment,
        storage=request.app.state.storage,
    )
    return see_other(f"/entries/{entry.id}/documents")


# -- workflow -------------------------------------------------------------------


def _optional(text: str) -> str | None:
    return text or None


@router.post("/entries/{entry_id}/workflow/{action}")
def entry_workflow(
    entry_id: str, action: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    """The owner's buttons: submit (or publish), retract with a reason, restore,
    delete a draft. Each is the API's transition with the same policy check."""
    page = posted.page
    if action not in (*BUTTONS, "delete"):
        raise EntryNotFound()
    entry = load_entry(session, page.principal, entry_id, action)
    comment = _optional(posted.text("comment"))
    if action == "delete":
        keys = entries_service.delete_entry(
            session, principal=page.principal, entry=entry, if_match=None
        )
        delete_blobs_after_commit(session, request.app.state.storage, keys)
        return see_other("/my-organization")
    extra = {"guard": submission_guard(request)} if action in workflow.GUARDED else {}
    workflow.TRANSITIONS[action](
        session, principal=page.principal, entry=entry, comment=comment, **extra
    )
    return see_other(f"/entries/{entry.id}")


@router.get("/entries/{entry_id}/retract")
def retract_form(entry_id: str, page: Page, session: ReadSession) -> HTMLResponse:
    entry = load_entry(session, page.principal, entry_id, "retract")
    return render(page, "retract.html", entry=entry, reasons=workflow.RETRACTION_REASONS,
                  values={}, errors={})  # fmt: skip


@router.post("/entries/{entry_id}/retract")
def retract(entry_id: str, posted: FormPage, session: WriteSession) -> Response:
    """Retract with a reason (required: readers and curators are told why)."""
    page = posted.page
    entry = load_entry(session, page.principal, entry_id, "retract")
    reason, comment = posted.text("reason"), posted.text("comment")
    if reason not in workflow.RETRACTION_REASONS:
        with use_language(page.language):
            message = _("Choose why the entry is withdrawn.")
        return render(
            page, "retract.html", status=422, entry=entry, reasons=workflow.RETRACTION_REASONS,
            values={"reason": reason, "comment": comment}, errors={"field-reason": [message]},
        )  # fmt: skip
    workflow.retract(
        session, principal=page.principal, entry=entry, reason=reason, comment=comment or None
    )
    return see_other(f"/entries/{entry.id}")

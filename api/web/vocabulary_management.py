"""Vocabularies, managed by curators in the browser: list them and their terms,
add a term, rename a label, set a term's search aliases, deprecate a term in
favour of a current one.

Owns: HTTP for `/curation/vocabularies…` and their forms; errors anchored to the
section's inputs (`field-<section>-<name>`), the form filled back in. One form
convenience: aliases are typed one per line.
Does not own: any rule or write. Each form runs the API's own route function
(`add_term`, `rename_term`, `set_aliases`, `deprecate_term` of
`api.vocabularies.router`, which call `api.vocabularies.management` and install the
new registry when the request commits) after the same check as their `Curator`
dependency (`require_role(…, "curator", …)`). Reads are the running registry, as
`GET /v1/vocabularies/{name}` reads it; an unknown vocabulary or code is the 404
page with the API's words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.access import Principal
from api.auth.permissions import require_role
from api.db import WriteSession
from api.errors import AppError
from api.vocabularies import management
from api.vocabularies import router as vocabularies_api
from api.vocabularies.management import INDICATOR_UNITS
from api.vocabularies.registry import INDICATOR, REGION
from api.web.admin import refused_errors
from api.web.dependencies import FormPage, Page, PostedForm
from api.web.editor import see_other
from api.web.router import WEB_TAG, WebRoute
from api.web.templating import PageContext, render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)

BASE = "/curation/vocabularies"
REGION_LEVELS = ("region", "subregion", "intermediate", "country")


def _curator(principal: Principal) -> Principal:
    require_role(principal, "curator", "Only curators may do this.")
    return principal


def _refusal(run: Callable[[], Any], section: str, first: str) -> dict[str, list[str]] | None:
    """Run the API's route function; its refusal (422 or 409) becomes errors at the
    section's inputs, anything else (401, 403, 404) is the error page."""
    try:
        run()
    except (ValidationError, AppError) as refused:
        if isinstance(refused, AppError) and refused.status not in (409, 422):
            raise
        return refused_errors(section, refused, first)
    return None


@router.get(BASE)
def vocabularies(page: Page) -> HTMLResponse:
    _curator(page.principal)
    registry = page.registry
    return render(
        page,
        "vocabularies.html",
        vocabularies=[(name, len(registry.terms(name))) for name in registry.names()],
    )


def _vocabulary_page(
    page: PageContext,
    name: str,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    management.require_vocabulary(page.registry, name)
    return render(
        page,
        "vocabulary.html",
        status=status,
        name=name,
        terms=page.registry.terms(name),
        region=name == REGION,
        indicator=name == INDICATOR,
        units=INDICATOR_UNITS,
        levels=REGION_LEVELS,
        values=dict(values or {}),
        errors=dict(errors or {}),
    )


@router.get(BASE + "/{name}")
def vocabulary(name: str, page: Page) -> HTMLResponse:
    _curator(page.principal)
    return _vocabulary_page(page, name)


@router.post(BASE + "/{name}/terms")
def add_term(name: str, posted: FormPage, request: Request, session: WriteSession) -> Response:
    page = posted.page
    principal = _curator(page.principal)
    management.require_vocabulary(page.registry, name)
    names = ("code", "label", "parent", "level", "unit", "note")
    values = {n: posted.text(f"add-{n}") for n in names}

    def run() -> Any:
        data = management.TermCreate.model_validate(
            {n: v for n, v in values.items() if v or n in ("code", "label")}
        )
        return vocabularies_api.add_term(name, data, request, session, principal)

    if errors := _refusal(run, "add", "code"):
        return _vocabulary_page(page, name, status=422, values={"add": values}, errors=errors)
    return see_other(f"{BASE}/{name}/terms/{values['code']}")


def _term_page(
    page: PageContext,
    name: str,
    code: str,
    *,
    status: int = 200,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
) -> HTMLResponse:
    registry = page.registry
    management.require_vocabulary(registry, name)
    term = registry.get(name, code)
    if term is None:
        raise management.TermNotFound(name, code)
    return render(
        page,
        "vocabulary_term.html",
        status=status,
        name=name,
        term=term,
        replacements=[t for t in registry.terms(name) if not t.deprecated and t.code != code],
        values=dict(values or {}),
        errors=dict(errors or {}),
    )


@router.get(BASE + "/{name}/terms/{code}")
def term(name: str, code: str, page: Page) -> HTMLResponse:
    _curator(page.principal)
    return _term_page(page, name, code)


def _term_form(
    name: str,
    code: str,
    posted: PostedForm,
    section: str,
    first: str,
    values: dict[str, str],
    run: Callable[[], Any],
) -> Response:
    page = posted.page
    if errors := _refusal(run, section, first):
        return _term_page(page, name, code, status=422, values={section: values}, errors=errors)
    return see_other(f"{BASE}/{name}/terms/{code}#{section}-title")


@router.post(BASE + "/{name}/terms/{code}/label")
def rename_term(
    name: str, code: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    principal = _curator(posted.page.principal)
    values = {"label": posted.text("label-label")}

    def run() -> Any:
        data = management.TermRename.model_validate(values)
        return vocabularies_api.rename_term(name, code, data, request, session, principal)

    return _term_form(name, code, posted, "label", "label", values, run)


@router.post(BASE + "/{name}/terms/{code}/aliases")
def set_aliases(
    name: str, code: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    principal = _curator(posted.page.principal)
    typed = posted.text("aliases-aliases")
    values = {"aliases": typed}

    def run() -> Any:
        aliases = [line.strip() for line in typed.splitlines() if line.strip()]
        data = management.TermAliases(aliases=aliases)
        return vocabularies_api.set_aliases(name, code, data, request, session, principal)

    return _term_form(name, code, posted, "aliases", "aliases", values, run)


@router.post(BASE + "/{name}/terms/{code}/deprecate")
def deprecate_term(
    name: str, code: str, posted: FormPage, request: Request, session: WriteSession
) -> Response:
    principal = _curator(posted.page.principal)
    values = {"replaced_by": posted.text("deprecate-replaced_by")}

    def run() -> Any:
        data = management.TermDeprecate.model_validate(values)
        return vocabularies_api.deprecate_term(name, code, data, request, session, principal)

    return _term_form(name, code, posted, "deprecate", "replaced_by", values, run)

"""`Page`: who is asking and in which language, resolved once per page request;
`FormPage`: the same for a form a page posts, with the form's fields.

The principal comes from `api.auth.dependencies.get_principal`, exactly as for the
API (browser session cookie or bearer token), so a page sees what the API would
show the same person. Pages record their reads with channel `web`.

A posted form authenticates like an API write, except that the CSRF token comes
from the form's `csrf_token` field (an HTML form cannot set the `X-CSRF-Token`
header): a session-cookie POST without it, or with another, is the 403 page
before anything is read or written."""

from __future__ import annotations

import dataclasses
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from api.access import Principal
from api.auth.csrf import CSRF_FORM_FIELD
from api.auth.dependencies import get_principal, resolve_principal
from api.auth.sessions import current_session
from api.vocabularies.router import registry_of
from api.web.i18n import LANGUAGE_COOKIE, choose_language
from api.web.templating import PageContext

LANGUAGE_STATE = "web_language"


def request_language(request: Request) -> str:
    language = choose_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    setattr(request.state, LANGUAGE_STATE, language)
    return language


def here(request: Request) -> str:
    parts = urlsplit(str(request.url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _context(request: Request, principal: Principal) -> PageContext:
    language = request_language(request)
    if not principal.is_anonymous:
        principal = dataclasses.replace(principal, channel="web")
    session = current_session(request)
    return PageContext(
        principal=principal,
        language=language,
        csrf_token=session.csrf_token if session else None,
        registry=registry_of(request),
        path=here(request),
    )


async def page_context(request: Request) -> PageContext:
    return _context(request, await get_principal(request))


Page = Annotated[PageContext, Depends(page_context)]


@dataclasses.dataclass(frozen=True)
class PostedForm:
    """A form a page posted: who posted it (CSRF checked) and its fields."""

    page: PageContext
    data: FormData

    def lists(self) -> dict[str, list[str]]:
        """Every text field, as a list per name (repeated names for checkboxes)."""
        found: dict[str, list[str]] = {}
        for name, value in self.data.multi_items():
            if isinstance(value, str) and name != CSRF_FORM_FIELD:
                found.setdefault(name, []).append(value)
        return found

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else ""

    def file(self, name: str) -> UploadFile | None:
        value = self.data.get(name)
        return value if isinstance(value, UploadFile) and value.filename else None


async def posted_form(request: Request) -> PostedForm:
    data = await request.form()
    presented = data.get(CSRF_FORM_FIELD)
    principal = await run_in_threadpool(
        resolve_principal,
        request,
        csrf_presented=presented if isinstance(presented, str) and presented else None,
    )
    return PostedForm(_context(request, principal), data)


FormPage = Annotated[PostedForm, Depends(posted_form)]

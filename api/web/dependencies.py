"""`Page`: who is asking and in which language, resolved once per page request.

The principal comes from `api.auth.dependencies.get_principal`, exactly as for the
API (browser session cookie or bearer token), so a page sees what the API would
show the same person. Pages record their reads with channel `web`."""

from __future__ import annotations

import dataclasses
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from api.auth.dependencies import get_principal
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


async def page_context(request: Request) -> PageContext:
    language = request_language(request)
    principal = await get_principal(request)
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


Page = Annotated[PageContext, Depends(page_context)]

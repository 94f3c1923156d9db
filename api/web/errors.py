"""Error pages: the problem documents of `api.errors`, shown in the site's layout.

Owns: deciding per request whether an error is answered as an HTML page or as
`application/problem+json`, and rendering the page.
Does not own: what the error says — the API's own handlers build the problem
document (status, detail, field errors, headers, and the log line of an
unexpected error) and the page shows that document, so both surfaces always
agree. `/v1`, OAuth, well-known and operations paths always answer problem+json.
Invariant: no page shows a stack trace or exception text; a 500 page says only
that the error was logged."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access import ANONYMOUS, Principal
from api.auth.sessions import SESSION_COOKIE, clear_session_cookie, current_session
from api.errors import AppError
from api.vocabularies.router import registry_of
from api.web.dependencies import here, request_language
from api.web.templating import PageContext, page_response, render_html

Handler = Callable[[Request, Any], Response | Awaitable[Response]]
MACHINE_PREFIXES = (
    "/v1/",
    "/v1",
    "/oauth/",
    "/.well-known/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/static/",
)
KEPT_HEADERS = ("www-authenticate", "retry-after", "allow")


def wants_page(request: Request, web_tag: str) -> bool:
    """Pages always get pages; other non-API routes (sign-in redirects, unknown
    addresses) get one when a browser asks for HTML."""
    route = request.scope.get("route")
    if web_tag in (getattr(route, "tags", None) or ()):
        return True
    path = request.url.path
    if path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def _page_context(request: Request) -> PageContext:
    principal = getattr(request.state, "principal", None)
    session = current_session(request)
    return PageContext(
        principal=principal if isinstance(principal, Principal) else ANONYMOUS,
        language=request_language(request),
        csrf_token=session.csrf_token if session else None,
        registry=registry_of(request),
        path=here(request),
    )


def error_page(request: Request, problem: dict[str, Any], status: int) -> Response:
    page = _page_context(request)
    html = render_html("error.html", page, {"status": status, "problem": problem})
    response = page_response(html, page, status=status)
    response.headers["Cache-Control"] = "no-store"
    if status == 401 and SESSION_COOKIE in request.cookies:
        # The session ended (expired, signed out elsewhere, member removed): forget
        # the cookie so the next page is served anonymously, after this one said so.
        clear_session_cookie(response, request.app.state.settings)
    return response


def install_error_pages(app: FastAPI, web_tag: str) -> None:
    """Wrap the problem+json handlers installed by `api.errors.install_error_handlers`."""
    for exc_class in (AppError, RequestValidationError, StarletteHTTPException, Exception):
        problem_handler: Handler = app.exception_handlers[exc_class]

        async def handler(
            request: Request, exc: Exception, problem_handler: Handler = problem_handler
        ) -> Response:
            answered = problem_handler(request, exc)
            response = await answered if inspect.isawaitable(answered) else answered
            if not wants_page(request, web_tag):
                return response
            problem = json.loads(bytes(response.body))
            page = error_page(request, problem, response.status_code)
            for name in KEPT_HEADERS:
                if name in response.headers:
                    page.headers[name] = response.headers[name]
            return page

        app.add_exception_handler(exc_class, handler)

"""Domain errors and their rendering as RFC 9457 problem documents.

Services raise `AppError` subclasses, never `HTTPException`; one set of handlers
(registered by `install_error_handlers`) turns them, the framework's own errors
and anything unexpected into `application/problem+json`. An unexpected error is
logged with its traceback and answered as a bare 500: no stack trace, exception
text or SQL ever reaches a client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://offramp.exchange/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(dict[str, Any]):
    """One entry of a problem's `errors[]`: where (`field`), what (`message`), and extras."""

    def __init__(self, field: str, message: str, **extra: Any) -> None:
        super().__init__(field=field, message=message, **extra)


class AppError(Exception):
    """An expected failure with an HTTP status and a stable problem `type` slug."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.detail = detail or self.title
        self.errors = list(errors) if errors else None
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.detail)

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationFailed(AppError):
    status = 422
    slug = "validation-error"
    title = "Validation failed"


class NotFound(AppError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Unauthorized(AppError):
    """401 with an RFC 6750 challenge. `error=None` when the request carried no
    credentials at all (§3.1: no error code then); `invalid_token` when the token or
    session it carried is not good; `invalid_request` when it was malformed."""

    status = 401
    slug = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, *, error: str | None = "invalid_token") -> None:
        challenge = "Bearer"
        if error is not None:
            challenge += f' error="{error}"'
            if detail:
                challenge += ', error_description="' + detail.replace('"', "'") + '"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(AppError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class InsufficientScope(Forbidden):
    """403 for a token whose *scope* is what stops it (RFC 6750 §3.1), naming the scope."""

    slug = "insufficient-scope"
    title = "Insufficient scope"

    def __init__(self, detail: str, *, scope: str) -> None:
        super().__init__(
            detail,
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            required_scope=scope,
        )


class Conflict(AppError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class PreconditionFailed(AppError):
    status = 412
    slug = "stale-version"
    title = "The resource changed since you read it"


class PreconditionRequired(AppError):
    status = 428
    slug = "if-match-required"
    title = "If-Match header required"


class PayloadTooLarge(AppError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(AppError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class UnprocessableDocument(AppError):
    status = 422
    slug = "unprocessable-document"
    title = "The document could not be processed"


class ServiceUnavailable(AppError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


def _problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        problem, status_code=problem["status"], headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def _location(loc: Sequence[Any]) -> str:
    """`("body", "regions", 1)` → `regions[1]`; query/path/header names keep their source."""
    parts = list(loc)
    source = parts.pop(0) if parts and parts[0] in {"body", "query", "path", "header"} else None
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    if source in {"query", "path", "header"}:
        return f"{source}.{text}" if text else source
    return text or "body"


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_DESCRIPTIONS = {
    401: "Missing or invalid bearer token",
    403: "Visible, but the caller may not do this",
    404: "Does not exist, or is not visible to the caller",
    409: "Not allowed in the resource's current state",
    410: "Gone: past the retention horizon or the feed epoch; reconcile",
    412: "If-Match does not name the current version",
    413: "Body or upload larger than the limit",
    415: "Unsupported document type (decided by content)",
    422: "Invalid fields; errors[] names each one",
    428: "If-Match header required",
    503: "A dependency is unavailable",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the problem documents a route can answer."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def install_error_handlers(app: FastAPI) -> None:
    log = structlog.get_logger("api.errors")

    async def _app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)
        return _problem_response(exc.problem(request.url.path), exc.headers)

    async def _validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = []
        for item in exc.errors():
            message = str(item.get("msg", "invalid value"))
            errors.append(
                FieldError(_location(item.get("loc", ())), message, type=item.get("type"))
            )
        failed = ValidationFailed(
            "The request has invalid fields; see errors[] for each one.", errors=errors
        )
        return _problem_response(failed.problem(request.url.path))

    async def _http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        titles = {
            404: ("not-found", "Not found"),
            405: ("method-not-allowed", "Method not allowed"),
            413: ("payload-too-large", "Payload too large"),
            415: ("unsupported-media-type", "Unsupported media type"),
        }
        slug, title = titles.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404:
            detail = "Nothing is published at this address for you."
        problem = {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": exc.status_code,
            "detail": detail,
            "instance": request.url.path,
        }
        return _problem_response(problem, dict(exc.headers or {}))

    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        problem = {
            "type": PROBLEM_BASE + "internal-error",
            "title": "Internal server error",
            "status": 500,
            "detail": "The server could not complete the request; it has been logged.",
            "instance": request.url.path,
        }
        return _problem_response(problem)

    async def _stale(request: Request, exc: Exception) -> Response:
        # An optimistic-concurrency loser: another writer changed the row between our
        # read and our UPDATE (the version column no longer matched).
        stale = PreconditionFailed(
            "Someone else saved a change at the same time; reload and apply yours again."
        )
        return _problem_response(stale.problem(request.url.path))

    async def _integrity(request: Request, exc: Exception) -> Response:
        log.info("constraint conflict", path=request.url.path, error=type(exc).__name__)
        conflict = Conflict("The change conflicts with one made at the same time; try again.")
        return _problem_response(conflict.problem(request.url.path))

    async def _unstorable(request: Request, exc: Exception) -> Response:
        # The database refused a value the schema let through (e.g. a NUL character
        # in text on PostgreSQL): the client's input, so a 422, never a 500.
        log.info("unstorable value", path=request.url.path, error=type(exc).__name__)
        failed = ValidationFailed(
            "A value cannot be stored: text must not contain control characters such as NUL.",
            errors=[FieldError("body", "contains a character that cannot be stored")],
        )
        return _problem_response(failed.problem(request.url.path))

    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)

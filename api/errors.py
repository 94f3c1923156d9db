"""Domain errors and their rendering as RFC 9457 problem documents.

Services raise `AppError` subclasses, never `HTTPException`; one set of handlers
(registered by `install_error_handlers`) turns them, the framework's own errors
and anything unexpected into `application/problem+json`. An unexpected error is
logged with its traceback and answered as a bare 500: no stack trace, exception
text or SQL ever reaches a client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    status = 401
    slug = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, *, error: str = "invalid_token") -> None:
        challenge = f'Bearer error="{error}"'
        if detail:
            challenge += ', error_description="' + detail.replace('"', "'") + '"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(AppError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


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


def _problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    from fastapi.responses import JSONResponse

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


def install_error_handlers(app: Any) -> None:
    import structlog
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    log = structlog.get_logger("api.errors")

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Any:
        return _problem_response(exc.problem(request.url.path), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Any:
        errors = []
        for item in exc.errors():
            message = str(item.get("msg", "invalid value"))
            errors.append(FieldError(_location(item.get("loc", ())), message, type=item.get("type")))
        failed = ValidationFailed(
            "The request has invalid fields; see errors[] for each one.", errors=errors
        )
        return _problem_response(failed.problem(request.url.path))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
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

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unhandled error", path=request.url.path)
        problem = {
            "type": PROBLEM_BASE + "internal-error",
            "title": "Internal server error",
            "status": 500,
            "detail": "The server could not complete the request; it has been logged.",
            "instance": request.url.path,
        }
        return _problem_response(problem)

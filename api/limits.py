"""Request limits enforced before a route runs: body size while the body streams
in, and no NUL characters in the URL.

A declared Content-Length over the limit is refused before any byte is read; a
chunked or lying body is cut off as soon as it passes the limit. Upload routes
(multipart) get the upload limit plus room for the multipart framing; every
other route gets the small JSON limit. A NUL byte in the path or query string is
a 422 naming where it was: no text column can store one (PostgreSQL refuses it)
and no identifier or code contains one."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE

MULTIPART_OVERHEAD_BYTES = 64 * 1024


class BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing re-raises it instead of answering 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit} bytes.")


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_upload_bytes = max_upload_bytes

    def _limit(self, scope: Scope) -> int:
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if content_type.startswith(b"multipart/form-data"):
            return self.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
        return self.max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, scope["path"])
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await _too_large(send, limit, scope["path"])


class NulCharacterMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            where = None
            if "\x00" in scope["path"]:
                where = "path"
            elif b"%00" in scope.get("query_string", b"").lower():
                where = "query"
            if where is not None:
                await _problem(
                    send,
                    {
                        "type": PROBLEM_BASE + "validation-error",
                        "title": "Validation failed",
                        "status": 422,
                        "detail": "The request has invalid fields; see errors[] for each one.",
                        "instance": scope["path"].replace("\x00", ""),
                        "errors": [{"field": where, "message": "contains a NUL character (%00)"}],
                    },
                )
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send, limit: int, path: str) -> None:
    await _problem(
        send,
        {
            "type": PROBLEM_BASE + "payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": f"The request body is larger than the limit of {limit} bytes.",
            "instance": path,
        },
    )


async def _problem(send: Send, problem: dict[str, object]) -> None:
    body = json.dumps(problem).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem["status"],
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

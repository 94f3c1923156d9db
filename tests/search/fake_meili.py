"""A scripted fake Meilisearch on real loopback HTTP, for contract tests.

Owns: a Starlette app served by uvicorn in a background thread on 127.0.0.1 (port
0), which records every request (method, path, query, JSON body, headers) and
answers from a per-test script; plus Meilisearch's asynchronous task protocol:
each write route answers `202 {taskUid, …}` and that task then walks through a
scripted list of statuses, one step per `GET /tasks/{uid}`.

Deliberately does not: search, store documents or validate settings — it is no
Meilisearch. Tests script what the engine would answer and assert what the client
sent. Unscripted routes answer 501 `fake_unscripted_route`, so a request nobody
expected fails loudly instead of passing by accident.

Invariant: `requests` holds every request in arrival order, including task polls."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `delay` sleeps before answering (for client timeouts)."""

    status: int = 200
    json: Any = None
    delay: float = 0.0
    body: bytes | None = None  # raw body, instead of `json`


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    body: bytes
    headers: dict[str, str]  # lower-case names


@dataclass
class TaskScript:
    """The statuses a task reports on successive polls (the last one repeats)."""

    statuses: Sequence[str] = ("enqueued", "processing", "succeeded")
    error: dict[str, Any] | None = None
    details: dict[str, Any] | None = None


@dataclass
class _Task:
    uid: int
    index_uid: str | None
    type: str
    script: TaskScript
    details: dict[str, Any]
    polls: int = 0


def meili_error(code: str, message: str = "", type_: str = "invalid_request") -> dict[str, Any]:
    """A Meilisearch error object {message, code, type, link}."""
    return {
        "message": message or code,
        "code": code,
        "type": type_,
        "link": f"https://docs.meilisearch.com/errors#{code}",
    }


Responder = Reply | Callable[[Recorded], Reply]


@dataclass
class FakeMeili:
    host: str = "127.0.0.1"
    requests: list[Recorded] = field(default_factory=list)
    _routes: dict[tuple[str, str], list[Responder]] = field(default_factory=dict)
    _task_scripts: list[TaskScript] = field(default_factory=list)
    _tasks: dict[int, _Task] = field(default_factory=dict)
    _next_task_uid: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    port: int = 0

    # -- lifecycle ----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeMeili:
        app = Starlette(
            routes=[
                Route(
                    "/{path:path}",
                    self._handle,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                )
            ]
        )
        config = uvicorn.Config(
            app,
            host=self.host,
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name="fake-meili")
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("fake Meilisearch failed to start")
            threading.Event().wait(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._routes.clear()
            self._task_scripts.clear()
            self._tasks.clear()
            self._next_task_uid = 0

    # -- scripting ----------------------------------------------------------

    def on(self, method: str, path: str, *replies: Responder) -> None:
        """Answer `method path` with `replies` in order; the last one repeats."""
        with self._lock:
            self._routes[(method.upper(), path)] = list(replies)

    def next_tasks(self, *scripts: TaskScript) -> None:
        """Scripts for the next tasks the write routes create, in order; after they
        are used up, tasks go enqueued → processing → succeeded."""
        with self._lock:
            self._task_scripts.extend(scripts)

    # -- inspection ---------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path is None or r.path == path)
            ]

    def sequence(self, *, polls: bool = False) -> list[tuple[str, str]]:
        """(method, path) of every request, task polls left out unless `polls`."""
        with self._lock:
            return [
                (r.method, r.path)
                for r in self.requests
                if polls or not (r.method == "GET" and r.path.startswith("/tasks/"))
            ]

    # -- the app ------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        recorded = Recorded(
            method=request.method,
            path=request.url.path,
            query=dict(parse_qsl(request.url.query, keep_blank_values=True)),
            json=parsed,
            body=body,
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        with self._lock:
            self.requests.append(recorded)
            reply = self._scripted(recorded) or self._builtin(recorded)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.body is not None:
            return Response(reply.body, status_code=reply.status, media_type="application/json")
        if reply.json is None:
            return Response(status_code=reply.status)
        return Response(
            json.dumps(reply.json, ensure_ascii=False),
            status_code=reply.status,
            media_type="application/json",
        )

    def _scripted(self, recorded: Recorded) -> Reply | None:
        queue = self._routes.get((recorded.method, recorded.path))
        if not queue:
            return None
        responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(recorded) if callable(responder) else responder

    def _builtin(self, recorded: Recorded) -> Reply:
        method, path = recorded.method, recorded.path
        if method == "GET" and path.startswith("/tasks/"):
            return self._poll(path.removeprefix("/tasks/"))
        if method == "GET" and path == "/health":
            return Reply(json={"status": "available"})
        write = _write_route(method, path, recorded.json)
        if write is not None:
            return self._enqueue(*write, recorded.json)
        return Reply(501, meili_error("fake_unscripted_route", f"{method} {path}"))

    def _enqueue(self, index_uid: str | None, type_: str, payload: Any) -> Reply:
        script = self._task_scripts.pop(0) if self._task_scripts else TaskScript()
        details: dict[str, Any] = {}
        if type_ == "documentAdditionOrUpdate" and isinstance(payload, list):
            details = {"receivedDocuments": len(payload), "indexedDocuments": len(payload)}
        elif type_ == "documentDeletion" and isinstance(payload, list):
            details = {"providedIds": len(payload), "deletedDocuments": len(payload)}
        if script.details is not None:
            details = script.details
        uid = self._next_task_uid
        self._next_task_uid += 1
        self._tasks[uid] = _Task(uid, index_uid, type_, script, details)
        return Reply(
            202,
            {
                "taskUid": uid,
                "indexUid": index_uid,
                "status": "enqueued",
                "type": type_,
                "enqueuedAt": "2026-01-01T00:00:00.000000Z",
            },
        )

    def _poll(self, raw_uid: str) -> Reply:
        task = self._tasks.get(int(raw_uid)) if raw_uid.isdigit() else None
        if task is None:
            return Reply(404, meili_error("task_not_found", f"Task `{raw_uid}` not found."))
        statuses = task.script.statuses
        status = statuses[min(task.polls, len(statuses) - 1)]
        task.polls += 1
        finished = status in ("succeeded", "failed", "canceled")
        return Reply(
            json={
                "uid": task.uid,
                "batchUid": task.uid if finished else None,
                "indexUid": task.index_uid,
                "status": status,
                "type": task.type,
                "canceledBy": 999 if status == "canceled" else None,
                "details": task.details,
                "error": task.script.error if status == "failed" else None,
                "duration": "PT0.001S" if finished else None,
                "enqueuedAt": "2026-01-01T00:00:00.000000Z",
                "startedAt": None,
                "finishedAt": None,
            }
        )


def _write_route(method: str, path: str, payload: Any) -> tuple[str | None, str] | None:
    """(indexUid, task type) for the write routes the backend uses, else None."""
    parts = path.strip("/").split("/")
    if method == "POST" and parts == ["indexes"]:
        uid = payload.get("uid") if isinstance(payload, dict) else None
        return uid, "indexCreation"
    if method == "POST" and parts == ["swap-indexes"]:
        return None, "indexSwap"
    if len(parts) >= 2 and parts[0] == "indexes":
        uid, rest = parts[1], parts[2:]
        if method == "DELETE" and rest == []:
            return uid, "indexDeletion"
        if method == "PATCH" and rest == ["settings"]:
            return uid, "settingsUpdate"
        if method in ("POST", "PUT") and rest == ["documents"]:
            return uid, "documentAdditionOrUpdate"
        if method == "POST" and rest == ["documents", "delete-batch"]:
            return uid, "documentDeletion"
    return None

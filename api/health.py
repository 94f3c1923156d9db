"""Liveness, readiness and metrics endpoints (unauthenticated, no entry data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from indexer.consumer import outbox_lag

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Dependencies are reachable", responses={503: {}})
def readyz(request: Request) -> Response:
    checks: dict[str, Any] = {}
    ready = True
    try:
        with request.app.state.session_factory() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = {"status": "ok"}
    except Exception as exc:  # any failure means "not ready"; details stay server-side
        checks["database"] = {"status": "unavailable", "error": type(exc).__name__}
        ready = False
    for name, probe in getattr(request.app.state, "readiness_probes", {}).items():
        try:
            result = probe()
        except Exception as exc:  # a failing probe means "not ready", never a 500
            result = {"status": "unavailable", "error": type(exc).__name__}
        checks[name] = result
        ready = ready and result.get("status") == "ok"
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics
    factory = getattr(request.app.state, "session_factory", None)
    if factory is not None:
        try:
            with factory() as session:
                lag = outbox_lag(session)
        except Exception:  # noqa: S110 - the database's state is /readyz's to report
            pass
        else:
            registry.outbox_rows.set(lag.rows)
            registry.outbox_oldest_age.set(lag.oldest_age_seconds)
            registry.outbox_parked.set(lag.parked)
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )

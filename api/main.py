"""`create_app()`: wiring only — lifespan, middleware, routers, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import health
from api.attachments import router as attachments_router
from api.attachments.storage import LocalStorage
from api.auth import router as auth_router
from api.auth.keys import SIGNING_ALGORITHM, load_or_create_keys
from api.auth.validation import TrustedIssuer
from api.config import Settings, get_settings
from api.db import make_engine, make_session_factory
from api.entries import router as entries_router
from api.errors import install_error_handlers
from api.limits import BodySizeLimitMiddleware
from api.observability import Metrics, RequestContextMiddleware, configure_logging
from api.organizations import router as organizations_router
from api.vocabularies import router as vocabularies_router
from api.vocabularies.service import load_registry


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        with app.state.session_factory() as session:
            app.state.vocabularies = load_registry(session)
        keys = load_or_create_keys(settings.data_dir)
        app.state.node_keys = keys
        app.state.trusted_issuers = {
            settings.issuer: TrustedIssuer(
                issuer=settings.issuer,
                audience=settings.resolved_token_audience,
                algorithms=(SIGNING_ALGORITHM,),
                keys=keys.verification_set,
            )
        }
        app.state.storage = LocalStorage(settings.data_dir / "attachments")
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Offramp Exchange",
        version="0.1.0",
        summary="Program evaluations and lessons learned from off-ramp programs, shared.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.readiness_probes = {}
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_request_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    for module in (
        health,
        auth_router,
        vocabularies_router,
        organizations_router,
        entries_router,
        attachments_router,
    ):
        app.include_router(module.router)
    return app

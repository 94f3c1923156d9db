"""`create_app()`: wiring only — lifespan, middleware, routers, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import FastAPI

from api import auditlog, health, readlog
from api.access_requests import router as access_requests_router
from api.attachments.storage import LocalStorage
from api.auth import router as auth_router
from api.auth.issuers import TrustedIssuers
from api.auth.keys import SIGNING_ALGORITHM, KeyStore
from api.auth.sessions import install_login_cookie
from api.auth.validation import TrustedIssuer
from api.collections import router as collections_router
from api.config import Settings, get_settings
from api.curation import duplicates_router, safety_router
from api.curation import router as curation_router
from api.db import make_engine, make_session_factory
from api.entries import attachments_router
from api.entries import router as entries_router
from api.errors import install_error_handlers
from api.evidence import router as evidence_router
from api.federation import router as federation_router
from api.federation.documents import OriginDocuments
from api.heap import freeze_startup_heap
from api.housekeeping import Sweeper
from api.indexing import IndexFreshness, search_readiness
from api.limits import BodySizeLimitMiddleware, NulCharacterMiddleware
from api.login import router as login_router
from api.oauth import router as oauth_router
from api.oauth.ratelimit import FailureLimiter
from api.observability import Metrics, RequestContextMiddleware, configure_logging
from api.organizations import router as organizations_router
from api.saved_searches import router as saved_searches_router
from api.search import router as search_router
from api.shared_config import IDENTITY_PROVIDERS, VOCABULARIES, ConfigWatcher
from api.vocabularies import router as vocabularies_router
from api.vocabularies.service import load_registry_from
from api.web import install_web
from indexer.backends.base import BackendError
from indexer.factory import make_backend
from indexer.runner import make_indexer_loop

log = structlog.get_logger("api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        app.state.vocabularies = load_registry_from(app.state.session_factory)
        # Re-reads the key file when `offramp keys rotate` changes it; no restart.
        keys = KeyStore(settings.data_dir)
        app.state.node_keys = keys
        app.state.trusted_issuers = TrustedIssuers(
            TrustedIssuer(
                issuer=settings.issuer,
                audience=settings.resolved_token_audience,
                algorithms=(SIGNING_ALGORITHM,),
                keys=keys.verification_set,
            ),
            app.state.session_factory,
            audience=settings.resolved_token_audience,
            jwks_cooldown_seconds=settings.jwks_refresh_cooldown_seconds,
        )
        app.state.storage = LocalStorage(settings.data_dir / "attachments")
        app.state.origin_documents = OriginDocuments(settings)
        # Shared by every process through the database (see api.shared_config,
        # api.oauth.ratelimit, api.housekeeping): nothing here is held per process.
        limiter = FailureLimiter(app.state.session_factory)
        app.state.oauth_limiter = limiter
        watcher = ConfigWatcher(
            app.state.session_factory, interval=settings.config_poll_interval_seconds
        )

        def reload_vocabularies() -> None:
            app.state.vocabularies = load_registry_from(app.state.session_factory)

        watcher.on_change(VOCABULARIES, reload_vocabularies)
        watcher.on_change(IDENTITY_PROVIDERS, app.state.trusted_issuers.invalidate)
        watcher.start()
        app.state.config_watcher = watcher
        sweeper = Sweeper(
            app.state.session_factory,
            limiter,
            token_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            interval=settings.sweep_interval_seconds,
        )
        sweeper.start()
        app.state.sweeper = sweeper
        backend = make_backend(settings)
        app.state.search_backend = backend
        try:
            backend.ensure_ready()
        except BackendError as exc:
            log.warning("search engine not ready at start; the indexer will retry", error=str(exc))
        loop = None
        if settings.indexer_in_process:
            loop = make_indexer_loop(settings, app.state.session_factory, backend)
            loop.start()
        app.state.indexer_loop = loop
        app.state.index_freshness = IndexFreshness(
            app.state.session_factory, loop, wait_seconds=settings.index_wait_seconds
        )
        app.state.readiness_probes["search"] = lambda: search_readiness(
            app.state.session_factory,
            backend,
            loop,
            max_lag_seconds=settings.readyz_max_outbox_lag_seconds,
        )
        freeze_startup_heap(settings)
        try:
            yield
        finally:
            watcher.stop()
            sweeper.stop()
            if loop is not None:
                loop.stop()
            backend.close()
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
    app.add_middleware(NulCharacterMiddleware)
    install_login_cookie(app, settings)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    for module in (
        health,
        auth_router,
        vocabularies_router,
        organizations_router,
        entries_router,
        attachments_router,
        search_router,
        auditlog,
        readlog,
        login_router,
        curation_router,
        duplicates_router,
        safety_router,
        collections_router,
        oauth_router,
        access_requests_router,
        evidence_router,
        federation_router,
        saved_searches_router,
    ):
        app.include_router(module.router)
    install_web(app)
    return app

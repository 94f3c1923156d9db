"""The web interface: server-rendered pages over the API's own services.

`install_web(app)` adds the pages, the static files and the HTML error pages to
the application; `api.main` calls it once, after the API's error handlers."""

from __future__ import annotations

from fastapi import FastAPI

from api.web import (
    access,
    admin,
    collection_management,
    curation,
    editor,
    evidence,
    organization,
    saved_searches,
    vocabulary_management,
)
from api.web.errors import install_error_pages
from api.web.router import WEB_TAG, router
from api.web.staticfiles import CachedStaticFiles
from api.web.templating import STATIC_DIR, STATIC_PREFIX


def install_web(app: FastAPI) -> None:
    # The publisher's pages first: `/entries/new` before the phase-one `/entries/{id}`.
    app.include_router(editor.router)
    app.include_router(organization.router)
    app.include_router(curation.router)
    app.include_router(admin.router)
    app.include_router(collection_management.router)
    app.include_router(vocabulary_management.router)
    app.include_router(access.router)
    app.include_router(saved_searches.router)
    app.include_router(router)
    app.include_router(evidence.router)
    app.mount(STATIC_PREFIX, CachedStaticFiles(directory=STATIC_DIR), name="static")
    install_error_pages(app, WEB_TAG)

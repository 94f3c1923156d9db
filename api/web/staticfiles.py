"""Static files (stylesheet, script, icon) with long-lived caching.

Pages link them as `/static/<name>?v=<content hash>` (`templating.static_url`), so
a browser may keep them for a year without asking again: a changed file has a new
address. Starlette's `StaticFiles` still answers conditional requests (ETag)."""

from __future__ import annotations

import os

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

CACHE_CONTROL = "public, max-age=31536000, immutable"


class CachedStaticFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

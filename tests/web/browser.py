"""Debian's chromium, driven by Playwright (never `playwright install`: the browser
comes from the system package that `make test` installs)."""

from __future__ import annotations

import os
import shutil
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_chromium_reason() -> str | None:
    if chromium_path() is not None:
        return None
    return "chromium is not installed (apt-get install chromium; `make test` does it as root)"


def launch_chromium(playwright: Any) -> Any:
    path = chromium_path()
    if path is None:
        raise RuntimeError(missing_chromium_reason())
    # Playwright's own download location is never used; keep it from looking there.
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)

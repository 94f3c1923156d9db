"""The web interface under test: the app over a real database (SQLite and
PostgreSQL, see tests/conftest.py), served on loopback HTTP while a TestClient
holds its lifespan open, and Debian's chromium driven by Playwright.

Browser tests skip with the reason where chromium is missing — except under
CI=true, where that is a failure (`make test` installs it as root)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.integration.conftest import app, client, settings  # noqa: F401 - fixtures
from tests.loopback import serve
from tests.web.browser import launch_chromium, missing_chromium_reason
from tests.web.site import Site


@pytest.fixture
def site(app: FastAPI, client: TestClient) -> Iterator[Site]:  # noqa: F811
    with serve(app) as url:
        yield Site(app, client, url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = missing_chromium_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()

"""Signing in from the web interface, in a real browser, through a real OIDC
provider process (oidc-provider-mock on loopback, as in the login tests): the
sign-in page lists the organizations' providers and the member lands on Home."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.config import Settings
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, make_org, member_token
from tests.integration.test_login import CLIENT_ID, CLIENT_SECRET, MockIssuer, _start_mock
from tests.loopback import serve
from tests.web.site import Site


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockIssuer]:
    started = _start_mock(tmp_path_factory.mktemp("oidc-mock") / "issuer.log")
    yield started
    started.stop()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def settings(database: DatabaseUnderTest, data_dir: Path, listener: socket.socket) -> Settings:
    # Redirect URIs are built from the public URL: it must be where the app listens.
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database.url,
        public_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
    )


@pytest.fixture
def site(app: FastAPI, client: TestClient, listener: socket.socket) -> Iterator[Site]:
    with serve(app, listener) as url:
        yield Site(app, client, url)


class TestSignIn:
    def test_member_signs_in_through_their_organization_and_lands_on_home(
        self, browser: Any, site: Site, issuer: MockIssuer
    ) -> None:
        settings: Settings = site.app.state.settings
        admin = member_token(site.app, settings.operator_organization, "admin", person="root")
        make_org(site.app, "sahel-ngo", "Sahel NGO")
        configured = site.api.post(
            "/v1/identity-providers",
            headers=bearer(admin),
            json={
                "name": "sahel",
                "issuer": issuer.url,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "organization": "sahel-ngo",
                "default_role": "publisher",
            },
        )
        assert configured.status_code == 201, configured.text
        issuer.set_user("fatou", name="Fatou Sow")

        context = browser.new_context(locale="en")
        page = context.new_page()
        page.goto(site.url + "/")
        page.get_by_role("link", name="Sign in").click()
        page.get_by_role("link", name="Sahel NGO").click()
        page.wait_for_url(issuer.url + "/**", wait_until="domcontentloaded")
        page.locator("input[name=sub]").fill("fatou")
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(site.url + "/")

        assert page.locator("h1").inner_text() == "What works in off-ramp programs"
        assert page.locator(".who").inner_text() == "Fatou Sow · sahel-ngo"
        assert page.locator(".member-area").is_visible()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(site.url + "/")
        assert page.get_by_role("link", name="Sign in").is_visible()
        context.close()

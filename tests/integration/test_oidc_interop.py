"""Interoperability with a certified OpenID provider (panva/oidc-provider on Node),
run as a member organization's identity provider on loopback.

Unlike the Python mock, this provider enforces PKCE, sends RFC 9207 `iss` in every
authorization response (and says so in its metadata), and issues RFC 9068 JWT
access tokens for the node's audience with the scopes granted. The tests drive a
real sign-in through the node, then attack the callback as a mix-up or replay
attacker would, and use the provider's own access tokens against the API."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from api.config import Settings
from tests.factories import bearer, entry_payload, make_org, member_token
from tests.integration import test_login as login_tests
from tests.integration.test_login import Live, assert_login_failed, query_of, with_query

# The node served on real loopback HTTP, as the login tests serve it.
listener = login_tests.listener
settings = login_tests.settings
live = login_tests.live

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_ID = "offramp-node"
CLIENT_SECRET = "another-not-real-secret-long-enough"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the interop suite must run; `make install` sets it up)")
    pytest.skip(reason)


@dataclass
class CertifiedProvider:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture
def provider(live: Live, tmp_path: Path) -> Iterator[CertifiedProvider]:
    node_js = shutil.which("node")
    if node_js is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable("Node.js or tests/oidc/node_modules missing (npm ci --prefix tests/oidc)")
    assert node_js is not None
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    node: Settings = live.app.state.settings
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{live.url}/auth/certified/callback"],
        "audience": node.resolved_token_audience,
    }
    log = (tmp_path / "provider.log").open("wb")
    process = subprocess.Popen(
        [node_js, str(PROVIDER_DIR / "provider.mjs"), str(port), json.dumps(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/.well-known/openid-configuration", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None, (tmp_path / "provider.log").read_text()
        assert time.monotonic() < deadline, "the OpenID provider did not start"
        time.sleep(0.1)
    try:
        yield CertifiedProvider(url, process)
    finally:
        process.terminate()
        process.wait(10)
        log.close()


@dataclass
class World:
    live: Live
    provider: CertifiedProvider


@pytest.fixture
def world(live: Live, provider: CertifiedProvider) -> World:
    node: Settings = live.app.state.settings
    admin = member_token(live.app, node.operator_organization, "admin", person="root")
    make_org(live.app, "ngo-a")
    created = configure_idp_certified(live, admin, provider.url)
    assert created.status_code == 201, created.text
    return World(live, provider)


def configure_idp_certified(live: Live, admin: str, issuer: str) -> httpx.Response:
    with live.browser() as api:
        return api.post(
            "/v1/identity-providers",
            headers=bearer(admin),
            json={
                "name": "certified",
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "organization": "ngo-a",
                "default_role": "publisher",
            },
        )


def sign_in_at_provider(authorization_url: str, sub: str, stop_at: str) -> str:
    """The person signs in at the provider's own login page (a browser with its own
    cookie jar); returns the authorization response URL the provider redirects to."""
    with httpx.Client(follow_redirects=False, timeout=20) as idp:
        response = idp.get(authorization_url)
        for _ in range(12):
            location = response.headers.get("location")
            if location is None:
                assert response.status_code == 200, response.text
                page = str(response.url)
                if 'name="login"' in response.text:
                    form = {"prompt": "login", "login": sub, "password": "any"}
                else:
                    form = {"prompt": "consent"}
                response = idp.post(page, data=form)
                continue
            target = urljoin(str(response.url), location)
            if target.startswith(stop_at):
                return target
            response = idp.get(target)
    raise AssertionError("the provider never redirected back")


def node_sign_in(world: World, browser: httpx.Client, sub: str) -> str:
    started = browser.get("/login/certified")
    assert started.status_code == 302, started.text
    return sign_in_at_provider(
        started.headers["location"], sub, f"{world.live.url}/auth/certified/callback"
    )


class TestSignInWithACertifiedProvider:
    def test_sign_in_end_to_end(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = node_sign_in(world, browser, "amina")
            assert query_of(callback)["iss"] == world.provider.url
            done = browser.get(callback)
            assert done.status_code == 303, done.text
            me = browser.get("/v1/me").json()
        assert me["organization"]["slug"] == "ngo-a"
        assert me["roles"] == ["publisher"]

    def test_a_response_without_iss_is_refused(self, world: World) -> None:
        """The provider's metadata says it always sends `iss` (RFC 9207 §2.4)."""
        metadata = httpx.get(f"{world.provider.url}/.well-known/openid-configuration").json()
        assert metadata["authorization_response_iss_parameter_supported"] is True
        with world.live.browser() as browser:
            callback = node_sign_in(world, browser, "amina")
            query = query_of(callback)
            del query["iss"]
            stripped = callback.split("?")[0] + "?" + "&".join(f"{k}={v}" for k, v in query.items())
            assert_login_failed(browser.get(stripped), "issuer_missing")

    def test_a_response_naming_another_issuer_is_refused(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = node_sign_in(world, browser, "amina")
            forged = with_query(callback, iss="http://127.0.0.1:1/evil")
            assert_login_failed(browser.get(forged), "issuer_mismatch")

    def test_a_replayed_callback_is_refused(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = node_sign_in(world, browser, "amina")
            assert browser.get(callback).status_code == 303
            assert_login_failed(browser.get(callback), "mismatching_state")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def provider_access_token(world: World, sub: str, scope: str) -> str:
    """An access token the provider itself issues to a script of the organization
    (authorization code + PKCE, `resource` = the node's audience)."""
    node: Settings = world.live.app.state.settings
    verifier, challenge = pkce_pair()
    redirect_uri = f"{world.live.url}/auth/certified/callback"
    metadata = httpx.get(f"{world.provider.url}/.well-known/openid-configuration").json()
    authorization = httpx.URL(metadata["authorization_endpoint"]).copy_merge_params({
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri,
        "scope": f"openid {scope}", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256", "resource": node.resolved_token_audience,
    })  # fmt: skip
    code = query_of(sign_in_at_provider(str(authorization), sub, redirect_uri))["code"]
    token = httpx.post(
        metadata["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
              "code_verifier": verifier, "resource": node.resolved_token_audience},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )  # fmt: skip
    assert token.status_code == 200, token.text
    access: str = token.json()["access_token"]
    return access


class TestTheProvidersOwnAccessTokens:
    def test_a_token_acts_within_its_scope(self, world: World) -> None:
        with world.live.browser() as browser:  # the person's first sign-in makes the account
            assert browser.get(node_sign_in(world, browser, "amina")).status_code == 303
        reading = provider_access_token(world, "amina", "entries:read")
        with world.live.browser() as script:
            me = script.get("/v1/me", headers=bearer(reading)).json()
            assert me["scopes"] == ["entries:read"]
            refused = script.post("/v1/entries", json=entry_payload(), headers=bearer(reading))
            assert refused.status_code == 403
            assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
            writing = provider_access_token(world, "amina", "entries:read entries:write")
            created = script.post("/v1/entries", json=entry_payload(), headers=bearer(writing))
            assert created.status_code == 201, created.text

    def test_pkce_is_enforced_by_the_provider(self, world: World) -> None:
        """A code exchange without the verifier fails at the provider itself."""
        redirect_uri = f"{world.live.url}/auth/certified/callback"
        metadata = httpx.get(f"{world.provider.url}/.well-known/openid-configuration").json()
        without_challenge = httpx.URL(metadata["authorization_endpoint"]).copy_merge_params({
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": redirect_uri,
            "scope": "openid", "state": "s",
        })  # fmt: skip
        refused = sign_in_at_provider(str(without_challenge), "amina", redirect_uri)
        assert query_of(refused)["error"] == "invalid_request"

"""Federated browser login against real OIDC providers on loopback.

Two oidc-provider-mock processes are two independent issuers (A vouches for
`ngo-a`, B for `partner-b`); the app runs under uvicorn in a thread on
127.0.0.1 and is driven over real HTTP with a cookie jar, following redirects by
hand. Nothing is patched: state, PKCE, nonce, ID-token and issuer checks all run.
oidc-provider-mock does not enforce PKCE itself, so the PKCE test proves *our*
refusal of a pending login without a verifier."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from itsdangerous import TimestampSigner
from sqlalchemy import delete, func, select, update

from api.auth.sessions import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    hash_session_token,
    load_or_create_login_secret,
)
from api.config import Settings
from api.login.service import safe_next
from api.models import Account, AuditEvent, Membership, WebSession
from api.models.base import utcnow
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, entry_payload, make_org, member_token, wait_indexed

MOCK_CLI = str(Path(sys.executable).with_name("oidc-provider-mock"))
CLIENT_ID = "offramp-node"
CLIENT_SECRET = "not-a-real-secret-but-long-enough"


# -- real issuers: oidc-provider-mock subprocesses ------------------------------


@dataclass
class MockIssuer:
    url: str
    process: subprocess.Popen[bytes]

    def set_user(self, sub: str, **claims: Any) -> None:
        response = httpx.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_mock(log_path: Path) -> MockIssuer:
    for _attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [MOCK_CLI, "--host", "127.0.0.1", "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                found = httpx.get(f"{url}/.well-known/openid-configuration", timeout=1)
                if found.status_code == 200 and found.json().get("issuer") == url:
                    return MockIssuer(url, process)
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        process.kill()
        process.wait()
    raise RuntimeError(f"oidc-provider-mock did not start; see {log_path}")


@pytest.fixture(scope="module")
def issuers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, MockIssuer]]:
    logs = tmp_path_factory.mktemp("oidc-mock")
    started = {"a": _start_mock(logs / "a.log")}
    try:
        started["b"] = _start_mock(logs / "b.log")
        yield started
    finally:
        for issuer in started.values():
            issuer.stop()


# -- the app over real loopback HTTP --------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield sock
    sock.close()


@pytest.fixture
def settings(database: DatabaseUnderTest, data_dir: Path, listener: socket.socket) -> Settings:
    # Overrides the integration conftest's fixture: the public URL must be the
    # address the server really listens on (redirect URIs are built from it).
    port = listener.getsockname()[1]
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database.url,
        public_url=f"http://127.0.0.1:{port}",
    )


@dataclass
class Live:
    app: FastAPI
    url: str

    def browser(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=20)


@pytest.fixture
def live(app: FastAPI, settings: Settings, listener: socket.socket) -> Iterator[Live]:
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, daemon=True, name="offramp-live"
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the app failed to start"
        assert time.monotonic() < deadline, "the app did not start in time"
        time.sleep(0.01)
    try:
        yield Live(app, settings.public_url)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@dataclass
class World:
    live: Live
    issuers: dict[str, MockIssuer]
    admin: str


def configure_idp(
    live: Live, admin: str, name: str, issuer: str, organization: str, default_role: str
) -> httpx.Response:
    with live.browser() as api:
        return api.post(
            "/v1/identity-providers",
            headers=bearer(admin),
            json={
                "name": name,
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "organization": organization,
                "default_role": default_role,
            },
        )


@pytest.fixture
def world(live: Live, issuers: dict[str, MockIssuer]) -> World:
    settings: Settings = live.app.state.settings
    admin = member_token(live.app, settings.operator_organization, "admin", person="root")
    for slug in ("ngo-a", "partner-b", "third-c"):
        make_org(live.app, slug)
    for name, key, org, role in (
        ("ngo", "a", "ngo-a", "publisher"),
        ("partner", "b", "partner-b", "reader"),
    ):
        created = configure_idp(live, admin, name, issuers[key].url, org, role)
        assert created.status_code == 201, created.text
    return World(live, issuers, admin)


# -- driving the browser flow -----------------------------------------------------


def start_login(browser: httpx.Client, idp: str, next_path: str | None = None) -> str:
    response = browser.get(f"/login/{idp}", params={"next": next_path} if next_path else None)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def authorize_at_idp(authorization_url: str, sub: str) -> str:
    """The person signs in at the IdP (a form POST of `sub`, per oidc-provider-mock)."""
    response = httpx.post(authorization_url, data={"sub": sub}, timeout=20)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def sign_in(
    browser: httpx.Client, idp: str, sub: str, next_path: str | None = None
) -> httpx.Response:
    callback = authorize_at_idp(start_login(browser, idp, next_path), sub)
    return browser.get(callback)


def signed_in(browser: httpx.Client, idp: str, sub: str) -> dict[str, Any]:
    response = sign_in(browser, idp, sub)
    assert response.status_code == 303, response.text
    me = browser.get("/v1/me")
    assert me.status_code == 200, me.text
    body: dict[str, Any] = me.json()
    return body


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


def assert_login_failed(response: httpx.Response, error: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["error"] == error, body
    assert body["type"].endswith("/login-failed")
    assert SESSION_COOKIE not in set_cookies(response)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = query_of(url) | changes
    return parts._replace(query=urlencode(query)).geturl()


# -- the happy path -----------------------------------------------------------------


class TestSignIn:
    def test_login_redirects_with_pkce_state_and_nonce(self, world: World) -> None:
        with world.live.browser() as browser:
            response = browser.get("/login/ngo")
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith(world.issuers["a"].url + "/oauth2/authorize?")
        params = query_of(location)
        assert params["response_type"] == "code"
        assert params["client_id"] == CLIENT_ID
        assert params["redirect_uri"] == f"{world.live.url}/auth/ngo/callback"
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43
        assert params["state"]
        assert params["nonce"]
        assert "openid" in params["scope"].split()
        assert "code_verifier" not in params
        pending = set_cookies(response)[LOGIN_COOKIE].lower()
        assert "httponly" in pending
        assert "samesite=lax" in pending
        assert "max-age=600" in pending
        assert "secure" not in pending  # http://127.0.0.1 public URL: loopback development

    def test_sign_in_end_to_end_and_me(self, world: World) -> None:
        world.issuers["a"].set_user("alice", name="Alice Achieng", email="alice@ngo-a.example")
        with world.live.browser() as browser:
            response = sign_in(browser, "ngo", "alice")
            assert response.status_code == 303, response.text
            assert response.headers["location"] == "/"
            cookies = set_cookies(response)
            session_cookie = cookies[SESSION_COOKIE].lower()
            for flag in ("httponly", "samesite=lax", "path=/", "max-age=28800"):
                assert flag in session_cookie
            assert LOGIN_COOKIE in cookies  # the pending login is cleared (rotation)
            assert LOGIN_COOKIE not in browser.cookies
            token = browser.cookies[SESSION_COOKIE]
            me = browser.get("/v1/me")
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["kind"] == "member"
        assert body["authenticated_by"] == "session"
        assert body["display_name"] == "Alice Achieng"
        assert body["issuer"] == world.issuers["a"].url
        assert body["subject"] == "alice"
        assert body["organization"] == {"slug": "ngo-a", "name": "Ngo-A"}
        assert body["roles"] == ["publisher"]
        assert len(body["csrf_token"]) >= 32
        assert me.headers["cache-control"] == "no-store"
        with world.live.app.state.session_factory() as session:
            row = session.scalar(select(WebSession))
            assert row is not None
            assert row.token_hash == hash_session_token(token) != token
            assert row.expires_at - row.created_at == timedelta(hours=8)
            event = session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in"))
            assert event is not None
            assert event.channel == "web"
            assert event.details == {"identity_provider": "ngo", "first_sign_in": True}

    def test_anonymous_me_is_401(self, world: World) -> None:
        with world.live.browser() as browser:
            response = browser.get("/v1/me")
        assert response.status_code == 401
        assert response.json()["detail"] == "Sign in first."

    def test_second_sign_in_keeps_database_roles(self, world: World) -> None:
        with world.live.browser() as browser:
            assert signed_in(browser, "ngo", "carol")["roles"] == ["publisher"]
        with world.live.app.state.session_factory() as session, session.begin():
            account = session.scalar(select(Account).where(Account.subject == "carol"))
            assert account is not None
            session.execute(
                update(Membership).where(Membership.account_id == account.id).values(role="curator")
            )
        with world.live.browser() as browser:
            assert signed_in(browser, "ngo", "carol")["roles"] == ["curator"]

    def test_organization_comes_from_our_config_never_from_a_claim(self, world: World) -> None:
        world.issuers["a"].set_user(
            "mallory", name="Mallory", org="partner-b", organization="partner-b"
        )
        with world.live.browser() as browser:
            me = signed_in(browser, "ngo", "mallory")
        assert me["organization"]["slug"] == "ngo-a"
        with world.live.app.state.session_factory() as session:
            account = session.scalar(select(Account).where(Account.subject == "mallory"))
            assert account is not None
            assert account.issuer == world.issuers["a"].url
            orgs = session.scalars(
                select(Membership.organization_id).where(Membership.account_id == account.id)
            ).all()
        assert len(orgs) == 1

    def test_same_subject_at_two_issuers_is_two_people(self, world: World) -> None:
        with world.live.browser() as browser:
            first = signed_in(browser, "ngo", "sam")
        with world.live.browser() as browser:
            second = signed_in(browser, "partner", "sam")
        assert first["organization"]["slug"] == "ngo-a"
        assert second["organization"]["slug"] == "partner-b"
        assert second["roles"] == ["reader"]
        with world.live.app.state.session_factory() as session:
            assert session.scalar(select(func.count()).where(Account.subject == "sam")) == 2

    def test_idp_that_denies_access(self, world: World) -> None:
        with world.live.browser() as browser:
            authorization = start_login(browser, "ngo")
            denied = httpx.post(authorization, data={"action": "deny"}, timeout=20)
            assert denied.status_code == 302
            assert_login_failed(browser.get(denied.headers["location"]), "access_denied")

    def test_unknown_provider_is_404(self, world: World) -> None:
        with world.live.browser() as browser:
            assert browser.get("/login/nobody").status_code == 404
            assert browser.get("/auth/nobody/callback?code=x&state=y").status_code == 404

    def test_login_options_are_public(self, world: World) -> None:
        with world.live.browser() as browser:
            options = browser.get("/login").json()
        assert [(o["name"], o["organization"]["slug"]) for o in options] == [
            ("ngo", "ngo-a"),
            ("partner", "partner-b"),
        ]


# -- attacks on the callback ----------------------------------------------------------


class TestCallbackAttacks:
    def test_state_mismatch(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            forged = with_query(callback, state="attacker-chosen-state")
            assert_login_failed(browser.get(forged), "mismatching_state")

    def test_login_csrf_callback_in_another_browser(self, world: World) -> None:
        with world.live.browser() as attacker:
            callback = authorize_at_idp(start_login(attacker, "ngo"), "attacker")
        with world.live.browser() as victim:
            assert_login_failed(victim.get(callback), "mismatching_state")
            assert victim.get("/v1/me").status_code == 401

    def test_replayed_authorization_code(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            pending = browser.cookies[LOGIN_COOKIE]
            assert browser.get(callback).status_code == 303
            # Same browser: the pending login is spent.
            assert_login_failed(browser.get(callback), "mismatching_state")
        # A captured copy of the pending cookie too: the IdP refuses the used code.
        replay = httpx.get(callback, headers={"Cookie": f"{LOGIN_COOKIE}={pending}"}, timeout=20)
        assert_login_failed(replay, "invalid_grant")

    def test_pending_login_without_pkce_verifier_is_refused(
        self, world: World, settings: Settings
    ) -> None:
        # Build the pending login the way the node would, minus the verifier: sign it
        # with the node's real pending-login secret from the data directory.
        signer = TimestampSigner(load_or_create_login_secret(settings.data_dir))
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            raw = browser.cookies[LOGIN_COOKIE]
        data = json.loads(base64.b64decode(signer.unsign(raw, max_age=600)))
        key = f"_state_ngo_{query_of(callback)['state']}"
        assert data[key]["data"]["code_verifier"]
        del data[key]["data"]["code_verifier"]
        forged = signer.sign(base64.b64encode(json.dumps(data).encode())).decode()
        response = httpx.get(callback, headers={"Cookie": f"{LOGIN_COOKIE}={forged}"}, timeout=20)
        assert_login_failed(response, "pkce_missing")
        with world.live.app.state.session_factory() as session:
            assert session.scalar(select(func.count(WebSession.id))) == 0

    def test_tampered_pending_cookie_is_ignored(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            raw = browser.cookies[LOGIN_COOKIE]
        payload, _, signature = raw.partition(".")
        data = json.loads(base64.b64decode(payload))
        for value in data.values():
            value["data"].pop("code_verifier", None)
        unsigned = base64.b64encode(json.dumps(data).encode()).decode() + "." + signature
        response = httpx.get(callback, headers={"Cookie": f"{LOGIN_COOKIE}={unsigned}"})
        assert_login_failed(response, "mismatching_state")

    def test_issuer_parameter_of_another_issuer(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            forged = with_query(callback, iss=world.issuers["b"].url)
            assert_login_failed(browser.get(forged), "issuer_mismatch")
            # The failed attempt spent the pending login, even for the genuine URL.
            assert_login_failed(browser.get(callback), "mismatching_state")

    def test_matching_issuer_parameter_is_accepted(self, world: World) -> None:
        with world.live.browser() as browser:
            callback = authorize_at_idp(start_login(browser, "ngo"), "alice")
            response = browser.get(with_query(callback, iss=world.issuers["a"].url))
            assert response.status_code == 303, response.text

    def test_state_of_provider_b_at_provider_a_callback(self, world: World) -> None:
        with world.live.browser() as browser:
            callback_b = authorize_at_idp(start_login(browser, "partner"), "bob")
            assert urlsplit(callback_b).path == "/auth/partner/callback"
            at_a = urlsplit(callback_b)._replace(path="/auth/ngo/callback").geturl()
            assert_login_failed(browser.get(at_a), "mismatching_state")

    def test_next_is_never_an_open_redirect(self, world: World) -> None:
        with world.live.browser() as browser:
            response = sign_in(browser, "ngo", "alice", next_path="//evil.example/phish")
            assert response.status_code == 303
            assert response.headers["location"] == "/"
        with world.live.browser() as browser:
            response = sign_in(browser, "ngo", "alice", next_path="/v1/entries?kind=evaluation")
            assert response.headers["location"] == "/v1/entries?kind=evaluation"

    def test_discovery_issuer_changed_after_configuration(self, world: World) -> None:
        with world.live.app.state.session_factory() as session, session.begin():
            from api.models import IdentityProvider

            session.execute(
                update(IdentityProvider)
                .where(IdentityProvider.name == "ngo")
                .values(issuer=world.issuers["a"].url + "/")
            )
        with world.live.browser() as browser:
            response = browser.get("/login/ngo")
        assert_login_failed(response, "discovery_issuer_mismatch")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
        ("/%0a/evil", "/%0a/evil"),
        ("", "/"),
        (None, "/"),
        ("entries", "/"),
        ("/search?q=reintegration&page=2", "/search?q=reintegration&page=2"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


# -- sessions: CSRF, logout, expiry, removal ---------------------------------------------


class TestSessions:
    def test_csrf_on_state_changing_requests(self, world: World) -> None:
        with world.live.browser() as browser:
            csrf = signed_in(browser, "ngo", "alice")["csrf_token"]
            missing = browser.post("/v1/me/token")
            assert missing.status_code == 403
            assert missing.json()["detail"] == "CSRF token missing or wrong"
            wrong = browser.post("/v1/me/token", headers={"X-CSRF-Token": csrf[:-1] + "x"})
            assert wrong.status_code == 403
            assert wrong.json()["detail"] == "CSRF token missing or wrong"
            # Also on the entries API: a session-authenticated write needs the header.
            create = browser.post("/v1/entries", json=entry_payload())
            assert create.status_code == 403
            ok = browser.post("/v1/me/token", headers={"X-CSRF-Token": csrf})
            assert ok.status_code == 200, ok.text
            created = browser.post(
                "/v1/entries", json=entry_payload(), headers={"X-CSRF-Token": csrf}
            )
            assert created.status_code == 201, created.text
        issued = ok.json()
        assert issued["token_type"] == "Bearer"
        assert issued["organization"] == "ngo-a"
        with world.live.browser() as script:
            me = script.get("/v1/me", headers=bearer(issued["access_token"]))
        assert me.json()["authenticated_by"] == "bearer"
        assert me.json()["organization"]["slug"] == "ngo-a"
        assert me.json()["csrf_token"] is None
        with world.live.app.state.session_factory() as session:
            event = session.scalar(select(AuditEvent).where(AuditEvent.action == "token.issued"))
            assert event is not None
            assert event.details["client_id"] == "offramp-web"

    def test_bearer_requests_ignore_the_cookie(self, world: World) -> None:
        with world.live.browser() as browser:
            csrf = signed_in(browser, "ngo", "alice")["csrf_token"]
            token = browser.post("/v1/me/token", headers={"X-CSRF-Token": csrf}).json()
            browser.cookies.set(SESSION_COOKIE, "revoked-or-garbage")
            # With a bearer token the (bad) cookie is never consulted, and no CSRF
            # header is needed: a cross-site page cannot attach Authorization.
            me = browser.get("/v1/me", headers=bearer(token["access_token"]))
            assert me.status_code == 200
            again = browser.post("/v1/me/token", headers=bearer(token["access_token"]))
            assert again.status_code == 403  # tokens are minted for sessions only

    def test_logout_revokes_the_tokens_minted_for_the_session(self, world: World) -> None:
        with world.live.browser() as browser:
            csrf = signed_in(browser, "ngo", "alice")["csrf_token"]
            token = browser.post("/v1/me/token", headers={"X-CSRF-Token": csrf}).json()
            script = bearer(token["access_token"])
            assert browser.get("/v1/me", headers=script).status_code == 200
            assert browser.post("/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        with world.live.browser() as other:
            refused = other.get("/v1/me", headers=script)
        assert refused.status_code == 401
        assert "invalid_token" in refused.headers["www-authenticate"]

    def test_logout_revokes_the_session(self, world: World) -> None:
        with world.live.browser() as browser:
            csrf = signed_in(browser, "ngo", "alice")["csrf_token"]
            old = browser.cookies[SESSION_COOKIE]
            assert browser.post("/logout").status_code == 403
            response = browser.post("/logout", headers={"X-CSRF-Token": csrf})
            assert response.status_code == 204
            assert 'offramp_session=""' in set_cookies(response)[SESSION_COOKIE]
            assert SESSION_COOKIE not in browser.cookies
        with world.live.browser() as replay:
            replay.cookies.set(SESSION_COOKIE, old)
            after = replay.get("/v1/me")
            assert after.status_code == 401
            assert after.json()["detail"] == (
                "the session is unknown or has been signed out; sign in again"
            )
            assert replay.get("/v1/entries").status_code == 401
        with world.live.app.state.session_factory() as session:
            assert session.scalar(select(func.count()).where(AuditEvent.action == "auth.sign_out"))

    def test_expired_session(self, world: World) -> None:
        with world.live.browser() as browser:
            signed_in(browser, "ngo", "alice")
            with world.live.app.state.session_factory() as session, session.begin():
                session.execute(
                    update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1))
                )
            response = browser.get("/v1/me")
        assert response.status_code == 401
        assert response.json()["detail"] == "the session has expired; sign in again"
        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_removed_member(self, world: World) -> None:
        with world.live.browser() as browser:
            signed_in(browser, "ngo", "leaver")
            with world.live.app.state.session_factory() as session, session.begin():
                account = session.scalar(select(Account).where(Account.subject == "leaver"))
                assert account is not None
                session.execute(delete(Membership).where(Membership.account_id == account.id))
            # The live session stops working on the next request ...
            response = browser.get("/v1/me")
            assert response.status_code == 401
            assert response.json()["detail"] == "the account is not a member of the organization"
        # ... and signing in again does not re-grant the default role.
        with world.live.browser() as browser:
            again = sign_in(browser, "ngo", "leaver")
            assert again.status_code == 403, again.text
            assert "ask your organization's admin" in again.json()["detail"]
            assert SESSION_COOKIE not in browser.cookies
        with world.live.app.state.session_factory() as session:
            refused = session.scalar(
                select(AuditEvent).where(AuditEvent.action == "auth.sign_in_refused")
            )
            assert refused is not None
            assert session.scalar(select(func.count(Membership.id))) == 1  # the admin's only

    def test_signing_in_again_rotates_the_session(self, world: World) -> None:
        with world.live.browser() as browser:
            signed_in(browser, "ngo", "alice")
            first = browser.cookies[SESSION_COOKIE]
            signed_in(browser, "ngo", "alice")
            assert browser.cookies[SESSION_COOKIE] != first
        with world.live.app.state.session_factory() as session:
            old = session.scalar(
                select(WebSession).where(WebSession.token_hash == hash_session_token(first))
            )
            assert old is not None
            assert old.revoked_at is not None


# -- identity-provider configuration -----------------------------------------------------


class _WrongIssuerDiscovery(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {
                "issuer": "https://evil.example",
                "authorization_endpoint": "https://evil.example/authorize",
                "token_endpoint": "https://evil.example/token",
                "jwks_uri": "https://evil.example/jwks",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def wrong_issuer_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WrongIssuerDiscovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


class TestIdentityProviderAdmin:
    def test_only_node_admins(self, world: World) -> None:
        reader = member_token(world.live.app, "ngo-a", "admin", person="org-admin")
        with world.live.browser() as api:
            assert api.get("/v1/identity-providers").status_code == 401
            assert api.get("/v1/identity-providers", headers=bearer(reader)).status_code == 403
        refused = configure_idp(world.live, reader, "x", world.issuers["a"].url, "ngo-a", "reader")
        assert refused.status_code == 403

    def test_list_never_returns_the_secret(self, world: World) -> None:
        with world.live.browser() as api:
            response = api.get("/v1/identity-providers", headers=bearer(world.admin))
        assert response.status_code == 200
        assert CLIENT_SECRET not in response.text
        first = response.json()[0]
        assert "client_secret" not in first
        assert first["callback_url"] == f"{world.live.url}/auth/ngo/callback"
        assert first["organization"] == {"slug": "ngo-a", "name": "Ngo-A"}

    def test_discovery_issuer_must_equal_the_configured_issuer(
        self, world: World, wrong_issuer_server: str
    ) -> None:
        make_org(world.live.app, "org-d")
        response = configure_idp(
            world.live, world.admin, "wrong", wrong_issuer_server, "org-d", "reader"
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "issuer"
        assert response.json()["errors"][0]["discovered"] == "https://evil.example"
        # A trailing slash is a different issuer string too (the document says no slash).
        slash = configure_idp(
            world.live, world.admin, "slash", world.issuers["a"].url + "/", "org-d", "reader"
        )
        assert slash.status_code == 422

    def test_invalid_fields(self, world: World) -> None:
        response = configure_idp(
            world.live, world.admin, "Bad_Name", "ftp://x.example", "nobody", "admin"
        )
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"name", "default_role"} <= fields
        remote_http = configure_idp(
            world.live, world.admin, "plain", "http://idp.example", "ngo-a", "reader"
        )
        assert remote_http.status_code == 422
        assert {e["field"] for e in remote_http.json()["errors"]} == {"issuer"}
        unknown_org = configure_idp(
            world.live, world.admin, "lost", world.issuers["a"].url, "nobody", "reader"
        )
        assert unknown_org.status_code == 422
        assert {e["field"] for e in unknown_org.json()["errors"]} == {"organization"}

    def test_duplicates_conflict(self, world: World) -> None:
        same_name = configure_idp(
            world.live, world.admin, "ngo", world.issuers["b"].url, "third-c", "reader"
        )
        assert same_name.status_code == 409
        same_issuer = configure_idp(
            world.live, world.admin, "again", world.issuers["a"].url, "third-c", "reader"
        )
        assert same_issuer.status_code == 409

    def test_remove_ends_sessions_and_login(self, world: World) -> None:
        with world.live.browser() as browser:
            signed_in(browser, "ngo", "alice")
            with world.live.browser() as api:
                removed = api.delete("/v1/identity-providers/ngo", headers=bearer(world.admin))
                assert removed.status_code == 204
                assert (
                    api.delete(
                        "/v1/identity-providers/ngo", headers=bearer(world.admin)
                    ).status_code
                    == 404
                )
            assert browser.get("/v1/me").status_code == 401
            assert browser.get("/login/ngo").status_code == 404

    def test_changed_row_gets_a_fresh_client(self, world: World) -> None:
        with world.live.browser() as browser:
            assert query_of(start_login(browser, "ngo"))["client_id"] == CLIENT_ID
            from api.models import IdentityProvider

            with world.live.app.state.session_factory() as session, session.begin():
                session.execute(
                    update(IdentityProvider)
                    .where(IdentityProvider.name == "ngo")
                    .values(client_id="rotated-client")
                )
            assert query_of(start_login(browser, "ngo"))["client_id"] == "rotated-client"


def test_cli_add_list_remove(tmp_path: Path, issuers: dict[str, MockIssuer]) -> None:
    import os

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")} | {
            "OFFRAMP_DATA_DIR": str(tmp_path),
            "OFFRAMP_IDP_CLIENT_SECRET": CLIENT_SECRET,
        }
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert run("migrate").returncode == 0
    assert run("org", "create", "ngo-x", "--name", "NGO X").returncode == 0
    added = run(
        "idp", "add", "ngo-x-idp", "--issuer", issuers["a"].url, "--client-id", CLIENT_ID,
        "--organization", "ngo-x", "--default-role", "publisher",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "/auth/ngo-x-idp/callback" in added.stdout
    mismatch = run(
        "idp", "add", "other", "--issuer", issuers["b"].url + "/", "--client-id", CLIENT_ID,
        "--organization", "ngo-x",
    )  # fmt: skip
    assert mismatch.returncode == 2
    assert "discovery issuer" in mismatch.stderr
    listed = run("idp", "list")
    assert listed.returncode == 0
    assert f"ngo-x-idp\t{issuers['a'].url}\tngo-x\tpublisher" in listed.stdout
    assert CLIENT_SECRET not in listed.stdout
    removed = run("idp", "remove", "ngo-x-idp")
    assert removed.returncode == 0, removed.stderr
    assert run("idp", "remove", "ngo-x-idp").returncode == 2


# -- DONE WHEN: configure, sign in, publish to a partner, partner finds it --------------


def test_partner_sharing_end_to_end(live: Live, issuers: dict[str, MockIssuer]) -> None:
    app = live.app
    settings: Settings = app.state.settings
    admin = member_token(app, settings.operator_organization, "admin", person="root")
    for slug in ("ngo-a", "partner-b", "third-c"):
        make_org(app, slug)
    # 1. A node admin configures both organizations' providers over the API.
    for name, issuer, org, role in (
        ("ngo", issuers["a"], "ngo-a", "publisher"),
        ("partner", issuers["b"], "partner-b", "reader"),
    ):
        configured = configure_idp(live, admin, name, issuer.url, org, role)
        assert configured.status_code == 201, configured.text
    issuers["a"].set_user("amina", name="Amina of NGO A")
    issuers["b"].set_user("bruno", name="Bruno of Partner B")

    # 2. Amina signs in through NGO A's IdP and gets an API token for her script.
    with live.browser() as amina:
        me = signed_in(amina, "ngo", "amina")
        assert me["organization"]["slug"] == "ngo-a"
        assert me["roles"] == ["publisher"]
        issued = amina.post("/v1/me/token", headers={"X-CSRF-Token": me["csrf_token"]})
        assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]

    # 3. Her script publishes an evaluation shared with partner-b only.
    with live.browser() as script:
        created = script.post(
            "/v1/entries",
            headers=bearer(token),
            json=entry_payload(
                title="Lighthouse mentoring evaluation for returnees",
                visibility="partners",
                shared_with=["partner-b"],
            ),
        )
        assert created.status_code == 201, created.text
        entry_id = created.json()["id"]
        published = script.post(f"/v1/entries/{entry_id}/publish", headers=bearer(token))
        assert published.status_code == 200, published.text
    wait_indexed(app)

    # 4. Bruno signs in through Partner B's IdP and finds it, by id and by search.
    with live.browser() as bruno:
        assert signed_in(bruno, "partner", "bruno")["organization"]["slug"] == "partner-b"
        read = bruno.get(f"/v1/entries/{entry_id}")
        assert read.status_code == 200, read.text
        assert read.json()["title"] == "Lighthouse mentoring evaluation for returnees"
        found = bruno.get("/v1/search", params={"q": "lighthouse"})
        assert found.status_code == 200, found.text
        assert found.json()["total"] == 1
        assert [hit["id"] for hit in found.json()["hits"]] == [entry_id]

    # 5. A third organization's member and anonymous callers see nothing.
    third = member_token(app, "third-c", "reader", person="cleo")
    with live.browser() as outsider:
        assert outsider.get(f"/v1/entries/{entry_id}", headers=bearer(third)).status_code == 404
        search = outsider.get("/v1/search", params={"q": "lighthouse"}, headers=bearer(third))
        assert search.json()["total"] == 0
        assert outsider.get(f"/v1/entries/{entry_id}").status_code == 404
        assert outsider.get("/v1/search", params={"q": "lighthouse"}).json()["total"] == 0

"""The node as an OAuth 2 authorization server for machines: client registration,
the client_credentials token endpoint, client principals, key rotation, and the
attacks the endpoint must withstand. Every token here comes from the real
endpoint (or the real minting code) and is checked by the real validator."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.util import urlsafe_b64decode
from sqlalchemy import func, select

from api.access import Principal
from api.auth.keys import KeyStore, key_file_path, load_or_create_keys, rotate_keys
from api.auth.principals import principal_for_client
from api.config import Settings
from api.main import create_app
from api.models import ApiClient, AuditEvent, ClientAuthFailure
from api.oauth.ratelimit import FailureLimiter
from api.oauth.service import (
    CLIENT_ID_PATTERN,
    SECRET_BYTES,
    create_client,
    hash_secret,
    verify_secret,
)
from tests.conftest import DatabaseUnderTest
from tests.factories import (
    bearer,
    client_token,
    create_entry,
    make_org,
    member_token,
    publish,
    published_entry,
)

OFFRAMP = [sys.executable, "-m", "api.cli"]
TOKEN = "/oauth/token"


# --- helpers -------------------------------------------------------------------


def _admin(app: FastAPI) -> str:
    return member_token(app, app.state.settings.operator_organization, "admin", person="root")


def _register(client: TestClient, admin: str, *, status: int = 201, **body: Any) -> dict[str, Any]:
    payload = {"name": "Sahel CMS", "kind": "publisher", "organization": "ngo-a"} | body
    response = client.post("/v1/clients", json=payload, headers=bearer(admin))
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def _request_token(
    client: TestClient,
    client_id: str,
    secret: str,
    *,
    method: str = "basic",
    **form: str,
) -> httpx.Response:
    data = {"grant_type": "client_credentials"} | form
    if method == "basic":
        return client.post(TOKEN, data=data, auth=(client_id, secret))
    return client.post(TOKEN, data=data | {"client_id": client_id, "client_secret": secret})


def _payload(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(urlsafe_b64decode(token.split(".")[1].encode()))
    return claims


def _header(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(urlsafe_b64decode(token.split(".")[0].encode()))
    return header


def _assert_oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert set(body) == {"error", "error_description"}
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic ")
    return body


def _ngo_client(
    app: FastAPI, client: TestClient, scopes: list[str], org: str = "ngo-a"
) -> tuple[str, str]:
    make_org(app, org)
    created = _register(client, _admin(app), organization=org, scopes=scopes)
    return created["client_id"], created["client_secret"]


def _run_cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")} | {
        "OFFRAMP_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [*OFFRAMP, *args], capture_output=True, text=True, env=environment, timeout=120
    )


def _audit(app: FastAPI, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


# --- registration ---------------------------------------------------------------


class TestClientRegistration:
    def test_admin_registers_a_client_and_sees_the_secret_once(
        self, app: FastAPI, client: TestClient
    ) -> None:
        make_org(app, "ngo-a")
        admin = _admin(app)
        response = client.post(
            "/v1/clients",
            json={
                "name": "Sahel CMS",
                "organization": "ngo-a",
                "scopes": ["entries:read", "entries:write"],
            },
            headers=bearer(admin),
        )
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        created = response.json()
        assert CLIENT_ID_PATTERN.fullmatch(created["client_id"])
        assert len(created["client_secret"]) >= 43  # 32 random bytes, url-safe base64
        assert created["organization"] == "ngo-a"
        assert created["scopes"] == ["entries:read", "entries:write"]
        assert created["revoked_at"] is None

        listed = client.get("/v1/clients", headers=bearer(admin))
        assert listed.status_code == 200
        assert created["client_secret"] not in listed.text
        assert [c["client_id"] for c in listed.json()] == [created["client_id"]]
        assert all("secret" not in key for c in listed.json() for key in c)
        one = client.get(f"/v1/clients/{created['client_id']}", headers=bearer(admin))
        assert one.status_code == 200
        assert created["client_secret"] not in one.text

        with app.state.session_factory() as session:
            row = session.scalar(select(ApiClient))
            assert row is not None
            assert row.secret_hash.startswith("scrypt$")
            assert created["client_secret"] not in row.secret_hash
        [event] = _audit(app, "client.created")
        assert event.subject_id == created["client_id"]
        assert event.actor_kind == "member"

    def test_only_node_admins_manage_clients(self, app: FastAPI, client: TestClient) -> None:
        make_org(app, "ngo-a")
        body = {"name": "x", "organization": "ngo-a"}
        assert client.post("/v1/clients", json=body).status_code == 401
        for token in (
            member_token(app, "ngo-a", "publisher", "curator"),
            member_token(app, "ngo-a", "admin", person="org-admin"),  # admin of another org
        ):
            assert client.post("/v1/clients", json=body, headers=bearer(token)).status_code == 403
            assert client.get("/v1/clients", headers=bearer(token)).status_code == 403

    def test_a_machine_cannot_mint_machines(self, app: FastAPI, client: TestClient) -> None:
        operators = app.state.settings.operator_organization
        token = client_token(app, client, operators, ["entries:read", "admin"])
        response = client.post(
            "/v1/clients", json={"name": "x", "organization": operators}, headers=bearer(token)
        )
        assert response.status_code == 403
        assert client.get("/v1/clients", headers=bearer(token)).status_code == 403

    def test_invalid_registrations_name_the_field(self, app: FastAPI, client: TestClient) -> None:
        admin = _admin(app)
        missing_org = _register(client, admin, status=422, organization=None)
        assert [e["field"] for e in missing_org["errors"]] == ["organization"]
        unknown_org = _register(client, admin, status=422, organization="nobody")
        assert [e["field"] for e in unknown_org["errors"]] == ["organization"]
        unknown_scope = _register(client, admin, status=422, scopes=["root"])
        assert unknown_scope["errors"][0]["field"].startswith("scopes")
        peer_writing = _register(
            client, admin, status=422, kind="peer", organization=None, scopes=["entries:write"]
        )
        assert [e["field"] for e in peer_writing["errors"]] == ["organization"]
        peer = _register(client, admin, kind="peer", organization=None, scopes=["entries:read"])
        assert peer["organization"] is None

    def test_revoke_is_idempotent_and_404_for_unknown(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, _ = _ngo_client(app, client, ["entries:read"])
        admin = _admin(app)
        assert client.delete(f"/v1/clients/{client_id}", headers=bearer(admin)).status_code == 204
        assert client.delete(f"/v1/clients/{client_id}", headers=bearer(admin)).status_code == 204
        assert client.delete("/v1/clients/ofc_nope", headers=bearer(admin)).status_code == 404
        assert len(_audit(app, "client.revoked")) == 1
        listed = client.get("/v1/clients", headers=bearer(admin)).json()
        assert listed[0]["revoked_at"] is not None

    def test_cli_creates_lists_and_revokes(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient, tmp_path: Path
    ) -> None:
        make_org(app, "ngo-cli")
        env = {"OFFRAMP_DATABASE_URL": database.url}
        created = _run_cli(
            [
                "client", "create", "--name", "CLI publisher", "--org", "ngo-cli",
                "--scope", "entries:read", "--scope", "entries:write",
            ],
            tmp_path,
            **env,
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        fields = dict(re.findall(r"^(client_id|client_secret): (\S+)$", created.stdout, re.M))
        client_id, secret = fields["client_id"], fields["client_secret"]

        response = _request_token(client, client_id, secret)
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert response.json()["scope"] == "entries:read entries:write"
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200

        listed = _run_cli(["client", "list"], tmp_path, **env)
        assert listed.returncode == 0, listed.stderr
        assert client_id in listed.stdout
        assert secret not in listed.stdout + listed.stderr

        revoked = _run_cli(["client", "revoke", client_id], tmp_path, **env)
        assert revoked.returncode == 0, revoked.stderr
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 401
        _assert_oauth_error(_request_token(client, client_id, secret), 401, "invalid_client")

        unknown = _run_cli(["client", "revoke", "ofc_nobody"], tmp_path, **env)
        assert unknown.returncode == 2
        bad = _run_cli(["client", "create", "--name", "x", "--scope", "root"], tmp_path, **env)
        assert bad.returncode == 2
        assert "scopes" in bad.stderr


# --- the token endpoint ---------------------------------------------------------


class TestTokenEndpoint:
    def test_basic_auth_issues_an_rfc9068_token(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read", "entries:write"])
        response = _request_token(client, client_id, secret)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900
        assert body["scope"] == "entries:read entries:write"
        assert "refresh_token" not in body

        token = body["access_token"]
        header, claims = _header(token), _payload(token)
        assert header["typ"] == "at+jwt"
        assert header["alg"] == "ES256"
        assert header["kid"] == app.state.node_keys.current.kid
        settings = app.state.settings
        assert claims["iss"] == settings.issuer
        assert claims["aud"] == settings.resolved_token_audience
        assert claims["sub"] == f"client:{client_id}"
        assert claims["client_id"] == client_id
        assert claims["scope"] == "entries:read entries:write"
        assert claims["exp"] - claims["iat"] == 900
        assert claims["nbf"] == claims["iat"]
        assert claims["jti"]
        # Verifies with the published JWKS.
        jwks = client.get("/.well-known/jwks.json").json()
        key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        from joserfc.jwk import ECKey

        jwt.decode(token, ECKey.import_key(key), algorithms=["ES256"])

        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200
        [issued] = _audit(app, "token.issued")
        assert issued.channel == "client"
        assert issued.actor_kind == "client"
        assert issued.actor_client_id == client_id
        assert issued.details["jti"] == claims["jti"]
        assert issued.details["auth_method"] == "client_secret_basic"

    def test_post_auth_issues_a_token(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        response = _request_token(client, client_id, secret, method="post")
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200
        [issued] = _audit(app, "token.issued")
        assert issued.details["auth_method"] == "client_secret_post"

    def test_scope_is_narrowed_to_the_request_and_the_grant(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read", "entries:write"])
        narrowed = _request_token(client, client_id, secret, scope="entries:read")
        assert narrowed.json()["scope"] == "entries:read"
        # Asking for more than granted yields the granted part (RFC 6749 §3.3).
        partial = _request_token(client, client_id, secret, scope="entries:read admin")
        assert partial.json()["scope"] == "entries:read"
        read_only = narrowed.json()["access_token"]
        created = client.post(
            "/v1/entries",
            json=_entry(visibility="private"),
            headers=bearer(read_only),
        )
        assert created.status_code == 403

    def test_narrowing_the_grant_takes_effect_on_live_tokens(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read", "entries:write"])
        token = _request_token(client, client_id, secret).json()["access_token"]
        assert create_entry(client, token, visibility="private")["id"]
        with app.state.session_factory() as session, session.begin():
            row = session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
            assert row is not None
            row.scopes = ["entries:read"]
        response = client.post(
            "/v1/entries", json=_entry(visibility="private"), headers=bearer(token)
        )
        assert response.status_code == 403

    def test_metadata_document(self, app: FastAPI, client: TestClient) -> None:
        response = client.get("/.well-known/oauth-authorization-server")
        assert response.status_code == 200
        document = response.json()
        issuer = app.state.settings.issuer
        assert document["issuer"] == issuer
        assert document["token_endpoint"] == f"{issuer}/oauth/token"
        assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
        assert document["grant_types_supported"] == ["client_credentials"]
        assert document["token_endpoint_auth_methods_supported"] == [
            "client_secret_basic",
            "client_secret_post",
        ]
        assert document["scopes_supported"] == [
            "entries:read",
            "entries:write",
            "curation",
            "admin",
        ]
        assert "response_types_supported" not in document  # no authorization endpoint
        assert all(value != [] for value in document.values())
        assert client.get(document["jwks_uri"].removeprefix(issuer)).status_code == 200


def _entry(**overrides: Any) -> dict[str, Any]:
    from tests.factories import entry_payload

    return entry_payload(**overrides)


# --- what a client principal may do ---------------------------------------------


class TestClientPrincipals:
    def test_machine_publisher_creates_and_publishes(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = client_token(app, client, "ngo-m", ["entries:read", "entries:write"])
        private = publish(client, token, create_entry(client, token, visibility="private")["id"])
        assert private["status"] == "published"
        public = publish(client, token, create_entry(client, token, visibility="public")["id"])
        assert public["status"] == "published"
        assert client.get(f"/v1/entries/{public['id']}").status_code == 200
        created = [e for e in _audit(app, "entry.created") if e.entry_id == private["id"]]
        assert created[0].actor_kind == "client"
        assert created[0].channel == "client"

    def test_visibility_depends_on_entries_read(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        public = published_entry(client, owner, visibility="public")["id"]
        network = published_entry(client, owner, visibility="network")["id"]
        private = published_entry(client, owner, visibility="private")["id"]

        def visible(token: str) -> set[str]:
            page = client.get("/v1/entries?per_page=100", headers=bearer(token)).json()
            return {item["id"] for item in page["items"]}

        without_read = client_token(app, client, "ngo-a", ["entries:write"])
        assert visible(without_read) == {public}
        for entry_id in (network, private):
            got = client.get(f"/v1/entries/{entry_id}", headers=bearer(without_read))
            assert got.status_code == 404

        with_read = client_token(app, client, "ngo-a", ["entries:read"])
        assert visible(with_read) == {public, network, private}
        assert client.get(f"/v1/entries/{private}", headers=bearer(with_read)).status_code == 200

        other_org = client_token(app, client, "ngo-b", ["entries:read"])
        assert private not in visible(other_org)
        assert client.get(f"/v1/entries/{private}", headers=bearer(other_org)).status_code == 404

    def test_revoked_clients_existing_token_is_refused(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        token = _request_token(client, client_id, secret).json()["access_token"]
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200
        admin = _admin(app)
        assert client.delete(f"/v1/clients/{client_id}", headers=bearer(admin)).status_code == 204
        response = client.get("/v1/entries", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "unknown or revoked client"
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        _assert_oauth_error(_request_token(client, client_id, secret), 401, "invalid_client")

    def test_principal_takes_roles_and_scopes_from_the_row(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, _ = _ngo_client(app, client, ["entries:read", "curation"])
        with app.state.session_factory() as session:
            principal = principal_for_client(
                session,
                client_id,
                ["entries:read", "entries:write", "curation", "admin"],
                operator="operators",
            )
        assert principal.kind == "client"
        assert principal.organization_slug == "ngo-a"
        assert principal.scopes == frozenset({"entries:read", "curation"})
        assert principal.roles == frozenset({"curator"})


# --- attacks ----------------------------------------------------------------------


class TestAttacks:
    def test_wrong_secret_and_unknown_client_look_the_same(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        wrong = _assert_oauth_error(
            _request_token(client, client_id, secret[:-1] + "x"), 401, "invalid_client"
        )
        unknown = _assert_oauth_error(
            _request_token(client, "ofc_unknown", secret), 401, "invalid_client"
        )
        assert wrong == unknown
        for method in ("post",):
            _assert_oauth_error(
                _request_token(client, client_id, "nope", method=method), 401, "invalid_client"
            )
            _assert_oauth_error(
                _request_token(client, "ofc_unknown", "nope", method=method),
                401,
                "invalid_client",
            )
        no_credentials = client.post(TOKEN, data={"grant_type": "client_credentials"})
        _assert_oauth_error(no_credentials, 401, "invalid_client")
        failures = _audit(app, "client.auth_failed")
        assert len(failures) == 5
        assert {f.channel for f in failures} == {"client"}
        assert failures[0].details["client_id"] == client_id

    def test_unsupported_grant_type(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        for grant in ("password", "authorization_code", "urn:ietf:params:oauth:grant-type:jwt"):
            response = client.post(TOKEN, data={"grant_type": grant}, auth=(client_id, secret))
            body = _assert_oauth_error(response, 400, "unsupported_grant_type")
            assert grant not in body["error_description"]  # input is not echoed

    def test_invalid_scope(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        for scope in ("superuser", "entries:read root", "admin"):
            _assert_oauth_error(
                _request_token(client, client_id, secret, scope=scope), 400, "invalid_scope"
            )
        assert not _audit(app, "token.issued")

    def test_malformed_requests_are_invalid_request(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        auth = (client_id, secret)
        as_json = client.post(TOKEN, json={"grant_type": "client_credentials"}, auth=auth)
        _assert_oauth_error(as_json, 400, "invalid_request")
        missing = client.post(TOKEN, data={"scope": "entries:read"}, auth=auth)
        _assert_oauth_error(missing, 400, "invalid_request")
        repeated = client.post(
            TOKEN,
            content="grant_type=client_credentials&scope=entries:read&scope=admin",
            headers={"content-type": "application/x-www-form-urlencoded"},
            auth=auth,
        )
        _assert_oauth_error(repeated, 400, "invalid_request")
        two_methods = client.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_secret": secret},
            auth=auth,
        )
        _assert_oauth_error(two_methods, 400, "invalid_request")
        bearer_header = client.post(
            TOKEN, data={"grant_type": "client_credentials"}, headers=bearer("x.y.z")
        )
        _assert_oauth_error(bearer_header, 400, "invalid_request")

    @pytest.mark.parametrize(
        "credentials",
        [b"no-colon", b"\xff\xfe:\xff", b":only-secret", b"only-id:"],
    )
    def test_malformed_basic_credentials(
        self, app: FastAPI, client: TestClient, credentials: bytes
    ) -> None:
        header = "Basic " + base64.b64encode(credentials).decode()
        response = client.post(
            TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": header}
        )
        _assert_oauth_error(response, 401, "invalid_client")
        not_base64 = client.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic %%%"},
        )
        _assert_oauth_error(not_base64, 401, "invalid_client")

    def test_brute_force_is_throttled_even_for_the_right_secret(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        for attempt in range(10):
            _assert_oauth_error(
                _request_token(client, client_id, f"guess-{attempt}"), 401, "invalid_client"
            )
        locked = _request_token(client, client_id, secret)
        body = _assert_oauth_error(locked, 429, "slow_down")
        assert 1 <= int(locked.headers["retry-after"]) <= 300
        assert "retry" in body["error_description"]
        # Throttled attempts are neither authenticated nor audited as failures.
        assert len(_audit(app, "client.auth_failed")) == 10
        assert not _audit(app, "token.issued")

    def test_one_caller_cannot_lock_out_another(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        other_id, other_secret = _ngo_client(app, client, ["entries:read"])
        for attempt in range(10):
            _request_token(client, client_id, f"guess-{attempt}")
        _assert_oauth_error(_request_token(client, client_id, secret), 429, "slow_down")
        # Another client behind the same address is unaffected ...
        assert _request_token(client, other_id, other_secret).status_code == 200
        # ... and so is the same client calling from elsewhere.
        elsewhere = TestClient(app, client=("198.51.100.7", 4000))
        assert _request_token(elsewhere, client_id, secret).status_code == 200

    def test_spraying_client_ids_locks_the_address_at_ten_times_the_limit(
        self, app: FastAPI, client: TestClient
    ) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        for attempt in range(99):
            _request_token(client, f"ofc_random{attempt}", "guess")
        assert _request_token(client, client_id, secret).status_code == 200
        _request_token(client, "ofc_random99", "guess")
        _assert_oauth_error(_request_token(client, client_id, secret), 429, "slow_down")
        elsewhere = TestClient(app, client=("198.51.100.7", 4000))
        assert _request_token(elsewhere, client_id, secret).status_code == 200

    def test_success_does_not_reset_the_counter(self, app: FastAPI, client: TestClient) -> None:
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        for attempt in range(9):
            _request_token(client, client_id, f"guess-{attempt}")
        assert _request_token(client, client_id, secret).status_code == 200
        _request_token(client, client_id, "guess-9")
        _assert_oauth_error(_request_token(client, client_id, secret), 429, "slow_down")

    def test_failures_spread_over_processes_trip_the_limit_once(
        self, app: FastAPI, client: TestClient, settings: Settings
    ) -> None:
        """Three API processes over one database: the counters are shared."""
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        other_id, other_secret = _ngo_client(app, client, ["entries:read"])
        with ExitStack() as stack:
            replicas = [client] + [
                stack.enter_context(TestClient(create_app(settings))) for _ in range(2)
            ]
            for attempt in range(10):
                replica = replicas[attempt % 3]
                response = _request_token(replica, client_id, f"guess-{attempt}")
                _assert_oauth_error(response, 401, "invalid_client")
            for replica in replicas:
                _assert_oauth_error(_request_token(replica, client_id, secret), 429, "slow_down")
                assert _request_token(replica, other_id, other_secret).status_code == 200
        assert len(_audit(app, "client.auth_failed")) == 10

    def test_client_subject_cannot_pass_for_an_account(
        self, app: FastAPI, client: TestClient
    ) -> None:
        admin = _admin(app)
        admin_id = _payload(admin)["sub"].split(":")[1]
        # The name is free text; the client_id (and so the subject) is generated.
        created = _register(
            client,
            admin,
            name=f"account:{admin_id}",
            organization=app.state.settings.operator_organization,
            scopes=["entries:read", "admin"],
        )
        token = _request_token(client, created["client_id"], created["client_secret"]).json()
        claims = _payload(token["access_token"])
        assert claims["sub"] == f"client:{created['client_id']}"
        assert ":" not in created["client_id"]
        # Not the admin account: may not manage clients.
        listed = client.get("/v1/clients", headers=bearer(token["access_token"]))
        assert listed.status_code == 403

        # A token naming a client subject that smuggles an account id resolves to
        # no client at all, even when signed with the node's own key.
        settings = app.state.settings
        now = int(time.time())
        forged_claims = {
            "iss": settings.issuer,
            "aud": settings.resolved_token_audience,
            "sub": f"client:account:{admin_id}",
            "client_id": f"account:{admin_id}",
            "scope": "entries:read admin",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": "forged",
        }
        key = app.state.node_keys.current
        forged = jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": key.kid}, forged_claims, key)
        response = client.get("/v1/clients", headers=bearer(forged))
        assert response.status_code == 401
        assert response.json()["detail"] == "unknown or revoked client"
        # A client_id outside [A-Za-z0-9_-] is never looked up, only refused.
        _assert_oauth_error(
            _request_token(client, f"account:{admin_id}", "x", method="post"),
            401,
            "invalid_client",
        )

    def test_secrets_never_reach_logs_audit_or_listings(
        self,
        app: FastAPI,
        client: TestClient,
        caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str],
    ) -> None:
        caplog.set_level(logging.DEBUG)
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        _request_token(client, client_id, secret)
        _request_token(client, client_id, secret, method="post")
        _request_token(client, client_id, secret + "x")
        _request_token(client, client_id, secret + "x", method="post")
        listed = client.get("/v1/clients", headers=bearer(_admin(app)))
        captured = capfd.readouterr()
        assert "client authentication failed" in captured.out  # the capture works
        for text in (caplog.text, captured.out, captured.err, listed.text):
            assert secret not in text
        with app.state.session_factory() as session:
            events = session.scalars(select(AuditEvent)).all()
            dumped = json.dumps([e.details for e in events])
        assert secret not in dumped
        assert len([e for e in events if e.action == "client.auth_failed"]) == 2


# --- keys and rotation --------------------------------------------------------------


class TestKeyRotation:
    def test_rotation_keeps_old_tokens_and_signs_new_ones_with_the_new_key(
        self, app: FastAPI, client: TestClient
    ) -> None:
        store: KeyStore = app.state.node_keys
        store.check_interval_seconds = 0  # pick the change up on the next request
        client_id, secret = _ngo_client(app, client, ["entries:read"])
        before = _request_token(client, client_id, secret).json()["access_token"]
        member_before = member_token(app, "ngo-a", "reader")
        old_kid = _header(before)["kid"]

        rotate_keys(app.state.settings.data_dir, keep_seconds=3600)
        after = _request_token(client, client_id, secret).json()["access_token"]
        new_kid = _header(after)["kid"]
        assert new_kid != old_kid
        assert store.current.kid == new_kid
        kids = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
        assert kids == [old_kid, new_kid]
        for token in (before, member_before, after):
            assert client.get("/v1/entries", headers=bearer(token)).status_code == 200

        # Once the window has passed, the retired key is unpublished...
        data_dir = app.state.settings.data_dir
        later = load_or_create_keys(data_dir, now=_utc_in(3601))
        assert [k.kid for k in later.all_keys] == [new_kid]
        # ...and the next rotation after it drops it from the file.
        rotate_keys(data_dir, keep_seconds=3600, now=_utc_in(3601))
        stored = json.loads(key_file_path(data_dir).read_text())["keys"]
        assert old_kid not in [item["jwk"]["kid"] for item in stored]
        assert len(stored) == 2
        kids = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
        assert old_kid not in kids
        response = client.get("/v1/entries", headers=bearer(before))
        assert response.status_code == 401
        assert response.json()["detail"] == "unknown signing key"

    def test_zero_window_unpublishes_immediately(self, app: FastAPI, client: TestClient) -> None:
        app.state.node_keys.check_interval_seconds = 0
        before = member_token(app, "ngo-a", "reader")
        rotate_keys(app.state.settings.data_dir, keep_seconds=0)
        response = client.get("/v1/entries", headers=bearer(before))
        assert response.status_code == 401
        assert len(client.get("/.well-known/jwks.json").json()["keys"]) == 1

    def test_cli_rotation_is_picked_up_without_restart(
        self, app: FastAPI, client: TestClient
    ) -> None:
        store: KeyStore = app.state.node_keys
        store.check_interval_seconds = 0
        old_kid = store.current.kid
        before = member_token(app, "ngo-a", "reader")
        result = _run_cli(["keys", "rotate"], app.state.settings.data_dir)
        assert result.returncode == 0, result.stderr
        assert store.current.kid != old_kid
        assert store.current.kid in result.stdout
        assert client.get("/v1/entries", headers=bearer(before)).status_code == 200
        assert _header(member_token(app, "ngo-a", "reader"))["kid"] == store.current.kid
        stored = json.loads(store.path.read_text())["keys"]
        retired = stored[0]
        assert retired["retired_at"] is not None
        assert retired["publish_until"] > retired["retired_at"]
        assert stored[1]["retired_at"] is None
        assert stored[1]["created_at"] is not None
        assert oct(store.path.stat().st_mode & 0o777) == "0o600"

    def test_store_checks_the_file_at_most_every_interval(self, data_dir: Path) -> None:
        now = [0.0]
        store = KeyStore(data_dir, check_interval_seconds=5, clock=lambda: now[0])
        first = store.current.kid
        rotate_keys(data_dir, keep_seconds=60)
        now[0] = 4.9
        assert store.current.kid == first
        now[0] = 5.0
        assert store.current.kid != first
        assert store.all_keys[0].kid == first

    def test_legacy_key_file_is_read_and_upgraded(self, data_dir: Path) -> None:
        from joserfc.jwk import ECKey

        legacy = ECKey.generate_key("P-256", auto_kid=True)
        path = key_file_path(data_dir)
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps({"keys": [legacy.as_dict(private=True)]}))
        assert load_or_create_keys(data_dir).current.kid == legacy.kid
        rotated = rotate_keys(data_dir, keep_seconds=60)
        assert rotated.all_keys[0].kid == legacy.kid
        assert rotated.current.kid != legacy.kid


def _utc_in(seconds: int) -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC) + timedelta(seconds=seconds)


# --- units without the app ----------------------------------------------------------


class TestSecretsAndLimiter:
    def test_secret_hashes_are_salted_and_verify(self) -> None:
        first, second = hash_secret("s3cret"), hash_secret("s3cret")
        assert first != second
        assert verify_secret("s3cret", first)
        assert not verify_secret("s3cret!", first)
        assert not verify_secret("s3cret", "plain$text")
        assert not verify_secret("s3cret", "scrypt$99999999$8$1$AA$AA")
        assert SECRET_BYTES >= 32

    def test_limiter_window_and_retry_after(self, app: FastAPI, client: TestClient) -> None:
        now = [datetime(2026, 12, 2, 12, 0, tzinfo=UTC)]
        limiter = FailureLimiter(
            app.state.session_factory, threshold=3, window_seconds=60, clock=lambda: now[0]
        )

        def fail(address: str, client_id: str) -> None:
            with app.state.session_factory() as session, session.begin():
                limiter.record_failure(session, address, client_id)

        for _ in range(3):
            assert limiter.retry_after("a", "c") is None
            fail("a", "c")
            now[0] += timedelta(seconds=10)
        assert limiter.retry_after("a", "c") == 30  # the pair is locked
        assert limiter.retry_after("a", "other") is None  # not the address
        assert limiter.retry_after("b", "c") is None  # nor the client
        for n in range(26):
            fail("a", f"sprayed-{n}")
        assert limiter.retry_after("a", "other") is None
        fail("a", "sprayed-26")  # the 30th failure from "a"
        assert limiter.retry_after("a", "other") == 30  # 30 failures, the first at 0 s
        now[0] += timedelta(seconds=30)
        assert limiter.retry_after("b", "c") is None

    def test_sweep_removes_failures_older_than_the_window(
        self, app: FastAPI, client: TestClient
    ) -> None:
        now = [datetime(2026, 12, 2, 12, 0, tzinfo=UTC)]
        factory = app.state.session_factory
        limiter = FailureLimiter(factory, threshold=2, window_seconds=60, clock=lambda: now[0])
        with factory() as session, session.begin():
            for n in range(20):
                limiter.record_failure(session, f"addr-{n}", f"client-{n}")
        now[0] += timedelta(seconds=61)
        with factory() as session, session.begin():
            limiter.record_failure(session, "addr-x", "client-x")
            assert limiter.sweep(session) == 40
        with factory() as session:
            assert session.scalar(select(func.count(ClientAuthFailure.id))) == 2

    def test_create_client_rejects_nothing_valid_and_generates_safe_ids(
        self, app: FastAPI, client: TestClient
    ) -> None:
        make_org(app, "ngo-a")
        with app.state.session_factory() as session, session.begin():
            ids = {
                create_client(
                    session,
                    name="n",
                    kind="publisher",
                    organization_slug="ngo-a",
                    scopes=["entries:read", "entries:read"],
                    created_by=Principal(),
                )[0].client_id
                for _ in range(20)
            }
        assert len(ids) == 20
        assert all(CLIENT_ID_PATTERN.fullmatch(i) for i in ids)

"""Access tokens from a configured identity provider (a real issuer on loopback
serving discovery and JWKS over HTTP): accepted for this node's audience only,
acting for the organization the node binds to that issuer, with keys fetched from
the issuer's own JWKS, refreshed on rotation and never hammered by forged kids."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.config import Settings
from api.main import create_app
from api.models import IdentityProvider, Organization
from api.organizations.service import ensure_account, get_organization, grant_role
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, entry_payload, make_org, member_token, publish
from tests.loopback import serve


@dataclass
class FakeIssuer:
    """An OIDC issuer on loopback whose signing keys the test controls."""

    keys: list[RSAKey] = field(default_factory=lambda: [RSAKey.generate_key(2048, auto_kid=True)])
    jwks_requests: int = 0
    url: str = ""

    def app(self) -> Starlette:
        async def discovery(_: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": f"{self.url}/jwks"})

        async def jwks(_: Request) -> JSONResponse:
            self.jwks_requests += 1
            return JSONResponse({"keys": [k.as_dict(private=False) for k in self.keys]})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
            ]
        )

    def token(
        self, audience: str, subject: str, *, key: RSAKey | None = None, **claims: Any
    ) -> str:
        signing = key or self.keys[-1]
        now = int(time.time())
        payload = {"iss": self.url, "aud": audience, "sub": subject, "iat": now, "exp": now + 300,
                   "client_id": "script", **claims}  # fmt: skip
        header = {"alg": "RS256", "typ": "at+jwt", "kid": signing.kid}
        return jwt.encode(header, payload, signing, algorithms=["RS256"])


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    fake = FakeIssuer()
    with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
def node(
    database: DatabaseUnderTest, data_dir: Any, issuer: FakeIssuer
) -> Iterator[tuple[FastAPI, TestClient]]:
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database.url,
        jwks_refresh_cooldown_seconds=1.0,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        make_org(app, "ngo-a")
        make_org(app, "ngo-b")
        with app.state.session_factory() as session, session.begin():
            org_a = get_organization(session, "ngo-a")
            assert isinstance(org_a, Organization)
            session.add(
                IdentityProvider(
                    name="ngo-a-idp", issuer=issuer.url, client_id="node",
                    client_secret="s", organization_id=org_a.id, default_role="reader",
                )
            )  # fmt: skip
            account = ensure_account(session, issuer=issuer.url, subject="alice", display_name="A")
            grant_role(session, account=account, organization=org_a, role="reader")
        app.state.trusted_issuers.invalidate()
        yield app, client


def audience(app: FastAPI) -> str:
    value: str = app.state.settings.resolved_token_audience
    return value


class TestIdentityProviderTokens:
    def test_member_acts_for_the_configured_organization(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        owner = member_token(app, "ngo-a", "publisher")
        private = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        token = issuer.token(audience(app), "alice", scope="entries:read")
        assert client.get(f"/v1/entries/{private['id']}", headers=bearer(token)).status_code == 200
        me = client.get("/v1/me", headers=bearer(token)).json()
        assert me["organization"]["slug"] == "ngo-a"
        assert me["scopes"] == ["entries:read"]

    def test_a_token_without_scope_reads_public_entries_only(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        owner = member_token(app, "ngo-a", "publisher")
        private = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        token = issuer.token(audience(app), "alice")
        assert client.get(f"/v1/entries/{private['id']}", headers=bearer(token)).status_code == 404
        assert client.get("/v1/me", headers=bearer(token)).json()["roles"] == []

    def test_scope_limits_what_a_publisher_token_may_do(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        """The account is a publisher, but a token scoped `entries:read` reads only."""
        app, client = node
        with app.state.session_factory() as session, session.begin():
            org_a = get_organization(session, "ngo-a")
            assert isinstance(org_a, Organization)
            account = ensure_account(session, issuer=issuer.url, subject="pat", display_name="P")
            grant_role(session, account=account, organization=org_a, role="publisher")
        reading = issuer.token(audience(app), "pat", scope="entries:read")
        refused = client.post("/v1/entries", json=entry_payload(), headers=bearer(reading))
        assert refused.status_code == 403
        challenge = refused.headers["www-authenticate"]
        assert challenge == 'Bearer error="insufficient_scope", scope="entries:write"'
        assert refused.json()["required_scope"] == "entries:write"
        writing = issuer.token(audience(app), "pat", scope="entries:read entries:write")
        created = client.post("/v1/entries", json=entry_payload(), headers=bearer(writing))
        assert created.status_code == 201, created.text

    def test_an_org_claim_naming_another_organization_is_ignored(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        other = member_token(app, "ngo-b", "publisher", person="bo")
        hidden = publish(client, other, create_entry(client, other, visibility="private")["id"])
        token = issuer.token(audience(app), "alice", org="ngo-b", organization="ngo-b")
        assert client.get(f"/v1/entries/{hidden['id']}", headers=bearer(token)).status_code == 404
        assert client.get("/v1/me", headers=bearer(token)).json()["organization"]["slug"] == "ngo-a"

    def test_token_for_another_audience_is_refused(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        _, client = node
        token = issuer.token("https://other-node.example/v1", "alice")
        response = client.get("/v1/entries", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "invalid claim 'aud'"

    def test_unknown_account_is_refused(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        response = client.get("/v1/entries", headers=bearer(issuer.token(audience(app), "mallory")))
        assert response.status_code == 401

    @pytest.mark.filterwarnings("ignore:This key should not be used as an oct key")
    def test_hs256_forged_with_the_published_key_is_refused(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        pem = issuer.keys[0].as_pem(private=False)
        forged_key = OctKey.import_key(secrets.token_bytes(8) + pem[:32])
        now = int(time.time())
        token = jwt.encode(
            {"alg": "HS256", "typ": "at+jwt", "kid": issuer.keys[0].kid},
            {"iss": issuer.url, "aud": audience(app), "sub": "alice", "iat": now, "exp": now + 60},
            forged_key,
            algorithms=["HS256"],
        )
        response = client.get("/v1/entries", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "algorithm not allowed"

    def test_removed_provider_tokens_stop_working(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        token = issuer.token(audience(app), "alice")
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200
        with app.state.session_factory() as session, session.begin():
            session.query(IdentityProvider).delete()
        response = client.get("/v1/entries", headers=bearer(token))
        assert response.status_code == 401


class TestKeyFetching:
    def test_rotation_is_picked_up_and_forged_kids_do_not_hammer_the_issuer(
        self, node: tuple[FastAPI, TestClient], issuer: FakeIssuer
    ) -> None:
        app, client = node
        assert (
            client.get(
                "/v1/entries", headers=bearer(issuer.token(audience(app), "alice"))
            ).status_code
            == 200
        )
        baseline = issuer.jwks_requests
        stranger = RSAKey.generate_key(2048, auto_kid=True)
        started = time.monotonic()
        for _ in range(50):
            forged = issuer.token(audience(app), "alice", key=RSAKey.import_key(
                stranger.as_dict(private=True) | {"kid": secrets.token_hex(8)}))  # fmt: skip
            assert client.get("/v1/entries", headers=bearer(forged)).status_code == 401
        # at most one refetch per cooldown window (1 s here), whatever the number of kids
        cooldown_windows = int((time.monotonic() - started) / 1.0) + 1
        assert issuer.jwks_requests - baseline <= cooldown_windows
        assert issuer.jwks_requests - baseline < 50
        time.sleep(1.1)  # the refresh cooldown
        issuer.keys.append(RSAKey.generate_key(2048, auto_kid=True))
        rotated = issuer.token(audience(app), "alice")
        assert client.get("/v1/entries", headers=bearer(rotated)).status_code == 200
        old = issuer.token(audience(app), "alice", key=issuer.keys[0])
        assert client.get("/v1/entries", headers=bearer(old)).status_code == 200

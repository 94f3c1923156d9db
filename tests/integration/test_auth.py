"""Bearer tokens: only well-formed, node-signed, in-date access tokens for this
audience are accepted; everything else is a 401 problem with a challenge."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from api.config import Settings
from tests.factories import bearer, member_token


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(app: FastAPI, **overrides: object) -> dict[str, object]:
    settings: Settings = app.state.settings
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": settings.issuer,
        "aud": settings.resolved_token_audience,
        "sub": "account:1",
        "client_id": "tests",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "x",
        "org": "ngo-a",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(app: FastAPI, claims: dict[str, object], **header: object) -> str:
    key = app.state.node_keys.current
    full = {"alg": "ES256", "typ": "at+jwt", "kid": key.kid, **header}
    return jwt.encode(full, claims, key, algorithms=["ES256"])


def _assert_401(response: object, detail: str) -> None:
    assert response.status_code == 401, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')  # type: ignore[attr-defined]
    assert body["detail"] == detail


class TestAcceptedTokens:
    def test_valid_token_identifies_the_member(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.get("/v1/entries", headers=bearer(token))
        assert response.status_code == 200

    def test_anonymous_reads_public_list(self, client: TestClient) -> None:
        assert client.get("/v1/entries").status_code == 200

    def test_jwks_publishes_public_key_only(self, app: FastAPI, client: TestClient) -> None:
        keys = client.get("/.well-known/jwks.json").json()["keys"]
        assert [k["kid"] for k in keys] == [app.state.node_keys.current.kid]
        assert all("d" not in k for k in keys)
        assert keys[0]["alg"] == "ES256"


class TestRejectedTokens:
    @pytest.fixture(autouse=True)
    def _member(self, app: FastAPI, client: TestClient) -> None:
        member_token(app, "ngo-a", "publisher")

    def test_malformed(self, client: TestClient) -> None:
        _assert_401(client.get("/v1/entries", headers=bearer("not.a.jwt")), "malformed token")

    def test_wrong_scheme(self, client: TestClient) -> None:
        response = client.get("/v1/entries", headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert response.status_code == 401
        assert 'error="invalid_request"' in response.headers["www-authenticate"]

    def test_alg_none(self, app: FastAPI, client: TestClient) -> None:
        token = f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{_b64(_claims(app))}."
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "algorithm not allowed")

    def test_hs256_signed_with_the_public_key(self, app: FastAPI, client: TestClient) -> None:
        public = app.state.node_keys.current.as_pem(private=False)
        secret = OctKey.import_key(base64.b64encode(public).decode())
        token = jwt.encode({"alg": "HS256", "typ": "at+jwt"}, _claims(app), secret)
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "algorithm not allowed")

    def test_signed_by_an_unknown_key(self, app: FastAPI, client: TestClient) -> None:
        stranger = ECKey.generate_key("P-256", auto_kid=True)
        token = jwt.encode(
            {"alg": "ES256", "typ": "at+jwt", "kid": stranger.kid}, _claims(app), stranger
        )
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "unknown signing key")

    def test_foreign_signature_under_our_kid(self, app: FastAPI, client: TestClient) -> None:
        stranger = ECKey.generate_key("P-256")
        kid = app.state.node_keys.current.kid
        token = jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": kid}, _claims(app), stranger)
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "invalid token signature")

    def test_tampered_payload(self, app: FastAPI, client: TestClient) -> None:
        header, _, signature = _sign(app, _claims(app)).split(".")
        forged = _b64(_claims(app, org="ngo-b"))
        token = f"{header}.{forged}.{signature}"
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "invalid token signature")

    def test_expired(self, app: FastAPI, client: TestClient) -> None:
        past = int(time.time()) - 4000
        token = _sign(app, _claims(app, iat=past, nbf=past, exp=past + 60))
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "token expired")

    def test_not_yet_valid(self, app: FastAPI, client: TestClient) -> None:
        token = _sign(app, _claims(app, nbf=int(time.time()) + 3600))
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "token not yet valid")

    def test_missing_expiry(self, app: FastAPI, client: TestClient) -> None:
        token = _sign(app, _claims(app, exp=None))
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "missing claim 'exp'")

    def test_wrong_audience(self, app: FastAPI, client: TestClient) -> None:
        token = _sign(app, _claims(app, aud="https://other-node.example/v1"))
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "invalid claim 'aud'")

    def test_wrong_issuer(self, app: FastAPI, client: TestClient) -> None:
        token = _sign(app, _claims(app, iss="https://evil.example"))
        _assert_401(client.get("/v1/entries", headers=bearer(token)), "untrusted issuer")

    def test_id_token_type_is_not_an_access_token(self, app: FastAPI, client: TestClient) -> None:
        token = _sign(app, _claims(app), typ="JWT")
        _assert_401(
            client.get("/v1/entries", headers=bearer(token)),
            "not an access token (typ must be at+jwt)",
        )

    def test_embedded_jwk_header_is_refused(self, app: FastAPI, client: TestClient) -> None:
        jwk = app.state.node_keys.current.as_dict(private=False)
        token = _sign(app, _claims(app), jwk=jwk)
        _assert_401(
            client.get("/v1/entries", headers=bearer(token)), "embedded keys are not accepted"
        )

    def test_member_removed_after_token_was_issued(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher", person="leaver")
        assert client.get("/v1/entries", headers=bearer(token)).status_code == 200
        from sqlalchemy import delete

        from api.models import Membership

        with app.state.session_factory() as session, session.begin():
            session.execute(delete(Membership))
        _assert_401(
            client.get("/v1/entries", headers=bearer(token)),
            "the account is not a member of the organization",
        )

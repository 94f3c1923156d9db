"""Typed factory functions for tests: organizations, members with real tokens, entries.

Tokens are minted with the app's own signing key and validated by the real
validator — nothing is patched out."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.tokens import account_subject, mint_access_token
from api.models import Organization
from api.organizations.service import (
    create_organization,
    ensure_account,
    get_organization,
    grant_role,
)


def make_org(app: FastAPI, slug: str, name: str | None = None, country: str = "KE") -> int:
    with app.state.session_factory() as session, session.begin():
        existing = get_organization(session, slug)
        if existing is not None:
            return existing.id
        org = create_organization(session, slug=slug, name=name or slug.title(), country=country)
        return org.id


def member_token(app: FastAPI, org: str, *roles: str, person: str = "alice", **mint: Any) -> str:
    make_org(app, org)
    with app.state.session_factory() as session, session.begin():
        organization = get_organization(session, org)
        assert isinstance(organization, Organization)
        account = ensure_account(
            session,
            issuer=app.state.settings.issuer,
            subject=f"test:{org}:{person}",
            display_name=f"{person} of {org}",
        )
        for role in roles or ("reader",):
            grant_role(session, account=account, organization=organization, role=role)
        account_id = account.id
    return mint_access_token(
        app.state.settings,
        app.state.node_keys,
        subject=account_subject(account_id),
        client_id="tests",
        organization_slug=org,
        **mint,
    )


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def entry_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": "evaluation",
        "title": "Evaluation of a community reintegration programme",
        "summary": "Outcomes of mentoring for returnees after two years.",
        "body": "## Findings\n\nParticipants *reported* stronger ties.",
        "language": "en",
        "program_types": ["reintegration", "mentoring"],
        "regions": ["KE"],
        "target_populations": ["returnees"],
        "evaluation_design": "mixed_methods",
        "evidence_level": "moderate",
        "indicators": [{"code": "completion_rate", "value": 81.5}],
        "visibility": "public",
    }
    payload.update(overrides)
    return payload


def create_entry(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/entries", json=entry_payload(**overrides), headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def patch_entry(client: TestClient, token: str, entry_id: str, **fields: Any) -> dict[str, Any]:
    """PATCH an entry as `token`, with the If-Match of the version it reads first."""
    current = client.get(f"/v1/entries/{entry_id}", headers=bearer(token))
    response = client.patch(
        f"/v1/entries/{entry_id}",
        json=fields,
        headers={**bearer(token), "If-Match": current.headers["etag"]},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def curator_token(app: FastAPI) -> str:
    return member_token(app, "coordination", "curator", person="curator")


def publish(client: TestClient, token: str, entry_id: str) -> dict[str, Any]:
    """Bring an entry (or its pending revision) live the way the workflow allows:
    the owner publishes partners/private entries directly; public/network ones are
    submitted by the owner and approved by a curator."""
    response = client.post(f"/v1/entries/{entry_id}/submit", headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if (
        body["status"] == "published"
        and body["review_status"] is None
        and (body["pending_revision"] is None)
    ):
        return body
    app: FastAPI = client.app  # type: ignore[assignment]
    curator = bearer(curator_token(app))
    if "held" in (body["status"], body["review_status"]):
        # The submit guard held it (e.g. a small cell): a curator releases it first.
        released = client.post(f"/v1/entries/{entry_id}/release-hold", headers=curator)
        assert released.status_code == 200, released.text
        body = client.get(f"/v1/entries/{entry_id}", headers=bearer(token)).json()
    if body["status"] != "published" or body["review_status"] or body["pending_revision"]:
        approved = client.post(f"/v1/entries/{entry_id}/approve", headers=curator)
        assert approved.status_code == 200, approved.text
    final = client.get(f"/v1/entries/{entry_id}", headers=bearer(token))
    result: dict[str, Any] = final.json()
    return result


def published_entry(client: TestClient, token: str, **overrides: Any) -> dict[str, Any]:
    return publish(client, token, create_entry(client, token, **overrides)["id"])


def wait_indexed(app: FastAPI, timeout: float = 60.0) -> None:
    """Wake the in-process indexer and wait until the outbox is empty."""
    import time

    from sqlalchemy import func, select

    from api.models import SearchOutbox

    deadline = time.monotonic() + timeout
    while True:
        app.state.indexer_loop.wake()
        with app.state.session_factory() as session:
            pending = session.scalar(select(func.count(SearchOutbox.id)))
        if not pending:
            return
        assert time.monotonic() < deadline, f"{pending} outbox rows still pending"
        time.sleep(0.02)


def client_token(
    app: FastAPI, client: TestClient, org: str | None, scopes: list[str], *, kind: str = "publisher"
) -> str:
    """Register an API client for `org` with `scopes` and get a token for it from the
    node's real token endpoint (client_credentials, HTTP Basic)."""
    from api.access import Principal
    from api.oauth.service import create_client

    if org is not None:
        make_org(app, org)
    with app.state.session_factory() as session, session.begin():
        row, secret = create_client(
            session,
            name=f"test client of {org or 'nobody'}",
            kind=kind,
            organization_slug=org,
            scopes=scopes,
            created_by=Principal(display_name="tests"),
        )
        client_id = row.client_id
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token

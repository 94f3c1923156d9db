"""Listed entries and access requests: the stub is public, the content is not; a
member asks, the owner grants for a time or declines, a grant is a reader of the
entry until it expires or is revoked — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.models import AccessGrant, AuditEvent, EntryReader
from api.models.base import utcnow
from tests.factories import (
    bearer,
    create_entry,
    make_org,
    member_token,
    patch_entry,
    publish,
    wait_indexed,
)

REASON = "We are designing a similar programme in Mopti and need the findings."


def listed_private(client: TestClient, owner: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "visibility": "private", "listed": True, "title": "Returnee mentoring, Diffa",
        "summary": "Hidden summary", "body": "Hidden body",
    } | overrides  # fmt: skip
    entry = create_entry(client, owner, **fields)
    client.post(
        f"/v1/entries/{entry['id']}/attachments",
        files={"file": ("notes.txt", b"hidden notes", "text/plain")},
        headers=bearer(owner),
    )
    return publish(client, owner, entry["id"])


class TestListedStub:
    def test_anyone_sees_the_stub_and_nothing_more(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = listed_private(client, owner)
        url = f"/v1/entries/{entry['id']}"
        stub = client.get(url)
        assert stub.status_code == 200
        body = stub.json()
        assert body["restricted"] is True
        assert body["title"] == "Returnee mentoring, Diffa"
        assert body["access_requests_href"] == f"{url}/access-requests"
        assert "Hidden" not in stub.text
        assert body["attachments"] == []
        for path in ("/attachments", "/revisions", "/revisions/1", "/transitions", "/comments"):
            assert client.get(url + path).status_code in (401, 404), path
        listing = client.get("/v1/entries").json()
        assert [(i["id"], i["restricted"], i["summary"]) for i in listing["items"]] == [
            (entry["id"], True, "")
        ]

    def test_an_unlisted_private_entry_stays_invisible(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = listed_private(client, owner)
        patch_entry(client, owner, entry["id"], listed=False)
        assert client.get(f"/v1/entries/{entry['id']}").status_code == 404
        assert client.get("/v1/entries").json()["total"] == 0


class TestRequestAndGrant:
    def test_ask_approve_read_revoke(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        reader = member_token(app, "ngo-b", "reader", person="bo")
        entry = listed_private(client, owner)
        url = f"/v1/entries/{entry['id']}"
        asked = client.post(f"{url}/access-requests", json={"reason": REASON},
                            headers=bearer(reader))  # fmt: skip
        assert asked.status_code == 201, asked.text
        assert asked.json()["organization"]["slug"] == "ngo-b"
        again = client.post(f"{url}/access-requests", json={"reason": REASON},
                            headers=bearer(reader))  # fmt: skip
        assert again.status_code == 409
        pending = client.get(f"{url}/access-requests", headers=bearer(owner)).json()
        assert [(r["status"], r["reason"]) for r in pending] == [("pending", REASON)]
        assert client.get(f"{url}/access-requests", headers=bearer(reader)).status_code == 404
        granted = client.post(
            f"{url}/access-requests/{pending[0]['id']}/approve", json={"days": 30},
            headers=bearer(owner),
        )  # fmt: skip
        assert granted.status_code == 200, granted.text
        full = client.get(url, headers=bearer(reader)).json()
        assert (full["restricted"], full["body"]) == (False, "Hidden body")
        assert full["shared_with"] is None  # a grantee is a reader, not the owner
        assert client.get(f"{url}/attachments", headers=bearer(reader)).status_code == 200
        assert client.get(url).json()["restricted"] is True  # still a stub for others
        revoked = client.delete(f"{url}/grants/{granted.json()['id']}", headers=bearer(owner))
        assert revoked.status_code == 204
        assert client.get(url, headers=bearer(reader)).json()["restricted"] is True
        actions = {
            e.action
            for e in app.state.session_factory().query(AuditEvent).filter_by(entry_id=entry["id"])
        }
        assert {"access.requested", "access.granted", "access.revoked"} <= actions

    def test_a_grant_lapses_at_its_expiry(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        reader = member_token(app, "ngo-b", "reader", person="bo")
        entry = listed_private(client, owner)
        url = f"/v1/entries/{entry['id']}"
        request_id = client.post(
            f"{url}/access-requests", json={"reason": REASON}, headers=bearer(reader)
        ).json()["id"]
        client.post(f"{url}/access-requests/{request_id}/approve", json={"days": 1},
                    headers=bearer(owner))  # fmt: skip
        assert client.get(url, headers=bearer(reader)).json()["restricted"] is False
        past = utcnow() - timedelta(seconds=1)
        with app.state.session_factory() as session, session.begin():
            # Time passes for the grant and for the reader tag it left (its expiry).
            session.execute(update(AccessGrant).values(expires_at=past))
            expiring = update(EntryReader).where(EntryReader.expires_at.is_not(None))
            session.execute(expiring.values(expires_at=past))
        # No rewrite happened: the expiry alone ends it, in SQL and in the rule.
        assert client.get(url, headers=bearer(reader)).json()["restricted"] is True
        assert client.get(f"{url}/attachments", headers=bearer(reader)).status_code == 404

    def test_identity_comes_from_the_token(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        reader = member_token(app, "ngo-b", "reader", person="bo")
        make_org(app, "ngo-c")
        entry = listed_private(client, owner)
        spoofed = client.post(
            f"/v1/entries/{entry['id']}/access-requests",
            json={"reason": REASON, "organization": "ngo-c"},
            headers=bearer(reader),
        )
        assert spoofed.status_code == 422
        assert client.post(f"/v1/entries/{entry['id']}/access-requests",
                           json={"reason": REASON}).status_code == 401  # fmt: skip

    def test_decline_and_my_requests(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        reader = member_token(app, "ngo-b", "reader", person="bo")
        entry = listed_private(client, owner)
        url = f"/v1/entries/{entry['id']}"
        request_id = client.post(
            f"{url}/access-requests", json={"reason": REASON}, headers=bearer(reader)
        ).json()["id"]
        declined = client.post(
            f"{url}/access-requests/{request_id}/decline",
            json={"comment": "Participants could be identified."}, headers=bearer(owner),
        )  # fmt: skip
        assert declined.json()["status"] == "declined"
        mine = client.get("/v1/me/access-requests", headers=bearer(reader)).json()
        assert [(r["entry_id"], r["status"]) for r in mine] == [(entry["id"], "declined")]
        assert client.get(url, headers=bearer(reader)).json()["restricted"] is True

    def test_who_may_read_already_cannot_ask(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = listed_private(client, owner, visibility="network")
        member = member_token(app, "ngo-b", "reader", person="bo")
        asked = client.post(f"/v1/entries/{entry['id']}/access-requests",
                            json={"reason": REASON}, headers=bearer(member))  # fmt: skip
        assert asked.status_code == 409
        wait_indexed(app)

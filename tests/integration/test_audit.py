"""The audit log: reads of non-public entries and attachments are recorded (and a
read fails closed if it cannot be), and only entitled callers can list events."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import (
    bearer,
    create_entry,
    make_org,
    member_token,
    publish,
    published_entry,
)


class TestReadAudit:
    def test_reading_a_private_entry_and_its_attachment_is_recorded(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        admin = member_token(app, "ngo-a", "admin", person="ada")
        entry = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        href = client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": ("n.txt", b"notes", "text/plain")},
            headers=bearer(owner),
        ).json()["href"]
        client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner))
        client.get(href, headers=bearer(owner))
        events = client.get(
            "/v1/audit-events", params={"entry_id": entry["id"]}, headers=bearer(admin)
        ).json()["items"]
        actions = [e["action"] for e in events]
        assert "entry.read" in actions
        assert "attachment.read" in actions
        assert "entry.published" in actions
        read = next(e for e in events if e["action"] == "entry.read")
        assert read["channel"] == "api"
        assert read["details"]["visibility"] == "private"

    def test_public_reads_are_not_recorded(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        admin = member_token(app, "ngo-a", "admin", person="ada")
        entry = publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        client.get(f"/v1/entries/{entry['id']}")
        events = client.get(
            "/v1/audit-events",
            params={"entry_id": entry["id"], "action": "entry.read"},
            headers=bearer(admin),
        ).json()
        assert events["total"] == 0

    def test_read_fails_closed_when_audit_cannot_be_written(
        self, app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = publish(client, owner, create_entry(client, owner, visibility="network")["id"])

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr("api.audit.record_event", broken)
        response = client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner))
        assert response.status_code == 503
        assert entry["title"] not in response.text


class TestListingAuthorization:
    def test_org_admin_sees_only_own_entries_events(self, app: FastAPI, client: TestClient) -> None:
        a = member_token(app, "ngo-a", "publisher")
        b = member_token(app, "ngo-b", "publisher", person="bob")
        admin_a = member_token(app, "ngo-a", "admin", person="ada")
        create_entry(client, a)
        other = create_entry(client, b)
        events = client.get("/v1/audit-events", headers=bearer(admin_a)).json()["items"]
        assert events
        assert other["id"] not in {e["entry_id"] for e in events}

    def test_curator_sees_events_of_what_they_may_read_only(
        self, app: FastAPI, client: TestClient
    ) -> None:
        a = member_token(app, "ngo-a", "publisher")
        make_org(app, "ngo-b")
        curator = member_token(app, "coordination", "curator", person="cur")
        public = published_entry(client, a)
        private = published_entry(client, a, visibility="private", title="Quiet programme")
        partners = published_entry(client, a, visibility="partners", shared_with=["ngo-b"])
        events = client.get("/v1/audit-events", headers=bearer(curator)).json()["items"]
        seen = {e["entry_id"] for e in events}
        assert public["id"] in seen
        assert private["id"] not in seen
        assert partners["id"] not in seen
        assert "Quiet programme" not in str(events)

    def test_node_admin_sees_everything(self, app: FastAPI, client: TestClient) -> None:
        a = member_token(app, "ngo-a", "publisher")
        admin = member_token(app, "operators", "admin", person="root")
        private = published_entry(client, a, visibility="private")
        events = client.get("/v1/audit-events", headers=bearer(admin)).json()["items"]
        assert private["id"] in {e["entry_id"] for e in events}

    def test_sharing_details_are_for_the_owner(self, app: FastAPI, client: TestClient) -> None:
        a = member_token(app, "ngo-a", "publisher")
        make_org(app, "ngo-b")
        admin_a = member_token(app, "ngo-a", "admin", person="ada")
        curator = member_token(app, "coordination", "curator", person="cur")
        entry = published_entry(client, a, visibility="network")
        current = client.get(f"/v1/entries/{entry['id']}", headers=bearer(a))
        changed = client.patch(
            f"/v1/entries/{entry['id']}",
            json={"shared_with": ["ngo-b"]},
            headers={**bearer(a), "If-Match": current.headers["etag"]},
        )
        assert changed.status_code == 200, changed.text
        query = {"action": "entry.visibility_changed"}
        owner_view = client.get("/v1/audit-events", params=query, headers=bearer(admin_a))
        assert any(e["details"].get("shared_with") == ["ngo-b"] for e in owner_view.json()["items"])
        curator_view = client.get("/v1/audit-events", params=query, headers=bearer(curator))
        assert curator_view.json()["items"], "the entry is network-visible again"
        assert "ngo-b" not in curator_view.text

    def test_readers_and_anonymous_are_refused(self, app: FastAPI, client: TestClient) -> None:
        reader = member_token(app, "ngo-a", "reader")
        assert client.get("/v1/audit-events", headers=bearer(reader)).status_code == 403
        assert client.get("/v1/audit-events").status_code == 401

"""The entries API: create, read, list, edit with If-Match, delete, publish, revisions."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, create_entry, entry_payload, member_token, publish


class TestCreateEntry:
    def test_publisher_creates_a_draft_of_their_organization(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.post("/v1/entries", json=entry_payload(), headers=bearer(token))
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "draft"
        assert body["organization"]["slug"] == "ngo-a"
        assert body["version"] == 1
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"/v1/entries/{body['id']}"
        assert body["indicators"] == [
            {
                "code": "completion_rate",
                "label": "Completion rate",
                "unit": "percent",
                "value": 81.5,
                "display": "81.5",
                "suppressed": False,
                "note": None,
            }
        ]
        assert "<em>reported</em>" in body["body_html"]

    def test_reader_may_not_create(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "reader")
        response = client.post("/v1/entries", json=entry_payload(), headers=bearer(token))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    def test_anonymous_gets_401_with_challenge(self, client: TestClient) -> None:
        response = client.post("/v1/entries", json=entry_payload())
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_unknown_vocabulary_code_names_field_code_and_where_to_look(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.post(
            "/v1/entries",
            json=entry_payload(program_types=["reintegration", "telepathy"], regions=["XX"]),
            headers=bearer(token),
        )
        assert response.status_code == 422
        errors = {e["field"]: e for e in response.json()["errors"]}
        assert errors["program_types[1]"]["code"] == "telepathy"
        assert errors["program_types[1]"]["valid_codes"] == "/v1/vocabularies/program_type"
        assert errors["regions[0]"]["valid_codes"] == "/v1/vocabularies/region"
        assert client.get("/v1/entries", headers=bearer(token)).json()["total"] == 0

    def test_percent_indicator_over_100_is_refused(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.post(
            "/v1/entries",
            json=entry_payload(indicators=[{"code": "completion_rate", "value": 101}]),
            headers=bearer(token),
        )
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "indicators[0].value"
        assert error["unit"] == "percent"


class TestEditEntry:
    def test_update_with_current_etag_bumps_version(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token)
        response = client.patch(
            f"/v1/entries/{entry['id']}",
            json={"title": "A better title"},
            headers={**bearer(token), "If-Match": '"1"'},
        )
        assert response.status_code == 200, response.text
        assert response.json()["title"] == "A better title"
        assert response.headers["etag"] == '"2"'

    def test_stale_etag_is_412_and_changes_nothing(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token)
        url = f"/v1/entries/{entry['id']}"
        client.patch(url, json={"title": "First"}, headers={**bearer(token), "If-Match": '"1"'})
        response = client.patch(
            url, json={"title": "Second"}, headers={**bearer(token), "If-Match": '"1"'}
        )
        assert response.status_code == 412
        assert response.json()["current_version"] == 2
        assert client.get(url, headers=bearer(token)).json()["title"] == "First"

    def test_missing_if_match_is_428(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token)
        response = client.patch(
            f"/v1/entries/{entry['id']}", json={"title": "x"}, headers=bearer(token)
        )
        assert response.status_code == 428


class TestPublishAndRevisions:
    def test_published_public_entry_is_readable_anonymously(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token)
        assert client.get(f"/v1/entries/{entry['id']}").status_code == 404
        publish(client, token, entry["id"])
        response = client.get(f"/v1/entries/{entry['id']}")
        assert response.status_code == 200
        assert response.json()["status"] == "published"

    def test_edit_of_published_entry_waits_for_publication(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = publish(client, token, create_entry(client, token)["id"])
        url = f"/v1/entries/{entry['id']}"
        edited = client.patch(
            url,
            json={"title": "Revised title"},
            headers={**bearer(token), "If-Match": f'"{entry["version"]}"'},
        ).json()
        assert edited["title"] == entry["title"]
        assert edited["pending_revision"] == 2
        assert client.get(url).json()["title"] == entry["title"]
        publish(client, token, entry["id"])
        assert client.get(url).json()["title"] == "Revised title"
        anonymous_revisions = client.get(f"{url}/revisions").json()["items"]
        assert [r["number"] for r in anonymous_revisions] == [1, 2]


class TestDirectoryAndAttachmentMetadata:
    def test_organizations_directory(self, app: FastAPI, client: TestClient) -> None:
        member_token(app, "ngo-a", "reader")
        listing = client.get("/v1/organizations").json()
        assert listing == [{"slug": "ngo-a", "name": "Ngo-A", "country": "KE"}]
        assert client.get("/v1/organizations/ngo-a").json()["slug"] == "ngo-a"
        assert client.get("/v1/organizations/nobody").status_code == 404

    def test_attachment_listing_and_metadata(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token)
        uploaded = client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": ("notes.md", b"# Notes", "text/markdown")},
            headers=bearer(token),
        ).json()
        base = f"/v1/entries/{entry['id']}/attachments"
        assert [a["id"] for a in client.get(base, headers=bearer(token)).json()] == [uploaded["id"]]
        meta = client.get(f"{base}/{uploaded['id']}", headers=bearer(token)).json()
        assert meta["filename"] == "notes.md"
        assert meta["media_type"] == "text/markdown"
        read = client.get(f"/v1/entries/{entry['id']}", headers=bearer(token)).json()
        assert [a["id"] for a in read["attachments"]] == [uploaded["id"]]

    def test_list_filters_by_kind_organization_and_status(
        self, app: FastAPI, client: TestClient
    ) -> None:
        a = member_token(app, "ngo-a", "publisher")
        b = member_token(app, "ngo-b", "publisher", person="bob")
        publish(client, a, create_entry(client, a, kind="evaluation")["id"])
        create_entry(client, a, kind="lessons_learned")
        publish(client, b, create_entry(client, b, kind="lessons_learned")["id"])
        listing = client.get(
            "/v1/entries", params={"kind": "lessons_learned"}, headers=bearer(a)
        ).json()
        assert listing["total"] == 2
        own_drafts = client.get("/v1/entries", params={"status": "draft"}, headers=bearer(a)).json()
        assert own_drafts["total"] == 1
        by_org = client.get("/v1/entries", params={"organization": "ngo-b"}).json()
        assert by_org["total"] == 1
        paged = client.get("/v1/entries", params={"per_page": 1, "page": 2}, headers=bearer(a))
        assert paged.json()["total"] == 3
        assert len(paged.json()["items"]) == 1

    def test_markdown_is_sanitised_on_render_and_stored_as_written(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        body = "Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**"
        entry = create_entry(client, token, body=body)
        assert entry["body"] == body
        assert "<script>" not in entry["body_html"]
        assert 'href="javascript' not in entry["body_html"]
        assert "<strong>bold</strong>" in entry["body_html"]

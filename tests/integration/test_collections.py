"""Collections: curated, ordered lists whose items are filtered per caller by the
visibility rule (an entry made private or retracted drops out of others' view)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.models import AuditEvent
from tests.factories import (
    bearer,
    create_entry,
    curator_token,
    member_token,
    published_entry,
)


@pytest.fixture
def curator(app: FastAPI) -> str:
    return curator_token(app)


@pytest.fixture
def owner(app: FastAPI) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def outsider(app: FastAPI) -> str:
    return member_token(app, "ngo-b", "reader")


def make_collection(
    client: TestClient, token: str, slug: str = "getting-started", **fields: Any
) -> dict[str, Any]:
    body = {"slug": slug, "title": "Getting started with prison-based programmes", **fields}
    response = client.post("/v1/collections", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def put_items(client: TestClient, token: str, slug: str, items: list[dict[str, Any]]) -> Any:
    return client.put(f"/v1/collections/{slug}/items", json={"items": items}, headers=bearer(token))


def item_ids(body: dict[str, Any]) -> list[str]:
    return [item["entry"]["id"] for item in body["items"]]


class TestManageCollections:
    def test_curator_creates_updates_and_deletes_with_audit(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        created = make_collection(client, curator, description="Start here.")
        assert created["visibility"] == "public"
        assert created["items"] == []
        assert created["item_count"] == 0
        patched = client.patch(
            "/v1/collections/getting-started",
            json={"title": "Prison-based programmes", "visibility": "network"},
            headers=bearer(curator),
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["title"] == "Prison-based programmes"
        assert patched.json()["visibility"] == "network"
        deleted = client.delete("/v1/collections/getting-started", headers=bearer(curator))
        assert deleted.status_code == 204
        assert (
            client.get("/v1/collections/getting-started", headers=bearer(curator)).status_code
            == 404
        )
        with app.state.session_factory() as session:
            actions = list(
                session.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.subject_type == "collection")
                    .order_by(AuditEvent.id)
                )
            )
        assert actions == ["collection.created", "collection.updated", "collection.deleted"]

    def test_non_curator_may_not_create_or_change(
        self, client: TestClient, curator: str, owner: str
    ) -> None:
        response = client.post(
            "/v1/collections", json={"slug": "mine", "title": "Mine"}, headers=bearer(owner)
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        make_collection(client, curator)
        assert put_items(client, owner, "getting-started", []).status_code == 403
        patch = client.patch(
            "/v1/collections/getting-started", json={"title": "x"}, headers=bearer(owner)
        )
        assert patch.status_code == 403
        assert (
            client.delete("/v1/collections/getting-started", headers=bearer(owner)).status_code
            == 403
        )

    def test_anonymous_gets_401(self, client: TestClient) -> None:
        response = client.post("/v1/collections", json={"slug": "x", "title": "X"})
        assert response.status_code == 401

    def test_duplicate_slug_is_409_and_bad_slug_422(self, client: TestClient, curator: str) -> None:
        make_collection(client, curator)
        again = client.post(
            "/v1/collections",
            json={"slug": "getting-started", "title": "Again"},
            headers=bearer(curator),
        )
        assert again.status_code == 409
        bad = client.post(
            "/v1/collections", json={"slug": "Not A Slug", "title": "X"}, headers=bearer(curator)
        )
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "slug"


class TestSetItems:
    def test_items_keep_the_curated_order_and_notes(
        self, client: TestClient, curator: str, owner: str
    ) -> None:
        first = published_entry(client, owner, title="First")
        second = published_entry(client, owner, title="Second")
        make_collection(client, curator)
        response = put_items(
            client,
            curator,
            "getting-started",
            [{"entry_id": second["id"], "note": "Read this first"}, {"entry_id": first["id"]}],
        )
        assert response.status_code == 200, response.text
        body = client.get("/v1/collections/getting-started").json()
        assert item_ids(body) == [second["id"], first["id"]]
        assert [i["position"] for i in body["items"]] == [1, 2]
        assert body["items"][0]["note"] == "Read this first"
        assert body["item_count"] == 2
        # A second PUT replaces the list.
        put_items(client, curator, "getting-started", [{"entry_id": first["id"]}])
        assert item_ids(client.get("/v1/collections/getting-started").json()) == [first["id"]]

    def test_entry_the_curator_cannot_see_is_422_like_a_missing_one(
        self, app: FastAPI, client: TestClient, curator: str, owner: str
    ) -> None:
        private = published_entry(client, owner, title="Private one", visibility="private")
        public = published_entry(client, owner, title="Public one")
        make_collection(client, curator)
        response = put_items(
            client,
            curator,
            "getting-started",
            [{"entry_id": public["id"]}, {"entry_id": private["id"]}, {"entry_id": "nosuchentry"}],
        )
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["items[1].entry_id", "items[2].entry_id"]
        # Invisible and non-existent get the same message: existence does not leak.
        assert errors[0]["message"] == errors[1]["message"]
        assert item_ids(client.get("/v1/collections/getting-started").json()) == []

    def test_only_published_entries_can_be_added(self, app: FastAPI, client: TestClient) -> None:
        # A curator who is also a publisher can see their own organization's draft.
        curating_publisher = member_token(app, "ngo-c", "curator", "publisher")
        draft = create_entry(client, curating_publisher, title="Unfinished")
        make_collection(client, curating_publisher)
        response = put_items(
            client, curating_publisher, "getting-started", [{"entry_id": draft["id"]}]
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "items[0].entry_id"
        assert "published" in response.json()["errors"][0]["message"]

    def test_same_entry_twice_is_422(self, client: TestClient, curator: str, owner: str) -> None:
        entry = published_entry(client, owner)
        make_collection(client, curator)
        response = put_items(
            client,
            curator,
            "getting-started",
            [{"entry_id": entry["id"]}, {"entry_id": entry["id"]}],
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "items[1].entry_id"

    def test_setting_items_is_audited(
        self, app: FastAPI, client: TestClient, curator: str, owner: str
    ) -> None:
        entry = published_entry(client, owner)
        make_collection(client, curator)
        put_items(client, curator, "getting-started", [{"entry_id": entry["id"]}])
        with app.state.session_factory() as session:
            event = session.scalar(
                select(AuditEvent).where(AuditEvent.action == "collection.items_set")
            )
        assert event is not None
        assert event.subject_id == "getting-started"
        assert event.details["added"] == [entry["id"]]

    def test_unknown_collection_is_404(self, client: TestClient, curator: str) -> None:
        assert put_items(client, curator, "nothing-here", []).status_code == 404


class TestReadingCollections:
    def test_network_collection_is_404_to_anonymous_and_listed_for_members(
        self, client: TestClient, curator: str, outsider: str
    ) -> None:
        make_collection(client, curator, slug="open", title="Open")
        make_collection(client, curator, slug="members-only", title="Members", visibility="network")
        assert client.get("/v1/collections/members-only").status_code == 404
        assert (
            client.get("/v1/collections/members-only", headers=bearer(outsider)).status_code == 200
        )
        anonymous = [c["slug"] for c in client.get("/v1/collections").json()["items"]]
        member = [
            c["slug"]
            for c in client.get("/v1/collections", headers=bearer(outsider)).json()["items"]
        ]
        assert anonymous == ["open"]
        assert sorted(member) == ["members-only", "open"]

    def test_entry_made_private_disappears_for_others_but_not_for_its_owner(
        self, client: TestClient, curator: str, owner: str, outsider: str
    ) -> None:
        kept = published_entry(client, owner, title="Stays public")
        hidden = published_entry(client, owner, title="Will become private")
        also = published_entry(client, owner, title="Also public")
        make_collection(client, curator)
        put_items(
            client,
            curator,
            "getting-started",
            [{"entry_id": kept["id"]}, {"entry_id": hidden["id"]}, {"entry_id": also["id"]}],
        )
        current = client.get(f"/v1/entries/{hidden['id']}", headers=bearer(owner))
        changed = client.patch(
            f"/v1/entries/{hidden['id']}",
            json={"visibility": "private"},
            headers={**bearer(owner), "If-Match": current.headers["etag"]},
        )
        assert changed.status_code == 200, changed.text

        for token in (None, outsider, curator):
            body = client.get("/v1/collections/getting-started", headers=bearer(token)).json()
            assert item_ids(body) == [kept["id"], also["id"]]
            # No placeholder, no gap in positions, counts only what is visible.
            assert [i["position"] for i in body["items"]] == [1, 2]
            assert body["item_count"] == 2
            assert hidden["id"] not in str(body)
            listed = client.get("/v1/collections", headers=bearer(token)).json()["items"]
            assert listed[0]["item_count"] == 2

        mine = client.get("/v1/collections/getting-started", headers=bearer(owner)).json()
        assert item_ids(mine) == [kept["id"], hidden["id"], also["id"]]
        assert mine["item_count"] == 3

    def test_retracted_entry_disappears_for_readers(
        self, client: TestClient, curator: str, owner: str, outsider: str
    ) -> None:
        entry = published_entry(client, owner, title="To be retracted")
        make_collection(client, curator)
        put_items(client, curator, "getting-started", [{"entry_id": entry["id"]}])
        retracted = client.post(
            f"/v1/entries/{entry['id']}/retract",
            json={"reason": "factual_error"},
            headers=bearer(curator),
        )
        assert retracted.status_code == 200, retracted.text
        for token in (None, outsider):
            body = client.get("/v1/collections/getting-started", headers=bearer(token)).json()
            assert body["items"] == []
            assert body["item_count"] == 0

"""Who read an organization's non-public entries: shown to its admins and
publishers, readers of other organizations by organization only (README "Safety")."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, create_entry, make_org, member_token


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


def partners_entry(client: TestClient, owner: str) -> str:
    make_org(client.app, "ngo-b")  # type: ignore[arg-type]
    entry = create_entry(client, owner, visibility="partners", shared_with=["ngo-b"])
    client.post(f"/v1/entries/{entry['id']}/publish", headers=bearer(owner))
    return str(entry["id"])


class TestReadLog:
    def test_owner_sees_other_organizations_by_name_only_and_own_people_by_name(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        outsider = member_token(app, "ngo-b", "reader", person="bo")
        colleague = member_token(app, "ngo-a", "reader", person="carla")
        entry_id = partners_entry(client, owner)
        upload = client.post(
            f"/v1/entries/{entry_id}/attachments",
            files={"file": ("notes.txt", b"field notes", "text/plain")},
            headers=bearer(owner),
        ).json()
        for token in (outsider, colleague):
            assert client.get(f"/v1/entries/{entry_id}", headers=bearer(token)).status_code == 200
        client.get(upload["href"], headers=bearer(outsider))
        admin = member_token(app, "ngo-a", "admin", person="ada")
        for token, url in ((owner, f"/v1/entries/{entry_id}/reads"),
                           (admin, "/v1/organizations/ngo-a/reads")):  # fmt: skip
            response = client.get(url, headers=bearer(token))
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            outside = [i for i in items if i["reader_organization"]["slug"] == "ngo-b"]
            inside = [i for i in items if i["reader_organization"]["slug"] == "ngo-a"]
            assert {i["attachment_id"] for i in outside} == {None, upload["id"]}
            assert all(i["reader"] is None for i in outside)
            assert "bo of ngo-b" not in response.text
            assert {i["reader"]["display_name"] for i in inside} == {"carla of ngo-a"}

    def test_public_reads_are_not_logged(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, visibility="private")
        client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner))
        reads = client.get(f"/v1/entries/{entry['id']}/reads", headers=bearer(owner)).json()
        assert reads["total"] == 1  # the owner's own read of a private draft

    def test_only_the_owners_admins_and_publishers_may_look(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        entry_id = partners_entry(client, owner)
        partner = member_token(app, "ngo-b", "admin", person="pa")
        own_reader = member_token(app, "ngo-a", "reader", person="re")
        assert client.get(f"/v1/entries/{entry_id}/reads",
                          headers=bearer(partner)).status_code == 403  # fmt: skip
        assert client.get(f"/v1/entries/{entry_id}/reads",
                          headers=bearer(own_reader)).status_code == 403  # fmt: skip
        assert client.get("/v1/organizations/ngo-a/reads",
                          headers=bearer(partner)).status_code == 403  # fmt: skip
        assert client.get("/v1/organizations/ngo-a/reads").status_code == 401

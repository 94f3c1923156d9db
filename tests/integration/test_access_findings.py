"""What an attacker found escaping the one rule — revisions, fields and actions —
each as a scenario through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import (
    bearer,
    client_token,
    create_entry,
    curator_token,
    entry_payload,
    make_org,
    member_token,
    patch_entry,
    publish,
)
from tests.loopback import serve


def post(client: TestClient, token: str | None, url: str, **body: Any) -> Any:
    return client.post(url, json=body or None, headers=bearer(token))


class TestHistory:
    def test_a_private_revision_stays_private_after_widening(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, owner, visibility="private", body="SECRET body")
        publish(client, owner, entry["id"])
        patch_entry(client, owner, entry["id"], visibility="public", body="Open body")
        publish(client, owner, entry["id"])  # submit + a curator approves
        url = f"/v1/entries/{entry['id']}"
        assert client.get(url).json()["body"] == "Open body"
        assert client.get(f"{url}/revisions/1").status_code == 404
        assert client.get(f"{url}/revisions/2").status_code == 200
        assert [r["number"] for r in client.get(f"{url}/revisions").json()["items"]] == [2]
        assert client.get(f"{url}/diff", params={"from": 1, "to": 2}).status_code == 404
        member = member_token(app, "ngo-b", "reader", person="bob")
        assert client.get(f"{url}/revisions/1", headers=bearer(member)).status_code == 404
        assert "SECRET" not in client.get(f"{url}/revisions", headers=bearer(member)).text
        assert client.get(f"{url}/revisions/1", headers=bearer(owner)).status_code == 200

    def test_partners_never_learn_of_each_other(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        for slug in ("ngo-b", "ngo-c"):
            make_org(app, slug)
        entry = create_entry(client, owner, visibility="partners", shared_with=["ngo-b", "ngo-c"])
        publish(client, owner, entry["id"])
        patch_entry(client, owner, entry["id"], shared_with=["ngo-c"], summary="Second")
        publish(client, owner, entry["id"])
        url = f"/v1/entries/{entry['id']}"
        partner = member_token(app, "ngo-c", "reader", person="cy")
        for path in (url, f"{url}/revisions", f"{url}/revisions/1", f"{url}/revisions/2"):
            response = client.get(path, headers=bearer(partner))
            assert response.status_code == 200, path
            assert "ngo-b" not in response.text, path
        revision = client.get(f"{url}/revisions/2", headers=bearer(partner)).json()
        assert "shared_with" not in revision["content"]
        assert client.get(url, headers=bearer(partner)).json()["shared_with"] is None
        diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=bearer(partner))
        assert diff.status_code == 200
        assert "shared_with" not in diff.json()["changes"]
        owner_diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=bearer(owner))
        assert owner_diff.json()["changes"]["shared_with"]["from"] == ["ngo-b", "ngo-c"]
        dropped = member_token(app, "ngo-b", "reader", person="bo")
        assert client.get(f"{url}/revisions/1", headers=bearer(dropped)).status_code == 404

    def test_a_later_partner_cannot_read_what_came_before_it(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        for slug in ("ngo-b", "ngo-c"):
            make_org(app, slug)
        entry = create_entry(client, owner, visibility="partners", shared_with=["ngo-b"],
                             body="Told to ngo-b only")  # fmt: skip
        publish(client, owner, entry["id"])
        patch_entry(client, owner, entry["id"], shared_with=["ngo-c"], body="For ngo-c")
        publish(client, owner, entry["id"])
        url = f"/v1/entries/{entry['id']}"
        newcomer = member_token(app, "ngo-c", "reader", person="cy")
        assert client.get(url, headers=bearer(newcomer)).json()["body"] == "For ngo-c"
        assert client.get(f"{url}/revisions/1", headers=bearer(newcomer)).status_code == 404
        listed = client.get(f"{url}/revisions", headers=bearer(newcomer)).json()["items"]
        assert [r["number"] for r in listed] == [2]
        diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=bearer(newcomer))
        assert diff.status_code == 404


class TestReview:
    def test_the_reviewer_of_a_widening_sees_the_revision_under_review_only(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        curator = curator_token(app)
        entry = create_entry(client, owner, visibility="private", title="Live private title",
                             summary="Live private summary")  # fmt: skip
        publish(client, owner, entry["id"])
        patch_entry(client, owner, entry["id"], visibility="public", title="Asked public title",
              summary="Asked public summary")  # fmt: skip
        url = f"/v1/entries/{entry['id']}"
        assert post(client, owner, f"{url}/submit").status_code == 200
        seen = client.get(url, headers=bearer(curator))
        assert seen.status_code == 200
        assert seen.json()["title"] == "Asked public title"
        assert seen.json()["requested_visibility"] == "public"
        queue = client.get("/v1/review/queue", headers=bearer(curator)).text
        listing = client.get("/v1/entries", headers=bearer(curator)).text
        revisions = client.get(f"{url}/revisions", headers=bearer(curator)).json()["items"]
        assert [r["number"] for r in revisions] == [2]
        for text in (seen.text, queue, listing, str(revisions)):
            assert "Live private" not in text
        assert client.get(f"{url}/revisions/1", headers=bearer(curator)).status_code == 404
        found = client.get("/v1/search", params={"q": "private"}, headers=bearer(curator))
        assert entry["id"] not in found.text

    def test_nobody_approves_their_own_organization(self, app: FastAPI, client: TestClient) -> None:
        own_curator = member_token(app, "ngo-a", "publisher", "curator", person="both")
        entry = create_entry(client, own_curator)
        url = f"/v1/entries/{entry['id']}"
        assert post(client, own_curator, f"{url}/submit").status_code == 200
        assert post(client, own_curator, f"{url}/approve").status_code == 403
        queue = client.get("/v1/review/queue", headers=bearer(own_curator)).json()
        assert entry["id"] not in {item["id"] for item in queue["items"]}
        assert post(client, curator_token(app), f"{url}/approve").status_code == 200


class TestRestore:
    def test_restore_brings_back_the_last_approved_version_only(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        curator = curator_token(app)
        entry = create_entry(client, owner, visibility="network", body="Approved body")
        publish(client, owner, entry["id"])
        patch_entry(client, owner, entry["id"], visibility="public", body="Unreviewed body")
        url = f"/v1/entries/{entry['id']}"
        assert post(client, owner, f"{url}/retract", reason="owner_request").status_code == 200
        restored = post(client, curator, f"{url}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["status"] == "published"
        assert client.get(url).status_code == 404  # network, not public
        reader = member_token(app, "ngo-b", "reader", person="bob")
        live = client.get(url, headers=bearer(reader)).json()
        assert (live["visibility"], live["body"]) == ("network", "Approved body")
        assert post(client, curator, f"{url}/approve").status_code == 409  # nothing submitted
        mine = client.get(url, headers=bearer(owner)).json()
        assert mine["pending_revision"] is not None


class TestRoleGrants:
    def test_a_curator_cannot_make_itself_node_admin(
        self, app: FastAPI, client: TestClient
    ) -> None:
        curator = curator_token(app)
        make_org(app, "operators")
        me = client.get("/v1/me", headers=bearer(curator)).json()
        others = client.get("/v1/organizations/operators/members", headers=bearer(curator))
        assert others.status_code == 403  # only within one's own organization
        assert me["roles"] == ["curator"]
        grant = client.put(
            "/v1/organizations/operators/members/1/roles/admin", headers=bearer(curator)
        )
        assert grant.status_code == 403
        assert client.get("/v1/clients", headers=bearer(curator)).status_code == 403

    def test_a_curation_client_cannot_grant_admin(self, app: FastAPI, client: TestClient) -> None:
        make_org(app, "operators")
        token = client_token(app, client, "coordination", ["curation"])
        member_token(app, "ngo-a", "reader", person="target")
        for org in ("operators", "ngo-a", "coordination"):
            response = client.put(
                f"/v1/organizations/{org}/members/1/roles/admin", headers=bearer(token)
            )
            assert response.status_code == 403, (org, response.text)

    def test_an_org_admin_grants_within_its_organization_only(
        self, app: FastAPI, client: TestClient
    ) -> None:
        admin = member_token(app, "ngo-a", "admin", person="ada")
        member_token(app, "ngo-a", "reader", person="rhea")
        member_token(app, "ngo-b", "reader", person="bob")
        members = client.get("/v1/organizations/ngo-a/members", headers=bearer(admin)).json()
        rhea = next(m for m in members if m["display_name"].startswith("rhea"))
        url = f"/v1/organizations/ngo-a/members/{rhea['account_id']}/roles"
        assert client.put(f"{url}/publisher", headers=bearer(admin)).status_code == 204
        assert client.put(f"{url}/curator", headers=bearer(admin)).status_code == 403
        assert client.put(f"{url}/admin", headers=bearer(admin)).status_code == 204
        other = client.put("/v1/organizations/ngo-b/members/1/roles/reader", headers=bearer(admin))
        assert other.status_code == 403


class TestEventsFollowScopesAndVisibility:
    def test_a_client_without_entries_read_sees_public_events_only(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        draft = create_entry(client, owner, visibility="private", title="Private draft title")
        publish(client, owner, draft["id"])
        public = create_entry(client, owner, title="Public programme")
        publish(client, owner, public["id"])
        bare = client_token(app, client, "ngo-a", [])
        events = client.get("/v1/events", headers=bearer(bare))
        assert events.status_code == 200
        assert "Private draft title" not in events.text
        assert {e["entry_id"] for e in events.json()["items"]} == {public["id"]}
        reading = client_token(app, client, "ngo-a", ["entries:read"])
        both = client.get("/v1/events", headers=bearer(reading)).json()["items"]
        assert {e["entry_id"] for e in both} == {public["id"], draft["id"]}


class TestErrorsAreNeverServerErrors:
    def test_integers_beyond_the_column_range(self, app: FastAPI, client: TestClient) -> None:
        owner = member_token(app, "ngo-a", "admin", "publisher")
        entry = publish(client, owner, create_entry(client, owner)["id"])
        url = f"/v1/entries/{entry['id']}"
        huge = 2**63
        for path, params in (
            (f"{url}/revisions/{2**31}", {}),
            (f"{url}/revisions/{huge}", {}),
            (f"{url}/diff", {"from": 1, "to": 2**31}),
            (f"{url}/diff", {"from": huge, "to": 1}),
            ("/v1/events", {"after": huge}),
            (f"/v1/organizations/ngo-a/members/{2**31}/roles/reader", {}),
        ):
            method = client.put if "/roles/" in path else client.get
            response = method(path, params=params, headers=bearer(owner))
            assert response.status_code == 422, (path, params, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"


class TestConcurrentEdits:
    def test_twenty_stale_patches_one_wins_the_rest_get_412(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, owner)
        etag = client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).headers["etag"]
        barrier = threading.Barrier(20)

        def edit(n: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as http:
                barrier.wait()
                response = http.patch(
                    f"/v1/entries/{entry['id']}",
                    json={"summary": f"Edit number {n}"},
                    headers={**bearer(owner), "If-Match": etag},
                )
                return response.status_code

        with serve(app) as base, ThreadPoolExecutor(max_workers=20) as pool:
            codes = sorted(pool.map(edit, range(20)))
        assert codes.count(200) == 1, codes
        assert codes.count(412) == 19, codes
        final = client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()
        assert final["version"] == entry["version"] + 1

    def test_nul_characters_are_refused_naming_where(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        listed = client.get("/v1/entries", params={"kind": "evalu\x00ation"})
        assert listed.status_code == 422
        assert listed.json()["errors"][0]["field"] == "query"
        created = client.post(
            "/v1/entries", json={**entry_payload(), "title": "A\x00B"}, headers=bearer(owner)
        )
        assert created.status_code == 422
        assert "title" in created.text
        assert client.get("/v1/entries", headers=bearer(owner)).json()["total"] == 0

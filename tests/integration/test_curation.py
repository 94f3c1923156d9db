"""The curation workflow: each transition as each role, the review gate, the queue,
widening and narrowing, retraction, review threads, events, tags and featuring."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, create_entry, curator_token, member_token, publish


def post(client: TestClient, url: str, token: str | None, **body: Any) -> Any:
    return client.post(url, json=body or None, headers=bearer(token))


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def curator(app: FastAPI, client: TestClient) -> str:
    return curator_token(app)


class TestReviewGate:
    def test_public_entry_goes_through_submit_and_approve(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner, visibility="public")
        direct = post(client, f"/v1/entries/{entry['id']}/publish", owner)
        assert direct.status_code == 409
        assert direct.json()["allowed"] == ["submit"]
        submitted = post(client, f"/v1/entries/{entry['id']}/submit", owner)
        assert submitted.json()["status"] == "submitted"
        assert client.get(f"/v1/entries/{entry['id']}").status_code == 404
        approved = post(client, f"/v1/entries/{entry['id']}/approve", curator, comment="Thanks")
        assert approved.status_code == 200
        assert client.get(f"/v1/entries/{entry['id']}").json()["status"] == "published"

    @pytest.mark.parametrize("visibility", ["partners", "private"])
    def test_partners_and_private_are_published_by_the_owner(
        self, app: FastAPI, client: TestClient, owner: str, curator: str, visibility: str
    ) -> None:
        member_token(app, "ngo-b", "reader", person="bo")
        entry = create_entry(client, owner, visibility=visibility, shared_with=["ngo-b"])
        published = post(client, f"/v1/entries/{entry['id']}/publish", owner)
        assert published.json()["status"] == "published"
        # a curator of another organization cannot even see it
        assert post(client, f"/v1/entries/{entry['id']}/retract", curator,
                    reason="other").status_code == 404  # fmt: skip

    def test_request_changes_then_resubmit_then_approve(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner, visibility="network")
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/submit", owner)
        changes = post(client, f"{url}/request-changes", curator, comment="Add the cohort size")
        assert changes.json()["status"] == "changes_requested"
        edited = client.patch(
            url,
            json={"indicators": [{"code": "participants_enrolled", "value": 40}]},
            headers={**bearer(owner), "If-Match": f'"{changes.json()["version"]}"'},
        )
        assert edited.status_code == 200, edited.text
        assert post(client, f"{url}/submit", owner).json()["status"] == "submitted"
        assert post(client, f"{url}/approve", curator).json()["status"] == "published"

    def test_rejected_entry_cannot_be_edited_but_can_be_deleted(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner)
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/submit", owner)
        assert post(client, f"{url}/reject", curator, comment="Out of scope").status_code == 200
        edit = client.patch(url, json={"title": "x"},
                            headers={**bearer(owner), "If-Match": '"3"'})  # fmt: skip
        assert edit.status_code == 409
        assert client.delete(url, headers=bearer(owner)).status_code == 204


class TestRolesAndStates:
    def test_wrong_transition_is_409_listing_the_allowed_ones(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner)
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/submit", owner)
        again = post(client, f"{url}/submit", owner)
        assert again.status_code == 409
        assert again.json()["allowed"] == []
        by_curator = post(client, f"{url}/restore", curator)
        assert by_curator.status_code == 409
        assert by_curator.json()["allowed"] == ["approve", "request_changes", "reject"]

    def test_owner_cannot_approve_their_own_submission(
        self, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(client, owner)
        post(client, f"/v1/entries/{entry['id']}/submit", owner)
        response = post(client, f"/v1/entries/{entry['id']}/approve", owner)
        assert response.status_code == 403  # never the owner's step, in any state

    def test_reader_of_the_owner_org_may_not_submit(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        reader = member_token(app, "ngo-a", "reader", person="rita")
        entry = create_entry(client, owner)
        assert post(client, f"/v1/entries/{entry['id']}/submit", reader).status_code == 403

    def test_other_orgs_publisher_gets_404_for_a_draft(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        other = member_token(app, "ngo-b", "publisher", person="bo")
        entry = create_entry(client, owner)
        assert post(client, f"/v1/entries/{entry['id']}/submit", other).status_code == 404

    def test_every_transition_is_recorded(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner)
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/submit", owner, comment="Ready")
        post(client, f"{url}/approve", curator)
        transitions = client.get(f"{url}/transitions", headers=bearer(owner)).json()
        assert [(t["action"], t["from_status"], t["to_status"]) for t in transitions] == [
            ("submit", "draft", "submitted"),
            ("approve", "submitted", "published"),
        ]
        assert transitions[0]["comment"] == "Ready"
        node_admin = member_token(app, "coordination", "curator", person="curator")
        events = client.get("/v1/audit-events", params={"entry_id": entry["id"]},
                            headers=bearer(node_admin)).json()["items"]  # fmt: skip
        actions = {e["action"] for e in events}
        assert {"entry.submitted", "entry.approved"} <= actions


class TestQueue:
    def test_queue_is_oldest_first_and_never_shows_partners_or_private(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        other = member_token(app, "ngo-b", "publisher", person="bo")
        first = create_entry(client, owner, title="First submission")
        second = create_entry(client, other, title="Second submission", kind="lessons_learned")
        hidden = create_entry(client, owner, visibility="private", title="Private draft")
        for token, entry in ((owner, first), (other, second)):
            post(client, f"/v1/entries/{entry['id']}/submit", token)
        post(client, f"/v1/entries/{hidden['id']}/submit", owner)  # publishes directly
        queue = client.get("/v1/review/queue", headers=bearer(curator)).json()
        assert [i["id"] for i in queue["items"]] == [first["id"], second["id"]]
        assert queue["counts"] == {"submitted": 2, "changes_requested": 0}
        by_kind = client.get("/v1/review/queue", params={"kind": "lessons_learned"},
                             headers=bearer(curator)).json()  # fmt: skip
        assert [i["id"] for i in by_kind["items"]] == [second["id"]]
        by_region = client.get("/v1/review/queue", params={"region": "002"},
                               headers=bearer(curator)).json()  # fmt: skip
        assert by_region["total"] == 2
        assert client.get("/v1/review/queue", headers=bearer(owner)).status_code == 403

    def test_queue_reports_possible_duplicates(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        published = publish(
            client, owner, create_entry(client, owner, title="Exit programme review")["id"]
        )
        twin = create_entry(client, owner, title="Exit programme review.")
        post(client, f"/v1/entries/{twin['id']}/submit", owner)
        queue = client.get("/v1/review/queue", headers=bearer(curator)).json()
        [item] = queue["items"]
        assert published["id"] in {d["entry_id"] for d in item["possible_duplicates"]}


class TestVisibilityChanges:
    def test_widening_a_published_entry_reenters_review(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        url = f"/v1/entries/{entry['id']}"
        match = {**bearer(owner), "If-Match": f'"{entry["version"]}"'}
        widened = client.patch(url, json={"visibility": "public"}, headers=match)
        assert widened.json()["visibility"] == "private"
        assert widened.json()["pending_revision"] is not None
        assert client.get(url).status_code == 404
        submitted = post(client, f"{url}/submit", owner)
        assert submitted.json()["review_status"] == "submitted"
        assert client.get(url).status_code == 404
        assert post(client, f"{url}/approve", curator).status_code == 200
        assert client.get(url).json()["visibility"] == "public"

    def test_narrowing_takes_effect_at_once_everywhere(
        self, client: TestClient, owner: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        url = f"/v1/entries/{entry['id']}"
        assert client.get("/v1/search", params={"q": "reintegration"}).json()["total"] == 1
        match = {**bearer(owner), "If-Match": f'"{entry["version"]}"'}
        narrowed = client.patch(url, json={"visibility": "private"}, headers=match)
        assert narrowed.json()["visibility"] == "private"
        assert client.get(url).status_code == 404
        assert client.get("/v1/search", params={"q": "reintegration"}).json()["total"] == 0

    def test_edit_of_published_entry_is_reviewed_and_diffable(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        url = f"/v1/entries/{entry['id']}"
        client.patch(url, json={"title": "Revised evaluation"},
                     headers={**bearer(owner), "If-Match": f'"{entry["version"]}"'})  # fmt: skip
        post(client, f"{url}/submit", owner)
        assert client.get(url).json()["title"] == entry["title"]
        diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=bearer(curator))
        assert diff.json()["changes"] == {
            "title": {"from": entry["title"], "to": "Revised evaluation"}
        }
        assert client.get(f"{url}/diff", params={"from": 1, "to": 2}).status_code == 404
        post(client, f"{url}/approve", curator)
        assert client.get(url).json()["title"] == "Revised evaluation"
        revisions = client.get(f"{url}/revisions").json()["items"]
        assert [r["number"] for r in revisions] == [1, 2]


class TestRetraction:
    def test_retracted_entry_is_gone_for_readers_but_kept_for_owner_and_curators(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        url = f"/v1/entries/{entry['id']}"
        href = client.post(
            f"{url}/attachments", files={"file": ("n.txt", b"zyxwords", "text/plain")},
            headers=bearer(owner),
        ).json()["href"]  # fmt: skip
        reader = member_token(app, "ngo-b", "reader", person="bo")
        missing_reason = post(client, f"{url}/retract", curator)
        assert missing_reason.status_code == 422
        retracted = post(client, f"{url}/retract", curator, reason="factual_error",
                         comment="Figures wrong in annex")  # fmt: skip
        assert retracted.json()["status"] == "retracted"
        for token in (None, reader):
            assert client.get(url, headers=bearer(token)).status_code == 404
            assert client.get(href, headers=bearer(token)).status_code == 404
            assert client.get("/v1/search", params={"q": "reintegration"},
                              headers=bearer(token)).json()["total"] == 0  # fmt: skip
        tombstone = client.get(url, headers=bearer(owner)).json()
        assert tombstone["retraction_reason"] == "factual_error"
        assert tombstone["retracted_at"] is not None
        assert client.get(url, headers=bearer(curator)).status_code == 200
        assert client.get(href, headers=bearer(owner)).status_code == 200

    def test_curator_restores_the_last_approved_version(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner)["id"])
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/retract", owner, reason="owner_request")
        assert client.get(url).status_code == 404
        restored = post(client, f"{url}/restore", curator)
        assert restored.json()["status"] == "published"
        assert client.get(url).json()["title"] == entry["title"]


class TestThreadsEventsTags:
    def test_review_thread_and_events(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = create_entry(client, owner)
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/submit", owner)
        comment = post(client, f"{url}/comments", curator, body="Please add the sample size",
                       field="indicators")  # fmt: skip
        assert comment.status_code == 201
        bad_anchor = post(client, f"{url}/comments", curator, body="x", field="password")
        assert bad_anchor.status_code == 422
        post(client, f"{url}/comments", owner, body="Added.")
        thread = client.get(f"{url}/comments", headers=bearer(owner)).json()
        assert [(c["author_role"], c["field"]) for c in thread] == [
            ("curator", "indicators"),
            ("owner", None),
        ]
        post(client, f"{url}/approve", curator)
        assert client.get(f"{url}/comments").status_code == 401
        reader = member_token(app, "ngo-b", "reader", person="bo")
        assert client.get(f"{url}/comments", headers=bearer(reader)).status_code == 403
        events = client.get("/v1/events", headers=bearer(owner)).json()
        kinds = [e["kind"] for e in events["items"]]
        assert kinds == ["submitted", "commented", "approved"]
        after = client.get("/v1/events", params={"after": events["next_after"]},
                           headers=bearer(owner)).json()  # fmt: skip
        assert after["items"] == []
        assert client.get("/v1/events", headers=bearer(reader)).json()["items"] == []

    def test_curator_tags_and_features(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner)["id"])
        url = f"/v1/entries/{entry['id']}"
        tagged = client.put(f"{url}/tags", json={"tags": ["Prison Based", "prison-based", "!"]},
                            headers=bearer(curator))  # fmt: skip
        assert tagged.json()["tags"] == ["prison-based"]
        assert client.put(f"{url}/featured", headers=bearer(curator)).json()["featured"] is True
        assert client.put(f"{url}/featured", headers=bearer(owner)).status_code == 403
        read = client.get(url).json()
        assert read["tags"] == ["prison-based"]
        assert read["featured"] is True

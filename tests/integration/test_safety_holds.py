"""The sensitive-data guard in the workflow: what it holds, who sees what of a
hold, explanations, release, return, withdrawal, attachments, small cells, the
hidden organization's name, and safety retractions (README "Safety")."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.models import AuditEvent, NotificationEvent, SafetyFinding
from tests.factories import bearer, create_entry, curator_token, member_token, patch_entry

PHONE = "+223 76 12 34 56"
FLAGGED = f"Mentors reached the returnee on {PHONE} every week."
CLEAN = "Mentors met the returnees every week."


def post(client: TestClient, url: str, token: str | None, **body: Any) -> Any:
    return client.post(url, json=body or None, headers=bearer(token))


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def curator(app: FastAPI, client: TestClient) -> str:
    return curator_token(app)


@pytest.fixture
def partner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-b", "reader", person="bo")


def findings(client: TestClient, entry_id: str, token: str | None) -> Any:
    return client.get(f"/v1/entries/{entry_id}/findings", headers=bearer(token))


def submitted(
    client: TestClient, owner: str, step: str = "submit", **fields: Any
) -> tuple[str, str]:
    """An entry of `owner` created with `fields` and taken through `step` (submit or
    publish): its id and URL."""
    entry = create_entry(client, owner, **fields)
    url = f"/v1/entries/{entry['id']}"
    response = post(client, f"{url}/{step}", owner)
    assert response.status_code == 200, response.text
    return str(entry["id"]), url


def queue(client: TestClient, token: str) -> list[dict[str, Any]]:
    response = client.get("/v1/review/safety-holds", headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestWhatIsHeld:
    def test_a_private_entry_is_never_held(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, visibility="private", body=FLAGGED)
        published = post(client, f"/v1/entries/{entry['id']}/publish", owner)
        assert published.json()["status"] == "published"

    @pytest.mark.parametrize("visibility", ["public", "network", "partners"])
    def test_a_submission_beyond_the_organization_with_an_identifier_is_held(
        self, client: TestClient, owner: str, partner: str, visibility: str
    ) -> None:
        entry = create_entry(
            client, owner, visibility=visibility, body=FLAGGED, shared_with=["ngo-b"]
        )
        held = post(client, f"/v1/entries/{entry['id']}/submit", owner)
        assert held.status_code == 200, held.text
        assert held.json()["status"] == "held"
        listed = findings(client, entry["id"], owner).json()
        assert listed["held"] is True
        [finding] = listed["items"]
        assert (finding["field"], finding["detector"], finding["status"]) == (
            "body", "phone", "open"
        )  # fmt: skip
        assert PHONE not in finding["snippet"]
        assert "[phone]" in finding["snippet"]
        assert FLAGGED[finding["start"] : finding["end"]] == PHONE
        assert client.get(f"/v1/entries/{entry['id']}", headers=bearer(partner)).status_code == 404

    def test_a_clean_submission_is_not_held(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, visibility="public", body=CLEAN)
        submitted = post(client, f"/v1/entries/{entry['id']}/submit", owner)
        assert submitted.json()["status"] == "submitted"
        assert findings(client, entry["id"], owner).json()["items"] == []

    def test_attachment_text_and_small_cells_are_findings_too(
        self, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(
            client, owner, visibility="network", body=CLEAN,
            indicators=[{"code": "participants_enrolled", "value": 4}],
        )  # fmt: skip
        upload = client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": ("list.txt", f"Contact: {PHONE}".encode(), "text/plain")},
            headers=bearer(owner),
        )
        assert upload.status_code == 201
        post(client, f"/v1/entries/{entry['id']}/submit", owner)
        got = {
            (f["field"], f["detector"])
            for f in findings(client, entry["id"], owner).json()["items"]
        }
        assert got == {
            (f"attachments[{upload.json()['id']}]", "phone"),
            ("indicators[0]", "small_cell"),
        }

    def test_the_hidden_organizations_own_name_is_a_finding(
        self, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(
            client, owner, visibility="public", organization_display="network",
            body="Ngo-A mentors met the returnees every week.",
        )  # fmt: skip
        assert post(client, f"/v1/entries/{entry['id']}/submit", owner).json()["status"] == "held"
        [finding] = findings(client, entry["id"], owner).json()["items"]
        assert finding["detector"] == "organization_name"
        assert "Ngo-A" not in finding["snippet"]

    def test_a_published_partners_entry_gets_no_flagged_document(
        self, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(client, owner, visibility="partners", body=CLEAN)
        post(client, f"/v1/entries/{entry['id']}/publish", owner)
        refused = client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": ("list.txt", f"Call {PHONE} for the returnee.".encode(), "text/plain")},
            headers=bearer(owner),
        )
        assert refused.status_code == 422
        assert PHONE not in refused.text
        assert refused.json()["errors"][0]["detector"] == "phone"


class TestPartnersHold:
    """A curator answers a partners hold knowing its kind, fields and detectors only."""

    def test_curator_sees_no_content_and_releases_it(
        self, app: FastAPI, client: TestClient, owner: str, curator: str, partner: str
    ) -> None:
        entry = create_entry(
            client, owner, visibility="partners", shared_with=["ngo-b"], body=FLAGGED,
            title="Mentoring in Gao",
        )  # fmt: skip
        url = f"/v1/entries/{entry['id']}"
        post(client, f"{url}/publish", owner)
        assert client.get(url, headers=bearer(curator)).status_code == 404
        [item] = queue(client, curator)
        assert item["entry_id"] == entry["id"]
        assert (item["kind"], item["asked_visibility"]) == ("evaluation", "partners")
        assert item["content_shown"] is False
        assert item["entry"] is None
        assert [
            (f["field"], f["detector"], f["snippet"], f["start"]) for f in item["findings"]
        ] == [("body", "phone", None, None)]
        listed = findings(client, entry["id"], curator)
        assert listed.status_code == 200
        for text in (listed.text, client.get("/v1/review/safety-holds",
                                             headers=bearer(curator)).text):  # fmt: skip
            for secret in ("Gao", "Mentoring", "returnee", "ngo-a", "Ngo-A", "ngo-b"):
                assert secret not in text
        assert client.get("/v1/review/queue", headers=bearer(curator)).json()["items"] == []

        released = post(client, f"{url}/release-hold", curator)
        assert released.status_code == 200, released.text
        assert released.json() == {"entry_id": entry["id"], "outcome": "released",
                                   "status": "published"}  # fmt: skip
        assert "Gao" not in released.text
        assert client.get(url, headers=bearer(partner)).json()["status"] == "published"
        assert client.get(url, headers=bearer(curator)).status_code == 404
        assert queue(client, curator) == []
        [finding] = findings(client, entry["id"], owner).json()["items"]
        assert (finding["status"], finding["resolution"]) == ("resolved", "released")

    def test_other_members_and_the_owners_own_curator_cannot_answer_it(
        self, app: FastAPI, client: TestClient, owner: str, partner: str
    ) -> None:
        entry = create_entry(client, owner, visibility="partners", body=FLAGGED)
        post(client, f"/v1/entries/{entry['id']}/publish", owner)
        own_curator = member_token(app, "ngo-a", "curator", person="own")
        for token in (partner, own_curator):
            response = post(client, f"/v1/entries/{entry['id']}/release-hold", token)
            assert response.status_code in (403, 404)
        assert queue(client, own_curator) == []

    def test_return_then_fix_then_publish(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, "publish", visibility="partners", body=FLAGGED)
        returned = post(client, f"{url}/return-hold", curator, comment="Remove the number")
        assert returned.json()["status"] == "changes_requested"
        patch_entry(client, owner, entry_id, body=CLEAN)
        assert post(client, f"{url}/publish", owner).json()["status"] == "published"
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            rows = session.scalars(select(SafetyFinding)).all()
            assert [(r.status, r.resolution) for r in rows] == [("resolved", "fixed")]
            messages = session.scalars(select(NotificationEvent.message)).all()
            assert any("Remove the number" in m for m in messages)


class TestReviewedHold:
    def test_curator_sees_the_masked_snippet_and_explanation_then_releases_to_review(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, visibility="public", body=FLAGGED)
        assert post(client, f"{url}/approve", curator).status_code == 409
        [item] = queue(client, curator)
        assert item["content_shown"] is True
        assert item["entry"]["id"] == entry_id
        [finding] = item["findings"]
        assert "[phone]" in finding["snippet"]

        repeated = post(client, f"{url}/findings/{finding['id']}/explain", owner,
                        explanation=f"It is {PHONE}, our hotline")  # fmt: skip
        assert repeated.status_code == 422
        assert PHONE not in repeated.text
        explained = post(client, f"{url}/findings/{finding['id']}/explain", owner,
                         explanation="The programme's public hotline")  # fmt: skip
        assert explained.json()["status"] == "explained"
        assert queue(client, curator)[0]["findings"][0]["explanation"] == (
            "The programme's public hotline"
        )
        assert post(client, f"{url}/findings/{finding['id']}/explain", curator,
                    explanation="Fine by me").status_code == 403  # fmt: skip

        released = post(client, f"{url}/release-hold", curator)
        assert released.json()["status"] == "submitted"
        assert [i["id"] for i in client.get("/v1/review/queue",
                                            headers=bearer(curator)).json()["items"]] == [
            entry_id
        ]  # fmt: skip
        assert post(client, f"{url}/approve", curator).json()["status"] == "published"

    def test_a_released_finding_does_not_hold_a_later_revision(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, visibility="public", body=FLAGGED)
        post(client, f"{url}/release-hold", curator)
        post(client, f"{url}/approve", curator)
        patch_entry(client, owner, entry_id, summary="Updated after a year")
        assert post(client, f"{url}/submit", owner).json()["review_status"] == "submitted"

    def test_editing_a_held_entry_withdraws_it(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, visibility="network", body=FLAGGED)
        edited = patch_entry(client, owner, entry_id, body=FLAGGED + " Twice.")
        assert edited["status"] == "draft"
        assert queue(client, curator) == []
        assert client.get(url, headers=bearer(curator)).status_code == 404
        again = post(client, f"{url}/submit", owner)
        assert again.json()["status"] == "held"
        statuses = [f["status"] for f in findings(client, entry_id, owner).json()["items"]]
        assert statuses == ["open"]

    def test_a_held_revision_of_a_published_entry_leaves_the_live_one_readable(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, visibility="public", body=CLEAN)
        post(client, f"{url}/approve", curator)
        patch_entry(client, owner, entry_id, body=FLAGGED)
        held = post(client, f"{url}/submit", owner).json()
        assert (held["status"], held["review_status"]) == ("published", "held")
        assert client.get(url).json()["body"] == CLEAN


class TestSharingAPublishedEntry:
    def test_sharing_flagged_content_with_partners_waits_for_the_hold(
        self, client: TestClient, owner: str, curator: str, partner: str
    ) -> None:
        entry_id, url = submitted(client, owner, "publish", visibility="private", body=FLAGGED)
        shared = patch_entry(client, owner, entry_id, visibility="partners",
                             shared_with=["ngo-b"])  # fmt: skip
        assert (shared["visibility"], shared["shared_with"]) == ("private", [])
        assert shared["pending_revision"] is not None
        assert client.get(url, headers=bearer(partner)).status_code == 404
        [finding] = findings(client, entry_id, owner).json()["items"]
        assert finding["detector"] == "phone"
        assert post(client, f"{url}/publish", owner).json()["review_status"] == "held"
        post(client, f"{url}/release-hold", curator)
        read = client.get(url, headers=bearer(partner))
        assert read.status_code == 200
        assert read.json()["body"] == FLAGGED

    def test_sharing_clean_content_applies_at_once(
        self, client: TestClient, owner: str, partner: str
    ) -> None:
        entry = create_entry(client, owner, visibility="private", body=CLEAN)
        post(client, f"/v1/entries/{entry['id']}/publish", owner)
        patch_entry(client, owner, entry["id"], visibility="partners", shared_with=["ngo-b"])
        assert client.get(f"/v1/entries/{entry['id']}", headers=bearer(partner)).status_code == 200


class TestAuditAndLogs:
    def test_no_identifier_in_the_audit_log_or_notifications(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        _, url = submitted(client, owner, visibility="public", body=FLAGGED)
        post(client, f"{url}/return-hold", curator)
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            held = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "entry.held")
            ).one()
            assert held.details["findings"] == {"phone": 1}
            for details in session.scalars(select(AuditEvent.details)):
                assert PHONE not in str(details)
            for message in session.scalars(select(NotificationEvent.message)):
                assert PHONE not in message


class TestSafetyRetraction:
    def test_only_curators_of_other_organizations_read_the_detail(
        self, app: FastAPI, client: TestClient, owner: str, curator: str
    ) -> None:
        entry_id, url = submitted(client, owner, visibility="public", body=CLEAN)
        post(client, f"{url}/approve", curator)
        detail = "A participant's family was threatened"
        retracted = post(client, f"{url}/retract", curator, reason="safety_risk", comment=detail)
        assert retracted.status_code == 200
        owner_admin = member_token(app, "ngo-a", "admin", person="adm")
        tombstone = client.get(url, headers=bearer(owner)).json()
        assert tombstone["retraction_reason"] == "safety"
        for token in (owner, owner_admin):
            steps = client.get(f"{url}/transitions", headers=bearer(token))
            assert detail not in steps.text
            assert steps.json()[-1]["reason"] == "safety"
            audit = client.get("/v1/audit-events", params={"entry_id": entry_id},
                               headers=bearer(token))  # fmt: skip
            assert detail not in audit.text
        events = client.get("/v1/events", headers=bearer(owner)).json()["items"]
        assert "retracted for safety" in events[-1]["message"]
        assert detail not in str(events)
        steps = client.get(f"{url}/transitions", headers=bearer(curator)).json()
        assert steps[-1]["comment"] == detail

    def test_other_reasons_keep_their_comment_for_the_owner(
        self, client: TestClient, owner: str, curator: str
    ) -> None:
        _, url = submitted(client, owner, visibility="public", body=CLEAN)
        post(client, f"{url}/approve", curator)
        post(client, f"{url}/retract", curator, reason="factual_error", comment="Wrong year")
        steps = client.get(f"{url}/transitions", headers=bearer(owner)).json()
        assert steps[-1]["comment"] == "Wrong year"

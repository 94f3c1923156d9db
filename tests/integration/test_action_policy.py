"""Every (relation, action, state) through the HTTP API equals the policy table.

For each reachable entry state, a caller of each relation attempts every action
over HTTP. An action the table allows must succeed (2xx); one it refuses must
fail without changing anything — 404 when the caller may not read the entry,
else 401/403/409. States are built through the API itself; an allowed action that
changes the entry gets a freshly built one for the next attempt.

It runs on SQLite only: which action is allowed is decided in Python before any
query runs (the pure table test covers every cell), and the ~2,000 requests it
takes are better spent once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.access.policy import ACTIONS, POLICY, allows
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, curator_token, member_token, patch_entry

OWNER_ORG = "owner-org"


@pytest.fixture
def database(sqlite_database: DatabaseUnderTest) -> DatabaseUnderTest:
    sqlite_database.reset()
    return sqlite_database


Builder = Callable[[TestClient, dict[str, str]], dict[str, Any]]
# What the sensitive-data guard holds: a phone number in the body.
FLAGGED_BODY = "Mentors reached the returnee on +223 76 12 34 56 every week."


def _post(client: TestClient, token: str, url: str, **body: Any) -> None:
    response = client.post(url, json=body or None, headers=bearer(token))
    assert response.status_code == 200, response.text


def _build(steps: list[str], visibility: str) -> Builder:
    """An entry of the owner organization, with one attachment, taken through `steps`."""

    def build(client: TestClient, tokens: dict[str, str]) -> dict[str, Any]:
        owner, curator = tokens["owner_publisher"], tokens["curator"]
        entry = create_entry(
            client, owner, visibility=visibility, title="Policy probe",
            recommendations=[{"id": "r1", "text": "Keep the mentors"}],
        )  # fmt: skip
        url = f"/v1/entries/{entry['id']}"
        upload = client.post(
            f"{url}/attachments",
            files={"file": ("notes.txt", b"field notes", "text/plain")},
            headers=bearer(owner),
        )
        assert upload.status_code == 201, upload.text
        for step in steps:
            if step == "edit":
                patch_entry(client, owner, entry["id"], summary="A later summary")
            elif step == "flag":
                patch_entry(client, owner, entry["id"], body=FLAGGED_BODY)
            elif step.startswith("visibility="):
                patch_entry(client, owner, entry["id"], visibility=step.partition("=")[2])
            elif step in ("submit",):
                _post(client, owner, f"{url}/submit")
            elif step == "retract":
                _post(client, owner, f"{url}/retract", reason="other")
            else:  # a curator's step
                _post(client, curator, f"{url}/{step.replace('_', '-')}")
        findings = client.get(f"{url}/findings", headers=bearer(owner)).json()["items"]
        return {
            "id": entry["id"],
            "attachment": upload.json()["id"],
            "finding": findings[0]["id"] if findings else 1,
        }

    return build


# state key → how to reach it (unreachable states are covered by the pure test only)
STATES: dict[str, Builder] = {
    "draft/direct": _build([], "private"),
    "draft/reviewed": _build([], "public"),
    "submitted/reviewed": _build(["submit"], "public"),
    "changes_requested/reviewed": _build(["submit", "request_changes"], "public"),
    "changes_requested/direct": _build(
        ["submit", "request_changes", "visibility=private"], "public"
    ),
    "rejected/reviewed": _build(["submit", "reject"], "public"),
    "published/direct": _build(["submit"], "private"),
    "published/reviewed": _build(["submit", "approve"], "public"),
    "published_pending/direct": _build(["submit", "edit"], "private"),
    "published_pending/reviewed": _build(["submit", "approve", "edit"], "public"),
    "published_pending/widening": _build(["submit", "visibility=public"], "private"),
    "published_in_review/reviewed": _build(["submit", "approve", "edit", "submit"], "public"),
    "published_in_review/widening": _build(["submit", "visibility=public", "submit"], "private"),
    "published_changes_requested/reviewed": _build(
        ["submit", "approve", "edit", "submit", "request_changes"], "public"
    ),
    "published_changes_requested/widening": _build(
        ["submit", "visibility=public", "submit", "request_changes"], "private"
    ),
    "retracted/direct": _build(["submit", "retract"], "private"),
    "retracted/reviewed": _build(["submit", "approve", "retract"], "public"),
    "held/direct": _build(["flag", "submit"], "partners"),
    "held/reviewed": _build(["flag", "submit"], "public"),
    "published_held/direct": _build(["submit", "flag", "submit"], "partners"),
    "published_held/reviewed": _build(["submit", "approve", "flag", "submit"], "public"),
    "published_held/widening": _build(["submit", "visibility=public", "flag", "submit"], "private"),
}
# The relations each test token holds (an admin of the owner is also its member).
HELD = {"owner_admin": ["owner_admin", "owner_member"]}


def attempt(client: TestClient, action: str, entry: dict[str, Any], token: str | None) -> Response:
    url = f"/v1/entries/{entry['id']}"
    headers = bearer(token)
    if action == "edit":
        etag = client.get(url, headers=headers).headers.get("etag", '"1"')
        return client.patch(url, json={"summary": "Edited"}, headers={**headers, "If-Match": etag})
    if action == "delete":
        return client.delete(url, headers=headers)
    if action == "attach":
        files = {"file": ("more.txt", b"more notes", "text/plain")}
        return client.post(f"{url}/attachments", files=files, headers=headers)
    if action == "detach":
        return client.delete(f"{url}/attachments/{entry['attachment']}", headers=headers)
    if action == "retract":
        return client.post(f"{url}/retract", json={"reason": "other"}, headers=headers)
    if action == "read_thread":
        return client.get(f"{url}/comments", headers=headers)
    if action == "comment":
        return client.post(f"{url}/comments", json={"body": "A question"}, headers=headers)
    if action == "tag":
        return client.put(f"{url}/tags", json={"tags": ["prison"]}, headers=headers)
    if action == "feature":
        return client.put(f"{url}/featured", headers=headers)
    if action == "find_duplicates":
        return client.get(f"{url}/duplicates", headers=headers)
    if action == "manage_access":
        return client.get(f"{url}/access-requests", headers=headers)
    if action == "explain_finding":
        return client.post(
            f"{url}/findings/{entry['finding']}/explain",
            json={"explanation": "The programme's public hotline"},
            headers=headers,
        )
    if action == "read_findings":
        return client.get(f"{url}/findings", headers=headers)
    if action == "read_reads":
        return client.get(f"{url}/reads", headers=headers)
    if action == "rate":
        rating = {
            "outcome": "completion_rate",
            "effect": "improved",
            "evidence_level": "moderate",
            "evaluation_design": "pre_post",
            "reasoning": "Before/after, no comparison",
        }
        return client.post(f"{url}/ratings", json=rating, headers=headers)
    if action == "respond":
        return client.put(f"{url}/recommendations/r1/follow-up", json={"status": "planned"},
                          headers=headers)  # fmt: skip
    return client.post(f"{url}/{action.replace('_', '-')}", headers=headers)


MUTATING = {"edit", "delete", "attach", "detach", "submit", "publish", "approve",
            "request_changes", "reject", "retract", "restore", "release_hold",
            "return_hold"}  # fmt: skip
RELATIONS = ("anonymous", "member", "owner_member", "owner_admin", "curator", "owner_publisher")


class TestPolicyOverHttp:
    @pytest.mark.slow
    @pytest.mark.timeout(900)
    def test_every_relation_action_and_state(self, app: FastAPI, client: TestClient) -> None:
        tokens: dict[str, str] = {
            "owner_publisher": member_token(app, OWNER_ORG, "publisher", person="pub"),
            "owner_member": member_token(app, OWNER_ORG, "reader", person="rea"),
            "owner_admin": member_token(app, OWNER_ORG, "admin", person="adm"),
            "curator": curator_token(app),
            "member": member_token(app, "other-org", "reader", person="mem"),
        }
        assert set(POLICY) == set(ACTIONS)
        checked = 0
        for state, build in STATES.items():
            entry = build(client, tokens)
            for relation in RELATIONS:
                token = tokens.get(relation)
                visible = client.get(f"/v1/entries/{entry['id']}", headers=bearer(token))
                for action in ACTIONS:
                    allowed = allows(action, HELD.get(relation, [relation]), state)
                    response = attempt(client, action, entry, token)
                    where = (state, relation, action, response.status_code, response.text[:200])
                    if allowed:
                        assert 200 <= response.status_code < 300, where
                        if action in MUTATING:
                            entry = build(client, tokens)
                    elif visible.status_code == 404:
                        assert response.status_code == 404, where
                    else:
                        assert response.status_code in (401, 403, 409), where
                    checked += 1
        assert checked == len(STATES) * len(RELATIONS) * len(ACTIONS)

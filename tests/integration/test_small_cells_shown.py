"""Small cells on every surface that renders indicators: anyone but the owner sees a
value computed on fewer than k people as "< k", without its note — in the entry,
its revisions and the diffs between them (README "Safety")."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import (
    bearer,
    create_entry,
    curator_token,
    make_org,
    member_token,
    patch_entry,
)

SMALL = [
    {"code": "participants_enrolled", "value": 6, "note": "6 men from Gao"},
    {"code": "completion_rate", "value": 50.0},
    {"code": "cost_per_participant", "value": 1200},
]


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def reader(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-b", "reader", person="bo")


def released_partners_entry(client: TestClient, owner: str) -> dict[str, Any]:
    """A partners entry with small cells: held at publication, released by a curator."""
    make_org(client.app, "ngo-b")  # type: ignore[arg-type]
    entry = create_entry(
        client, owner, visibility="partners", shared_with=["ngo-b"], indicators=SMALL
    )
    held = client.post(f"/v1/entries/{entry['id']}/publish", headers=bearer(owner))
    assert held.json()["status"] == "held"
    curator = curator_token(client.app)  # type: ignore[arg-type]
    released = client.post(f"/v1/entries/{entry['id']}/release-hold", headers=bearer(curator))
    assert released.json()["status"] == "published"
    return entry


class TestSmallCellsShown:
    def test_readers_see_less_than_k_and_no_note(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = released_partners_entry(client, owner)
        shown = client.get(f"/v1/entries/{entry['id']}", headers=bearer(reader)).json()
        enrolled, rate, cost = shown["indicators"]
        assert enrolled == {**enrolled, "value": None, "note": None, "display": "< 10",
                            "suppressed": True}  # fmt: skip
        assert (rate["value"], rate["display"], rate["suppressed"]) == (None, "< 10", True)
        assert (cost["value"], cost["suppressed"]) == (1200, False)
        text = client.get(f"/v1/entries/{entry['id']}", headers=bearer(reader)).text
        assert "Gao" not in text

    def test_the_owner_sees_everything(self, client: TestClient, owner: str) -> None:
        entry = released_partners_entry(client, owner)
        shown = client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()
        assert [i["value"] for i in shown["indicators"]] == [6, 50.0, 1200]
        assert shown["indicators"][0]["note"] == "6 men from Gao"

    def test_revisions_and_diffs_hide_them_too(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = released_partners_entry(client, owner)
        url = f"/v1/entries/{entry['id']}"
        patch_entry(client, owner, entry["id"], indicators=[{**SMALL[0], "value": 7}, *SMALL[1:]])
        # The same small cells were released before: they hold the entry no more.
        assert client.post(f"{url}/publish", headers=bearer(owner)).json()["status"] == (
            "published"
        )
        listed = client.get(f"{url}/revisions", headers=bearer(reader)).json()["items"]
        revisions = [r["number"] for r in listed]
        assert len(revisions) >= 2
        for number in revisions:
            content = client.get(f"{url}/revisions/{number}", headers=bearer(reader)).json()
            assert content["content"]["indicators"][0]["value"] is None
            assert "Gao" not in str(content)
        diff = client.get(f"{url}/diff", params={"from": revisions[0], "to": revisions[-1]},
                          headers=bearer(reader)).json()  # fmt: skip
        # 6 → 7 is a change only the owner may see.
        assert "indicators" not in diff["changes"]
        owners = client.get(f"{url}/diff", params={"from": revisions[0], "to": revisions[-1]},
                            headers=bearer(owner)).json()  # fmt: skip
        assert "indicators" in owners["changes"]

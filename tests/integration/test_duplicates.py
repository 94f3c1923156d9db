"""Possible duplicates: same attachment checksum (any organization) or a
near-identical title (same organization) — only among entries the caller may read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.curation.duplicates import normalize_title, titles_near_identical
from tests.factories import bearer, create_entry, curator_token, member_token, published_entry

REPORT = b"Aftercare findings of the pilot, shared by two organizations."


def upload(client: TestClient, token: str, entry_id: str, content: bytes = REPORT) -> None:
    response = client.post(
        f"/v1/entries/{entry_id}/attachments",
        files={"file": ("report.txt", content, "text/plain")},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text


def duplicates(client: TestClient, token: str | None, entry_id: str) -> Any:
    return client.get(f"/v1/entries/{entry_id}/duplicates", headers=bearer(token))


def found(client: TestClient, token: str, entry_id: str) -> dict[str, list[str]]:
    response = duplicates(client, token, entry_id)
    assert response.status_code == 200, response.text
    return {item["entry_id"]: item["reasons"] for item in response.json()["items"]}


@pytest.fixture
def ngo_a(app: FastAPI) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def ngo_b(app: FastAPI) -> str:
    return member_token(app, "ngo-b", "publisher")


class TestTitleSimilarity:
    def test_normalization_ignores_case_punctuation_and_spacing(self) -> None:
        assert normalize_title("  Évaluation: the EXIT   programme (2023)! ") == (
            "évaluation the exit programme 2023"
        )

    @pytest.mark.parametrize(
        ("a", "b", "same"),
        [
            (
                "Evaluation of the Exit Programme, 2023",
                "evaluation of the exit programme 2023",
                True,
            ),
            (
                "Evaluation of the Exit Programme 2023",
                "Evaluation of the Exit Programmes 2023",
                True,
            ),
            # The rule is a hint for reviewers: yearly reports of one programme
            # differ by two characters of ~36 (ratio 0.94) and are flagged.
            (
                "Evaluation of the Exit Programme 2023",
                "Evaluation of the Exit Programme 2019",
                True,
            ),
            (
                "Evaluation of the Exit Programme",
                "Evaluation of the Family Support Programme",
                False,
            ),
            ("Mentoring in prisons", "Family support helplines", False),
            ("!!!", "???", False),
        ],
    )
    def test_near_identical(self, a: str, b: str, same: bool) -> None:
        assert titles_near_identical(a, b) is same


class TestSameAttachment:
    def test_found_across_organizations_when_visible(
        self, client: TestClient, ngo_a: str, ngo_b: str
    ) -> None:
        theirs = published_entry(client, ngo_b, title="Their pilot report")
        upload(client, ngo_b, theirs["id"])
        mine = create_entry(client, ngo_a, title="Our write-up")
        upload(client, ngo_a, mine["id"])
        other = create_entry(client, ngo_a, title="Unrelated study")
        upload(client, ngo_a, other["id"], b"A different document altogether.")
        assert found(client, ngo_a, mine["id"]) == {theirs["id"]: ["same attachment"]}

    def test_private_entry_of_another_org_is_never_reported_even_to_a_curator(
        self, app: FastAPI, client: TestClient, ngo_a: str, ngo_b: str
    ) -> None:
        hidden = published_entry(client, ngo_b, title="Their private report", visibility="private")
        upload(client, ngo_b, hidden["id"])
        mine = published_entry(client, ngo_a, title="Our public report")
        upload(client, ngo_a, mine["id"])
        curator = curator_token(app)
        assert found(client, curator, mine["id"]) == {}
        assert found(client, ngo_a, mine["id"]) == {}
        # Its owner, who can read both, does see the match.
        assert found(client, ngo_b, hidden["id"]) == {mine["id"]: ["same attachment"]}


class TestNearIdenticalTitle:
    def test_same_organization_only(self, client: TestClient, ngo_a: str, ngo_b: str) -> None:
        original = published_entry(client, ngo_a, title="Evaluation of the Exit Programme, 2023")
        create_entry(client, ngo_b, title="Evaluation of the Exit Programme, 2023")
        create_entry(client, ngo_a, title="Evaluation of the Family Support Programme, 2023")
        again = create_entry(client, ngo_a, title="evaluation of the exit programme 2023")
        assert found(client, ngo_a, again["id"]) == {original["id"]: ["near-identical title"]}

    def test_both_reasons_are_listed(self, client: TestClient, ngo_a: str) -> None:
        original = published_entry(client, ngo_a, title="Mentoring returnees: year two")
        upload(client, ngo_a, original["id"])
        again = create_entry(client, ngo_a, title="Mentoring returnees - year two")
        upload(client, ngo_a, again["id"])
        assert found(client, ngo_a, again["id"]) == {
            original["id"]: ["same attachment", "near-identical title"]
        }

    def test_curator_reviewing_does_not_see_the_owners_private_twin(
        self, app: FastAPI, client: TestClient, ngo_a: str
    ) -> None:
        private_twin = published_entry(
            client, ngo_a, title="Community dialogue evaluation", visibility="private"
        )
        public_twin = published_entry(client, ngo_a, title="Community dialogue evaluation.")
        submitted = create_entry(client, ngo_a, title="Community Dialogue Evaluation")
        response = client.post(f"/v1/entries/{submitted['id']}/submit", headers=bearer(ngo_a))
        assert response.status_code == 200, response.text
        curator = curator_token(app)
        assert found(client, curator, submitted["id"]) == {
            public_twin["id"]: ["near-identical title"]
        }
        assert set(found(client, ngo_a, submitted["id"])) == {private_twin["id"], public_twin["id"]}


class TestAccess:
    def test_other_members_403_anonymous_401_invisible_404(
        self, app: FastAPI, client: TestClient, ngo_a: str, ngo_b: str
    ) -> None:
        public = published_entry(client, ngo_a, title="Public report")
        private = published_entry(client, ngo_a, title="Private report", visibility="private")
        assert duplicates(client, ngo_b, public["id"]).status_code == 403
        assert duplicates(client, None, public["id"]).status_code == 401
        assert duplicates(client, ngo_b, private["id"]).status_code == 404
        assert duplicates(client, curator_token(app), private["id"]).status_code == 404
        assert duplicates(client, ngo_b, "nosuchentry").status_code == 404
        reader_of_owner = member_token(app, "ngo-a", "reader", person="bob")
        assert duplicates(client, reader_of_owner, private["id"]).status_code == 200

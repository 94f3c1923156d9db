"""Curators add, rename and deprecate vocabulary terms; deprecated codes stay valid
on old entries, are refused on new ones, and search treats old and new as one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.models import AuditEvent
from tests.factories import (
    bearer,
    create_entry,
    curator_token,
    entry_payload,
    member_token,
    published_entry,
    wait_indexed,
)


@pytest.fixture
def curator(app: FastAPI) -> str:
    return curator_token(app)


def add(client: TestClient, token: str | None, name: str, **term: Any) -> Any:
    return client.post(f"/v1/vocabularies/{name}/terms", json=term, headers=bearer(token))


def deprecate(client: TestClient, token: str, name: str, code: str, replaced_by: str) -> Any:
    return client.post(
        f"/v1/vocabularies/{name}/terms/{code}/deprecate",
        json={"replaced_by": replaced_by},
        headers=bearer(token),
    )


def terms(client: TestClient, name: str) -> dict[str, dict[str, Any]]:
    body = client.get(f"/v1/vocabularies/{name}").json()
    return {term["code"]: term for term in body["terms"]}


def fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


class TestPermissions:
    def test_anonymous_401_and_non_curator_403(self, app: FastAPI, client: TestClient) -> None:
        assert add(client, None, "program_type", code="x", label="X").status_code == 401
        publisher = member_token(app, "ngo-a", "publisher", "admin")
        response = add(client, publisher, "program_type", code="x", label="X")
        assert response.status_code == 403
        assert "x" not in terms(client, "program_type")

    def test_unknown_vocabulary_is_404(self, client: TestClient, curator: str) -> None:
        response = add(client, curator, "colours", code="red", label="Red")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        renamed = client.patch(
            "/v1/vocabularies/colours/terms/red", json={"label": "R"}, headers=bearer(curator)
        )
        assert renamed.status_code == 404


class TestAddTerm:
    def test_curator_adds_a_term_visible_at_once_and_audited(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        response = add(
            client, curator, "program_type", code="sport_based", label="Sport-based programmes"
        )
        assert response.status_code == 201, response.text
        assert response.json() == {"code": "sport_based", "label": "Sport-based programmes"}
        assert terms(client, "program_type")["sport_based"]["label"] == "Sport-based programmes"
        # The refreshed registry is what entry validation uses, in this process.
        publisher = member_token(app, "ngo-a", "publisher")
        create_entry(client, publisher, program_types=["sport_based"])
        with app.state.session_factory() as session:
            event = session.scalar(
                select(AuditEvent).where(AuditEvent.action == "vocabulary.term_added")
            )
        assert event is not None
        assert event.subject_id == "program_type:sport_based"

    @pytest.mark.parametrize(
        ("name", "code"),
        [
            ("program_type", "Sport-Based"),
            ("program_type", "x" * 65),
            ("setting", "has space"),
            ("region", "Kenya"),
            ("region", "ke"),
            ("region", "12"),
            ("region", "1234"),
        ],
    )
    def test_badly_shaped_code_is_422_naming_the_field(
        self, client: TestClient, curator: str, name: str, code: str
    ) -> None:
        response = add(client, curator, name, code=code, label="Something")
        assert response.status_code == 422
        assert fields(response) == ["code"]

    def test_existing_code_is_409(self, client: TestClient, curator: str) -> None:
        response = add(client, curator, "program_type", code="mentoring", label="Again")
        assert response.status_code == 409
        assert terms(client, "program_type")["mentoring"]["label"] != "Again"

    def test_region_country_under_an_existing_parent(
        self, client: TestClient, curator: str
    ) -> None:
        response = add(client, curator, "region", code="QZ", label="Testland", parent="039")
        assert response.status_code == 201, response.text
        added = terms(client, "region")["QZ"]
        assert added["level"] == "country"
        assert added["parent"] == "039"
        assert added["ancestors"] == ["039", "150", "001"]

    def test_region_parent_must_exist(self, client: TestClient, curator: str) -> None:
        response = add(client, curator, "region", code="QZ", label="Testland", parent="999")
        assert response.status_code == 422
        assert fields(response) == ["parent"]
        # A country cannot contain regions.
        under_country = add(client, curator, "region", code="998", label="Area", parent="KE")
        assert fields(under_country) == ["parent"]

    def test_parent_only_for_regions_and_unit_only_for_indicators(
        self, client: TestClient, curator: str
    ) -> None:
        response = add(client, curator, "setting", code="farm", label="Farm", parent="001")
        assert fields(response) == ["parent"]
        no_unit = add(client, curator, "indicator", code="reoffending_60", label="Reoffending")
        assert no_unit.status_code == 422
        assert fields(no_unit) == ["unit"]
        bad_unit = add(client, curator, "indicator", code="reoffending_60", label="R", unit="kg")
        assert fields(bad_unit) == ["unit"]
        good = add(client, curator, "indicator", code="reoffending_60", label="R60", unit="percent")
        assert good.status_code == 201, good.text
        assert good.json()["unit"] == "percent"


class TestRenameTerm:
    def test_rename_changes_the_label_only(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        response = client.patch(
            "/v1/vocabularies/setting/terms/camp",
            json={"label": "Camp (displacement or detention)"},
            headers=bearer(curator),
        )
        assert response.status_code == 200, response.text
        assert terms(client, "setting")["camp"]["label"] == "Camp (displacement or detention)"
        with app.state.session_factory() as session:
            event = session.scalar(
                select(AuditEvent).where(AuditEvent.action == "vocabulary.term_renamed")
            )
        assert event is not None
        assert event.details["to"] == "Camp (displacement or detention)"

    def test_unknown_code_is_404(self, client: TestClient, curator: str) -> None:
        response = client.patch(
            "/v1/vocabularies/setting/terms/moon", json={"label": "Moon"}, headers=bearer(curator)
        )
        assert response.status_code == 404


class TestDeprecateTerm:
    def test_unknown_replacement_is_422(self, client: TestClient, curator: str) -> None:
        response = deprecate(client, curator, "program_type", "mentoring", "no_such_code")
        assert response.status_code == 422
        assert fields(response) == ["replaced_by"]
        assert "deprecated" not in terms(client, "program_type")["mentoring"]

    def test_deprecated_replacement_is_422(self, client: TestClient, curator: str) -> None:
        assert deprecate(client, curator, "program_type", "ddr", "reintegration").status_code == 200
        response = deprecate(client, curator, "program_type", "mentoring", "ddr")
        assert response.status_code == 422
        assert fields(response) == ["replaced_by"]

    def test_a_code_cannot_replace_itself(self, client: TestClient, curator: str) -> None:
        response = deprecate(client, curator, "program_type", "mentoring", "mentoring")
        assert response.status_code == 422
        assert fields(response) == ["replaced_by"]

    def test_unknown_code_is_404(self, client: TestClient, curator: str) -> None:
        response = deprecate(client, curator, "program_type", "no_such_code", "mentoring")
        assert response.status_code == 404

    def test_replacement_from_another_vocabulary_is_422(
        self, client: TestClient, curator: str
    ) -> None:
        response = deprecate(client, curator, "program_type", "mentoring", "prison")
        assert response.status_code == 422
        assert fields(response) == ["replaced_by"]

    def test_old_entries_keep_the_code_new_ones_are_refused_and_search_maps_both(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        publisher = member_token(app, "ngo-a", "publisher")
        old = published_entry(
            client, publisher, title="Old coding", program_types=["community_policing"]
        )
        old_draft = create_entry(
            client, publisher, title="Draft with old code", program_types=["community_policing"]
        )
        assert (
            add(
                client, curator, "program_type", code="policing_partnerships", label="Policing"
            ).status_code
            == 201
        )
        response = deprecate(
            client, curator, "program_type", "community_policing", "policing_partnerships"
        )
        assert response.status_code == 200, response.text
        assert response.json()["deprecated"] is True

        listed = terms(client, "program_type")["community_policing"]
        assert listed["deprecated"] is True
        assert listed["replaced_by"] == "policing_partnerships"

        refused = client.post(
            "/v1/entries",
            json=entry_payload(program_types=["community_policing"]),
            headers=bearer(publisher),
        )
        assert refused.status_code == 422
        assert fields(refused) == ["program_types[0]"]
        assert "deprecated" in refused.json()["errors"][0]["message"]

        # An entry that already carries the deprecated code stays editable with it.
        current = client.get(f"/v1/entries/{old_draft['id']}", headers=bearer(publisher))
        edited = client.patch(
            f"/v1/entries/{old_draft['id']}",
            json={"title": "Draft, edited", "program_types": ["community_policing", "mentoring"]},
            headers={**bearer(publisher), "If-Match": current.headers["etag"]},
        )
        assert edited.status_code == 200, edited.text
        assert client.get(f"/v1/entries/{old['id']}").json()["program_types"] == [
            "community_policing"
        ]

        new = published_entry(
            client, publisher, title="New coding", program_types=["policing_partnerships"]
        )
        wait_indexed(app)
        for code in ("policing_partnerships", "community_policing"):
            found = client.get("/v1/search", params={"program_type": code})
            assert found.status_code == 200, found.text
            assert {hit["id"] for hit in found.json()["hits"]} == {old["id"], new["id"]}, code

        with app.state.session_factory() as session:
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "vocabulary.term_deprecated")
            )
        assert audited == 1

    def test_search_follows_a_chain_of_replacements(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        publisher = member_token(app, "ngo-a", "publisher")
        first = published_entry(client, publisher, title="First", program_types=["livelihoods"])
        add(client, curator, "program_type", code="livelihoods_v2", label="Livelihoods 2")
        deprecate(client, curator, "program_type", "livelihoods", "livelihoods_v2")
        second = published_entry(
            client, publisher, title="Second", program_types=["livelihoods_v2"]
        )
        add(client, curator, "program_type", code="livelihoods_v3", label="Livelihoods 3")
        deprecate(client, curator, "program_type", "livelihoods_v2", "livelihoods_v3")
        wait_indexed(app)
        for code in ("livelihoods", "livelihoods_v2", "livelihoods_v3"):
            found = client.get("/v1/search", params={"program_type": code}).json()
            assert {hit["id"] for hit in found["hits"]} == {first["id"], second["id"]}, code


class TestAliases:
    def put(self, client: TestClient, token: str | None, code: str, aliases: Any) -> Any:
        return client.put(
            f"/v1/vocabularies/target_population/terms/{code}/aliases",
            json={"aliases": aliases},
            headers=bearer(token),
        )

    def test_an_alias_a_curator_adds_finds_entries_tagged_with_the_term(
        self, app: FastAPI, client: TestClient, curator: str
    ) -> None:
        publisher = member_token(app, "ngo-a", "publisher")
        tagged = published_entry(
            client,
            publisher,
            title="Support after return",
            summary="Two years on.",
            target_populations=["women"],
        )
        wait_indexed(app)
        assert client.get("/v1/search", params={"q": "mujeres"}).json()["total"] == 0

        response = self.put(client, curator, "women", ["mujeres", " Mujeres ", "Women"])

        assert response.status_code == 200, response.text
        assert "mujeres" in response.json()["aliases"]  # once; the label is not an alias
        assert response.json()["aliases"].count("Mujeres") == 0
        assert "mujeres" in terms(client, "target_population")["women"]["aliases"]
        # The indexer reloads the vocabulary at most every 60 s; expire that wait.
        app.state.indexer_loop.consumer.registry._loaded_at = float("-inf")
        wait_indexed(app)
        found = client.get("/v1/search", params={"q": "mujeres", "explain": "true"}).json()
        assert [hit["id"] for hit in found["hits"]] == [tagged["id"]]
        assert {"field": "target_population", "via": "tag", "code": "women"}.items() <= (
            found["hits"][0]["matches"][-1].items()
        )
        with app.state.session_factory() as session:
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "vocabulary.term_aliases_set")
            )
        assert audited == 1

    def test_only_curators(self, app: FastAPI, client: TestClient) -> None:
        assert self.put(client, None, "women", ["x"]).status_code == 401
        reader = member_token(app, "ngo-a", "reader")
        assert self.put(client, reader, "women", ["x"]).status_code == 403

    def test_unknown_term_is_404(self, client: TestClient, curator: str) -> None:
        assert self.put(client, curator, "telepaths", ["x"]).status_code == 404

    def test_an_alias_over_four_words_is_422_naming_it(
        self, client: TestClient, curator: str
    ) -> None:
        response = self.put(client, curator, "women", ["ok", "one two three four five"])
        assert response.status_code == 422
        assert fields(response) == ["aliases.1"]
        assert self.put(client, curator, "women", "not a list").status_code == 422

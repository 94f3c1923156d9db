"""`GET /v1/search` end to end: API → visibility → embedded engine, on the demo data
and on fixtures of its own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.attachments.samples import make_docx, make_pdf
from api.demo.generator import generate
from api.demo.load import load_demo
from api.vocabularies.registry import shipped_registry
from indexer.backends.base import FACETS
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, member_token, publish, wait_indexed


def search(client: TestClient, token: str | None = None, **params: Any) -> dict[str, Any]:
    params.setdefault("facets", ",".join(FACETS))  # the API counts facets only when asked
    response = client.get("/v1/search", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> set[str]:
    return {hit["id"] for hit in body["hits"]}


@pytest.fixture
def demo(database: DatabaseUnderTest, app: FastAPI, client: TestClient) -> list[Any]:
    load_demo(app.state.settings, database.engine, size=320, seed=20261128)
    wait_indexed(app)
    return list(generate(320).entries)


class TestOnDemoData:
    def test_typos_and_prefix_find_the_right_entries(
        self, client: TestClient, demo: list[Any]
    ) -> None:
        registry = shipped_registry()
        for query, word in (
            ("rehabilitaton", "rehabilitation"),
            ("reintegraton", "reintegration"),
            ("disengagment", "disengagement"),
            ("disengag", "disengagement"),
        ):
            body = search(client, q=query, per_page=100)
            assert body["total"] > 0, query
            for hit in body["hits"][:10]:
                entry = next(e for e in demo if e.id == hit["id"])
                # The names of its tags are searched too (label and aliases).
                tags = [
                    name
                    for vocabulary, codes in (
                        ("program_type", entry.program_types),
                        ("setting", entry.settings),
                        ("target_population", entry.target_populations),
                    )
                    for code in codes
                    for name in (
                        registry.get(vocabulary, code).label,
                        *registry.get(vocabulary, code).aliases,
                    )
                ]
                text = " ".join([entry.title, entry.summary, entry.body, *tags]).lower()
                assert word in text, (query, hit["title"])

    def test_totals_and_facets_count_only_visible_entries(
        self, client: TestClient, demo: list[Any]
    ) -> None:
        public = [e for e in demo if e.status == "published" and e.visibility == "public"]
        body = search(client, per_page=1)
        assert body["total"] == len(public)
        assert sum(body["facets"]["kind"].values()) == len(public)
        assert sum(body["facets"]["organization"].values()) == len(public)

    def test_region_hierarchy_and_returnee_women_query(
        self, client: TestClient, demo: list[Any]
    ) -> None:
        body = search(client, q="returnee women", region="014", per_page=100)
        assert body["total"] >= 3
        kenyan = search(client, country="KE", per_page=100)
        africa = search(client, region="002", per_page=100)
        eastern = search(client, region="014", per_page=100)
        assert ids(kenyan) <= ids(eastern) <= ids(africa)
        assert kenyan["total"] > 0

    def test_facet_counts_equal_filtered_totals(self, client: TestClient, demo: list[Any]) -> None:
        body = search(client, per_page=1, region="002")
        for facet in ("program_type", "kind"):
            for value, count in list(body["facets"][facet].items())[:4]:
                filtered = search(client, per_page=1, region="002", **{facet: value})
                assert filtered["total"] == count, (facet, value)
        # disjunctive: with region=002 selected, the region facet still shows siblings
        assert "150" in body["facets"]["region"]
        assert body["facets"]["region"]["002"] == body["total"]

    def test_empty_query_lists_newest_first(self, client: TestClient, demo: list[Any]) -> None:
        body = search(client, per_page=20)
        dates = [hit["published_at"] for hit in body["hits"]]
        assert dates == sorted(dates, reverse=True)

    def test_member_sees_network_entries_too(
        self, app: FastAPI, client: TestClient, demo: list[Any]
    ) -> None:
        token = member_token(app, "sahel-pathways-initiative", "reader")
        network = [e for e in demo if e.status == "published" and e.visibility == "network"]
        body = search(client, token, per_page=1)
        anonymous = search(client, per_page=1)
        assert body["total"] >= anonymous["total"] + len(network)


class TestOwnFixtures:
    @pytest.fixture
    def owner(self, app: FastAPI, client: TestClient) -> str:
        return member_token(app, "ngo-a", "publisher")

    def test_response_contract(self, client: TestClient, owner: str) -> None:
        entry = publish(
            client, owner, create_entry(client, owner, title="Reintegration of returnees")["id"]
        )
        body = search(client, q="reintegration")
        assert set(body) == {"query", "total", "page", "per_page", "hits", "facets"}
        assert body["query"] == "reintegration"
        [hit] = body["hits"]
        assert set(hit) == {
            "id",
            "kind",
            "title",
            "summary",
            "organization",
            "regions",
            "program_types",
            "published_at",
            "highlights",
            "origin",
        }  # fmt: skip  (`matches` only with explain=true)
        assert hit["id"] == entry["id"]
        assert hit["organization"] == {"slug": "ngo-a", "name": "Ngo-A", "hidden": False}
        assert hit["regions"] == ["KE"]
        assert "<mark>Reintegration</mark>" in hit["highlights"]["title"]
        assert body["facets"]["region"] == {"001": 1, "002": 1, "202": 1, "014": 1, "KE": 1}

    def test_exact_match_ranks_above_typo_match(self, client: TestClient, owner: str) -> None:
        typo = publish(client, owner, create_entry(client, owner, title="Reintegraton pilot")["id"])
        exact = publish(
            client, owner, create_entry(client, owner, title="Reintegration pilot")["id"]
        )
        body = search(client, q="reintegration")
        assert [h["id"] for h in body["hits"]][:2] == [exact["id"], typo["id"]]

    @pytest.mark.parametrize("kind", ["pdf", "docx"])
    def test_words_only_in_an_attachment_find_the_entry(
        self, client: TestClient, owner: str, kind: str
    ) -> None:
        entry = create_entry(client, owner)
        content = (make_pdf if kind == "pdf" else make_docx)(["The quixotrelle cohort met weekly."])
        upload = client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": (f"annex.{kind}", content, "application/octet-stream")},
            headers=bearer(owner),
        )
        assert upload.status_code == 201
        publish(client, owner, entry["id"])
        assert ids(search(client, q="quixotrelle")) == {entry["id"]}

    def test_highlights_escape_everything_but_mark(self, client: TestClient, owner: str) -> None:
        publish(
            client,
            owner,
            create_entry(
                client, owner, title="<script>alert(1)</script> mentoring & <b>support</b>"
            )["id"],
        )
        [hit] = search(client, q="mentoring")["hits"]
        for text in hit["highlights"].values():
            assert "<" not in re.sub(r"</?mark>", "", text)
        assert "&lt;script&gt;" in hit["highlights"]["title"]

    def test_private_entries_never_counted_for_others(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        secret = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        other = member_token(app, "ngo-b", "reader", person="eve")
        for token in (None, other):
            body = search(client, token, q="reintegration")
            assert body["total"] == 1
            assert secret["id"] not in ids(body)
            assert sum(body["facets"]["kind"].values()) == 1
        assert search(client, owner, q="reintegration")["total"] == 2

    def test_narrowing_visibility_disappears_for_the_next_reader(
        self, client: TestClient, owner: str
    ) -> None:
        entry = publish(client, owner, create_entry(client, owner, visibility="public")["id"])
        assert ids(search(client, q="reintegration")) == {entry["id"]}
        response = client.patch(
            f"/v1/entries/{entry['id']}",
            json={"visibility": "private"},
            headers={**bearer(owner), "If-Match": f'"{entry["version"]}"'},
        )
        assert response.status_code == 200
        assert search(client, q="reintegration")["total"] == 0

    def test_partner_finds_what_is_shared_with_them_only(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        partner = member_token(app, "ngo-b", "reader", person="pat")
        stranger = member_token(app, "ngo-c", "reader", person="sam")
        entry = publish(
            client,
            owner,
            create_entry(client, owner, visibility="partners", shared_with=["ngo-b"])["id"],
        )
        assert ids(search(client, partner, q="reintegration")) == {entry["id"]}
        assert search(client, stranger, q="reintegration")["total"] == 0
        assert search(client, q="reintegration")["total"] == 0

    def test_facets_only_when_asked(self, client: TestClient, owner: str) -> None:
        publish(client, owner, create_entry(client, owner)["id"])
        response = client.get("/v1/search", params={"q": "reintegration"})
        assert response.json()["facets"] == {}
        body = search(client, q="reintegration", facets="region,program_type")
        assert set(body["facets"]) == {"region", "program_type"}
        assert body["facets"]["program_type"] == {"reintegration": 1, "mentoring": 1}

    def test_a_word_naming_a_tag_finds_the_entry_and_explains_it(
        self, client: TestClient, owner: str
    ) -> None:
        # Neither "femmes", "rapatriées" nor "Kenyan" is in the entry's text: they are
        # French/demonym aliases of its tags (target population, region).
        tagged = create_entry(
            client,
            owner,
            title="Support after return",
            summary="Outcomes after two years.",
            target_populations=["women", "returnees"],
        )
        publish(client, owner, tagged["id"])
        other = create_entry(
            client, owner, title="School football", summary="Sport.", target_populations=["youth"],
            program_types=["education_youth"], regions=["FR"],
        )  # fmt: skip
        publish(client, owner, other["id"])

        body = search(client, q="femmes rapatriées kenyan", explain="true")

        assert [h["id"] for h in body["hits"]] == [tagged["id"]]
        reasons = body["hits"][0]["matches"]
        assert {
            "words": "femmes",
            "field": "target_population",
            "via": "tag",
            "code": "women",
            "label": "Women",
        } in reasons
        assert any(r["field"] == "region" and r["code"] == "KE" for r in reasons)
        assert "matches" not in search(client, q="femmes")["hits"][0]


class TestBadInput:
    def test_unknown_facet_name_names_the_parameter(self, client: TestClient) -> None:
        response = client.get("/v1/search", params={"facets": "region,telepathy"})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert error["field"] == "query.facets"
        assert error["value"] == "telepathy"

    def test_unknown_facet_value_names_the_parameter(self, client: TestClient) -> None:
        response = client.get("/v1/search", params={"program_type": "telepathy"})
        assert response.status_code == 422
        [error] = response.json()["errors"]
        assert error["field"] == "query.program_type"
        assert error["valid_codes"] == "/v1/vocabularies/program_type"

    def test_per_page_over_100(self, client: TestClient) -> None:
        response = client.get("/v1/search", params={"per_page": 101})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.per_page"

    def test_region_code_is_not_a_country(self, client: TestClient) -> None:
        assert client.get("/v1/search", params={"country": "014"}).status_code == 422

    @pytest.mark.parametrize(
        "hostile",
        [
            '"',
            "' OR 1=1 --",
            "reintegration OR readers:public",
            "AND",
            "\\",
            "((()",
            "*",
            "title:x",
            "a" * 10_000,
            "🙂 العودة",
        ],
    )
    def test_hostile_text_never_500s_or_widens(
        self, app: FastAPI, client: TestClient, hostile: str
    ) -> None:
        owner = member_token(app, "ngo-a", "publisher")
        publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        response = client.get("/v1/search", params={"q": hostile})
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 0

    def test_a_nul_character_in_the_query_is_422(self, client: TestClient) -> None:
        response = client.get("/v1/search", params={"q": "nul\x00byte"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query"

    @pytest.mark.parametrize(
        "value", ['KE" OR readers = "public', "KE\\", "]", "KE,TZ", "*", "\x00"]
    )
    def test_hostile_filter_values_are_422(self, client: TestClient, value: str) -> None:
        response = client.get("/v1/search", params={"region": value})
        assert response.status_code == 422

    def test_invalid_utf8_in_the_url(self, client: TestClient) -> None:
        response = client.get("/v1/search?q=%ff%fe&region=%c3%28")
        assert response.status_code in (200, 422)

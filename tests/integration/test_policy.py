"""The inventory of legal and policy impediments through the API: the structured
`policy` fields of policy_framework entries (create, update, revisions, diff,
validation), search filters and facets over them, and the by-country table —
counted live through the one visibility rule, never from the search index."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo.generator import DEFAULT_SEED, generate
from api.demo.load import load_demo
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, member_token, patch_entry, published_entry

PROBLEM = "application/problem+json"


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def other(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-b", "publisher", person="bo")


def policy(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "jurisdiction": "KE",
        "level": "national",
        "impediment_types": ["material_support_law", "aml_cft_rule"],
        "effect": "restricts",
        "effect_text": "Contact with members of listed groups needs a police waiver.",
        "status": "in_force",
        "source": {"citation": "Prevention of Terrorism Act (synthetic test citation)",
                   "url": "https://example.org/law/pta", "adopted": "2012-10-12"},
    }  # fmt: skip
    return fields | overrides


def framework(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "policy_framework",
        "title": "Counter-terrorism law",
        "indicators": [],
        "evaluation_design": None,
        "policy": policy(),
    }
    return fields | overrides  # fmt: skip


class TestPolicyFields:
    def test_create_update_revisions_and_diff(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, **framework())
        assert entry["policy"]["impediment_types"] == ["material_support_law", "aml_cft_rule"]
        assert entry["policy"]["source"]["adopted"] == "2012-10-12"
        url = f"/v1/entries/{entry['id']}"
        changed = policy(status="repealed", effect="chilling_effect",
                         source={"citation": "Prevention of Terrorism Act",
                                 "adopted": "2012-10-12", "repealed": "2020-01-31"})  # fmt: skip
        updated = patch_entry(client, owner, entry["id"], policy=changed, comment="Repealed")
        assert updated["policy"]["status"] == "repealed"
        assert updated["policy"]["source"]["repealed"] == "2020-01-31"
        first = client.get(f"{url}/revisions/1", headers=bearer(owner)).json()["content"]
        second = client.get(f"{url}/revisions/2", headers=bearer(owner)).json()["content"]
        assert first["policy"]["status"] == "in_force"
        assert second["policy"]["status"] == "repealed"
        diff = client.get(f"{url}/diff?from=1&to=2", headers=bearer(owner)).json()["changes"]
        assert set(diff) == {"policy"}
        assert diff["policy"]["from"]["effect"] == "restricts"
        assert diff["policy"]["to"]["effect"] == "chilling_effect"
        # null clears the fields; the kind may then change.
        patch_entry(client, owner, entry["id"], policy=None)
        cleared = patch_entry(client, owner, entry["id"], kind="evaluation")
        assert (cleared["policy"], cleared["kind"]) == (None, "evaluation")

    def test_published_fields_are_read_by_others(
        self, client: TestClient, owner: str, other: str
    ) -> None:
        entry = published_entry(client, owner, **framework())
        shown = client.get(f"/v1/entries/{entry['id']}", headers=bearer(other)).json()
        assert shown["policy"]["jurisdiction"] == "KE"
        assert shown["policy"]["effect_text"].startswith("Contact with members")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (framework(policy=policy(impediment_types=["travel_ban", "wizardry"])),
             "policy.impediment_types[1]"),
            (framework(kind="evaluation"), "policy"),
            (framework(policy=policy(status="suspended")), "policy.status"),
            (framework(policy=policy(effect="forbids")), "policy.effect"),
            (framework(policy=policy(jurisdiction="XX")), "policy.jurisdiction"),
            (framework(policy=policy(level="global")), "policy.jurisdiction"),
            (framework(policy=policy(jurisdiction="014")), "policy.jurisdiction"),
            (framework(policy=policy(impediment_types=[])), "policy.impediment_types"),
            (framework(policy=policy(impediment_types=["travel_ban", "travel_ban"])),
             "policy.impediment_types"),
            (framework(policy=policy(source={"citation": "Act", "repealed": "2020-01-01"})),
             "policy.source.repealed"),
            (framework(policy=policy(status="proposed")), "policy.source.adopted"),
            (framework(policy=policy(status="repealed",
                                     source={"citation": "Act", "adopted": "2020-01-01",
                                             "repealed": "2019-01-01"})),
             "policy.source.repealed"),
            (framework(policy=policy(source={"citation": ""})), "policy.source.citation"),
        ],
    )  # fmt: skip
    def test_bad_fields_are_named_and_nothing_is_created(
        self, client: TestClient, owner: str, body: dict[str, Any], field: str
    ) -> None:
        before = client.get("/v1/entries?per_page=100", headers=bearer(owner)).json()["total"]
        response = client.post("/v1/entries", json=body, headers=bearer(owner))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
        after = client.get("/v1/entries?per_page=100", headers=bearer(owner)).json()["total"]
        assert after == before

    def test_an_unknown_code_names_its_vocabulary(self, client: TestClient, owner: str) -> None:
        body = framework(policy=policy(impediment_types=["travel_ban", "wizardry"]))
        error = client.post("/v1/entries", json=body, headers=bearer(owner)).json()["errors"][0]
        assert error["vocabulary"] == "impediment_type"
        assert error["valid_codes"] == "/v1/vocabularies/impediment_type"

    def test_update_refusals_change_nothing(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, **framework())
        url = f"/v1/entries/{entry['id']}"
        etag = client.get(url, headers=bearer(owner)).headers["etag"]
        headers = {**bearer(owner), "If-Match": etag}
        kind = client.patch(url, json={"kind": "evaluation"}, headers=headers)
        assert kind.status_code == 422
        assert [e["field"] for e in kind.json()["errors"]] == ["kind"]
        bad = client.patch(url, json={"policy": policy(impediment_types=["x_y"])}, headers=headers)
        assert [e["field"] for e in bad.json()["errors"]] == ["policy.impediment_types[0]"]
        evaluation = create_entry(client, owner)
        response = client.patch(
            f"/v1/entries/{evaluation['id']}",
            json={"policy": policy()},
            headers={**bearer(owner), "If-Match": f'"{evaluation["version"]}"'},
        )
        assert [e["field"] for e in response.json()["errors"]] == ["policy"]
        after = client.get(url, headers=bearer(owner))
        assert after.headers["etag"] == etag
        assert (
            client.get(f"{url}/revisions", headers=bearer(owner)).json()["items"][-1]["number"] == 1
        )

    def test_the_vocabulary_is_managed_like_the_others(
        self, app: FastAPI, client: TestClient
    ) -> None:
        listed = client.get("/v1/vocabularies/impediment_type").json()
        codes = [t["code"] for t in listed["terms"]]
        assert codes[:6] == ["material_support_law", "aml_cft_rule", "designation_listing",
                             "travel_ban", "data_protection_rule", "licensing"]  # fmt: skip
        coordinator = member_token(app, "coordination", "curator", person="cora")
        added = client.post(
            "/v1/vocabularies/impediment_type/terms",
            json={"code": "protest_law", "label": "Assembly and protest restrictions"},
            headers=bearer(coordinator),
        )
        assert added.status_code == 201, added.text
        owner = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, owner, **framework(policy=policy(
            impediment_types=["protest_law"])))  # fmt: skip
        assert entry["policy"]["impediment_types"] == ["protest_law"]


def frameworks(client: TestClient, owner: str) -> list[dict[str, Any]]:
    """Four published frameworks and an evaluation, with their policy fields."""
    made = [
        published_entry(client, owner, **framework(title="Kenya law")),
        published_entry(client, owner, **framework(title="Kenya travel rule", policy=policy(
            impediment_types=["travel_ban"], effect="prohibits"))),
        published_entry(client, owner, **framework(title="France repealed", policy=policy(
            jurisdiction="FR", impediment_types=["aml_cft_rule", "licensing"],
            status="repealed", source={"citation": "Loi", "adopted": "2001-01-01",
                                       "repealed": "2015-06-30"}))),
        published_entry(client, owner, **framework(title="Africa-wide", regions=["002"],
            policy=policy(jurisdiction="002", level="regional",
                          impediment_types=["designation_listing"], effect="enables"))),
    ]  # fmt: skip
    published_entry(client, owner, title="An evaluation, no policy")
    return made


def expected(made: list[dict[str, Any]], **wanted: str) -> set[str]:
    out = set()
    for entry in made:
        p = entry["policy"]
        have = {"impediment_type": p["impediment_types"], "policy_status": [p["status"]],
                "policy_level": [p["level"]], "jurisdiction": [p["jurisdiction"]]}  # fmt: skip
        if all(value in have[name] for name, value in wanted.items()):
            out.add(entry["id"])
    return out


class TestPolicySearch:
    def test_filters_and_facets_in_the_engine(self, client: TestClient, owner: str) -> None:
        made = frameworks(client, owner)

        def ids(**params: str) -> set[str]:
            found = client.get("/v1/search", params={**params, "per_page": 100}).json()
            return {hit["id"] for hit in found["hits"]}

        for name, value in [("impediment_type", "aml_cft_rule"), ("impediment_type", "travel_ban"),
                            ("policy_status", "repealed"), ("policy_status", "in_force"),
                            ("policy_level", "regional"), ("jurisdiction", "KE")]:  # fmt: skip
            assert ids(**{name: value}) == expected(made, **{name: value}), (name, value)
        assert ids(impediment_type="aml_cft_rule", policy_status="in_force") == expected(
            made, impediment_type="aml_cft_rule", policy_status="in_force")  # fmt: skip
        facets = client.get(
            "/v1/search",
            params={"facets": "impediment_type,policy_status,policy_level,jurisdiction"},
        ).json()["facets"]
        types = Counter(t for e in made for t in e["policy"]["impediment_types"])
        assert facets["impediment_type"] == dict(types)
        assert facets["policy_status"] == dict(Counter(e["policy"]["status"] for e in made))
        assert facets["policy_level"] == dict(Counter(e["policy"]["level"] for e in made))
        assert facets["jurisdiction"] == dict(Counter(e["policy"]["jurisdiction"] for e in made))
        # The label of an impediment type finds the frameworks tagged with it.
        named = client.get("/v1/search", params={"q": "travel bans and movement restrictions"})
        assert expected(made, impediment_type="travel_ban") <= {
            h["id"] for h in named.json()["hits"]}  # fmt: skip

    @pytest.mark.parametrize(
        ("name", "value"),
        [("policy_status", 'in_force" OR readers = "public'), ("policy_level", "planetary"),
         ("impediment_type", "wizardry"), ("jurisdiction", "] OR 1=1")],
    )  # fmt: skip
    def test_hostile_filter_values_are_refused(
        self, client: TestClient, name: str, value: str
    ) -> None:
        response = client.get("/v1/search", params={name: value})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["errors"][0]["field"] == f"query.{name}"

    def test_the_search_page_offers_the_policy_facets(self, client: TestClient, owner: str) -> None:
        frameworks(client, owner)
        page = client.get("/search?kind=policy_framework&policy_status=repealed")
        assert page.status_code == 200
        assert 'name="impediment_type" value="licensing"' in page.text
        assert "Policy status: repealed" in page.text
        french = client.get("/search?kind=policy_framework", headers={"Accept-Language": "fr"})
        assert "Statut de la politique" in french.text


def independent_table(made: list[dict[str, Any]], **only: str) -> dict[str, dict[str, Any]]:
    """What the table must say, counted here from the entries the test created."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in made:
        p = entry["policy"]
        if any(value not in {"status": [p["status"]], "level": [p["level"]],
                             "impediment_type": p["impediment_types"]}[name]
               for name, value in only.items()):  # fmt: skip
            continue
        row = rows.setdefault(p["jurisdiction"], {"total": 0, "types": Counter(),
                                                  "effects": Counter()})  # fmt: skip
        row["total"] += 1
        row["types"].update(p["impediment_types"])
        row["effects"][p["effect"]] += 1
    return rows


def table_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        row["jurisdiction"]: {
            "total": row["total"],
            "types": Counter({c["impediment_type"]: c["count"] for c in row["cells"]
                              if c["count"]}),
            "effects": Counter(row["by_effect"]),
        }
        for row in body["rows"]
    }  # fmt: skip


class TestByCountry:
    def test_counts_equal_an_independent_count_for_each_caller(
        self, app: FastAPI, client: TestClient, owner: str, other: str
    ) -> None:
        public = frameworks(client, owner)
        secret = published_entry(client, other, **framework(
            title="Private decree", visibility="private",
            policy=policy(impediment_types=["travel_ban"], effect="prohibits")))  # fmt: skip
        network = published_entry(client, other, **framework(
            title="Network circular", visibility="network",
            policy=policy(jurisdiction="SO", impediment_types=["licensing"])))  # fmt: skip
        draft = create_entry(client, owner, **framework(title="Unpublished draft"))
        assert draft["status"] == "draft"
        stranger = member_token(app, "ngo-c", "reader", person="cy")
        for token, seen in [(None, public), (owner, [*public, network]),
                            (stranger, [*public, network]),
                            (other, [*public, secret, network])]:  # fmt: skip
            body = client.get("/v1/policy-frameworks/by-country", headers=bearer(token)).json()
            assert table_of(body) == independent_table(seen), token
            assert body["total"] == len(seen)
        anonymous = table_of(client.get("/v1/policy-frameworks/by-country").json())
        assert anonymous["KE"]["types"]["travel_ban"] == 1  # not the private decree
        assert "SO" not in anonymous  # the network circular
        assert anonymous["002"]["total"] == 1  # the region's own row

    def test_filters_rows_links_and_csv(self, client: TestClient, owner: str) -> None:
        made = frameworks(client, owner)
        for params, only in [({"status": "repealed"}, {"status": "repealed"}),
                             ({"impediment_type": "aml_cft_rule"},
                              {"impediment_type": "aml_cft_rule"}),
                             ({"level": "regional"}, {"level": "regional"})]:  # fmt: skip
            body = client.get("/v1/policy-frameworks/by-country", params=params).json()
            want = independent_table(made, **only)
            if "impediment_type" in only:  # only that column is shown
                for row in want.values():
                    row["types"] = Counter({k: v for k, v in row["types"].items()
                                            if k == only["impediment_type"]})  # fmt: skip
            assert table_of(body) == want, params
        body = client.get("/v1/policy-frameworks/by-country").json()
        assert [row["jurisdiction"] for row in body["rows"]] == ["002", "FR", "KE"]
        kenya = next(row for row in body["rows"] if row["jurisdiction"] == "KE")
        cell = next(c for c in kenya["cells"] if c["impediment_type"] == "material_support_law")
        found = client.get(cell["search_href"]).json()
        assert {hit["id"] for hit in found["hits"]} == expected(
            made, jurisdiction="KE", impediment_type="material_support_law")  # fmt: skip
        assert found["total"] == cell["count"]
        exported = client.get("/v1/policy-frameworks/by-country?format=csv")
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert {r["jurisdiction"]: int(r["total"]) for r in rows} == {
            code: row["total"] for code, row in independent_table(made).items()}  # fmt: skip
        assert {r["jurisdiction"]: int(r["effect_restricts"]) for r in rows} == {
            code: row["effects"]["restricts"]
            for code, row in independent_table(made).items()}  # fmt: skip

    @pytest.mark.parametrize(
        ("query", "field"),
        [("status=suspended", "query.status[0]"), ("level=planetary", "query.level[0]"),
         ("impediment_type=wizardry", "query.impediment_type[0]"),
         ("format=xml", "query.format")],
    )  # fmt: skip
    def test_bad_filters_are_problems(self, client: TestClient, query: str, field: str) -> None:
        response = client.get(f"/v1/policy-frameworks/by-country?{query}")
        assert response.status_code == 422
        assert response.headers["content-type"].startswith(PROBLEM)
        assert field in [e["field"] for e in response.json()["errors"]]

    def test_the_entry_page_shows_the_fields(self, client: TestClient, owner: str) -> None:
        entry = frameworks(client, owner)[2]
        page = client.get(f"/entries/{entry['id']}")
        assert '<h2 id="policy-title">Policy framework</h2>' in page.text
        assert "repealed Jun 30, 2015" in page.text
        assert "Anti-money-laundering and counter-terrorist-financing rules" in page.text
        french = client.get(f"/entries/{entry['id']}", headers={"Accept-Language": "fr"})
        assert "Cadre politique" in french.text
        assert "abrogé le 30 juin 2015" in french.text

    def test_the_page_in_english_and_french(self, client: TestClient, owner: str) -> None:
        made = frameworks(client, owner)
        page = client.get("/policies")
        assert page.status_code == 200
        assert "<caption>4 policy frameworks by jurisdiction" in page.text
        assert '<th scope="row">Kenya' in page.text
        cell = "/search?kind=policy_framework&amp;jurisdiction=KE&amp;impediment_type=travel_ban"
        assert cell in page.text
        assert "/v1/policy-frameworks/by-country?format=csv" in page.text
        filtered = client.get("/policies?status=repealed")
        assert '<th scope="row">France' in filtered.text
        assert '<th scope="row">Kenya' not in filtered.text
        french = client.get("/policies", headers={"Accept-Language": "fr"})
        assert "Entraves juridiques et politiques" in french.text
        assert "Interdictions de voyager" in french.text
        link = client.get(
            "/search?kind=policy_framework&jurisdiction=KE&impediment_type=travel_ban"
        )
        assert link.status_code == 200
        assert all(e["title"] in link.text for e in made if e["policy"]["jurisdiction"] == "KE"
                   and "travel_ban" in e["policy"]["impediment_types"])  # fmt: skip


class TestDemoInventory:
    def test_the_demo_table_equals_the_generated_frameworks(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient
    ) -> None:
        load_demo(app.state.settings, database.engine, size=320, seed=DEFAULT_SEED)
        public = [e for e in generate(320).entries if e.kind == "policy_framework"
                  and e.status == "published" and e.visibility == "public"]  # fmt: skip
        want = Counter(str(e.policy["jurisdiction"]) for e in public if e.policy)
        body = client.get("/v1/policy-frameworks/by-country").json()
        assert {row["jurisdiction"]: row["total"] for row in body["rows"]} == dict(want)
        assert sum(row["is_country"] for row in body["rows"]) >= 20
        travel = Counter(str(e.policy["jurisdiction"]) for e in public
                         if e.policy and "travel_ban" in e.policy["impediment_types"])  # fmt: skip
        shown = {row["jurisdiction"]: c["count"] for row in body["rows"] for c in row["cells"]
                 if c["impediment_type"] == "travel_ban" and c["count"]}  # fmt: skip
        assert shown == dict(travel)


class TestGuard:
    def test_an_identifier_in_the_policy_text_holds_the_submission(
        self, client: TestClient, owner: str
    ) -> None:
        phone = "+223 76 12 34 56"
        entry = create_entry(client, owner, **framework(policy=policy(
            effect_text=f"The ministry's liaison answers on {phone} for waivers.")))  # fmt: skip
        held = client.post(f"/v1/entries/{entry['id']}/submit", headers=bearer(owner))
        assert held.json()["status"] == "held"
        found = client.get(f"/v1/entries/{entry['id']}/findings", headers=bearer(owner)).json()
        assert [(f["field"], f["detector"]) for f in found["items"]] == [
            ("policy.effect_text", "phone")]  # fmt: skip

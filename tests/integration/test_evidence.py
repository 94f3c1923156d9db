"""Evidence for practitioners through the API: findings, lessons and recommendations
with follow-ups, evidence labels per outcome with their history and disputes,
program profiles, and indicator values compared across entries (JSON and CSV) —
each visible exactly to the entry's readers, small cells "< k" for non-owners."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.demo.load import load_demo
from api.migrate import downgrade, upgrade
from api.models import AccessGrant, EntryReader, GapCell, GapReaders, Organization
from api.models.base import utcnow
from tests.conftest import DatabaseUnderTest
from tests.factories import (
    bearer,
    create_entry,
    curator_token,
    member_token,
    patch_entry,
    published_entry,
    wait_indexed,
)

RECIDIVISM = "recidivism_any_12m"


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def reader(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-b", "reader", person="bo")


@pytest.fixture
def curator(app: FastAPI, client: TestClient) -> str:
    return curator_token(app)


def evaluation(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "findings": [{"text": "Reoffending fell among those who completed",
                      "program_types": ["reintegration"], "outcomes": [RECIDIVISM]}],
        "lessons": [{"text": "Families must be involved from the first month"}],
        "recommendations": [
            {"text": "Extend aftercare to 24 months", "outcomes": [RECIDIVISM]},
            {"id": "jobs", "text": "Partner with employers early"},
        ],
        "indicators": [
            {"code": "participants_enrolled", "value": 120},
            {"code": RECIDIVISM, "value": 8.5},
        ],
    }  # fmt: skip
    return fields | overrides


class TestStructuredFindings:
    def test_items_are_kept_with_ids_and_shown_to_readers(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        shown = client.get(f"/v1/entries/{entry['id']}", headers=bearer(reader)).json()
        assert [f["id"] for f in shown["findings"]] == ["f1"]
        assert shown["findings"][0]["outcomes"] == [RECIDIVISM]
        assert shown["lessons"][0]["id"] == "l1"
        assert [r["id"] for r in shown["recommendations"]] == ["r1", "jobs"]

    def test_unknown_codes_and_repeated_ids_name_the_field(
        self, client: TestClient, owner: str
    ) -> None:
        response = client.post(
            "/v1/entries",
            json={"kind": "evaluation", "title": "T", "findings": [
                {"text": "x", "outcomes": ["happiness"]}],
                "recommendations": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]},
            headers=bearer(owner),
        )  # fmt: skip
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"findings[0].outcomes[0]", "recommendations[1].id"}

    def test_an_empty_text_is_refused(self, client: TestClient, owner: str) -> None:
        response = client.post(
            "/v1/entries",
            json={"kind": "evaluation", "title": "T", "lessons": [{"text": ""}]},
            headers=bearer(owner),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].startswith("lessons[0].text")

    def test_edits_keep_ids_the_client_sends_back(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, **evaluation())
        kept = patch_entry(client, owner, entry["id"], recommendations=[
            {"text": "A new first one"}, *entry["recommendations"]])  # fmt: skip
        assert [r["id"] for r in kept["recommendations"]] == ["r2", "r1", "jobs"]

    def test_search_finds_the_items_and_names_the_field_that_matched(
        self, app: FastAPI, client: TestClient, owner: str, reader: str
    ) -> None:
        # None of these words is in the title, summary or body: only in the items.
        entry = published_entry(client, owner, **evaluation(
            findings=[{"text": "Reoffending fell among apprentices"}],
            lessons=[{"text": "Grandmothers were the strongest allies"}],
            recommendations=[{"text": "Hire beekeepers as mentors"}],
        ))  # fmt: skip
        wait_indexed(app)
        for word, field in (
            ("apprentices", "findings"),
            ("grandmothers", "lessons"),
            ("beekeepers", "recommendations"),
        ):
            body = client.get(
                "/v1/search", params={"q": word, "explain": "true"}, headers=bearer(reader)
            ).json()
            assert [hit["id"] for hit in body["hits"]] == [entry["id"]], word
            assert {"words": word, "field": field, "via": "word"}.items() <= (
                body["hits"][0]["matches"][0].items()
            ), body["hits"][0]["matches"]
        # An edit awaiting review changes nothing readers search: the published
        # version's items stay, the pending one's are not searchable.
        patch_entry(client, owner, entry["id"], findings=[{"text": "Zookeepers thrived"}])
        wait_indexed(app)
        assert client.get("/v1/search", params={"q": "apprentices"}).json()["total"] == 1
        assert client.get("/v1/search", params={"q": "zookeepers"}).json()["total"] == 0


class TestFollowUps:
    def test_the_owner_records_readers_see_and_the_tracker_counts(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/recommendations"
        put = client.put(
            f"{url}/r1/follow-up",
            json={"action": "Aftercare budget for year 2", "responsible_unit": "Programme unit",
                  "due_date": "2027-06-30", "status": "in_progress"},
            headers=bearer(owner),
        )  # fmt: skip
        assert put.status_code == 200, put.text
        listed = client.get(url, headers=bearer(reader)).json()["items"]
        assert listed[0]["follow_up"]["status"] == "in_progress"
        assert listed[0]["follow_up"]["due_date"] == "2027-06-30"
        assert listed[1]["follow_up"] is None
        tracker = client.get("/v1/follow-ups", headers=bearer(reader)).json()
        assert tracker["counts"] == {"in_progress": 1, "none": 1}
        pending = client.get("/v1/follow-ups?status=none", headers=bearer(reader)).json()
        assert [row["recommendation"]["id"] for row in pending["items"]] == ["jobs"]

    def test_only_the_owner_publishers_respond(
        self, client: TestClient, owner: str, reader: str, curator: str
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/recommendations/r1/follow-up"
        body = {"status": "done"}
        assert client.put(url, json=body, headers=bearer(reader)).status_code == 403
        assert client.put(url, json=body, headers=bearer(curator)).status_code == 403
        assert client.put(url, json=body).status_code == 401

    def test_bad_input(self, client: TestClient, owner: str) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/recommendations"
        missing = client.put(f"{url}/r9/follow-up", json={"status": "done"},
                             headers=bearer(owner))  # fmt: skip
        assert missing.status_code == 404
        bad = client.put(f"{url}/r1/follow-up", json={"status": "finished"},
                         headers=bearer(owner))  # fmt: skip
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "status"
        date = client.put(f"{url}/r1/follow-up", json={"status": "done", "due_date": "soon"},
                          headers=bearer(owner))  # fmt: skip
        assert date.json()["errors"][0]["field"] == "due_date"

    def test_a_draft_takes_no_follow_up(self, client: TestClient, owner: str) -> None:
        entry = create_entry(client, owner, **evaluation())
        response = client.put(
            f"/v1/entries/{entry['id']}/recommendations/r1/follow-up",
            json={"status": "planned"}, headers=bearer(owner),
        )  # fmt: skip
        assert response.status_code == 409

    def test_private_recommendations_stay_private(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = published_entry(client, owner, visibility="private", **evaluation())
        url = f"/v1/entries/{entry['id']}/recommendations"
        assert client.get(url, headers=bearer(reader)).status_code == 404
        assert client.get("/v1/follow-ups", headers=bearer(reader)).json()["items"] == []
        assert len(client.get("/v1/follow-ups", headers=bearer(owner)).json()["items"]) == 2


def rating(**overrides: Any) -> dict[str, Any]:
    return {"outcome": RECIDIVISM, "effect": "improved", "evaluation_design": "quasi_experimental",
            "evidence_level": "moderate",
            "reasoning": "Matched comparison group, 12-month follow-up, 20% attrition."
            } | overrides  # fmt: skip


class TestRatings:
    def test_history_is_kept_when_a_rating_changes_or_is_withdrawn(
        self, client: TestClient, owner: str, reader: str, curator: str
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/ratings"
        first = client.post(url, json=rating(), headers=bearer(curator))
        assert first.status_code == 201, first.text
        second = client.post(url, json=rating(effect="mixed", evidence_level="preliminary"),
                             headers=bearer(curator))  # fmt: skip
        assert second.status_code == 201
        shown = client.get(url, headers=bearer(reader)).json()
        assert [(r["effect"], r["current"]) for r in shown["current"]] == [("mixed", True)]
        assert [(r["id"], r["end_reason"]) for r in shown["history"]] == [
            (first.json()["id"], "changed")
        ]
        assert shown["current"][0]["rated_by"] == "A curator"
        assert "curator of" not in client.get(url, headers=bearer(reader)).text
        withdrawn = client.post(f"{url}/{second.json()['id']}/withdraw",
                                json={"comment": "Re-reviewed: attrition too high"},
                                headers=bearer(curator))  # fmt: skip
        assert withdrawn.json()["end_reason"] == "withdrawn"
        shown = client.get(url, headers=bearer(reader)).json()
        assert shown["current"] == []
        assert [r["end_reason"] for r in shown["history"]] == ["withdrawn", "changed"]
        again = client.post(f"{url}/{second.json()['id']}/withdraw", json={"comment": "x"},
                            headers=bearer(curator))  # fmt: skip
        assert again.status_code == 409

    def test_the_owner_disputes_and_everyone_sees_it(
        self, client: TestClient, owner: str, reader: str, curator: str
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/ratings"
        rated = client.post(url, json=rating(effect="no_effect"), headers=bearer(curator)).json()
        disputed = client.post(f"{url}/{rated['id']}/disputes",
                               json={"text": "The 36-month data show an effect."},
                               headers=bearer(owner))  # fmt: skip
        assert disputed.status_code == 201
        shown = client.get(url, headers=bearer(reader)).json()["current"][0]
        assert [d["text"] for d in shown["disputes"]] == ["The 36-month data show an effect."]
        assert client.post(f"{url}/{rated['id']}/disputes", json={"text": "x"},
                           headers=bearer(curator)).status_code == 403  # fmt: skip
        assert client.post(f"{url}/999/disputes", json={"text": "x"},
                           headers=bearer(owner)).status_code == 404  # fmt: skip

    def test_who_may_rate(
        self, client: TestClient, owner: str, reader: str, curator: str, app: FastAPI
    ) -> None:
        entry = published_entry(client, owner, **evaluation())
        url = f"/v1/entries/{entry['id']}/ratings"
        assert client.post(url, json=rating(), headers=bearer(owner)).status_code == 403
        assert client.post(url, json=rating(), headers=bearer(reader)).status_code == 403
        own_curator = member_token(app, "ngo-a", "curator", person="own")
        assert client.post(url, json=rating(), headers=bearer(own_curator)).status_code == 403
        draft = create_entry(client, owner, **evaluation())
        response = client.post(f"/v1/entries/{draft['id']}/ratings", json=rating(),
                               headers=bearer(curator))  # fmt: skip
        assert response.status_code == 404  # a curator never reads another's draft

    def test_bad_codes_name_the_field(self, client: TestClient, owner: str, curator: str) -> None:
        entry = published_entry(client, owner, **evaluation())
        response = client.post(
            f"/v1/entries/{entry['id']}/ratings",
            json=rating(outcome="happiness", evidence_level="gold", effect="improved"),
            headers=bearer(curator),
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"outcome", "evidence_level"}
        effect = client.post(f"/v1/entries/{entry['id']}/ratings", json=rating(effect="great"),
                             headers=bearer(curator))  # fmt: skip
        assert effect.json()["errors"][0]["field"] == "effect"


class TestProgramProfile:
    PROFILE = {
        "objectives": ["reintegration", "disengagement"],
        "entry_routes": ["voluntary", "amnesty_defection"],
        "disciplines": ["religious_leaders", "former_extremists", "families"],
        "law_enforcement_role": "Police vet referrals; no role in sessions",
        "reporting_rule": "imminent_harm_only",
        "reporting_detail": "The case manager reports a threat to life to the prosecutor",
        "legal_guarantees": "Statements made in sessions are not used in court",
        "aftercare": "12 months of mentoring", "retribution_protection": "Relocation fund",
        "community_involvement": "Community acceptance dialogues",
        "duration_months": 18, "cohort_size": 6, "cost_per_participant_usd": 2400,
    }  # fmt: skip

    def test_a_small_cohort_is_less_than_k_to_readers(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        entry = create_entry(client, owner, kind="program_profile", visibility="partners",
                             shared_with=["ngo-b"], profile=self.PROFILE)  # fmt: skip
        assert entry["profile"]["cohort_size"] == 6
        patch_entry(client, owner, entry["id"], summary="Shared with ngo-b")
        client.post(f"/v1/entries/{entry['id']}/publish", headers=bearer(owner))
        url = f"/v1/entries/{entry['id']}"
        if client.get(url, headers=bearer(owner)).json()["status"] != "published":
            pytest.skip("held for a curator by the guard: covered by the safety tests")
        shown = client.get(url, headers=bearer(reader)).json()["profile"]
        assert (shown["cohort_size"], shown["cohort_size_display"]) == (None, "< 10")
        assert shown["reporting_rule"] == "imminent_harm_only"
        revision = client.get(f"{url}/revisions/2", headers=bearer(reader))
        assert revision.json()["content"]["profile"]["cohort_size"] is None

    def test_bad_profile_fields_are_named(self, client: TestClient, owner: str) -> None:
        response = client.post(
            "/v1/entries",
            json={"kind": "program_profile", "title": "P",
                  "profile": {"disciplines": ["wizards"], "reporting_rule": "sometimes"}},
            headers=bearer(owner),
        )  # fmt: skip
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "profile.reporting_rule"
        codes = client.post(
            "/v1/entries",
            json={"kind": "program_profile", "title": "P", "profile": {"disciplines": ["wizards"]}},
            headers=bearer(owner),
        )
        assert codes.json()["errors"][0]["field"] == "profile.disciplines[0]"


class TestIndicators:
    def test_values_visible_to_the_caller_with_context(
        self, client: TestClient, owner: str, reader: str, curator: str
    ) -> None:
        kenya = published_entry(client, owner, **evaluation(), regions=["KE"],
                                period_end="2022-12-31")  # fmt: skip
        mali = published_entry(
            client, owner, title="Mali", regions=["ML"], program_types=["ddr"],
            indicators=[{"code": RECIDIVISM, "value": 14.0},
                        {"code": "follow_up_months", "value": 18}],
        )  # fmt: skip
        published_entry(client, owner, title="Private", visibility="private",
                        indicators=[{"code": RECIDIVISM, "value": 99.0}])  # fmt: skip
        client.post(f"/v1/entries/{kenya['id']}/ratings", json=rating(), headers=bearer(curator))
        body = client.get(f"/v1/indicators/{RECIDIVISM}", headers=bearer(reader)).json()
        assert body["unit"] == "percent"
        assert body["total"] == 2
        rows = {row["entry"]["id"]: row for row in body["items"]}
        assert set(rows) == {kenya["id"], mali["id"]}
        assert rows[kenya["id"]]["year"] == 2022
        assert rows[kenya["id"]]["follow_up_months"] == 12
        assert (rows[kenya["id"]]["evidence_level"], rows[kenya["id"]]["evidence_source"],
                rows[kenya["id"]]["effect"]) == ("moderate", "rating", "improved")  # fmt: skip
        assert rows[mali["id"]]["follow_up_months"] == 18
        assert rows[mali["id"]]["evidence_source"] == "entry"
        mine = client.get(f"/v1/indicators/{RECIDIVISM}", headers=bearer(owner)).json()
        assert mine["total"] == 3
        west = client.get(f"/v1/indicators/{RECIDIVISM}?region=011", headers=bearer(reader))
        assert [r["entry"]["id"] for r in west.json()["items"]] == [mali["id"]]
        ddr = client.get(f"/v1/indicators/{RECIDIVISM}?program_type=ddr&year_to=2021",
                         headers=bearer(reader))  # fmt: skip
        assert ddr.json()["total"] == 0

    def test_pages_add_up_to_the_whole_list_and_filters_admit_every_level(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        """A page is built alone (only its rows are read): pages of every size must
        join up to the whole list, in the CSV's order too. The region and program-type
        filters are narrowed in SQL by quoted codes, so an entry naming the region
        itself, a country in it, or a second type must still be found — and one
        naming only a wider region (Africa for West Africa) must not."""
        made: dict[str, str] = {}
        for title, regions, types, year in (
            ("Mali", ["ML"], ["ddr"], "2019-06-30"),
            ("West Africa", ["011"], ["reintegration", "ddr"], "2021-06-30"),
            ("Africa", ["002"], ["ddr"], "2020-06-30"),
            ("Sub-Saharan", ["202", "KE"], ["reintegration"], "2018-06-30"),
            ("Kenya", ["KE"], ["mentoring"], "2021-06-30"),
            ("France", ["FR"], ["psychosocial"], "2017-06-30"),
            ("Undated", ["ML", "FR"], ["ddr"], None),
            ("No type", ["ML"], [], "2016-06-30"),
        ):
            dated = {"period_end": year} if year else {}
            made[title] = published_entry(
                client, owner, title=title, regions=regions, program_types=types,
                indicators=[{"code": RECIDIVISM, "value": 10.0}], **dated,
            )["id"]  # fmt: skip
        url = f"/v1/indicators/{RECIDIVISM}"
        whole = client.get(f"{url}?per_page=1000", headers=bearer(reader)).json()
        assert whole["total"] == len(made)
        listed = [r["entry"]["id"] for r in whole["items"]]
        years = [r["year"] for r in whole["items"]]
        assert years == sorted(years)  # the undated one by its year of publication, last
        assert listed[-1] == made["Undated"]
        for per_page in (1, 2, 3):
            joined = []
            for page in range(1, len(made) // per_page + 2):
                body = client.get(f"{url}?per_page={per_page}&page={page}",
                                  headers=bearer(reader)).json()  # fmt: skip
                assert body["total"] == len(made)
                joined += [r["entry"]["id"] for r in body["items"]]
            assert joined == listed
        exported = client.get(f"{url}?format=csv", headers=bearer(reader)).text
        assert [r["entry_id"] for r in csv.DictReader(io.StringIO(exported))] == listed

        def found(query: str) -> set[str]:
            body = client.get(f"{url}?{query}", headers=bearer(reader)).json()
            assert body["total"] == len(body["items"])
            return {title for title, id_ in made.items() if id_ in
                    {r["entry"]["id"] for r in body["items"]}}  # fmt: skip

        assert found("region=011") == {"Mali", "West Africa", "Undated", "No type"}
        assert found("region=002") == {"Mali", "West Africa", "Africa", "Sub-Saharan", "Kenya",
                                       "Undated", "No type"}  # fmt: skip
        assert found("region=202") == {"Mali", "West Africa", "Sub-Saharan", "Kenya", "Undated",
                                       "No type"}  # fmt: skip
        assert found("region=150") == {"France", "Undated"}
        assert found("program_type=ddr") == {"Mali", "West Africa", "Africa", "Undated"}
        assert found("program_type=ddr&region=011&year_from=2020&year_to=2022") == {"West Africa"}
        assert found("program_type=psychosocial&program_type=mentoring") == {"France", "Kenya"}

    def test_small_cells_are_less_than_k_in_json_and_csv(
        self, client: TestClient, app: FastAPI, owner: str, reader: str
    ) -> None:
        member_token(app, "ngo-b", "reader")
        small = [{"code": "evaluation_sample_size", "value": 7},
                 {"code": RECIDIVISM, "value": 14.3, "note": "1 of 7 from Gao"}]  # fmt: skip
        entry = create_entry(client, owner, visibility="partners", shared_with=["ngo-b"],
                             indicators=small)  # fmt: skip
        client.post(f"/v1/entries/{entry['id']}/publish", headers=bearer(owner))
        curator = curator_token(app)
        client.post(f"/v1/entries/{entry['id']}/release-hold", headers=bearer(curator))
        assert client.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()[
            "status"] == "published"  # fmt: skip
        row = client.get(f"/v1/indicators/{RECIDIVISM}", headers=bearer(reader)).json()["items"]
        assert [(r["value"], r["display"], r["note"]) for r in row] == [(None, "< 10", None)]
        exported = client.get(f"/v1/indicators/{RECIDIVISM}?format=csv", headers=bearer(reader))
        assert exported.headers["content-type"].startswith("text/csv")
        assert "14.3" not in exported.text
        assert "Gao" not in exported.text
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["value"] for r in rows] == ["< 10"]
        own = client.get(f"/v1/indicators/{RECIDIVISM}", headers=bearer(owner)).json()["items"]
        assert [(r["value"], r["note"]) for r in own] == [(14.3, "1 of 7 from Gao")]

    def test_a_hidden_organization_stays_hidden(self, client: TestClient, owner: str) -> None:
        published_entry(client, owner, organization_display="network",
                        indicators=[{"code": RECIDIVISM, "value": 10.0}])  # fmt: skip
        anonymous = client.get(f"/v1/indicators/{RECIDIVISM}").json()["items"]
        assert anonymous[0]["entry"]["organization"]["hidden"] is True
        assert "Ngo-A" not in client.get(f"/v1/indicators/{RECIDIVISM}?format=csv").text

    def test_bad_input(self, client: TestClient) -> None:
        assert client.get("/v1/indicators/happiness").status_code == 404
        bad = client.get(f"/v1/indicators/{RECIDIVISM}?region=XX9&program_type=magic")
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "query.region[0]", "query.program_type[0]"}  # fmt: skip
        years = client.get(f"/v1/indicators/{RECIDIVISM}?year_from=2020&year_to=2010")
        assert years.json()["errors"][0]["field"] == "query.year_to"
        fmt = client.get(f"/v1/indicators/{RECIDIVISM}?format=xml")
        assert fmt.status_code == 422


class TestProgramProfiles:
    def test_filter_and_compare(self, client: TestClient, owner: str, reader: str) -> None:
        first = published_entry(client, owner, kind="program_profile", title="Alpha",
                                profile={"objectives": ["reintegration"],
                                         "entry_routes": ["voluntary"], "cohort_size": 40,
                                         "reporting_rule": "never"})  # fmt: skip
        second = published_entry(client, owner, kind="program_profile", title="Beta",
                                 profile={"objectives": ["disengagement"],
                                          "entry_routes": ["amnesty_defection"],
                                          "reporting_rule": "any_offence"})  # fmt: skip
        hidden = published_entry(client, owner, kind="program_profile", title="Gamma",
                                 visibility="private",
                                 profile={"objectives": ["reintegration"]})  # fmt: skip
        everything = client.get("/v1/program-profiles", headers=bearer(reader)).json()
        assert [r["entry"]["title"] for r in everything["items"]] == ["Alpha", "Beta"]
        voluntary = client.get("/v1/program-profiles?entry_route=voluntary&objective=reintegration",
                               headers=bearer(reader)).json()  # fmt: skip
        assert [r["entry"]["id"] for r in voluntary["items"]] == [first["id"]]
        both = client.get(f"/v1/program-profiles/compare?id={second['id']}&id={first['id']}",
                          headers=bearer(reader)).json()  # fmt: skip
        assert [r["entry"]["id"] for r in both["items"]] == [second["id"], first["id"]]
        assert both["items"][1]["profile"]["cohort_size_display"] == "40"
        with_hidden = client.get(f"/v1/program-profiles/compare?id={first['id']}&id={hidden['id']}",
                                 headers=bearer(reader))  # fmt: skip
        assert with_hidden.status_code == 404
        mine = client.get(f"/v1/program-profiles/compare?id={first['id']}&id={hidden['id']}",
                          headers=bearer(owner))  # fmt: skip
        assert mine.status_code == 200
        page = client.get(f"/profiles/compare?id={first['id']}&id={second['id']}")
        assert page.status_code == 200
        assert "Alpha" in page.text
        assert "never reported" in page.text
        listing = client.get("/profiles?objective=disengagement")
        assert "Beta" in listing.text
        assert "Alpha" not in listing.text

    def test_bad_input(self, client: TestClient) -> None:
        one = client.get("/v1/program-profiles/compare?id=abc")
        assert one.status_code == 422
        assert one.json()["errors"][0]["field"] == "query.id"
        bad = client.get("/v1/program-profiles?objective=peace&discipline=wizards")
        assert {e["field"] for e in bad.json()["errors"]} >= {"query.objective[0]"}
        codes = client.get("/v1/program-profiles?discipline=wizards")
        assert codes.json()["errors"][0]["field"] == "query.discipline[0]"


class TestGapMap:
    def test_counts_equal_an_independent_count(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        specs = [  # regions, program types, evidence level, visibility
            (["KE"], ["reintegration", "mentoring"], "moderate", "public"),
            (["KE", "UG"], ["reintegration"], "strong", "public"),
            (["ML"], ["ddr"], "preliminary", "public"),
            (["ML"], ["ddr"], "strong", "private"),
            (["FR"], ["reintegration"], None, "public"),
            (["014"], ["ddr"], "strong", "public"),  # a sub-region: counts in 202
            (["002"], ["ddr"], "moderate", "public"),  # Africa itself: in no sub-region
        ]
        for regions, types, level, visibility in specs:
            published_entry(client, owner, regions=regions, program_types=types,
                            evidence_level=level, visibility=visibility)  # fmt: skip
        published_entry(client, owner, kind="lessons_learned", regions=["KE"])
        body = client.get("/v1/gap-map?region=002", headers=bearer(reader)).json()
        cells = {(c["region"], c["program_type"]): c for c in body["cells"]}
        # Independently: Africa's sub-regions are 015 (Northern) and 202 (Sub-Saharan).
        assert {r["code"] for r in body["rows"]} == {"015", "202"}
        assert cells[("202", "reintegration")]["total"] == 2
        assert cells[("202", "reintegration")]["by_level"] == {"moderate": 1, "strong": 1}
        assert cells[("202", "ddr")]["by_level"] == {"preliminary": 1, "strong": 1}
        assert cells[("202", "mentoring")]["total"] == 1
        assert cells[("015", "ddr")]["total"] == 0
        assert "region=202" in cells[("202", "ddr")]["search_href"]
        drill = client.get("/v1/gap-map?region=014&program_type=reintegration",
                           headers=bearer(reader)).json()  # fmt: skip
        drilled = {(c["region"], c["program_type"]): c["total"] for c in drill["cells"]}
        assert drilled[("KE", "reintegration")] == 2
        assert drilled[("UG", "reintegration")] == 1
        assert [c["code"] for c in drill["columns"]] == ["reintegration"]
        mine = client.get("/v1/gap-map?region=011&program_type=ddr", headers=bearer(owner))
        assert {c["region"]: c["total"] for c in mine.json()["cells"]}["ML"] == 2
        world = client.get("/v1/gap-map", headers=bearer(reader)).json()
        europe = {(c["region"], c["program_type"]): c for c in world["cells"]}[
            ("150", "reintegration")]  # fmt: skip
        assert europe["by_level"] == {"not_assessed": 1}
        africa_ddr = {(c["region"], c["program_type"]): c for c in world["cells"]}[("002", "ddr")]
        assert africa_ddr["by_level"] == {"preliminary": 1, "strong": 1, "moderate": 1}
        exported = client.get("/v1/gap-map?region=002&format=csv", headers=bearer(reader))
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert {(r["region"], r["program_type"]): r["strong"] for r in rows}[
            ("202", "reintegration")] == "1"  # fmt: skip
        page = client.get("/gap-map?region=002&program_type=", headers=bearer(reader))
        assert page.status_code == 200
        assert 'href="/search?region=202&amp;program_type=reintegration&amp;kind=evaluation"' in (
            page.text
        )

    def test_a_grant_counts_until_it_ends_and_cells_follow_retraction(
        self, app: FastAPI, client: TestClient, owner: str, reader: str, curator: str
    ) -> None:
        """Cells hold an entry's lasting readers; one read only through a grant is
        counted live, so it stops counting when the grant expires (time, not a write)."""
        url = "/v1/gap-map?region=014&program_type=reintegration"

        def kenya(token: str) -> int:
            body = client.get(url, headers=bearer(token)).json()
            return {c["region"]: c["total"] for c in body["cells"]}["KE"]

        private = published_entry(client, owner, regions=["KE"], visibility="private",
                                  program_types=["reintegration"])  # fmt: skip
        public = published_entry(client, owner, regions=["KE", "UG"],
                                 program_types=["reintegration", "ddr"])  # fmt: skip
        assert (kenya(reader), kenya(owner)) == (1, 2)
        with app.state.session_factory() as session, session.begin():
            reader_org = session.scalar(select(Organization.id).where(
                Organization.slug == "ngo-b"))  # fmt: skip
            session.add(AccessGrant(entry_id=private["id"], organization_id=reader_org,
                                    expires_at=utcnow() + timedelta(days=1)))  # fmt: skip
        assert kenya(reader) == 2
        with app.state.session_factory() as session, session.begin():
            session.execute(update(EntryReader).where(EntryReader.entry_id == private["id"],
                                                      EntryReader.expires_at.is_not(None))
                            .values(expires_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
        assert kenya(reader) == 1
        retracted = client.post(f"/v1/entries/{public['id']}/retract",
                                json={"reason": "other"},
                                headers=bearer(curator))  # fmt: skip
        assert retracted.status_code == 200, retracted.text
        assert (kenya(reader), kenya(owner)) == (0, 1)

    def test_the_migration_fills_the_cells_the_flush_hook_writes(
        self, client: TestClient, owner: str, database: DatabaseUnderTest
    ) -> None:
        published_entry(client, owner, regions=["KE", "UG"], program_types=["ddr", "mentoring"],
                        evidence_level="strong", period_end="2021-06-30")  # fmt: skip
        published_entry(client, owner, regions=["FR"], visibility="private")
        published_entry(client, owner, regions=["ML"], program_types=[])  # one cell per region
        create_entry(client, owner, regions=["ML"])  # a draft: no cells

        def cells() -> tuple[list[Any], list[Any]]:
            with database.engine.connect() as connection:
                return (
                    sorted(connection.execute(select(*GapCell.__table__.columns)).all()),
                    sorted(connection.execute(select(*GapReaders.__table__.columns)).all()),
                )

        written = cells()
        # KE, UG, 014, 202, 002, 001 by two types; FR, 155, 150, 001 by the default two;
        # ML, 011, 202, 002, 001 with no type.
        assert len(written[0]) == 6 * 2 + 4 * 2 + 5
        downgrade(database.engine, "access_0002")
        upgrade(database.engine, "head")
        assert cells() == written

    def test_bad_filters_name_the_field(self, client: TestClient) -> None:
        bad = client.get("/v1/gap-map?region=XX9&kind=poem&year_from=2020&year_to=2000")
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "query.region", "query.kind[0]", "query.year_to"}  # fmt: skip


class TestProgramTimeline:
    def test_evaluations_in_order_only_the_readable_ones(
        self, client: TestClient, owner: str, reader: str, app: FastAPI
    ) -> None:
        program = published_entry(client, owner, kind="program_profile", title="Programme",
                                  profile={"objectives": ["reintegration"]})  # fmt: skip
        for year, value, visibility in ((2024, 9.0, "public"), (2018, 15.0, "public"),
                                         (2021, 11.0, "private")):  # fmt: skip
            published_entry(client, owner, title=f"Evaluation {year}", program_id=program["id"],
                            period_end=f"{year}-06-30", visibility=visibility,
                            indicators=[{"code": RECIDIVISM, "value": value}])  # fmt: skip
        url = f"/v1/entries/{program['id']}/timeline"
        shown = client.get(url, headers=bearer(reader)).json()["items"]
        assert [(i["year"], i["indicators"][RECIDIVISM]["value"]) for i in shown] == [
            (2018, 15.0), (2024, 9.0)]  # fmt: skip
        mine = client.get(url, headers=bearer(owner)).json()["items"]
        assert [i["year"] for i in mine] == [2018, 2021, 2024]
        page = client.get(f"/entries/{program['id']}/evidence", headers=bearer(reader))
        assert "Evaluation 2018" in page.text
        assert "Evaluation 2021" not in page.text

    def test_program_id_must_be_a_profile_of_the_same_organization(
        self, client: TestClient, owner: str, app: FastAPI
    ) -> None:
        other = member_token(app, "ngo-c", "publisher", person="cy")
        theirs = published_entry(client, other, kind="program_profile", title="Theirs")
        evaluation_only = create_entry(client, owner)
        for program_id in (theirs["id"], evaluation_only["id"], "nosuchentry"):
            response = client.post("/v1/entries", json={"kind": "evaluation", "title": "E",
                                                        "program_id": program_id},
                                   headers=bearer(owner))  # fmt: skip
            assert response.status_code == 422, program_id
            assert response.json()["errors"][0]["field"] == "program_id"

    def test_a_private_program_is_not_named_to_readers(
        self, client: TestClient, owner: str, reader: str
    ) -> None:
        program = published_entry(client, owner, kind="program_profile", visibility="private")
        evaluation = published_entry(client, owner, program_id=program["id"])
        shown = client.get(f"/v1/entries/{evaluation['id']}", headers=bearer(reader)).json()
        assert shown["program_id"] is None
        mine = client.get(f"/v1/entries/{evaluation['id']}", headers=bearer(owner)).json()
        assert mine["program_id"] == program["id"]


class TestDemoData:
    def test_the_demo_shows_every_evidence_feature(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient
    ) -> None:
        load_demo(app.state.settings, database.engine, size=120, seed=20261128,
                  program_series_too=True)  # fmt: skip
        timeline = client.get("/v1/entries/demo-program-1/timeline").json()["items"]
        assert len(timeline) >= 3
        years = [item["year"] for item in timeline]
        assert years == sorted(years)
        assert all("recidivism_any_36m" in item["indicators"] for item in timeline)
        assert client.get("/v1/follow-ups").json()["items"]
        assert sum(c["total"] for c in client.get("/v1/gap-map").json()["cells"]) > 0
        assert client.get("/v1/indicators/recidivism_any_24m").json()["total"] >= 3
        profiles = client.get("/v1/program-profiles").json()["items"]
        assert any(p["profile"]["reporting_rule"] for p in profiles)

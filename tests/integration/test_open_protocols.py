"""Open protocols for the world, public entries only: OAI-PMH harvested by a real
harvester no one here wrote (`oaipmh-scythe`, over loopback HTTP), schema.org
JSON-LD, and Atom feeds of searches parsed by `feedparser`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import feedparser
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig
from oaipmh_scythe.exceptions import NoRecordsMatch
from sqlalchemy import update

from api.config import Settings
from api.main import create_app
from api.models import OaiRecord
from api.models.base import utcnow
from tests.factories import (
    bearer,
    curator_token,
    member_token,
    patch_entry,
    publish,
    published_entry,
    wait_indexed,
)
from tests.loopback import serve


@pytest.fixture
def small_pages(settings: Settings) -> Settings:
    settings.oai_batch_size = 2
    return settings


@pytest.fixture
def base_url(small_pages: Settings, app: FastAPI, client: TestClient) -> Iterator[str]:
    with serve(app) as url:
        yield url


def harvest(base_url: str, **arguments: str) -> list:
    with Scythe(f"{base_url}/oai") as scythe:
        return list(scythe.list_records(**arguments))


def oai_id(app: FastAPI, entry_id: str) -> str:
    host = app.state.settings.issuer.split("//", 1)[1]
    return f"oai:{host}:{entry_id}"


class TestOaiPmh:
    def test_identify_declares_persistent_deletions_and_seconds(self, base_url: str) -> None:
        with Scythe(f"{base_url}/oai") as scythe:
            identify = scythe.identify()
        assert identify.deletedRecord == "persistent"
        assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
        assert identify.protocolVersion == "2.0"

    def test_full_harvest_follows_resumption_tokens_and_shows_public_entries_only(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        public = [published_entry(client, token, title=f"Public {n}")["id"] for n in range(5)]
        published_entry(client, token, visibility="network", title="Network only")
        published_entry(client, token, visibility="private", title="Private")
        records = harvest(base_url)
        assert sorted(r.header.identifier for r in records) == sorted(
            oai_id(app, i) for i in public
        )
        assert {r.metadata["title"][0] for r in records} == {f"Public {n}" for n in range(5)}
        assert not any(r.deleted for r in records)

    def test_a_retracted_or_narrowed_entry_stays_as_a_deleted_record(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        retracted = published_entry(client, token, title="Retracted later")
        narrowed = published_entry(client, token, title="Narrowed later")
        client.post(
            f"/v1/entries/{retracted['id']}/retract",
            json={"reason": "consent_withdrawn"},
            headers=bearer(curator_token(app)),
        )
        patch_entry(client, token, narrowed["id"], visibility="private")
        publish(client, token, narrowed["id"])
        records = {r.header.identifier: r for r in harvest(base_url)}
        for entry in (retracted, narrowed):
            record = records[oai_id(app, entry["id"])]
            assert record.deleted
            assert not hasattr(record, "metadata") or not record.metadata
        with Scythe(f"{base_url}/oai") as scythe:
            got = scythe.get_record(identifier=oai_id(app, narrowed["id"]))
        assert got.deleted

    def test_an_incremental_harvest_from_a_date_gets_only_later_changes(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        old = published_entry(client, token, title="Old")
        with app.state.session_factory() as session, session.begin():
            session.execute(
                update(OaiRecord).values(
                    datestamp=utcnow().replace(microsecond=0) - timedelta(days=2)
                )
            )
        since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        new = published_entry(client, token, title="New")
        records = harvest(base_url, from_=since)
        assert [r.header.identifier for r in records] == [oai_id(app, new["id"])]
        # the datestamp shown is the one `from` selects on, at seconds granularity
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", records[0].header.datestamp)
        assert records[0].header.datestamp >= since
        assert oai_id(app, old["id"]) in {r.header.identifier for r in harvest(base_url)}

    def test_sets_per_program_type_and_region(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        mentoring = published_entry(client, token, program_types=["mentoring"], regions=["ML"])
        published_entry(client, token, program_types=["reintegration"], regions=["KE"])
        with Scythe(f"{base_url}/oai") as scythe:
            specs = {s.setSpec for s in scythe.list_sets()}
        assert {"program_type", "region", "program_type:mentoring", "region:ML"} <= specs
        records = harvest(base_url, set_="program_type:mentoring")
        assert [r.header.identifier for r in records] == [oai_id(app, mentoring["id"])]

    def test_sets_per_public_collection_follow_its_items_and_visibility(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        first = published_entry(client, token, title="First")
        second = published_entry(client, token, title="Second")
        curator = bearer(curator_token(app))
        created = client.post(
            "/v1/collections",
            headers=curator,
            json={"slug": "returnees", "title": "Returnee programs", "visibility": "public"},
        )
        assert created.status_code == 201, created.text
        put = client.put("/v1/collections/returnees/items", headers=curator,
                         json={"items": [{"entry_id": first["id"]}]})  # fmt: skip
        assert put.status_code == 200, put.text

        def members() -> list[str]:
            return [r.header.identifier for r in harvest(base_url, set_="collection:returnees")]

        with Scythe(f"{base_url}/oai") as scythe:
            sets = {s.setSpec: s.setName for s in scythe.list_sets()}
        assert sets["collection:returnees"] == "Returnee programs"
        assert members() == [oai_id(app, first["id"])]
        third = published_entry(client, token, title="Third")
        with app.state.session_factory() as session, session.begin():
            session.execute(
                update(OaiRecord).values(
                    datestamp=utcnow().replace(microsecond=0) - timedelta(days=2)
                )
            )
        since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

        client.put("/v1/collections/returnees/items", headers=curator, json={"items": [
            {"entry_id": second["id"]}]})  # fmt: skip
        # Leaving and joining the set are changes of those records (new datestamps);
        # an entry the change does not concern keeps its own.
        changed = {r.header.identifier for r in harvest(base_url, from_=since)}
        assert changed == {oai_id(app, first["id"]), oai_id(app, second["id"])}
        assert oai_id(app, third["id"]) not in changed
        assert members() == [oai_id(app, second["id"])]

        # Network-only: the set and its name are gone from every header.
        client.patch("/v1/collections/returnees", headers=curator, json={"visibility": "network"})
        with Scythe(f"{base_url}/oai") as scythe:
            assert "collection:returnees" not in {s.setSpec for s in scythe.list_sets()}
        assert not any("collection:returnees" in r.header.setSpecs for r in harvest(base_url))
        with pytest.raises(NoRecordsMatch):  # the protocol's answer for an empty set
            members()

    def test_a_resumption_token_survives_a_restart(
        self, app: FastAPI, client: TestClient, base_url: str, small_pages: Settings
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        for n in range(3):
            published_entry(client, token, title=f"Entry {n}")
        params = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
        first = httpx.get(f"{base_url}/oai", params=params)
        resumption = re.search(r"<resumptionToken[^>]*>([^<]+)<", first.text)
        assert resumption is not None
        restarted = create_app(small_pages)
        with TestClient(restarted), serve(restarted) as other:
            params = {"verb": "ListIdentifiers", "resumptionToken": resumption.group(1)}
            rest = httpx.get(f"{other}/oai", params=params)
        assert rest.status_code == 200
        assert rest.text.count("<identifier>") == 1
        assert "<error" not in rest.text

    def test_post_with_a_form_body_is_answered_like_get(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        entry = published_entry(client, member_token(app, "sahel-ngo", "publisher"))
        with Scythe(f"{base_url}/oai", http_config=HTTPConfig(http_method="POST")) as scythe:
            records = list(scythe.list_records())
        assert [r.header.identifier for r in records] == [oai_id(app, entry["id"])]

    def test_bad_arguments_are_oai_errors(self, base_url: str) -> None:
        for params, code in (
            ({"verb": "Nonsense"}, "badVerb"),
            ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
            ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"},
             "badArgument"),
            ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:y"},
             "idDoesNotExist"),
        ):  # fmt: skip
            response = httpx.get(f"{base_url}/oai", params=params)
            assert f'code="{code}"' in response.text, params


class TestJsonLd:
    def test_public_entry_as_json_ld_and_in_its_page(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        entry = published_entry(client, token, title="Mentors </script> in Gao")
        response = client.get(
            f"/v1/entries/{entry['id']}", headers={"Accept": "application/ld+json"}
        )
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert (document["@context"], document["name"]) == (
            "https://schema.org",
            "Mentors </script> in Gao",
        )
        page = client.get(f"/entries/{entry['id']}").text
        embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert embedded is not None
        assert json.loads(embedded.group(1))["name"] == "Mentors </script> in Gao"

    def test_no_json_ld_for_what_the_public_may_not_read(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        network = published_entry(client, token, visibility="network")
        response = client.get(
            f"/v1/entries/{network['id']}",
            headers={**bearer(token), "Accept": "application/ld+json"},
        )
        assert response.status_code == 404
        page = client.get(f"/entries/{network['id']}", headers=bearer(token)).text
        assert "application/ld+json" not in page


class TestAtom:
    def test_a_search_feed_lists_public_matches_newest_first(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        first = published_entry(client, token, title="Sahel reintegration one", regions=["ML"])
        second = published_entry(client, token, title="Sahel reintegration two", regions=["ML"])
        published_entry(client, token, title="Sahel reintegration network", visibility="network")
        published_entry(client, token, title="Kenya mentoring", regions=["KE"])
        wait_indexed(app)
        response = client.get(
            "/feeds/search.atom", params={"q": "reintegration", "region": "ML"},
            headers=bearer(token),  # a member's feed is the public's: shareable
        )  # fmt: skip
        assert response.headers["content-type"].startswith("application/atom+xml")
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        links = [e.link for e in parsed.entries]
        base = app.state.settings.issuer
        assert sorted(links) == sorted(f"{base}/entries/{e['id']}" for e in (first, second))

    def test_bad_search_parameters_are_problems_naming_the_field(self, client: TestClient) -> None:
        response = client.get("/feeds/search.atom", params={"year_from": "soon"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestAtomControlCharacters:
    """XML cannot carry most C0 control characters: a feed must neither fail on one
    in the words asked for, nor on one pasted into an entry (nor OAI-PMH, below)."""

    def test_an_entry_with_a_control_character_is_harvested_without_it(
        self, app: FastAPI, client: TestClient, base_url: str
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        published_entry(client, token, title="Gao\x0b mentoring review",
                        summary="Pasted\x07 from a report")  # fmt: skip
        published_entry(client, token, title="A clean neighbour")
        records = harvest(base_url)
        assert sorted(r.metadata["title"][0] for r in records) == [
            "A clean neighbour", "Gao mentoring review"
        ]  # fmt: skip
        assert ["Pasted from a report"] in [r.metadata.get("description") for r in records]

    def test_a_control_character_in_the_words_is_a_problem_naming_q(
        self, client: TestClient
    ) -> None:
        response = client.get("/feeds/search.atom", params={"q": "reintegration\x0bMali"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["query.q"]

    def test_a_control_character_in_an_entry_is_left_out_of_the_feed(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "sahel-ngo", "publisher")
        entry = published_entry(client, token, title="Gao\x0b mentoring review",
                                summary="Pasted\x07 from a report")  # fmt: skip
        wait_indexed(app)
        response = client.get("/feeds/search.atom", params={"q": "mentoring"})
        assert response.status_code == 200, response.text
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, parsed.bozo_exception
        [item] = [e for e in parsed.entries if e.link.endswith(entry["id"])]
        assert (item.title, item.summary) == ("Gao mentoring review", "Pasted from a report")

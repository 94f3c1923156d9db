"""Related entries (`/v1/entries/{id}/related`) and search exports
(`/v1/search/export`, CSV/RIS/BibTeX) end to end: API → visibility → embedded
engine → files parsed back with `csv`, `rispy` and `bibtexparser` and compared
with what the caller may read."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, create_entry, member_token, published_entry, wait_indexed

WORD = "kestrelwing"
HOSTILE_TITLE = '=HYPERLINK("http://evil.example") ' + WORD + " } @misc{injected, title={x}"


@dataclass
class World:
    owner: str  # publisher of ngo-a
    member: str  # reader of ngo-b
    base: str  # public, reintegration+mentoring in KE: the entry related entries are asked of
    alike: str  # public, same program types and region
    elsewhere: str  # public, a shared program type, in Nigeria
    unlike: str  # public, nothing shared but the word
    network: str  # network, members only
    private: str  # private to ngo-a
    hidden_org: str  # public, by ngo-c, its organization known to members only
    hostile: str  # public, text built to break files


def entry(**overrides: Any) -> dict[str, Any]:
    return {"title": f"Community {WORD} reintegration", **overrides}


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> World:
    owner = member_token(app, "ngo-a", "publisher")
    member = member_token(app, "ngo-b", "reader", person="bo")
    hider = member_token(app, "ngo-c", "publisher", person="cy")

    def make(token: str, **fields: Any) -> str:
        return str(published_entry(client, token, **entry(**fields))["id"])

    world = World(
        owner=owner,
        member=member,
        base=make(owner, authors=["Wanjiru Kamau", "Otieno, J."], license="CC-BY-4.0",
                  internal_notes="call Amadou first"),
        alike=make(owner, title=f"Mentoring {WORD} returnees in Nairobi"),
        elsewhere=make(owner, title=f"{WORD} families", regions=["NG"],
                       program_types=["reintegration"]),
        unlike=make(owner, title=f"{WORD} prison education", regions=["FR"],
                    program_types=["exit_disengagement"], target_populations=[]),
        network=make(owner, visibility="network", title=f"{WORD} network study"),
        private=make(owner, visibility="private", title=f"{WORD} private study"),
        hidden_org=make(hider, organization_display="network", title=f"{WORD} hidden study",
                        authors=["Amina Bello"]),
        hostile=make(owner, title=HOSTILE_TITLE, authors=["+SUM(A1:A9)", "@cmd"],
                     summary="First line\nER  - \nTY  - JOUR\n@article{evil,\ntitle={x}}"),
    )  # fmt: skip
    # Never published: invisible to everyone but its owner, and never searched.
    create_entry(client, owner, title=f"{WORD} draft")
    wait_indexed(app)
    return world


def search_ids(client: TestClient, token: str | None) -> list[str]:
    body = client.get("/v1/search", params={"q": WORD, "per_page": 100}, headers=bearer(token))
    assert body.status_code == 200, body.text
    return [hit["id"] for hit in body.json()["hits"]]


def related(client: TestClient, token: str | None, entry_id: str, **params: Any) -> list[str]:
    response = client.get(f"/v1/entries/{entry_id}/related", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["entry_id"] == entry_id
    return [item["id"] for item in response.json()["items"]]


def export(client: TestClient, token: str | None, format: str, **params: Any) -> str:
    response = client.get(
        "/v1/search/export", params={"q": WORD, "format": format, **params}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    return response.text


def parse_bibtex(text: str) -> list[Any]:
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return list(library.entries)


class TestRelated:
    def test_shares_program_types_and_regions_first_and_never_itself(
        self, client: TestClient, world: World
    ) -> None:
        got = related(client, None, world.base, limit=20)
        assert world.base not in got
        assert set(got) == set(search_ids(client, None)) - {world.base}
        # Same program types and region, then a shared program type, then words only.
        assert got.index(world.alike) < got.index(world.elsewhere) < got.index(world.unlike)
        assert related(client, None, world.base) == got[:5]
        assert related(client, None, world.base, limit=1) == got[:1]

    def test_only_entries_the_caller_may_read(self, client: TestClient, world: World) -> None:
        anonymous = set(related(client, None, world.base, limit=20))
        assert not anonymous & {world.network, world.private}
        member = set(related(client, world.member, world.base, limit=20))
        assert world.network in member
        assert world.private not in member
        assert member == set(search_ids(client, world.member)) - {world.base}
        owner = set(related(client, world.owner, world.base, limit=20))
        assert world.private in owner
        assert owner == set(search_ids(client, world.owner)) - {world.base}

    def test_hidden_organizations_stay_hidden(self, client: TestClient, world: World) -> None:
        response = client.get(f"/v1/entries/{world.base}/related", params={"limit": 20})
        items = {item["id"]: item for item in response.json()["items"]}
        assert items[world.hidden_org]["organization"]["hidden"] is True
        assert "Ngo-C" not in response.text
        member = client.get(
            f"/v1/entries/{world.base}/related", params={"limit": 20}, headers=bearer(world.member)
        )
        named = {item["id"]: item for item in member.json()["items"]}
        assert named[world.hidden_org]["organization"]["name"] == "Ngo-C"

    def test_an_entry_the_caller_may_not_read_is_404(
        self, client: TestClient, world: World
    ) -> None:
        for token, entry_id in (
            (None, world.private),
            (None, world.network),
            (world.member, world.private),
            (None, "doesnotexist00"),
        ):
            response = client.get(f"/v1/entries/{entry_id}/related", headers=bearer(token))
            assert response.status_code == 404, (entry_id, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        # Its owner reads it, and so its related entries.
        assert world.base in related(client, world.owner, world.private, limit=20)

    def test_bad_limit(self, client: TestClient, world: World) -> None:
        for limit in ("0", "21", "many"):
            response = client.get(f"/v1/entries/{world.base}/related", params={"limit": limit})
            assert response.status_code == 422
            assert response.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in response.json()["errors"]] == ["query.limit"]


class TestExport:
    @pytest.mark.parametrize("token_name", ["anonymous", "member", "owner"])
    def test_formats_hold_exactly_the_visible_hits(
        self, client: TestClient, world: World, token_name: str
    ) -> None:
        token = {"anonymous": None, "member": world.member, "owner": world.owner}[token_name]
        hits = search_ids(client, token)
        assert world.hidden_org in hits
        rows = list(csv.DictReader(io.StringIO(export(client, token, "csv"))))
        assert [row["id"] for row in rows] == hits
        records = rispy.loads(export(client, token, "ris"))
        assert [r["id"] for r in records] == hits
        bib = parse_bibtex(export(client, token, "bibtex"))
        assert [b.key for b in bib] == hits

        readable = {
            entry_id: client.get(f"/v1/entries/{entry_id}", headers=bearer(token)).json()
            for entry_id in hits
        }
        for row, record, item in zip(rows, records, bib, strict=True):
            shown = readable[row["id"]]
            organization = None if shown["organization"]["hidden"] else shown["organization"]
            assert row["title"].lstrip("'") == shown["title"]
            assert record["title"] == shown["title"]
            assert row["organization"] == (organization["name"] if organization else "")
            assert record.get("publisher") == (organization["name"] if organization else None)
            assert item.fields_dict.get("institution") is None or organization is not None
            assert row["authors"].lstrip("'") == "; ".join(shown["authors"])
            assert record.get("authors", []) == shown["authors"]
            assert row["program_types"] == "; ".join(shown["program_types"])
            assert row["evaluation_design"] == shown["evaluation_design"]
            assert row["evidence_level"] == shown["evidence_level"]
            assert row["language"] == record["language"] == shown["language"]
            assert row["summary"].lstrip("'") == shown["summary"]
            assert record["abstract"] == " ".join(shown["summary"].split())
            assert row["year"] == record["year"] == item["year"] == shown["published_at"][:4]
            assert row["url"] == record["urls"][0] == item["url"]
            assert row["url"].endswith(f"/entries/{row['id']}")
            assert row["license"] == (shown["license"] or "")
            if row["id"] != world.hostile:
                assert item["title"] == shown["title"]

    def test_hidden_organizations_and_protected_fields_never_appear(
        self, client: TestClient, world: World
    ) -> None:
        for format in ("csv", "ris", "bibtex"):
            anonymous = export(client, None, format)
            assert "Ngo-C" not in anonymous
            assert "Amadou" not in anonymous
            assert "Amadou" not in export(client, world.owner, format)
            assert "Ngo-C" in export(client, world.member, format)
        member = rispy.loads(export(client, world.member, "ris"))
        assert {r["id"]: r.get("publisher") for r in member}[world.hidden_org] == "Ngo-C"
        anonymous_ris = rispy.loads(export(client, None, "ris"))
        assert "publisher" not in {r["id"]: r for r in anonymous_ris}[world.hidden_org]
        bib = {b.key: b for b in parse_bibtex(export(client, None, "bibtex"))}
        assert "publisher" not in bib[world.hidden_org].fields_dict
        assert "institution" not in bib[world.hidden_org].fields_dict
        assert bib[world.base]["institution"] == "Ngo-A"

    def test_hostile_text_stays_in_its_cell_and_record(
        self, client: TestClient, world: World
    ) -> None:
        rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export(client, None, "csv")))}
        hostile = rows[world.hostile]
        assert hostile["title"] == "'" + HOSTILE_TITLE
        assert hostile["authors"] == "'+SUM(A1:A9); @cmd"
        for row in rows.values():
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@")), value
        records = {r["id"]: r for r in rispy.loads(export(client, None, "ris"))}
        assert len(records) == len(rows)
        assert records[world.hostile]["title"] == HOSTILE_TITLE
        assert records[world.hostile]["abstract"].startswith("First line ER - TY - JOUR")
        bib = {b.key: b for b in parse_bibtex(export(client, None, "bibtex"))}
        assert set(bib) == set(rows)
        # Braces are parentheses in BibTeX; LaTeX may write a straight quote as '' (read ”).
        expected = HOSTILE_TITLE.replace("{", "(").replace("}", ")")
        assert bib[world.hostile]["title"].replace("”", '"') == expected

    def test_filters_media_types_and_file_names(self, client: TestClient, world: World) -> None:
        media = {"csv": "text/csv", "ris": "application/x-research-info-systems",
                 "bibtex": "application/x-bibtex"}  # fmt: skip
        for format, extension in (("csv", "csv"), ("ris", "ris"), ("bibtex", "bib")):
            response = client.get(
                "/v1/search/export", params={"q": WORD, "format": format, "region": "NG"}
            )
            assert response.status_code == 200
            assert response.headers["content-type"].split(";")[0] == media[format]
            assert response.headers["content-disposition"] == (
                f'attachment; filename="offramp-search-{WORD}.{extension}"'
            )
            assert response.headers["x-total-count"] == "1"
            assert "link" not in response.headers
        rows = list(csv.DictReader(io.StringIO(export(client, None, "csv", region="NG"))))
        assert [(r["id"], r["countries"]) for r in rows] == [(world.elsewhere, "NG")]

    def test_bad_format_and_hostile_filters(self, client: TestClient, world: World) -> None:
        for params, fields in (
            ({"format": "xml"}, ["query.format"]),
            ({}, ["query.format"]),
            ({"format": "csv", "region": "XX9", "program_type": "magic"},
             ["query.region", "query.program_type"]),
            ({"format": "ris", "year_from": "2020", "year_to": "2010"}, ["query.year_from"]),
            ({"format": "bibtex", "organization": "' OR 1=1 --"}, ["query.organization"]),
            ({"format": "csv", "per_page": "0"}, ["query.per_page"]),
        ):  # fmt: skip
            response = client.get("/v1/search/export", params={"q": WORD, **params})
            assert response.status_code == 422, (params, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert sorted(e["field"] for e in response.json()["errors"]) == sorted(fields)


class TestRowCap:
    def test_a_file_holds_at_most_the_cap_and_links_the_next(
        self, app: FastAPI, client: TestClient, world: World
    ) -> None:
        # The node's setting, as an operator sets OFFRAMP_EXPORT_MAX_ROWS.
        app.state.settings = app.state.settings.model_copy(update={"export_max_rows": 3})
        hits = search_ids(client, world.owner)
        assert len(hits) > 6
        seen: list[str] = []
        url: str | None = f"/v1/search/export?q={WORD}&format=csv"
        while url is not None:
            response = client.get(url, headers=bearer(world.owner))
            assert response.status_code == 200, response.text
            assert response.headers["x-total-count"] == str(len(hits))
            rows = [r["id"] for r in csv.DictReader(io.StringIO(response.text))]
            assert 0 < len(rows) <= 3
            seen.extend(rows)
            link = response.headers.get("link")
            url = link.split(">")[0].lstrip("<") if link else None
            assert link is None or link.endswith('>; rel="next"')
        assert seen == hits

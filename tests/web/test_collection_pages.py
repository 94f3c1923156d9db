"""Collections and featured entries managed by curators over loopback HTTP: the
same refusals as `/v1/collections` and `PUT /v1/entries/{id}/featured`, each form
error at its input with the form filled back in, nothing changed by a refused or
token-less form, and what a curator features or collects reaching Home."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import bearer, create_entry, member_token, published_entry
from tests.web.forms_client import Member, field_error, member, soup
from tests.web.site import Site


@pytest.fixture
def curator(site: Site) -> Member:
    return member(site, "coordination", "curator", person="cora")


@pytest.fixture
def published(site: Site) -> dict[str, Any]:
    owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
    return published_entry(site.api, owner, title="Mentoring in Gao", visibility="public")


def api_collection(site: Site, slug: str) -> Any:
    token = member_token(site.app, "coordination", "curator", person="cora")
    return site.api.get(f"/v1/collections/{slug}", headers=bearer(token))


class TestWhoReachesIt:
    def test_only_curators_and_node_admins_as_the_api_says(self, site: Site) -> None:
        publisher = member(site, "sahel-ngo", "publisher", person="amina")
        assert publisher.http.get("/curation/collections").status_code == 403
        sent = {"new-slug": "x", "new-title": "X"}
        assert publisher.post("/curation/collections", sent).status_code == 403
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        api = site.api.post("/v1/collections", json={"slug": "x", "title": "X"},
                            headers=bearer(token))  # fmt: skip
        assert api.status_code == 403
        assert publisher.post("/curation/featured", {"feature-entry_id": "x"}).status_code == 403
        with site.http() as http:
            assert http.get("/curation/collections").status_code == 401
        assert site.api.get("/v1/collections/x").status_code == 404

    def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
        self, site: Site, curator: Member
    ) -> None:
        sent = {"new-slug": "no-token", "new-title": "No token"}
        refused = curator.post("/curation/collections", sent, with_token=False)
        assert refused.status_code == 403
        wrong = curator.post("/curation/collections", sent, token="not-the-token")
        assert wrong.status_code == 403
        assert api_collection(site, "no-token").status_code == 404


class TestCollections:
    def test_a_curator_creates_a_collection_fills_it_and_readers_see_it_on_home(
        self, site: Site, curator: Member, published: dict[str, Any]
    ) -> None:
        made = curator.post(
            "/curation/collections",
            {"new-slug": "mentoring", "new-title": "Mentoring", "new-description": "Start here",
             "new-visibility": "public"},
        )  # fmt: skip
        assert made.status_code == 303
        assert made.headers["location"] == "/curation/collections/mentoring"
        page = curator.http.get("/curation/collections/mentoring")
        assert page.status_code == 200
        assert soup(page).find(id="field-edit-title")["value"] == "Mentoring"  # type: ignore[index]
        shown = soup(page).select('input[name="edit-visibility"]')
        assert [(i["value"], i.has_attr("checked")) for i in shown] == [
            ("public", True), ("network", False)
        ]  # fmt: skip

        # Added by the address of its page, as copied from the browser.
        address = f"{site.url}/entries/{published['id']}"
        added = curator.post("/curation/collections/mentoring/items",
                             {"item-entry_id": address, "item-note": "A good start"})  # fmt: skip
        assert added.status_code == 303
        read = api_collection(site, "mentoring").json()
        assert [(i["entry"]["id"], i["note"]) for i in read["items"]] == [
            (published["id"], "A good start")
        ]
        with site.http() as http:
            home = http.get("/")
            assert "Mentoring" in [a.get_text() for a in soup(home).select(
                "section:has(#collections-title) h3 a")]  # fmt: skip

        edited = curator.post("/curation/collections/mentoring",
                              {"edit-title": "Mentoring programs", "edit-description": "",
                               "edit-visibility": "network"})  # fmt: skip
        assert edited.status_code == 303
        read = api_collection(site, "mentoring").json()
        assert (read["title"], read["visibility"]) == ("Mentoring programs", "network")
        assert site.api.get("/v1/collections/mentoring").status_code == 404  # network only now

        removed = curator.post(f"/curation/collections/mentoring/items/{published['id']}/remove")
        assert removed.status_code == 303
        assert api_collection(site, "mentoring").json()["items"] == []

    def test_refused_forms_show_each_error_at_its_input_and_change_nothing(
        self, site: Site, curator: Member, published: dict[str, Any]
    ) -> None:
        bad = curator.post("/curation/collections",
                           {"new-slug": "Bad Slug", "new-title": "Keep me"})  # fmt: skip
        assert bad.status_code == 422
        assert "pattern" in field_error(bad, "field-new-slug")
        assert soup(bad).find(id="field-new-title")["value"] == "Keep me"  # type: ignore[index]
        assert curator.post("/curation/collections",
                            {"new-slug": "ok", "new-title": "Ok"}).status_code == 303  # fmt: skip
        again = curator.post("/curation/collections", {"new-slug": "ok", "new-title": "Again"})
        assert again.status_code == 422
        assert "exists already" in field_error(again, "field-new-slug")
        untitled = curator.post("/curation/collections/ok", {"edit-title": ""})
        assert untitled.status_code == 422
        assert "at least 1 character" in field_error(untitled, "field-edit-title")
        assert api_collection(site, "ok").json()["title"] == "Ok"

        # A draft of the curator's own organization: they read it, it is not published.
        own = member_token(site.app, "coordination", "publisher", person="cyd")
        draft = create_entry(site.api, own, title="Still a draft", visibility="public")
        for typed, said in [
            ("no-such-entry", "no entry with this id is visible to you"),
            (draft["id"], "only published entries can be collected"),
            ("", "Give the entry's id or the address of its page."),
        ]:
            refused = curator.post("/curation/collections/ok/items",
                                   {"item-entry_id": typed, "item-note": "kept"})  # fmt: skip
            assert refused.status_code == 422, typed
            assert said in field_error(refused, "field-item-entry_id")
            assert soup(refused).find(id="field-item-note")["value"] == "kept"  # type: ignore[index]
        assert api_collection(site, "ok").json()["items"] == []
        assert curator.http.get("/curation/collections/nope").status_code == 404


class TestFeatured:
    def test_a_curator_features_an_entry_and_everyone_sees_it_on_home(
        self, site: Site, curator: Member, published: dict[str, Any]
    ) -> None:
        def home_featured() -> list[str]:
            with site.http() as http:
                return [a.get_text() for a in soup(http.get("/")).select(
                    "section:has(#featured-title) h3 a")]  # fmt: skip

        assert home_featured() == []
        done = curator.post("/curation/featured", {"feature-entry_id": published["id"],
                                                   "featured": "yes"})  # fmt: skip
        assert done.status_code == 303
        assert site.api.get(f"/v1/entries/{published['id']}").json()["featured"] is True
        assert home_featured() == ["Mentoring in Gao"]
        listed = site.api.get("/v1/entries?featured=true").json()
        assert [i["id"] for i in listed["items"]] == [published["id"]]
        page = curator.http.get("/curation/collections")
        section = soup(page).select_one("section:has(#featured-title)")
        assert section is not None
        assert "Mentoring in Gao" in section.get_text()

        stopped = curator.post("/curation/featured", {"feature-entry_id": published["id"],
                                                      "featured": "no"})  # fmt: skip
        assert stopped.status_code == 303
        assert home_featured() == []

    def test_featuring_is_refused_at_the_input_as_the_api_refuses_it(
        self, site: Site, published: dict[str, Any]
    ) -> None:
        # A curator of the owner organization does not feature its own work.
        curator = member(site, "sahel-ngo", "curator", person="sam")
        mine = published
        refused = curator.post("/curation/featured", {"feature-entry_id": mine["id"]})
        assert refused.status_code == 422
        assert field_error(refused, "field-feature-entry_id")
        assert soup(refused).find(id="field-feature-entry_id")["value"] == mine["id"]  # type: ignore[index]
        token = member_token(site.app, "sahel-ngo", "curator", person="sam")
        api = site.api.put(f"/v1/entries/{mine['id']}/featured", headers=bearer(token))
        assert api.status_code == 403
        assert api.json()["detail"] in field_error(refused, "field-feature-entry_id")

        unknown = curator.post("/curation/featured", {"feature-entry_id": "nothing-here"})
        assert "No entry with this id is visible to you." in field_error(
            unknown, "field-feature-entry_id"
        )
        assert site.api.get("/v1/entries?featured=true").json()["items"] == []

"""Vocabularies managed by curators over loopback HTTP: the same refusals as
`/v1/vocabularies`, each service error at its input with the form filled back in,
nothing changed by a refused or token-less form, and a change the API then shows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import bearer, member_token
from tests.web.forms_client import Member, field_error, member, soup
from tests.web.site import Site

BASE = "/curation/vocabularies"


@pytest.fixture
def curator(site: Site) -> Member:
    return member(site, "coordination", "curator", person="cora")


def api_term(site: Site, vocabulary: str, code: str) -> dict[str, Any] | None:
    terms = site.api.get(f"/v1/vocabularies/{vocabulary}").json()["terms"]
    return next((t for t in terms if t["code"] == code), None)


class TestWhoReachesIt:
    def test_only_curators_as_the_api_says(self, site: Site) -> None:
        publisher = member(site, "sahel-ngo", "publisher", person="amina")
        assert publisher.http.get(BASE).status_code == 403
        sent = {"add-code": "x", "add-label": "X"}
        assert publisher.post(f"{BASE}/program_type/terms", sent).status_code == 403
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        api = site.api.post("/v1/vocabularies/program_type/terms",
                            json={"code": "x", "label": "X"}, headers=bearer(token))  # fmt: skip
        assert api.status_code == 403
        with site.http() as http:
            assert http.get(BASE).status_code == 401
        assert api_term(site, "program_type", "x") is None

    def test_unknown_vocabularies_and_codes_are_the_404_page(
        self, site: Site, curator: Member
    ) -> None:
        assert curator.http.get(f"{BASE}/nothing").status_code == 404
        assert curator.http.get(f"{BASE}/program_type/terms/nothing").status_code == 404
        refused = curator.post(f"{BASE}/program_type/terms/nothing/label", {"label-label": "X"})
        assert refused.status_code == 404

    def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
        self, site: Site, curator: Member
    ) -> None:
        sent = {"add-code": "sports", "add-label": "Sports"}
        assert curator.post(f"{BASE}/program_type/terms", sent, with_token=False).status_code == 403
        assert curator.post(f"{BASE}/program_type/terms", sent, token="forged").status_code == 403
        assert api_term(site, "program_type", "sports") is None


class TestTerms:
    def test_lists_vocabularies_and_their_terms(self, site: Site, curator: Member) -> None:
        listing = curator.http.get(BASE)
        assert listing.status_code == 200
        names = [a.get_text() for a in soup(listing).select("tbody th a")]
        assert "program_type" in names
        assert "region" in names
        page = curator.http.get(f"{BASE}/target_population")
        rows = {tr.th.get_text(): tr.get_text(" ") for tr in soup(page).select("tbody tr")}  # type: ignore[union-attr]
        assert "Women" in rows["women"]
        assert "femmes" in rows["women"]

    def test_a_bad_code_or_a_duplicate_is_shown_at_its_input_and_changes_nothing(
        self, site: Site, curator: Member
    ) -> None:
        before = site.api.get("/v1/vocabularies/program_type").json()["terms"]
        bad = curator.post(f"{BASE}/program_type/terms",
                           {"add-code": "Bad Code", "add-label": "Keep me"})  # fmt: skip
        assert bad.status_code == 422
        assert "lowercase letters, digits and underscores" in field_error(bad, "field-add-code")
        assert soup(bad).find(id="field-add-label")["value"] == "Keep me"  # type: ignore[index]
        duplicate = curator.post(f"{BASE}/program_type/terms",
                                 {"add-code": "reintegration", "add-label": "Again"})  # fmt: skip
        assert duplicate.status_code == 422
        assert "already has code 'reintegration'" in field_error(duplicate, "field-add-code")
        no_unit = curator.post(f"{BASE}/indicator/terms",
                               {"add-code": "jobs_found", "add-label": "Jobs found"})  # fmt: skip
        assert "required for indicators" in field_error(no_unit, "field-add-unit")
        region = curator.post(f"{BASE}/region/terms", {"add-code": "kenya", "add-label": "K"})
        assert "ISO 3166-1" in field_error(region, "field-add-code")
        assert site.api.get("/v1/vocabularies/program_type").json()["terms"] == before
        assert api_term(site, "indicator", "jobs_found") is None

    def test_a_curator_adds_renames_aliases_and_deprecates_a_term(
        self, site: Site, curator: Member
    ) -> None:
        added = curator.post(f"{BASE}/program_type/terms",
                             {"add-code": "sports", "add-label": "Sports programs"})  # fmt: skip
        assert added.status_code == 303
        assert added.headers["location"] == f"{BASE}/program_type/terms/sports"
        assert api_term(site, "program_type", "sports") == {
            "code": "sports", "label": "Sports programs"
        }  # fmt: skip

        renamed = curator.post(f"{BASE}/program_type/terms/sports/label",
                               {"label-label": "Sport and recreation"})  # fmt: skip
        assert renamed.status_code == 303
        empty = curator.post(f"{BASE}/program_type/terms/sports/label", {"label-label": ""})
        assert empty.status_code == 422
        assert "at least 1 character" in field_error(empty, "field-label-label")

        aliased = curator.post(f"{BASE}/program_type/terms/sports/aliases",
                               {"aliases-aliases": "football\nsport\n"})  # fmt: skip
        assert aliased.status_code == 303
        term = api_term(site, "program_type", "sports")
        assert term is not None
        assert (term["label"], term["aliases"]) == ("Sport and recreation", ["football", "sport"])
        too_long = "one two three four five six seven eight nine ten eleven twelve"
        refused = curator.post(f"{BASE}/program_type/terms/sports/aliases",
                               {"aliases-aliases": f"football\n{too_long}"})  # fmt: skip
        assert refused.status_code == 422
        assert "at most" in field_error(refused, "field-aliases-aliases")
        assert too_long in soup(refused).find(id="field-aliases-aliases").get_text()  # type: ignore[union-attr]
        removed = curator.post(f"{BASE}/program_type/terms/sports/aliases",
                               {"aliases-aliases": "sport"})  # fmt: skip
        assert removed.status_code == 303
        assert api_term(site, "program_type", "sports")["aliases"] == ["sport"]  # type: ignore[index]

        unknown = curator.post(f"{BASE}/program_type/terms/sports/deprecate",
                               {"deprecate-replaced_by": "nothing"})  # fmt: skip
        assert unknown.status_code == 422
        assert "'nothing' is not a program_type code" in field_error(
            unknown, "field-deprecate-replaced_by"
        )
        assert "deprecated" not in api_term(site, "program_type", "sports")  # type: ignore[operator]
        done = curator.post(f"{BASE}/program_type/terms/sports/deprecate",
                            {"deprecate-replaced_by": "reintegration"})  # fmt: skip
        assert done.status_code == 303
        term = api_term(site, "program_type", "sports")
        assert term is not None
        assert (term["deprecated"], term["replaced_by"]) == (True, "reintegration")
        page = curator.http.get(f"{BASE}/program_type")
        row = soup(page).find("a", href=f"{BASE}/program_type/terms/sports")
        assert row is not None
        assert "replaced by reintegration" in row.find_parent("tr").get_text(" ")  # type: ignore[union-attr]

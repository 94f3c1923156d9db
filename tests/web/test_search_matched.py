"""The search page's "Matched:" line over loopback HTTP: under each hit, in words
and in the page's language, why it matched — from the same explanation the API
gives with `explain=true`, for the same caller."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.factories import create_entry, member_token, publish, wait_indexed
from tests.web.site import Site


def matched_lines(html: str) -> dict[str, str]:
    """Hit title → its "Matched:" line (hits without one are left out)."""
    found = {}
    for hit in BeautifulSoup(html, "html.parser").select("article.hit"):
        line = hit.select_one("p.matched")
        title = hit.select_one("h3")
        if line is not None and title is not None:
            found[title.get_text()] = " ".join(line.get_text().split())
    return found


class TestMatchedLine:
    def test_a_query_naming_tags_says_which_tags_matched_in_both_languages(
        self, site: Site
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        # Neither "reintegration" nor "women" is in the entry's words: they name its tags.
        tagged = create_entry(
            site.api, owner, title="Support after return", summary="Outcomes after two years.",
            program_types=["reintegration"], target_populations=["women"], visibility="public",
        )  # fmt: skip
        publish(site.api, owner, tagged["id"])
        worded = create_entry(
            site.api, owner, title="Women in school football", summary="Sport for girls.",
            program_types=["education_youth"], target_populations=["youth"], visibility="public",
        )  # fmt: skip
        publish(site.api, owner, worded["id"])
        wait_indexed(site.app)

        with site.http() as http:
            page = http.get("/search", params={"q": "reintegration women"})
            french = http.get(
                "/search", params={"q": "reintegration women"}, headers={"Accept-Language": "fr"}
            )
            api = site.api.get(
                "/v1/search", params={"q": "reintegration women", "explain": "true"}
            ).json()
        assert page.status_code == 200
        lines = matched_lines(page.text)
        assert lines["Support after return"] == (
            "Matched: reintegration (program type), women (target population)"
        )
        assert lines["Women in school football"].startswith("Matched: women (title)")
        assert matched_lines(french.text)["Support after return"] == (
            "Correspondances : reintegration (type de programme), women (public cible)"
        )
        # The same explanation the API gives the same (anonymous) caller.
        reasons = next(h["matches"] for h in api["hits"] if h["id"] == tagged["id"])
        assert {(r["words"], r["field"]) for r in reasons if r["via"] == "tag"} == {
            ("reintegration", "program_type"), ("women", "target_population")
        }  # fmt: skip
        # Links on the page never carry `explain`; without words there is no line.
        assert "explain" not in page.text
        with site.http() as http:
            assert matched_lines(http.get("/search").text) == {}

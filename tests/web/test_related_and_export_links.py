"""The entry page's "Related entries" and the search page's export links, over real
loopback HTTP (no browser needed): what they show is what the caller may read."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from api.auth.sessions import SESSION_COOKIE
from tests.web.catalogue import HIDDEN_ORG_NAME, Catalogue, make_catalogue
from tests.web.site import Site


@pytest.fixture
def catalogue(site: Site) -> Catalogue:
    return make_catalogue(site)


def related_links(page: str) -> list[str]:
    """Entry ids linked from the page's "Related entries" section (none: no section)."""
    found = re.search(r'<section aria-labelledby="related-title">(.*?)</section>', page, re.S)
    return re.findall(r'href="/entries/([^"]+)"', found.group(1)) if found else []


def export_links(page: str) -> dict[str, str]:
    return {
        format: html.unescape(href)
        for href, format in re.findall(
            r'<a href="(/v1/search/export\?format=(\w+)[^"]*)" download>', page
        )
    }


class TestRelatedEntriesOnTheEntryPage:
    def test_shows_readable_related_entries_in_english_and_french(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        entry = f"/entries/{catalogue.kenya_reintegration}"
        with site.http() as http:
            page = http.get(entry).text
        with site.http(**{"Accept-Language": "fr"}) as http:
            french = http.get(entry).text
        assert '<h2 id="related-title">Related entries</h2>' in page
        assert '<h2 id="related-title">Fiches apparentées</h2>' in french
        shown = related_links(page)
        # Same program type and region first (Kenya + reintegration is the Malian
        # entry's program type, the prison one's region).
        assert set(shown) == {catalogue.mali_fr, catalogue.kenya_prison}
        assert catalogue.kenya_reintegration not in shown
        assert catalogue.partners_only not in page
        assert HIDDEN_ORG_NAME not in page
        assert related_links(french) == shown

    def test_a_partner_sees_the_shared_entry_among_them(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.http() as http:
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            page = http.get(f"/entries/{catalogue.kenya_reintegration}").text
        assert catalogue.partners_only in related_links(page)
        assert HIDDEN_ORG_NAME in page


class TestExportLinksOnTheSearchPage:
    def test_links_carry_the_query_and_give_the_same_hits(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        with site.http() as http:
            page = http.get("/search", params={"q": "reintegration", "region": "KE"}).text
            links = export_links(page)
            assert set(links) == {"csv", "ris", "bibtex"}
            for format, href in links.items():
                assert href == f"/v1/search/export?format={format}&q=reintegration&region=KE"
            hits = re.findall(r'<h3 class="card-title"><a href="/entries/([^"]+)"', page)
            exported = http.get(links["csv"])
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [row["id"] for row in rows] == hits
        assert catalogue.kenya_reintegration in hits
        assert set(hits) <= {catalogue.kenya_reintegration, catalogue.kenya_prison}

    def test_a_signed_in_members_link_exports_what_it_may_read(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.http() as http:
            anonymous = http.get(export_links(http.get("/search?q=reintegration").text)["ris"]).text
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            member = http.get(export_links(http.get("/search?q=reintegration").text)["ris"]).text
        assert catalogue.partners_only not in anonymous
        assert HIDDEN_ORG_NAME not in anonymous
        assert catalogue.partners_only in member

    def test_no_results_no_links(self, site: Site, catalogue: Catalogue) -> None:
        with site.http() as http:
            page = http.get("/search?q=nothingmatchesthisword").text
        assert export_links(page) == {}

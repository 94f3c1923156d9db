"""End-to-end flows in a real browser, with and without JavaScript.

An anonymous practitioner searches from Home, narrows by the region tree and by
program type, and opens an entry; an entry they may not read is the 404 page; a
member of the partner organization reads it through their browser session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.catalogue import HIDDEN_ORG_NAME, Catalogue, make_catalogue
from tests.web.site import Site


@pytest.fixture
def catalogue(site: Site) -> Catalogue:
    return make_catalogue(site)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request: pytest.FixtureRequest, browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=request.param, locale="en-GB")
    opened = context.new_page()
    opened.javascript = request.param
    yield opened
    context.close()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def texts(locator: Any) -> list[str]:
    """Each element's text as a reader hears it, whitespace collapsed."""
    return [" ".join(text.split()) for text in locator.all_text_contents()]


class TestAnonymousSearchFlow:
    def test_search_filter_by_region_tree_and_program_type_then_open_entry(
        self, page: Any, site: Site, catalogue: Catalogue
    ) -> None:
        page.goto(site.url + "/")
        page.get_by_label("Search entries").fill("reintegration")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_url("**/search?q=reintegration")
        results = page.get_by_role("heading", level=2, name="results")
        assert results.inner_text() == "2 results"  # the partners entry is not among them

        if page.javascript:
            # The enhancement: find Mali in the tree by typing its name.
            page.get_by_label("Find a region or country").fill("mal")
            page.get_by_label("Kenya").wait_for(state="hidden")
        else:
            # Without JavaScript the tree unfolds with <details>: Africa → Sub-Saharan
            # Africa → Western Africa → Mali.
            for region in ("Africa", "Sub-Saharan Africa", "Western Africa"):
                page.locator("summary", has_text=re.compile(f"^{region}:")).click()
        page.get_by_label("Mali").check()
        page.get_by_label("Community reintegration").check()
        page.get_by_role("button", name="Apply filters").first.click()
        page.wait_for_url("**/search?*region=ML*")

        query = query_of(page.url)
        wanted = {"q": ["reintegration"], "region": ["ML"], "program_type": ["reintegration"]}
        if page.javascript:
            assert query == wanted  # exactly the API's query string
        else:
            assert query == wanted | {"sort": ["relevance"]}  # and empty year boxes
        assert page.get_by_role("heading", level=2, name="result").inner_text() == "1 result"
        chips = page.locator(".chip")
        assert texts(chips) == [
            "Words: reintegration \u00d7 (remove this filter)",
            "Region: Mali \u00d7 (remove this filter)",
            "Program type: Community reintegration \u00d7 (remove this filter)",
        ]
        hit = page.locator(".hit").first
        assert "Evidence: Moderate" in hit.inner_text()
        assert hit.locator("mark").count() >= 1  # the engine's highlight, as markup
        link = hit.get_by_role("link")
        assert link.get_attribute("lang") == "fr"

        link.click()
        page.wait_for_url(f"**/entries/{catalogue.mali_fr}")
        assert (
            page.locator("h1").inner_text() == "Réintégration communautaire des rapatriés au Mali"
        )
        assert page.locator("h1").get_attribute("lang") == "fr"
        assert page.locator("html").get_attribute("lang") == "en"
        rows = page.locator("section:has(#indicators-title) tbody tr")
        assert texts(rows) == [
            "Completion rate 81.5 % percent",
            "Follow-up period 24 months months",
            "Participants enrolled 120 count",
        ]
        assert page.locator(".prose strong").inner_text() == "emploi"  # sanitised body HTML

    def test_removing_a_chip_keeps_the_other_filters(
        self, page: Any, site: Site, catalogue: Catalogue
    ) -> None:
        page.goto(site.url + "/search?q=prison&region=ML&region=KE&kind=lessons_learned")
        assert page.locator(".no-results").is_visible()
        # Nothing matches: the narrowest filter is named, with what removing it brings back.
        assert texts(page.locator(".suggestions li")) == [
            "without the filter “Kind of entry” — 1 result"
        ]
        page.get_by_role("link", name="Region: Mali").click()
        page.wait_for_url("**/search?*")
        assert query_of(page.url) == {
            "q": ["prison"],
            "region": ["KE"],
            "kind": ["lessons_learned"],
        }
        assert page.get_by_role("heading", level=2, name="results").inner_text() == "0 results"
        page.get_by_role("link", name="without the filter “Kind of entry”").click()
        page.wait_for_url("**/search?*")
        assert query_of(page.url) == {"q": ["prison"], "region": ["KE"]}
        assert page.get_by_role("heading", level=2, name="result").inner_text() == "1 result"


class TestEntryVisibility:
    def test_an_entry_the_caller_may_not_read_is_the_404_page(
        self, page: Any, site: Site, catalogue: Catalogue
    ) -> None:
        response = page.goto(f"{site.url}/entries/{catalogue.partners_only}")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        assert HIDDEN_ORG_NAME not in page.content()
        assert page.get_by_role("link", name="Sign in").count() >= 1  # layout and way forward

    def test_the_partner_reads_it_and_another_member_gets_the_404_page(
        self, page: Any, site: Site, catalogue: Catalogue
    ) -> None:
        page.context.add_cookies([site.session_cookie("partner-org", "reader")])
        response = page.goto(f"{site.url}/entries/{catalogue.partners_only}")
        assert response.status == 200
        assert page.locator("h1").inner_text() == "Harbour reintegration pilot"
        assert HIDDEN_ORG_NAME in page.locator(".entry-facts").inner_text()

        page.context.clear_cookies()
        page.context.add_cookies([site.session_cookie("third-org", "publisher", person="omar")])
        response = page.goto(f"{site.url}/entries/{catalogue.partners_only}")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"


class TestSignOut:
    def test_the_sign_out_form_ends_the_session(
        self, page: Any, site: Site, catalogue: Catalogue
    ) -> None:
        page.context.add_cookies([site.session_cookie("partner-org", "reader")])
        page.goto(site.url + "/")
        assert page.locator(".member-area").is_visible()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(site.url + "/")
        assert page.get_by_role("link", name="Sign in").is_visible()
        assert page.locator(".member-area").count() == 0
        response = page.goto(f"{site.url}/entries/{catalogue.partners_only}")
        assert response.status == 404

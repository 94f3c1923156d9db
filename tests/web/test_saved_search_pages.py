"""Saved searches in the browser: "Save this search" on the search page (signed-in
members, CSRF), the "My saved searches" page with new alerts, the feed address
shown once, delete — in English and French, errors at their inputs."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser

from api.saved_searches.checker import check_round
from tests.factories import member_token, published_entry, wait_indexed
from tests.web.forms_client import field_error, member, soup
from tests.web.site import Site

WORD = "ospreyline"


class TestSavedSearchPages:
    def test_save_from_the_search_page_then_alerts_feed_and_delete(self, site: Site) -> None:
        with site.http() as anonymous:
            assert 'action="/saved-searches"' not in anonymous.get(f"/search?q={WORD}").text
        reader = member(site, "watch-org", "reader", person="wren")
        page = soup(reader.http.get(f"/search?q={WORD}&region=KE"))
        form = page.select_one("form.save-search")
        assert form is not None
        query = form.select_one('input[name="query"]')
        assert query is not None
        assert query["value"] == f"/search?q={WORD}&region=KE"
        assert form.select_one('input[name="csrf_token"]')["value"]  # type: ignore[index]
        label = form.select_one('label[for="save-search-name"]')
        assert label is not None

        fields = {"name": "Ospreys in Kenya", "query": str(query["value"])}
        assert reader.post("/saved-searches", fields, with_token=False).status_code == 403
        created = reader.post("/saved-searches", fields)
        assert created.status_code == 201, created.text
        shown = soup(created).select_one("#feed-url")
        assert shown is not None
        feed_url = str(shown["value"])
        assert "?key=" in feed_url
        listing = reader.http.get("/saved-searches")
        assert "Ospreys in Kenya" in listing.text
        assert "?key=" not in listing.text  # the key is shown once

        publisher = member_token(site.app, "osprey-ngo", "publisher", person="oscar")
        entry = published_entry(site.api, publisher, title=f"The {WORD} evaluation")["id"]
        wait_indexed(site.app)
        report = check_round(
            site.app.state.session_factory, site.app.state.search_backend, site.app.state.settings
        )
        assert report.alerts == 1
        page = soup(reader.http.get("/saved-searches"))
        row = page.select_one("tbody tr")
        assert row is not None
        assert row.select("td")[0].get_text(strip=True) == "1"  # new alerts
        assert page.select_one(f'#alerts-title ~ ul a[href="/entries/{entry}"]') is not None
        parts = urlsplit(feed_url)
        with site.http() as feed_reader:  # no session: the key alone
            feed = feed_reader.get(f"{parts.path}?{parts.query}")
            assert feed_reader.get(parts.path).status_code == 404
        parsed = feedparser.parse(feed.content)
        assert [item.link.rsplit("/", 1)[-1] for item in parsed.entries] == [entry]

        delete_form = page.select_one('form[action$="/delete"]')
        assert delete_form is not None
        deleted = reader.post(str(delete_form["action"]), {})
        assert deleted.status_code == 303
        assert "Ospreys in Kenya" not in reader.http.get("/saved-searches").text

    def test_errors_at_their_inputs_and_french(self, site: Site) -> None:
        reader = member(site, "watch-org", "reader", person="wren")
        refused = reader.post("/saved-searches", {"name": "x", "query": "/search?region=nowhere"})
        assert refused.status_code == 422
        assert "region" in field_error(refused, "field-query")
        assert soup(refused).select_one("#field-query")["value"] == "/search?region=nowhere"  # type: ignore[index]
        too_long = reader.post("/saved-searches", {"name": "n" * 201, "query": "q=x"})
        assert too_long.status_code == 422
        assert "200" in field_error(too_long, "field-name")

        reader.http.headers["Accept-Language"] = "fr"
        page = reader.http.get("/saved-searches")
        assert "Mes recherches enregistrées" in page.text
        assert "Enregistrer cette recherche" in reader.http.get("/search?q=x").text

    def test_another_members_saved_search_is_missing(self, site: Site) -> None:
        owner = member(site, "watch-org", "reader", person="wren")
        created = owner.post("/saved-searches", {"name": "Mine", "query": "q=x"})
        assert created.status_code == 201
        form = soup(owner.http.get("/saved-searches")).select_one('form[action$="/delete"]')
        assert form is not None
        other = member(site, "other-org", "reader", person="otto")
        assert other.post(str(form["action"]), {}).status_code == 404
        assert "Mine" in owner.http.get("/saved-searches").text

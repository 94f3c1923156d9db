"""Pages over real loopback HTTP (no browser needed): visibility of facets and
results, error pages, languages, the sign-out form's CSRF check, static caching."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, select

from api.auth.sessions import SESSION_COOKIE
from api.db import make_session_factory
from api.models import WebSession
from indexer.backends.meilisearch import MeilisearchBackend
from tests.web.catalogue import HIDDEN_ORG_NAME, Catalogue, make_catalogue
from tests.web.site import Site

HTML = {"Accept": "text/html"}


@pytest.fixture
def catalogue(site: Site) -> Catalogue:
    return make_catalogue(site)


def checkbox_values(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]+)"', html))


class TestSearchPageVisibility:
    def test_a_partners_entry_never_shows_in_an_anonymous_page(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        with site.http() as http:
            pages = {
                path: http.get(path).text
                for path in (
                    "/search",
                    "/search?q=harbour",
                    "/search?region=NZ",
                    "/search?region=009",
                )
            }
        for path, html in pages.items():
            assert HIDDEN_ORG_NAME not in html, path
            assert catalogue.partners_only not in html, path
        for path in ("/search", "/search?q=harbour"):
            assert not {"NZ", "009"} & checkbox_values(pages[path], "region"), path  # Oceania
        for path in ("/search?region=NZ", "/search?region=009"):
            assert ">0 results</h2>" in pages[path], path
        assert checkbox_values(pages["/search"], "region") >= {"ML", "KE", "011", "014"}
        assert ">3 results</h2>" in pages["/search"]

    def test_the_partner_sees_it_with_its_region_in_the_facets(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.http() as http:
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            page = http.get("/search?q=harbour").text
        assert HIDDEN_ORG_NAME in page
        assert f"/entries/{catalogue.partners_only}" in page
        assert {"NZ", "009"} <= checkbox_values(page, "region")


class TestErrorPages:
    def test_unknown_address_is_the_404_page_for_browsers_and_problem_json_under_v1(
        self, site: Site
    ) -> None:
        with site.http(**HTML) as http:
            page = http.get("/no/such/page")
            problem = http.get("/v1/no/such/thing")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Page not found</h1>" in page.text
        assert 'href="#main"' in page.text  # the site's layout
        assert problem.status_code == 404
        assert problem.headers["content-type"] == "application/problem+json"

    def test_unknown_filter_code_is_a_422_page_naming_the_field(self, site: Site) -> None:
        with site.http() as http:
            page = http.get("/search?region=ATLANTIS&year_from=1800")
        assert page.status_code == 422
        assert "<h1>Some values are not valid</h1>" in page.text
        assert "<code>query.year_from</code>" in page.text
        assert "Traceback" not in page.text

    def test_an_unreachable_search_engine_is_a_503_page(self, site: Site) -> None:
        # A real engine client pointed at a port where nothing listens.
        site.app.state.search_backend = MeilisearchBackend(
            "http://127.0.0.1:1", api_key=None, timeout_seconds=1
        )
        with site.http() as http:
            page = http.get("/search?q=anything")
            api = http.get("/v1/search?q=anything")
        assert page.status_code == 503
        assert "<h1>Temporarily unavailable</h1>" in page.text
        assert api.status_code == 503
        assert api.headers["content-type"] == "application/problem+json"

    def test_a_lost_database_is_a_500_page_without_internals(self, site: Site) -> None:
        site.app.state.session_factory = make_session_factory(
            create_engine("postgresql+psycopg://127.0.0.1:1/none")
        )
        with site.http() as http:
            page = http.get("/")
        assert page.status_code == 500
        assert "<h1>Something went wrong</h1>" in page.text
        assert "has been logged" in page.text
        for internal in ("Traceback", "OperationalError", "psycopg", "127.0.0.1:1"):
            assert internal not in page.text

    def test_an_ended_session_is_the_401_page_and_the_cookie_is_dropped(self, site: Site) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.app.state.session_factory() as session, session.begin():
            for row in session.scalars(select(WebSession)):
                session.delete(row)
        with site.http() as http:
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            page = http.get("/")
        assert page.status_code == 401
        assert "<h1>Please sign in again</h1>" in page.text
        assert f"{SESSION_COOKIE}=" in page.headers["set-cookie"]
        assert "Max-Age=0" in page.headers["set-cookie"]


class TestSignOutForm:
    def test_without_the_csrf_token_is_the_403_page_and_the_session_lives(self, site: Site) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.http() as http:
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            refused = http.post("/sign-out", data={"csrf_token": "forged"})
            still = http.get("/")
        assert refused.status_code == 403
        assert "<h1>You may not do this</h1>" in refused.text
        assert still.status_code == 200
        assert "Sign out" in still.text

    def test_with_the_token_from_the_page_it_ends_the_session(self, site: Site) -> None:
        cookie = site.session_cookie("partner-org", "reader")
        with site.http() as http:
            http.cookies.set(SESSION_COOKIE, cookie["value"])
            home = http.get("/").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', home)
            assert token is not None
            ended = http.post("/sign-out", data={"csrf_token": token.group(1)})
        assert ended.status_code == 303
        assert ended.headers["location"] == "/"
        with site.app.state.session_factory() as session:
            row = session.scalar(select(WebSession))
            assert row is not None
            assert row.revoked_at is not None


class TestLanguages:
    def test_accept_language_chooses_french_and_entries_keep_their_own_language(
        self, site: Site, catalogue: Catalogue
    ) -> None:
        with site.http(**{"Accept-Language": "fr-SN, fr;q=0.9, en;q=0.5"}) as http:
            page = http.get(f"/entries/{catalogue.kenya_prison}")
        assert page.headers["content-language"] == "fr"
        assert '<html lang="fr">' in page.text
        assert "Niveau de preuve" in page.text
        assert "Préliminaire" in page.text  # a vocabulary label, translated
        assert '<h1 id="entry-title" lang="en">' in page.text  # the entry stays English

    def test_the_switch_sets_a_cookie_and_returns_to_the_same_page(self, site: Site) -> None:
        with site.http(**{"Accept-Language": "en"}) as http:
            switched = http.get("/language/fr", params={"next": "/search?q=prison"})
            assert switched.status_code == 303
            assert switched.headers["location"] == "/search?q=prison"
            page = http.get("/search?q=prison")
            elsewhere = http.get("/language/fr", params={"next": "https://evil.example/"})
        assert page.headers["content-language"] == "fr"
        assert "Rechercher des fiches" in page.text
        assert elsewhere.headers["location"] == "/"


class TestStaticFiles:
    def test_stylesheet_is_versioned_and_cached_for_a_year(self, site: Site) -> None:
        with site.http() as http:
            home = http.get("/").text
            href = re.search(r'<link rel="stylesheet" href="([^"]+)"', home)
            assert href is not None
            css = http.get(href.group(1))
        assert re.fullmatch(r"/static/site\.css\?v=[0-9a-f]{12}", href.group(1))
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"

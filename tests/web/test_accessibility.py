"""axe-core on every page, in English and French: no serious or critical violation.

Runs the WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices in Debian's
chromium; the failure message lists each violation with its rule, impact and
the elements concerned."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import bearer, curator_token, member_token, published_entry
from tests.web.catalogue import Catalogue, make_catalogue
from tests.web.site import Site

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
LANGUAGES = ("en", "fr")


@pytest.fixture
def pages(site: Site) -> list[tuple[str, str, bool]]:
    catalogue: Catalogue = make_catalogue(site)
    curator = bearer(curator_token(site.app))
    created = site.api.post(
        "/v1/collections",
        json={"slug": "reintegration", "title": "Reintegration", "description": "Where to start."},
        headers=curator,
    )
    assert created.status_code == 201, created.text
    filled = site.api.put(
        "/v1/collections/reintegration/items",
        json={"items": [{"entry_id": catalogue.mali_fr, "note": "Start here."}]},
        headers=curator,
    )
    assert filled.status_code == 200, filled.text
    # A policy framework, so the by-country table has rows, links and a region row.
    publisher = member_token(site.app, "sahel-ngo", "publisher", person="axe")
    for jurisdiction, level in (("ML", "national"), ("011", "regional")):
        published_entry(site.api, publisher, kind="policy_framework", title="Decree",
                        indicators=[], regions=[jurisdiction], policy={
                            "jurisdiction": jurisdiction, "level": level,
                            "impediment_types": ["travel_ban", "licensing"],
                            "effect": "restricts", "status": "in_force",
                            "source": {"citation": "Decree (test)"}})  # fmt: skip
    return [
        ("home", "/", False),
        ("home, signed in", "/", True),
        ("search", "/search?q=reintegration&region=ML&region=KE&program_type=reintegration", False),
        ("search, no results", "/search?q=prison&region=ML", False),
        ("entry", f"/entries/{catalogue.mali_fr}", False),
        ("entry, signed in", f"/entries/{catalogue.mali_fr}", True),
        ("collections", "/collections", False),
        ("collection", "/collections/reintegration", False),
        ("sign in", "/sign-in", False),
        ("not found", f"/entries/{catalogue.partners_only}", False),
        ("invalid filter", "/search?region=ATLANTIS", False),
        ("indicators", "/indicators", False),
        ("indicator explorer", "/indicators/completion_rate", False),
        ("gap map", "/gap-map?region=002", False),
        ("program profiles", "/profiles", False),
        ("policies by country", "/policies", False),
        ("entry evidence", f"/entries/{catalogue.mali_fr}/evidence", False),
    ]


def blocking_violations(results: Any) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


# The pages' markup is the same whichever database holds the entries.
@pytest.mark.one_database
class TestAccessibility:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_no_serious_or_critical_violations_on_any_page(
        self, browser: Any, site: Site, pages: list[tuple[str, str, bool]], language: str
    ) -> None:
        axe = Axe()
        failures: dict[str, list[str]] = {}
        for signed_in in (False, True):
            context = browser.new_context(
                locale=language, extra_http_headers={"Accept-Language": language}
            )
            if signed_in:
                context.add_cookies([site.session_cookie("sahel-ngo", "publisher")])
            page = context.new_page()
            for name, path, member in pages:
                if member != signed_in:
                    continue
                page.goto(site.url + path)
                assert page.locator("html").get_attribute("lang") == language, name
                problems = blocking_violations(axe.run(page, options=AXE_OPTIONS))
                if problems:
                    failures[name] = problems
            context.close()
        assert failures == {}

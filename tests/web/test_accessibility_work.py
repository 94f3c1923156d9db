"""axe-core on the publishing, organization, curation and saved-search pages, in
English and French, as each person who uses them sees them — and on their error
states (a form sent back with errors, an edit conflict): no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import bearer, create_entry, member_token, patch_entry, published_entry
from tests.web.forms_client import member
from tests.web.site import Site
from tests.web.test_accessibility import AXE_OPTIONS, LANGUAGES, blocking_violations

GOOD = {"kind": "evaluation", "title": "T", "language": "en", "visibility": "private"}


@pytest.fixture
def entries(site: Site) -> dict[str, str]:
    owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
    member(site, "partner-org", "reader", person="pia")
    draft = create_entry(site.api, owner, title="A draft")
    live = published_entry(site.api, owner, title="Live", summary="Old", visibility="public")
    patch_entry(site.api, owner, live["id"], summary="New")
    assert site.api.post(f"/v1/entries/{live['id']}/submit", headers=bearer(owner)).is_success
    listed = published_entry(
        site.api, owner, title="Listed", visibility="partners", shared_with=["partner-org"],
        listed=True,
    )  # fmt: skip
    curator = member_token(site.app, "coordination", "curator", person="cora")
    made = site.api.post(
        "/v1/collections", json={"slug": "starters", "title": "Starters"}, headers=bearer(curator)
    )
    assert made.status_code == 201, made.text
    return {"draft": draft["id"], "live": live["id"], "listed": listed["id"]}


def error_pages(site: Site, entries: dict[str, str], language: str) -> dict[str, str]:
    """Form responses with errors, as HTML (axe runs on them with set_content)."""
    publisher = member(site, "sahel-ngo", "publisher", person="amina")
    publisher.http.headers["Accept-Language"] = language
    curator = member(site, "coordination", "curator", person="cora")
    curator.http.headers["Accept-Language"] = language
    draft = entries["draft"]
    responses = {
        "editor, conflict": publisher.post(
            f"/entries/{draft}/edit", {**GOOD, "title": "Mine", "version": "0"}
        ),
        "editor, errors": publisher.post("/entries/new", {**GOOD, "title": ""}),
        "documents, no file": publisher.post(f"/entries/{draft}/documents", {}),
        "review, no comment": curator.post(
            f"/review/{entries['live']}/decision", {"decision": "reject"}
        ),
        "collections, errors": curator.post("/curation/collections", {"new-slug": "?"}),
        "vocabulary, errors": curator.post(
            "/curation/vocabularies/indicator/terms", {"add-code": "?", "add-label": ""}
        ),
    }
    operator = site.app.state.settings.operator_organization
    node_admin = member(site, operator, "admin", person="root")
    node_admin.http.headers["Accept-Language"] = language
    responses["administration, errors"] = node_admin.post("/admin/organizations", {"org-slug": "?"})
    responses["administration, secret"] = node_admin.post(
        "/admin/clients", {"client-name": "C", "client-organization": "sahel-ngo"}
    )
    responses["administration, peer errors"] = node_admin.post(
        "/admin/peers", {"peer-name": "?", "peer-base_url": "x"}
    )
    responses["administration, peer secret"] = node_admin.post(
        "/admin/peers", {"peer-name": "hub", "peer-base_url": "https://hub.example.org"}
    )
    watcher = member(site, "third-org", "reader", person="wren")
    watcher.http.headers["Accept-Language"] = language
    responses["saved searches, errors"] = watcher.post(
        "/saved-searches", {"name": "Bad", "query": "/search?region=nowhere"}
    )
    responses["saved searches, feed address"] = watcher.post(
        "/saved-searches", {"name": "Kenya", "query": "/search?region=KE"}
    )
    statuses = [r.status_code for r in responses.values()]
    assert statuses == [409, 422, 422, 422, 422, 422, 422, 201, 422, 201, 422, 201]
    return {name: response.text for name, response in responses.items()}


# The pages' markup is the same whichever database holds the entries.
@pytest.mark.one_database
class TestWorkPagesAccessibility:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_no_serious_or_critical_violations(
        self, browser: Any, site: Site, entries: dict[str, str], language: str
    ) -> None:
        axe = Axe()
        draft, live = entries["draft"], entries["live"]
        visits = {
            ("sahel-ngo", "publisher"): {
                "editor, new": "/entries/new",
                "editor, edit": f"/entries/{draft}/edit",
                "documents": f"/entries/{draft}/documents",
                "entry, owner": f"/entries/{draft}",
                "retract": f"/entries/{live}/retract",
                "my organization, publisher": "/my-organization",
                "access requests": f"/entries/{entries['listed']}/access-requests",
            },
            ("third-org", "reader"): {
                "listed stub": f"/entries/{entries['listed']}",
                "search, member": "/search?q=live",
                "saved searches": "/saved-searches",
            },
            ("sahel-ngo", "admin"): {"my organization, admin": "/my-organization"},
            (site.app.state.settings.operator_organization, "admin"): {"administration": "/admin"},
            ("coordination", "curator"): {
                "review queue": "/review",
                "review page": f"/review/{live}",
                "collections and featured entries": "/curation/collections",
                "collection, edit": "/curation/collections/starters",
                "vocabularies": "/curation/vocabularies",
                "vocabulary": "/curation/vocabularies/program_type",
                "vocabulary term": "/curation/vocabularies/program_type/terms/reintegration",
            },
        }
        failures: dict[str, list[str]] = {}
        for (org, role), pages in visits.items():
            context = browser.new_context(
                locale=language, extra_http_headers={"Accept-Language": language}
            )
            context.add_cookies([site.session_cookie(org, role, person=role)])
            page = context.new_page()
            for name, path in pages.items():
                response = page.goto(site.url + path)
                assert response.status == 200, name
                assert page.locator("html").get_attribute("lang") == language, name
                if problems := blocking_violations(axe.run(page, options=AXE_OPTIONS)):
                    failures[name] = problems
            shown = (
                error_pages(site, entries, language)
                if (org, role) == ("sahel-ngo", "admin")
                else {}
            )
            for name, html in shown.items():
                page.goto(site.url + "/sign-in")  # the site's origin, so its stylesheet loads
                page.set_content(html)
                if problems := blocking_violations(axe.run(page, options=AXE_OPTIONS)):
                    failures[name] = problems
            context.close()
        assert failures == {}

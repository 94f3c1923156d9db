"""Publishing end to end in a real browser, with and without JavaScript.

A publisher signs in through their organization's provider (the real OIDC
provider process of the login tests), writes a draft in the editor, uploads a
PDF, submits it; a curator of another organization approves it from the review
queue; the publisher then narrows the sharing to one partner organization — a
member of the partner reads it, a member of another organization gets the 404
page. Every step is a form post of the pages; nothing goes through the JSON API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from api.attachments.samples import make_pdf
from api.config import Settings
from tests.docfactory import not_a_document
from tests.factories import bearer, make_org, member_token
from tests.integration.test_login import CLIENT_ID, CLIENT_SECRET, MockIssuer
from tests.web.site import Site
from tests.web.test_sign_in import issuer, listener, settings, site  # noqa: F401 - fixtures

TITLE = "Mentoring returnees in Gao"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def provider(site: Site, issuer: MockIssuer) -> MockIssuer:  # noqa: F811
    node: Settings = site.app.state.settings
    admin = member_token(site.app, node.operator_organization, "admin", person="root")
    make_org(site.app, "sahel-ngo", "Sahel NGO")
    make_org(site.app, "partner-org", "Partner Org")
    configured = site.api.post(
        "/v1/identity-providers",
        headers=bearer(admin),
        json={
            "name": "sahel",
            "issuer": issuer.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "organization": "sahel-ngo",
            "default_role": "publisher",
        },
    )
    assert configured.status_code == 201, configured.text
    issuer.set_user("fatou", name="Fatou Sow")
    return issuer


@pytest.fixture
def contexts(browser: Any, javascript: bool) -> Iterator[Any]:
    opened: list[Any] = []

    def new_page(*cookies: dict[str, Any]) -> Any:
        context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
        opened.append(context)
        context.add_cookies(list(cookies))
        opened_page = context.new_page()
        opened_page.set_default_timeout(15_000)
        return opened_page

    yield new_page
    for context in opened:
        context.close()


def sign_in(page: Any, site: Site, provider: MockIssuer) -> None:  # noqa: F811
    page.goto(site.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Sahel NGO").click()
    page.wait_for_url(provider.url + "/**", wait_until="domcontentloaded")
    page.locator("input[name=sub]").fill("fatou")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(site.url + "/")


def facts(page: Any) -> str:
    return " ".join(page.locator(".owner-panel").inner_text().split())


class TestPublishingFlow:
    def test_draft_upload_submit_approve_then_share_with_a_partner(
        self,
        site: Site,  # noqa: F811
        provider: MockIssuer,
        contexts: Any,
        javascript: bool,
    ) -> None:
        page = contexts()
        sign_in(page, site, provider)

        # The editor: a draft for everyone, with a program type.
        page.get_by_role("link", name="New entry").first.click()
        page.wait_for_url("**/entries/new")
        page.get_by_label("Kind of entry").select_option("evaluation")
        page.get_by_label("Title (required)").fill(TITLE)
        page.get_by_label("Summary", exact=True).fill("Two years of mentoring after return.")
        if javascript:
            page.get_by_label("Find in “Program types”").fill("reinteg")
        page.get_by_label("Community reintegration", exact=True).check()
        page.get_by_label("Everyone", exact=True).check()
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_url(re.compile(r".*/entries/[a-z0-9]+$"))
        entry_url = page.url
        assert page.locator("h1").inner_text() == TITLE
        assert "Status: draft" in facts(page)

        # A PDF, through the documents page: first a file that is not one, refused
        # in the server's words at the file input (with JavaScript: without leaving
        # the page, after the progress bar).
        page.get_by_role("link", name="Documents").click()
        page.get_by_label("Add a document").set_input_files(
            files=[{"name": "report.pdf", "mimeType": "application/pdf",
                    "buffer": not_a_document()}]
        )  # fmt: skip
        page.get_by_role("button", name="Upload").click()
        page.locator("#field-file-error").wait_for()
        assert "decided by its content" in page.locator("#field-file-error").inner_text()
        page.get_by_label("Add a document").set_input_files(
            files=[
                {
                    "name": "report.pdf",
                    "mimeType": "application/pdf",
                    "buffer": make_pdf(["Aftercare findings"]),
                }
            ]
        )
        page.get_by_role("button", name="Upload").click()
        page.locator(".files a").first.wait_for()
        assert page.locator(".files a").all_inner_texts() == ["report.pdf"]
        assert page.locator("#field-file-error").count() == 0
        page.get_by_role("link", name="Back to the entry").click()

        page.get_by_role("button", name="Submit for review").click()
        page.wait_for_url(entry_url)
        assert "Status: submitted for review" in facts(page)

        # A curator of another organization approves it from the queue.
        curator = contexts(site.session_cookie("coordination", "curator", person="cora"))
        curator.goto(site.url + "/review")
        curator.get_by_role("link", name=TITLE).click()
        curator.get_by_label("Approve").check()
        curator.get_by_role("button", name="Send the decision").click()
        curator.wait_for_url(site.url + "/review")
        assert curator.get_by_role("link", name=TITLE).count() == 0

        # Published: the owner narrows the sharing to one partner (applies at once).
        page.goto(entry_url)
        assert "Status: published" in facts(page)
        page.get_by_role("link", name="Sharing").click()
        page.get_by_label("My organization and chosen partners").check()
        page.get_by_label("Partner Org").check()
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(entry_url)

        partner = contexts(site.session_cookie("partner-org", "reader", person="pia"))
        response = partner.goto(entry_url)
        assert response.status == 200
        assert partner.locator("h1").inner_text() == TITLE
        assert partner.locator(".files a").all_inner_texts() == ["report.pdf"]

        outsider = contexts(site.session_cookie("third-org", "publisher", person="omar"))
        response = outsider.goto(entry_url)
        assert response.status == 404
        assert outsider.locator("h1").inner_text() == "Page not found"
        assert TITLE not in outsider.content()

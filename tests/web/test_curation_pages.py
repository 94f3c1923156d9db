"""The curator's pages over loopback HTTP: the queue (filters, counts, duplicate
hints), the review page (diff, thread), decisions with their form errors, the
safety holds — each reached and refused exactly as the API's routes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import bearer, create_entry, member_token, patch_entry, published_entry
from tests.web.forms_client import Member, field_error, member, soup
from tests.web.site import Site


@pytest.fixture
def curator(site: Site) -> Member:
    return member(site, "coordination", "curator", person="cora")


def submitted(site: Site, token: str, **fields: Any) -> dict[str, Any]:
    entry = create_entry(site.api, token, visibility="public", **fields)
    response = site.api.post(f"/v1/entries/{entry['id']}/submit", headers=bearer(token))
    assert response.status_code == 200, response.text
    return entry


def queue_titles(page: Any) -> list[str]:
    return [a.get_text() for a in soup(page).select("section:has(#queue-title) h3 a")]


class TestQueue:
    def test_the_queue_lists_submissions_with_counts_filters_and_duplicate_hints(
        self, site: Site, curator: Member
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        submitted(site, owner, title="Mentoring in Gao", regions=["ML"])
        submitted(site, owner, title="Mentoring in Gao", regions=["ML"])  # a duplicate
        submitted(site, owner, title="Prison work in Nairobi", regions=["KE"])
        create_entry(site.api, owner, title="Still a draft", visibility="public")

        page = curator.http.get("/review")
        assert page.status_code == 200
        assert sorted(queue_titles(page)) == [
            "Mentoring in Gao", "Mentoring in Gao", "Prison work in Nairobi"
        ]  # fmt: skip
        counts = [li.get_text() for li in soup(page).select("ul.counts li")]
        assert counts[:2] == ["Waiting for a decision: 3", "Sent back for changes: 0"]
        hints = soup(page).select(".queue-item .notice a")
        assert [a.get_text() for a in hints] == ["Mentoring in Gao", "Mentoring in Gao"]

        # The same queue the API gives the same curator.
        token = member_token(site.app, "coordination", "curator", person="cora")
        api_queue = site.api.get("/v1/review/queue", headers=bearer(token)).json()
        shown = soup(page).select("section:has(#queue-title) h3 a")
        assert {str(a["href"]).removeprefix("/review/") for a in shown} == {
            item["id"] for item in api_queue["items"]
        }

        filtered = curator.http.get("/review?region=ML")
        assert queue_titles(filtered) == ["Mentoring in Gao", "Mentoring in Gao"]
        assert curator.http.get("/review?region=ATLANTIS").status_code == 422

    def test_a_curator_never_sees_their_own_organizations_submissions(
        self, site: Site, curator: Member
    ) -> None:
        own = member_token(site.app, "coordination", "publisher", person="cyd")
        mine = submitted(site, own, title="Our own work")
        assert "Our own work" not in queue_titles(curator.http.get("/review"))
        # As a member of the owner organization they read its thread, but decide nothing.
        own_page = soup(curator.http.get(f"/review/{mine['id']}"))
        assert own_page.find(id="decision-title") is None
        refused = curator.post(f"/review/{mine['id']}/decision", {"decision": "approve"})
        assert refused.status_code == 403

    def test_only_curators_reach_the_queue(self, site: Site) -> None:
        publisher = member(site, "sahel-ngo", "publisher", person="amina")
        assert publisher.http.get("/review").status_code == 403
        with site.http() as http:
            assert http.get("/review").status_code == 401


class TestDecisions:
    def test_request_changes_needs_a_comment_then_the_owner_reads_it(
        self, site: Site, curator: Member
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = submitted(site, owner, title="Mentoring in Gao")
        path = f"/review/{entry['id']}/decision"

        nothing = curator.post(path, {"comment": "kept"})
        assert nothing.status_code == 422
        assert field_error(nothing, "field-decision") == "Error: Choose a decision."
        silent = curator.post(path, {"decision": "request_changes"})
        assert silent.status_code == 422
        assert "Say what the organization should change" in field_error(silent, "field-comment")
        checked = soup(silent).find(id="field-decision-request_changes")
        assert checked is not None
        assert checked.has_attr("checked")  # the choice comes back

        sent = curator.post(path, {"decision": "request_changes", "comment": "Add the cohort."})
        assert sent.status_code == 303
        owner_page = member(site, "sahel-ngo", "publisher", person="amina").http.get(
            f"/entries/{entry['id']}"
        )
        assert "Add the cohort." in owner_page.text
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()
        assert read["status"] == "changes_requested"

    def test_the_review_page_shows_a_published_entrys_changes_field_by_field(
        self, site: Site, curator: Member
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = published_entry(site.api, owner, title="Mentoring in Gao", summary="Old words")
        patch_entry(site.api, owner, entry["id"], summary="New words")
        assert site.api.post(f"/v1/entries/{entry['id']}/submit", headers=bearer(owner)).is_success

        page = soup(curator.http.get(f"/review/{entry['id']}"))
        rows = {
            tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in page.select("section:has(#diff-title) tbody tr")
        }
        assert rows == {"summary": ["Old words", "New words"]}

        comment = curator.post(f"/review/{entry['id']}/comments", {"body": ""})
        assert comment.status_code == 422
        assert field_error(comment, "field-thread_body") == "Error: Write the comment."
        added = curator.post(
            f"/review/{entry['id']}/comments", {"body": "Source?", "field": "summary"}
        )
        assert added.status_code == 303
        approved = curator.post(f"/review/{entry['id']}/decision", {"decision": "approve"})
        assert approved.status_code == 303
        read = site.api.get(f"/v1/entries/{entry['id']}").json()
        assert read["summary"] == "New words"

    def test_a_decision_without_csrf_is_the_403_page(self, site: Site, curator: Member) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = submitted(site, owner)
        refused = curator.post(
            f"/review/{entry['id']}/decision", {"decision": "approve"}, with_token=False
        )
        assert refused.status_code == 403
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()
        assert read["status"] == "submitted"


class TestTagsAndFeaturing:
    def test_a_curator_tags_and_features_a_published_entry(
        self, site: Site, curator: Member
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = published_entry(site.api, owner, title="Mentoring in Gao")
        entry_page = soup(curator.http.get(f"/entries/{entry['id']}"))
        link = entry_page.find("a", string="Tags and featuring")
        assert link is not None
        assert curator.http.get(str(link["href"]).split("#")[0]).status_code == 200

        too_long = curator.post(f"/review/{entry['id']}/tags", {"tags": "x" * 61})
        assert too_long.status_code == 422
        assert "At most 20 tags" in field_error(too_long, "field-tags")
        assert soup(too_long).find(id="field-tags")["value"] == "x" * 61  # type: ignore[index]
        tagged = curator.post(f"/review/{entry['id']}/tags", {"tags": "Cohort study, women"})
        assert tagged.status_code == 303
        assert curator.post(f"/review/{entry['id']}/featured", {"featured": "yes"}).is_redirect
        read = site.api.get(f"/v1/entries/{entry['id']}").json()
        assert read["tags"] == ["cohort-study", "women"]
        # The owner organization neither tags nor features its own work.
        publisher = member(site, "sahel-ngo", "publisher", person="amina")
        assert (
            publisher.post(f"/review/{entry['id']}/featured", {"featured": "yes"}).status_code
            == 403
        )


class TestHolds:
    def test_a_held_partners_entry_shows_its_findings_only_and_can_be_released(
        self, site: Site, curator: Member
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        member(site, "partner-org", "reader", person="pia")
        entry = create_entry(
            site.api, owner, title="Phone list", visibility="partners",
            shared_with=["partner-org"], body="Call Amadou Diallo on +223 76 12 34 56.",
        )  # fmt: skip
        held = site.api.post(f"/v1/entries/{entry['id']}/submit", headers=bearer(owner))
        assert held.json()["status"] == "held", held.text

        queue = soup(curator.http.get("/review"))
        items = queue.select("section:has(#holds-title) h3 a")
        assert [a.get_text() for a in items] == ["Program evaluation, shared with partners"]
        page = curator.http.get(f"/review/{entry['id']}")
        assert page.status_code == 200
        assert "Phone list" not in page.text
        assert "+223" not in page.text
        assert "Release the hold" in page.text
        released = curator.post(f"/review/{entry['id']}/decision", {"decision": "release_hold"})
        assert released.status_code == 303
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(owner)).json()
        assert read["status"] == "published"

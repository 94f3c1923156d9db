"""The publisher's forms over real loopback HTTP: the editor (create, edit, If-Match
conflict), documents, retraction and the workflow buttons. Each validation error
is shown at its input with the form filled back in; a form without its CSRF token
is the 403 page; every action is refused exactly as the API refuses it."""

from __future__ import annotations

import re

import pytest

from api.attachments.samples import make_pdf
from tests.docfactory import not_a_document
from tests.factories import bearer, create_entry, member_token, patch_entry
from tests.web.forms_client import Member, field_error, member, soup
from tests.web.site import Site

GOOD = {
    "kind": "evaluation",
    "title": "Mentoring returnees in Gao",
    "language": "en",
    "summary": "Two years of mentoring.",
    "visibility": "private",
}


@pytest.fixture
def publisher(site: Site) -> Member:
    return member(site, "sahel-ngo", "publisher")


def entry_id_of(location: str) -> str:
    found = re.fullmatch(r"/entries/([a-z0-9]+)", location)
    assert found, location
    return found[1]


class TestCreate:
    def test_a_valid_form_creates_a_draft_and_goes_to_its_page(
        self, site: Site, publisher: Member
    ) -> None:
        fields = [*GOOD.items(), ("regions", "ML"), ("program_types", "reintegration"),
                  ("indicator_code", "completion_rate"), ("indicator_value", "81.5"),
                  ("indicator_note", ""), ("indicator_code", ""), ("indicator_value", ""),
                  ("indicator_note", "")]  # fmt: skip
        created = publisher.post("/entries/new", fields)
        assert created.status_code == 303, created.text
        entry_id = entry_id_of(created.headers["location"])
        token = member_token(site.app, "sahel-ngo", "publisher")
        read = site.api.get(f"/v1/entries/{entry_id}", headers=bearer(token)).json()
        assert (read["title"], read["status"], read["regions"]) == (GOOD["title"], "draft", ["ML"])
        assert [(i["code"], i["value"]) for i in read["indicators"]] == [("completion_rate", 81.5)]

        page = publisher.http.get(f"/entries/{entry_id}")
        panel = soup(page).find(class_="owner-panel")
        assert panel is not None
        names = [" ".join(x.get_text().split()) for x in panel.find_all(["a", "button"])]
        # private: the owner publishes it directly, no review
        assert names == ["Edit", "Sharing", "Documents", "Publish", "Delete this draft"]

    @pytest.mark.parametrize(
        ("change", "anchor", "message"),
        [
            ({"title": ""}, "field-title", "at least 1 character"),
            ({"kind": "poem"}, "field-kind", "kind"),
            ({"period_start": "2024-05-01", "period_end": "2023-01-01"}, "field-period_end",
             "period_end is before period_start"),
            ({"period_start": "1 May"}, "field-period_start", "date"),
            ({"visibility": "everyone"}, "field-visibility", "public"),
            ({"visibility": "partners", "shared_with": "nobody-org"}, "field-shared_with",
             "no organization"),
            ({"indicator_code": "completion_rate", "indicator_value": "most"},
             "field-indicators-0-value", "number"),
            ({"regions": "ATLANTIS"}, "field-regions", "ATLANTIS"),
        ],
    )  # fmt: skip
    def test_each_error_is_shown_at_its_field_and_the_form_comes_back_filled_in(
        self, publisher: Member, change: dict[str, str], anchor: str, message: str
    ) -> None:
        sent = {**GOOD, "summary": "Kept <as> typed", **change}
        refused = publisher.post("/entries/new", sent)
        assert refused.status_code == 422
        assert message in field_error(refused, anchor)
        page = soup(refused)
        summary = page.find(class_="error-summary")
        assert summary is not None
        assert summary.find("a", href=f"#{anchor}") is not None
        assert page.find(id="field-summary").get_text() == "Kept <as> typed"  # type: ignore[union-attr]
        assert page.find(id="field-title")["value"] == sent["title"]  # type: ignore[index]

    def test_without_the_csrf_token_it_is_the_403_page_and_nothing_is_saved(
        self, site: Site, publisher: Member
    ) -> None:
        for refused in (
            publisher.post("/entries/new", GOOD, with_token=False),
            publisher.post("/entries/new", GOOD, token="forged"),
        ):
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("text/html")
            assert soup(refused).find("h1").get_text() == "You may not do this"  # type: ignore[union-attr]
        token = member_token(site.app, "sahel-ngo", "publisher")
        assert site.api.get("/v1/entries", headers=bearer(token)).json()["total"] == 0

    def test_a_reader_may_not_create_entries(self, site: Site) -> None:
        reader = member(site, "sahel-ngo", "reader", person="rami")
        assert reader.http.get("/entries/new").status_code == 403
        assert reader.post("/entries/new", GOOD).status_code == 403

    def test_anonymous_is_asked_to_sign_in(self, site: Site) -> None:
        with site.http() as http:
            assert http.get("/entries/new").status_code == 401


class TestEdit:
    def test_edit_saves_and_a_concurrent_save_shows_both_versions(
        self, site: Site, publisher: Member
    ) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token, title="First title", summary="Before")
        form = soup(publisher.http.get(f"/entries/{entry['id']}/edit"))
        version = form.find("input", attrs={"name": "version"})["value"]  # type: ignore[index]
        assert form.find(id="field-title")["value"] == "First title"  # type: ignore[index]

        # A colleague saves first.
        patch_entry(site.api, token, entry["id"], summary="Their summary")
        mine = {**GOOD, "title": "My title", "summary": "My summary", "version": version}
        conflict = publisher.post(f"/entries/{entry['id']}/edit", mine)
        assert conflict.status_code == 409
        page = soup(conflict)
        rows = {
            " ".join(tr.th.get_text().split()): [td.get_text() for td in tr.find_all("td")]
            for tr in page.select(".conflict tbody tr")
        }
        assert rows["Summary"] == ["Their summary", "My summary"]
        assert rows["Title"] == ["First title", "My title"]
        assert page.find(id="field-summary").get_text() == "My summary"  # type: ignore[union-attr]
        assert page.find("a", string="Take their version")["href"] == (  # type: ignore[index]
            f"/entries/{entry['id']}/edit"
        )
        # Keep mine: the form now carries the current version.
        newer = page.find("input", attrs={"name": "version"})["value"]  # type: ignore[index]
        kept = publisher.post(f"/entries/{entry['id']}/edit", {**mine, "version": newer})
        assert kept.status_code == 303, kept.text
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(token)).json()
        assert (read["title"], read["summary"]) == ("My title", "My summary")

    def test_only_changed_fields_are_saved_and_an_untouched_form_adds_no_revision(
        self, site: Site, publisher: Member
    ) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token, title="Same", summary="Same words")
        page = soup(publisher.http.get(f"/entries/{entry['id']}/edit"))
        fields = [
            (str(i["name"]), str(i.get("value", "")))
            for i in page.select("#editor-form input")
            if i.get("type") not in ("checkbox", "radio") or i.has_attr("checked")
        ]
        fields += [(str(t["name"]), t.get_text()) for t in page.select("#editor-form textarea")]
        fields += [
            (str(sel["name"]), str(opt["value"]))
            for sel in page.select("#editor-form select")
            for opt in sel.select("option[selected]")
        ]
        fields = [(k, v) for k, v in fields if k != "csrf_token"]
        assert publisher.post(f"/entries/{entry['id']}/edit", fields).status_code == 303
        revisions = site.api.get(f"/v1/entries/{entry['id']}/revisions", headers=bearer(token))
        assert len(revisions.json()["items"]) == 1

        changed = [(k, "New words" if k == "summary" else v) for k, v in fields]
        assert publisher.post(f"/entries/{entry['id']}/edit", changed).status_code == 303
        events = site.api.get(f"/v1/entries/{entry['id']}/revisions", headers=bearer(token))
        assert len(events.json()["items"]) == 2
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(token)).json()
        assert (read["title"], read["summary"]) == ("Same", "New words")

    def test_an_edit_error_is_shown_at_its_field(self, site: Site, publisher: Member) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token)
        refused = publisher.post(
            f"/entries/{entry['id']}/edit", {**GOOD, "title": "", "version": str(entry["version"])}
        )
        assert refused.status_code == 422
        assert "at least 1 character" in field_error(refused, "field-title")

    def test_another_organization_gets_the_404_page(self, site: Site) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher")
        entry = create_entry(site.api, token)
        other = member(site, "third-org", "publisher", person="omar")
        assert other.http.get(f"/entries/{entry['id']}/edit").status_code == 404
        refused = other.post(f"/entries/{entry['id']}/edit", {**GOOD, "version": "1"})
        assert refused.status_code == 404
        assert soup(refused).find("h1").get_text() == "Page not found"  # type: ignore[union-attr]


class TestDocumentsAndWorkflow:
    def test_upload_errors_are_the_servers_and_a_pdf_is_listed(
        self, site: Site, publisher: Member
    ) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token)
        path = f"/entries/{entry['id']}/documents"
        nothing = publisher.post(path, {})
        assert nothing.status_code == 422
        assert field_error(nothing, "field-file") == "Error: Choose a document to upload."

        csrf = publisher.csrf(path)
        wrong = publisher.http.post(
            path, data={"csrf_token": csrf},
            files={"file": ("report.pdf", not_a_document(), "application/pdf")},
        )  # fmt: skip
        assert wrong.status_code == 415
        assert "decided by its content" in field_error(wrong, "field-file")

        uploaded = publisher.http.post(
            path, data={"csrf_token": csrf},
            files={"file": ("report.pdf", make_pdf(["Findings"]), "application/pdf")},
        )  # fmt: skip
        assert uploaded.status_code == 303
        listed = soup(publisher.http.get(path))
        assert [a.get_text() for a in listed.select(".files a")] == ["report.pdf"]

    def test_retract_needs_a_reason_then_the_entry_is_retracted(
        self, site: Site, publisher: Member
    ) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token, visibility="partners")
        published = publisher.post(f"/entries/{entry['id']}/workflow/publish", {})
        assert published.status_code == 303
        path = f"/entries/{entry['id']}/retract"
        refused = publisher.post(path, {"comment": "kept as typed"})
        assert refused.status_code == 422
        assert field_error(refused, "field-reason") == "Error: Choose why the entry is withdrawn."
        assert soup(refused).find(id="field-comment").get_text() == "kept as typed"  # type: ignore[union-attr]
        done = publisher.post(path, {"reason": "factual_error"})
        assert done.status_code == 303
        read = site.api.get(f"/v1/entries/{entry['id']}", headers=bearer(token)).json()
        assert read["status"] == "retracted"

    def test_a_workflow_step_the_policy_refuses_is_the_409_page(
        self, site: Site, publisher: Member
    ) -> None:
        token = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        entry = create_entry(site.api, token)
        # A draft cannot be restored or retracted (409, like the API).
        for action in ("restore",):
            refused = publisher.post(f"/entries/{entry['id']}/workflow/{action}", {})
            assert refused.status_code == 409
        assert publisher.http.get(f"/entries/{entry['id']}/retract").status_code == 409
        # A reader of the organization sees it but may not submit it (403).
        reader = member(site, "sahel-ngo", "reader", person="rami")
        assert reader.post(f"/entries/{entry['id']}/workflow/submit", {}).status_code == 403


class TestCsrfOnEveryForm:
    def test_every_form_without_its_token_is_the_403_page_and_changes_nothing(
        self, site: Site
    ) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        draft = create_entry(site.api, owner, title="Untouched")
        operator = site.app.state.settings.operator_organization
        who = {
            "publisher": member(site, "sahel-ngo", "publisher", person="amina"),
            "admin": member(site, "sahel-ngo", "admin", person="awa"),
            "curator": member(site, "coordination", "curator", person="cora"),
            "node admin": member(site, operator, "admin", person="root"),
            "other": member(site, "third-org", "reader", person="omar"),
        }
        forms = [
            ("publisher", "/entries/new", GOOD),
            ("publisher", f"/entries/{draft['id']}/edit", {**GOOD, "version": "1"}),
            ("publisher", f"/entries/{draft['id']}/documents", {}),
            ("publisher", f"/entries/{draft['id']}/workflow/publish", {}),
            ("publisher", f"/entries/{draft['id']}/workflow/delete", {}),
            ("publisher", f"/entries/{draft['id']}/retract", {"reason": "other"}),
            ("admin", "/my-organization/members/1/roles", {"role": "reader"}),
            ("curator", f"/review/{draft['id']}/decision", {"decision": "approve"}),
            ("curator", f"/review/{draft['id']}/comments", {"body": "x"}),
            ("curator", f"/review/{draft['id']}/tags", {"tags": "x"}),
            ("curator", f"/review/{draft['id']}/featured", {"featured": "yes"}),
            ("other", f"/entries/{draft['id']}/access", {"reason": "A good reason."}),
            ("publisher", f"/entries/{draft['id']}/access-requests/1/approve", {}),
            ("publisher", f"/entries/{draft['id']}/grants/1/revoke", {}),
            ("node admin", "/admin/organizations", {"org-slug": "x", "org-name": "X"}),
            ("node admin", "/admin/identity-providers", {"idp-name": "x"}),
            ("node admin", "/admin/identity-providers/x/remove", {}),
            ("node admin", "/admin/clients", {"client-name": "x"}),
            ("node admin", "/admin/clients/x/revoke", {}),
            ("publisher", "/sign-out", {}),
        ]
        refused = {
            path: who[person].post(path, fields, with_token=False) for person, path, fields in forms
        }
        assert {p: r.status_code for p, r in refused.items()} == {p: 403 for p in refused}
        for path, response in refused.items():
            heading = soup(response).find("h1")
            assert heading is not None, path
            assert heading.get_text() == "You may not do this", path
        read = site.api.get(f"/v1/entries/{draft['id']}", headers=bearer(owner)).json()
        assert (read["title"], read["status"], read["version"]) == ("Untouched", "draft", 1)

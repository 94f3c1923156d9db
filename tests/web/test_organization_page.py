"""My organization over loopback HTTP: entries by state with the reviewer's words,
members and roles for those who manage them, the read log for admins and
publishers — each section only for whom the API would answer it."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.factories import bearer, create_entry, curator_token, member_token, published_entry
from tests.web.forms_client import field_error, member, soup
from tests.web.site import Site


def group_titles(html: str, group: str) -> list[str]:
    section = BeautifulSoup(html, "html.parser").find("section", attrs={
        "aria-labelledby": f"group-{group}"
    })  # fmt: skip
    assert section is not None, group
    return [a.get_text() for a in section.select(".entry-list a")]


class TestEntriesByState:
    def test_each_state_lists_its_entries_and_changes_requested_says_why(self, site: Site) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        create_entry(site.api, owner, title="A draft")
        asked = create_entry(site.api, owner, title="Needs work", visibility="public")
        assert site.api.post(f"/v1/entries/{asked['id']}/submit", headers=bearer(owner)).is_success
        changes = site.api.post(
            f"/v1/entries/{asked['id']}/request-changes",
            headers=bearer(curator_token(site.app)),
            json={"comment": "Add the cohort size."},
        )
        assert changes.status_code == 200, changes.text
        published_entry(site.api, owner, title="Out there", visibility="partners")
        # Another organization's entry never appears.
        other = member_token(site.app, "third-org", "publisher", person="omar")
        published_entry(site.api, other, title="Not ours")

        page = member(site, "sahel-ngo", "reader", person="rami").http.get("/my-organization")
        assert page.status_code == 200
        assert group_titles(page.text, "draft") == ["A draft"]
        assert group_titles(page.text, "changes_requested") == ["Needs work"]
        assert group_titles(page.text, "published") == ["Out there"]
        assert "Add the cohort size." in page.text
        assert "Not ours" not in page.text
        # A reader neither manages members nor reads the log.
        assert soup(page).find(id="members-title") is None
        assert soup(page).find(id="reads-title") is None

    def test_the_page_lists_exactly_what_the_api_lists_the_same_member(self, site: Site) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        for n, visibility in enumerate(("private", "partners", "network", "public")):
            create_entry(site.api, owner, title=f"Draft {n}", visibility=visibility)
            published_entry(site.api, owner, title=f"Live {n}", visibility=visibility)
        published_entry(
            site.api, member_token(site.app, "third-org", "publisher", person="omar"),
            title="Elsewhere",
        )  # fmt: skip
        for org, role in (("sahel-ngo", "reader"), ("third-org", "reader")):
            token = member_token(site.app, org, role, person="lena")
            listed = site.api.get(
                "/v1/entries", params={"organization": org, "per_page": 100},
                headers=bearer(token),
            ).json()  # fmt: skip
            page = soup(member(site, org, role, person="lena").http.get("/my-organization"))
            shown = {str(a["href"]).removeprefix("/entries/") for a in page.select(".entry-list a")}
            assert shown == {item["id"] for item in listed["items"]}
            assert len(shown) == (8 if org == "sahel-ngo" else 1)

    def test_signed_out_is_asked_to_sign_in(self, site: Site) -> None:
        with site.http() as http:
            assert http.get("/my-organization").status_code == 401


class TestMembers:
    def test_an_admin_grants_a_role_and_errors_show_at_the_member(self, site: Site) -> None:
        admin = member(site, "sahel-ngo", "admin", person="awa")
        member(site, "sahel-ngo", "reader", person="rami")
        page = soup(admin.http.get("/my-organization"))
        rows = {tr.th.get_text(): tr for tr in page.select("section:has(#members-title) tbody tr")}
        rami = rows["Rami of sahel-ngo"]
        action = rami.form["action"]  # type: ignore[index]
        assert admin.post(action, {"role": "publisher", "change": "grant"}).status_code == 303
        again = soup(admin.http.get("/my-organization"))
        roles = {
            tr.th.get_text(): tr.td.get_text()
            for tr in again.select("section:has(#members-title) tbody tr")
        }
        assert roles["Rami of sahel-ngo"] == "publisher, reader"

        refused = admin.post(action, {"role": "emperor", "change": "grant"})
        assert refused.status_code == 422
        anchor = f"field-role-{action.split('/')[3]}"
        assert field_error(refused, anchor) == "Error: Choose one of the roles offered."

        # Curator is a network role: only node admins grant it (403, as the API says).
        assert admin.post(action, {"role": "curator", "change": "grant"}).status_code == 403
        assert admin.post(action, {"role": "publisher"}, with_token=False).status_code == 403

    def test_a_publisher_may_not_change_roles(self, site: Site) -> None:
        publisher = member(site, "sahel-ngo", "publisher", person="amina")
        page = soup(publisher.http.get("/my-organization"))
        assert page.find(id="members-title") is None
        refused = publisher.post("/my-organization/members/1/roles", {"role": "admin"})
        assert refused.status_code == 403


class TestReadLog:
    def test_the_publisher_sees_which_organization_read_a_partners_entry(self, site: Site) -> None:
        owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
        member(site, "partner-org", "reader", person="pia")  # makes the organization
        shared = published_entry(
            site.api, owner, title="Shared pilot", visibility="partners",
            shared_with=["partner-org"],
        )  # fmt: skip
        partner = member(site, "partner-org", "reader", person="pia")
        assert partner.http.get(f"/entries/{shared['id']}").status_code == 200

        page = soup(member(site, "sahel-ngo", "publisher", person="amina").http.get(
            "/my-organization"
        ))  # fmt: skip
        rows = page.select("section:has(#reads-title) tbody tr")
        cells = [[" ".join(td.get_text().split()) for td in row.find_all("td")] for row in rows]
        assert [c[1:] for c in cells] == [["Shared pilot", "Partner-Org", "the entry · web"]]
        assert "Pia" not in page.get_text()  # another organization's reader stays unnamed

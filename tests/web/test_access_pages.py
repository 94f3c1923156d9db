"""Listed entries and access requests in the browser's pages: the public stub, the
request with its reason, the owner's decision — each error at its input."""

from __future__ import annotations

from tests.factories import member_token, published_entry
from tests.web.forms_client import field_error, member, soup
from tests.web.site import Site

BODY = "The interviews found that mentors mattered most."


def listed_entry(site: Site) -> str:
    owner = member_token(site.app, "sahel-ngo", "publisher", person="amina")
    member(site, "partner-org", "reader", person="pia")
    return str(
        published_entry(
            site.api, owner, title="Quiet pilot", summary="Hidden summary", body=BODY,
            visibility="partners", shared_with=["partner-org"], listed=True,
        )["id"]
    )  # fmt: skip


class TestAccessRequests:
    def test_the_stub_shows_only_what_is_public(self, site: Site) -> None:
        entry_id = listed_entry(site)
        with site.http() as http:
            page = http.get(f"/entries/{entry_id}")
        assert page.status_code == 200
        assert soup(page).find("h1").get_text() == "Quiet pilot"  # type: ignore[union-attr]
        assert "Hidden summary" not in page.text
        assert BODY not in page.text
        assert "Sign in to ask for access" in page.text

    def test_a_member_asks_the_owner_approves_then_the_member_reads_it(self, site: Site) -> None:
        entry_id = listed_entry(site)
        asker = member(site, "third-org", "reader", person="omar")
        short = asker.post(f"/entries/{entry_id}/access", {"reason": "need"})
        assert short.status_code == 422
        assert "at least 10 characters" in field_error(short, "field-reason")
        assert soup(short).find(id="field-reason").get_text() == "need"  # type: ignore[union-attr]
        assert asker.post(
            f"/entries/{entry_id}/access", {"reason": "We run a similar program."},
            with_token=False,
        ).status_code == 403  # fmt: skip
        sent = asker.post(f"/entries/{entry_id}/access", {"reason": "We run a similar program."})
        assert sent.status_code == 303
        assert "waiting for an answer" in asker.http.get(f"/entries/{entry_id}/access").text

        owner = member(site, "sahel-ngo", "publisher", person="amina")
        page = soup(owner.http.get(f"/entries/{entry_id}/access-requests"))
        form = page.select_one(".queue-item form")
        assert form is not None
        request_id = str(form["action"]).split("/")[-2]
        refused = owner.post(str(form["action"]), {f"days-{request_id}": "0"})
        assert refused.status_code == 422
        assert "greater than or equal to 1" in field_error(refused, f"field-days-{request_id}")
        approved = owner.post(str(form["action"]), {f"days-{request_id}": "30"})
        assert approved.status_code == 303

        reading = asker.http.get(f"/entries/{entry_id}")
        assert reading.status_code == 200
        assert BODY in reading.text

    def test_only_the_owners_publishers_decide(self, site: Site) -> None:
        entry_id = listed_entry(site)
        reader = member(site, "sahel-ngo", "reader", person="rami")
        assert reader.http.get(f"/entries/{entry_id}/access-requests").status_code == 403
        outsider = member(site, "third-org", "publisher", person="omar")
        assert outsider.http.get(f"/entries/{entry_id}/access-requests").status_code == 404

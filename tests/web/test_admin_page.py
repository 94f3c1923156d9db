"""Node administration over loopback HTTP: organizations, identity providers and
API clients, each form's errors at its inputs, the client secret shown once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from api.models import Peer
from tests.factories import bearer, member_token
from tests.web.forms_client import Member, field_error, member, soup
from tests.web.site import Site


@pytest.fixture
def admin(site: Site) -> Member:
    operator = site.app.state.settings.operator_organization
    return member(site, operator, "admin", person="root")


class TestAdministration:
    def test_only_node_admins_reach_it(self, site: Site) -> None:
        org_admin = member(site, "sahel-ngo", "admin", person="awa")
        assert org_admin.http.get("/admin").status_code == 403
        assert org_admin.post("/admin/organizations", {"org-slug": "x"}).status_code == 403
        with site.http() as http:
            assert http.get("/admin").status_code == 401

    def test_organizations_are_added_and_errors_shown_at_their_inputs(
        self, site: Site, admin: Member
    ) -> None:
        sent = {"org-slug": "Bad Slug", "org-name": "Keep me", "org-country": "ML"}
        bad = admin.post("/admin/organizations", sent)
        assert bad.status_code == 422
        assert "lowercase" in field_error(bad, "field-org-slug")
        assert soup(bad).find(id="field-org-name")["value"] == "Keep me"  # type: ignore[index]
        long = admin.post("/admin/organizations", {**sent, "org-slug": "ok", "org-country": "Mali"})
        assert "at most 2 characters" in field_error(long, "field-org-country")

        made = admin.post("/admin/organizations", {"org-slug": "gao-ngo", "org-name": "Gao NGO"})
        assert made.status_code == 303
        again = admin.post("/admin/organizations", {"org-slug": "gao-ngo", "org-name": "Again"})
        assert again.status_code == 422
        assert "exists already" in field_error(again, "field-org-slug")
        assert "Gao NGO" in admin.http.get("/admin").text

    def test_an_identity_provider_form_keeps_everything_but_the_secret(
        self, site: Site, admin: Member
    ) -> None:
        sent = {"idp-name": "sahel", "idp-organization": "nowhere", "idp-issuer": "x",
                "idp-client_id": "cid", "idp-client_secret": "s3cret"}  # fmt: skip
        refused = admin.post("/admin/identity-providers", sent)
        assert refused.status_code == 422
        assert "at least 8 characters" in field_error(refused, "field-idp-issuer")
        assert soup(refused).find(id="field-idp-client_id")["value"] == "cid"  # type: ignore[index]
        assert "s3cret" not in refused.text

    def test_a_client_secret_is_shown_once(self, site: Site, admin: Member) -> None:
        member(site, "sahel-ngo", "reader")
        nameless = admin.post(
            "/admin/clients", {"client-name": "", "client-organization": "sahel-ngo"}
        )
        assert nameless.status_code == 422
        assert "at least 1 character" in field_error(nameless, "field-client-name")

        made = admin.post(
            "/admin/clients",
            [("client-name", "Sahel CMS"), ("client-organization", "sahel-ngo"),
             ("client-scopes", "entries:read"), ("client-scopes", "entries:write")],
        )  # fmt: skip
        assert made.status_code == 201
        assert made.headers["cache-control"] == "private, no-store"
        secret = soup(made).select(".secret")[1].get_text()
        assert len(secret) >= 20
        listing = admin.http.get("/admin")
        assert "Sahel CMS" in listing.text
        assert secret not in listing.text


class TestPeers:
    def test_only_node_admins_and_only_with_the_token(self, site: Site, admin: Member) -> None:
        org_admin = member(site, "sahel-ngo", "admin", person="awa")
        sent = {"peer-name": "sahel-hub", "peer-base_url": "https://hub.example.org"}
        assert org_admin.post("/admin/peers", sent).status_code == 403
        assert admin.post("/admin/peers", sent, with_token=False).status_code == 403
        assert admin.post("/admin/peers/sahel-hub/remove", with_token=False).status_code == 403
        assert soup(admin.http.get("/admin")).find("th", string="sahel-hub") is None
        assert site.api.get("/v1/peers", headers=bearer(admin_token(site))).json() == []

    def test_a_peer_is_added_listed_with_its_state_and_removed(
        self, site: Site, admin: Member
    ) -> None:
        member(site, "sahel-ngo", "reader")
        bad = admin.post(
            "/admin/peers",
            [("peer-name", "Hub!"), ("peer-base_url", "ftp://x"), ("peer-organizations", "nowhere"),
             ("peer-remote_client_id", "cid"), ("peer-remote_client_secret", "harvest-s3cret")],
        )  # fmt: skip
        assert bad.status_code == 422
        assert "lowercase letters" in field_error(bad, "field-peer-name")
        assert "http(s) URL" in field_error(bad, "field-peer-base_url")
        assert "harvest-s3cret" not in bad.text
        assert soup(bad).find(id="field-peer-remote_client_id")["value"] == "cid"  # type: ignore[index]

        made = admin.post(
            "/admin/peers",
            [("peer-name", "sahel-hub"), ("peer-base_url", "https://hub.example.org/"),
             ("peer-organizations", "sahel-ngo"), ("peer-remote_client_id", "cid"),
             ("peer-remote_client_secret", "harvest-s3cret")],
        )  # fmt: skip
        assert made.status_code == 201
        assert made.headers["cache-control"] == "private, no-store"
        secret = soup(made).select(".secret")[1].get_text()
        assert len(secret) >= 20
        assert "harvest-s3cret" not in made.text

        again = admin.post("/admin/peers", {"peer-name": "other", "peer-base_url":
                                            "https://hub.example.org"})  # fmt: skip
        assert "exists already" in field_error(again, "field-peer-base_url")

        # A failing harvest, as the harvester records it (its own tests make it fail).
        with site.app.state.session_factory() as session, session.begin():
            peer = session.scalar(select(Peer).where(Peer.name == "sahel-hub"))
            assert peer is not None
            peer.harvest_failures = 3
            peer.next_harvest_at = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
            peer.last_error = "connection refused"
        listing = admin.http.get("/admin")
        page = soup(listing)
        assert len(page.find_all(id="peer-title")) == 1  # one section, inside <main>
        assert page.title is not None
        assert "<" not in page.title.get_text()
        row = page.find("th", string="sahel-hub")
        assert row is not None
        text = " ".join(row.find_parent("tr").get_text(" ").split())  # type: ignore[union-attr]
        assert "https://hub.example.org" in text
        assert "sahel-ngo" in text
        assert "3 failures in a row" in text
        assert "2030" in text
        assert "connection refused" in text
        assert secret not in listing.text
        assert "harvest-s3cret" not in listing.text
        # The API lists the same peer the page does.
        token = admin_token(site)
        listed = site.api.get("/v1/peers", headers=bearer(token)).json()
        assert [p["name"] for p in listed] == ["sahel-hub"]

        assert admin.post("/admin/peers/sahel-hub/remove").status_code == 303
        assert soup(admin.http.get("/admin")).find("th", string="sahel-hub") is None
        assert site.api.get("/v1/peers", headers=bearer(token)).json() == []
        assert admin.post("/admin/peers/sahel-hub/remove").status_code == 404


def admin_token(site: Site) -> str:
    return member_token(site.app, site.app.state.settings.operator_organization, "admin",
                        person="root")  # fmt: skip

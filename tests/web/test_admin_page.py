"""Node administration over loopback HTTP: organizations, identity providers and
API clients, each form's errors at its inputs, the client secret shown once."""

from __future__ import annotations

import pytest

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

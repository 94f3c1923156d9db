"""`Site`: the app under test, its JSON API client and its loopback address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.sessions import SESSION_COOKIE, create_web_session
from api.organizations.service import ensure_account, get_organization, grant_role
from tests.factories import make_org


@dataclass
class Site:
    app: FastAPI
    api: TestClient  # the JSON API, for setting up data
    url: str  # the same app on real loopback HTTP

    def http(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, follow_redirects=False)

    def session_cookie(self, org: str, *roles: str, person: str = "amina") -> dict[str, Any]:
        """A signed-in browser session of a member of `org` (Playwright cookie)."""
        make_org(self.app, org)
        with self.app.state.session_factory() as session, session.begin():
            organization = get_organization(session, org)
            assert organization is not None
            account = ensure_account(
                session,
                issuer=self.app.state.settings.issuer,
                subject=f"web:{org}:{person}",
                display_name=f"{person.title()} of {org}",
            )
            for role in roles or ("reader",):
                grant_role(session, account=account, organization=organization, role=role)
            token, _row = create_web_session(
                session,
                account_id=account.id,
                organization_id=organization.id,
                identity_provider_id=None,
            )
        return {"name": SESSION_COOKIE, "value": token, "url": self.url}

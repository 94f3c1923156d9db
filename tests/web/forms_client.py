"""A signed-in browser without a browser: httpx over loopback with the session
cookie, reading each form's CSRF token from the page, as a browser would send it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from bs4 import BeautifulSoup

from api.auth.sessions import SESSION_COOKIE
from tests.web.site import Site

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass
class Member:
    http: httpx.Client

    def csrf(self, path: str = "/") -> str:
        page = self.http.get(path)
        found = CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        assert found[1], f"empty CSRF token on {path}"
        return found[1]

    def post(
        self,
        path: str,
        data: Any = None,
        *,
        with_token: bool = True,
        token: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Post a form with the session's CSRF token (read from Home), or `token`,
        or none at all (`with_token=False`)."""
        fields: list[tuple[str, str]] = list(data.items() if isinstance(data, dict) else data or [])
        if token is None and with_token:
            token = self.csrf()
        if token is not None:
            fields.append(("csrf_token", token))
        return self.http.post(
            path,
            content=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            **kwargs,
        )


def member(site: Site, org: str, *roles: str, person: str = "amina") -> Member:
    cookie = site.session_cookie(org, *roles, person=person)
    client = site.http()
    client.cookies.set(SESSION_COOKIE, cookie["value"])
    return Member(client)


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def field_error(response: httpx.Response, anchor: str) -> str:
    """The error shown at an input: its `<id>-error` text, which the input points to."""
    page = soup(response)
    shown = page.find(id=f"{anchor}-error")
    assert shown is not None, f"no error shown at {anchor}"
    described = page.find(id=anchor)
    assert described is not None, f"no input {anchor}"
    pointed = str(described.get("aria-describedby", ""))
    assert f"{anchor}-error" in pointed, f"{anchor} does not point to its error"
    return " ".join(shown.get_text().split())

"""CSRF protection for cookie-authenticated requests.

Owns: the per-session CSRF token and the check that a state-changing request
authenticated by the session cookie carries it in `X-CSRF-Token`.
Pages post HTML forms, which cannot set headers: they carry the same token in the
form field `csrf_token`, checked with the same comparison by the page's route.
Does not own: the sessions themselves (`api.auth.sessions`) or bearer-token
requests — a cross-site page cannot make the browser attach an Authorization
header, so those never reach this check (and never look at the cookie).
Invariant: a cookie-authenticated POST/PUT/PATCH/DELETE (any method but
GET/HEAD/OPTIONS) proceeds only if the header equals the session's token,
compared in constant time. SameSite=Lax on the cookie is a second, independent
layer, not a substitute (it does not cover same-site sibling origins)."""

from __future__ import annotations

import hmac
import secrets

from api.errors import Forbidden

CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(Forbidden):
    slug = "csrf-token"
    title = "CSRF token missing or wrong"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def is_state_changing(method: str) -> bool:
    return method.upper() not in SAFE_METHODS


def require_csrf_token(presented: str | None, expected: str) -> None:
    """Raise 403 unless `presented` (the header or form-field value) equals `expected`."""
    if not presented or not hmac.compare_digest(
        presented.encode("utf-8"), expected.encode("utf-8")
    ):
        # The hint names where the token comes from; it never echoes a value.
        raise CsrfRejected("CSRF token missing or wrong", header=CSRF_HEADER, source="GET /v1/me")

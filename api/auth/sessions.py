"""Browser sessions: the server-side `WebSession` behind the `offramp_session`
cookie, and the short-lived signed cookie that carries a pending login.

Owns:
- creating, resolving and revoking web sessions (the cookie holds 32 random bytes;
  only their SHA-256 is stored, so a database read does not yield usable cookies);
- turning a session cookie into a `Principal` for `api.auth.dependencies`, including
  the CSRF check on state-changing requests;
- the cookie attributes (HttpOnly, SameSite=Lax, Path=/, Secure unless the node's
  public URL is plain-http loopback) and the pending-login cookie middleware with
  its secret, generated once into the data directory like the signing keys.
Does not own: the OIDC exchange (`api.login.router`/`providers`), sign-in rules
(`api.login.service`), roles (read from the database on every request by
`principal_for_account`).
Invariant: a session authenticates only while it exists, is unrevoked and
unexpired, and its account is still a member of the session's organization; an
unknown, revoked or expired cookie is a 401 (never silently anonymous), so a UI
knows to sign in again instead of showing a thinner view as if nothing happened."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from api.access import Principal
from api.auth.csrf import CSRF_HEADER, is_state_changing, new_csrf_token, require_csrf_token
from api.auth.principals import principal_for_account
from api.config import Settings
from api.errors import Unauthorized
from api.models import Organization, WebSession
from api.models.base import utcnow

SESSION_COOKIE = "offramp_session"
LOGIN_COOKIE = "offramp_login"
SESSION_LIFETIME = timedelta(hours=8)
LOGIN_COOKIE_MAX_AGE_SECONDS = 10 * 60
LOGIN_SECRET_FILE = "login-cookie-secret"  # noqa: S105 - a file name
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SessionContext:
    """What a route may know about the session that authenticated the request."""

    id: int
    csrf_token: str
    expires_at: datetime


# -- cookies ------------------------------------------------------------------


def cookie_secure(settings: Settings) -> bool:
    """Secure everywhere except a plain-http loopback development node: browsers
    would not send a Secure cookie back over http://127.0.0.1 and login would break."""
    parts = urlsplit(settings.public_url)
    return not (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS)


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=cookie_secure(settings),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=cookie_secure(settings), httponly=True, samesite="lax"
    )


def load_or_create_login_secret(data_dir: Path) -> str:
    """The key that signs pending-login cookies; shared by replicas through the data dir."""
    directory = data_dir / "keys"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / LOGIN_SECRET_FILE
    if not path.exists():
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() fails if another process won the race; then its secret is the secret.
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink(missing_ok=True)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable secret")
    return secret


def install_login_cookie(app: FastAPI, settings: Settings) -> None:
    """Starlette's SessionMiddleware, used *only* for the pending login (state, PKCE
    verifier, nonce, next). The cookie is signed, not encrypted: it must never hold
    tokens or anything secret beyond the one-time verifier, and it lives 10 minutes."""
    # Authlib logs the PKCE verifier at DEBUG (`Using code_verifier: …`).
    authlib_log = logging.getLogger("authlib")
    if authlib_log.getEffectiveLevel() < logging.INFO:
        authlib_log.setLevel(logging.INFO)
    app.add_middleware(
        SessionMiddleware,
        secret_key=load_or_create_login_secret(settings.data_dir),
        session_cookie=LOGIN_COOKIE,
        max_age=LOGIN_COOKIE_MAX_AGE_SECONDS,
        path="/",
        same_site="lax",
        https_only=cookie_secure(settings),
    )


# -- server-side sessions -----------------------------------------------------


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_web_session(
    session: Session,
    *,
    account_id: int,
    organization_id: int,
    identity_provider_id: int | None,
    now: datetime | None = None,
) -> tuple[str, WebSession]:
    """A new session; returns the cookie value (shown once, never stored) and the row."""
    token = secrets.token_urlsafe(32)
    created = now or utcnow()
    row = WebSession(
        token_hash=hash_session_token(token),
        account_id=account_id,
        organization_id=organization_id,
        identity_provider_id=identity_provider_id,
        csrf_token=new_csrf_token(),
        created_at=created,
        expires_at=created + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str) -> WebSession | None:
    """The row for a cookie value, live or not (None if unknown)."""
    if not token or len(token) > 256:
        return None
    return session.scalar(
        select(WebSession).where(WebSession.token_hash == hash_session_token(token))
    )


def is_live(row: WebSession, now: datetime | None = None) -> bool:
    return row.revoked_at is None and row.expires_at > (now or utcnow())


def revoke_session(session: Session, row: WebSession, now: datetime | None = None) -> None:
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.flush()


def revoke_sessions_of_provider(session: Session, identity_provider_id: int) -> int:
    """End every live session signed in through one IdP (used when it is removed)."""
    result = session.execute(
        update(WebSession)
        .where(
            WebSession.identity_provider_id == identity_provider_id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def principal_for_session(
    request: Request, token: str, *, csrf_presented: str | None = None
) -> Principal:
    """Authenticate a request by its session cookie (called by `get_principal`).

    `csrf_presented`: the token a page's HTML form carried in its `csrf_token`
    field (forms cannot set headers); otherwise the `X-CSRF-Token` header is used.

    Order matters: the session must be live before its CSRF token means anything,
    and the CSRF check comes before membership so a forged request learns nothing
    about the victim's roles."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        row = find_session(session, token)
        if row is None or row.revoked_at is not None:
            raise Unauthorized("the session is unknown or has been signed out; sign in again")
        if not is_live(row):
            raise Unauthorized("the session has expired; sign in again")
        if is_state_changing(request.method):
            presented = csrf_presented or request.headers.get(CSRF_HEADER)
            require_csrf_token(presented, row.csrf_token)
        organization = session.get(Organization, row.organization_id)
        if organization is None:  # pragma: no cover - the FK cascades the session away
            raise Unauthorized("the session's organization no longer exists; sign in again")
        settings = request.app.state.settings
        principal = principal_for_account(
            session,
            row.account_id,
            organization.slug,
            operator=settings.operator_organization,
            channel="web",
        )
        request.state.web_session = SessionContext(
            id=row.id, csrf_token=row.csrf_token, expires_at=row.expires_at
        )
    return principal


def current_session(request: Request) -> SessionContext | None:
    """The session that authenticated this request, if it was a session."""
    context = getattr(request.state, "web_session", None)
    return context if isinstance(context, SessionContext) else None

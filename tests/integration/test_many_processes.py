"""Nothing is held per process: several apps (as several API processes would) over
one database see each other's configuration changes, and ended sessions are swept.

(Throttling shared across processes: tests/integration/test_oauth.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from api.auth.sessions import create_web_session
from api.config import Settings
from api.demo.load import load_demo
from api.housekeeping import refresh_planner_statistics, sweep
from api.main import create_app
from api.models import Account, IdentityProvider, WebSession
from api.models.base import utcnow
from api.oauth.ratelimit import FailureLimiter
from api.shared_config import IDENTITY_PROVIDERS, VOCABULARIES
from indexer.runner import CachedRegistry
from tests.conftest import DatabaseUnderTest
from tests.factories import (
    bearer,
    client_token,
    curator_token,
    entry_payload,
    make_org,
    member_token,
    published_entry,
)


@pytest.fixture
def other(settings: Settings) -> Iterator[TestClient]:
    """A second API process over the same database."""
    with TestClient(create_app(settings)) as second:
        yield second


def test_a_vocabulary_change_reaches_another_process(
    app: FastAPI, client: TestClient, other: TestClient
) -> None:
    curator = curator_token(app)
    publisher = member_token(app, "ngo-a", "publisher")
    entry = entry_payload(program_types=["sport_mentoring"])
    before = other.post("/v1/entries", json=entry, headers=bearer(publisher))
    assert before.status_code == 422, before.text
    assert "sport_mentoring" in before.text
    added = client.post(
        "/v1/vocabularies/program_type/terms",
        json={"code": "sport_mentoring", "label": "Sport mentoring"},
        headers=bearer(curator),
    )
    assert added.status_code == 201, added.text
    # The other process's watcher notices on its next poll (every 2 s in its thread).
    assert VOCABULARIES in other.app.state.config_watcher.poll()  # type: ignore[attr-defined]
    codes = {t["code"] for t in other.get("/v1/vocabularies/program_type").json()["terms"]}
    assert "sport_mentoring" in codes
    after = other.post("/v1/entries", json=entry, headers=bearer(publisher))
    assert after.status_code == 201, after.text


def test_an_identity_provider_change_reaches_another_process(
    app: FastAPI, client: TestClient, other: TestClient
) -> None:
    trusted = other.app.state.trusted_issuers  # type: ignore[attr-defined]
    issuer = "https://idp.example.org"
    assert trusted.get(issuer) is None
    org = make_org(app, "ngo-a")
    with app.state.session_factory() as session, session.begin():
        session.add(
            IdentityProvider(
                name="ngo-a", issuer=issuer, client_id="c", client_secret="s", organization_id=org
            )
        )
    assert other.app.state.config_watcher.poll() == [IDENTITY_PROVIDERS]  # type: ignore[attr-defined]
    assert trusted.get(issuer) is not None
    assert other.app.state.config_watcher.poll() == []  # type: ignore[attr-defined]


def test_the_indexer_reloads_vocabularies_when_their_version_changes() -> None:
    loads: list[int] = []
    version = [1]

    def load() -> object:
        loads.append(version[0])
        return object()

    registry = CachedRegistry(load, version=lambda: version[0], check_seconds=0)  # type: ignore[arg-type]
    first = registry()
    assert registry() is first
    version[0] = 2
    assert registry() is not first
    assert loads == [1, 2]


def test_ended_sessions_are_swept_after_their_tokens_expired(
    app: FastAPI, client: TestClient
) -> None:
    member_token(app, "ngo-a", "reader")
    ttl = timedelta(hours=1)
    now = utcnow()
    with app.state.session_factory() as session, session.begin():
        account = session.scalars(select(Account)).first()
        assert account is not None
        org = make_org(app, "ngo-a")

        def started(ago: timedelta) -> WebSession:
            _, row = create_web_session(
                session,
                account_id=account.id,
                organization_id=org,
                identity_provider_id=None,
                now=now - ago,
            )
            return row

        live = started(timedelta(hours=1)).id
        expired_long_ago = started(timedelta(hours=10)).id
        expired_recently = started(timedelta(hours=8, minutes=30)).id
        revoked_long_ago = started(timedelta(hours=3))
        revoked_long_ago.revoked_at = now - timedelta(hours=2)
        revoked_recently = started(timedelta(hours=3))
        revoked_recently.revoked_at = now - timedelta(minutes=5)
        swept_ids = {expired_long_ago, revoked_long_ago.id}
        kept_ids = {live, expired_recently, revoked_recently.id}
    result = sweep(
        app.state.session_factory, FailureLimiter(app.state.session_factory), token_ttl=ttl
    )
    assert result.sessions == 2
    with app.state.session_factory() as session:
        remaining = set(session.scalars(select(WebSession.id)))
    assert remaining == kept_ids
    assert not remaining & swept_ids


def test_a_sweep_keeps_sqlite_planner_statistics_in_step_with_the_data(
    app: FastAPI, client: TestClient, database: DatabaseUnderTest
) -> None:
    """Without statistics SQLite's planner read every published entry to find one
    indicator's few values; each sweep analyzes (PostgreSQL's autovacuum does it)."""
    token = member_token(app, "ngo-a", "publisher")
    for n in range(3):
        published_entry(client, token, title=f"Mentoring evaluation {n}")
    with app.state.engine.begin() as connection:
        if database.backend == "sqlite":
            connection.exec_driver_sql("ANALYZE")  # the table exists from here on
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")

    sweep(app.state.session_factory, FailureLimiter(app.state.session_factory),
          token_ttl=timedelta(hours=1))  # fmt: skip

    with app.state.engine.begin() as connection:
        if database.backend == "sqlite":
            analyzed = {
                row[0] for row in connection.exec_driver_sql("SELECT tbl FROM sqlite_stat1")
            }
            assert {"entry", "indicator_value", "entry_reader"} <= analyzed
        else:
            assert not refresh_planner_statistics(connection)


@pytest.mark.one_database  # SQLite's statistics; PostgreSQL's autovacuum keeps its own
def test_a_demo_load_leaves_fresh_planner_statistics(
    app: FastAPI, client: TestClient, database: DatabaseUnderTest
) -> None:
    """A bulk load changes the data's shape at once; the evidence queries chose the
    wrong index (every published entry read) until the next sweep analyzed."""
    with app.state.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")  # the table exists from here on
        connection.exec_driver_sql("DELETE FROM sqlite_stat1")
    load_demo(app.state.settings, app.state.engine, size=20, seed=7)
    with app.state.engine.begin() as connection:
        analyzed = {row[0] for row in connection.exec_driver_sql("SELECT tbl FROM sqlite_stat1")}
    assert {"entry", "indicator_value", "entry_reader"} <= analyzed


def test_more_than_one_api_process_never_runs_the_in_process_indexer(
    settings: Settings,
) -> None:
    from api.cli import serve_environment

    assert settings.indexer_in_process
    assert serve_environment(settings, 3) == {"OFFRAMP_INDEXER_IN_PROCESS": "false"}
    assert serve_environment(settings, 1) == {}
    replica = settings.model_copy(update={"indexer_in_process": False})
    assert serve_environment(replica, 3) == {}


@pytest.mark.parametrize("kind", ["member", "client"])
def test_the_caller_is_resolved_in_one_query(
    app: FastAPI, client: TestClient, database: DatabaseUnderTest, kind: str
) -> None:
    """Roles and organization are read fresh on every request, in one statement."""
    from api.auth.principals import principal_for_account, principal_for_client
    from api.models import ApiClient

    operator = app.state.settings.operator_organization
    if kind == "member":
        member_token(app, "ngo-a", "publisher", "admin")
        with app.state.session_factory() as session:
            account_id = session.scalars(select(Account.id)).one()
    else:
        client_token(app, client, "ngo-a", ["entries:read", "entries:write"])
        with app.state.session_factory() as session:
            client_id = session.scalars(select(ApiClient.client_id)).one()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    with app.state.session_factory() as session:
        session.connection()  # begin outside the count
        event.listen(app.state.engine, "before_cursor_execute", count)
        try:
            if kind == "member":
                principal = principal_for_account(session, account_id, "ngo-a", operator=operator)
                assert principal.roles == {"publisher", "admin"}
            else:
                principal = principal_for_client(
                    session, client_id, ["entries:read", "entries:write"], operator=operator
                )
                assert principal.roles == {"publisher"}
        finally:
            event.remove(app.state.engine, "before_cursor_execute", count)
    assert principal.organization_slug == "ngo-a"
    assert len(statements) == 1, statements

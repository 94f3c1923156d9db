"""Test databases, app and client fixtures shared by every suite.

Integration tests run once per database backend: SQLite (a file under the test
run's temp dir) and PostgreSQL (a fresh `offramp_test_<random>` database on the
server named by OFFRAMP_TEST_POSTGRES_URL, default the local trust-auth server).
Both are built by running the Alembic migrations, once per run; each test then
starts from empty tables and the shipped vocabularies (a test that adds a term or
replaces aliases through the API changes no later test). Where PostgreSQL is unreachable its
tests skip with the reason — except under CI=true, where that is a failure.

Parallel runs (`make test` uses pytest-xdist, `--dist loadgroup`): every worker
builds its own databases and temp dirs here, servers bind port 0, so tests do not
share state. The long property tests go first, so no worker starts one near the
end; files whose module-scoped fixtures are costly run on one worker each."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from api.migrate import migrate
from api.models import Base, VocabularyTerm

POSTGRES_ADMIN_URL = os.environ.get(
    "OFFRAMP_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/postgres"
)
KEEP_TABLES = {"vocabulary_term", "alembic_version"}


# Files whose module-scoped fixtures are costly (demo data, a served app, a fake
# engine): one worker runs all their tests, so the fixture is built once.
GROUPED_FILES = {
    "test_demo_generator.py",
    "test_vocabularies.py",
    "test_meilisearch_contract.py",
    "test_compose.py",
    "test_login.py",
    "test_sign_in.py",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests (hypothesis over the API, the fuzzer: minutes each) first, each on
    whichever worker is free; grouped files as one unit (see GROUPED_FILES).

    A test marked `one_database` checks something the database cannot change (the
    markup axe reads, the anonymous answers of the fuzzer): its PostgreSQL half is
    deselected, so it runs once, on SQLite."""
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        database = params.params.get("database") if params is not None else None
        if item.get_closest_marker("one_database") and database == "postgres":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    for item in items:
        if item.path.name in GROUPED_FILES:
            item.add_marker(pytest.mark.xdist_group(item.path.stem))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _vocabulary_rows(connection: Connection) -> list[tuple[Any, ...]]:
    table = VocabularyTerm.__table__
    return [tuple(row) for row in connection.execute(select(table).order_by(table.c.id))]


@dataclass
class DatabaseUnderTest:
    backend: str
    url: str
    engine: Engine
    vocabulary: list[tuple[Any, ...]] = field(default_factory=list)
    sequences: dict[str, list[str]] = field(default_factory=dict)  # table → its sequences

    def __post_init__(self) -> None:
        with self.engine.connect() as connection:
            self.vocabulary = _vocabulary_rows(connection)
            if self.backend == "postgresql":
                for table, sequence in connection.execute(text(
                    "SELECT table_name, pg_get_serial_sequence(table_name, column_name)"
                    " FROM information_schema.columns WHERE table_schema = 'public'"
                    " AND pg_get_serial_sequence(table_name, column_name) IS NOT NULL"
                )):  # fmt: skip
                    self.sequences.setdefault(table, []).append(sequence)

    def reset(self) -> None:
        """Empty every table but the kept ones. On PostgreSQL only the tables a test
        wrote to are emptied, by DELETE, and their sequences restarted: TRUNCATE of
        every table (new files for each, synced at commit) took ~1 s per test."""
        tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        sequences: list[str] = []
        with self.engine.begin() as connection:
            if self.backend == "postgresql":
                probe = " UNION ALL ".join(  # our own table names, not input
                    f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})"  # noqa: S608
                    for t in tables
                )
                written = {name for (name,) in connection.execute(text(probe))}
                tables = [t for t in tables if t.name in written]
                sequences = [s for t in tables for s in self.sequences.get(t.name, [])]
            for table in tables:
                connection.execute(table.delete())
            if sequences:
                restart = ", ".join(f"setval('{s}', 1, false)" for s in sequences)
                connection.execute(text(f"SELECT {restart}"))
            # The vocabulary rows are kept (seeding them per test is slow) but put
            # back to the seeded state when a test changed them.
            if _vocabulary_rows(connection) != self.vocabulary:
                vocabulary = VocabularyTerm.__table__
                connection.execute(vocabulary.delete())
                columns = [column.name for column in vocabulary.columns]
                connection.execute(
                    vocabulary.insert(),
                    [dict(zip(columns, row, strict=True)) for row in self.vocabulary],
                )


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the PostgreSQL suite must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseUnderTest]:
    path = tmp_path_factory.mktemp("sqlite") / "offramp.db"
    url = f"sqlite:///{path}"
    from api.config import Settings
    from api.db import make_engine

    engine = make_engine(Settings(database_url=url, data_dir=path.parent))
    migrate(engine)
    yield DatabaseUnderTest("sqlite", url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[DatabaseUnderTest]:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"offramp_test_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means "not reachable"
        admin.dispose()
        _postgres_unavailable(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=10, max_overflow=20)
    try:
        migrate(engine)
        yield DatabaseUnderTest("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> DatabaseUnderTest:
    db: DatabaseUnderTest = request.getfixturevalue(f"{request.param}_database")
    db.reset()
    return db


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"

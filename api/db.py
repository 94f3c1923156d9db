"""Engine and session factories, and the request-scoped unit of work.

One request is one transaction, owned here: for unsafe methods `get_session` opens
it and commits when the route returns, *before* the response is sent, so a failed commit becomes
an error response and never a 2xx for a write that did not happen. Services and
repositories only `flush()`. Engines are built by `create_app`/the CLI from
settings, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import api.access.orm  # registers the entry_reader flush hook
import api.shared_config  # noqa: F401 - registers the configuration version hook
from api.config import Settings
from api.outbox import COMMITTED_KEY


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_size=settings.database_pool_size, pool_pre_ping=True, max_overflow=20
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while the indexer or a request writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def _session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """The request's one session. Unsafe methods get a transaction that commits when
    the route returns (before the response is sent); safe methods read only. One
    dependency for both, so a loader dependency and its route share the session."""
    if request.method in SAFE_METHODS:
        with _session_factory(request)() as session:
            yield session
        return
    with _session_factory(request)() as session, session.begin():
        yield session
    committed = session.info.pop(COMMITTED_KEY, None)
    freshness = getattr(request.app.state, "index_freshness", None)
    if committed and freshness is not None:
        freshness.after_commit(committed)


# Two names for one dependency: the name says what the route means to do.
ReadSession = Annotated[Session, Depends(get_session, scope="function")]
WriteSession = Annotated[Session, Depends(get_session, scope="function")]

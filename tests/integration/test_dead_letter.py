"""The dead letter: an entry that the engine keeps refusing is parked after N
attempts with its error while the rest of its batch is indexed; an engine outage
parks nothing; /readyz, /metrics and `offramp outbox list|retry|drop` show and
handle parked rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import Settings
from api.main import create_app
from api.models import SearchOutbox
from indexer.backends.base import BackendError, SearchBackend, SearchDocument
from indexer.consumer import OutboxConsumer
from tests.conftest import DatabaseUnderTest
from tests.factories import create_entry, member_token, published_entry
from tests.integration.test_indexer_reliability import _cli, _worker_env


class RefusingBackend:
    """The real embedded engine, refusing any batch that holds one of `refused`
    (as an engine refuses a document it cannot take), or down altogether."""

    name = "embedded"

    def __init__(self, real: SearchBackend) -> None:
        self.real = real
        self.refused: set[str] = set()
        self.down = False

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        if self.down:
            raise BackendError("engine unreachable")
        bad = sorted(d["id"] for d in documents if d["id"] in self.refused)
        if bad:
            raise BackendError(f"document {bad[0]} rejected: invalid field")
        self.real.upsert(documents)

    def delete(self, ids: Sequence[str]) -> None:
        if self.down:
            raise BackendError("engine unreachable")
        self.real.delete(ids)

    def health(self) -> dict[str, Any]:
        return {"status": "unavailable"} if self.down else self.real.health()

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


@pytest.fixture
def quiet(database: DatabaseUnderTest, data_dir: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database.url,
        indexer_in_process=False,
        index_wait_seconds=0.0,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield app, client


def rows(app: FastAPI) -> list[SearchOutbox]:
    with app.state.session_factory() as session:
        return list(session.scalars(select(SearchOutbox).order_by(SearchOutbox.id)))


def consumer(app: FastAPI, backend: RefusingBackend) -> OutboxConsumer:
    return OutboxConsumer(
        app.state.session_factory,
        backend,  # type: ignore[arg-type]
        lambda: app.state.vocabularies,
        max_attempts=3,
    )


def test_a_refused_entry_is_parked_and_the_rest_of_its_batch_goes_on(
    quiet: tuple[FastAPI, TestClient],
) -> None:
    app, client = quiet
    token = member_token(app, "ngo-a", "publisher")
    ids = [published_entry(client, token, visibility="private")["id"] for _ in range(3)]
    backend = RefusingBackend(app.state.search_backend)
    backend.refused = {ids[1]}
    drainer = consumer(app, backend)

    first = drainer.drain_once()
    assert first.upserted == 2  # both others indexed in the same pass
    assert set(backend.real.fingerprints()) == {ids[0], ids[2]}
    left = rows(app)  # the refused entry's rows (its creation and its publication)
    assert {(r.entry_id, r.attempts, r.parked_at) for r in left} == {(ids[1], 1, None)}
    assert all("rejected" in (r.last_error or "") for r in left)

    for _ in range(2):  # the indexer's next passes retry it; the third failure parks it
        assert drainer.drain_once().rows == 0
    parked = rows(app)
    assert {r.attempts for r in parked} == {3}
    assert all(r.parked_at is not None for r in parked)
    assert drainer.drain_once().rows == 0  # parked rows are not claimed again

    ready = client.get("/readyz")
    assert ready.status_code == 200
    search = ready.json()["checks"]["search"]
    assert (search["outbox_rows"], search["outbox_parked"]) == (0, len(parked))
    metrics = client.get("/metrics").text
    assert f"offramp_outbox_parked_rows {float(len(parked))}" in metrics
    assert "offramp_outbox_rows 0.0" in metrics


def test_an_engine_outage_parks_nothing(quiet: tuple[FastAPI, TestClient]) -> None:
    app, client = quiet
    token = member_token(app, "ngo-a", "publisher")
    create_entry(client, token, visibility="private")  # a draft: one row, a deletion
    backend = RefusingBackend(app.state.search_backend)
    backend.down = True
    drainer = consumer(app, backend)
    for _ in range(5):
        with pytest.raises(BackendError):
            drainer.drain_once()
    [row] = rows(app)
    assert (row.attempts, row.parked_at) == (0, None)
    assert "unreachable" in (row.last_error or "")
    ready = client.get("/readyz").json()["checks"]["search"]
    assert (ready["outbox_rows"], ready["outbox_parked"]) == (1, 0)
    assert "offramp_outbox_rows 1.0" in client.get("/metrics").text
    backend.down = False
    assert drainer.drain().rows == 1
    assert rows(app) == []


def test_outbox_command_lists_retries_and_drops_parked_rows(
    quiet: tuple[FastAPI, TestClient], database: DatabaseUnderTest, data_dir: Path
) -> None:
    app, client = quiet
    token = member_token(app, "ngo-a", "publisher")
    ids = [published_entry(client, token, visibility="private")["id"] for _ in range(2)]
    backend = RefusingBackend(app.state.search_backend)
    backend.refused = set(ids)
    for _ in range(3):
        consumer(app, backend).drain_once()
    first = [r.id for r in rows(app) if r.entry_id == ids[0]]
    second = [r.id for r in rows(app) if r.entry_id == ids[1]]
    env = _worker_env(database, data_dir)

    listed = _cli(["outbox", "list"], env)
    assert listed.returncode == 0, listed.stderr
    assert f"parked: {len(first) + len(second)}" in listed.stdout
    assert f"{first[0]}\tentry {ids[0]}\tattempts 3" in listed.stdout
    assert "rejected" in listed.stdout

    refused = _cli(["outbox", "retry"], env)
    assert refused.returncode == 2
    assert "--all" in refused.stderr

    retried = _cli(["outbox", "retry", *map(str, first)], env)
    assert retried.returncode == 0, retried.stderr
    assert f"{len(first)} rows handed back" in retried.stdout
    backend.refused = set()
    assert consumer(app, backend).drain().upserted == 1
    assert [r.id for r in rows(app)] == second

    dropped = _cli(["outbox", "drop", "--all"], env)
    assert dropped.returncode == 0, dropped.stderr
    assert f"{len(second)} parked rows dropped" in dropped.stdout
    assert rows(app) == []
    assert set(backend.real.fingerprints()) == {ids[0]}

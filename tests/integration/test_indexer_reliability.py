"""The outbox and the indexer lose nothing: transactional outbox rows, engine
failures that back off and converge, a worker killed with SIGKILL mid-drain, and
the maintenance commands (reindex, check-index) over real subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tantivy
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.config import Settings
from api.db import make_session_factory
from api.demo.load import load_demo
from api.main import create_app
from api.models import SearchOutbox
from api.models.base import utcnow
from api.vocabularies.service import load_registry
from indexer.backends.base import BackendError, SearchBackend, SearchDocument
from indexer.backends.embedded import EmbeddedBackend
from indexer.consumer import OutboxConsumer
from indexer.maintenance import check_index, reindex
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, entry_payload, member_token, publish


def outbox_rows(database: DatabaseUnderTest) -> int:
    with make_session_factory(database.engine)() as session:
        return session.scalar(select(func.count(SearchOutbox.id))) or 0


class SwitchableBackend:
    """The real embedded engine behind a switch that makes it fail like an engine
    that is down (fault injection; every call reaches the real engine when up)."""

    name = "embedded"

    def __init__(self, real: SearchBackend) -> None:
        self.real = real
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise BackendError("engine unreachable (switched off by the test)")

    def upsert(self, documents: Sequence[SearchDocument]) -> None:
        self._check()
        self.real.upsert(documents)

    def delete(self, ids: Sequence[str]) -> None:
        self._check()
        self.real.delete(ids)

    def health(self) -> dict[str, Any]:
        if self.down:
            return {"status": "unavailable", "error": "switched off by the test"}
        return self.real.health()

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


@pytest.fixture
def quiet_settings(database: DatabaseUnderTest, data_dir: Path) -> Settings:
    """No in-process indexer: the test drives the consumer or a worker process."""
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database.url,
        indexer_in_process=False,
        index_wait_seconds=0.0,
    )


@pytest.fixture
def quiet_client(quiet_settings: Settings) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(quiet_settings)
    with TestClient(app) as client:
        yield app, client


class TestTransactionalOutbox:
    def test_each_change_writes_one_row_in_its_transaction(
        self, quiet_client: tuple[FastAPI, TestClient], database: DatabaseUnderTest
    ) -> None:
        app, client = quiet_client
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token, visibility="private")  # published without review
        assert outbox_rows(database) == 1
        publish(client, token, entry["id"])
        assert outbox_rows(database) == 2
        client.post(
            f"/v1/entries/{entry['id']}/attachments",
            files={"file": ("n.txt", b"notes", "text/plain")},
            headers=bearer(token),
        )
        assert outbox_rows(database) == 3

    def test_a_refused_write_leaves_no_row(
        self, quiet_client: tuple[FastAPI, TestClient], database: DatabaseUnderTest
    ) -> None:
        app, client = quiet_client
        token = member_token(app, "ngo-a", "publisher")
        response = client.post(
            "/v1/entries", json=entry_payload(regions=["XX"]), headers=bearer(token)
        )
        assert response.status_code == 422
        assert outbox_rows(database) == 0

    def test_organization_rename_marks_its_entries(
        self, quiet_client: tuple[FastAPI, TestClient], database: DatabaseUnderTest
    ) -> None:
        app, client = quiet_client
        token = member_token(app, "ngo-a", "publisher")
        create_entry(client, token)
        create_entry(client, token)
        factory = make_session_factory(database.engine)
        OutboxConsumer(factory, app.state.search_backend, lambda: app.state.vocabularies).drain()
        from api.organizations.service import get_organization

        with factory() as session, session.begin():
            org = get_organization(session, "ngo-a")
            assert org is not None
            org.name = "NGO A (renamed)"
        assert outbox_rows(database) == 2


class TestEngineFailure:
    def test_writes_succeed_lag_is_reported_and_index_converges(
        self, database: DatabaseUnderTest, data_dir: Path
    ) -> None:
        settings = Settings(
            environment="test",
            data_dir=data_dir,
            database_url=database.url,
            indexer_max_backoff_seconds=0.5,
            index_wait_seconds=1.0,
        )
        app = create_app(settings)
        with TestClient(app) as client:
            switch = SwitchableBackend(app.state.search_backend)
            app.state.indexer_loop.consumer.backend = switch
            token = member_token(app, "ngo-a", "publisher")
            switch.down = True
            published = [
                publish(client, token, create_entry(client, token)["id"]) for _ in range(5)
            ]
            ready = client.get("/readyz").json()["checks"]["search"]
            assert ready["outbox_rows"] >= 5
            assert ready["indexer"] == "retrying"
            assert ready["status"] == "ok"  # behind, but not yet past the allowed lag
            # Past the allowed lag the node says so, and a load balancer stops sending to it.
            with database.engine.begin() as connection:
                connection.execute(
                    update(SearchOutbox).values(created_at=utcnow() - timedelta(seconds=61))
                )
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["search"]["status"] == "degraded"
            assert client.get("/v1/search", params={"q": "reintegration"}).json()["total"] == 0
            switch.down = False
            deadline = time.monotonic() + 30
            while outbox_rows(database) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert outbox_rows(database) == 0
            body = client.get("/v1/search", params={"q": "reintegration"}).json()
            assert {h["id"] for h in body["hits"]} == {e["id"] for e in published}
            report = check_index(
                app.state.session_factory, app.state.search_backend, app.state.vocabularies
            )
            assert report.clean


def _worker_env(database: DatabaseUnderTest, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    env.update(
        OFFRAMP_DATABASE_URL=database.url,
        OFFRAMP_DATA_DIR=str(data_dir),
        OFFRAMP_INDEXER_BATCH_SIZE="100",
        OFFRAMP_INDEXER_POLL_INTERVAL_SECONDS="0.1",
        OFFRAMP_ENVIRONMENT="test",
    )
    return env


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


class TestWorkerKilledMidDrain:
    @pytest.mark.slow
    @pytest.mark.timeout(900)
    def test_sigkill_then_restart_converges(
        self, database: DatabaseUnderTest, quiet_settings: Settings, data_dir: Path
    ) -> None:
        load_demo(quiet_settings, database.engine, size=3000, seed=99)
        total = outbox_rows(database)
        assert total == 3000
        env = _worker_env(database, data_dir)
        worker = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while outbox_rows(database) > total - 400 and time.monotonic() < deadline:
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        remaining = outbox_rows(database)
        assert 0 < remaining < total, "the kill should land mid-drain"

        restarted = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Generous: on a loaded 2-core CI machine 2,600 documents can take minutes.
            deadline = time.monotonic() + 600
            while outbox_rows(database) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert outbox_rows(database) == 0, f"{outbox_rows(database)} rows left of {remaining}"
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.wait(30)
        check = _cli(["check-index"], env)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "index matches the database" in check.stdout


class TestMaintenanceCommands:
    def test_check_index_reports_and_repairs_then_reindex_swaps(
        self, database: DatabaseUnderTest, quiet_settings: Settings, data_dir: Path
    ) -> None:
        load_demo(quiet_settings, database.engine, size=320, seed=5)
        factory = make_session_factory(database.engine)
        with factory() as session:
            registry = load_registry(session)
        backend = EmbeddedBackend(data_dir / "search")
        backend.ensure_ready()
        OutboxConsumer(factory, backend, lambda: registry).drain()
        victim = sorted(backend.fingerprints())[0]
        backend.delete([victim])
        backend.close()
        env = _worker_env(database, data_dir)

        check = _cli(["check-index"], env)
        assert check.returncode == 1
        assert "missing: 1" in check.stdout
        assert victim in check.stdout

        repaired = _cli(["check-index", "--repair"], env)
        assert repaired.returncode == 0, repaired.stderr
        assert _cli(["check-index"], env).returncode == 0

        rebuilt = _cli(["reindex"], env)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "reindexed" in rebuilt.stdout
        assert _cli(["check-index"], env).returncode == 0

    def test_reindex_replaces_an_index_built_with_an_older_schema(
        self, database: DatabaseUnderTest, quiet_settings: Settings, data_dir: Path
    ) -> None:
        """After an upgrade that changed the documents' fields the current index no
        longer opens ("outdated schema"); `offramp reindex` is the way out."""
        load_demo(quiet_settings, database.engine, size=40, seed=5)
        backend = EmbeddedBackend(data_dir / "search")
        backend.ensure_ready()
        backend.close()
        (generation,) = (data_dir / "search" / "indexes").iterdir()
        main = generation / "main"
        shutil.rmtree(main)
        main.mkdir()
        older = tantivy.SchemaBuilder()
        older.add_text_field("id", stored=True)
        tantivy.Index(older.build(), path=str(main), reuse=False)
        env = _worker_env(database, data_dir)
        stuck = _cli(["check-index"], env)
        assert stuck.returncode != 0
        assert "outdated schema" in stuck.stdout + stuck.stderr

        rebuilt = _cli(["reindex"], env)

        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "building a new one" in rebuilt.stderr
        check = _cli(["check-index"], env)
        assert check.returncode == 0, check.stdout + check.stderr


class TestReindexLosesNothing:
    def test_change_indexed_into_the_old_index_during_a_rebuild_reaches_the_new_one(
        self, quiet_client: tuple[FastAPI, TestClient], database: DatabaseUnderTest
    ) -> None:
        app, client = quiet_client
        factory = make_session_factory(database.engine)
        registry = app.state.vocabularies
        backend = app.state.search_backend
        consumer = OutboxConsumer(factory, backend, lambda: registry)
        token = member_token(app, "ngo-a", "publisher")
        entry = create_entry(client, token, visibility="private", title="Before the rebuild")
        publish(client, token, entry["id"])
        consumer.drain()

        class RebuildWithConcurrentEdit:
            """The real engine; while the new index is being loaded, the entry is
            edited and the consumer indexes the edit into the *old* index."""

            name = "embedded"

            def apply_thesaurus(self, thesaurus: Any) -> None:
                backend.apply_thesaurus(thesaurus)

            def rebuild(self, documents: Any, *, progress: Any = None) -> int:
                snapshot = list(documents)  # the rebuild has read the database
                current = client.get(f"/v1/entries/{entry['id']}", headers=bearer(token))
                client.patch(
                    f"/v1/entries/{entry['id']}",
                    json={"title": "Edited during the rebuild"},
                    headers={**bearer(token), "If-Match": f'"{current.json()["version"]}"'},
                )
                client.post(f"/v1/entries/{entry['id']}/publish", headers=bearer(token))
                consumer.drain()
                loaded: int = backend.rebuild(iter(snapshot), progress=progress)
                return loaded

        loaded, requeued = reindex(factory, RebuildWithConcurrentEdit(), registry)  # type: ignore[arg-type]
        assert loaded == 1
        assert requeued == 1
        consumer.drain()
        assert check_index(factory, backend, registry).clean
        found = client.get(
            "/v1/search", params={"q": "edited rebuild"}, headers=bearer(token)
        ).json()
        assert [hit["id"] for hit in found["hits"]] == [entry["id"]]

"""Three `offramp serve` processes and two `offramp worker` processes on one
database (the embedded engine in its shared-index mode: every process opens the
same index directory; Meilisearch where MEILI_URL is set), publishers and
searchers round-robin over the API processes; midway one worker and one API
process are killed with SIGKILL. Afterwards: no write acknowledged with 2xx is
missing, no 5xx (only the killed process's connections fail, as transport
errors), and once the surviving worker drained the outbox `offramp check-index`
is clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import Settings
from api.main import create_app
from api.models import Entry
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, entry_payload, member_token
from tests.integration.test_graceful_shutdown import _free_port, _start_server
from tests.integration.test_indexer_reliability import _cli, _worker_env, outbox_rows


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_three_api_processes_two_workers_and_two_kills(
    postgres_database: DatabaseUnderTest, data_dir: Path
) -> None:
    """PostgreSQL only: several workers need its row locks (SQLite has one writer)."""
    database = postgres_database
    database.reset()
    env = _worker_env(database, data_dir)
    env["OFFRAMP_INDEXER_IN_PROCESS"] = "false"  # replicas never index in-process
    if os.environ.get("MEILI_URL"):
        env["OFFRAMP_SEARCH_BACKEND"] = "meilisearch"
        env["OFFRAMP_MEILI_URL"] = os.environ["MEILI_URL"]
        env["OFFRAMP_MEILI_MASTER_KEY"] = os.environ.get("MEILI_MASTER_KEY", "")
        env["OFFRAMP_MEILI_INDEX"] = f"multi_{os.getpid()}_{time.monotonic_ns()}"
    settings = Settings(
        environment="test", data_dir=data_dir, database_url=database.url, indexer_in_process=False
    )
    with TestClient(create_app(settings)) as setup:
        publisher = member_token(setup.app, "ngo-a", "publisher")  # type: ignore[arg-type]
        reader = member_token(setup.app, "ngo-b", "reader")  # type: ignore[arg-type]
        factory = setup.app.state.session_factory  # type: ignore[attr-defined]
    ports = [_free_port() for _ in range(3)]
    servers = [_start_server(env, port) for port in ports]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    killed_port = ports[2]
    acknowledged: list[str] = []
    server_errors: list[tuple[int, str]] = []
    transport_errors: dict[int, int] = {}
    answered = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        sessions = {p: httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=30) for p in ports}
        turn = n
        try:
            while not stop.is_set():
                port = ports[turn % 3]
                turn += 1
                try:
                    if n % 2 == 0:
                        response = sessions[port].post(
                            "/v1/entries",
                            json=entry_payload(visibility="private", title=f"Probe {n}-{turn}"),
                            headers=bearer(publisher),
                        )
                    else:
                        response = sessions[port].get(
                            "/v1/search", params={"q": "reintegration"}, headers=bearer(reader)
                        )
                except httpx.TransportError:
                    with lock:
                        transport_errors[port] = transport_errors.get(port, 0) + 1
                    continue
                with lock:
                    answered[0] += 1
                    if response.status_code >= 500:
                        server_errors.append((port, response.text[:200]))
                    elif response.status_code == 201:
                        acknowledged.append(response.json()["id"])
        finally:
            for session in sessions.values():
                session.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    try:
        for thread in threads:
            thread.start()
        while answered[0] < 60:
            time.sleep(0.05)
        workers[0].send_signal(signal.SIGKILL)
        servers[2].send_signal(signal.SIGKILL)
        settled = answered[0]
        while answered[0] < settled + 60:
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(60)
        deadline = time.monotonic() + 120
        while outbox_rows(database):
            assert time.monotonic() < deadline, "the surviving worker did not drain the outbox"
            time.sleep(0.2)
    finally:
        stop.set()
        for process in [*servers, *workers]:
            if process.poll() is None:
                process.terminate()
        for process in [*servers, *workers]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()

    assert not server_errors, server_errors
    assert set(transport_errors) <= {killed_port}, transport_errors
    assert acknowledged
    with factory() as session:
        stored = set(session.scalars(select(Entry.id)))
    assert set(acknowledged) <= stored
    check = _cli(["check-index"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "index matches the database" in check.stdout

"""SIGTERM mid-load: `offramp serve` stops accepting, finishes the requests in
flight (one of them still sending its body when the signal arrives), stops its
indexer after the current batch and exits 0; no request gets a 5xx, and every
write acknowledged with 2xx is in the database. `offramp worker` likewise."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import Settings
from api.main import create_app
from api.models import Entry
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, entry_payload, member_token
from tests.integration.test_indexer_reliability import _cli, _worker_env, outbox_rows


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, "the server exited at start"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def test_sigterm_mid_load_finishes_in_flight_requests_and_exits_0(
    database: DatabaseUnderTest, data_dir: Path
) -> None:
    env = _worker_env(database, data_dir)
    settings = Settings(environment="test", data_dir=data_dir, database_url=database.url)
    with TestClient(create_app(settings)) as setup:
        token = member_token(setup.app, "ngo-a", "publisher")  # type: ignore[arg-type]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(env, port)

    statuses: list[int] = []
    created: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                try:
                    if n % 2:
                        response = http.get("/v1/search", params={"q": "reintegration"})
                    else:
                        response = http.post(
                            "/v1/entries", json=entry_payload(), headers=bearer(token)
                        )
                except httpx.TransportError:
                    continue  # refused or closed once the server stopped accepting
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        created.append(response.json()["id"])

    body_started = threading.Event()
    signal_sent = threading.Event()
    slow_result: list[httpx.Response] = []

    def slow_body() -> Iterator[bytes]:
        payload = httpx.Request("POST", base, json=entry_payload(title="Sent slowly")).content
        yield payload[:20]
        body_started.set()
        signal_sent.wait(30)
        time.sleep(0.5)  # the server is shutting down by now
        yield payload[20:]

    def slow_request() -> None:
        slow_result.append(
            httpx.post(
                f"{base}/v1/entries",
                content=slow_body(),
                headers={**bearer(token), "Content-Type": "application/json"},
                timeout=60,
            )
        )

    workers = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    slow = threading.Thread(target=slow_request)
    try:
        for thread in workers:
            thread.start()
        slow.start()
        assert body_started.wait(30)
        while len(statuses) < 20:  # mid-load
            time.sleep(0.05)
        server.send_signal(signal.SIGTERM)
        signal_sent.set()
        assert server.wait(60) == 0
    finally:
        stop.set()
        signal_sent.set()
        for thread in [*workers, slow]:
            thread.join(60)
        if server.poll() is None:
            server.kill()

    assert slow_result, "the request in flight got no answer"
    assert slow_result[0].status_code == 201, slow_result[0].text
    assert statuses
    assert all(status < 500 for status in statuses), statuses
    assert {200, 201} >= set(statuses), statuses
    acknowledged = {*created, slow_result[0].json()["id"]}
    with setup.app.state.session_factory() as session:  # type: ignore[attr-defined]
        stored = set(session.scalars(select(Entry.id)))
    assert acknowledged <= stored


def test_sigterm_stops_the_worker_after_its_batch_and_exits_0(
    database: DatabaseUnderTest, data_dir: Path
) -> None:
    from api.demo.load import load_demo

    settings = Settings(
        environment="test", data_dir=data_dir, database_url=database.url, indexer_in_process=False
    )
    load_demo(settings, database.engine, size=600, seed=5)
    total = outbox_rows(database)
    env = _worker_env(database, data_dir)
    worker = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while outbox_rows(database) == total:  # until it is draining
            assert time.monotonic() < deadline, "the worker did not start draining"
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    # Whatever it indexed is confirmed and whatever it did not is still queued:
    # a restarted worker converges and the index matches the database.
    restarted = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            listed = _cli(["outbox", "list"], env)
            if listed.stdout.startswith("waiting: 0 "):
                break
            assert time.monotonic() < deadline, listed.stdout
            time.sleep(0.5)
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(60) == 0
    check = _cli(["check-index"], env)
    assert check.returncode == 0, check.stdout + check.stderr

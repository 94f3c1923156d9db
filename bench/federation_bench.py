"""Federation between two nodes: throughput feed → harvester → index, and
publish-on-A → searchable-on-B latency with the harvester polling every second.

    .venv/bin/python bench/federation_bench.py --entries 5000 --latency-samples 20

Prints figures; asserts nothing. Two real nodes on loopback, each with its own
SQLite database, data directory, keys and embedded search index, as two networks'
machines would be: A is a separate `offramp serve` process (its data written by
this script straight into its database, through the same write path), B runs in
this process (uvicorn in a thread, its indexer thread, and the harvester called
directly). A holds --entries public entries (plus as many private ones that must
not travel); B is A's peer and harvests it over HTTP with client credentials.

- throughput: B harvests A's whole feed and indexes it; entries/s from the first
  request until B's search outbox is empty (target ≥ 1,000 entries/s);
- latency: a `HarvestLoop` on B polls A every 1 s; an entry is published on A
  (committed) and the clock runs until B's search API finds it by a unique word
  (target p95 ≤ 3 s; the poll interval alone accounts for ≤ 1 s of it)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import free_port, percentile, server_env, wait_healthy

from api.access import Principal
from api.config import Settings
from api.db import make_engine, make_session_factory
from api.entries.service import insert_entry, new_entry_id
from api.federation.harvest import HarvestLoop, harvest_peer
from api.federation.service import add_peer
from api.main import create_app
from api.migrate import migrate
from api.models import SearchOutbox
from api.models.base import utcnow
from api.organizations.service import create_organization

ADMIN = Principal(display_name="federation bench")


def _settings(name: str, root: Path, url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=root / name,
        public_url=url,
        node_name=f"bench node {name}",
        federation_poll_interval_seconds=1.0,
        log_level="WARNING",
        gc_freeze=True,  # as a deployed node does (api.heap); "test" alone would not
    )


@contextmanager
def node(name: str, root: Path) -> Iterator[tuple[FastAPI, TestClient, str]]:
    """A node in this process: uvicorn in a thread, with its in-process indexer."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = _settings(name, root, url)
    engine = make_engine(settings)
    migrate(engine)
    engine.dispose()
    app = create_app(settings)
    with ExitStack() as stack:
        client = stack.enter_context(TestClient(app))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield app, client, url
        finally:
            server.should_exit = True
            thread.join(10)


@contextmanager
def node_process(name: str, root: Path) -> Iterator[tuple[sessionmaker[Session], str]]:
    """A node as its own `offramp serve` process; yields a session factory on its
    database (for loading data and registering peers) and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = _settings(name, root, url)
    engine = make_engine(settings)
    migrate(engine)
    env = server_env(settings.data_dir, port, None)
    env.update(OFFRAMP_ENVIRONMENT="test", OFFRAMP_NODE_NAME=settings.node_name,
               OFFRAMP_GC_FREEZE="true")  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=url) as http:
            wait_healthy(http)
        yield make_session_factory(engine), url
    finally:
        server.terminate()
        server.wait(30)
        engine.dispose()


def values(title: str, visibility: str) -> dict[str, Any]:
    return {
        "kind": "evaluation", "title": title, "summary": "Outcomes of mentoring returnees.",
        "body": "Findings of a two-year reintegration programme. " * 20, "language": "en",
        "authors": ["A. Author"], "program_types": ["reintegration"], "regions": ["ML"],
        "settings": [], "target_populations": [], "actors": [], "evaluation_design": None,
        "evidence_level": None, "period_start": None, "period_end": None, "links": [],
        "license": "CC-BY-4.0", "visibility": visibility,
    }  # fmt: skip


def publish(factory: sessionmaker[Session], org_id: int, title: str) -> None:
    with factory() as session, session.begin():
        insert_entry(
            session,
            entry_id=new_entry_id(),
            organization_id=org_id,
            values=values(title, "public"),
            partners=[],
            indicators=[],
            status="published",
            published_at=utcnow(),
        )


def outbox_empty(factory: sessionmaker[Session], app: FastAPI | None = None) -> bool:
    if app is not None:
        app.state.indexer_loop.wake()
    with factory() as session:
        return not session.scalar(select(func.count(SearchOutbox.id)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--latency-samples", type=int, default=20)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        node_process("a", Path(tmp)) as (a, a_url),
        node("b", Path(tmp)) as (b, b_client, b_url),
    ):
        with a() as session, session.begin():
            org_id = create_organization(session, slug="sahel-ngo", name="Sahel NGO").id
        started = time.perf_counter()
        for start in range(0, args.entries, 500):
            with a() as session, session.begin():
                for n in range(start, min(start + 500, args.entries)):
                    for visibility in ("public", "private"):
                        insert_entry(
                            session, entry_id=new_entry_id(), organization_id=org_id,
                            values=values(f"Entry {n} {visibility}", visibility), partners=[],
                            indicators=[], status="published", published_at=utcnow(),
                        )  # fmt: skip
        while not outbox_empty(a):
            time.sleep(0.05)
        print(f"loaded {args.entries} public + {args.entries} private entries on A "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

        started = time.perf_counter()
        with a() as session, session.begin():
            peer, secret = add_peer(session, name="b", base_url=b_url, organizations=[],
                                    remote_client_id=None, remote_client_secret=None,
                                    created_by=ADMIN)  # fmt: skip
            client_id = peer.client_id
        print(f"peer added on A (announces {args.entries} entries): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
        with b.state.session_factory() as session, session.begin():
            add_peer(session, name="a", base_url=a_url, organizations=[],
                     remote_client_id=client_id, remote_client_secret=secret,
                     created_by=ADMIN)  # fmt: skip

        started = time.perf_counter()
        report = harvest_peer(b.state.session_factory, "a", b.state.settings)
        harvested = time.perf_counter() - started
        while not outbox_empty(b.state.session_factory, b):
            time.sleep(0.02)
        total = time.perf_counter() - started
        print(f"harvest: {report.applied} applied in {report.pages} pages, {harvested:.2f} s "
              f"({report.applied / harvested:,.0f} entries/s)")  # fmt: skip
        print(f"feed → harvester → index: {total:.2f} s = {report.applied / total:,.0f} entries/s "
              "(target ≥ 1,000)")  # fmt: skip

        loop = HarvestLoop(b.state.session_factory, b.state.settings)
        loop.start()
        latencies = []
        try:
            for _ in range(args.latency_samples):
                word = "w" + uuid.uuid4().hex[:12]
                publish(a, org_id, f"Latency probe {word}")
                since = time.perf_counter()
                while True:
                    hits = b_client.get("/v1/search", params={"q": word}).json()["hits"]
                    if hits:
                        break
                    if time.perf_counter() - since > 30:
                        raise SystemExit("an entry published on A was not searchable on B in 30 s")
                    time.sleep(0.02)
                latencies.append(time.perf_counter() - since)
        finally:
            loop.stop()
        print(f"publish on A → searchable on B (1 s poll), {len(latencies)} samples: "
              f"p50 {percentile(latencies, 50):.2f} s, p95 {percentile(latencies, 95):.2f} s "
              "(target p95 ≤ 3 s)")  # fmt: skip


if __name__ == "__main__":
    main()

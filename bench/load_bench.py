"""Load on 1 and on 3 API processes over PostgreSQL: requests/s, latency, errors.

    .venv/bin/python bench/load_bench.py --size 2000 --clients 12 --seconds 20

Prints figures; asserts nothing. A fresh PostgreSQL database (on --postgres-url's
server, dropped afterwards) with --size demo entries; for each process count, that
many `offramp serve` processes on their own ports (in-process indexer off, as
replicas run) and one `offramp worker`, and --clients concurrent clients sending
requests round-robin over the processes for --seconds: a search-heavy mix (95 %
searches — one word, several words, a typo, 0-2 facet filters; half anonymous,
half as a member — and 5 % writes, a new draft). Errors are transport errors
and 5xx answers. The scaling ratio is requests/s with 3 processes ÷ with 1;
on a machine with fewer cores than processes it measures contention, not scale."""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import free_port, percentile, server_env, wait_healthy

from api.config import Settings
from api.db import make_engine
from api.demo.load import load_demo
from api.migrate import migrate

OWNER = "sahel-pathways-initiative"
QUERIES = ["reintegration", "mentoring returnees", "reintegraton", "prison", "community dialogue"]
FILTERS = [
    {},
    {"region": "002"},
    {"program_type": "reintegration"},
    {"region": "002", "year_from": "2015"},
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_clients(ports: list[int], clients: int, seconds: float, tokens: dict[str, str]) -> Tally:
    tally = Tally()
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        sessions = [httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=30) for p in ports]
        turn = n
        try:
            while time.perf_counter() < deadline:
                http = sessions[turn % len(sessions)]
                turn += 1
                started = time.perf_counter()
                try:
                    if rng.random() < 0.05:
                        response = http.post(
                            "/v1/entries",
                            headers={"Authorization": f"Bearer {tokens['publisher']}"},
                            json={
                                "kind": "evaluation",
                                "title": f"Load probe {secrets.token_hex(4)}",
                                "regions": ["KE"],
                                "visibility": "private",
                            },
                        )
                    else:
                        params = {"q": rng.choice(QUERIES), **rng.choice(FILTERS)}
                        headers = (
                            {"Authorization": f"Bearer {tokens['member']}"}
                            if rng.random() < 0.5
                            else {}
                        )
                        response = http.get("/v1/search", params=params, headers=headers)
                    failed = response.status_code >= 500
                except httpx.TransportError:
                    failed = True
                elapsed = time.perf_counter() - started
                with tally.lock:
                    tally.latencies.append(elapsed)
                    tally.errors += failed
        finally:
            for session in sessions:
                session.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000, help="demo entries loaded")
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--postgres-url", default="postgresql+psycopg://127.0.0.1:5432/postgres")
    args = parser.parse_args()

    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"offramp_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(args.postgres_url).set(database=name).render_as_string(False)
    workdir = Path(tempfile.mkdtemp(prefix="offramp-load-"))
    try:
        settings = Settings(environment="test", data_dir=workdir, database_url=database_url)
        engine = make_engine(settings)
        migrate(engine)
        load_demo(settings, engine, size=args.size, seed=20261202)
        engine.dispose()
        first_port = free_port()
        env = server_env(workdir, first_port, database_url)  # one public URL for all
        env["OFFRAMP_INDEXER_IN_PROCESS"] = "false"

        def offramp(*argv: str) -> str:
            return subprocess.run(
                [sys.executable, "-m", "api.cli", *argv],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip

        offramp("org", "create", "coordination-hub", "--name", "Coordination hub")
        tokens = {
            "publisher": offramp("token", "--org", OWNER, "--role", "publisher"),
            "member": offramp("token", "--org", "coordination-hub", "--role", "reader"),
        }
        print(
            f"# load: {args.size} entries, PostgreSQL, embedded engine (shared index), "
            f"{args.clients} clients, {args.seconds:.0f} s per run, 95 % search / 5 % writes"
        )
        print("| API processes | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|")
        rates: dict[int, float] = {}
        for count in args.processes:
            ports = [first_port] + [free_port() for _ in range(count - 1)]
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for port in ports
            ]
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "api.cli", "worker"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            try:
                for port in ports:
                    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
                        wait_healthy(http)
                run_clients(ports, args.clients, 2.0, tokens)  # warm-up
                tally = run_clients(ports, args.clients, args.seconds, tokens)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(60)
            ms = [x * 1000 for x in tally.latencies]
            rates[count] = len(ms) / args.seconds
            print(
                f"| {count} | {len(ms)} | {rates[count]:.1f} | {percentile(ms, 50):.1f} | "
                f"{percentile(ms, 95):.1f} | {percentile(ms, 99):.1f} | {tally.errors} |"
            )
        if 1 in rates and len(rates) > 1:
            top = max(rates)
            print(f"scaling ratio ({top} ÷ 1 processes, requests/s): {rates[top] / rates[1]:.2f}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

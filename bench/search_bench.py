"""Search benchmarks: indexing throughput, API vs engine latency, publish→searchable,
full reindex time and peak memory, on N synthetic demo entries.

    .venv/bin/python bench/search_bench.py --size 10000
    .venv/bin/python bench/search_bench.py --size 100000

Prints figures; asserts nothing. Uses a fresh data directory with SQLite (or
--database-url) and the embedded engine, a real uvicorn server on loopback for
the API figures, and the same query mix (one-word, multi-word, typo, prefix; 0-3
facet filters; anonymous and member) for the API and the direct engine calls."""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.access import NETWORK, PUBLIC, org_tag
from api.config import Settings
from api.db import make_engine, make_session_factory
from api.demo.load import load_demo
from api.migrate import migrate
from api.organizations.service import get_organization
from api.vocabularies.service import load_registry
from indexer.backends.base import FACETS, SearchQuery
from indexer.backends.embedded import EmbeddedBackend
from indexer.consumer import OutboxConsumer
from indexer.maintenance import reindex
from indexer.thesaurus import thesaurus_of

WORDS = ["reintegration", "rehabilitation", "mentoring", "prison", "returnees", "family"]
MULTI = ["returnee women", "prison rehabilitation", "community reintegration", "family support"]
TYPOS = ["rehabilitaton", "reintegraton", "disengagment", "mentorng"]
PREFIXES = ["disengag", "rehabil", "reinteg", "mentor"]
FACET_CHOICES = [
    ("region", ["002", "014", "150", "142", "019"]),
    ("program_type", ["reintegration", "prison_rehabilitation", "mentoring", "ddr"]),
    ("kind", ["evaluation", "lessons_learned"]),
    ("language", ["en", "fr"]),
]
MEMBER_ORG = "sahel-pathways-initiative"
# Four eyes: a curator of another organization approves (api.access.policy).
CURATOR_ORG = "lake-chad-bridges-collective"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def query_mix(count: int, seed: int = 7) -> list[tuple[str, dict[str, list[str]], bool]]:
    rng = random.Random(seed)
    mix = []
    for i in range(count):
        text = rng.choice([WORDS, MULTI, TYPOS, PREFIXES][i % 4])
        filters: dict[str, list[str]] = {}
        for facet, values in rng.sample(FACET_CHOICES, k=i % 4):
            filters[facet] = [rng.choice(values)]
        mix.append((text, filters, i % 2 == 1))
    return mix


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mib(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_env(workdir: Path, port: int, database_url: str | None) -> dict[str, str]:
    """The environment of an API server (or worker) on loopback over `workdir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    env.update(
        OFFRAMP_DATA_DIR=str(workdir),
        OFFRAMP_ENVIRONMENT="development",
        OFFRAMP_PUBLIC_URL=f"http://127.0.0.1:{port}",
        OFFRAMP_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["OFFRAMP_DATABASE_URL"] = database_url
    return env


def wait_healthy(http: httpx.Client) -> None:
    for _ in range(300):
        try:
            if http.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--publishes", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument(
        "--data-dir", type=Path, help="reuse a kept, indexed data directory (no load, no drain)"
    )
    parser.add_argument("--no-reindex", action="store_true", help="skip the full reindex")
    args = parser.parse_args()

    workdir = args.data_dir or Path(tempfile.mkdtemp(prefix="offramp-bench-"))
    settings = Settings(
        environment="test",
        data_dir=workdir,
        database_url=args.database_url,
        indexer_in_process=False,
    )
    engine = make_engine(settings)
    migrate(engine)
    factory = make_session_factory(engine)
    print(f"# offramp search benchmark: {args.size} entries, data in {workdir}")

    with factory() as session:
        registry = load_registry(session)
    backend = EmbeddedBackend(workdir / "search")
    backend.ensure_ready()
    if args.data_dir is None:
        started = time.perf_counter()
        load_demo(settings, engine, size=args.size, seed=20261128)
        print(f"demo load (DB writes incl. outbox)      {time.perf_counter() - started:8.1f} s")
        consumer = OutboxConsumer(factory, backend, lambda: registry, batch_size=2000)
        started = time.perf_counter()
        drained = consumer.drain()
        elapsed = time.perf_counter() - started
        print(
            f"outbox→index throughput                 {drained.rows / elapsed:8.0f} entries/s"
            f"  ({drained.rows} rows, {drained.upserted} documents, {elapsed:.1f} s)"
            "  target ≥ 2000"
        )

    with factory() as session:
        org = get_organization(session, MEMBER_ORG)
        assert org is not None
        member_readers = sorted({PUBLIC, NETWORK, org_tag(org.id)})

    mix = query_mix(args.queries)
    # The API counts facets only when asked: ask for all, as the engine is, and as
    # the web search page does.
    all_facets = ",".join(FACETS)
    thesaurus = thesaurus_of(registry)
    engine_times: list[float] = []
    for text, filters, as_member in mix:
        query = SearchQuery(
            readers=member_readers if as_member else [PUBLIC],
            text=text,
            filters=filters,
            limit=20,
            facets=FACETS,
            thesaurus=thesaurus,
        )
        t0 = time.perf_counter()
        backend.search(query)
        engine_times.append((time.perf_counter() - t0) * 1000)
    backend.close()

    port = free_port()
    env = server_env(workdir, port, args.database_url)

    def dev_token(org: str, role: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", "token", "--org", org, "--role", role],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

    token = dev_token(MEMBER_ORG, "publisher")
    curator = dev_token(CURATOR_ORG, "curator")
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            wait_healthy(http)
            # warm-up, same as the engine got none: both sides measured cold-to-warm alike
            for text, filters, _member in mix[:20]:
                http.get("/v1/search", params={"q": text, "facets": all_facets, **filters})
            api_times: list[float] = []
            for text, filters, as_member in mix:
                headers = {"Authorization": f"Bearer {token}"} if as_member else {}
                t0 = time.perf_counter()
                response = http.get(
                    "/v1/search",
                    params={"q": text, "facets": all_facets, **filters},
                    headers=headers,
                )
                api_times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
            e50, e95 = percentile(engine_times, 50), percentile(engine_times, 95)
            a50, a95 = percentile(api_times, 50), percentile(api_times, 95)
            print(f"engine search latency p50/p95          {e50:6.1f} / {e95:6.1f} ms")
            print(
                f"API search latency p50/p95 (HTTP)      {a50:6.1f} / {a95:6.1f} ms"
                f"  (p50 ratio {a50 / e50:.2f}; targets ≤ 1.5 and p95 ≤ 50 ms)"
            )

            auth = {"Authorization": f"Bearer {token}"}
            lags: list[float] = []
            for i in range(args.publishes):
                word = f"benchword{i}x{random.randint(0, 10**9)}"
                created = http.post(
                    "/v1/entries",
                    json={
                        "kind": "evaluation",
                        "title": f"Benchmark entry {word}",
                        "regions": ["KE"],
                        "visibility": "public",
                    },
                    headers=auth,
                ).json()
                submitted = http.post(f"/v1/entries/{created['id']}/submit", headers=auth)
                assert submitted.status_code == 200, submitted.text
                t0 = time.perf_counter()
                approved = http.post(
                    f"/v1/entries/{created['id']}/approve",
                    headers={"Authorization": f"Bearer {curator}"},
                )
                assert approved.status_code == 200, approved.text
                while True:
                    found = http.get("/v1/search", params={"q": word}).json()["total"]
                    if found:
                        break
                    if time.perf_counter() - t0 > 30:
                        raise SystemExit("publish never became searchable")
                    time.sleep(0.005)
                lags.append((time.perf_counter() - t0) * 1000)
            print(
                f"approve→searchable p50/p95             {percentile(lags, 50):6.1f} / "
                f"{percentile(lags, 95):6.1f} ms  (target p95 ≤ 1000 ms)"
            )
            server_rss = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)

    if not args.no_reindex:
        backend = EmbeddedBackend(workdir / "search")
        started = time.perf_counter()
        loaded, _ = reindex(factory, backend, registry)
        print(
            f"full reindex                            {time.perf_counter() - started:8.1f} s"
            f"  ({loaded} documents; target ≤ 60 s at 100k)"
        )
        backend.close()
    print(
        f"peak RSS: API server {server_rss:.0f} MiB, bench/indexer process "
        f"{peak_rss_mib():.0f} MiB  (target ≤ 1024 MiB)"
    )
    engine.dispose()
    if not args.keep and args.data_dir is None:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

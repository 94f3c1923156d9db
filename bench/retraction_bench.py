"""Retraction purge: how long a retracted entry stays findable anywhere that serves entries.

    .venv/bin/python bench/retraction_bench.py --retractions 60
    .venv/bin/python bench/retraction_bench.py --retractions 60 --separate-worker

Prints figures; asserts nothing. A fresh data directory (SQLite, or --database-url)
with --background demo entries, a real uvicorn server on loopback and — with
--separate-worker — the indexer as its own `offramp worker` process, as in the
compose stack (it polls the outbox; the in-process indexer is woken on commit).

Each of --retractions public entries (a unique word in its title, one attachment)
is published and searchable; then the owner retracts it, and the bench polls,
from before the request was sent, until every surface that serves entries has
let it go: search (anonymous and member), the entry, its attachment, the entry
list and a collection. Target (issue "do no harm"): p95 ≤ 2 s to leave search."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import free_port, percentile, server_env, wait_healthy

from api.config import Settings
from api.db import make_engine
from api.demo.load import load_demo
from api.migrate import migrate

OWNER = "sahel-pathways-initiative"
TIMEOUT_SECONDS = 30.0


def wait_until(check: Callable[[], bool], since: float) -> float:
    """Seconds from `since` until `check()` holds (polling), or raise."""
    while not check():
        if time.perf_counter() - since > TIMEOUT_SECONDS:
            raise SystemExit("a retracted entry was still served after 30 s")
        time.sleep(0.002)
    return time.perf_counter() - since


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--retractions", type=int, default=60)
    parser.add_argument("--background", type=int, default=2000, help="demo entries loaded")
    parser.add_argument("--separate-worker", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="offramp-retraction-"))
    settings = Settings(environment="test", data_dir=workdir, database_url=args.database_url)
    engine = make_engine(settings)
    migrate(engine)
    load_demo(settings, engine, size=args.background, seed=20261202)
    engine.dispose()
    mode = "separate worker (polls the outbox)" if args.separate_worker else "in-process indexer"
    print(
        f"# retraction purge: {args.retractions} retractions, {args.background} "
        f"background entries, {mode}, data in {workdir}"
    )

    port = free_port()
    env = server_env(workdir, port, args.database_url)
    env["OFFRAMP_INDEXER_IN_PROCESS"] = "false" if args.separate_worker else "true"

    def offramp(*argv: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "api.cli", *argv],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def bearer(org: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {offramp('token', '--org', org, '--role', role)}"}

    offramp("org", "create", "coordination-hub", "--name", "Coordination hub")
    owner, member = bearer(OWNER, "publisher"), bearer("coordination-hub", "reader")
    curator = bearer("coordination-hub", "curator")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    if args.separate_worker:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            wait_healthy(http)
            entries = []
            for n in range(args.retractions):
                word = f"purge{n}x{uuid.uuid4().hex[:10]}"
                entry = http.post(
                    "/v1/entries",
                    headers=owner,
                    json={
                        "kind": "evaluation",
                        "title": f"Retraction probe {word}",
                        "regions": ["KE"],
                        "visibility": "public",
                        "body": "Aggregate outcomes only.",
                    },
                ).json()
                href = http.post(
                    f"/v1/entries/{entry['id']}/attachments",
                    headers=owner,
                    files={"file": ("notes.txt", f"notes {word}".encode(), "text/plain")},
                ).json()["href"]
                http.post(f"/v1/entries/{entry['id']}/submit", headers=owner).raise_for_status()
                http.post(f"/v1/entries/{entry['id']}/approve", headers=curator).raise_for_status()
                entries.append((entry["id"], word, href))
            slug = f"probes-{uuid.uuid4().hex[:8]}"
            http.post(
                "/v1/collections", headers=curator, json={"slug": slug, "title": "Probes"}
            ).raise_for_status()
            http.put(
                f"/v1/collections/{slug}/items",
                headers=curator,
                json={"items": [{"entry_id": e} for e, _, _ in entries]},
            ).raise_for_status()
            for _, word, _ in entries:
                wait_until(
                    lambda w=word: http.get("/v1/search", params={"q": w}).json()["total"] == 1,
                    time.perf_counter(),
                )

            request_s, search_s, everywhere_s = [], [], []
            for entry_id, word, href in entries:
                url = f"/v1/entries/{entry_id}"

                def in_search(w: str = word) -> bool:
                    return any(
                        http.get("/v1/search", params={"q": w}, headers=h).json()["total"]
                        for h in ({}, member)
                    )

                def served(u: str = url, h: str = href, e: str = entry_id) -> bool:
                    listed = http.get("/v1/entries", params={"per_page": 5}).json()["items"]
                    items = http.get(f"/v1/collections/{slug}").json()["items"]
                    return (
                        http.get(u).status_code != 404
                        or http.get(h).status_code != 404
                        or any(i["id"] == e for i in listed)
                        or any(i["entry"]["id"] == e for i in items)
                    )

                t0 = time.perf_counter()
                http.post(
                    f"{url}/retract", headers=owner, json={"reason": "safety"}
                ).raise_for_status()
                request_s.append(time.perf_counter() - t0)
                search_s.append(wait_until(lambda: not in_search(), t0))
                everywhere_s.append(max(search_s[-1], wait_until(lambda: not served(), t0)))

        def row(label: str, values: list[float]) -> None:
            ms = [v * 1000 for v in values]
            print(
                f"{label:38} p50 {percentile(ms, 50):7.1f}  p95 {percentile(ms, 95):7.1f}  "
                f"max {max(ms):7.1f} ms"
            )

        row("retract request (HTTP round trip)", request_s)
        row("retract → gone from search", search_s)
        row("retract → gone from every surface", everywhere_s)
        print("target: p95 ≤ 2000 ms to leave search")
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

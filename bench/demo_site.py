"""A demo node on loopback for the page benchmark and the screenshots.

Loads N synthetic demo entries into a fresh data directory (SQLite unless a
database URL is given), starts `offramp serve` as a separate process on a free
127.0.0.1 port, waits until the in-process indexer has drained the outbox, and
adds what the demo data lacks through the API itself: two curated collections
(with a curator's development token). It also opens a browser session for a
demo publisher, a curator of another organization (four eyes) and a node
administrator, so signed-in pages can be shown. Everything is removed on exit
unless `keep` is set."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.auth.sessions import SESSION_COOKIE, create_web_session
from api.cli import DEMO_TOKEN_ORG, mint_dev_token
from api.config import Settings
from api.db import make_engine, make_session_factory
from api.demo.load import load_demo
from api.migrate import migrate
from api.organizations.service import (
    create_organization,
    ensure_account,
    get_organization,
    grant_role,
)

SEED = 20261128
# A curator reviews other organizations' work only (four eyes).
CURATOR_ORG = "lake-chad-bridges-collective"
PUBLIC_URL = "http://127.0.0.1:8000"
COLLECTIONS = (
    (
        "sahel-reintegration",
        "Reintegration in West Africa and the Sahel",
        "Evaluations of community reintegration programs in Western Africa.",
        {"region": "011", "program_type": "reintegration"},
    ),
    (
        "prison-programs",
        "Getting started with prison-based programs",
        "Rehabilitation in custody: what was tried, and what the evaluations found.",
        {"program_type": "prison_rehabilitation"},
    ),
)


@dataclass
class DemoSite:
    url: str
    workdir: Path
    server_pid: int
    member_cookie: tuple[str, str]  # (name, value) of a signed-in publisher's session
    curator_cookie: tuple[str, str]  # a curator of another organization than the publisher's
    admin_cookie: tuple[str, str]  # a node administrator (admin of the operator organization)
    review_entry: str  # an entry awaiting review by that curator
    entry_id: str  # a public entry with indicators and documents
    collection: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session(settings: Settings, org_slug: str, person: str, role: str) -> str:
    """A browser session of `person`, holding `role` in `org_slug` (created if the
    demo has no such organization: the operator organization has none)."""
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session, session.begin():
            organization = get_organization(session, org_slug) or create_organization(
                session, slug=org_slug, name=org_slug.replace("-", " ").title()
            )
            account = ensure_account(
                session,
                issuer=settings.issuer,
                subject=f"demo:{org_slug}:{person}",
                display_name=person.title(),
            )
            grant_role(session, account=account, organization=organization, role=role)
            token, _row = create_web_session(
                session,
                account_id=account.id,
                organization_id=organization.id,
                identity_provider_id=None,
            )
            return token
    finally:
        engine.dispose()


def _submitted(http: httpx.Client, publisher: str) -> str:
    """An entry the demo publisher submitted for review (the demo data has none)."""
    auth = {"Authorization": f"Bearer {publisher}"}
    created = http.post(
        "/v1/entries",
        json={
            "kind": "evaluation",
            "title": "Mentoring returnees in Mopti: an outcome evaluation",
            "summary": "Eighteen months of peer mentoring for young men leaving armed groups.",
            "body": "## What was done\n\nWeekly mentoring, vocational training and family "
            "dialogue for 140 participants.\n\n## Findings\n\nFewer returned to armed "
            "groups than in the comparison district.",
            "regions": ["ML"],
            "program_types": ["reintegration", "mentoring"],
            "visibility": "public",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    entry_id: str = created.json()["id"]
    submitted = http.post(f"/v1/entries/{entry_id}/submit", headers=auth)
    assert submitted.status_code == 200, submitted.text
    return entry_id


def _wait_ready(http: httpx.Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the demo server exited during start-up")
        try:
            ready = http.get("/readyz")
            if ready.status_code == 200:
                search = ready.json().get("checks", ready.json()).get("search", {})
                if search.get("outbox_rows", 1) == 0:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise SystemExit("the demo server did not finish indexing in time")


def _collections(http: httpx.Client, curator: str) -> list[str]:
    auth = {"Authorization": f"Bearer {curator}"}
    slugs = []
    for slug, title, description, query in COLLECTIONS:
        hits = http.get("/v1/search", params={**query, "per_page": 8, "sort": "newest"}).json()
        created = http.post(
            "/v1/collections",
            json={"slug": slug, "title": title, "description": description},
            headers=auth,
        )
        assert created.status_code == 201, created.text
        items = [{"entry_id": hit["id"]} for hit in hits["hits"]]
        if items:
            items[0]["note"] = "Start here: the clearest account of how the program worked."
        filled = http.put(f"/v1/collections/{slug}/items", json={"items": items}, headers=auth)
        assert filled.status_code == 200, filled.text
        slugs.append(slug)
    return slugs


def _rich_entry(http: httpx.Client) -> str:
    """A public entry that shows most of what an entry page can show."""
    found = http.get("/v1/search", params={"q": "reintegration", "per_page": 50}).json()
    best, best_score = found["hits"][0]["id"], -1
    for hit in found["hits"]:
        entry = http.get(f"/v1/entries/{hit['id']}").json()
        score = (
            len(entry["indicators"]) + 3 * len(entry["attachments"]) + len(entry["body"]) // 2000
        )
        if score > best_score:
            best, best_score = hit["id"], score
    return best


@contextmanager
def demo_site(
    size: int, *, database_url: str | None = None, keep: bool = False
) -> Iterator[DemoSite]:
    workdir = Path(tempfile.mkdtemp(prefix="offramp-pages-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The node's public address is the usual development one whatever port it listens
    # on, so what it prints (the "cite as" address) is the same on every run.
    settings = Settings(
        environment="development",
        data_dir=workdir,
        database_url=database_url,
        public_url=PUBLIC_URL,
    )
    engine = make_engine(settings)
    migrate(engine)
    load_demo(settings, engine, size=size, seed=SEED)
    engine.dispose()
    curator = mint_dev_token(settings, org=DEMO_TOKEN_ORG, role="curator", ttl_seconds=3600)
    cookie = _session(settings, DEMO_TOKEN_ORG, "amina", "publisher")
    curator_org = CURATOR_ORG
    curator_cookie = _session(settings, curator_org, "chidi", "curator")
    admin_cookie = _session(settings, settings.operator_organization, "nadia", "admin")
    publisher = mint_dev_token(settings, org=DEMO_TOKEN_ORG, role="publisher", ttl_seconds=3600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    env.update(
        OFFRAMP_DATA_DIR=str(workdir),
        OFFRAMP_ENVIRONMENT="development",
        OFFRAMP_PUBLIC_URL=PUBLIC_URL,
        OFFRAMP_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["OFFRAMP_DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            _wait_ready(http, server)
            slugs = _collections(http, curator)
            entry_id = _rich_entry(http)
            review_entry = _submitted(http, publisher)
        yield DemoSite(
            url=url,
            workdir=workdir,
            server_pid=server.pid,
            member_cookie=(SESSION_COOKIE, cookie),
            curator_cookie=(SESSION_COOKIE, curator_cookie),
            admin_cookie=(SESSION_COOKIE, admin_cookie),
            review_entry=review_entry,
            entry_id=entry_id,
            collection=slugs[0],
        )
    finally:
        server.terminate()
        server.wait(30)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)

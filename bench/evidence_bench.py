"""Evidence endpoints on N synthetic demo entries: `GET /v1/gap-map`,
`GET /v1/indicators/{code}` and `GET /v1/policy-frameworks/by-country` p50/p95,
anonymous and as a member, in-process
(Starlette's ASGI test client: the whole request path without the network).

    .venv/bin/python bench/evidence_bench.py --size 10000
    .venv/bin/python bench/evidence_bench.py --size 100000

Prints figures; asserts nothing. A fresh SQLite data directory (or --database-url),
indexer off (these endpoints read the database only)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.auth.tokens import account_subject, mint_access_token
from api.config import Settings
from api.db import make_engine
from api.demo.load import load_demo
from api.main import create_app
from api.migrate import migrate
from api.organizations.service import ensure_account, get_organization, grant_role

MEMBER_ORG = "sahel-pathways-initiative"
QUERIES = {
    "gap map, world": "/v1/gap-map",
    "gap map, Africa, 2 program types": "/v1/gap-map?region=002&program_type=reintegration"
    "&program_type=ddr",
    "gap map, Eastern Africa, all kinds": "/v1/gap-map?region=014&kind=evaluation"
    "&kind=lessons_learned",
    "indicator recidivism_any_12m": "/v1/indicators/recidivism_any_12m",
    "indicator completion_rate, West Africa": "/v1/indicators/completion_rate?region=011",
    "indicator employment_12m, CSV": "/v1/indicators/employment_12m?format=csv",
    "policies by country": "/v1/policy-frameworks/by-country",
    "policies by country, in force, travel bans, CSV": "/v1/policy-frameworks/by-country"
    "?status=in_force&impediment_type=travel_ban&format=csv",
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def member_token(app: object, settings: Settings) -> str:
    factory = app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session, session.begin():
        organization = get_organization(session, MEMBER_ORG)
        assert organization is not None
        account = ensure_account(session, issuer=settings.issuer, subject="bench:member",
                                 display_name="Bench member")  # fmt: skip
        grant_role(session, account=account, organization=organization, role="reader")
        account_id = account.id
    return mint_access_token(settings, app.state.node_keys,  # type: ignore[attr-defined]
                             subject=account_subject(account_id), client_id="bench",
                             organization_slug=MEMBER_ORG)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--data-dir", type=Path, help="reuse a kept data directory (no load)")
    args = parser.parse_args()
    workdir = args.data_dir or Path(tempfile.mkdtemp(prefix="offramp-evidence-bench-"))
    # gc_freeze: as a deployed node does (api.heap); the "test" environment alone would not.
    settings = Settings(environment="test", data_dir=workdir, database_url=args.database_url,
                        indexer_in_process=False, log_level="WARNING",
                        gc_freeze=True)  # fmt: skip
    engine = make_engine(settings)
    migrate(engine)
    started = time.perf_counter()
    if args.data_dir is None:
        load_demo(settings, engine, size=args.size, seed=20261128)
    engine.dispose()
    print(f"# evidence endpoints: {args.size} demo entries, data in {workdir}")
    print(f"demo load {time.perf_counter() - started:.1f} s")
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            token = member_token(app, settings)
            print(f"{'request':45} {'caller':9} {'p50 ms':>8} {'p95 ms':>8} {'rows':>7}")
            for name, url in QUERIES.items():
                for caller, headers in (
                    ("anonymous", {}),
                    ("member", {"Authorization": f"Bearer {token}"}),
                ):
                    timings = []
                    response = client.get(url, headers=headers)  # warm-up
                    for _ in range(args.repeat):
                        began = time.perf_counter()
                        response = client.get(url, headers=headers)
                        timings.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200, response.text
                    if "csv" in url:
                        rows = response.text.count("\n") - 1
                    elif "policy-frameworks" in url:
                        rows = response.json()["total"]
                    elif "gap-map" in url:
                        rows = sum(c["total"] for c in response.json()["cells"])
                    else:
                        rows = response.json()["total"]
                    print(f"{name:45} {caller:9} {percentile(timings, 50):8.1f} "
                          f"{percentile(timings, 95):8.1f} {rows:7d}")  # fmt: skip
    finally:
        if not args.keep and args.data_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

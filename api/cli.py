"""The `offramp` command line: serve, migrate, organizations, dev tokens, demo data."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from api.cli_alerts import alerts_app
from api.cli_curation import import_app
from api.cli_federation import harvest, peer_app
from api.cli_identity import client_app, keys_app
from api.cli_login import idp_app
from api.cli_outbox import outbox_app
from api.cli_support import command_session, fail
from api.config import Settings, get_settings
from api.db import make_engine, make_session_factory
from api.heap import freeze_startup_heap
from api.vocabularies.service import load_registry_from
from indexer.backends.base import BackendError, SearchBackend

# The demo organization whose publisher token `serve --demo` prints.
DEMO_TOKEN_ORG = "sahel-pathways-initiative"  # noqa: S105 - an org slug, not a secret
GRACEFUL_SHUTDOWN_SECONDS = 30

app = typer.Typer(
    help="Offramp Exchange node",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
org_app = typer.Typer(help="Member organizations", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(idp_app, name="idp")
app.add_typer(client_app, name="client")
app.add_typer(keys_app, name="keys")
app.add_typer(import_app, name="import")
app.add_typer(outbox_app, name="outbox")
app.add_typer(peer_app, name="peer")
app.add_typer(alerts_app, name="alerts")
app.command()(harvest)


def _settings() -> Settings:
    return get_settings()


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the newest version and seed vocabularies."""
    from api.migrate import migrate as run

    settings = _settings()
    engine = make_engine(settings)
    try:
        added = run(engine)
    finally:
        engine.dispose()
    typer.echo(f"database is at the newest schema; {added} vocabulary terms added")


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="URL-safe identifier, e.g. sahel-pathways")],
    name: Annotated[str, typer.Option(help="Display name")],
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 code")] = None,
) -> None:
    """Create a member organization."""
    from api.errors import AppError
    from api.organizations.service import create_organization

    try:
        with command_session(write=True) as session:
            create_organization(session, slug=slug, name=name, country=country)
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"created organization {slug}")


def mint_dev_token(settings: Settings, *, org: str, role: str, ttl_seconds: int) -> str:
    """Ensure a development account with `role` in `org` and mint a token for it."""
    from api.auth.keys import load_or_create_keys
    from api.auth.tokens import account_subject, mint_access_token
    from api.organizations.service import ensure_account, get_organization, grant_role

    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session, session.begin():
            organization = get_organization(session, org)
            if organization is None:
                raise typer.BadParameter(
                    f"no organization {org!r}; create it with `offramp org create`"
                )
            account = ensure_account(
                session,
                issuer=settings.issuer,
                subject=f"dev:{org}:{role}",
                display_name=f"Development {role} of {organization.name}",
            )
            grant_role(session, account=account, organization=organization, role=role)
            account_id = account.id
    finally:
        engine.dispose()
    return mint_access_token(
        settings,
        load_or_create_keys(settings.data_dir),
        subject=account_subject(account_id),
        client_id="offramp-cli",
        organization_slug=org,
        ttl_seconds=ttl_seconds,
    )


@app.command()
def token(
    org: Annotated[str, typer.Option(help="Organization slug")],
    role: Annotated[str, typer.Option(help="reader | publisher | curator | admin")] = "publisher",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = 12 * 3600,
) -> None:
    """Print a development access token (refused outside development mode)."""
    settings = _settings()
    if not settings.is_development:
        typer.echo("error: dev tokens are only minted in development mode", err=True)
        raise typer.Exit(2)
    typer.echo(mint_dev_token(settings, org=org, role=role, ttl_seconds=ttl))


@app.command()
def demo(
    size: Annotated[int, typer.Option(help="Number of entries")] = 320,
    seed: Annotated[int, typer.Option(help="Generator seed")] = 20261128,
) -> None:
    """Load deterministic, clearly synthetic demo data (safe to run twice)."""
    from api.demo.load import load_demo

    settings = _settings()
    engine = make_engine(settings)
    try:
        report = load_demo(
            settings, engine, size=size, seed=seed, progress=True, program_series_too=True
        )
    finally:
        engine.dispose()
    typer.echo(
        f"demo data: {report.organizations_added} organizations and "
        f"{report.entries_added} entries added ({report.entries_skipped} already present)"
    )


def _indexing_parts(settings: Settings) -> tuple[Engine, sessionmaker[Session], SearchBackend]:
    from indexer.factory import make_backend

    engine = make_engine(settings)
    return engine, make_session_factory(engine), make_backend(settings)


@app.command()
def worker() -> None:
    """Drain the search outbox into the search engine, harvest peers' change feeds,
    and check saved searches for alerts, until stopped (SIGTERM/SIGINT)."""
    import signal

    from api.federation.harvest import HarvestLoop
    from api.saved_searches.checker import AlertLoop
    from indexer.runner import make_indexer_loop

    settings = _settings()
    engine, factory, backend = _indexing_parts(settings)
    loop = make_indexer_loop(settings, factory, backend)
    harvester = HarvestLoop(factory, settings)
    alerts = AlertLoop(factory, backend, settings)

    def _stop(*_: object) -> None:
        loop.stop_event.set()
        harvester.stop_event.set()
        alerts.stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    harvester.start()
    alerts.start()
    try:
        backend.ensure_ready()
    except Exception as exc:  # the loop retries with backoff until the engine is up
        typer.echo(f"search engine not ready yet: {exc}", err=True)
    typer.echo(f"indexer worker draining into {backend.name}")
    freeze_startup_heap(settings)
    try:
        loop.run()
    finally:
        harvester.stop()
        alerts.stop()
        backend.close()
        engine.dispose()


@app.command()
def reindex() -> None:
    """Build a fresh index from the database and swap it in atomically."""
    from indexer.maintenance import reindex as run

    settings = _settings()
    engine, factory, backend = _indexing_parts(settings)
    registry = load_registry_from(factory)
    try:
        try:
            backend.ensure_ready()
        except BackendError as exc:
            # An index this version cannot open (built with an older schema) is
            # what the rebuild replaces; an unreachable engine fails the rebuild.
            typer.echo(f"the current index is not usable ({exc}); building a new one", err=True)
        bar = tqdm(unit="entries", desc="reindex")
        done = 0

        def progress(loaded: int) -> None:
            nonlocal done
            bar.update(loaded - done)
            done = loaded

        loaded, requeued = run(factory, backend, registry, progress=progress)
        bar.close()
    finally:
        backend.close()
        engine.dispose()
    typer.echo(
        f"reindexed {loaded} entries; {requeued} that changed during the rebuild "
        "were handed back to the indexer"
    )


@app.command("check-index")
def check_index(
    repair: Annotated[bool, typer.Option("--repair", help="Fix what is found")] = False,
) -> None:
    """Report entries missing, stale or extra in the search index (exit 1 if any)."""
    from indexer.maintenance import check_index as run_check
    from indexer.maintenance import repair_index

    settings = _settings()
    engine, factory, backend = _indexing_parts(settings)
    registry = load_registry_from(factory)
    try:
        report = run_check(factory, backend, registry)
        for label, ids in (
            ("missing", report.missing),
            ("stale", report.stale),
            ("extra", report.extra),
        ):
            typer.echo(f"{label}: {len(ids)}" + (f" ({', '.join(ids[:10])})" if ids else ""))
        typer.echo(f"outbox rows pending: {report.pending_outbox_rows}")
        if report.clean:
            typer.echo("index matches the database")
            return
        if repair:
            fixed = repair_index(factory, backend, registry, report)
            typer.echo(f"repaired {fixed} entries")
            return
    finally:
        backend.close()
        engine.dispose()
    raise typer.Exit(1)


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def serve_environment(settings: Settings, workers: int) -> dict[str, str]:
    """Environment for the server's processes. More than one API process never runs
    the in-process indexer: on SQLite there is one writer, the embedded index has
    one writer per directory, and a write waits for its own process's indexer.
    Separate `offramp serve` processes (replicas) set OFFRAMP_INDEXER_IN_PROCESS=false
    themselves, as docker-compose.yml does."""
    if workers > 1 and settings.indexer_in_process:
        return {"OFFRAMP_INDEXER_IN_PROCESS": "false"}
    return {}


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    demo_data: Annotated[
        bool, typer.Option("--demo", help="Migrate, load demo data and print a dev token")
    ] = False,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the HTTP API."""
    import uvicorn

    settings = _settings()
    os.environ.update(serve_environment(settings, workers))
    if workers > 1 and settings.indexer_in_process:
        typer.echo(
            f"{workers} API processes: the in-process indexer is off; run `offramp worker`",
            err=True,
        )
    if demo_data:
        migrate()
        demo()
        dev = mint_dev_token(settings, org=DEMO_TOKEN_ORG, role="publisher", ttl_seconds=12 * 3600)
        typer.echo("")
        typer.echo(f"API docs:   http://{host}:{port}/docs")
        typer.echo(f"Dev token ({DEMO_TOKEN_ORG}, publisher; valid 12 h):")
        typer.echo(dev)
        typer.echo(f'Try: curl -H "Authorization: Bearer $TOKEN" http://{host}:{port}/v1/entries')
        typer.echo("")
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal with the
    # handler found before it started: this one makes that a clean exit (status 0),
    # which supervisors read as "stopped as asked", not as a crash.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=False,
        # SIGTERM: stop accepting, let in-flight requests finish (at most this long),
        # then the lifespan stops the indexer after its current batch; exit 0.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


if __name__ == "__main__":
    app()

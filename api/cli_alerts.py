"""`offramp alerts`: run the saved-search alert checker once (the worker runs it
every `OFFRAMP_ALERTS_CHECK_INTERVAL_SECONDS`)."""

from __future__ import annotations

import typer

alerts_app = typer.Typer(help="Saved-search alerts", no_args_is_help=True)


@alerts_app.command("check")
def check_command() -> None:
    """Run every saved search as its member now and record alerts for new matches."""
    from api.config import get_settings
    from api.db import make_engine, make_session_factory
    from api.saved_searches.checker import check_round
    from indexer.factory import make_backend

    settings = get_settings()
    engine = make_engine(settings)
    backend = make_backend(settings)
    try:
        backend.ensure_ready()
        report = check_round(make_session_factory(engine), backend, settings)
    finally:
        backend.close()
        engine.dispose()
    typer.echo(
        f"checked {report.checked} saved searches: {report.alerts} new alerts"
        + (f", {report.failed} failed (see the log)" if report.failed else "")
    )

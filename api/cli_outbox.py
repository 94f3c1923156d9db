"""`offramp outbox`: the search outbox's parked rows (see indexer.deadletter)."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_support import command_session
from indexer.consumer import outbox_lag
from indexer.deadletter import drop_parked, list_parked, retry_parked

outbox_app = typer.Typer(
    help="Search outbox: rows parked after repeated failures", no_args_is_help=True
)

IdsArgument = Annotated[list[int] | None, typer.Argument(help="parked row ids")]
AllOption = Annotated[bool, typer.Option("--all", help="every parked row")]


def _ids(ids: list[int] | None, every: bool) -> list[int] | None:
    if every == bool(ids):
        typer.echo("error: name parked row ids, or --all", err=True)
        raise typer.Exit(2)
    return None if every else ids


@outbox_app.command("list")
def list_command() -> None:
    """Rows waiting and parked; each parked row with its attempts and error."""
    with command_session() as session:
        lag = outbox_lag(session)
        parked = list_parked(session)
    typer.echo(f"waiting: {lag.rows} (oldest {lag.oldest_age_seconds:.1f} s); parked: {lag.parked}")
    for row in parked:
        typer.echo(
            f"{row.id}\tentry {row.entry_id}\tattempts {row.attempts}\t"
            f"parked {row.parked_at.isoformat(timespec='seconds')}\t{row.last_error or ''}"
        )


@outbox_app.command("retry")
def retry_command(ids: IdsArgument = None, every: AllOption = False) -> None:
    """Hand parked rows back to the indexer (attempts start again from zero)."""
    with command_session(write=True) as session:
        count = retry_parked(session, _ids(ids, every))
    typer.echo(f"{count} rows handed back to the indexer")


@outbox_app.command("drop")
def drop_command(ids: IdsArgument = None, every: AllOption = False) -> None:
    """Delete parked rows; `offramp check-index` then shows their entries as stale."""
    with command_session(write=True) as session:
        count = drop_parked(session, _ids(ids, every))
    typer.echo(f"{count} parked rows dropped")

"""`offramp peer …` and `offramp harvest`: peer nodes from the command line.

Owns only the command-line surface; the use cases are `api.federation.service`
and `api.federation.harvest`. The secret a peer calls us with is printed once."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_identity import CLI_OPERATOR
from api.cli_support import command_session, fail
from api.config import get_settings

peer_app = typer.Typer(help="Peer nodes this node exchanges entries with", no_args_is_help=True)


@peer_app.command("add")
def peer_add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. sahel-hub")],
    base_url: Annotated[str, typer.Argument(help="The peer's public URL")],
    org: Annotated[
        list[str] | None,
        typer.Option("--org", help="Slug of a partner organization the peer hosts; repeat"),
    ] = None,
    remote_client_id: Annotated[
        str | None, typer.Option(help="Client id the peer issued us (to harvest it)")
    ] = None,
    remote_client_secret: Annotated[
        str | None,
        typer.Option(help="Its secret", envvar="OFFRAMP_PEER_CLIENT_SECRET"),
    ] = None,
) -> None:
    """Register a peer; print the client id and secret it calls us with (shown once)."""
    from api.errors import AppError
    from api.federation.service import add_peer

    try:
        with command_session(write=True) as session:
            peer, secret = add_peer(
                session,
                name=name,
                base_url=base_url,
                organizations=org or [],
                remote_client_id=remote_client_id,
                remote_client_secret=remote_client_secret,
                created_by=CLI_OPERATOR,
            )
            client_id = peer.client_id
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"peer {name} added")
    typer.echo(f"client_id: {client_id}")
    typer.echo(f"client_secret: {secret}")
    typer.echo("Give these to the peer's administrator; the secret is not shown again.", err=True)


@peer_app.command("list")
def peer_list() -> None:
    """Peers with the organizations they host and their delivery and harvest state."""
    from api.federation.service import list_peers

    with command_session() as session:
        for view in list_peers(session):
            peer = view.peer
            pulled = f"{peer.last_pulled_at:%Y-%m-%d %H:%M}" if peer.last_pulled_at else "never"
            harvested = (
                f"{peer.last_harvest_at:%Y-%m-%d %H:%M}" if peer.last_harvest_at else "never"
            )
            state = f"failing x{peer.harvest_failures}" if peer.harvest_failures else "ok"
            typer.echo(
                f"{peer.name}\t{peer.base_url}\t{','.join(view.organizations) or '-'}\t"
                f"pulled {pulled}\tharvested {harvested}\t{state}"
            )


@peer_app.command("remove")
def peer_remove(name: Annotated[str, typer.Argument(help="The peer's name")]) -> None:
    """Revoke the peer's access and delete what was harvested from it."""
    from api.errors import AppError
    from api.federation.service import remove_peer

    try:
        with command_session(write=True) as session:
            remove_peer(session, name, removed_by=CLI_OPERATOR)
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"removed peer {name}")


def harvest(
    peer: Annotated[str | None, typer.Argument(help="One peer; default every peer")] = None,
) -> None:
    """Pull the change feed of one or every peer once, until it has nothing more."""
    from api.db import make_engine, make_session_factory
    from api.federation.harvest import harvest_peer
    from api.federation.service import list_peers

    settings = get_settings()
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    failed = False
    try:
        with factory() as session:
            names = [peer] if peer else [v.peer.name for v in list_peers(session)]
        for name in names:
            report = harvest_peer(factory, name, settings)
            typer.echo(
                f"{name}: {report.applied} applied ({report.tombstones} tombstones), "
                f"{report.ignored} ignored, {report.rejected} rejected, {report.pages} pages"
                + (", reconciled" if report.reconciled else "")
            )
            for error in report.errors:
                failed = True
                typer.echo(f"  error: {error}", err=True)
    finally:
        engine.dispose()
    if failed:
        raise typer.Exit(1)

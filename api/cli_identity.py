"""`offramp client …` and `offramp keys …`: API clients and token-signing keys.

Owns only the command-line surface; the use cases are `api.oauth.service` and
`api.auth.keys`. A client secret is printed once, here, and never again: only
its hash is stored."""

from __future__ import annotations

from typing import Annotated

import typer

from api.access import Principal
from api.cli_support import command_session, fail
from api.config import get_settings

client_app = typer.Typer(help="API clients (machine publishers, peer nodes)", no_args_is_help=True)
keys_app = typer.Typer(help="The node's token-signing keys", no_args_is_help=True)

# Who the audit log names for changes made from the command line: the operator
# with shell access, not an account.
CLI_OPERATOR = Principal(kind="anonymous", display_name="offramp CLI", channel="cli")


@client_app.command("create")
def client_create(
    name: Annotated[str, typer.Option(help="Display name, e.g. the publishing system")],
    org: Annotated[
        str | None, typer.Option("--org", help="Slug of the organization it acts for")
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="entries:read | entries:write | curation | admin; repeat"),
    ] = None,
    kind: Annotated[str, typer.Option(help="publisher | peer")] = "publisher",
) -> None:
    """Register an API client and print its client_id and secret (shown once)."""
    from api.errors import AppError
    from api.oauth.service import create_client

    try:
        with command_session(write=True) as session:
            client, secret = create_client(
                session,
                name=name,
                kind=kind,
                organization_slug=org,
                scopes=scope or [],
                created_by=CLI_OPERATOR,
            )
            client_id, granted = client.client_id, list(client.scopes)
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"client_id: {client_id}")
    typer.echo(f"client_secret: {secret}")
    typer.echo(f"scopes: {' '.join(granted) or '(none: public entries only)'}")
    typer.echo("Store the secret now; it is not shown again.", err=True)


@client_app.command("list")
def client_list() -> None:
    """List API clients (never their secrets)."""
    from api.oauth.service import list_clients, organization_slugs

    with command_session() as session:
        clients = list_clients(session)
        slugs = organization_slugs(session, clients)
        for client in clients:
            org = slugs.get(client.organization_id) if client.organization_id else None
            state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
            typer.echo(
                f"{client.client_id}\t{client.kind}\t{org or '-'}\t"
                f"{' '.join(client.scopes) or '-'}\t{state}\t{client.name}"
            )


@client_app.command("revoke")
def client_revoke(client_id: Annotated[str, typer.Argument(help="The client_id")]) -> None:
    """Revoke a client: no new tokens, and its existing tokens stop working at once."""
    from api.errors import AppError
    from api.oauth.service import revoke_client

    try:
        with command_session(write=True) as session:
            revoke_client(session, client_id, revoked_by=CLI_OPERATOR)
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"revoked {client_id}")


@keys_app.command("rotate")
def keys_rotate(
    keep_seconds: Annotated[
        int | None,
        typer.Option(
            help="How long the retired key stays published. Default: the access-token "
            "lifetime + leeway + 60 s. Longer-lived development tokens (`offramp token "
            "--ttl`) signed by the old key stop working after this."
        ),
    ] = None,
) -> None:
    """Start signing with a new key; keep publishing the old one until its tokens expire.

    Running servers pick the change up within seconds, without a restart."""
    from api.auth.keys import rotate_keys

    settings = get_settings()
    if keep_seconds is None:
        # Tokens signed just before the rotation live the full lifetime, are accepted
        # `leeway` past expiry, and replicas may sign a few more seconds with the old
        # key before they notice the new file.
        keep_seconds = settings.access_token_ttl_seconds + settings.token_leeway_seconds + 60
    try:
        keys = rotate_keys(settings.data_dir, keep_seconds=keep_seconds)
    except (OSError, ValueError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"current key: {keys.current.kid}")
    typer.echo(f"published keys: {' '.join(str(k.kid) for k in keys.all_keys)}")
    typer.echo(f"the previous key stays published for {keep_seconds} s")

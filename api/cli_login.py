"""`offramp idp add|list|remove`: the node operator's identity-provider configuration.

Owns: the command-line front of `api.login.service` (the same validation, the same
discovery-issuer pin, the same audit records — channel "cli", actor anonymous
because the shell operator has no account). Does not own any rule.
Invariant: the client secret is never printed; `add` prompts for it (hidden) unless
given by option or the OFFRAMP_IDP_CLIENT_SECRET environment variable."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_support import command_session, fail
from api.config import get_settings

idp_app = typer.Typer(help="Member organizations' OIDC identity providers", no_args_is_help=True)


@idp_app.command("add")
def idp_add(
    name: Annotated[str, typer.Argument(help="Short name used in /login/<name>")],
    issuer: Annotated[str, typer.Option(help="Issuer URL exactly as its discovery states")],
    client_id: Annotated[str, typer.Option(help="This node's client id at the provider")],
    organization: Annotated[str, typer.Option(help="Slug of the organization it vouches for")],
    client_secret: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            envvar="OFFRAMP_IDP_CLIENT_SECRET",
            help="This node's client secret at the provider (prompted if omitted)",
        ),
    ],
    default_role: Annotated[
        str, typer.Option(help="Role granted on first sign-in: reader | publisher")
    ] = "reader",
) -> None:
    """Configure a provider; refused if its discovery document names another issuer."""
    from api.errors import AppError
    from api.login.providers import callback_url
    from api.login.service import add_identity_provider

    settings = get_settings()
    try:
        with command_session(write=True) as session:
            add_identity_provider(
                session,
                name=name,
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret,
                organization=organization,
                default_role=default_role,
                channel="cli",
            )
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"added identity provider {name} for {organization}")
    typer.echo(f"register this redirect URI at the provider: {callback_url(settings, name)}")


@idp_app.command("list")
def idp_list() -> None:
    """List configured providers (secrets are never shown)."""
    from api.login.service import list_identity_providers

    with command_session() as session:
        lines = [
            f"{idp.name}\t{idp.issuer}\t{org.slug}\t{idp.default_role}"
            + ("" if idp.enabled else "\tdisabled")
            for idp, org in list_identity_providers(session)
        ]
    if not lines:
        typer.echo("no identity providers configured")
    for line in lines:
        typer.echo(line)


@idp_app.command("remove")
def idp_remove(name: Annotated[str, typer.Argument(help="Provider name")]) -> None:
    """Remove a provider and end the browser sessions signed in through it."""
    from api.errors import AppError
    from api.login.service import remove_identity_provider

    try:
        with command_session(write=True) as session:
            ended = remove_identity_provider(session, name, channel="cli")
    except AppError as exc:
        raise fail(exc) from None
    typer.echo(f"removed identity provider {name}; {ended} sessions ended")

"""`offramp idp add|list|remove`: the node operator's identity-provider configuration.

Owns: the command-line front of `api.login.service` (the same validation, the same
discovery-issuer pin, the same audit records — channel "cli", actor anonymous
because the shell operator has no account). Does not own any rule.
Invariant: the client secret is never printed; `add` prompts for it (hidden) unless
given by option or the OFFRAMP_IDP_CLIENT_SECRET environment variable."""

from __future__ import annotations

from typing import Annotated

import typer

from api.config import get_settings
from api.db import make_engine, make_session_factory

idp_app = typer.Typer(help="Member organizations' OIDC identity providers", no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    from api.errors import AppError

    if isinstance(exc, AppError):
        typer.echo(f"error: {exc.detail}", err=True)
        for item in exc.errors or []:
            typer.echo(f"  {item['field']}: {item['message']}", err=True)
    return typer.Exit(2)


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
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session, session.begin():
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
        raise _fail(exc) from None
    finally:
        engine.dispose()
    typer.echo(f"added identity provider {name} for {organization}")
    typer.echo(f"register this redirect URI at the provider: {callback_url(settings, name)}")


@idp_app.command("list")
def idp_list() -> None:
    """List configured providers (secrets are never shown)."""
    from api.login.service import list_identity_providers

    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as session:
            rows = list_identity_providers(session)
            lines = [
                f"{idp.name}\t{idp.issuer}\t{org.slug}\t{idp.default_role}"
                + ("" if idp.enabled else "\tdisabled")
                for idp, org in rows
            ]
    finally:
        engine.dispose()
    if not lines:
        typer.echo("no identity providers configured")
    for line in lines:
        typer.echo(line)


@idp_app.command("remove")
def idp_remove(name: Annotated[str, typer.Argument(help="Provider name")]) -> None:
    """Remove a provider and end the browser sessions signed in through it."""
    from api.errors import AppError
    from api.login.service import remove_identity_provider

    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as session, session.begin():
            ended = remove_identity_provider(session, name, channel="cli")
    except AppError as exc:
        raise _fail(exc) from None
    finally:
        engine.dispose()
    typer.echo(f"removed identity provider {name}; {ended} sessions ended")

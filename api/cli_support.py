"""Plumbing shared by the `offramp` sub-commands: a database session for one
command, and printing a domain error the way the API would name it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from api.config import get_settings
from api.db import make_engine, make_session_factory
from api.errors import AppError


@contextmanager
def command_session(*, write: bool = False) -> Iterator[Session]:
    """A session on a fresh engine, disposed afterwards; `write` wraps a transaction."""
    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as session:
            if write:
                with session.begin():
                    yield session
            else:
                yield session
    finally:
        engine.dispose()


def fail(exc: AppError) -> typer.Exit:
    """Print the error and its field errors to stderr; exit code 2 (bad input)."""
    typer.echo(f"error: {exc.detail}", err=True)
    for item in exc.errors or []:
        typer.echo(f"  {item['field']}: {item['message']}", err=True)
    return typer.Exit(2)

"""`offramp import FILE --org SLUG [--dry-run] [--format csv|json]`: bulk import.

Owns the command line and the transaction of an import; the rules live in
`api.imports`. Invariant: the import is one transaction, committed only when
every row is valid and every entry was created — an invalid row, a database
error or an interruption anywhere leaves the database unchanged.

Output: errors go to stderr as `row N, field: message`, one per line, all of
them; created entry ids go to stdout, one per line (for scripts); the summary
goes to stderr. Exit 0 on success (or a clean dry run), 1 when rows are invalid
or the write failed, 2 for a bad invocation (unknown organization, unreadable file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.config import get_settings
from api.db import make_engine, make_session_factory
from api.errors import AppError
from api.imports.formats import FORMATS, RowError, format_of, parse
from api.imports.service import ImportReport, OrganizationNotFound, import_entries
from api.vocabularies.service import load_registry

# A group (so `app.add_typer(import_app, name="import")` registers it) whose
# callback is the command; interspersed args let options follow FILE, which
# click groups otherwise stop parsing at — `import FILE --dry-run` must never
# silently drop the --dry-run.
import_app = typer.Typer(
    context_settings={"allow_interspersed_args": True},
    add_completion=False,
    pretty_exceptions_enable=False,
    subcommand_metavar="",
)


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} problems")
        self.report = report


def run_import(
    engine: Engine,
    *,
    path: Path,
    organization: str,
    fmt: str | None,
    dry_run: bool,
) -> ImportReport:
    """Parse, validate and (unless dry run) write, in one transaction.

    Raises `ImportFailed` (nothing written) when any row is invalid, `ValueError`
    for an unknown format, `OrganizationNotFound`, or whatever the database
    raises — always after rolling back."""
    file_format = format_of(path, fmt)
    parsed = parse(path.read_text(encoding="utf-8-sig"), file_format)
    with make_session_factory(engine)() as session:
        session.begin()
        try:
            report = import_entries(
                session,
                organization_slug=organization,
                rows=parsed.rows,
                registry=load_registry(session),
                dry_run=dry_run,
                source=path.name,
            )
            report.errors = sorted(
                [*parsed.errors, *report.errors], key=lambda e: (e.row or 0, e.field)
            )
            if not report.ok:
                raise ImportFailed(report)
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            # Also on KeyboardInterrupt: half an import must never be committed.
            session.rollback()
            raise
    return report


def _print_errors(errors: list[RowError]) -> None:
    for error in errors:
        typer.echo(str(error), err=True)


@import_app.callback(invoke_without_command=True)
def import_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON or CSV file"),
    ],
    org: Annotated[str, typer.Option("--org", help="Slug of the owner organization")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate every row, write nothing")
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"{' | '.join(FORMATS)}; default: the file's extension"),
    ] = None,
) -> None:
    """Import entries as drafts of an organization: all rows or none."""
    try:
        engine = make_engine(get_settings())
        try:
            report = run_import(engine, path=file, organization=org, fmt=fmt, dry_run=dry_run)
        finally:
            engine.dispose()
    except ImportFailed as failed:
        _print_errors(failed.report.errors)
        rows = {e.row for e in failed.report.errors if e.row is not None}
        typer.echo(
            f"{len(failed.report.errors)} problems in {len(rows)} of {failed.report.rows} rows; "
            "nothing was imported",
            err=True,
        )
        raise typer.Exit(1) from None
    except (ValueError, OrganizationNotFound) as exc:
        message = exc.detail if isinstance(exc, AppError) else str(exc)
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(2) from None
    except AppError as exc:
        typer.echo(f"error: {exc.detail}; nothing was imported", err=True)
        _print_errors([RowError(None, e["field"], e["message"]) for e in exc.errors or []])
        raise typer.Exit(1) from None
    except SQLAlchemyError as exc:
        name = type(exc).__name__
        typer.echo(
            f"error: the database refused the import ({name}); nothing was imported", err=True
        )
        raise typer.Exit(1) from None
    if dry_run:
        typer.echo(f"dry run: all {report.rows} rows are valid; nothing was written", err=True)
        return
    for entry_id in report.created_ids:
        typer.echo(entry_id)
    typer.echo(f"imported {len(report.created_ids)} entries as drafts of {org}", err=True)

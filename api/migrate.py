"""Bringing a database to the current schema and vocabulary seed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from api.db import make_session_factory
from api.housekeeping import refresh_planner_statistics
from api.vocabularies.service import sync_shipped_terms

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The source tree holding `alembic.ini`: the checkout (editable install) or,
    in the container image where the package lives in a virtualenv, the working
    directory."""
    for candidate in (PROJECT_ROOT, Path.cwd()):
        if (candidate / "alembic.ini").is_file():
            return candidate
    raise FileNotFoundError("alembic.ini not found next to the package or in the working dir")


def alembic_config(engine: Engine | None = None) -> Config:
    root = project_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic command in one transaction on one of the engine's connections.

    On SQLite, foreign keys are off meanwhile: batch mode rebuilds a table by copying
    it and dropping the old one, and with foreign keys on DROP TABLE deletes every
    child row through ON DELETE CASCADE (SQLite's own procedure for schema changes
    turns them off first, and checks them after)."""
    config = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    _run(engine, command.downgrade, revision)


def migrate(engine: Engine) -> int:
    """Upgrade to head, seed vocabularies and refresh the planner's statistics (an
    upgrade may add indexes the planner should weigh at once); returns the number
    of new terms."""
    upgrade(engine)
    with make_session_factory(engine)() as session, session.begin():
        added = sync_shipped_terms(session)
        refresh_planner_statistics(session.connection())
        return added

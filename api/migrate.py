"""Bringing a database to the current schema and vocabulary seed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from api.db import make_session_factory
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


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def migrate(engine: Engine) -> int:
    """Upgrade to head and seed vocabularies; returns the number of new terms."""
    upgrade(engine)
    with make_session_factory(engine)() as session, session.begin():
        return sync_shipped_terms(session)

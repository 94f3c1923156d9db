"""One Alembic history that upgrades and downgrades on SQLite and PostgreSQL, and
matches the ORM metadata exactly (autogenerate finds nothing to do)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from api.migrate import downgrade, upgrade
from api.models import Base
from api.models.base import built_on
from tests.conftest import DatabaseUnderTest


def _drift(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": engine.dialect.name == "sqlite",
                "include_object": built_on(engine.dialect.name),
            },
        )
        return list(compare_metadata(context, Base.metadata))


class TestMigrations:
    def test_migrated_schema_has_no_drift_from_the_models(
        self, database: DatabaseUnderTest
    ) -> None:
        assert _drift(database.engine) == []

    def test_downgrade_to_base_and_upgrade_again(self, database: DatabaseUnderTest) -> None:
        engine = database.engine
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine, "head")
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert _drift(engine) == []
        from api.migrate import migrate

        migrate(engine)  # re-seed vocabularies for the tests that follow

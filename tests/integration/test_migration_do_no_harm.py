"""The do-no-harm migration moves data both ways: a held submission goes back to
its owner as a draft when downgrading (the old schema has no `held`), entries
retracted as `safety_risk` before the upgrade keep their retraction comment for
curators (README "Curation"), and rebuilding the entry table on SQLite loses none
of its child rows (foreign keys are off while migrating, on again after)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from api.migrate import downgrade, upgrade
from api.models import Entry, IndicatorValue, Organization
from tests.conftest import DatabaseUnderTest


def _entry(entry_id: str, organization_id: int, **fields: object) -> Entry:
    return Entry(id=entry_id, organization_id=organization_id, kind="evaluation", title="T",
                 language="en", visibility="public", **fields)  # fmt: skip


class TestDoNoHarmMigration:
    def test_data_survives_downgrade_and_upgrade(self, database: DatabaseUnderTest) -> None:
        engine = database.engine
        with sessionmaker(engine).begin() as session:
            org = Organization(slug="m-org", name="M", country="KE")
            session.add(org)
            session.flush()
            session.add_all([
                _entry("held1", org.id, status="held", requested_visibility="public",
                       indicators=[IndicatorValue(code="completion_rate", value=80.0)]),
                _entry("old1", org.id, status="retracted", retraction_reason="safety_risk"),
            ])  # fmt: skip
        downgrade(engine, "0006")
        with engine.begin() as connection:
            row = connection.execute(
                text("SELECT status, requested_visibility FROM entry WHERE id = 'held1'")
            ).one()
            assert tuple(row) == ("draft", None)
            connection.execute(text(
                "INSERT INTO entry_transition (entry_id, action, from_status, to_status, comment,"
                " created_at) VALUES ('old1', 'retract', 'published', 'retracted', 'A threat',"
                " CURRENT_TIMESTAMP)"
            ))  # fmt: skip
        upgrade(engine, "head")
        with engine.connect() as connection:
            reason = connection.execute(
                text("SELECT reason FROM entry_transition WHERE entry_id = 'old1'")
            ).scalar_one()
        assert reason == "safety_risk"
        with engine.connect() as connection:
            children = connection.execute(
                text("SELECT count(*) FROM indicator_value WHERE entry_id = 'held1'")
            ).scalar_one()
            assert children == 1
            if database.backend == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        with sessionmaker(engine).begin() as session:
            session.get_one(Entry, "held1").status = "held"  # the constraint admits it again

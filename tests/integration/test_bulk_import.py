"""`offramp import`: every row validated first, all errors listed, then all
entries created in one transaction — or none at all."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api.cli_curation import ImportFailed, run_import
from api.entries import service as entry_service
from api.imports.formats import RowError
from api.imports.service import OrganizationNotFound
from api.models import AuditEvent, Entry, EntryReader, EntryRevision, SearchOutbox
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, create_entry, make_org, member_token

OFFRAMP = [sys.executable, "-m", "api.cli"]


def row(n: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "evaluation",
        "title": f"Imported evaluation {n}",
        "summary": "From the legacy spreadsheet.",
        "program_types": ["reintegration"],
        "regions": ["KE"],
        "indicators": [{"code": "completion_rate", "value": 70 + n % 20}],
        "visibility": "public",
    }
    values.update(overrides)
    return values


def write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def counts(database: DatabaseUnderTest) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {
            model.__name__: connection.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Entry, EntryRevision, EntryReader, AuditEvent, SearchOutbox)
        }


@pytest.fixture
def org(app: FastAPI, client: TestClient) -> str:
    make_org(app, "ngo-a")
    make_org(app, "ngo-b")
    return "ngo-a"


class TestImport:
    def test_all_rows_created_as_drafts_through_the_api_path(
        self,
        app: FastAPI,
        client: TestClient,
        database: DatabaseUnderTest,
        org: str,
        tmp_path: Path,
    ) -> None:
        path = write_json(
            tmp_path / "entries.json",
            [row(1), row(2, shared_with=["ngo-b"], visibility="partners"), row(3)],
        )
        report = run_import(database.engine, path=path, organization=org, fmt=None, dry_run=False)
        assert len(report.created_ids) == 3
        after = counts(database)
        assert after["Entry"] == 3
        assert after["EntryRevision"] == 3
        assert after["SearchOutbox"] >= 3
        with app.state.session_factory() as session:
            entries = session.scalars(select(Entry).where(Entry.id.in_(report.created_ids))).all()
            assert {e.status for e in entries} == {"draft"}
            assert {e.organization.slug for e in entries} == {"ngo-a"}
            shared = next(e for e in entries if e.title == "Imported evaluation 2")
            assert [p.slug for p in shared.partners] == ["ngo-b"]
            created = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "entry.created")
            ).all()
            assert {e.channel for e in created} == {"cli"}
            assert session.scalar(select(AuditEvent).where(AuditEvent.action == "entries.imported"))
        # Drafts: readable by the owner organization, by no one else.
        owner = member_token(app, "ngo-a", "reader")
        for entry_id in report.created_ids:
            assert client.get(f"/v1/entries/{entry_id}", headers=bearer(owner)).status_code == 200
            assert client.get(f"/v1/entries/{entry_id}").status_code == 404

    def test_one_invalid_row_of_sixty_writes_nothing(
        self, database: DatabaseUnderTest, org: str, tmp_path: Path
    ) -> None:
        rows = [row(n) for n in range(1, 61)]
        rows[49]["regions"] = ["Atlantis"]
        path = write_json(tmp_path / "entries.json", rows)
        before = counts(database)
        with pytest.raises(ImportFailed) as failed:
            run_import(database.engine, path=path, organization=org, fmt=None, dry_run=False)
        assert failed.value.report.errors == [
            RowError(50, "regions[0]", "'Atlantis' is not a region code")
        ]
        assert counts(database) == before

    def test_database_failure_mid_import_rolls_everything_back(
        self,
        app: FastAPI,
        client: TestClient,
        database: DatabaseUnderTest,
        org: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        existing = create_entry(client, member_token(app, "ngo-a", "publisher"))["id"]
        fresh = iter(["importedfirst", "importedsecond", existing, "importedfourth"])
        # The third row collides with a committed entry's primary key: the
        # database itself refuses the INSERT after two rows were written.
        monkeypatch.setattr(entry_service, "new_entry_id", lambda: next(fresh))
        path = write_json(tmp_path / "entries.json", [row(n) for n in range(1, 5)])
        before = counts(database)
        with pytest.raises(IntegrityError):
            run_import(database.engine, path=path, organization=org, fmt=None, dry_run=False)
        assert counts(database) == before
        with database.engine.connect() as connection:
            ids = set(connection.execute(select(Entry.id)).scalars())
        assert ids == {existing}

    def test_dry_run_lists_every_rows_errors_and_writes_nothing(
        self, database: DatabaseUnderTest, org: str, tmp_path: Path
    ) -> None:
        rows = [
            row(1),
            row(2, program_types=["reintegration", "juggling"]),
            row(3, title=""),
            row(4, shared_with=["nobody", "ngo-a"], visibility="partners"),
            row(5, indicators=[{"code": "completion_rate", "value": 140}]),
            row(6, colour="blue"),
        ]
        path = write_json(tmp_path / "entries.json", rows)
        before = counts(database)
        with pytest.raises(ImportFailed) as failed:
            run_import(database.engine, path=path, organization=org, fmt=None, dry_run=True)
        where = [(e.row, e.field) for e in failed.value.report.errors]
        assert where == [
            (2, "program_types[1]"),
            (3, "title"),
            (4, "shared_with[0]"),
            (4, "shared_with[1]"),
            (5, "indicators[0].value"),
            (6, "colour"),
        ]
        assert counts(database) == before

    def test_clean_dry_run_writes_nothing(
        self, database: DatabaseUnderTest, org: str, tmp_path: Path
    ) -> None:
        path = write_json(tmp_path / "entries.json", [row(1), row(2)])
        before = counts(database)
        report = run_import(database.engine, path=path, organization=org, fmt=None, dry_run=True)
        assert report.ok
        assert report.rows == 2
        assert report.created_ids == []
        assert counts(database) == before

    def test_unknown_organization(self, database: DatabaseUnderTest, tmp_path: Path) -> None:
        path = write_json(tmp_path / "entries.json", [row(1)])
        with pytest.raises(OrganizationNotFound):
            run_import(database.engine, path=path, organization="nobody", fmt=None, dry_run=False)


def csv_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


CSV_ROW = {
    "kind": "lessons_learned",
    "title": "Lessons from the pilot",
    "regions": "KE; UG",
    "program_types": "reintegration;mentoring",
    "indicators": "completion_rate=81.5;participants_enrolled=120",
    "period_start": "2022-01-01",
    "period_end": "",
    "visibility": "network",
}


class TestCsv:
    def test_list_fields_and_indicators(
        self, app: FastAPI, database: DatabaseUnderTest, org: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "entries.csv"
        path.write_text(csv_text([CSV_ROW]), encoding="utf-8")
        report = run_import(database.engine, path=path, organization=org, fmt=None, dry_run=False)
        with app.state.session_factory() as session:
            entry = session.get(Entry, report.created_ids[0])
            assert entry is not None
            assert entry.regions == ["KE", "UG"]
            assert entry.program_types == ["reintegration", "mentoring"]
            assert [(i.code, i.value) for i in entry.indicators] == [
                ("completion_rate", 81.5),
                ("participants_enrolled", 120.0),
            ]
            assert entry.period_end is None
            assert str(entry.period_start) == "2022-01-01"

    def test_malformed_cells_and_unknown_columns_are_reported(
        self, database: DatabaseUnderTest, org: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "entries.csv"
        bad = {**CSV_ROW, "indicators": "completion_rate=lots;nonsense"}
        path.write_text(csv_text([CSV_ROW, bad]), encoding="utf-8")
        with pytest.raises(ImportFailed) as failed:
            run_import(database.engine, path=path, organization=org, fmt=None, dry_run=True)
        assert [(e.row, e.field) for e in failed.value.report.errors] == [
            (2, "indicators[0].value"),
            (2, "indicators[1]"),
        ]
        header = tmp_path / "header.csv"
        header.write_text(csv_text([{**CSV_ROW, "colour": "blue"}]), encoding="utf-8")
        with pytest.raises(ImportFailed) as failed:
            run_import(database.engine, path=header, organization=org, fmt=None, dry_run=True)
        assert [(e.row, e.field) for e in failed.value.report.errors] == [(None, "colour")]


@pytest.fixture
def cli_env(database: DatabaseUnderTest, tmp_path: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")} | {
        "OFFRAMP_DATA_DIR": str(tmp_path / "cli-data"),
        "OFFRAMP_DATABASE_URL": database.url,
    }


def offramp(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OFFRAMP, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


class TestCommandLine:
    def test_dry_run_then_import_as_a_real_process(
        self, database: DatabaseUnderTest, org: str, tmp_path: Path, cli_env: dict[str, str]
    ) -> None:
        bad = tmp_path / "bad.csv"
        rows = [
            CSV_ROW,
            {**CSV_ROW, "regions": "Atlantis"},
            {**CSV_ROW, "kind": "poem", "title": ""},
        ]
        bad.write_text(csv_text(rows), encoding="utf-8")
        before = counts(database)
        dry = offramp(cli_env, "import", str(bad), "--org", org, "--dry-run")
        assert dry.returncode == 1, dry.stderr
        assert "row 2, regions[0]: 'Atlantis' is not a region code" in dry.stderr
        assert "row 3, kind:" in dry.stderr
        assert "row 3, title:" in dry.stderr
        assert "nothing was imported" in dry.stderr
        real = offramp(cli_env, "import", str(bad), "--org", org)
        assert real.returncode == 1
        assert counts(database) == before

        good = tmp_path / "good.json"
        write_json(good, [row(1), row(2)])
        valid_dry = offramp(cli_env, "import", str(good), "--dry-run", "--org", org)
        assert valid_dry.returncode == 0, valid_dry.stderr
        assert counts(database) == before
        done = offramp(cli_env, "import", "--org", org, str(good))
        assert done.returncode == 0, done.stderr
        ids = done.stdout.split()
        assert len(ids) == 2
        with database.engine.connect() as connection:
            stored = set(connection.execute(select(Entry.id)).scalars())
        assert stored == set(ids)

    def test_bad_invocations_exit_2(
        self, org: str, tmp_path: Path, cli_env: dict[str, str]
    ) -> None:
        good = write_json(tmp_path / "good.json", [row(1)])
        unknown_org = offramp(cli_env, "import", str(good), "--org", "nobody")
        assert unknown_org.returncode == 2
        assert "nobody" in unknown_org.stderr
        text = tmp_path / "entries.txt"
        text.write_text("[]", encoding="utf-8")
        assert offramp(cli_env, "import", str(text), "--org", org).returncode == 2
        assert (
            offramp(cli_env, "import", str(tmp_path / "missing.json"), "--org", org).returncode == 2
        )

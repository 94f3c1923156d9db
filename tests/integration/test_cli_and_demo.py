"""The `offramp` command line, run as a real subprocess, and the demo data loader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.demo.generator import generate
from api.demo.load import load_demo
from api.models import Attachment, Entry, EntryRevision, Organization
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer

OFFRAMP = [sys.executable, "-m", "api.cli"]


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")} | {
        "OFFRAMP_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [*OFFRAMP, *args], capture_output=True, text=True, env=environment, timeout=120
    )


class TestCommandLine:
    def test_migrate_org_create_and_token(self, tmp_path: Path) -> None:
        assert _run(["migrate"], tmp_path).returncode == 0
        created = _run(["org", "create", "ngo-x", "--name", "NGO X", "--country", "KE"], tmp_path)
        assert created.returncode == 0, created.stderr
        duplicate = _run(["org", "create", "ngo-x", "--name", "Again"], tmp_path)
        assert duplicate.returncode == 2
        assert "exists already" in duplicate.stderr
        token = _run(["token", "--org", "ngo-x", "--role", "publisher"], tmp_path)
        assert token.returncode == 0, token.stderr
        assert token.stdout.count(".") == 2

    def test_token_for_unknown_org_fails_clearly(self, tmp_path: Path) -> None:
        _run(["migrate"], tmp_path)
        result = _run(["token", "--org", "nobody"], tmp_path)
        assert result.returncode != 0
        assert "offramp org create" in result.stderr

    def test_token_is_refused_outside_development(self, tmp_path: Path) -> None:
        result = _run(
            ["token", "--org", "ngo-x"],
            tmp_path,
            OFFRAMP_ENVIRONMENT="production",
            OFFRAMP_DATABASE_URL="postgresql+psycopg://127.0.0.1:1/none",
        )
        assert result.returncode == 2
        assert "development mode" in result.stderr

    def test_invalid_slug_names_the_field(self, tmp_path: Path) -> None:
        _run(["migrate"], tmp_path)
        result = _run(["org", "create", "Bad Slug!", "--name", "x"], tmp_path)
        assert result.returncode == 2
        assert "slug:" in result.stderr


class TestDemoData:
    def test_loads_twice_without_duplicates(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient
    ) -> None:
        settings = app.state.settings
        first = load_demo(settings, database.engine, size=320, seed=7)
        second = load_demo(settings, database.engine, size=320, seed=7)
        assert first.entries_added == 320
        assert second.entries_added == 0
        assert second.entries_skipped == 320
        with app.state.session_factory() as session:
            assert session.scalar(select(func.count()).select_from(Entry)) == 320
            assert session.scalar(select(func.count()).select_from(EntryRevision)) == 320
            orgs = session.scalar(select(func.count()).select_from(Organization))
            assert orgs == len(generate(320, seed=7).organizations)
            attachments = session.scalars(select(Attachment)).all()
        assert attachments
        for attachment in attachments[:3]:
            path = app.state.storage.path(attachment.storage_key)
            assert path.stat().st_size == attachment.size_bytes

    def test_demo_entries_are_served_with_visibility(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient
    ) -> None:
        load_demo(app.state.settings, database.engine, size=320, seed=20261128)
        anonymous = client.get("/v1/entries?per_page=100").json()
        dataset = list(generate(320).entries)
        public = [e for e in dataset if e.status == "published" and e.visibility == "public"]
        assert anonymous["total"] == len(public)
        some = public[0]
        assert client.get(f"/v1/entries/{some.id}").json()["title"] == some.title
        private = next(e for e in dataset if e.visibility == "private")
        assert client.get(f"/v1/entries/{private.id}").status_code == 404

    @pytest.mark.parametrize("size", [0, 5])
    def test_small_sizes_load(
        self, database: DatabaseUnderTest, app: FastAPI, client: TestClient, size: int
    ) -> None:
        report = load_demo(app.state.settings, database.engine, size=size, seed=1)
        assert report.entries_added == size
        token_check = client.get("/v1/entries", headers=bearer(None))
        assert token_check.status_code == 200

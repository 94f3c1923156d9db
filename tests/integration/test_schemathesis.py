"""No generated request — valid or invalid, for any operation of the OpenAPI
document — makes the API answer with a server error.

schemathesis (a fuzzer nobody here wrote) reads `/openapi.json` from a real
server on loopback, over demo data, and sends examples, boundary values and
fuzzed inputs to every operation, anonymously and with a token that holds every
role (so routes behind permissions are reached too). Its `not_a_server_error`
check fails on any 5xx. The run with every role goes to SQLite and PostgreSQL
(integer ranges differ); the anonymous run only to SQLite: it reaches no route or
value the run with a token does not, and what differs for it (401s, public
answers) is decided before the database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.demo.load import load_demo
from tests.factories import member_token
from tests.loopback import serve

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def fuzz(
    base: str, token: str | None, *, max_examples: int, workdir: Path
) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS), "run", f"{base}/openapi.json",
        "--checks", "not_a_server_error",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(max_examples),
        "--seed", "20261202",
        "--request-timeout", "30",
    ]  # fmt: skip
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    # Run in the test's own directory: schemathesis keeps a cache (.schemathesis/) in
    # its working directory, which parallel test workers must not share.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=workdir
    )


@pytest.mark.slow
@pytest.mark.timeout(900)  # one fuzzer run of at most 600 s
class TestNoServerErrors:
    @pytest.mark.parametrize(
        ("caller", "examples"),
        [pytest.param("anonymous", 5, marks=pytest.mark.one_database), ("every role", 10)],
    )
    def test_every_operation(
        self, app: FastAPI, client: TestClient, tmp_path: Path, caller: str, examples: int
    ) -> None:
        if not SCHEMATHESIS.exists() or shutil.which("python") is None:
            pytest.fail("schemathesis is a test dependency; `make install` installs it")
        load_demo(app.state.settings, app.state.engine, size=40, seed=7)
        token = None
        if caller == "every role":
            token = member_token(app, "operators", "admin", "curator", "publisher", person="fuzzer")
        with serve(app) as base:
            result = fuzz(base, token, max_examples=examples, workdir=tmp_path)
        tail = result.stdout[-3000:]
        assert result.returncode == 0, tail
        assert " passed" in tail, tail

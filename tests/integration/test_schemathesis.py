"""No generated request — valid or invalid, for any operation of the OpenAPI
document — makes the API answer with a server error.

schemathesis (a fuzzer nobody here wrote) reads `/openapi.json` from a real
server on loopback, over demo data, and sends examples, boundary values and
fuzzed inputs to every operation, anonymously and with a token that holds every
role (so routes behind permissions are reached too). Its `not_a_server_error`
check fails on any 5xx. Runs on SQLite and PostgreSQL: integer ranges differ."""

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
@pytest.mark.timeout(600)
class TestNoServerErrors:
    def test_every_operation_anonymous_and_with_every_role(
        self, app: FastAPI, client: TestClient, tmp_path: Path
    ) -> None:
        if not SCHEMATHESIS.exists() or shutil.which("python") is None:
            pytest.fail("schemathesis is a test dependency; `make install` installs it")
        load_demo(app.state.settings, app.state.engine, size=40, seed=7)
        token = member_token(app, "operators", "admin", "curator", "publisher", person="fuzzer")
        with serve(app) as base:
            for bearer_token, examples in ((None, 5), (token, 10)):
                result = fuzz(base, bearer_token, max_examples=examples, workdir=tmp_path)
                tail = result.stdout[-3000:]
                assert result.returncode == 0, tail
                assert " passed" in tail, tail

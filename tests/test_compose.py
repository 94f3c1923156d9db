"""The deployment files: docker-compose.yml, .env.example, Dockerfile and .dockerignore.

The compose file is checked with the real `docker-compose` binary (Debian's
docker-compose 1.29, installed by `make test`): only `docker-compose config` is
run, which needs no Docker engine. Where the binary is missing the compose tests
skip, except in CI (CI=true), where a missing install must not pass silently.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

SERVICES = {"postgres", "meilisearch", "migrate", "api", "worker"}
APP_SERVICES = ("migrate", "api", "worker")
REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "MEILI_MASTER_KEY")
SECRETS = {
    "POSTGRES_PASSWORD": "4f1c0ffee0ddba11",
    "MEILI_MASTER_KEY": "3b9e1d7c5a0f42e8b6d4c2a09f7e5d3c",
}

# `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and bare `$VAR`, but not the `$$` escape.
COMPOSE_VAR = re.compile(r"(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
# `VAR=value`, or `# VAR=default` for an optional variable shown with its default.
ENV_EXAMPLE_VAR = re.compile(r"^[ \t]*(#[ \t]*)?([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)


# --- helpers --------------------------------------------------------------------------------


def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        reason = (
            "docker-compose is not on PATH, so the compose file cannot be validated "
            "(install it with `apt-get install docker-compose`; `make test` does)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must install it rather than skip these tests")
        pytest.skip(reason)
    return exe


def _run_config(
    workdir: Path, env_file_vars: dict[str, str], env_vars: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` with a clean environment and a throwaway --env-file.

    The explicit --env-file keeps a developer's real .env out of the test, and the
    environment is rebuilt from scratch so no COMPOSE_* / DOCKER_* / secret
    variables leak in from the calling shell."""
    exe = _docker_compose()
    env_file = workdir / "compose.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env_file_vars.items()))
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    env.update(env_vars or {})
    return subprocess.run(
        [exe, "--env-file", str(env_file), "--file", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result = _run_config(tmp_path_factory.mktemp("compose"), SECRETS)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict)
    return config


def _service(config: dict[str, Any], name: str) -> dict[str, Any]:
    service = config["services"][name]
    assert isinstance(service, dict)
    return service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _conditions(service: dict[str, Any]) -> dict[str, str]:
    depends_on = service.get("depends_on") or {}
    assert isinstance(depends_on, dict), "depends_on must use the long form with conditions"
    return {name: spec.get("condition", "") for name, spec in depends_on.items()}


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> source for the service's volumes (short or long syntax)."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume["target"]
        mounts[target] = source
    return mounts


def _healthcheck_command(service: dict[str, Any]) -> str:
    healthcheck = service.get("healthcheck") or {}
    assert not healthcheck.get("disable"), "healthcheck is disabled"
    test = healthcheck.get("test")
    assert test, "no healthcheck test"
    if isinstance(test, str):
        return test
    assert test[0] in {"CMD", "CMD-SHELL"}, test
    return " ".join(test[1:])


# --- docker-compose.yml, rendered by docker-compose ---------------------------------------------


def test_config_renders_all_services(rendered: dict[str, Any]) -> None:
    assert set(rendered["services"]) >= SERVICES
    assert {"postgres_data", "meili_data", "offramp_data"} <= set(rendered.get("volumes") or {})


def test_start_order(rendered: dict[str, Any]) -> None:
    migrate = _service(rendered, "migrate")
    assert _conditions(migrate).get("postgres") == "service_healthy"
    assert str(migrate.get("restart", "no")) == "no", "the one-shot migration must not restart"
    assert migrate["command"] == ["offramp", "migrate"]
    for name in ("api", "worker"):
        conditions = _conditions(_service(rendered, name))
        assert conditions.get("migrate") == "service_completed_successfully", name
        assert conditions.get("meilisearch") == "service_healthy", name


def test_commands_share_one_image(rendered: dict[str, Any]) -> None:
    api, worker = _service(rendered, "api"), _service(rendered, "worker")
    assert api["command"][:2] == ["offramp", "serve"]
    assert api["command"][2:] == ["--host", "0.0.0.0", "--port", "8000"]  # noqa: S104
    assert worker["command"] == ["offramp", "worker"]
    images = {_service(rendered, name).get("image") for name in APP_SERVICES}
    assert len(images) == 1, images
    for name in APP_SERVICES:
        assert "build" in _service(rendered, name), name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("postgres", "pg_isready"),
        ("meilisearch", "/health"),
        ("api", "/readyz"),
        ("worker", "worker"),
    ],
)
def test_healthchecks(rendered: dict[str, Any], name: str, expected: str) -> None:
    assert expected in _healthcheck_command(_service(rendered, name))


def test_images_are_pinned(rendered: dict[str, Any]) -> None:
    assert re.fullmatch(
        r"getmeili/meilisearch:v1\.\d+\.\d+", _service(rendered, "meilisearch")["image"]
    )
    assert _service(rendered, "postgres")["image"].startswith("postgres:16")


def test_meilisearch_runs_in_production_mode(rendered: dict[str, Any]) -> None:
    env = _environment(_service(rendered, "meilisearch"))
    assert env["MEILI_ENV"] == "production"
    assert env["MEILI_NO_ANALYTICS"].lower() == "true"
    assert env["MEILI_MASTER_KEY"] == SECRETS["MEILI_MASTER_KEY"]


def test_api_settings(rendered: dict[str, Any]) -> None:
    env = _environment(_service(rendered, "api"))
    assert env["OFFRAMP_SEARCH_BACKEND"] == "meilisearch"
    assert env["OFFRAMP_INDEXER_IN_PROCESS"].lower() == "false"
    assert env["OFFRAMP_ENVIRONMENT"] == "production"
    assert env["OFFRAMP_DATA_DIR"] == "/data"
    assert env["OFFRAMP_MEILI_URL"] == "http://meilisearch:7700"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_is_accepted_by_settings(
    rendered: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every OFFRAMP_ variable names a real setting (pydantic-settings silently
    ignores typos), and the values pass the production checks of api.config."""
    env = _environment(_service(rendered, name))
    fields = {f"OFFRAMP_{field.upper()}" for field in Settings.model_fields}
    unknown = {key for key in env if key.startswith("OFFRAMP_")} - fields
    assert not unknown, f"{name}: not settings in api/config.py: {sorted(unknown)}"

    for key in list(os.environ):
        if key.startswith("OFFRAMP_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)

    assert settings.environment == "production"
    assert settings.search_backend == "meilisearch"
    assert settings.indexer_in_process is False
    assert settings.meili_master_key == SECRETS["MEILI_MASTER_KEY"]
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")


def test_secrets_reach_both_sides(rendered: dict[str, Any]) -> None:
    postgres = _environment(_service(rendered, "postgres"))
    meili = _environment(_service(rendered, "meilisearch"))
    assert postgres["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
    for name in APP_SERVICES:
        env = _environment(_service(rendered, name))
        url = env["OFFRAMP_DATABASE_URL"]
        assert url == (
            f"postgresql+psycopg://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
            f"@postgres:5432/{postgres['POSTGRES_DB']}"
        ), name
        assert env["OFFRAMP_MEILI_MASTER_KEY"] == meili["MEILI_MASTER_KEY"], name


def test_api_and_worker_share_the_data_volume(rendered: dict[str, Any]) -> None:
    sources = {name: _mounts(_service(rendered, name)).get("/data") for name in ("api", "worker")}
    assert sources["api"], "the api has no volume on /data"
    assert sources["api"] == sources["worker"], sources
    assert sources["api"] in (rendered.get("volumes") or {}), "/data must be a named volume"


def test_only_the_api_is_published(rendered: dict[str, Any]) -> None:
    ports = _service(rendered, "api")["ports"]
    published = [
        (str(p["published"]), str(p["target"])) if isinstance(p, dict) else tuple(p.split(":")[-2:])
        for p in ports
    ]
    assert ("8000", "8000") in published
    for name in ("postgres", "meilisearch", "migrate", "worker"):
        assert not _service(rendered, name).get("ports"), f"{name} must not publish ports"


def test_defaults_apply_to_optional_variables(rendered: dict[str, Any]) -> None:
    assert _environment(_service(rendered, "api"))["OFFRAMP_PUBLIC_URL"] == "http://localhost:8000"


def test_optional_variables_can_be_overridden_from_the_environment(tmp_path: Path) -> None:
    result = _run_config(tmp_path, SECRETS, {"OFFRAMP_PUBLIC_URL": "https://offramp.example.org"})
    assert result.returncode == 0, result.stderr
    api = yaml.safe_load(result.stdout)["services"]["api"]
    assert _environment(api)["OFFRAMP_PUBLIC_URL"] == "https://offramp.example.org"


@pytest.mark.parametrize("missing", REQUIRED_SECRETS)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_missing_secret_is_refused(tmp_path: Path, missing: str, how: str) -> None:
    env_file_vars = {key: value for key, value in SECRETS.items() if key != missing}
    if how == "empty":
        env_file_vars[missing] = ""
    result = _run_config(tmp_path, env_file_vars)
    assert result.returncode != 0, result.stdout
    output = result.stderr + result.stdout
    assert f"set {missing} in .env" in output, output


def test_secrets_from_the_process_environment_are_accepted(tmp_path: Path) -> None:
    result = _run_config(tmp_path, {}, dict(SECRETS))
    assert result.returncode == 0, result.stderr


def test_env_example_unchanged_is_refused(tmp_path: Path) -> None:
    """Copying .env.example to .env without filling in the secrets must not start a stack."""
    exe = _docker_compose()
    result = subprocess.run(
        [exe, "--env-file", str(ENV_EXAMPLE), "--file", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode != 0
    assert "in .env" in result.stderr + result.stdout


# --- .env.example -------------------------------------------------------------------------------


def _compose_variables() -> set[str]:
    return {braced or bare for braced, bare in COMPOSE_VAR.findall(COMPOSE_FILE.read_text())}


def test_compose_variable_scan_sees_the_secrets() -> None:
    assert set(REQUIRED_SECRETS) <= _compose_variables()


def test_env_example_lists_every_compose_variable() -> None:
    listed = {name for _, name in ENV_EXAMPLE_VAR.findall(ENV_EXAMPLE.read_text())}
    used = _compose_variables()
    assert not used - listed, f"missing from .env.example: {sorted(used - listed)}"
    assert not listed - used, f"not used by docker-compose.yml: {sorted(listed - used)}"


def test_env_example_marks_secrets_and_leaves_them_blank() -> None:
    text = ENV_EXAMPLE.read_text()
    for name in REQUIRED_SECRETS:
        match = re.search(rf"^{name}=(.*)$", text, re.MULTILINE)
        assert match, f"{name} must be listed uncommented"
        assert match.group(1).strip() == "", f"{name} must not ship a usable value"
        comment = text[: match.start()].rstrip().rsplit("\n\n", 1)[-1]
        assert "CHANGE ME" in comment.upper(), f"{name} is not marked CHANGE ME"


# --- Dockerfile and .dockerignore -----------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    pairs = []
    for line in lines:
        op, *rest = line.split(None, 1)
        pairs.append((op.upper(), rest[0] if rest else ""))
    return pairs


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def _copy_sources(args: str) -> list[str]:
    parts = [part for part in args.split() if not part.startswith("--")]
    return [source.rstrip("/") for source in parts[:-1]]


def _build_args() -> dict[str, str]:
    args = {}
    for op, rest in _instructions():
        if op == "FROM":
            break
        if op == "ARG" and "=" in rest:
            key, value = rest.split("=", 1)
            args[key.strip()] = value.strip().strip("\"'")
    return args


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    froms = [rest for op, rest in _instructions() if op == "FROM"]
    assert len(froms) >= 2, "expected a builder and a runtime stage"
    args = _build_args()
    for line in froms:
        image = re.sub(
            r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), line.split()[0]
        )
        assert image.startswith("python:3.11-slim"), image


def test_dockerfile_copies_alembic_files_into_the_runtime_image() -> None:
    copied = {
        source
        for op, rest in _final_stage()
        if op == "COPY" and "--from" not in rest
        for source in _copy_sources(rest)
    }
    assert "alembic.ini" in copied
    assert "migrations" in copied


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [rest.split(":")[0].strip() for op, rest in _final_stage() if op == "USER"]
    assert users, "the runtime stage has no USER"
    assert users[-1] not in {"root", "0"}
    assert users[-1] == "offramp"


def test_dockerfile_runtime_details() -> None:
    final = _final_stage()
    text = "\n".join(f"{op} {rest}" for op, rest in final)
    assert ("EXPOSE", "8000") in final
    assert "PYTHONDONTWRITEBYTECODE=1" in text
    assert "PYTHONUNBUFFERED=1" in text
    assert re.search(r"^VOLUME .*/data", text, re.MULTILINE)
    cmd = next(rest for op, rest in reversed(final) if op == "CMD")
    assert cmd.replace(" ", "") == '["offramp","serve","--host","0.0.0.0","--port","8000"]'
    runs = " ".join(rest for op, rest in final if op == "RUN")
    for tool in ("build-essential", "gcc", "g++", "make ", "cargo", "rustc"):
        assert tool not in runs, f"build tool {tool.strip()!r} installed in the runtime image"


def _dockerignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def _ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!pattern` re-includes."""
    ignored = False
    for pattern in _dockerignore_patterns():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        # `**/x` also matches `x` at the root (fnmatch's `*` already crosses `/`).
        candidates = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    "path",
    ["pyproject.toml", "README.md", "alembic.ini", "migrations/env.py", "api/__init__.py"],
)
def test_dockerignore_keeps_what_the_build_needs(path: str) -> None:
    assert not _ignored(path)


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".venv/bin/python",
        ".git/HEAD",
        "data/offramp.db",
        "local.db",
        "api/__pycache__/config.cpython-311.pyc",
        ".pytest_cache/README.md",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/CACHEDIR.TAG",
        "tests/test_compose.py",
        "bench/run.py",
    ],
)
def test_dockerignore_excludes_local_state(path: str) -> None:
    assert _ignored(path)

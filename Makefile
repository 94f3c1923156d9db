# Everyday tasks. `make run` serves the demo node; `make test` runs everything CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck pytest system-deps node-deps services migrate demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/offramp serve --demo

migrate: install
	$(BIN)/offramp migrate

demo: install
	$(BIN)/offramp demo

# System packages the test suite uses: docker-compose validates docker-compose.yml.
system-deps:
	@if ! command -v docker-compose >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; \
	  else echo "note: docker-compose missing and cannot be installed here; its tests will skip"; fi; \
	fi

# The certified OpenID provider the interop tests run (Node.js ≥ 20.19, from npm).
OIDC_PROVIDER := tests/oidc/node_modules/oidc-provider/package.json
$(OIDC_PROVIDER): tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error; \
	else echo "note: npm missing; the OpenID interop tests will skip (and fail under CI=true)"; fi

node-deps: $(OIDC_PROVIDER)

# PostgreSQL is provided by the machine; start it if it is installed but stopped.
services:
	@if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start || true; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy api indexer

pytest: install system-deps node-deps services
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

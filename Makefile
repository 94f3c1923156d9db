# Everyday tasks. `make run` serves the demo node; `make test` runs everything CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck pytest system-deps node-deps services migrate demo clean \
	translations screenshots bench-pages

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

# System packages the test suite uses: docker-compose validates docker-compose.yml;
# chromium runs the web interface's browser tests (driven by Playwright, never
# `playwright install`, which would download a browser build of its own).
SYSTEM_PACKAGES := docker-compose:docker-compose chromium:chromium
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "note:$$missing missing and cannot be installed here; their tests will skip"; fi; \
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

# The suite mostly waits (loopback HTTP, subprocesses, the browser, PostgreSQL), so
# it runs in more pytest-xdist workers than cores; every worker has its own
# databases and temp dirs (tests/conftest.py). PYTEST_WORKERS=0 runs it serially.
PYTEST_WORKERS ?= 4
pytest: install system-deps node-deps services
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

# The web interface's catalogues: extract messages from the pages (and vocabulary
# labels), merge them into each language's .po; translate the new entries there.
# The .po files are the source; the app compiles them in memory at start.
POT := build/messages.pot
translations: install
	mkdir -p build
	$(BIN)/pybabel extract -F api/web/babel.cfg -k pgettext:1c,2 --no-location --sort-output \
	  --omit-header -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d api/web/translations -w 100 --ignore-obsolete \
	  --ignore-pot-creation-date

# PNGs of the main pages in English and French, for the README (a demo node on loopback).
screenshots: install system-deps
	$(BIN)/python bench/screenshots.py

# Page weight and server time per page on the 10k demo.
bench-pages: install system-deps
	$(BIN)/python bench/pages_bench.py --size 10000

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

# Level Up — developer and CI entry points.
#
#   make test       everything CI runs: install, lint, then the full test suite (SQLite +
#                   a throwaway PostgreSQL)
#   make test-fast  unit/integration/api tests on SQLite only, stop at first failure
#   make lint       ruff, ruff format --check, mypy, OpenAPI drift check, domain purity
#   make run        migrate, load demo data (if empty), serve on http://127.0.0.1:8000
#
# Extra pytest arguments: make test PYTEST_ARGS='-k cases'
# Extra benchmark arguments: make bench BENCH_ARGS='...'

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
RUFF := $(VENV)/bin/ruff
MYPY := $(VENV)/bin/mypy
LEVELUP := $(VENV)/bin/levelup

PYTEST_FLAGS := -q -p no:cacheprovider
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help install test test-fast lint openapi run bench bench-stats clean

help:
	@sed -n '3,11p' Makefile | sed 's/^# \{0,1\}//'

install:
	bash scripts/bootstrap.sh

# Python suite: the tests read LEVELUP_TEST_POSTGRES_URL (exported by with-postgres.sh)
# and run the integration/api tests on both SQLite and PostgreSQL.
# Frontend hook (later issue): a `test-web` target (frontend unit tests + Playwright
# e2e against Chromium) gets added to this recipe after lint; its npm/Chromium
# installation goes into scripts/bootstrap.sh.
# Lint first: it fails fast, and the suite's summary is then the last line CI prints.
test: install
	$(MAKE) --no-print-directory lint
	bash scripts/with-postgres.sh $(PYTEST) $(PYTEST_FLAGS) $(PYTEST_ARGS)

test-fast: install
	env -u LEVELUP_TEST_POSTGRES_URL $(PYTEST) $(PYTEST_FLAGS) -x -m 'not postgres' $(PYTEST_ARGS)

lint: install
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(PY) -m api.openapi_export --check
	$(PYTEST) $(PYTEST_FLAGS) tests/unit/test_domain_purity.py

openapi: install
	$(PY) -m api.openapi_export

# Frontend hook (later issue): build frontend/dist (served at /) before serving.
run: install
	$(LEVELUP) migrate
	$(LEVELUP) demo-data --if-empty
	$(LEVELUP) serve --host 127.0.0.1 --port 8000

# The benchmark needs its own extras (async drivers for the sync-vs-async comparison,
# py-spy) and wrk, the load generator, from Debian's packages.
bench: install
	$(PY) -m pip install -q -e '.[dev,bench]'
	command -v wrk >/dev/null || { apt-get -q update >/dev/null && apt-get -q -y install wrk >/dev/null; }
	bash scripts/with-postgres.sh $(PY) -m bench.run $(BENCH_ARGS)

# Statistics and the evaluation export at 10 000 and 100 000 enrolments (about 10 minutes).
bench-stats: install
	bash scripts/with-postgres.sh $(PY) -m bench.stats_export --backend both $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -path ./frontend/node_modules -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +

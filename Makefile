# Level Up — developer and CI entry points.
#
#   make test       everything CI runs: install, lint, the web app's tests (Vitest, then
#                   Playwright in Chromium), then the full Python suite (SQLite + a
#                   throwaway PostgreSQL)
#   make test-fast  unit/integration/api tests on SQLite only, stop at first failure
#   make test-web   the web app's tests only (Vitest + Playwright against the real backend)
#   make lint       ruff, mypy, OpenAPI + client drift checks, TypeScript, domain purity
#   make run        build the web app, migrate, load demo data (if empty), serve app + API
#                   on http://127.0.0.1:8000
#   make dev-web    Vite dev server on :5173 proxying /api to `make run`'s backend
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
WEB := frontend
NPM := npm --no-fund --no-audit --loglevel=error

PYTEST_FLAGS := -q -p no:cacheprovider
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help install test test-fast test-web web-build lint openapi run dev-web bench bench-stats bench-web clean

help:
	@sed -n '3,14p' Makefile | sed 's/^# \{0,1\}//'

install:
	bash scripts/bootstrap.sh

# Python suite: the tests read LEVELUP_TEST_POSTGRES_URL (exported by with-postgres.sh)
# and run the integration/api tests on both SQLite and PostgreSQL.
# Lint first: it fails fast; the Python suite's summary is then the last line CI prints.
test: install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-web
	bash scripts/with-postgres.sh $(PYTEST) $(PYTEST_FLAGS) $(PYTEST_ARGS)

# The web app: component tests, a production build (its initial JavaScript checked against
# the 200 kB gzip budget), then the browser tests against the real backend with demo data.
test-web: install
	cd $(WEB) && $(NPM) test
	$(MAKE) --no-print-directory web-build
	cd $(WEB) && node scripts/bundle-size.mjs
	cd $(WEB) && CI=1 $(NPM) run e2e

web-build: install
	cd $(WEB) && $(NPM) run build

test-fast: install
	env -u LEVELUP_TEST_POSTGRES_URL $(PYTEST) $(PYTEST_FLAGS) -x -m 'not postgres' $(PYTEST_ARGS)

lint: install
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(PY) -m api.openapi_export --check
	cd $(WEB) && node scripts/check-client-drift.mjs
	cd $(WEB) && $(NPM) run typecheck
	$(PYTEST) $(PYTEST_FLAGS) tests/unit/test_domain_purity.py

# Regenerate the contract and the web app's client types from it.
openapi: install
	$(PY) -m api.openapi_export
	cd $(WEB) && $(NPM) run generate-client

run: install
	$(MAKE) --no-print-directory web-build
	$(LEVELUP) migrate
	$(LEVELUP) demo-data --if-empty
	$(LEVELUP) serve --host 127.0.0.1 --port 8000

# Front-end work: Vite with hot reload on :5173; start `make run` in another terminal first.
dev-web: install
	cd $(WEB) && $(NPM) run dev

# The benchmark needs its own extras (async drivers for the sync-vs-async comparison,
# py-spy) and wrk, the load generator, from Debian's packages.
bench: install
	$(PY) -m pip install -q -e '.[dev,bench]'
	command -v wrk >/dev/null || { apt-get -q update >/dev/null && apt-get -q -y install wrk >/dev/null; }
	bash scripts/with-postgres.sh $(PY) -m bench.run $(BENCH_ARGS)

# Statistics and the evaluation export at 10 000 and 100 000 enrolments (about 10 minutes).
bench-stats: install
	bash scripts/with-postgres.sh $(PY) -m bench.stats_export --backend both $(BENCH_ARGS)

# The web app's initial JavaScript size and the time from navigation to the rendered caseload
# in headless Chromium, against a static page from the same server.
bench-web: install
	$(MAKE) --no-print-directory web-build
	cd $(WEB) && node scripts/bundle-size.mjs
	cd $(WEB) && node scripts/caseload-timing.mjs $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf $(WEB)/dist $(WEB)/dist-* $(WEB)/test-results $(WEB)/playwright-report
	find . -path ./$(VENV) -prune -o -path ./frontend/node_modules -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +

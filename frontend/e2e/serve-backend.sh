#!/usr/bin/env bash
# The real backend for the browser tests: a fresh SQLite database with demo data, serving the
# built app (dist/, or E2E_DIST) and the API on 127.0.0.1:${E2E_PORT:-8765}. Started by
# Playwright's webServer; the database lives in a temp folder removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(cd .. && pwd)
LEVELUP="$ROOT/.venv/bin/levelup"
[[ -x "$LEVELUP" ]] || { echo "serve-backend: $LEVELUP missing; run make install" >&2; exit 1; }
DIST=$(cd "${E2E_DIST:-dist}" && pwd)
[[ -f "$DIST/index.html" ]] || { echo "serve-backend: $DIST/index.html missing; run npm run build" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LEVELUP_SQLITE_PATH="$WORK/e2e.sqlite3"
export LEVELUP_WEB_DIST_DIR="$DIST"
export LEVELUP_ENVIRONMENT=development
cd "$ROOT"
"$LEVELUP" migrate >/dev/null
"$LEVELUP" demo-data >/dev/null
"$LEVELUP" serve --host 127.0.0.1 --port "${E2E_PORT:-8765}" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
wait $server

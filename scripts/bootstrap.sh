#!/usr/bin/env bash
# Idempotent developer/CI setup, used by `make install` (and every target that
# needs the virtualenv).
#
#   * creates .venv with Python >= 3.11 when missing (or broken);
#   * runs `pip install -e '.[dev]'` only when pyproject.toml is newer than
#     .venv/.installed-stamp, so a repeated `make test` does not reinstall.
#
# Environment knobs:
#   LEVELUP_PYTHON=/path/to/python3.x   interpreter used to create the venv
#   LEVELUP_FORCE_INSTALL=1             reinstall even when the stamp is fresh
#   LEVELUP_NO_INSTALL=1                never apt-get install system packages
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.installed-stamp"

log() { echo "[bootstrap] $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

APT_UPDATED=0
apt_install() {
    [[ -z "${LEVELUP_NO_INSTALL:-}" ]] || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    as_root true || return 1
    log "apt-get install $*"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0)
    if [[ $APT_UPDATED -eq 0 ]]; then
        as_root "${apt[@]}" update >/dev/null
        APT_UPDATED=1
    fi
    as_root "${apt[@]}" install --no-install-recommends "$@" >/dev/null
}

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate path
    if [[ -n "${LEVELUP_PYTHON:-}" ]]; then
        python_ok "$LEVELUP_PYTHON" || return 1
        echo "$LEVELUP_PYTHON"
        return 0
    fi
    for candidate in python3 python3.13 python3.12 python3.11; do
        path=$(command -v "$candidate" 2>/dev/null) || continue
        if python_ok "$path"; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

venv_ok() {
    [[ -x "$VENV/bin/python" ]] \
        && python_ok "$VENV/bin/python" \
        && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# --------------------------------------------------------------------------
# 1. Virtualenv.
# --------------------------------------------------------------------------
if ! venv_ok; then
    if ! PYTHON=$(find_python); then
        # Debian 12 ships Python 3.11 as python3.
        apt_install python3 python3-venv || die "Python >= 3.11 not found (set LEVELUP_PYTHON)"
        PYTHON=$(find_python) || die "Python >= 3.11 not found after installing python3"
    fi
    if [[ -e "$VENV" ]]; then
        log "existing $VENV is broken; recreating it"
        rm -rf -- "$VENV"
    fi
    log "creating $VENV with $PYTHON ($("$PYTHON" -c 'import platform; print(platform.python_version())'))"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 lacks ensurepip unless python3-venv is installed.
        rm -rf -- "$VENV"
        apt_install python3-venv || die "'$PYTHON -m venv' failed; install the venv module (Debian: python3-venv)"
        "$PYTHON" -m venv "$VENV"
    fi
    venv_ok || die "created $VENV but it has no working pip"
fi

# --------------------------------------------------------------------------
# 2. Python packages (only when pyproject.toml changed since the last install).
# --------------------------------------------------------------------------
if [[ -n "${LEVELUP_FORCE_INSTALL:-}" || ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
    log "pip install -e '.[dev]' (pyproject.toml changed or first run)"
    pip_flags=(--disable-pip-version-check)
    if [[ -n "${CI:-}" || ! -t 1 ]]; then
        pip_flags+=(--progress-bar off)
    fi
    # Stamp the time *before* installing, so an edit made during the install
    # still triggers the next one.
    touch "$STAMP.new"
    "$VENV/bin/python" -m pip install "${pip_flags[@]}" -e '.[dev]'
    mv -f "$STAMP.new" "$STAMP"
    log "python packages installed"
else
    log "python packages up to date ($STAMP newer than pyproject.toml)"
fi

# --------------------------------------------------------------------------
# 3. Web app: Node.js (>= 20, for Vite), npm packages (only when package-lock.json changed),
#    and Debian's Chromium for the browser tests (Playwright cannot download its own browser
#    here, so it drives /usr/bin/chromium). LEVELUP_NO_WEB=1 skips this section.
# --------------------------------------------------------------------------
node_ok() {
    command -v node >/dev/null 2>&1 \
        && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
        && command -v npm >/dev/null 2>&1
}

if [[ -z "${LEVELUP_NO_WEB:-}" ]]; then
    if ! node_ok; then
        apt_install nodejs npm || die "Node.js >= 20 with npm not found (install it, or set LEVELUP_NO_WEB=1)"
        node_ok || die "Node.js >= 20 is needed for the web app; $(node --version 2>/dev/null || echo none) found"
    fi
    WEB_STAMP=frontend/node_modules/.installed-stamp
    if [[ -n "${LEVELUP_FORCE_INSTALL:-}" || ! -f "$WEB_STAMP" || frontend/package-lock.json -nt "$WEB_STAMP" ]]; then
        log "npm ci in frontend/ (package-lock.json changed or first run)"
        touch "$VENV/.web-stamp.new"
        (cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
        mv -f "$VENV/.web-stamp.new" "$WEB_STAMP"
        log "npm packages installed"
    else
        log "npm packages up to date ($WEB_STAMP newer than package-lock.json)"
    fi
    CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
    if [[ ! -x "$CHROMIUM" ]]; then
        # fonts-dejavu-core: without any font, pages render (and screenshot) as empty boxes.
        apt_install chromium fonts-dejavu-core \
            || die "Chromium not found at $CHROMIUM (Debian: apt-get install chromium; or set CHROMIUM_PATH)"
    fi
fi
